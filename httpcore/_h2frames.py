"""HTTP/2 frames without I/O: the wire constants of RFC 9113 and the frames a client sends.

Serialising is a handful of functions, each returning the bytes of one frame (or of a header
block split over HEADERS and CONTINUATION); parsing is done in bulk by the engine
(`_h2engine`), which reads frame headers with `FRAME_HEADER`.

```python
frame(PING, FLAG_ACK, 0, b"12345678") == bytes.fromhex("000008060100000000") + b"12345678"
```
"""

from __future__ import annotations

import enum
import struct
from typing import Final

# RFC 9113 section 3.4: the client connection preface, followed by a SETTINGS frame.
PREFACE: Final = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# RFC 9113 section 4.1: a 24-bit length, type, flags, and a reserved bit with a 31-bit
# stream identifier. The length is read as 16 + 8 bits: one struct call per frame.
FRAME_HEADER: Final = struct.Struct(">HBBBL")
FRAME_HEADER_SIZE: Final = 9
STREAM_ID_MASK: Final = 0x7FFFFFFF
# RFC 9113 section 6.5.1: a setting is a 16-bit identifier and a 32-bit value.
SETTING: Final = struct.Struct(">HL")

# RFC 9113 section 6: frame types.
DATA: Final = 0x0
HEADERS: Final = 0x1
PRIORITY: Final = 0x2
RST_STREAM: Final = 0x3
SETTINGS: Final = 0x4
PUSH_PROMISE: Final = 0x5
PING: Final = 0x6
GOAWAY: Final = 0x7
WINDOW_UPDATE: Final = 0x8
CONTINUATION: Final = 0x9

# Flags (RFC 9113 sections 6.1 to 6.10); ACK shares END_STREAM's bit on SETTINGS and PING.
FLAG_END_STREAM: Final = 0x1
FLAG_ACK: Final = 0x1
FLAG_END_HEADERS: Final = 0x4
FLAG_PADDED: Final = 0x8
FLAG_PRIORITY: Final = 0x20

# RFC 9113 section 6.5.2: setting identifiers.
SETTINGS_HEADER_TABLE_SIZE: Final = 0x1
SETTINGS_ENABLE_PUSH: Final = 0x2
SETTINGS_MAX_CONCURRENT_STREAMS: Final = 0x3
SETTINGS_INITIAL_WINDOW_SIZE: Final = 0x4
SETTINGS_MAX_FRAME_SIZE: Final = 0x5
SETTINGS_MAX_HEADER_LIST_SIZE: Final = 0x6

# RFC 9113 sections 4.2, 6.5.2 and 6.9.1: the bounds on frame sizes and windows.
DEFAULT_MAX_FRAME_SIZE: Final = 16384
LARGEST_MAX_FRAME_SIZE: Final = 2**24 - 1
MAX_WINDOW: Final = 2**31 - 1
DEFAULT_WINDOW: Final = 65535
DEFAULT_HEADER_TABLE_SIZE: Final = 4096


class ErrorCode(enum.IntEnum):
    """RFC 9113 section 7: the error codes of RST_STREAM and GOAWAY."""

    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    FLOW_CONTROL_ERROR = 0x3
    SETTINGS_TIMEOUT = 0x4
    STREAM_CLOSED = 0x5
    FRAME_SIZE_ERROR = 0x6
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    COMPRESSION_ERROR = 0x9
    CONNECT_ERROR = 0xA
    ENHANCE_YOUR_CALM = 0xB
    INADEQUATE_SECURITY = 0xC
    HTTP_1_1_REQUIRED = 0xD


def error_name(code: int) -> str:
    """The RFC 9113 name of an error code, or the number for one it does not define.

    ```python
    error_name(8) == "CANCEL"
    ```
    """
    try:
        return ErrorCode(code).name
    except ValueError:
        return f"error code {code}"


def frame(frame_type: int, flags: int, stream_id: int, payload: bytes = b"") -> bytes:
    """One frame: its 9-byte header, then `payload`.

    ```python
    frame(PING, FLAG_ACK, 0, b"12345678")
    ```
    """
    header = (len(payload) << 48) | (frame_type << 40) | (flags << 32) | stream_id
    return header.to_bytes(FRAME_HEADER_SIZE, "big") + payload


def settings_frame(settings: list[tuple[int, int]]) -> bytes:
    """A SETTINGS frame carrying `settings` as (identifier, value) pairs (RFC 9113 6.5.1)."""
    payload = b"".join(
        ident.to_bytes(2, "big") + value.to_bytes(4, "big") for ident, value in settings
    )
    return frame(SETTINGS, 0, 0, payload)


def window_update_frame(stream_id: int, increment: int) -> bytes:
    """A WINDOW_UPDATE frame for `stream_id` (0: the connection), RFC 9113 section 6.9."""
    return frame(WINDOW_UPDATE, 0, stream_id, increment.to_bytes(4, "big"))


def rst_stream_frame(stream_id: int, code: int) -> bytes:
    """An RST_STREAM frame ending `stream_id` with error `code` (RFC 9113 section 6.4)."""
    return frame(RST_STREAM, 0, stream_id, code.to_bytes(4, "big"))


def goaway_frame(last_stream_id: int, code: int, debug: bytes = b"") -> bytes:
    """A GOAWAY frame (RFC 9113 section 6.8); a client processes no server streams: 0."""
    return frame(GOAWAY, 0, 0, last_stream_id.to_bytes(4, "big") + code.to_bytes(4, "big") + debug)


def header_frames(stream_id: int, block: bytes, end_stream: bool, max_frame_size: int) -> bytes:
    """A header block as one HEADERS frame, then CONTINUATION frames (RFC 9113 section 6.10).

    The peer's SETTINGS_MAX_FRAME_SIZE bounds each frame; END_HEADERS marks the last one.
    """
    flags = FLAG_END_STREAM if end_stream else 0
    if len(block) <= max_frame_size:
        return frame(HEADERS, flags | FLAG_END_HEADERS, stream_id, block)
    pieces = [
        block[start : start + max_frame_size] for start in range(0, len(block), max_frame_size)
    ]
    frames = [frame(HEADERS, flags, stream_id, pieces[0])]
    frames += [frame(CONTINUATION, 0, stream_id, piece) for piece in pieces[1:-1]]
    frames.append(frame(CONTINUATION, FLAG_END_HEADERS, stream_id, pieces[-1]))
    return b"".join(frames)


def data_frames(
    stream_id: int, data: bytes | memoryview, end_stream: bool, max_frame_size: int
) -> bytes:
    """`data` as DATA frames of at most `max_frame_size`, END_STREAM on the last if asked.

    The body is copied once, into the frames: headers and slices are joined together.
    """
    size = len(data)
    parts: list[bytes | memoryview] = []
    for start in range(0, size, max_frame_size):
        stop = min(start + max_frame_size, size)
        flags = FLAG_END_STREAM if end_stream and stop == size else 0
        header = ((stop - start) << 48) | (DATA << 40) | (flags << 32) | stream_id
        parts += (header.to_bytes(FRAME_HEADER_SIZE, "big"), data[start:stop])
    if not parts:
        return frame(DATA, FLAG_END_STREAM if end_stream else 0, stream_id)
    return b"".join(parts)
