"""The socket of one HTTP/2 connection, shared by its streams: who reads, who writes.

No task runs in the background. A request that needs something from the server (a response
head, body data, flow-control window) and finds nobody reading takes the reader role: it reads
from the socket and hands each engine event to the stream it belongs to, waking that stream's
waiter, until its own stream is served; then it hands the role to another waiting stream.
Everyone else waits on an event of their own, so a slow consumer never holds up its siblings.

Writes go through one writer lock; whoever holds it writes everything the engine has queued,
in order. Requests starting together queue their HEADERS before the first of them writes, so
that one write carries them all. Received data is acknowledged (WINDOW_UPDATE) as the
application consumes it, so the receive windows bound what a slow reader holds in memory.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable

from .._backends.asyncio import AsyncBackend, AsyncEvent, AsyncStream
from .._config import ProtocolLimits, capped, deadline_after, time_left
from .._exceptions import (
    ConnectionClosed,
    HTTPCoreError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    RequestNotProcessed,
    Timeout,
    WriteTimeout,
)
from .._h2 import new_connection
from .._h2events import (
    ConnectionTerminated,
    DataReceived,
    Event,
    StreamEnded,
    StreamEvent,
    StreamReset,
)
from .._h2frames import ErrorCode, error_name

READ_SIZE = 256 * 1024


class StreamState:
    """One request's stream: what has arrived and not been consumed, and who waits for it."""

    __slots__ = (
        "deadline",
        "events",
        "id",
        "local_ended",
        "refused",
        "remote_ended",
        "reset_code",
        "sending",
        "waiter",
    )

    def __init__(self, stream_id: int, local_ended: bool) -> None:
        self.id = stream_id
        # TimeoutConfig.deadline of the request: no wait of this stream goes past it.
        self.deadline: float | None = None
        self.events: collections.deque[StreamEvent] = collections.deque()
        self.waiter: AsyncEvent | None = None
        self.sending = False
        self.local_ended = local_ended
        self.remote_ended = False
        self.reset_code: int | None = None
        # The server announced (GOAWAY) that it will not process this stream.
        self.refused = False

    def has_events(self) -> bool:
        return bool(self.events) or self.refused

    def is_stopped(self) -> bool:
        return self.reset_code is not None or self.refused


class AsyncMultiplexer:
    """The streams of one HTTP/2 connection and the socket they share (see the module doc)."""

    def __init__(self, stream: AsyncStream, limits: ProtocolLimits, backend: AsyncBackend) -> None:
        # One request reads while others write.
        self._stream = stream.shared()
        self._limits = limits
        self._backend = backend
        self._lock = backend.create_lock()
        self._write_lock = backend.create_async_lock()
        self._engine = new_connection(limits)
        self._streams: dict[int, StreamState] = {}
        self._waiting: dict[int, StreamState] = {}
        self._reading = False
        self._batching = 0
        self._error: tuple[type[HTTPCoreError], str] | None = None
        self._goaway: tuple[int, int] | None = None

    def close(self) -> None:
        self._fail(ConnectionClosed, "the connection was closed")

    # Streams -----------------------------------------------------------------------------

    async def _next_event(self, stream: StreamState, timeout: float | None) -> StreamEvent:
        if not stream.events:
            await self._wait(stream, stream.has_events, timeout, ReadTimeout)
            if not stream.events:
                raise RequestNotProcessed(
                    f"the server is closing the connection (GOAWAY) and did not process "
                    f"stream {stream.id}"
                )
        return stream.events.popleft()

    async def _acknowledge(self, stream: StreamState, size: int, timeout: float | None) -> None:
        """Hand consumed data back to the server's send windows (RFC 9113 section 6.9)."""
        with self._lock:
            if self._error is None:
                self._engine.acknowledge_received_data(size, stream.id)
        # Updates go out once half a window is consumed: mostly there is nothing to write.
        if self._engine.has_output:
            await self._flush(capped(timeout, stream.deadline), wait=False)

    def close_stream(self, stream_id: int) -> None:
        """Forget a stream; one still open is reset with CANCEL (RFC 9113 section 8.7)."""
        with self._lock:
            stream = self._streams.pop(stream_id)
            self._forget(stream)
            if self._error is not None:
                return
            if not stream.is_stopped() and not (stream.local_ended and stream.remote_ended):
                self._engine.reset_stream(stream_id, ErrorCode.CANCEL)
            unread = _unread(stream)
            if unread:
                # Data received and never consumed still counts against the connection window.
                self._engine.acknowledge_received_data(unread, stream_id)

    # Reading: the reader role ---------------------------------------------------------

    async def _wait(
        self,
        stream: StreamState,
        ready: Callable[[], bool],
        timeout: float | None,
        error: type[Timeout],
    ) -> None:
        """Return once `ready()` holds, reading from the socket while nobody else does."""
        deadline = deadline_after(capped(timeout, stream.deadline))
        while True:
            with self._lock:
                if ready():
                    return
                if self._error is not None:
                    raise self._failure()
                leader = not self._reading
                if leader:
                    self._reading = True
                else:
                    waiter = self._backend.create_event()
                    stream.waiter = waiter
                    self._waiting[stream.id] = stream
            if leader:
                await self._read_until(ready, deadline, error)
            else:
                await self._follow(stream, waiter, time_left(deadline), error)

    async def _read_until(
        self, ready: Callable[[], bool], deadline: float | None, error: type[Timeout]
    ) -> None:
        try:
            while True:
                await self._read_once(time_left(deadline))
                with self._lock:
                    if ready() or self._error is not None:
                        return
        except Timeout as exc:
            if isinstance(exc, error):
                raise
            raise error(_timeout_message(error)) from exc
        finally:
            with self._lock:
                self._reading = False
                self._hand_over()

    async def _follow(
        self, stream: StreamState, waiter: AsyncEvent, timeout: float | None, error: type[Timeout]
    ) -> None:
        woken = False
        try:
            woken = await waiter.wait(timeout)
        finally:
            if not woken:
                # Timed out or cancelled.
                with self._lock:
                    self._forget(stream)
                    if waiter.is_set():
                        # Woken to take over the reader role just now, and leaving: pass it on.
                        self._hand_over()
        if not woken:
            raise error(_timeout_message(error))

    def _forget(self, stream: StreamState) -> None:
        stream.waiter = None
        self._waiting.pop(stream.id, None)

    def _wake(self, stream: StreamState) -> None:
        waiter = stream.waiter
        if waiter is not None:
            self._forget(stream)
            waiter.set()

    def _hand_over(self) -> None:
        """Wake one waiting stream to become the reader, if nobody reads."""
        if not self._reading and self._waiting:
            self._wake(next(iter(self._waiting.values())))

    async def _read_once(self, timeout: float | None) -> None:
        await self._receive(await self._read_bytes(timeout), timeout)

    async def _read_bytes(self, timeout: float | None) -> bytes:
        try:
            data = await self._stream.read(READ_SIZE, timeout)
        except Timeout:
            raise
        except HTTPCoreError as exc:
            self._fail(ReadError, str(exc))
            raise
        if not data:
            self._fail(ConnectionClosed, self._closed_message())
            raise self._failure()
        return data

    async def _receive(self, data: bytes, timeout: float | None) -> None:
        """Hand received bytes to the engine, and its events to the streams."""
        with self._lock:
            try:
                events = self._engine.receive_data(data)
            except RemoteProtocolError as exc:
                error: RemoteProtocolError | None = exc
            else:
                error = None
                for event in events:
                    self._dispatch(event)
        if error is not None:
            # RFC 9113 section 5.4.1: the GOAWAY the engine queued goes out first if it can.
            with contextlib.suppress(HTTPCoreError):
                await self._flush(timeout, wait=False)
            self._fail(type(error), f"the server broke the HTTP/2 protocol: {error}")
            raise self._failure()
        # Acknowledgements (SETTINGS, PING) and window updates queued in response.
        if self._engine.has_output:
            await self._flush(timeout, wait=False)

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, StreamEvent):
            # The engine drops the frames of the streams it closed, and a stream is forgotten
            # here only once closed there (reset, refused, or ended both ways).
            stream = self._streams[event.stream_id]
            if isinstance(event, StreamReset):
                stream.reset_code = event.error_code
            elif isinstance(event, StreamEnded):
                stream.remote_ended = True
            stream.events.append(event)
            self._wake(stream)
        elif isinstance(event, ConnectionTerminated):
            self._on_goaway(event.last_stream_id, event.error_code)
        else:
            # WindowUpdated, SettingsChanged: uploads waiting for a window may go on.
            for waiting in list(self._waiting.values()):
                if waiting.sending:
                    self._wake(waiting)

    def _on_goaway(self, last_stream_id: int, error_code: int) -> None:
        # RFC 9113 section 6.8: streams up to last_stream_id may still complete.
        self._goaway = (last_stream_id, error_code)
        for stream_id, stream in self._streams.items():
            if stream_id > last_stream_id:
                stream.refused = True
                unread = _unread(stream)
                stream.events.clear()
                if unread:
                    self._engine.acknowledge_received_data(unread, stream_id)
                self._wake(stream)

    # Writing ---------------------------------------------------------------------------

    async def _flush(self, timeout: float | None, *, wait: bool, batch: bool = False) -> None:
        """Write what the engine queued; without `wait`, leave it to a writer already at work.

        With `batch`, and other streams open, the requests ready to run queue their frames
        first: one write (one system call) carries them all.
        """
        if batch and len(self._streams) > 1:
            await self._gather_frames()
        if wait:
            if not await self._write_lock.acquire(timeout):
                raise WriteTimeout("timed out waiting to write to the server")
        elif self._batching or not self._engine.has_output or not self._write_lock.try_acquire():
            # Output queued after this check is written by whoever queued it, or by the
            # batching writer about to flush.
            return
        try:
            while True:
                with self._lock:
                    data = self._engine.data_to_send() if self._error is None else b""
                    if not data:
                        # Released under the state lock: output queued after this check
                        # finds the writer lock free and is written by whoever queued it.
                        self._write_lock.release()
                        return
                await self._stream.write(data, timeout)
        except BaseException as exc:
            self._write_lock.release()
            if isinstance(exc, HTTPCoreError):
                # Part of a frame may have gone out: nothing more can follow it.
                self._fail(ConnectionClosed, f"the connection broke while writing: {exc}")
            raise

    async def _gather_frames(self) -> None:
        # Let every request ready to run queue its frames; meanwhile flushes that need not
        # wait leave them queued, for this writer.
        with self._lock:
            self._batching += 1
        try:
            await self._backend.checkpoint()
        finally:
            with self._lock:
                self._batching -= 1

    # Failure ---------------------------------------------------------------------------

    def _fail(self, exc_type: type[HTTPCoreError], message: str) -> None:
        """Fail the connection: every stream on it gets the error, the socket is closed."""
        with self._lock:
            if self._error is not None:
                return
            self._error = (exc_type, message)
            for stream in list(self._waiting.values()):
                self._wake(stream)
        self._stream.close()

    def _failure(self) -> HTTPCoreError:
        assert self._error is not None
        exc_type, message = self._error
        return exc_type(message)

    def _closed_message(self) -> str:
        if self._goaway is None:
            return "the server closed the connection"
        return f"the server closed the connection after GOAWAY ({error_name(self._goaway[1])})"


def _unread(stream: StreamState) -> int:
    """The flow-controlled size of the data a stream received and nobody consumed."""
    return sum(
        event.flow_controlled_length for event in stream.events if isinstance(event, DataReceived)
    )


def _timeout_message(error: type[Timeout]) -> str:
    if error is WriteTimeout:
        return "timed out waiting for the server to open the HTTP/2 flow-control window"
    return "timed out reading from the server"
