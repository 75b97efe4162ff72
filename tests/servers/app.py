"""A plain ASGI application with the endpoints the integration tests talk to.

Every response is deterministic: no dates, no randomness. Endpoints:

| path | response |
| --- | --- |
| `GET /` | 200 `Hello, world` (`text/plain`, with content-length); other methods get 405 |
| `/echo_headers` | JSON `[[name, value], ...]` of the request headers, latin-1 decoded |
| `/echo_body` | the request body streamed back, one chunk per received message (chunked) |
| `/echo_body_length` | JSON `{"length": n, "sha256": hex}` of the request body |
| `/bytes/{n}` | `pattern(n)` with content-length, in 64 KiB messages |
| `/stream/{n}` | `pattern(n)` without content-length (chunked), in 64 KiB messages |
| `/encoded/{codings}` | `ENCODED_BODY` (or `pattern(size)` with `?size=n`) encoded, see `encode` |
| `/status/{code}` | that status, no body; `?body=1` adds one where the status allows it |
| `/close` | 200 with `connection: close`, so the server closes the connection |
| `/client` | `host:port` of the client socket, to prove connection reuse |
| `/hang_headers` | never responds; returns once the client disconnects |
| `/hang_body` | headers and one chunk `partial`, then waits for the client to disconnect |
| `/redirect/{n}` | 302 to `/redirect/{n-1}`; `/redirect/0` is 200 `done` |
| `/drip/{n}` | n bytes `x` with content-length, one every 30 ms, until the client disconnects |
| `/headers_many/{n}` | 200 with n extra headers `x-h-0: 0` ... `x-h-{n-1}: {n-1}` |
| `/client_cert` | JSON `{"name": rfc4514, "chain": [pem]}` of the client certificate, or `null` |
| anything else | 404 |

`/echo_body` answers while the upload is still arriving. A client that writes a whole
body before it reads anything can fill both directions' socket buffers and stall, so keep
echoed bodies under ~256 KiB with such clients and use `/echo_body_length` for big uploads.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import zlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import brotli
import zstandard

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send, str], Awaitable[None]]

HELLO = b"Hello, world"
ENCODED_BODY = HELLO * 1000
CHUNK_SIZE = 64 * 1024
_PERIOD = 251
_BLOCK = bytes(range(_PERIOD))
_NO_BODY_STATUSES = frozenset({204, 205, 304})


def pattern_range(start: int, stop: int) -> bytes:
    """Return bytes `start` to `stop` of the infinite test pattern.

    Byte `i` of the pattern is `i % 251`. The period is prime, so a lost, repeated or
    reordered chunk whose size is a power of two always changes the bytes that follow.

    Args:
        start: offset of the first byte.
        stop: offset just past the last byte.

    Example: `pattern_range(250, 253) == b"\\xfa\\x00\\x01"`
    """
    length = max(stop - start, 0)
    offset = start % _PERIOD
    repeats = (offset + length) // _PERIOD + 1
    return (_BLOCK * repeats)[offset : offset + length]


def pattern(n: int) -> bytes:
    """Return the first `n` bytes of the test pattern (byte `i` is `i % 251`).

    Args:
        n: number of bytes.

    Example: `pattern(3) == b"\\x00\\x01\\x02"`
    """
    return pattern_range(0, n)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


# Each entry: (token for the content-encoding header, encoder).
CODINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "identity": ("identity", lambda data: data),
    "gzip": ("gzip", lambda data: gzip.compress(data, mtime=0)),
    "deflate": ("deflate", zlib.compress),
    "rawdeflate": ("deflate", _raw_deflate),
    "br": ("br", brotli.compress),
    "zstd": ("zstd", lambda data: zstandard.ZstdCompressor().compress(data)),
}


def encode(data: bytes, codings: str) -> tuple[bytes, bytes]:
    """Encode `data` with a comma-separated list of codings, applied left to right.

    RFC 9110 section 8.4 lists content codings in the order they were applied, so the
    header value keeps the order of `codings`. `rawdeflate` is a deflate stream without
    the zlib wrapper, still labelled `deflate`, as some servers send it.

    Args:
        data: the unencoded body.
        codings: names from `CODINGS`, e.g. `"gzip,br"`.

    Returns: `(content-encoding header value, encoded body)`. Raises `KeyError` for an
    unknown coding.

    Example: `encode(b"hi", "gzip,br")[0] == b"gzip, br"`
    """
    tokens = []
    for name in codings.split(","):
        token, encoder = CODINGS[name.strip()]
        tokens.append(token)
        data = encoder(data)
    return ", ".join(tokens).encode("ascii"), data


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope["query_string"].decode("latin-1")))


async def _respond(
    send: Send,
    status: int,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    content_type: bytes = b"text/plain",
) -> None:
    head = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _root(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    if scope["method"] in ("GET", "HEAD"):
        await _respond(send, 200, HELLO)
    else:
        await _respond(send, 405, b"Method Not Allowed", [(b"allow", b"GET, HEAD")])


async def _echo_headers(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    pairs = [[name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]]
    await _respond(send, 200, json.dumps(pairs).encode(), content_type=b"application/json")


async def _echo_body(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    message = await receive()
    headers = [
        (b"content-type", b"application/octet-stream"),
        (b"x-request-method", scope["method"].encode("ascii")),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    while message["type"] == "http.request":
        if message.get("body"):
            await send({"type": "http.response.body", "body": message["body"], "more_body": True})
        if not message.get("more_body", False):
            break
        message = await receive()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _echo_body_length(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    body = await _read_body(receive)
    result = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    await _respond(send, 200, json.dumps(result).encode(), content_type=b"application/json")


async def _send_pattern(send: Send, n: int, headers: list[tuple[bytes, bytes]]) -> None:
    head = [(b"content-type", b"application/octet-stream"), *headers]
    await send({"type": "http.response.start", "status": 200, "headers": head})
    for start in range(0, n, CHUNK_SIZE):
        stop = min(start + CHUNK_SIZE, n)
        chunk = pattern_range(start, stop)
        await send({"type": "http.response.body", "body": chunk, "more_body": stop < n})
    if n == 0:
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _bytes(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await _send_pattern(send, int(arg), [(b"content-length", arg.encode("ascii"))])


async def _stream(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await _send_pattern(send, int(arg), [])


async def _encoded(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    size = _query(scope).get("size", "")
    data = pattern(int(size)) if _is_number(size) else ENCODED_BODY
    try:
        header, body = encode(data, arg)
    except KeyError:
        await _not_found(scope, receive, send, arg)
        return
    await _respond(send, 200, body, [(b"content-encoding", header)])


async def _status(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    code = int(arg)
    if not 200 <= code <= 599:
        # An ASGI server can only send final responses; interim (1xx) ones need raw_server.
        await _respond(send, 400, b"status must be 200-599")
        return
    if code in _NO_BODY_STATUSES:
        # RFC 9110 sections 15.3.5, 15.3.6 and 15.4.5: these responses carry no content.
        head = [] if code != 205 else [(b"content-length", b"0")]
        await send({"type": "http.response.start", "status": code, "headers": head})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    body = f"status {code}".encode() if _query(scope).get("body") == "1" else b""
    await _respond(send, code, body)


async def _close(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await _respond(send, 200, b"closing", [(b"connection", b"close")])


async def _client(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    host, port = scope["client"]
    await _respond(send, 200, f"{host}:{port}".encode())


async def _hang_headers(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await _wait_for_disconnect(receive)


async def _hang_body(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    await _wait_for_disconnect(receive)


async def _drip(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    """`arg` bytes of body, one every 30 ms, until done or the client goes away."""
    size = int(arg)
    headers = [(b"content-length", arg.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for left in range(size - 1, -1, -1):
        try:
            # The request is read: the next message can only be the disconnect.
            await asyncio.wait_for(receive(), 0.03)
        except TimeoutError:
            await send({"type": "http.response.body", "body": b"x", "more_body": left > 0})
        else:
            return


async def _redirect(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    n = int(arg)
    if n == 0:
        await _respond(send, 200, b"done")
    else:
        await _respond(send, 302, headers=[(b"location", f"/redirect/{n - 1}".encode())])


async def _headers_many(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    extra = [(f"x-h-{i}".encode(), str(i).encode()) for i in range(int(arg))]
    await _respond(send, 200, b"ok", extra)


async def _client_cert(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    tls = scope.get("extensions", {}).get("tls")
    info = None
    if tls is not None and tls["client_cert_chain"]:
        info = {"name": tls["client_cert_name"], "chain": tls["client_cert_chain"]}
    await _respond(send, 200, json.dumps(info).encode(), content_type=b"application/json")


async def _not_found(scope: Scope, receive: Receive, send: Send, arg: str) -> None:
    await _respond(send, 404, b"Not Found")


_EXACT: dict[str, Handler] = {
    "/": _root,
    "/echo_headers": _echo_headers,
    "/echo_body": _echo_body,
    "/echo_body_length": _echo_body_length,
    "/close": _close,
    "/client": _client,
    "/hang_headers": _hang_headers,
    "/hang_body": _hang_body,
    "/client_cert": _client_cert,
}

# Prefix routes: the segment after the prefix must be digits unless noted.
_PREFIXED: dict[str, Handler] = {
    "/bytes/": _bytes,
    "/stream/": _stream,
    "/encoded/": _encoded,
    "/status/": _status,
    "/redirect/": _redirect,
    "/drip/": _drip,
    "/headers_many/": _headers_many,
}


def _route(path: str) -> tuple[Handler, str]:
    if path in _EXACT:
        return _EXACT[path], ""
    prefix, _, arg = path.rpartition("/")
    handler = _PREFIXED.get(prefix + "/")
    if handler is None or not arg:
        return _not_found, ""
    if handler is not _encoded and not _is_number(arg):
        return _not_found, ""
    return handler, arg


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve the test endpoints (see the module docstring).

    Args:
        scope: an ASGI `http` scope.
        receive: the ASGI receive callable.
        send: the ASGI send callable.

    Example: `uvicorn.Config(app, http="h11", lifespan="off")`
    """
    if scope["type"] != "http":
        raise RuntimeError(f"unsupported ASGI scope type {scope['type']!r}")
    handler, arg = _route(scope["path"])
    await handler(scope, receive, send, arg)
