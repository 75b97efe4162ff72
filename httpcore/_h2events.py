"""What the HTTP/2 engine (`_h2engine`) reports from received frames: one light class each.

Stream events carry the `stream_id` they belong to; the others concern the whole connection.

```python
event = DataReceived(1, b"hello", 5)
(event.stream_id, event.data, event.flow_controlled_length) == (1, b"hello", 5)
```
"""

from __future__ import annotations

from ._exceptions import HTTPCoreError


class StreamEvent:
    """An event for one stream."""

    __slots__ = ("stream_id",)

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id


class ResponseReceived(StreamEvent):
    """The final response head: its status code and header fields (pseudo-headers removed)."""

    __slots__ = ("headers", "status_code")

    def __init__(self, stream_id: int, status_code: int, headers: list[tuple[bytes, bytes]]):
        self.stream_id = stream_id
        self.status_code = status_code
        self.headers = headers


class InformationalResponseReceived(ResponseReceived):
    """An interim (1xx) response head, before the final one (RFC 9113 section 8.1)."""

    __slots__ = ()


class DataReceived(StreamEvent):
    """Body data; `flow_controlled_length` (padding included) is what to acknowledge."""

    __slots__ = ("data", "flow_controlled_length")

    def __init__(self, stream_id: int, data: bytes, flow_controlled_length: int) -> None:
        self.stream_id = stream_id
        self.data = data
        self.flow_controlled_length = flow_controlled_length


class TrailersReceived(StreamEvent):
    """The trailer fields after the body (RFC 9113 section 8.1)."""

    __slots__ = ("headers",)

    def __init__(self, stream_id: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.stream_id = stream_id
        self.headers = headers


class StreamEnded(StreamEvent):
    """The server finished its side of the stream (END_STREAM)."""

    __slots__ = ()


class StreamReset(StreamEvent):
    """The stream is over before its end: reset by the server, or by us for `error`.

    `error` is set when the engine found the server's frames for this stream at fault
    (RFC 9113 section 5.4.2) and reset it itself with `error_code`.
    """

    __slots__ = ("error", "error_code")

    def __init__(self, stream_id: int, error_code: int, error: HTTPCoreError | None = None):
        self.stream_id = stream_id
        self.error_code = error_code
        self.error = error


class WindowUpdated:
    """The server opened a send window (WINDOW_UPDATE): blocked uploads may go on."""

    __slots__ = ()


class SettingsChanged:
    """The server's SETTINGS were received and applied."""

    __slots__ = ()


class ConnectionTerminated:
    """GOAWAY: streams above `last_stream_id` were not processed (RFC 9113 section 6.8)."""

    __slots__ = ("additional_data", "error_code", "last_stream_id")

    def __init__(self, error_code: int, last_stream_id: int, additional_data: bytes) -> None:
        self.error_code = error_code
        self.last_stream_id = last_stream_id
        self.additional_data = additional_data


Event = StreamEvent | WindowUpdated | SettingsChanged | ConnectionTerminated
