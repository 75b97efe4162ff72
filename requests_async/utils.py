"""The `requests.utils` helpers drop-in code imports, and the environment a session trusts.

Environment reading follows requests: proxies from `<scheme>_proxy` variables (lower case
first; the platform's settings on macOS and Windows), `no_proxy` hosts, domains, IPs, CIDR
blocks and ports, netrc files (`NETRC` or `~/.netrc`, `~/_netrc`), and CA bundles from
`REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`, plus `SSL_CERT_FILE` (which requests leaves to
OpenSSL and so ignores, as its default is certifi's bundle).
"""

from __future__ import annotations

import codecs
import functools
import io
import netrc
import os
import re
import socket
import sys
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from http.cookiejar import CookieJar
from typing import Any, TypeVar, overload
from urllib.parse import quote, unquote, urlparse, urlunparse
from urllib.request import getproxies, parse_http_list, proxy_bypass

import certifi

from httpcore._decoders import SUPPORTED_ENCODINGS

from . import __version__
from .cookies import cookiejar_from_dict
from .exceptions import FileModeWarning, InvalidHeader, InvalidURL
from .structures import CaseInsensitiveDict

__all__ = [
    "DEFAULT_ACCEPT_ENCODING",
    "DEFAULT_CA_BUNDLE_PATH",
    "DEFAULT_PORTS",
    "NETRC_FILES",
    "UNRESERVED_SET",
    "add_dict_to_cookiejar",
    "address_in_network",
    "check_header_validity",
    "default_headers",
    "default_user_agent",
    "dict_from_cookiejar",
    "dict_to_sequence",
    "dotted_netmask",
    "from_key_val_list",
    "get_auth_from_url",
    "get_ca_bundle_from_env",
    "get_encoding_from_headers",
    "get_encodings_from_content",
    "get_environ_proxies",
    "get_netrc_auth",
    "guess_filename",
    "guess_json_utf",
    "is_ipv4_address",
    "is_valid_cidr",
    "iter_slices",
    "parse_dict_header",
    "parse_header_links",
    "parse_list_header",
    "prepend_scheme_if_needed",
    "quote",
    "requote_uri",
    "resolve_proxies",
    "select_proxy",
    "should_bypass_proxies",
    "super_len",
    "to_key_val_list",
    "to_native_string",
    "unquote",
    "unquote_header_value",
    "unquote_unreserved",
    "urldefragauth",
    "urlparse",
]

NETRC_FILES = (".netrc", "_netrc")
DEFAULT_CA_BUNDLE_PATH: str = certifi.where()
DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_ACCEPT_ENCODING = SUPPORTED_ENCODINGS.decode("ascii")
# RFC 3986 section 2.3.
UNRESERVED_SET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

_K = TypeVar("_K")
_V = TypeVar("_V")
_S = TypeVar("_S", str, bytes)


# Headers ----------------------------------------------------------------------


def default_user_agent(name: str = "requests-async") -> str:
    """Return the User-Agent sent by default: `requests-async/<version>`."""
    return f"{name}/{__version__}"


def default_headers() -> CaseInsensitiveDict[str]:
    """Return a session's default headers: User-Agent, Accept-Encoding, Accept, Connection."""
    return CaseInsensitiveDict(
        {
            "User-Agent": default_user_agent(),
            "Accept-Encoding": DEFAULT_ACCEPT_ENCODING,
            "Accept": "*/*",
            "Connection": "keep-alive",
        }
    )


# A name starts with neither whitespace nor a colon; a value may be empty, else starts with
# non-whitespace; neither holds CR, LF or (names) a colon: RFC 9110 section 5.
_NAME_RULE = re.compile(r"[^:\s][^:\r\n]*")
_VALUE_RULE = re.compile(r"(?:\S[^\r\n]*)?")
_BYTES_RULES = (re.compile(_NAME_RULE.pattern.encode()), re.compile(_VALUE_RULE.pattern.encode()))


def check_header_validity(header: tuple[str | bytes, str | bytes]) -> None:
    """Raise `InvalidHeader` unless a `(name, value)` pair can be sent as it is.

    ```python
    check_header_validity(("X-Ok", "yes"))  # passes; ("X-Bad", "a\\r\\nb") raises
    ```
    """
    for index, part in enumerate(header):
        if isinstance(part, str):
            valid = (_NAME_RULE, _VALUE_RULE)[index].fullmatch(part) is not None
        elif isinstance(part, bytes):
            valid = _BYTES_RULES[index].fullmatch(part) is not None
        else:
            raise InvalidHeader(
                f"Header part ({part!r}) from {header} must be of type str or bytes, "
                f"not {type(part)}"
            )
        if not valid:
            kind = "name" if index == 0 else "value"
            raise InvalidHeader(
                "Invalid leading whitespace, reserved character(s), or return character(s) "
                f"in header {kind}: {part!r}"
            )


def parse_list_header(value: str) -> list[str]:
    """Split a comma-separated header (RFC 9110 section 5.6.1), unquoting quoted items."""
    items = parse_http_list(value)
    return [
        unquote_header_value(item[1:-1]) if item[:1] == item[-1:] == '"' else item for item in items
    ]


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse `key=value, key="quoted"` lists into a dict; a key without `=` maps to `None`.

    ```python
    parse_dict_header('realm="x", qop=auth, stale') == {"realm": "x", "qop": "auth", "stale": None}
    ```
    """
    result: dict[str, str | None] = {}
    for item in parse_http_list(value):
        name, equals, item_value = item.partition("=")
        if not equals:
            result[item] = None
        elif item_value[:1] == item_value[-1:] == '"':
            result[name] = unquote_header_value(item_value[1:-1])
        else:
            result[name] = item_value
    return result


def unquote_header_value(value: str, is_filename: bool = False) -> str:
    """Remove a header value's surrounding quotes and backslash escapes, as browsers do."""
    if not (value and value[0] == value[-1] == '"'):
        return value
    value = value[1:-1]
    # A quoted UNC filename keeps its leading double backslash.
    if is_filename and value[:2] == "\\\\":
        return value
    return value.replace("\\\\", "\\").replace('\\"', '"')


def parse_header_links(value: str) -> list[dict[str, str]]:
    """Parse a `Link` header (RFC 8288) into dicts with `url` and each parameter.

    ```python
    parse_header_links('<http://h/2>; rel="next"') == [{"url": "http://h/2", "rel": "next"}]
    ```
    """
    trim = " '\""
    value = value.strip(trim)
    links: list[dict[str, str]] = []
    if not value:
        return links
    for entry in re.split(", *<", value):
        url, _, params = entry.partition(";")
        link = {"url": url.strip("<> '\"")}
        for param in params.split(";"):
            pieces = param.split("=")
            if len(pieces) != 2:
                break
            link[pieces[0].strip(trim)] = pieces[1].strip(trim)
        links.append(link)
    return links


def _content_type_params(header: str) -> tuple[str, dict[str, str]]:
    content_type, *params = header.split(";")
    parsed = {}
    for param in params:
        key, equals, value = param.strip().partition("=")
        if equals:
            parsed[key.strip("\"' ").lower()] = value.strip("\"' ")
    return content_type.strip(), parsed


def get_encoding_from_headers(headers: Mapping[str, str]) -> str | None:
    """Return the charset a response's headers declare, or requests' default for its type.

    ISO-8859-1 for `text/*` without a charset (RFC 2616 section 3.7.1, as requests keeps),
    UTF-8 for `application/json` (RFC 8259 section 8.1), else `None`.
    """
    header = headers.get("content-type")
    if not header:
        return None
    content_type, params = _content_type_params(header)
    if "charset" in params:
        return params["charset"].strip("'\"")
    if "text" in content_type:
        return "ISO-8859-1"
    if "application/json" in content_type:
        return "utf-8"
    return None


_META_CHARSET = (
    re.compile(r'<meta.*?charset=["\']*(.+?)["\'>]', flags=re.I),
    re.compile(r'<meta.*?content=["\']*;?charset=(.+?)["\'>]', flags=re.I),
    re.compile(r'^<\?xml.*?encoding=["\']*(.+?)["\'>]'),
)


def get_encodings_from_content(content: str) -> list[str]:
    """Return the encodings HTML `<meta>` tags or an XML declaration name (deprecated)."""
    warnings.warn(
        "In requests 3.0, get_encodings_from_content will be removed. For more information, "
        "please see the discussion on issue #2266. (This warning should only appear once.)",
        DeprecationWarning,
        stacklevel=2,
    )
    return [found for pattern in _META_CHARSET for found in pattern.findall(content)]


def guess_json_utf(data: bytes) -> str | None:
    """Guess the UTF encoding of JSON bytes from a BOM or the NULs in its first 4 bytes.

    JSON text starts with two ASCII characters (RFC 8259 section 8.1), so the NUL pattern of
    the first four bytes tells UTF-8, -16 and -32 and their byte orders apart.
    """
    sample = data[:4]
    if sample in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    if sample[:3] == codecs.BOM_UTF8:
        return "utf-8-sig"
    if sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    nuls = sample.count(0)
    if nuls == 0:
        return "utf-8"
    if nuls == 2 and sample[::2] == b"\0\0":
        return "utf-16-be"
    if nuls == 2 and sample[1::2] == b"\0\0":
        return "utf-16-le"
    if nuls == 3 and sample[:3] == b"\0\0\0":
        return "utf-32-be"
    if nuls == 3 and sample[1:] == b"\0\0\0":
        return "utf-32-le"
    return None


# Key/value collections ----------------------------------------------------------


def dict_to_sequence(d: Any) -> Any:
    """Return `d.items()` for a mapping-like object, else `d` itself."""
    return d.items() if hasattr(d, "items") else d


def from_key_val_list(value: Any) -> OrderedDict[Any, Any] | None:
    """Return an `OrderedDict` of a mapping or of `(key, value)` pairs; `None` stays `None`.

    ```python
    from_key_val_list([("a", 1)]) == OrderedDict(a=1)  # "string" raises ValueError
    ```
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes, bool, int)):
        raise ValueError("cannot encode objects that are not 2-tuples")
    return OrderedDict(value)


@overload
def to_key_val_list(value: None) -> None: ...
@overload
def to_key_val_list(value: Mapping[_K, _V] | Iterable[tuple[_K, _V]]) -> list[tuple[_K, _V]]: ...
def to_key_val_list(value: Any) -> list[tuple[Any, Any]] | None:
    """Return a list of `(key, value)` pairs from a mapping or pairs; `None` stays `None`.

    ```python
    to_key_val_list({"a": 1}) == [("a", 1)]  # "string" raises ValueError
    ```
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes, bool, int)):
        raise ValueError("cannot encode objects that are not 2-tuples")
    if hasattr(value, "items"):
        return list(value.items())
    return list(value)


def dict_from_cookiejar(cj: CookieJar) -> dict[str, str | None]:
    """Return `{name: value}` for the cookies of a jar."""
    return {cookie.name: cookie.value for cookie in cj}


def add_dict_to_cookiejar(cj: CookieJar, cookie_dict: Mapping[str, str]) -> CookieJar:
    """Set each `name: value` of a dict as a cookie in the jar; return the jar."""
    return cookiejar_from_dict(cookie_dict, cj)


# Bodies -----------------------------------------------------------------------

_TEXT_MODE_WARNING = (
    "Requests has determined the content-length for this request using the binary size of "
    "the file: however, the file has been opened in text mode (i.e. without the 'b' flag in "
    "the mode). This may lead to an incorrect content-length. In Requests 3.0, support will "
    "be removed for files in text mode."
)


def _file_size(o: Any) -> int | None:
    try:
        fileno = o.fileno()
    except (io.UnsupportedOperation, AttributeError):
        # io.UnsupportedOperation for in-memory files; AttributeError from some wrappers
        # (tarfile members) that have the method but no descriptor.
        return None
    if "b" not in o.mode:
        warnings.warn(_TEXT_MODE_WARNING, FileModeWarning, stacklevel=3)
    return os.fstat(fileno).st_size


def super_len(o: Any) -> int:
    """Return how many bytes of a body remain to be sent from its current position.

    str counts as UTF-8 (how it is sent). Objects with `len()`, a `len` attribute, a file
    descriptor, or `seek`/`tell` are measured; anything else counts as 0 (sent chunked).
    """
    if isinstance(o, str):
        o = o.encode("utf-8")
    total: int | None = None
    if hasattr(o, "__len__"):
        total = len(o)
    elif hasattr(o, "len"):
        total = o.len
    elif hasattr(o, "fileno"):
        total = _file_size(o)
    position = 0
    if hasattr(o, "tell"):
        try:
            position = o.tell()
        except OSError:
            # Unseekable streams (stdin, pipes): nothing measurable is left.
            position = total or 0
        else:
            if hasattr(o, "seek") and total is None:
                try:
                    o.seek(0, os.SEEK_END)
                    total = o.tell()
                    o.seek(position or 0)
                except OSError:
                    total = 0
    return max(0, (total or 0) - position)


def guess_filename(obj: Any) -> str | bytes | None:
    """Return the base name of a file object's `name`, unless it is a `<pseudo-name>`."""
    name = getattr(obj, "name", None)
    if name and isinstance(name, (str, bytes)) and name[0] != "<" and name[-1] != ">":
        return os.path.basename(name)
    return None


def iter_slices(string: _S, slice_length: int | None) -> Iterator[_S]:
    """Yield successive slices of `slice_length`; all at once when it is `None` or < 1."""
    step = slice_length if slice_length is not None and slice_length > 0 else len(string)
    for start in range(0, len(string), step or 1):
        yield string[start : start + step]


def to_native_string(string: str | bytes, encoding: str = "ascii") -> str:
    """Return `string` as str, decoding bytes with `encoding`."""
    return string if isinstance(string, str) else string.decode(encoding)


# URLs -------------------------------------------------------------------------


def unquote_unreserved(uri: str) -> str:
    """Decode the percent-escapes of unreserved characters (RFC 3986 section 2.3), keep others.

    Raises `InvalidURL` for a `%` followed by two alphanumerics that are not hex digits.
    """
    first, *rest = uri.split("%")
    parts = [first]
    for part in rest:
        code = part[:2]
        if len(code) == 2 and code.isalnum():
            try:
                char = chr(int(code, 16))
            except ValueError:
                raise InvalidURL(f"Invalid percent-escape sequence: '{code}'") from None
            if char in UNRESERVED_SET:
                parts.append(char + part[2:])
                continue
        parts.append("%" + part)
    return "".join(parts)


def requote_uri(uri: str) -> str:
    """Quote a URI's illegal characters once, keeping reserved ones and valid escapes."""
    try:
        return quote(unquote_unreserved(uri), safe="!#$%&'()*+,/:;=?@[]~")
    except InvalidURL:
        # A stray `%` is quoted itself, since it cannot start an escape.
        return quote(uri, safe="!#$&'()*+,/:;=?@[]~")


def get_auth_from_url(url: str) -> tuple[str, str]:
    """Return the URL's unquoted `(username, password)`; `("", "")` unless both are there."""
    parsed = urlparse(url)
    if parsed.username is None or parsed.password is None:
        return ("", "")
    return (unquote(parsed.username), unquote(parsed.password))


def urldefragauth(url: str) -> str:
    """Return the URL without its fragment and its userinfo."""
    scheme, netloc, path, params, query, _ = urlparse(url)
    if not netloc:
        # Scheme-less "host/path" parses as a path: the host is its first part.
        netloc, path = path, netloc
    return urlunparse((scheme, netloc.rpartition("@")[2], path, params, query, ""))


# The split of a URI reference (RFC 3986 appendix B), and what urllib3 takes for a scheme.
_URI_RE = re.compile(
    r"(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?://([^\\/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S
)
_SCHEME_START_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+-]*:|/")
_PORT_RE = re.compile(r"(.*?)(?::0*(\d*))?")


def prepend_scheme_if_needed(url: str, new_scheme: str) -> str:
    """Give a scheme-less URL `new_scheme`; a URL with a scheme keeps it (lower-cased).

    Hosts of http(s) and scheme-less URLs are lower-cased. Unlike requests (through urllib3),
    the path is left as given rather than normalised.

    ```python
    prepend_scheme_if_needed("proxy.local:3128", "http") == "http://proxy.local:3128"
    ```
    """
    if url and not _SCHEME_START_RE.match(url):
        url = "//" + url
    match = _URI_RE.fullmatch(url)
    assert match is not None  # every part of the pattern is optional
    scheme, authority, path, query, fragment = match.groups()
    netloc = ""
    if authority:
        userinfo, _, hostport = authority.rpartition("@")
        host_match = _PORT_RE.fullmatch(hostport)
        assert host_match is not None  # matches any string
        host, port = host_match.groups()
        if scheme is None or scheme.lower() in DEFAULT_PORTS:
            host = host.lower()
        netloc = f"{host}:{int(port)}" if port else host
        if userinfo:
            netloc = f"{userinfo}@{netloc}"
    if path and not path.startswith("/"):
        # urllib3 roots every path, even of "host:port" read as "scheme:path".
        path = "/" + path
    if not netloc:
        netloc, path = path, ""
    prefixed: str = urlunparse(((scheme or new_scheme).lower(), netloc, path, "", query, fragment))
    return prefixed


# IPv4 networks (no_proxy entries) -----------------------------------------------


def _ipv4_int(address: str) -> int:
    # inet_aton, like requests, also takes the short forms "127.1" and "0x7f.1".
    return int.from_bytes(socket.inet_aton(address), "big")


def is_ipv4_address(string_ip: str) -> bool:
    """Return whether the string is an IPv4 address (in any form `inet_aton` accepts)."""
    try:
        _ipv4_int(string_ip)
    except OSError:
        return False
    return True


def is_valid_cidr(string_network: str) -> bool:
    """Return whether the string is `address/bits` with an IPv4 address and 1 <= bits <= 32."""
    address, slash, bits = string_network.partition("/")
    if not slash or "/" in bits:
        return False
    try:
        mask = int(bits)
    except ValueError:
        return False
    return 1 <= mask <= 32 and is_ipv4_address(address)


def dotted_netmask(mask: int) -> str:
    """Return the dotted form of a prefix length: 24 gives `"255.255.255.0"`."""
    bits = (0xFFFFFFFF << (32 - mask)) & 0xFFFFFFFF
    return socket.inet_ntoa(bits.to_bytes(4, "big"))


def address_in_network(ip: str, net: str) -> bool:
    """Return whether an IPv4 address lies in a network given as `address/bits`.

    ```python
    address_in_network("192.168.1.1", "192.168.1.0/24")  # True
    ```
    """
    network, _, bits = net.partition("/")
    mask = _ipv4_int(dotted_netmask(int(bits)))
    return _ipv4_int(ip) & mask == _ipv4_int(network) & mask


# Environment ------------------------------------------------------------------

# Where urllib falls back to system settings when no proxy variable is set.
_PLATFORM_PROXY_SETTINGS = sys.platform in ("darwin", "win32")


def _environ_proxies() -> dict[str, str]:
    """The proxies the `<scheme>_proxy` variables name, `{scheme: URL}`, read as urllib does.

    Lower-case names win over other spellings, an empty lower-case variable removes its
    scheme, and `HTTP_PROXY` is ignored in a CGI script (`REQUEST_METHOD` set), where a
    client's `Proxy:` header would arrive under that name (CVE-2016-1000110). Unlike
    `urllib.request.getproxies_environment`, only the values of the proxy variables are
    decoded: every request reads the environment, and most environments name no proxy.
    """
    names = _proxy_variable_names()
    proxies: dict[str, str] = {}
    for name in names:
        value = os.environ.get(name)
        if value:
            proxies[name[:-6].lower()] = value
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name in names:
        if name[-6:] == "_proxy":
            value = os.environ.get(name)
            if value:
                proxies[name[:-6].lower()] = value
            else:
                proxies.pop(name[:-6].lower(), None)
    return proxies


def _proxy_variable_names() -> list[str]:
    raw = getattr(os.environ, "_data", None)
    if os.supports_bytes_environ and isinstance(raw, dict):
        # POSIX: os.environ keeps the environment as bytes and decodes every name it lists;
        # decoding only the proxy variables' names (as os.environ does) is four times faster.
        return [os.fsdecode(key) for key in raw if key[-6:].lower() == b"_proxy"]
    return [name for name in os.environ if name[-6:].lower() == "_proxy"]


def _getproxies() -> dict[str, str]:
    found = _environ_proxies()
    if found or not _PLATFORM_PROXY_SETTINGS:
        return found
    return getproxies()


def _matches_no_proxy(hostname: str, port: int | None, no_proxy: str) -> bool:
    entries = [entry for entry in no_proxy.replace(" ", "").split(",") if entry]
    if is_ipv4_address(hostname):
        return any(
            address_in_network(hostname, entry) if is_valid_cidr(entry) else hostname == entry
            for entry in entries
        )
    with_port = f"{hostname}:{port}" if port else hostname
    for entry in entries:
        # "example.com" and ".example.com" both match the domain and its subdomains.
        domain = entry.lstrip(".")
        if domain in (hostname, with_port):
            return True
        if hostname.endswith("." + domain) or with_port.endswith("." + domain):
            return True
    return False


def _platform_bypass(hostname: str, no_proxy: str | None) -> bool:
    # The environment as urllib reads it, with an explicit no_proxy in place of the variable
    # (requests sets os.environ for the call; passing the dict does the same without races).
    environment = _environ_proxies()
    if no_proxy:
        environment["no"] = no_proxy
    elif no_proxy is not None:
        environment.pop("no", None)
    try:
        if environment:
            # Missing from typeshed, public in urllib.request since Python 2.
            bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
            return bool(bypass(hostname, environment))
        # No proxy variables at all: the platform's settings (macOS, Windows registry).
        return _PLATFORM_PROXY_SETTINGS and bool(proxy_bypass(hostname))
    except (TypeError, socket.gaierror):
        return False


def should_bypass_proxies(url: str, no_proxy: str | None) -> bool:
    """Return whether a URL goes direct: no host, or a match in `no_proxy` or the platform's.

    `no_proxy` (else the `no_proxy`/`NO_PROXY` variable) lists hosts, domains (`example.com`
    or `.example.com`, subdomains included), `host:port`, IPv4 addresses, CIDR blocks, or `*`.

    ```python
    should_bypass_proxies("http://10.1.2.3/", no_proxy="10.0.0.0/8")  # True
    ```
    """
    parsed = urlparse(url)
    hostname = parsed.hostname
    if hostname is None:
        return True
    effective = no_proxy
    if effective is None:
        effective = os.environ.get("no_proxy") or os.environ.get("NO_PROXY")
    if effective and _matches_no_proxy(hostname, parsed.port, effective):
        return True
    return _platform_bypass(hostname, no_proxy)


def get_environ_proxies(url: str, no_proxy: str | None = None) -> dict[str, str]:
    """Return the environment's proxies (`{scheme: proxy URL}`), or `{}` if the URL bypasses."""
    # The common case, no proxy configured at all, needs no look at the URL.
    proxies = _getproxies()
    if not proxies or should_bypass_proxies(url, no_proxy=no_proxy):
        return {}
    return proxies


def select_proxy(url: str, proxies: Mapping[str, str] | None) -> str | None:
    """Pick the proxy for a URL: keys `scheme://host`, `scheme`, `all://host`, `all`, in order.

    ```python
    select_proxy("https://h/", {"https": "http://p:3128"}) == "http://p:3128"
    ```
    """
    proxies = proxies or {}
    parts = urlparse(url)
    if parts.hostname is None:
        return proxies.get(parts.scheme, proxies.get("all"))
    keys = (f"{parts.scheme}://{parts.hostname}", parts.scheme, f"all://{parts.hostname}", "all")
    return next((proxies[key] for key in keys if key in proxies), None)


def resolve_proxies(
    request: Any, proxies: Mapping[str, str] | None, trust_env: bool = True
) -> dict[str, str]:
    """Return `proxies` completed with the environment's proxy for the request's scheme.

    Arguments: a request with a `url`; the explicit proxies (their `no_proxy` key applies);
    whether to read the environment. Explicit entries win.
    """
    resolved = dict(proxies or {})
    url: str = request.url
    no_proxy = resolved.get("no_proxy")
    if trust_env:
        environment = _getproxies()
        scheme = urlparse(url).scheme
        proxy = environment.get(scheme, environment.get("all"))
        if proxy and not should_bypass_proxies(url, no_proxy=no_proxy):
            resolved.setdefault(scheme, proxy)
    return resolved


@functools.lru_cache(maxsize=8)
def _netrc_paths(env_file: str | None, *homes: str | None) -> tuple[str, ...]:
    # Keyed by the variables that decide the expansion of "~" (HOME; USERPROFILE on Windows):
    # every request looks for the file.
    candidates = [env_file] if env_file is not None else [f"~/{name}" for name in NETRC_FILES]
    return tuple(os.path.expanduser(candidate) for candidate in candidates)


def get_netrc_auth(url: str | bytes, raise_errors: bool = False) -> tuple[str, str] | None:
    """Return `(login, password)` for the URL's host from a netrc file, or `None`.

    The file is `$NETRC`, else `~/.netrc` or `~/_netrc`. Unreadable or malformed files are
    ignored unless `raise_errors`. The login falls back to the entry's account.
    """
    if isinstance(url, bytes):
        url = url.decode("utf-8")
    environ = os.environ
    paths = _netrc_paths(environ.get("NETRC"), environ.get("HOME"), environ.get("USERPROFILE"))
    # os.access answers without raising (and catching) FileNotFoundError for absent files.
    path = next((found for found in paths if os.access(found, os.F_OK)), None)
    if path is None:
        return None
    try:
        host = urlparse(url).hostname
    except ValueError:
        # An invalid URL is reported by prepare_url (InvalidURL), not by the netrc lookup.
        return None
    if host is None:
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        if raise_errors:
            raise
        return None
    if not entry or not any(entry):
        return None
    login, account, password = entry
    return (login or account or "", password or "")


def get_ca_bundle_from_env() -> str | None:
    """Return the CA bundle the environment names: `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`,
    then `SSL_CERT_FILE` (the first one set and not empty), or `None`.
    """
    names = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
    return next((os.environ[name] for name in names if os.environ.get(name)), None)
