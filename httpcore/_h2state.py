"""The state of one HTTP/2 client connection: its streams, windows, settings and output.

`ConnectionState` is the engine (`_h2engine.Engine`) less the frame parsing: what requests
send (HEADERS, DATA, RST_STREAM), the flow-control windows both ways (RFC 9113 section 6.9),
the stream states of section 5.1, and the errors of section 5.4, queued as frames for
`data_to_send()`.

```python
state = ConnectionState(ProtocolLimits(), stream_window=1 << 20, connection_window=1 << 24)
state.send_headers(state.next_stream_id, [(b":method", b"GET")], end_stream=True)
(state.open_streams, state.next_stream_id) == (1, 3)
```
"""

from __future__ import annotations

from typing import Final

from ._config import ProtocolLimits
from ._exceptions import HTTPCoreError, LimitExceeded, RemoteProtocolError, RequestNotProcessed
from ._h2events import Event, StreamEnded, StreamReset
from ._h2frames import (
    DEFAULT_HEADER_TABLE_SIZE,
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_WINDOW,
    LARGEST_MAX_FRAME_SIZE,
    MAX_WINDOW,
    PREFACE,
    SETTINGS_ENABLE_PUSH,
    SETTINGS_HEADER_TABLE_SIZE,
    SETTINGS_INITIAL_WINDOW_SIZE,
    SETTINGS_MAX_CONCURRENT_STREAMS,
    SETTINGS_MAX_FRAME_SIZE,
    SETTINGS_MAX_HEADER_LIST_SIZE,
    ErrorCode,
    data_frames,
    goaway_frame,
    header_frames,
    rst_stream_frame,
    settings_frame,
    window_update_frame,
)
from ._hpack import Decoder
from ._hpack_encoder import Encoder

# How a stream ended, remembered for the frames that may still arrive (RFC 9113 section 5.1).
ENDED: Final = 0  # both sides sent END_STREAM
RESET_BY_US: Final = 1
RESET_BY_PEER: Final = 2
REFUSED: Final = 3  # above a GOAWAY's last_stream_id: never processed
# Closed streams remembered; frames for a stream forgotten since are ignored.
_CLOSED_KEPT: Final = 1024
# Acknowledgements (PING, SETTINGS) queued and not yet taken by data_to_send(): a peer that
# sends more without reading ours is flooding us (RFC 9113 section 10.5).
MAX_PENDING_ACKS: Final = 1000
_UNLIMITED: Final = 2**32


class Stream:
    """What the engine knows of one open stream."""

    __slots__ = (
        "consumed",
        "expected_length",
        "informational",
        "is_head",
        "local_ended",
        "recv_window",
        "remote_ended",
        "responded",
        "send_window",
    )

    def __init__(self, send_window: int, recv_window: int, is_head: bool) -> None:
        self.send_window = send_window
        self.recv_window = recv_window
        # Data the application consumed and we have not yet handed back (WINDOW_UPDATE).
        self.consumed = 0
        self.is_head = is_head
        self.responded = False
        self.informational = 0
        self.expected_length: int | None = None
        self.local_ended = False
        self.remote_ended = False


class ConnectionState:
    """The streams, windows and settings of one connection (see the module doc)."""

    def __init__(
        self, limits: ProtocolLimits, *, stream_window: int, connection_window: int
    ) -> None:
        self._limits = limits
        self._stream_window = stream_window
        self._connection_window = connection_window
        self._decoder = Decoder(DEFAULT_HEADER_TABLE_SIZE, limits.max_header_bytes)
        self._encoder = Encoder()
        # RFC 9113 section 6.5.2: no push, our stream window, and our header list bound.
        settings = [
            (SETTINGS_ENABLE_PUSH, 0),
            (SETTINGS_INITIAL_WINDOW_SIZE, stream_window),
            (SETTINGS_MAX_HEADER_LIST_SIZE, limits.max_header_bytes),
        ]
        self._out: list[bytes] = [PREFACE, settings_frame(settings)]
        if connection_window > DEFAULT_WINDOW:
            # RFC 9113 section 6.9.2: SETTINGS cannot change the connection window.
            self._out.append(window_update_frame(0, connection_window - DEFAULT_WINDOW))
        self._buffer = b""
        self._streams: dict[int, Stream] = {}
        self._closed: dict[int, int] = {}
        self._pending_acks = 0
        self._failed = False
        # A header block still awaiting CONTINUATION frames: stream, fragments, size so far.
        self._block_stream = 0
        self._block: list[bytes] = []
        self._block_size = 0
        self._block_end_stream = False
        # A header block (compressed) is refused early past this (a CONTINUATION flood).
        self._max_block_size = limits.max_header_bytes + DEFAULT_MAX_FRAME_SIZE
        self.highest_outbound_stream_id = 0
        self.settings_received = False
        # The server's settings (RFC 9113 section 6.5.2), as they stand.
        self.max_concurrent_streams = _UNLIMITED
        self.max_outbound_frame_size = DEFAULT_MAX_FRAME_SIZE
        self.max_header_list_size = _UNLIMITED
        self.initial_send_window = DEFAULT_WINDOW
        self.send_window = DEFAULT_WINDOW
        self._recv_window = max(connection_window, DEFAULT_WINDOW)
        self._consumed = 0
        self.goaway: tuple[int, int] | None = None

    @property
    def next_stream_id(self) -> int:
        """The identifier of the next stream to open: odd, increasing (RFC 9113 5.1.1)."""
        return (self.highest_outbound_stream_id + 1) | 1

    @property
    def open_streams(self) -> int:
        """The streams open or half-closed: they count toward SETTINGS_MAX_CONCURRENT_STREAMS."""
        return len(self._streams)

    def send_headers(
        self, stream_id: int, headers: list[tuple[bytes, bytes]], *, end_stream: bool
    ) -> None:
        """Open stream `stream_id` (`next_stream_id`) with a request header block."""
        if len(self._streams) >= self.max_concurrent_streams:
            raise RequestNotProcessed(
                f"no stream free on this connection (the server allows "
                f"{self.max_concurrent_streams} at once)"
            )
        block = self._encoder.encode(headers)
        self._out.append(header_frames(stream_id, block, end_stream, self.max_outbound_frame_size))
        is_head = (b":method", b"HEAD") in headers
        stream = Stream(self.initial_send_window, self._stream_window, is_head)
        self._streams[stream_id] = stream
        self.highest_outbound_stream_id = stream_id
        if end_stream:
            stream.local_ended = True

    def local_flow_control_window(self, stream_id: int) -> int:
        """How much body `stream_id` may send now (RFC 9113 section 6.9); 0 once it closed."""
        stream = self._streams.get(stream_id)
        if stream is None:
            return 0
        return min(self.send_window, stream.send_window)

    def send_data(self, stream_id: int, data: bytes | memoryview, *, end_stream: bool) -> None:
        """Queue `data` (within `local_flow_control_window()`) as DATA frames."""
        stream = self._streams[stream_id]
        size = len(data)
        stream.send_window -= size
        self.send_window -= size
        self._out.append(data_frames(stream_id, data, end_stream, self.max_outbound_frame_size))
        if end_stream:
            stream.local_ended = True
            if stream.remote_ended:
                self._close(stream_id, ENDED)

    def reset_stream(self, stream_id: int, error_code: int) -> None:
        """End an open stream with RST_STREAM (RFC 9113 section 6.4); closed ones are left."""
        if stream_id in self._streams:
            self._out.append(rst_stream_frame(stream_id, error_code))
            self._close(stream_id, RESET_BY_US)

    def acknowledge_received_data(self, size: int, stream_id: int) -> None:
        """Hand `size` consumed bytes back to the server's windows (RFC 9113 section 6.9).

        Updates go out once half a window is consumed: one frame per many DATA frames.
        """
        self._consumed += size
        if self._consumed >= self._connection_window // 2:
            self._out.append(window_update_frame(0, self._consumed))
            self._recv_window += self._consumed
            self._consumed = 0
        stream = self._streams.get(stream_id)
        if stream is not None and not stream.remote_ended:
            stream.consumed += size
            if stream.consumed >= self._stream_window // 2:
                self._out.append(window_update_frame(stream_id, stream.consumed))
                stream.recv_window += stream.consumed
                stream.consumed = 0

    @property
    def has_output(self) -> bool:
        """Whether frames are queued for `data_to_send()`."""
        return bool(self._out)

    def data_to_send(self) -> bytes:
        """Everything queued to be written, in order; empty when there is nothing."""
        out = self._out
        if not out:
            return b""
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        self._pending_acks = 0
        return data

    def _apply_setting(self, ident: int, value: int) -> int:
        """Apply one of the server's settings; return its change to the stream windows."""
        if ident == SETTINGS_INITIAL_WINDOW_SIZE:
            if value > MAX_WINDOW:
                raise self._error(ErrorCode.FLOW_CONTROL_ERROR, f"INITIAL_WINDOW_SIZE {value}")
            delta = value - self.initial_send_window
            self.initial_send_window = value
            return delta
        if ident == SETTINGS_MAX_CONCURRENT_STREAMS:
            self.max_concurrent_streams = value
        elif ident == SETTINGS_MAX_FRAME_SIZE:
            if not DEFAULT_MAX_FRAME_SIZE <= value <= LARGEST_MAX_FRAME_SIZE:
                raise self._error(ErrorCode.PROTOCOL_ERROR, f"MAX_FRAME_SIZE {value}")
            self.max_outbound_frame_size = value
        elif ident == SETTINGS_HEADER_TABLE_SIZE:
            # Our encoder may use less than the server allows, never more (RFC 7541 4.2).
            self._encoder.set_max_table_size(min(value, DEFAULT_HEADER_TABLE_SIZE))
        elif ident == SETTINGS_MAX_HEADER_LIST_SIZE:
            self.max_header_list_size = value
        elif ident == SETTINGS_ENABLE_PUSH and value:
            # RFC 9113 section 6.5.2: a server never enables push.
            raise self._error(ErrorCode.PROTOCOL_ERROR, f"ENABLE_PUSH {value} from a server")
        # RFC 9113 section 6.5.2: unknown settings are ignored.
        return 0

    def _acknowledge(self, ack: bytes) -> None:
        self._pending_acks += 1
        if self._pending_acks > MAX_PENDING_ACKS:
            message = f"over {MAX_PENDING_ACKS} PING or SETTINGS frames, our answers unread"
            raise self._error(ErrorCode.ENHANCE_YOUR_CALM, message, LimitExceeded)
        self._out.append(ack)

    def _on_closed(self, stream_id: int, kind: str) -> None:
        """A frame for a stream not open: RFC 9113 section 5.1 says what it means.

        `kind` names a DATA or HEADERS frame; others (WINDOW_UPDATE, RST_STREAM) may
        arrive shortly after a stream closes, and are ignored on any stream ever opened.
        """
        if not stream_id & 1 or stream_id > self.highest_outbound_stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, f"a frame on idle stream {stream_id}")
        how = self._closed.get(stream_id)
        if not kind or how is None or how in (RESET_BY_US, REFUSED):
            # Sent before the server saw our reset, or our GOAWAY-refused streams: dropped.
            return
        if how == ENDED:
            raise self._error(ErrorCode.STREAM_CLOSED, f"{kind} on stream {stream_id}, ended")
        # Reset by the server: a stream error (section 5.1, "closed").
        self._out.append(rst_stream_frame(stream_id, ErrorCode.STREAM_CLOSED))

    def _remote_end(self, stream_id: int, stream: Stream, events: list[Event]) -> None:
        if stream.expected_length:
            error = RemoteProtocolError(
                f"the body ended {stream.expected_length} bytes short of its content-length"
            )
            self._stream_error(stream_id, ErrorCode.PROTOCOL_ERROR, error, events)
            return
        stream.remote_ended = True
        events.append(StreamEnded(stream_id))
        if stream.local_ended:
            self._close(stream_id, ENDED)

    def _close(self, stream_id: int, how: int) -> None:
        del self._streams[stream_id]
        closed = self._closed
        closed[stream_id] = how
        if len(closed) > _CLOSED_KEPT:
            del closed[next(iter(closed))]

    def _stream_error(
        self, stream_id: int, code: int, error: HTTPCoreError, events: list[Event]
    ) -> None:
        """RFC 9113 section 5.4.2: reset the stream, and tell its reader why."""
        self.reset_stream(stream_id, code)
        events.append(StreamReset(stream_id, code, error))

    def _error(
        self, code: int, message: str, error: type[RemoteProtocolError] = RemoteProtocolError
    ) -> RemoteProtocolError:
        """RFC 9113 section 5.4.1: queue GOAWAY; return the error to raise."""
        self._failed = True
        self._out.append(goaway_frame(0, code, message.encode()))
        return error(f"{message} ({ErrorCode(code).name})")
