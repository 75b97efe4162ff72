"""The I/O-free parts of the transports that need no network: ASGI scopes and messages, WSGI
environs and status lines, canned response bodies, base URLs.

Both flavors of `MockTransport` and `ASGITransport`, and the WSGI transport, build on these.

```python
prepared = PreparedRequest()
prepared.prepare(method="GET", url="http://testserver/items?page=2")
scope = asgi_scope(prepared, root_path="", client=("127.0.0.1", 123), state={})
assert (scope["path"], scope["query_string"]) == ("/items", b"page=2")
```
"""

from __future__ import annotations

import http
import json as jsonlib
import sys
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any, TypeAlias
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from .models import PreparedRequest, header_bytes

Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Message, Receive, Send], Awaitable[None]]
HeaderPairs: TypeAlias = list[tuple[bytes, bytes]]
HeadersArgument: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]] | None

# ASGI 3.0; spec_version 2.4: after the client went away, `send` raises OSError.
ASGI_VERSION = {"version": "3.0", "spec_version": "2.4"}
LIFESPAN_VERSION = {"version": "3.0", "spec_version": "2.0"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


class AppProtocolError(RuntimeError):
    """An ASGI or WSGI application broke its protocol (the message says how).

    ```python
    async def app(scope, receive, send):  # sends a body before the status
        await send({"type": "http.response.body", "body": b"hello"})

    async with requests_async.ASGISession(app, lifespan=False) as session:
        try:
            await session.get("/")
        except requests_async.AppProtocolError as exc:
            print(exc)  # "... sent 'http.response.body' before 'http.response.start'"
    ```
    """


class LifespanFailed(RuntimeError):
    """An ASGI application's lifespan startup or shutdown failed, or it has no lifespan.

    ```python
    async def app(scope, receive, send):  # an app without lifespan support
        raise NotImplementedError(scope["type"])

    try:
        async with requests_async.ASGISession(app, lifespan=True) as session:
            ...
    except requests_async.LifespanFailed as exc:
        print(exc)
    ```
    """


class Target:
    """Where a request goes, split as servers see it: scheme, host, port, path and query."""

    __slots__ = ("host", "port", "query", "raw_path", "scheme")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        self.host = parts.hostname or ""
        self.port = parts.port or _DEFAULT_PORTS.get(self.scheme, 80)
        self.raw_path = (parts.path or "/").encode("ascii")
        self.query = parts.query.encode("ascii")

    @property
    def host_header(self) -> bytes:
        """The Host header value (RFC 9110 section 7.2): the port only when not the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port != _DEFAULT_PORTS.get(self.scheme):
            host = f"{host}:{self.port}"
        # A prepared URL's host is IDNA-encoded already (requests' prepare_url).
        return host.encode("ascii")


def request_headers(request: PreparedRequest, target: Target) -> HeaderPairs:
    """The request's header fields as a server receives them: Host first, names lower-cased."""
    items = request.headers.items()
    headers = [(name.lower().encode("latin-1"), header_bytes(value)) for name, value in items]
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", target.host_header))
    return headers


def asgi_scope(
    request: PreparedRequest,
    *,
    root_path: str,
    client: tuple[str, int],
    state: dict[str, Any],
) -> dict[str, Any]:
    """The ASGI `http` connection scope for a prepared request.

    Arguments: `root_path`, where the app is mounted; `client`, the peer address the app
    sees; `state`, the lifespan state (each request gets a shallow copy, as ASGI requires).
    """
    assert request.url is not None and request.method is not None
    target = Target(request.url)
    return {
        "type": "http",
        "asgi": dict(ASGI_VERSION),
        "http_version": "1.1",
        "method": request.method,
        "scheme": target.scheme,
        "path": unquote(target.raw_path.decode("ascii")),
        "raw_path": target.raw_path,
        "query_string": target.query,
        "root_path": root_path,
        "headers": request_headers(request, target),
        "client": client,
        "server": (target.host, target.port),
        "extensions": {},
        "state": dict(state),
    }


def lifespan_scope(state: dict[str, Any]) -> dict[str, Any]:
    """The ASGI `lifespan` scope; `state` is shared with every later request."""
    return {"type": "lifespan", "asgi": dict(LIFESPAN_VERSION), "state": state}


def message_type(message: object, app: object) -> str:
    """The `type` of a message an ASGI app sent, or AppProtocolError if it is no message."""
    kind = message.get("type") if isinstance(message, Mapping) else None
    if not isinstance(kind, str):
        raise AppProtocolError(f"ASGI app {app!r} sent {message!r}, which is not an ASGI message")
    return kind


def response_start(message: Message, app: object) -> tuple[int, str, HeaderPairs]:
    """Status, reason and headers of an `http.response.start` message, checked."""
    kind = message_type(message, app)
    if kind != "http.response.start":
        raise AppProtocolError(f"ASGI app {app!r} sent {kind!r} before 'http.response.start'")
    status = message.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise AppProtocolError(f"ASGI app {app!r} sent the invalid status {status!r}")
    headers: HeaderPairs = []
    for pair in message.get("headers", ()):
        name, value = _header_pair(pair, app)
        headers.append((name.lower(), value))
    return status, reason_phrase(status), headers


def _header_pair(pair: object, app: object) -> tuple[bytes, bytes]:
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(item, bytes) for item in pair)
    ):
        raise AppProtocolError(
            f"ASGI app {app!r} sent the header {pair!r}: headers are (name, value) byte pairs"
        )
    return pair[0], pair[1]


def response_body(message: Message, app: object) -> tuple[bytes, bool]:
    """Body bytes and `more_body` of an `http.response.body` message, checked."""
    kind = message_type(message, app)
    if kind != "http.response.body":
        raise AppProtocolError(
            f"ASGI app {app!r} sent {kind!r} where 'http.response.body' was expected"
        )
    body = message.get("body", b"")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise AppProtocolError(
            f"ASGI app {app!r} sent a body of type {type(body).__name__}: it must be bytes"
        )
    return bytes(body), bool(message.get("more_body", False))


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status code, or "" for an unregistered one."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def wsgi_environ(
    request: PreparedRequest,
    body: Any,
    *,
    script_name: str,
    remote_addr: str,
    multithread: bool,
) -> dict[str, Any]:
    """The WSGI environ (PEP 3333) for a prepared request; `body` becomes `wsgi.input`.

    The path is percent-decoded to bytes and carried as latin-1 text, the header fields as
    `HTTP_*` variables (repeated fields joined with commas, RFC 9110 section 5.3), except
    Content-Type and Content-Length, which have variables of their own.
    """
    assert request.url is not None and request.method is not None
    target = Target(request.url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": unquote_to_bytes(target.raw_path).decode("latin-1"),
        "QUERY_STRING": target.query.decode("latin-1"),
        "SERVER_NAME": target.host,
        "SERVER_PORT": str(target.port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote_addr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": target.scheme,
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": multithread,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        # The body's end is the input's end, even without a Content-Length (werkzeug's
        # extension, which Flask honours for chunked uploads).
        "wsgi.input_terminated": True,
    }
    for name, value in request_headers(request, target):
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        text = value.decode("latin-1")
        environ[key] = f"{environ[key]},{text}" if key in environ else text
    return environ


def wsgi_status(status: object, app: object) -> tuple[int, str]:
    """Code and reason of a WSGI status line such as `"200 OK"` (PEP 3333)."""
    if isinstance(status, str):
        code, _, reason = status.partition(" ")
        if len(code) == 3 and code.isdigit() and 100 <= int(code) <= 599:
            return int(code), reason.strip()
    raise AppProtocolError(
        f"WSGI app {app!r} gave the status {status!r}: it must be a str such as '200 OK'"
    )


def wsgi_headers(headers: object, app: object) -> HeaderPairs:
    """A WSGI response's header list as byte pairs with lower-case names (PEP 3333)."""
    if not isinstance(headers, list):
        raise AppProtocolError(
            f"WSGI app {app!r} gave headers of type {type(headers).__name__}: "
            "they must be a list of (name, value) str tuples"
        )
    pairs: HeaderPairs = []
    for pair in headers:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(item, str) for item in pair)
        ):
            raise AppProtocolError(
                f"WSGI app {app!r} gave the header {pair!r}: headers are (name, value) str tuples"
            )
        pairs.append((pair[0].lower().encode("latin-1"), pair[1].encode("latin-1")))
    return pairs


def mock_body(
    status_code: int, content: bytes | None, text: str | None, json: Any
) -> tuple[bytes, HeaderPairs]:
    """The body of a canned response and the headers that describe it.

    At most one of `content`, `text` and `json` may be given; text is sent as UTF-8, JSON
    compactly as UTF-8 with `application/json`.
    """
    candidates = (("content", content), ("text", text), ("json", json))
    given = [name for name, value in candidates if value is not None]
    if len(given) > 1:
        raise TypeError(f"give at most one of content, text and json, not {' and '.join(given)}")
    if isinstance(status_code, bool) or not isinstance(status_code, int):
        raise TypeError(f"status_code must be an int, not {type(status_code).__name__}")
    if text is not None:
        return text.encode("utf-8"), [(b"content-type", b"text/plain; charset=utf-8")]
    if json is not None:
        data = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False)
        return data.encode("utf-8"), [(b"content-type", b"application/json")]
    if content is not None and not isinstance(content, bytes):
        raise TypeError(f"content must be bytes, not {type(content).__name__}")
    return content or b"", []


def mock_headers(
    defaults: HeaderPairs, headers: HeadersArgument, length: int | None
) -> HeaderPairs:
    """The header list of a canned response: the caller's fields win over the defaults."""
    items = headers.items() if isinstance(headers, Mapping) else headers or ()
    given = [(name.lower().encode("latin-1"), header_bytes(value)) for name, value in items]
    names = {name for name, _ in given}
    result = [pair for pair in defaults if pair[0] not in names] + given
    if length is not None and not names & {b"content-length", b"transfer-encoding"}:
        result.append((b"content-length", b"%d" % length))
    return result


def join_base_url(base_url: str, url: str) -> str:
    """Resolve `url` against a test client's `base_url`; absolute URLs are kept.

    A relative path is appended to the base URL's path, so `"/items"` against
    `"http://testserver/api"` is `"http://testserver/api/items"`.
    """
    if urlsplit(url).scheme:
        return url
    if url.startswith(("?", "#")) or not url:
        return base_url + url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def describe_wrong_return(handler: object, result: object, expected: str) -> TypeError:
    """The error for a handler that returned something other than a response."""
    close = getattr(result, "close", None)
    if callable(close) and type(result).__name__ == "coroutine":
        # An async handler given to a sync transport: its coroutine never runs.
        close()
        hint = " (an async handler needs the async Session)"
    else:
        hint = ""
    return TypeError(
        f"handler {handler!r} returned {result!r} of type {type(result).__qualname__}{hint}: "
        f"it must return a {expected}"
    )
