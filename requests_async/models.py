"""requests' models: `Request`, `PreparedRequest` and `ResponseMixin`, free of I/O.

`PreparedRequest` turns a method, URL, headers, body, auth, cookies and hooks into what the
adapter sends, with requests' rules (URLs are normalised as urllib3 does for requests). Bodies
stay `str` when given as text; `files=` becomes a streaming `BodyStream`. `ResponseMixin` holds
every property of a response that needs no I/O; each flavor's `Response` adds reading.

```python
prepared = Request("POST", "https://example.org/form", data={"q": "1"}).prepare()
assert prepared.body == "q=1"
assert prepared.headers["Content-Type"] == "application/x-www-form-urlencoded"
```
"""

from __future__ import annotations

import importlib
import json as jsonlib
import re
import string
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from datetime import timedelta
from functools import lru_cache, partial
from http.cookiejar import CookieJar
from io import UnsupportedOperation
from typing import Any, ClassVar, NamedTuple, TypeAlias
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._multipart import BodyStream, SupportsRead, encode_files, is_readable
from .auth import HTTPBasicAuth
from .cookies import RequestsCookieJar, _copy_cookie_jar, cookiejar_from_dict, get_cookie_header
from .exceptions import (
    ContentNotRead,
    HTTPError,
    InvalidJSONError,
    InvalidURL,
    JSONDecodeError,
    MissingSchema,
    UnrewindableBodyError,
)
from .hooks import HookType, default_hooks
from .structures import CaseInsensitiveDict
from .utils import _SCHEME_START_RE as _SCHEME_START
from .utils import _URI_RE as _URI
from .utils import (
    check_header_validity,
    get_auth_from_url,
    guess_json_utf,
    parse_header_links,
    requote_uri,
    super_len,
    to_key_val_list,
    to_native_string,
)

__all__ = [
    "CONTENT_CHUNK_SIZE",
    "DEFAULT_REDIRECT_LIMIT",
    "ITER_CHUNK_SIZE",
    "REDIRECT_STATI",
    "Body",
    "BodyStream",
    "PreparedRequest",
    "Request",
    "ResponseMixin",
    "rewind_body",
]

#: Redirects followed automatically: 301, 302, 303, 307, 308.
REDIRECT_STATI: tuple[int, ...] = (301, 302, 303, 307, 308)
DEFAULT_REDIRECT_LIMIT = 30
CONTENT_CHUNK_SIZE = 10 * 1024
ITER_CHUNK_SIZE = 512

#: What `PreparedRequest.body` holds: text and bytes as given, a file or (async) iterable to
#: stream, or a multipart `BodyStream`.
Body: TypeAlias = (
    "bytes | str | BodyStream | SupportsRead | Iterable[bytes] | AsyncIterable[bytes] | None"
)

AuthType: TypeAlias = "tuple[Any, Any] | Callable[[PreparedRequest], PreparedRequest] | None"


# URLs, normalised as urllib3 does for requests (RFC 3986) --------------------------------

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_USERINFO = _UNRESERVED | frozenset("!$&'()*+,;=:")
_PATH = _USERINFO | frozenset("@/")
_QUERY = _PATH | frozenset("?")

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
# urllib3 leaves dotted numbers alone, in any of the forms inet_aton reads.
_IPV4ISH = re.compile(r"(?:0[xX][0-9a-fA-F]+|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]+|[0-9]+)){0,3}")


def _ipv6_pattern() -> str:
    # RFC 3986 section 3.2.2: six pieces and ls32, or "::" after at most `most` pieces.
    h16 = "[0-9A-Fa-f]{1,4}"
    ls32 = rf"(?:{h16}:{h16}|(?:[0-9]{{1,3}}\.){{3}}[0-9]{{1,3}})"
    tails = [f"(?:{h16}:){{{count}}}{ls32}" for count in range(5, -1, -1)] + [h16, ""]
    alternatives = [f"(?:{h16}:){{6}}{ls32}"]
    for most, tail in enumerate(tails):
        head = f"(?:(?:{h16}:){{0,{most - 1}}}{h16})?" if most else ""
        alternatives.append(f"{head}::{tail}")
    # RFC 6874: a zone identifier after "%25" (or a bare "%", as browsers accept).
    zone = r"(?:%25|%)(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+"
    return rf"\[(?:{'|'.join(alternatives)})(?:{zone})?\]"


_HOST_PORT = re.compile(rf"((?:[^\[\]%:/?#]|%[0-9A-Fa-f]{{2}})*|{_ipv6_pattern()})(?::([0-9]*))?")


class _URLParts(NamedTuple):
    scheme: str | None
    auth: str | None
    host: str | None
    port: int | None
    path: str | None
    query: str | None
    fragment: str | None


def _parse_url(url: str) -> _URLParts:
    """Split a URL and normalise its parts; raise `InvalidURL` for a bad host or port."""
    if not _SCHEME_START.match(url):
        url = "//" + url
    match = _URI.fullmatch(url)
    assert match is not None  # every part of the pattern is optional
    scheme, authority, path, query, fragment = match.groups()
    scheme = scheme.lower() if scheme else None
    normalise = scheme in (None, "http", "https")
    auth = host = port = None
    if authority:
        auth, _, host_port = authority.rpartition("@")
        host, port = _split_host_port(host_port, url)
        auth = _quote(auth, _USERINFO) if auth and normalise else auth or None
    if host:
        host = _normalise_host(host) if normalise else _check_host(host)
    if normalise:
        path = path and _quote(_remove_dot_segments(path), _PATH)
        query = query and _quote(query, _QUERY)
        fragment = fragment and _quote(fragment, _QUERY)
    if path and not path.startswith("/"):
        path = "/" + path
    return _URLParts(scheme, auth, host, port, path, query, fragment)


def _unparsable(detail: str) -> InvalidURL:
    return InvalidURL(f"Failed to parse: {detail}")


def _split_host_port(host_port: str, url: str) -> tuple[str, int | None]:
    match = _HOST_PORT.fullmatch(host_port)
    digits = match and match[2] and match[2].lstrip("0")
    if match is None or (digits and len(digits) > 5):
        _check_host(host_port)
        raise _unparsable(f"{host_port!r} is not a valid host or port")
    if digits and int(digits) > 65535:
        raise _unparsable(url)
    return match[1], int(digits) if digits else None


def _check_host(host: str) -> str:
    bad = _CONTROL.search(host)
    if bad:
        raise _unparsable(f"Host {host!r} contains invalid character {bad[0]!r}")
    return host


def _normalise_host(host: str) -> str:
    _check_host(host)
    if host.startswith("["):
        address, percent, zone = host[1:-1].partition("%")
        if not percent:
            return host.lower()
        if zone.startswith("25") and zone != "25":
            zone = zone[2:]
        zone = _PERCENT.sub(partial(_unescape_host, host=host, keep=frozenset()), zone)
        return f"[{address.lower()}%{_quote(zone, _UNRESERVED)}]"
    if _IPV4ISH.fullmatch(host):
        return host
    host = _PERCENT.sub(partial(_unescape_host, host=host, keep=_UNRESERVED), host)
    return ".".join(_idna_label(label) for label in host.split("."))


def _unescape_host(match: re.Match[str], host: str, keep: frozenset[str]) -> str:
    char = chr(int(match[0][1:], 16))
    if char < " " or char == "\x7f":
        raise _unparsable(
            f"Host {host!r} contains invalid percent-encoded control character {match[0]!r}"
        )
    return char if char in keep else match[0].upper()


def _idna_label(label: str) -> str:
    if label.isascii():
        return _PERCENT.sub(lambda match: match[0].upper(), label.lower())
    try:
        return _to_idna(label.lower())
    except UnicodeError:
        raise _unparsable(f"Name '{label}' is not a valid IDNA label") from None


def _to_idna(name: str, uts46: bool = False) -> str:
    """Encode a host name or label to ASCII (IDNA 2008 with the `idna` package, when installed).

    Without `idna`, Python's IDNA 2003 codec is used. Raises `UnicodeError` for invalid names.
    `uts46` applies the UTS #46 mapping first (upper case, full-width forms).

    ```python
    assert _to_idna("bücher.example") == "xn--bcher-kva.example"
    ```
    """
    try:
        import idna
    except ImportError:
        return name.encode("idna").decode("ascii")
    if uts46:
        return idna.encode(name, uts46=True).decode("ascii")
    return idna.encode(name, strict=True, std3_rules=True).decode("ascii")


def _quote(component: str, safe: frozenset[str]) -> str:
    if "%" not in component and component.isascii() and safe.issuperset(component):
        return component
    # Existing escapes are kept (upper-cased) only when every "%" starts one; otherwise the
    # component was not percent-encoded and each "%" is itself encoded.
    component, escapes = _PERCENT.subn(lambda match: match[0].upper(), component)
    raw = component.encode("utf-8", "surrogatepass")
    keep_percent = escapes == raw.count(b"%")
    return "".join(
        chr(byte) if chr(byte) in safe or (byte == 0x25 and keep_percent) else f"%{byte:02X}"
        for byte in raw
    )


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, taken a segment at a time.
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            kept[-1:] = []
        elif segment != ".":
            kept.append(segment)
    if path.startswith("/") and kept[:1] != [""]:
        kept.insert(0, "")
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/".join(kept)


class RequestEncodingMixin:
    """Encoding helpers shared by requests' request classes: `path_url`, params and files."""

    url: str | None

    @property
    def path_url(self) -> str:
        """The path and query to send in the request line: `/` when the path is empty."""
        parts = urlsplit(self.url or "")
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path

    @staticmethod
    def _encode_params(data: Any) -> Any:
        """Form-encode a dict or list of pairs (list values repeat a key); else return as is."""
        if isinstance(data, str | bytes) or is_readable(data):
            return data
        if not hasattr(data, "__iter__"):
            return data
        pairs: list[tuple[Any, Any]] = []
        for key, values in to_key_val_list(data):
            if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
                values = [values]
            pairs += [(_utf8(key), _utf8(value)) for value in values if value is not None]
        return urlencode(pairs, doseq=True)

    @staticmethod
    def _encode_files(files: Any, data: Any) -> tuple[BodyStream, str]:
        """Build the multipart body for `files=` and `data=`: `(body, content_type)`."""
        body = encode_files(files, data)
        return body, body.content_type


def _utf8(value: Any) -> Any:
    return value.encode("utf-8") if isinstance(value, str) else value


class RequestHooksMixin:
    """Hook registration shared by `Request` and `PreparedRequest`."""

    hooks: dict[str, list[HookType]]

    def register_hook(self, event: str, hook: HookType | Iterable[HookType]) -> None:
        """Add a hook (or each callable of an iterable of hooks) for `event`."""
        if event not in self.hooks:
            raise ValueError(f'Unsupported event specified, with event name "{event}"')
        if callable(hook):
            self.hooks[event].append(hook)
        elif hasattr(hook, "__iter__"):
            self.hooks[event].extend(each for each in hook if callable(each))

    def deregister_hook(self, event: str, hook: HookType) -> bool:
        """Remove a hook; return whether it was registered."""
        try:
            self.hooks[event].remove(hook)
        except ValueError:
            return False
        return True


class Request(RequestHooksMixin):
    """A request as the user describes it; `prepare()` turns it into a `PreparedRequest`.

    Arguments: `method`, `url`, `headers`, `files` (multipart uploads), `data` (form fields,
    text, bytes, a file or an iterable), `params` (query parameters), `auth` (a `(user,
    password)` tuple or a callable), `cookies` (a dict or a jar), `hooks`, `json`.

    ```python
    prepared = Request("GET", "https://example.org/", params={"page": 2}).prepare()
    assert prepared.url == "https://example.org/?page=2"
    ```
    """

    def __init__(
        self,
        method: str | None = None,
        url: Any = None,
        headers: Mapping[Any, Any] | None = None,
        files: Any = None,
        data: Any = None,
        params: Any = None,
        auth: AuthType = None,
        cookies: Any = None,
        hooks: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> None:
        self.hooks = default_hooks()
        for event, hook in list((hooks or {}).items()):
            self.register_hook(event=event, hook=hook)
        self.method = method
        self.url = url
        self.headers: Mapping[Any, Any] = {} if headers is None else headers
        self.files = [] if files is None else files
        self.data = [] if data is None else data
        self.json = json
        self.params = {} if params is None else params
        self.auth = auth
        self.cookies = cookies

    def __repr__(self) -> str:
        return f"<Request [{self.method}]>"

    def prepare(self) -> PreparedRequest:
        """Return the `PreparedRequest` for this request."""
        prepared = PreparedRequest()
        prepared.prepare(
            method=self.method,
            url=self.url,
            headers=self.headers,
            files=self.files,
            data=self.data,
            json=self.json,
            params=self.params,
            auth=self.auth,
            cookies=self.cookies,
            hooks=self.hooks,
        )
        return prepared


class PreparedRequest(RequestEncodingMixin, RequestHooksMixin):
    """The request to send: method, normalised URL, headers, body, cookies and hooks.

    Usually made by `Request.prepare()` or a session; every `prepare_*` step can also be
    called on its own, in the order `prepare()` uses.

    ```python
    prepared = PreparedRequest()
    prepared.prepare(method="put", url="https://example.org/item", json={"a": 1})
    assert (prepared.method, prepared.body) == ("PUT", b'{"a": 1}')
    ```
    """

    def __init__(self) -> None:
        self.method: str | None = None
        self.url: str | None = None
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        # The jar the Cookie header came from, kept for redirects.
        self._cookies: CookieJar | None = None
        self.body: Body = None
        self.hooks = default_hooks()
        # Where a file body started: an int, a sentinel object when `tell()` failed, or None.
        self._body_position: int | object | None = None
        self._auth: Any = None

    def prepare(
        self,
        method: str | None = None,
        url: Any = None,
        headers: Mapping[Any, Any] | None = None,
        files: Any = None,
        data: Any = None,
        params: Any = None,
        auth: AuthType = None,
        cookies: Any = None,
        hooks: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> None:
        """Prepare every part; auth comes last so it sees the finished request."""
        self.prepare_method(method)
        self.prepare_url(url, params)
        self.prepare_headers(headers)
        self.prepare_cookies(cookies)
        self.prepare_body(data, files, json)
        self.prepare_auth(auth, url)
        # After auth, which may have registered hooks of its own.
        self.prepare_hooks(hooks)

    def __repr__(self) -> str:
        return f"<PreparedRequest [{self.method}]>"

    def copy(self) -> PreparedRequest:
        """Return a copy with its own headers and cookie jar (body and hooks are shared)."""
        copied = PreparedRequest()
        copied.method = self.method
        copied.url = self.url
        copied.headers = self.headers.copy()
        copied._cookies = _copy_cookie_jar(self._cookies)
        copied.body = self.body
        copied.hooks = self.hooks
        copied._body_position = self._body_position
        copied._auth = self._auth
        return copied

    def prepare_method(self, method: str | bytes | None) -> None:
        """Upper-case the method."""
        self.method = None if method is None else to_native_string(method.upper())

    def prepare_url(self, url: Any, params: Any) -> None:
        """Normalise the URL and merge `params` into its query.

        Raises `MissingSchema`, `InvalidURL` (bad host, port or IDNA label); URLs with a
        non-HTTP scheme (`mailto:`, `localhost:8000`) are kept as given, for the adapter to
        refuse.
        """
        url = url.decode("utf8") if isinstance(url, bytes) else str(url)
        url = url.lstrip()
        if ":" in url and not url.lower().startswith("http"):
            self.url = url
            return
        if isinstance(params, str | bytes):
            params = to_native_string(params)
        encoded = self._encode_params(params) if params is not None else ""
        # Only ASCII URLs are cached: the IDNA encoding of others depends on whether the
        # `idna` package can be imported.
        prepare = _prepare_ascii_url if url.isascii() else _prepare_url
        self.url = prepare(url, encoded)

    def prepare_headers(self, headers: Mapping[Any, Any] | None) -> None:
        """Validate and copy the headers (`InvalidHeader` for CR/LF or leading whitespace).

        Bytes values are kept as text decoded as ISO-8859-1, which encodes back to the same
        bytes on the wire.
        """
        self.headers = CaseInsensitiveDict()
        for name, value in (headers or {}).items():
            check_header_validity((name, value))
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            self.headers[to_native_string(name)] = text

    def prepare_body(self, data: Any, files: Any, json: Any = None) -> None:
        """Encode the body and set `Content-Type` and `Content-Length`/`Transfer-Encoding`.

        Form data (dict, list of pairs) is URL-encoded; str and bytes are sent as given;
        files and (async) iterables stream; `json` is serialised when there is no `data`;
        `files` makes a multipart body.
        """
        body: Any = None
        content_type = None
        if not data and json is not None:
            content_type = "application/json"
            try:
                body = jsonlib.dumps(json, allow_nan=False).encode("utf-8")
            except ValueError as exc:
                raise InvalidJSONError(exc, request=self) from exc
        if _is_stream(data):
            self._prepare_stream(data, files)
            return
        if files:
            body, content_type = self._encode_files(files, data)
        elif data:
            body = self._encode_params(data)
            textual = isinstance(data, str | bytes) or is_readable(data)
            content_type = None if textual else "application/x-www-form-urlencoded"
        self.prepare_content_length(body)
        if content_type and "content-type" not in self.headers:
            self.headers["Content-Type"] = content_type
        self.body = body

    def _prepare_stream(self, data: Any, files: Any) -> None:
        try:
            length: int | None = super_len(data)
        except (TypeError, AttributeError, UnsupportedOperation):
            length = None
        self.body = data
        if getattr(data, "tell", None) is not None:
            try:
                self._body_position = data.tell()
            except OSError:
                # Distinct from None: the body is a file, but rewinding it will fail.
                self._body_position = object()
        if files:
            raise NotImplementedError("Streamed bodies and files are mutually exclusive.")
        if length:
            self.headers["Content-Length"] = str(length)
        else:
            self.headers["Transfer-Encoding"] = "chunked"

    def prepare_content_length(self, body: Any) -> None:
        """Set `Content-Length` from the body; "0" for body-less methods other than GET/HEAD.

        A body of unknown length gets no `Content-Length` (a multipart one of unknown length
        is marked chunked).
        """
        if isinstance(body, BodyStream):
            if body.length is None:
                self.headers["Transfer-Encoding"] = "chunked"
            else:
                self.headers["Content-Length"] = str(body.length)
        elif body is not None:
            length = super_len(body)
            if length:
                self.headers["Content-Length"] = str(length)
        elif self.method not in ("GET", "HEAD") and self.headers.get("Content-Length") is None:
            # RFC 9110 section 8.6: a request that may carry content says it has none.
            self.headers["Content-Length"] = "0"

    def prepare_auth(self, auth: AuthType, url: Any = "") -> None:
        """Apply auth: a `(user, password)` tuple is Basic auth, a callable changes the request.

        Without `auth`, credentials in the URL's userinfo are used.
        """
        if auth is None and "@" in (self.url or ""):
            url_auth = get_auth_from_url(self.url or "")
            auth = url_auth if any(url_auth) else None
        if not auth:
            return
        if isinstance(auth, tuple) and len(auth) == 2:
            handler: Callable[[PreparedRequest], PreparedRequest] = HTTPBasicAuth(*auth)
        else:
            # Tuples of another length fail when called, as in requests.
            handler = auth
        changed = handler(self)
        self.__dict__.update(changed.__dict__)
        # The session drives the handler's auth flow (a Digest challenge, for example).
        self._auth = handler
        self.prepare_content_length(self.body)

    def prepare_cookies(self, cookies: Any) -> None:
        """Build the `Cookie` header from a jar or a dict, unless the header is already set."""
        if isinstance(cookies, CookieJar):
            self._cookies = cookies
        else:
            self._cookies = cookiejar_from_dict(cookies)
        header = get_cookie_header(self._cookies, self)
        if header is not None:
            self.headers["Cookie"] = header

    def prepare_hooks(self, hooks: Mapping[str, Any] | None) -> None:
        """Register each event's hook or hooks."""
        for event, hook in (hooks or {}).items():
            self.register_hook(event, hook)


def _prepare_url(url: str, encoded_params: str) -> str:
    scheme, auth, host, port, path, query, fragment = _parse_url(url)
    if not scheme:
        raise MissingSchema(
            f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?"
        )
    if not host:
        raise InvalidURL(f"Invalid URL {url!r}: No host supplied")
    if not host.isascii():
        try:
            host = _to_idna(host, uts46=True)
        except UnicodeError:
            raise InvalidURL("URL has an invalid label.") from None
    elif host.startswith(("*", ".")):
        raise InvalidURL("URL has an invalid label.")
    netloc = f"{auth}@{host}" if auth else host
    if port:
        netloc += f":{port}"
    if encoded_params:
        query = f"{query}&{encoded_params}" if query else encoded_params
    return requote_uri(urlunsplit((scheme, netloc, path or "/", query, fragment)))


# Programs send many requests to few URLs: normalising each URL once saves a good part of the
# cost of preparing a request. Errors are raised again each time (lru_cache keeps no errors).
_prepare_ascii_url = lru_cache(maxsize=512)(_prepare_url)


def header_bytes(value: str | bytes) -> bytes:
    """A header name or value as sent: ISO-8859-1 (RFC 9110 section 5.5), else UTF-8."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _is_stream(data: Any) -> bool:
    if hasattr(data, "__aiter__"):
        return True
    iterable = isinstance(data, Iterable) or hasattr(data, "__iter__")
    return iterable and not isinstance(data, str | bytes | list | tuple | Mapping)


def rewind_body(prepared_request: PreparedRequest) -> None:
    """Move a file body back to where it started, to send it again (a 307/308 redirect).

    A `BodyStream` seeks its files back. Raises `UnrewindableBodyError` when the body
    cannot seek or its start position is unknown.
    """
    body = prepared_request.body
    if isinstance(body, BodyStream):
        body.rewind()
        return
    position = prepared_request._body_position
    seek = getattr(body, "seek", None)
    if seek is None or not isinstance(position, int):
        raise UnrewindableBodyError("Unable to rewind request body for redirect.")
    try:
        seek(position)
    except OSError as exc:
        raise UnrewindableBodyError(
            "An error occurred when rewinding request body for redirect."
        ) from exc


class ResponseMixin:
    """The I/O-free part of a response: status checks, text and JSON decoding, links, pickling.

    The adapter sets the attributes; `_content` is `None` until the body has been read.

    ```python
    if response.ok and response.is_redirect:
        print(response.headers["location"])
    ```
    """

    __attrs__: ClassVar[list[str]] = [
        "_content",
        "status_code",
        "headers",
        "url",
        "history",
        "encoding",
        "reason",
        "cookies",
        "elapsed",
        "request",
    ]

    status_code: int
    headers: CaseInsensitiveDict[str]
    url: str
    reason: str
    encoding: str | None
    history: list[Any]
    cookies: RequestsCookieJar
    elapsed: timedelta
    request: PreparedRequest
    raw: Any
    _content: bytes | None
    _next: PreparedRequest | None

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"

    def __bool__(self) -> bool:
        """True unless the status is an error (4xx or 5xx); not a check for 200."""
        return self.ok

    def __getstate__(self) -> dict[str, Any]:
        # Through `content`, so that a flavor that reads lazily reads here too (as requests).
        self.content  # noqa: B018
        return {name: getattr(self, name, None) for name in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self.raw = None
        self._next = None

    @property
    def ok(self) -> bool:
        """True unless `raise_for_status()` would raise."""
        try:
            self.raise_for_status()
        except HTTPError:
            return False
        return True

    @property
    def is_redirect(self) -> bool:
        """True for a redirect status with a `Location` header (one a session would follow)."""
        return "location" in self.headers and self.status_code in REDIRECT_STATI

    @property
    def is_permanent_redirect(self) -> bool:
        """True for a 301 or 308 with a `Location` header."""
        return "location" in self.headers and self.status_code in (301, 308)

    @property
    def next(self) -> PreparedRequest | None:
        """The next request of a redirect that was not followed, if any."""
        return self._next

    @property
    def apparent_encoding(self) -> str | None:
        """The body's encoding as detected by charset_normalizer or chardet, when installed."""
        return _detect_encoding(self.content)

    @property
    def content(self) -> bytes:
        """The body in bytes; `ContentNotRead` for a streamed body not yet read."""
        if self._content is None:
            raise ContentNotRead(response=self)
        return self._content

    @property
    def text(self) -> str:
        """The body decoded with `encoding`, else the apparent encoding; undecodable bytes
        become U+FFFD."""
        content = self.content
        if not content:
            return ""
        encoding = self.apparent_encoding if self.encoding is None else self.encoding
        try:
            return str(content, encoding or "utf-8", errors="replace")
        except (LookupError, TypeError):
            # An unknown codec name (LookupError) or a non-str encoding (TypeError).
            return str(content, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """Decode the body as JSON; keywords go to `json.loads`.

        Without a declared encoding, UTF-8, -16 or -32 is detected as RFC 8259 section 8.1
        allows. Raises `requests_async.exceptions.JSONDecodeError`.
        """
        content = self.content
        if not self.encoding and len(content) > 3:
            encoding = guess_json_utf(content)
            if encoding is not None:
                try:
                    return jsonlib.loads(content.decode(encoding), **kwargs)
                except UnicodeDecodeError:
                    # Not the detected UTF after all: decode as `text` does.
                    pass
                except jsonlib.JSONDecodeError as exc:
                    raise JSONDecodeError(exc.msg, exc.doc, exc.pos, response=self) from exc
        try:
            return jsonlib.loads(self.text, **kwargs)
        except jsonlib.JSONDecodeError as exc:
            raise JSONDecodeError(exc.msg, exc.doc, exc.pos, response=self) from exc

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The `Link` header's links, keyed by `rel` (else by URL)."""
        header = self.headers.get("link")
        resolved: dict[str, dict[str, str]] = {}
        for link in parse_header_links(header) if header else []:
            resolved[link.get("rel") or link["url"]] = link
        return resolved

    def raise_for_status(self) -> None:
        """Raise `HTTPError` for a 4xx or 5xx status, naming the status, reason and URL."""
        reason: object = self.reason
        if isinstance(self.reason, bytes):
            # Some servers localise the reason phrase: UTF-8 first, then ISO-8859-1.
            try:
                reason = self.reason.decode("utf-8")
            except UnicodeDecodeError:
                reason = self.reason.decode("iso-8859-1")
        if 400 <= self.status_code < 500:
            kind = "Client"
        elif 500 <= self.status_code < 600:
            kind = "Server"
        else:
            return
        message = f"{self.status_code} {kind} Error: {reason} for url: {self.url}"
        raise HTTPError(message, response=self)


def _detect_encoding(content: bytes) -> str | None:
    """Guess the character encoding of `content`.

    Uses charset_normalizer if installed, else chardet, else a small check: a BOM, then
    ASCII, UTF-8, and ISO-8859-1 for anything else.

    ```python
    assert _detect_encoding("café".encode()) == "utf-8"
    ```
    """
    for name in ("charset_normalizer", "chardet"):
        try:
            detector = importlib.import_module(name)
        except ImportError:
            continue
        encoding: str | None = detector.detect(content)["encoding"]
        return encoding
    return _guess_encoding(content)


_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xef\xbb\xbf", "UTF-8-SIG"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _guess_encoding(content: bytes) -> str:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    for encoding in ("ascii", "utf-8"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "ISO-8859-1"
