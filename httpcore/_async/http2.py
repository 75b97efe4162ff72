"""One HTTP/2 connection: concurrent requests multiplexed as streams over one socket."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Literal

from .._backends.asyncio import AsyncBackend, AsyncStream, iterate_body
from .._config import (
    ProtocolLimits,
    TimeoutConfig,
    capped,
    deadline_after,
    past_deadline,
    time_left,
)
from .._exceptions import (
    ConnectTimeout,
    HTTPCoreError,
    LocalProtocolError,
    RemoteProtocolError,
    RequestNotProcessed,
    RequestTypeError,
    Timeout,
    WriteTimeout,
)
from .._h2 import reason_phrase, request_headers, response_head
from .._h2events import (
    DataReceived,
    InformationalResponseReceived,
    ResponseReceived,
    StreamEnded,
    StreamReset,
)
from .._h2frames import ErrorCode, error_name
from .._models import Origin, Request
from .._trace import NO_INFO
from .http11 import tls_version
from .multiplexer import AsyncMultiplexer, StreamState
from .response import Response

if TYPE_CHECKING:
    from .connection import AsyncTracer

# The most a request body sends per write: bounds the copies made of it.
_WRITE_SIZE = 1024 * 1024
# Used when the server sets no SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 section 6.5.2).
MAX_STREAMS = 1000
# RFC 9113 section 5.1.1: stream identifiers are 31-bit; stop opening streams well before.
_LAST_STREAM_ID = 2**31 - 1 - 2 * MAX_STREAMS
_HEAD_INFO = MappingProxyType({"http_version": "HTTP/2"})


class AsyncHTTP2Connection(AsyncMultiplexer):
    """An HTTP/2 connection to one origin, shared by concurrent requests.

    The pool reserves a stream (`reserve()`) before calling `send()`, and releases it once
    the response is done with; `close_stream()` resets a stream left unfinished.
    """

    multiplexed: ClassVar[Literal[True]] = True

    def __init__(
        self,
        origin: Origin,
        stream: AsyncStream,
        limits: ProtocolLimits,
        backend: AsyncBackend,
        *,
        created_at: float = 0.0,
    ) -> None:
        super().__init__(stream, limits, backend)
        self.origin = origin
        self._reserved = 0
        self.request_count = 0
        self.idle_since = created_at

    def __repr__(self) -> str:
        state = "closed" if self._error else f"streams={self._reserved}"
        return (
            f"<{type(self).__name__} [{state}, requests={self.request_count}] "
            f"{self.origin.scheme}://{self.origin.host}:{self.origin.port}>"
        )

    @property
    def http_version(self) -> str:
        return "HTTP/2"

    @property
    def tls_version(self) -> str | None:
        return tls_version(self._stream)

    # The pool's view (called with the pool's lock held) ------------------------------

    def is_idle(self) -> bool:
        return self._reserved == 0

    def is_stale(self) -> bool:
        """Whether no new stream can be opened: closed, going away, or out of stream ids."""
        return (
            self._error is not None
            or self._goaway is not None
            or self._engine.highest_outbound_stream_id >= _LAST_STREAM_ID
            or self._engine.max_concurrent_streams == 0
        )

    def has_capacity(self) -> bool:
        """Whether one more stream fits within the server's SETTINGS_MAX_CONCURRENT_STREAMS."""
        limit = min(self._engine.max_concurrent_streams, MAX_STREAMS)
        return self._reserved < limit and not self.is_stale()

    def reserve(self) -> None:
        self._reserved += 1

    def release(self) -> None:
        self._reserved -= 1

    # Setup -------------------------------------------------------------------------

    async def handshake(self, timeout: float | None) -> None:
        """Send our preface and wait for the server's SETTINGS (RFC 9113 section 3.4).

        Knowing SETTINGS_MAX_CONCURRENT_STREAMS before sharing the connection keeps the
        pool from opening more streams than the server allows.
        """
        deadline = deadline_after(timeout)
        await self._flush(timeout, wait=True)
        try:
            data = await self._read_bytes(timeout)
            if data.startswith(b"HTTP/"):
                message = "the server answered in HTTP/1: it does not speak HTTP/2"
                self._fail(RemoteProtocolError, message)
                raise self._failure()
            await self._receive(data, timeout)
            while not self._engine.settings_received:
                await self._read_once(time_left(deadline))
        except Timeout as exc:
            raise ConnectTimeout("timed out waiting for the server's HTTP/2 settings") from exc

    # One request -------------------------------------------------------------------

    async def send(
        self,
        request: Request,
        timeout: TimeoutConfig,
        on_close: Callable[[int, bool], None],
        trace: AsyncTracer | None = None,
    ) -> Response:
        """Send `request` on a new stream and return the response once its head arrived.

        `on_close(stream_id, abandoned)` runs when the response is done with; `trace` is
        told when the head and body are sent and the response head arrives.
        """
        stream = self._open_stream(request)
        stream.deadline = timeout.deadline
        try:
            if trace is not None:
                await self._send_traced(stream, request, timeout.write_timeout, trace)
            elif stream.local_ended:
                write_timeout = capped(timeout.write_timeout, stream.deadline)
                await self._flush(write_timeout, wait=True, batch=True)
            else:
                await self._send_body(stream, request, timeout.write_timeout)
            status_code, headers = await self._receive_head(stream, timeout.read_timeout)
            if trace is not None:
                info = {"status_code": status_code, "http_version": "HTTP/2"}
                await trace.emit("response.headers.received", info)
        except HTTPCoreError:
            self.close_stream(stream.id)
            # Send the reset now rather than with the next request's frames.
            with contextlib.suppress(HTTPCoreError):
                await self._flush(timeout.write_timeout, wait=False)
            raise
        except BaseException:
            self.close_stream(stream.id)
            raise
        return Response(
            status_code,
            reason=reason_phrase(status_code),
            http_version="HTTP/2",
            headers=headers,
            stream=_ResponseBody(self, stream, timeout),
            on_close=functools.partial(on_close, stream.id),
            max_body_bytes=self._limits.max_body_bytes,
            max_decompression_ratio=self._limits.max_decompression_ratio,
            trace=trace,
        )

    async def _send_traced(
        self, stream: StreamState, request: Request, timeout: float | None, trace: AsyncTracer
    ) -> None:
        # The HEADERS frame goes out on its own, so that its time is known.
        await self._flush(capped(timeout, stream.deadline), wait=True)
        await trace.emit("request.headers.sent", _HEAD_INFO)
        if not stream.local_ended:
            await self._send_body(stream, request, timeout)
        await trace.emit("request.body.sent", NO_INFO)

    def _open_stream(self, request: Request) -> StreamState:
        block = request_headers(request)
        body = request.body
        end = isinstance(body, bytes) and not body
        with self._lock:
            if self._error is not None:
                raise self._failure()
            if self._goaway is not None:
                raise RequestNotProcessed("the server is closing the connection (GOAWAY)")
            stream_id = self._engine.next_stream_id
            # Headers are encoded now and written in this order by whoever flushes: HPACK
            # state and increasing stream identifiers (RFC 9113 section 5.1.1) stay in step.
            # RequestNotProcessed if the server lowered SETTINGS_MAX_CONCURRENT_STREAMS since
            # the pool looked.
            self._engine.send_headers(stream_id, block, end_stream=end)
            stream = StreamState(stream_id, end)
            self._streams[stream_id] = stream
            self.request_count += 1
        return stream

    async def _send_body(
        self, stream: StreamState, request: Request, timeout: float | None
    ) -> None:
        body = request.body
        left = request.content_length
        if isinstance(body, bytes):
            # END_STREAM rides on the last DATA frame.
            await self._send_data(stream, body, timeout, end=True)
            return
        else:
            async for chunk in iterate_body(body):
                if not isinstance(chunk, bytes):
                    raise RequestTypeError(
                        f"request body chunks must be bytes, not {type(chunk).__name__}"
                    )
                if left is not None:
                    left -= len(chunk)
                    if left < 0:
                        raise LocalProtocolError(
                            "the request body is longer than its Content-Length"
                        )
                if chunk and not await self._send_data(stream, chunk, timeout):
                    return
            if left:
                raise LocalProtocolError(
                    f"the request body is shorter than its Content-Length ({left} bytes missing)"
                )
        with self._lock:
            if stream.is_stopped():
                return
            self._engine.send_data(stream.id, b"", end_stream=True)
            stream.local_ended = True
        await self._flush(capped(timeout, stream.deadline), wait=True)

    async def _send_data(
        self, stream: StreamState, data: bytes, timeout: float | None, *, end: bool = False
    ) -> bool:
        """Send `data` as flow control allows, `end` ending the stream with it.

        Returns False if the server stopped the stream (RST_STREAM, GOAWAY) meanwhile.
        """
        view = memoryview(data)
        engine = self._engine

        def can_send() -> bool:
            return stream.is_stopped() or engine.local_flow_control_window(stream.id) > 0

        while True:
            with self._lock:
                if stream.is_stopped():
                    return False
                window = min(engine.local_flow_control_window(stream.id), _WRITE_SIZE)
                size = min(window, len(view))
                last = end and size == len(view)
                if size or last:
                    engine.send_data(stream.id, view[:size], end_stream=last)
                stream.local_ended = last
                view = view[size:]
            # Also when nothing could be sent: the server must see the HEADERS to open the window.
            await self._flush(capped(timeout, stream.deadline), wait=True)
            if not view:
                return True
            # RFC 9113 section 6.9: wait for WINDOW_UPDATE before sending more.
            stream.sending = True
            try:
                await self._wait(stream, can_send, timeout, WriteTimeout)
            finally:
                stream.sending = False

    async def _receive_head(
        self, stream: StreamState, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        while True:
            # The engine bounds the interim (1xx) responses (ProtocolLimits).
            event = await self._next_event(stream, timeout)
            if isinstance(event, StreamReset):
                raise _reset_error(event)
            if not isinstance(event, InformationalResponseReceived):
                assert isinstance(event, ResponseReceived)
                return event.status_code, response_head(event.headers, self._limits)


def _reset_error(event: StreamReset) -> HTTPCoreError:
    if event.error is not None:
        # The engine reset the stream: the server broke a rule (RFC 9113 section 5.4.2).
        return event.error
    if event.error_code == ErrorCode.REFUSED_STREAM:
        # RFC 9113 section 8.7: a refused stream was not processed and may be retried.
        return RequestNotProcessed("the server refused the stream (REFUSED_STREAM)")
    return RemoteProtocolError(f"the server reset the stream ({error_name(event.error_code)})")


class _ResponseBody:
    """The body of one response, chunk by chunk as the server sends it."""

    __slots__ = ("_connection", "_stream", "_timeout")

    def __init__(
        self, connection: AsyncHTTP2Connection, stream: StreamState, timeout: TimeoutConfig
    ) -> None:
        self._connection = connection
        self._stream = stream
        self._timeout = timeout

    def __aiter__(self) -> _ResponseBody:
        return self

    async def after_close(self) -> None:
        """Send the reset that closing the response queued, rather than with the next frames.

        RFC 9113 section 8.7: the server stops sending the stream's data once it sees it. A
        connection that broke meanwhile has nothing left to stop.
        """
        if self._connection._engine.has_output:
            with contextlib.suppress(HTTPCoreError):
                await self._connection._flush(self._timeout.write_timeout, wait=False)

    async def __anext__(self) -> bytes:
        try:
            return await self._next_data()
        except Timeout as exc:
            raise past_deadline(exc, self._stream.deadline)  # noqa: B904

    async def _next_data(self) -> bytes:
        connection = self._connection
        while True:
            event = await connection._next_event(self._stream, self._timeout.read_timeout)
            if isinstance(event, DataReceived):
                # The engine reports no empty DATA: there is always something to hand back.
                await connection._acknowledge(
                    self._stream, event.flow_controlled_length, self._timeout.write_timeout
                )
                return event.data
            elif isinstance(event, StreamEnded):
                raise StopAsyncIteration
            elif isinstance(event, StreamReset):
                raise _reset_error(event)
            # TrailersReceived: tolerated, and not exposed.
