"""An HTTP/2 client engine without I/O (RFC 9113): bytes in, events out; requests in, bytes out.

`receive_data()` parses every complete frame of what the socket gave, applies it to the
connection and stream state, and returns the events (`_h2events`); what the engine has to
say in return (SETTINGS and PING acknowledgements, window updates, resets) is queued with the
requests' frames for `data_to_send()`.

A connection error (RFC 9113 section 5.4.1) queues GOAWAY and raises `RemoteProtocolError`
(`LimitExceeded` for a peer that floods us); a stream error (section 5.4.2) resets the stream
and reports it as `StreamReset` with the error attached, leaving its siblings alone.

```python
engine = Engine(httpcore.ProtocolLimits(), stream_window=1 << 20, connection_window=1 << 24)
request = [(b":method", b"GET"), (b":authority", b"example.com"),
           (b":scheme", b"https"), (b":path", b"/")]
engine.send_headers(engine.next_stream_id, request, end_stream=True)
to_write = engine.data_to_send()  # the preface, our SETTINGS, then the request
events = engine.receive_data(bytes.fromhex("000000040000000000"))  # the server's SETTINGS
[type(event).__name__ for event in events] == ["SettingsChanged"]
```
"""

from __future__ import annotations

from ._exceptions import HTTPCoreError, LimitExceeded, RemoteProtocolError
from ._h2events import (
    ConnectionTerminated,
    DataReceived,
    Event,
    InformationalResponseReceived,
    ResponseReceived,
    SettingsChanged,
    StreamReset,
    TrailersReceived,
    WindowUpdated,
)
from ._h2frames import (
    CONTINUATION,
    DATA,
    DEFAULT_MAX_FRAME_SIZE,
    FLAG_ACK,
    FLAG_END_HEADERS,
    FLAG_END_STREAM,
    FLAG_PADDED,
    FLAG_PRIORITY,
    FRAME_HEADER,
    GOAWAY,
    HEADERS,
    MAX_WINDOW,
    PING,
    PRIORITY,
    RST_STREAM,
    SETTING,
    SETTINGS,
    STREAM_ID_MASK,
    WINDOW_UPDATE,
    ErrorCode,
    frame,
)
from ._h2headers import response_fields, trailer_fields
from ._h2state import REFUSED, RESET_BY_PEER, ConnectionState, Stream
from ._hpack import HeaderListTooLarge, HPACKError

__all__ = ["Engine"]


class Engine(ConnectionState):
    """The client side of one HTTP/2 connection (see the module doc)."""

    def receive_data(self, data: bytes) -> list[Event]:
        """Parse every complete frame in what was received so far; return their events."""
        if self._failed:
            raise RemoteProtocolError("the connection has already failed")
        buffer = self._buffer + data if self._buffer else data
        events: list[Event] = []
        end = len(buffer)
        pos = 0
        unpack = FRAME_HEADER.unpack_from
        while end - pos >= 9:
            high, low, frame_type, flags, stream_id = unpack(buffer, pos)
            length = high << 8 | low
            if length > DEFAULT_MAX_FRAME_SIZE:
                # RFC 9113 section 4.2: above our SETTINGS_MAX_FRAME_SIZE (the default).
                raise self._error(ErrorCode.FRAME_SIZE_ERROR, f"a frame of {length} bytes")
            stop = pos + 9 + length
            if stop > end:
                break
            payload = buffer[pos + 9 : stop]
            pos = stop
            stream_id &= STREAM_ID_MASK
            if self._block_stream or not self.settings_received:
                self._check_sequence(frame_type, flags, stream_id)
            if frame_type == DATA:
                self._on_data(flags, stream_id, payload, events)
            elif frame_type == HEADERS:
                self._on_headers(flags, stream_id, payload, events)
            elif frame_type <= CONTINUATION:
                self._on_control(frame_type, flags, stream_id, payload, events)
            # RFC 9113 section 5.5: frames of unknown types are ignored.
        self._buffer = buffer[pos:]
        return events

    def _check_sequence(self, frame_type: int, flags: int, stream_id: int) -> None:
        if not self.settings_received and (frame_type != SETTINGS or flags & FLAG_ACK):
            # RFC 9113 section 3.4: the server's preface is a SETTINGS frame.
            raise self._error(ErrorCode.PROTOCOL_ERROR, "the server's first frame is not SETTINGS")
        if self._block_stream and (frame_type != CONTINUATION or stream_id != self._block_stream):
            # RFC 9113 section 6.10: a header block is contiguous, frames on one stream.
            raise self._error(ErrorCode.PROTOCOL_ERROR, "a header block interrupted")

    def _on_control(
        self, frame_type: int, flags: int, stream_id: int, payload: bytes, events: list[Event]
    ) -> None:
        if frame_type == WINDOW_UPDATE:
            self._on_window_update(stream_id, payload, events)
        elif frame_type == SETTINGS:
            self._on_settings(flags, stream_id, payload, events)
        elif frame_type == PING:
            self._on_ping(flags, stream_id, payload)
        elif frame_type == RST_STREAM:
            self._on_rst_stream(stream_id, payload, events)
        elif frame_type == GOAWAY:
            self._on_goaway(stream_id, payload, events)
        elif frame_type == CONTINUATION:
            self._on_continuation(flags, stream_id, payload, events)
        elif frame_type == PRIORITY:
            self._on_priority(stream_id, payload, events)
        else:
            # RFC 9113 section 8.4: we sent SETTINGS_ENABLE_PUSH = 0.
            raise self._error(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE, with push disabled")

    def _on_data(self, flags: int, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if not stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "DATA on stream 0")
        size = len(payload)
        data = self._unpad(payload, 0) if flags & FLAG_PADDED else payload
        if size > self._recv_window:
            raise self._error(ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the connection window")
        self._recv_window -= size
        stream = self._streams.get(stream_id)
        if stream is None:
            self._on_closed(stream_id, "DATA")
            self.acknowledge_received_data(size, stream_id)
            return
        error = _data_error(stream, size, len(data))
        if error:
            self._stream_error(stream_id, error[0], error[1], events)
            # Dropped, yet counted against the connection window (RFC 9113 section 6.9).
            self.acknowledge_received_data(size, stream_id)
            return
        stream.recv_window -= size
        if stream.expected_length is not None:
            stream.expected_length -= len(data)
        if data:
            events.append(DataReceived(stream_id, data, size))
        elif size:
            # Padding alone: nothing for the application to consume.
            self.acknowledge_received_data(size, stream_id)
        if flags & FLAG_END_STREAM:
            self._remote_end(stream_id, stream, events)

    def _unpad(self, payload: bytes, skip: int) -> bytes:
        # RFC 9113 sections 6.1 and 6.2: Pad Length, then `skip` bytes of fields, then the
        # content; padding that leaves no room for the rest is a connection error.
        if not payload or len(payload) < 1 + skip + payload[0]:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "padding longer than the frame")
        return payload[1 + skip : len(payload) - payload[0]]

    def _on_headers(self, flags: int, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if stream_id not in self._streams and (
            not stream_id & 1 or stream_id > self.highest_outbound_stream_id
        ):
            # RFC 9113 section 5.1.1: a server opens streams only by PUSH_PROMISE.
            raise self._error(ErrorCode.PROTOCOL_ERROR, f"HEADERS on stream {stream_id}")
        skip = 5 if flags & FLAG_PRIORITY else 0
        if flags & FLAG_PADDED:
            fragment = self._unpad(payload, skip)
        elif len(payload) < skip:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "HEADERS too short for its priority")
        else:
            fragment = payload[skip:]
        end_stream = bool(flags & FLAG_END_STREAM)
        if flags & FLAG_END_HEADERS:
            self._on_block(stream_id, fragment, end_stream, events)
        else:
            self._block_stream = stream_id
            self._block = [fragment]
            self._block_size = len(payload) + 9
            self._block_end_stream = end_stream

    def _on_continuation(
        self, flags: int, stream_id: int, payload: bytes, events: list[Event]
    ) -> None:
        if not self._block_stream:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "CONTINUATION without HEADERS")
        self._block.append(payload)
        # Frame headers count too, so that empty CONTINUATION frames cannot go on forever.
        self._block_size += len(payload) + 9
        if self._block_size > self._max_block_size:
            raise self._error(
                ErrorCode.ENHANCE_YOUR_CALM,
                f"a header block over {self._max_block_size} bytes",
                LimitExceeded,
            )
        if flags & FLAG_END_HEADERS:
            block = b"".join(self._block)
            self._block_stream = 0
            self._block = []
            self._on_block(stream_id, block, self._block_end_stream, events)

    def _on_block(
        self, stream_id: int, block: bytes, end_stream: bool, events: list[Event]
    ) -> None:
        try:
            # Decoded even for a stream closed meanwhile: the HPACK tables must stay in step.
            headers = self._decoder.decode(block)
        except HeaderListTooLarge as exc:
            limit = self._limits.max_header_bytes
            message = f"response headers over max_header_bytes ({limit}): {exc}"
            raise self._error(ErrorCode.ENHANCE_YOUR_CALM, message, LimitExceeded) from exc
        except HPACKError as exc:
            raise self._error(ErrorCode.COMPRESSION_ERROR, f"bad header block: {exc}") from exc
        stream = self._streams.get(stream_id)
        if stream is None:
            self._on_closed(stream_id, "HEADERS")
            return
        if stream.remote_ended:
            # RFC 9113 section 5.1, "half-closed (remote)".
            error = RemoteProtocolError("HEADERS after the end of the stream")
            self._stream_error(stream_id, ErrorCode.STREAM_CLOSED, error, events)
            return
        try:
            event = self._head_event(stream_id, stream, headers, end_stream)
        except LimitExceeded as exc:
            self._stream_error(stream_id, ErrorCode.CANCEL, exc, events)
            return
        except RemoteProtocolError as exc:
            # RFC 9113 section 8.1.1: a malformed response is a stream error.
            self._stream_error(stream_id, ErrorCode.PROTOCOL_ERROR, exc, events)
            return
        events.append(event)
        if end_stream:
            self._remote_end(stream_id, stream, events)

    def _head_event(
        self, stream_id: int, stream: Stream, headers: list[tuple[bytes, bytes]], end: bool
    ) -> Event:
        if stream.responded:
            # RFC 9113 section 8.1: trailers, which end the stream.
            if not end:
                raise RemoteProtocolError("trailers without END_STREAM")
            return TrailersReceived(stream_id, trailer_fields(headers))
        status, fields, length = response_fields(headers)
        if status < 200:
            if end:
                raise RemoteProtocolError(f"an informational ({status}) response ends the stream")
            stream.informational += 1
            if stream.informational > self._limits.max_informational_responses:
                raise self._limits.too_many_informational()
            return InformationalResponseReceived(stream_id, status, fields)
        stream.responded = True
        # RFC 9110 sections 8.6 and 15.4.5: no body follows for HEAD, 204 or 304.
        if length is not None and not (stream.is_head or status == 204 or status == 304):
            if end and length:
                raise RemoteProtocolError(f"no body, yet content-length {length}")
            stream.expected_length = length
        return ResponseReceived(stream_id, status, fields)

    def _on_window_update(self, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if len(payload) != 4:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "a WINDOW_UPDATE frame not 4 bytes long")
        increment = int.from_bytes(payload, "big") & STREAM_ID_MASK
        if not stream_id:
            if not increment:
                raise self._error(ErrorCode.PROTOCOL_ERROR, "a WINDOW_UPDATE of 0")
            self.send_window += increment
            if self.send_window > MAX_WINDOW:
                raise self._error(ErrorCode.FLOW_CONTROL_ERROR, "the connection window overflows")
        else:
            stream = self._streams.get(stream_id)
            if stream is None:
                # Allowed shortly after a stream closes (RFC 9113 section 5.1).
                self._on_closed(stream_id, "")
                return
            if not increment:
                error = RemoteProtocolError("a WINDOW_UPDATE of 0")
                self._stream_error(stream_id, ErrorCode.PROTOCOL_ERROR, error, events)
                return
            stream.send_window += increment
            if stream.send_window > MAX_WINDOW:
                error = RemoteProtocolError("the stream's window overflows")
                self._stream_error(stream_id, ErrorCode.FLOW_CONTROL_ERROR, error, events)
                return
        if not events or not isinstance(events[-1], WindowUpdated):
            events.append(WindowUpdated())

    def _on_settings(self, flags: int, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream")
        if flags & FLAG_ACK:
            if payload:
                raise self._error(
                    ErrorCode.FRAME_SIZE_ERROR, "a SETTINGS acknowledgement with data"
                )
            return
        if len(payload) % 6:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "a SETTINGS frame of a bad length")
        delta = 0
        for start in range(0, len(payload), 6):
            ident, value = SETTING.unpack_from(payload, start)
            delta += self._apply_setting(ident, value)
        for stream in self._streams.values():
            # RFC 9113 section 6.9.2: the change applies to every open stream's window.
            stream.send_window += delta
            if stream.send_window > MAX_WINDOW:
                raise self._error(ErrorCode.FLOW_CONTROL_ERROR, "a stream's window overflows")
        self.settings_received = True
        self._acknowledge(frame(SETTINGS, FLAG_ACK, 0))
        events.append(SettingsChanged())

    def _on_ping(self, flags: int, stream_id: int, payload: bytes) -> None:
        if len(payload) != 8:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "a PING frame not 8 bytes long")
        if stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "PING on a stream")
        if not flags & FLAG_ACK:
            self._acknowledge(frame(PING, FLAG_ACK, 0, payload))

    def _on_rst_stream(self, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if len(payload) != 4:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "an RST_STREAM frame not 4 bytes long")
        if not stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on stream 0")
        if stream_id not in self._streams:
            self._on_closed(stream_id, "")
            return
        self._close(stream_id, RESET_BY_PEER)
        events.append(StreamReset(stream_id, int.from_bytes(payload, "big")))

    def _on_goaway(self, stream_id: int, payload: bytes, events: list[Event]) -> None:
        if stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "GOAWAY on a stream")
        if len(payload) < 8:
            raise self._error(ErrorCode.FRAME_SIZE_ERROR, "a GOAWAY frame under 8 bytes")
        last = int.from_bytes(payload[:4], "big") & STREAM_ID_MASK
        code = int.from_bytes(payload[4:8], "big")
        if self.goaway is not None:
            # RFC 9113 section 6.8: a later GOAWAY may only lower last_stream_id.
            last = min(last, self.goaway[0])
        self.goaway = (last, code)
        for refused in [sid for sid in self._streams if sid > last]:
            self._close(refused, REFUSED)
        events.append(ConnectionTerminated(code, last, payload[8:]))

    def _on_priority(self, stream_id: int, payload: bytes, events: list[Event]) -> None:
        # RFC 9113 section 5.3.2: priority signals are ignored, but must be well-formed.
        if not stream_id:
            raise self._error(ErrorCode.PROTOCOL_ERROR, "PRIORITY on stream 0")
        if len(payload) != 5 and stream_id in self._streams:
            error = RemoteProtocolError("a PRIORITY frame not 5 bytes long")
            self._stream_error(stream_id, ErrorCode.FRAME_SIZE_ERROR, error, events)


def _data_error(stream: Stream, size: int, length: int) -> tuple[int, HTTPCoreError] | None:
    """Why a DATA frame of `size` (`length` without padding) is a stream error, if it is."""
    if stream.remote_ended:
        # RFC 9113 section 5.1, "half-closed (remote)".
        return ErrorCode.STREAM_CLOSED, RemoteProtocolError("DATA after the end of the stream")
    if not stream.responded:
        # RFC 9113 section 8.1: the response head comes first.
        return ErrorCode.PROTOCOL_ERROR, RemoteProtocolError("DATA before the response head")
    if size > stream.recv_window:
        # RFC 9113 section 6.9.1.
        error = RemoteProtocolError("DATA beyond the stream's flow-control window")
        return ErrorCode.FLOW_CONTROL_ERROR, error
    if stream.expected_length is not None and length > stream.expected_length:
        # RFC 9113 section 8.1.1: a body longer than its content-length is malformed.
        error = RemoteProtocolError("more body than its content-length")
        return ErrorCode.PROTOCOL_ERROR, error
    return None
