"""HTTP/2 without I/O, above the engine: request header blocks, response heads, settings.

`request_headers()` builds the block RFC 9113 section 8.3.1 asks for; `response_head()`
applies the `ProtocolLimits` the engine leaves to us; `new_connection()` starts an engine
(`_h2engine`) with our receive windows.
"""

from __future__ import annotations

import http
from typing import Final

from ._config import ProtocolLimits
from ._exceptions import LimitExceeded
from ._h2engine import Engine
from ._models import Request

# The receive windows: what one stream, and the whole connection, may have in flight toward us
# before the application reads it. They bound the memory a slow reader can be made to hold.
STREAM_WINDOW = 1024 * 1024
CONNECTION_WINDOW = 16 * 1024 * 1024

# RFC 9113 section 8.2.2: header fields that only mean something to one HTTP/1.1 connection.
_CONNECTION_SPECIFIC: Final = frozenset(
    (b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade", b"host")
)


def new_connection(limits: ProtocolLimits) -> Engine:
    """Return a client engine with our receive windows, its preface queued."""
    return Engine(limits, stream_window=STREAM_WINDOW, connection_window=CONNECTION_WINDOW)


def request_headers(request: Request) -> list[tuple[bytes, bytes]]:
    """The header block of `request`: pseudo-headers first, then lower-case fields.

    RFC 9113 section 8.3.1: `:authority` replaces Host; section 8.2.2: connection-specific
    fields (and those a Connection header names) are not sent, and TE only as "trailers".

    ```python
    request_headers(Request("GET", "https://example.com/a"))[:4] == [
        (b":method", b"GET"), (b":authority", b"example.com"),
        (b":scheme", b"https"), (b":path", b"/a")]
    ```
    """
    url = request.url
    authority = url.host_header
    dropped = _CONNECTION_SPECIFIC
    lowered = [(name.lower(), value) for name, value in request.headers]
    for name, value in lowered:
        if name == b"host":
            authority = value
        elif name == b"connection":
            tokens = {token.strip().lower() for token in value.split(b",")}
            dropped = dropped | tokens
    block = [
        (b":method", request.method),
        (b":authority", authority),
        (b":scheme", url.scheme.encode("ascii")),
        (b":path", url.target),
    ]
    for name, value in lowered:
        if name in dropped:
            continue
        if name == b"te" and value.strip().lower() != b"trailers":
            continue
        block.append((name, value))
    return block


def response_head(
    fields: list[tuple[bytes, bytes]], limits: ProtocolLimits
) -> list[tuple[bytes, bytes]]:
    """The fields of a response head, checked against `limits.max_header_count`.

    The size (`max_header_bytes`) is bounded while decoding, as SETTINGS_MAX_HEADER_LIST_SIZE.
    """
    if len(fields) > limits.max_header_count:
        raise LimitExceeded(f"more than max_header_count ({limits.max_header_count}) headers")
    return fields


def reason_phrase(status_code: int) -> str:
    """HTTP/2 carries no reason phrase (RFC 9113 section 8.3.2): give the standard one."""
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return ""
