"""The request model: `URL`, `Origin` and `Request`, bytes-level and free of I/O."""

from __future__ import annotations

import functools
import ipaddress
import operator
import re
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import NamedTuple
from urllib.parse import unquote

from ._decoders import SUPPORTED_ENCODINGS
from ._exceptions import InvalidURL, LocalProtocolError, RequestTypeError, UnsupportedScheme
from ._h1 import has_close_token
from ._types import BodyTypes, HeaderTypes, HeaderValue

_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 appendix B, used to split relative references.
_REFERENCE_RE = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LOOKS_LIKE_PORT_RE = re.compile(r"[0-9]+(?:[/?#]|$)")
# Rejected rather than encoded: they end the request line or a header (request smuggling).
# A space is percent-encoded like other unsafe characters, as browsers and requests do.
_FORBIDDEN_RE = re.compile(r"[\x00\t\n\r]")
_HOST_RE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
# RFC 3986 section 3.3/3.4: pchar plus "/" and "?"; a "%" must start a valid %XX escape.
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})")
# RFC 9110 section 5.6.2.
_TOKEN_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 section 5.5: CR, LF, NUL and the other controls (except HTAB) are invalid in values.
_BAD_VALUE_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

_METHODS = (b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"CONNECT", b"OPTIONS", b"TRACE", b"PATCH")
# Already validated, looked up by what callers usually pass.
_KNOWN_METHODS: dict[str | bytes, bytes] = {
    **{m: m for m in _METHODS},
    **{m.decode(): m for m in _METHODS},
}
# RFC 9110 section 9.2.2.
_IDEMPOTENT_METHODS = frozenset((b"GET", b"HEAD", b"PUT", b"DELETE", b"OPTIONS", b"TRACE"))
# Methods whose requests are expected to carry content, so an empty body is declared as such.
_BODY_METHODS = frozenset((b"POST", b"PUT", b"PATCH"))


class Origin(NamedTuple):
    """Scheme, host and port of a URL: the key under which the pool shares connections.

    Arguments: `scheme` (`"http"` or `"https"`), `host` (normalised, IPv6 without
    brackets) and `port`. Immutable and hashable; equal only to another `Origin`.

    ```python
    assert URL("https://example.com/a").origin == Origin("https", "example.com", 443)
    ```
    """

    scheme: str
    host: str
    port: int

    @property
    def is_secure(self) -> bool:
        return self.scheme == "https"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return tuple.__hash__(self)

    def __repr__(self) -> str:
        return f"Origin({self.scheme!r}, {self.host!r}, {self.port!r})"


class _Parts(NamedTuple):
    scheme: str
    host: str
    port: int
    explicit_port: int | None
    target: bytes
    host_header: bytes
    origin: Origin
    username: str
    password: str
    string: str
    display: str
    authority: str


def _escape(match: re.Match[str]) -> str:
    try:
        raw = match.group().encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidURL(f"URL contains an unencodable character {match.group()!r}") from None
    return "".join([f"%{byte:02X}" for byte in raw])


def _quote(text: str) -> str:
    return _UNSAFE_RE.sub(_escape, text)


def _no_match_error(url: str) -> InvalidURL:
    match = _SCHEME_RE.match(url)
    if match is not None:
        scheme = match.group(1).lower()
        rest = url[match.end() :]
        if scheme in _DEFAULT_PORTS:
            fixed = f"{scheme}://{rest.lstrip('/')}"
            return InvalidURL(f"URL {url!r} has no host; did you mean {fixed!r}?")
        if _LOOKS_LIKE_PORT_RE.match(rest) is None:
            return UnsupportedScheme(
                f"URL {url!r} has the unsupported scheme {scheme!r}: "
                "only 'http' and 'https' are supported"
            )
    if url.startswith("/") and not url.startswith("//"):
        return InvalidURL(f"URL {url!r} is relative; give an absolute http:// or https:// URL")
    fixed = "http:" + url if url.startswith("//") else "http://" + url
    return InvalidURL(f"URL {url!r} has no scheme; did you mean {fixed!r}?")


def _parse_host(url: str, host: str) -> tuple[str, str]:
    """Return the normalised host and its form inside a URL (IPv6 in brackets)."""
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1]).compressed
        except ValueError:
            raise InvalidURL(f"URL {url!r} has an invalid IPv6 address {host!r}") from None
        return address, f"[{address}]"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidURL(f"URL {url!r} has a host that IDNA cannot encode: {exc}") from None
    host = host.lower()
    if _HOST_RE.fullmatch(host) is None:
        raise InvalidURL(f"URL {url!r} has invalid characters in the host {host!r}")
    if host[-1].isdigit() and host.rpartition(".")[2].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise InvalidURL(f"URL {url!r} has an invalid IPv4 address {host!r}") from None
    return host, host


def _split_host_port(url: str, hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        end = hostport.find("]") + 1
        if end == 0 or (end < len(hostport) and hostport[end] != ":"):
            raise InvalidURL(f"URL {url!r} has a malformed IPv6 host {hostport!r}")
        return hostport[:end], hostport[end + 1 :]
    host, _, port = hostport.partition(":")
    if ":" in port:
        raise InvalidURL(f"URL {url!r}: an IPv6 address must be in brackets, as in 'http://[::1]/'")
    return host, port


def _parse_port(url: str, port: str) -> int:
    if not (port.isascii() and port.isdigit()) or len(port) > 5:
        raise InvalidURL(f"URL {url!r} has an invalid port {port!r}")
    if int(port) > 65535:
        raise InvalidURL(f"URL {url!r} has a port out of range 0-65535: {port}")
    return int(port)


@functools.lru_cache(maxsize=512)
def _parse(url: str) -> _Parts:
    # Surrounding spaces are a copy-and-paste accident, not part of the URL (as in requests).
    url = url.strip(" ")
    if not url:
        raise InvalidURL("URL is empty")
    if not url.isprintable():
        bad = _FORBIDDEN_RE.search(url)
        if bad is not None:
            raise InvalidURL(f"URL {url!r} contains {bad.group()!r} at index {bad.start()}")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port is None or not sep:
        raise _no_match_error(url)
    # RFC 3986 section 3: the authority ends at the first "/", "?" or "#".
    rest, has_fragment, fragment = rest.partition("#")
    rest, has_query, query = rest.partition("?")
    slash = rest.find("/")
    authority, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    userinfo, at, hostport = authority.rpartition("@")
    raw_host, raw_port = _split_host_port(url, hostport)
    if not raw_host:
        raise InvalidURL(f"URL {url!r} has no host")
    host, uri_host = _parse_host(url, raw_host)
    explicit_port = _parse_port(url, raw_port) if raw_port else None
    port = default_port if explicit_port is None else explicit_port
    if explicit_port is not None and explicit_port != default_port:
        uri_host = f"{uri_host}:{explicit_port}"
    target = _quote(f"{path}?{query}" if has_query else path)
    tail = f"{target}#{_quote(fragment)}" if has_fragment else target
    username = password = ""
    if at:
        raw_username, _, raw_password = userinfo.partition(":")
        username, password = unquote(raw_username), unquote(raw_password)
        userinfo = _quote(userinfo) + "@"
    string = f"{scheme}://{userinfo}{uri_host}{tail}"
    display = f"{scheme}://{_quote(raw_username)}:[secure]@{uri_host}{tail}" if password else string
    return _Parts(
        scheme,
        host,
        port,
        explicit_port,
        target.encode("ascii"),
        uri_host.encode("ascii"),
        Origin(scheme, host, port),
        username,
        password,
        string,
        display,
        userinfo + uri_host,
    )


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for the absolute paths produced by reference resolution."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")
    return "/".join(output)


class URL:
    """An absolute `http` or `https` URL, parsed once and normalised; immutable.

    Arguments: `url`, a `str`, UTF-8 `bytes` or another `URL`. Raises `InvalidURL`
    (or `UnsupportedScheme`) with a message saying what is wrong.

    Scheme and host are lower-cased, non-ASCII hosts IDNA-encoded, default ports dropped
    from the string form, and characters not allowed in a request-target percent-encoded.
    Parses of identical strings are cached.

    ```python
    url = URL("https://Bücher.example:8443/ä?q=1#top")
    assert url.target == b"/%C3%A4?q=1"
    assert url.host_header == b"xn--bcher-kva.example:8443"
    ```
    """

    __slots__ = ("_parts",)

    # Read-only views of the shared, cached parse; see the properties set after the class.
    scheme: str
    host: str
    port: int
    explicit_port: int | None
    target: bytes
    host_header: bytes
    origin: Origin
    username: str
    password: str
    is_secure: bool

    def __init__(self, url: str | bytes | URL) -> None:
        if isinstance(url, str):
            self._parts = _parse(url)
        elif isinstance(url, URL):
            self._parts = url._parts
        elif isinstance(url, bytes):
            try:
                self._parts = _parse(url.decode("utf-8"))
            except UnicodeDecodeError:
                raise InvalidURL(f"URL {url!r} is not valid UTF-8") from None
        else:
            raise RequestTypeError(f"URL must be str, bytes or URL, not {type(url).__name__}")

    def join(self, other: str) -> URL:
        """Resolve the reference `other` against this URL (RFC 3986 section 5.2.2).

        ```python
        assert URL("http://a/b/c/d;p?q").join("../g") == URL("http://a/b/g")
        ```
        """
        match = _REFERENCE_RE.fullmatch(other)
        assert match is not None  # the pattern matches every string
        scheme, authority, path, query, fragment = match.groups()
        base = self._parts
        if scheme is None:
            scheme = base.scheme
            if authority is None:
                authority = base.authority
                base_path, has_query, base_query = base.target.decode("ascii").partition("?")
                if not path:
                    path = base_path
                    query = base_query if query is None and has_query else query
                elif not path.startswith("/"):
                    # RFC 3986 section 5.2.3; the base path is never empty here.
                    path = base_path[: base_path.rfind("/") + 1] + path
        authority = "" if authority is None else "//" + authority
        query = "" if query is None else "?" + query
        fragment = "" if fragment is None else "#" + fragment
        return URL(f"{scheme}:{authority}{_remove_dot_segments(path)}{query}{fragment}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, URL):
            return NotImplemented
        return self._parts.string == other._parts.string

    def __hash__(self) -> int:
        return hash(self._parts.string)

    def __str__(self) -> str:
        return self._parts.string

    def __repr__(self) -> str:
        return f"URL({self._parts.display!r})"


for _name in URL.__annotations__:
    _path = "_parts.origin.is_secure" if _name == "is_secure" else "_parts." + _name
    setattr(URL, _name, property(operator.attrgetter(_path)))
del _name, _path


# Named by the decoders, so we only ask for codings this installation can decode.
_ACCEPT_ENCODING: bytes = SUPPORTED_ENCODINGS


def get_header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """Return the first value of the header `name` (given in lower case), or `None`.

    ```python
    assert get_header([(b"Content-Type", b"text/plain")], b"content-type") == b"text/plain"
    ```
    """
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def get_header_values(headers: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    """Return every value of the header `name` (given in lower case), in order.

    ```python
    assert get_header_values([(b"a", b"1"), (b"A", b"2")], b"a") == [b"1", b"2"]
    ```
    """
    return [value for key, value in headers if key.lower() == name]


def _check_method(method: str | bytes) -> bytes:
    known = _KNOWN_METHODS.get(method)
    if known is not None:
        return known
    if isinstance(method, str):
        if not method.isascii():
            raise LocalProtocolError(f"invalid HTTP method {method!r}: it must be ASCII")
        method = method.encode("ascii")
    elif not isinstance(method, bytes):
        raise RequestTypeError(f"method must be str or bytes, not {type(method).__name__}")
    if _TOKEN_RE.fullmatch(method) is None:
        raise LocalProtocolError(f"invalid HTTP method {method!r}: it must be a token")
    return method


@functools.lru_cache(maxsize=256)
def _encode_name(name: str | bytes) -> tuple[bytes, bytes]:
    """Return the validated name as sent and in lower case; cached, names repeat."""
    if isinstance(name, str):
        if not name.isascii():
            raise LocalProtocolError(f"header name {name!r} must be ASCII")
        name = name.encode("ascii")
    elif not isinstance(name, bytes):
        raise RequestTypeError(f"header name must be str or bytes, not {type(name).__name__}")
    if _TOKEN_RE.fullmatch(name) is None:
        raise LocalProtocolError(f"invalid header name {name!r}: it must be a token")
    return name, name.lower()


def _encode_value(name: bytes, value: HeaderValue) -> bytes:
    if isinstance(value, str):
        try:
            value = value.encode("utf-8")
        except UnicodeEncodeError:
            raise LocalProtocolError(f"header {name!r} has an unencodable value") from None
    elif not isinstance(value, bytes):
        raise RequestTypeError(
            f"header {name!r} value must be str or bytes, not {type(value).__name__}"
        )
    bad = _BAD_VALUE_RE.search(value)
    if bad is not None:
        raise LocalProtocolError(
            f"header {name!r} value contains the forbidden byte {bad.group()!r}"
        )
    return value.strip(b" \t")


def _encode_headers(headers: HeaderTypes) -> tuple[list[tuple[bytes, bytes]], set[bytes]]:
    """Return the validated header list and the set of its lower-case names."""
    if headers is None:
        return [], set()
    if type(headers) is dict or isinstance(headers, Mapping):
        items: Iterable[tuple[str | bytes, HeaderValue]] = headers.items()
    elif isinstance(headers, (str, bytes)):
        raise RequestTypeError("headers must be a mapping or a sequence of (name, value) pairs")
    else:
        items = headers
    encoded = []
    names = set()
    for name, value in items:
        raw_name, lower_name = _encode_name(name)
        if isinstance(value, str) and value.isascii() and value.isprintable():
            raw_value = value.strip(" ").encode("ascii")
        else:
            raw_value = _encode_value(raw_name, value)
        encoded.append((raw_name, raw_value))
        names.add(lower_name)
    return encoded, names


def _check_body(body: BodyTypes) -> bytes | Iterable[bytes] | AsyncIterable[bytes]:
    if isinstance(body, bytes):
        return body
    if body is None:
        return b""
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        raise RequestTypeError("request body must be bytes, not str: encode str bodies first")
    if isinstance(body, (Iterable, AsyncIterable)) and not isinstance(body, Mapping):
        return body
    raise RequestTypeError(
        f"request body must be bytes or an (async) iterable of bytes, not {type(body).__name__}"
    )


def _content_length(headers: list[tuple[bytes, bytes]]) -> int:
    """Validate the caller's Content-Length headers and keep only the first (RFC 9110 8.6)."""
    values = get_header_values(headers, b"content-length")
    for value in values:
        if not value.isdigit() or len(value) > 18:
            raise LocalProtocolError(
                f"header b'Content-Length' must be a non-negative decimal integer, not {value!r}"
            )
    lengths = {int(value) for value in values}
    if len(lengths) > 1:
        raise LocalProtocolError(f"header b'Content-Length' has differing values {values!r}")
    if len(values) > 1:
        where = [i for i, (key, _) in enumerate(headers) if key.lower() == b"content-length"]
        for index in reversed(where[1:]):
            del headers[index]
    return lengths.pop()


def _frame(
    method: bytes,
    headers: list[tuple[bytes, bytes]],
    names: set[bytes],
    body: bytes | Iterable[bytes] | AsyncIterable[bytes],
) -> int | None:
    """Check the caller's framing headers, add the missing one, return the declared length."""
    if b"transfer-encoding" in names:
        if b"content-length" in names:
            # RFC 9112 section 6.1: a sender must not send both.
            raise LocalProtocolError(
                "headers b'Content-Length' and b'Transfer-Encoding' must not both be given"
            )
        values = get_header_values(headers, b"transfer-encoding")
        # Only chunked can be sent by us; other codings would leave the body unframed.
        if len(values) != 1 or values[0].lower() != b"chunked":
            raise LocalProtocolError(
                f"header b'Transfer-Encoding' must be exactly b'chunked', not {values!r}"
            )
        return None
    if b"content-length" in names:
        length = _content_length(headers)
        if isinstance(body, bytes) and length != len(body):
            raise LocalProtocolError(
                f"header b'Content-Length' is {length} but the body is {len(body)} bytes"
            )
        return length
    if not isinstance(body, bytes):
        headers.append((b"transfer-encoding", b"chunked"))
        return None
    if body or method in _BODY_METHODS:
        headers.append((b"content-length", b"%d" % len(body)))
    return len(body)


class Request:
    """An HTTP request ready to send: validated method, parsed URL, final header list.

    Arguments:

    * `method`: `str` or `bytes`, case kept (RFC 9110 section 9.1).
    * `url`: `str`, `bytes` or `URL`.
    * `headers`: a mapping or a sequence of `(name, value)` pairs, `str` or `bytes`.
    * `body`: `bytes` (or `bytearray`/`memoryview`), or an iterable or async iterable of `bytes`.

    The header list sent is `host`, `accept-encoding` (each unless given), the caller's
    headers (order and case kept), then the framing header (`content-length` or
    `transfer-encoding: chunked`) unless given. Raises `LocalProtocolError` for anything
    that cannot be sent, before anything is sent.

    ```python
    request = Request("POST", "http://example.com/", {"Content-Type": "text/plain"}, b"hi")
    assert get_header(request.headers, b"content-length") == b"2"
    ```
    """

    __slots__ = (
        "body",
        "content_length",
        "headers",
        "is_streaming",
        "method",
        "url",
        "wants_close",
    )

    def __init__(
        self,
        method: str | bytes,
        url: str | bytes | URL,
        headers: HeaderTypes = None,
        body: BodyTypes = b"",
    ) -> None:
        self.method = _check_method(method)
        self.url = url if isinstance(url, URL) else URL(url)
        self.body = _check_body(body)
        self.is_streaming = not isinstance(self.body, bytes)
        given, names = _encode_headers(headers)
        automatic = []
        if b"host" not in names:
            automatic.append((b"host", self.url.host_header))
        if b"accept-encoding" not in names:
            automatic.append((b"accept-encoding", _ACCEPT_ENCODING))
        self.content_length = _frame(self.method, given, names, self.body)
        self.headers = automatic + given if automatic else given
        # RFC 9112 section 9.6: the client asks for the connection to end after this exchange.
        self.wants_close = b"connection" in names and any(
            has_close_token(value) for value in get_header_values(given, b"connection")
        )

    @property
    def is_chunked(self) -> bool:
        """Whether the body is sent with chunked transfer coding (its length is unknown)."""
        return self.content_length is None

    @property
    def is_idempotent(self) -> bool:
        return self.method in _IDEMPOTENT_METHODS

    def __repr__(self) -> str:
        return f"<Request({self.method.decode('ascii')!r}, {self.url._parts.display!r})>"
