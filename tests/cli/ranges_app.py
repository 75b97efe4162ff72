"""An ASGI app serving the test pattern with byte ranges (RFC 9110 section 14), for downloads.

| path | response |
| --- | --- |
| `/file/{n}` | `pattern(n)`; a Range `bytes=a-` or `bytes=a-b` gets a 206 of that part |
| `/whole/{n}` | `pattern(n)`, always 200: the Range header is ignored |
| `/wrong_start/{n}` | a 206 of the whole body whatever was asked |
| `/bad_range/{n}` | a 206 whose Content-Range cannot be read |
| `/encoded_part/{n}` | a 206 of the whole body, gzip-encoded |

A Range starting past the end of `/file/{n}` gets a 416 with `Content-Range: bytes */n`.
Every response has `Accept-Ranges: bytes`; `?filename=NAME` adds
`Content-Disposition: attachment; filename="NAME"`.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import parse_qs

from tests.servers.app import Receive, Scope, Send, pattern, pattern_range

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def _part(scope: Scope, size: int) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """The status, body and range headers answering the request's Range for `size` bytes."""
    match = _RANGE.match(_header(scope, b"range"))
    if match is None:
        return 200, pattern(size), []
    first = int(match[1])
    if first >= size:
        return 416, b"", [(b"content-range", f"bytes */{size}".encode())]
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    content_range = f"bytes {first}-{last}/{size}".encode()
    return 206, pattern_range(first, last + 1), [(b"content-range", content_range)]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve the endpoints of the module docstring; anything else is a 404."""
    kind, _, number = scope["path"].strip("/").partition("/")
    if not number.isdigit():
        kind = "missing"
    size = int(number or 0)
    if kind == "file":
        status, body, headers = _part(scope, size)
    elif kind == "whole":
        status, body, headers = 200, pattern(size), []
    elif kind == "wrong_start":
        status, body = 206, pattern(size)
        headers = [(b"content-range", f"bytes 0-{size - 1}/{size}".encode())]
    elif kind == "bad_range":
        status, body, headers = 206, pattern(size), [(b"content-range", b"pages 1-2")]
    elif kind == "encoded_part":
        status, body = 206, gzip.compress(pattern(size), mtime=0)
        headers = [
            (b"content-range", f"bytes 0-{size - 1}/{size}".encode()),
            (b"content-encoding", b"gzip"),
        ]
    else:
        status, body, headers = 404, b"Not Found", []
    query = parse_qs(scope["query_string"].decode("latin-1"))
    if "filename" in query:
        disposition = f'attachment; filename="{query["filename"][0]}"'
        headers.append((b"content-disposition", disposition.encode("latin-1")))
    headers += [
        (b"accept-ranges", b"bytes"),
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
