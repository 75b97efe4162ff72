"""One HTTP/1.1 connection: sends a request and streams its response (wire format in _h1)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Literal

from .._backends.asyncio import AsyncStream, iterate_body
from .._config import ProtocolLimits, TimeoutConfig, capped, past_deadline
from .._exceptions import ConnectionClosed, RemoteProtocolError, Timeout
from .._h1 import (
    END_OF_MESSAGE,
    NEED_DATA,
    BodyFramer,
    Head,
    ResponseReader,
    request_head,
)
from .._models import Origin, Request
from .._trace import NO_INFO
from .response import Response

if TYPE_CHECKING:
    from .connection import AsyncTracer

# asyncio hands over up to 256 KiB per socket read; asking for less would split (copy) them.
READ_SIZE = 256 * 1024
# Below this size a body chunk is joined with its framing (and a bytes body with the head):
# one system call instead of several; above it, copying costs more than the extra call.
_COALESCE_LIMIT = 64 * 1024
# RFC 9110 section 15.2 sets no bound on 1xx responses; a hostile server must not loop us forever.

_IDLE, _ACTIVE, _CLOSED = "idle", "active", "closed"
_HEAD_INFO = MappingProxyType({"http_version": "HTTP/1.1"})


def tls_version(stream: AsyncStream) -> str | None:
    """The TLS version of `stream` (`"TLSv1.3"`...), or None for plain TCP."""
    ssl_object = stream.get_extra_info("ssl_object")
    return None if ssl_object is None else str(ssl_object.version())


class AsyncHTTP11Connection:
    """An HTTP/1.1 connection to one origin, used for one request at a time."""

    multiplexed: ClassVar[Literal[False]] = False

    def __init__(
        self,
        origin: Origin,
        stream: AsyncStream,
        limits: ProtocolLimits,
        *,
        created_at: float = 0.0,
    ) -> None:
        self.origin = origin
        self._stream = stream
        self._limits = limits
        self._reader: ResponseReader | None = None
        self._keep_alive = True
        self._state = _IDLE
        self._received = 0
        # What one socket read asks for; a reader of small pieces can lower it (read_at_most).
        self._read_size = READ_SIZE
        # The current request's TimeoutConfig.deadline: no wait may pass it.
        self._deadline: float | None = None
        self.request_count = 0
        self.idle_since = created_at

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self._state}, requests={self.request_count}] "
            f"{self.origin.scheme}://{self.origin.host}:{self.origin.port}>"
        )

    @property
    def http_version(self) -> str:
        return "HTTP/1.1"

    @property
    def tls_version(self) -> str | None:
        return tls_version(self._stream)

    def is_idle(self) -> bool:
        return self._state == _IDLE

    def is_closed(self) -> bool:
        return self._state == _CLOSED

    def is_stale(self) -> bool:
        """An idle connection with data or EOF pending must not be reused (RFC 9112 section 9.3)."""
        return self._state != _IDLE or self._stream.is_readable()

    def received_any_response_bytes(self) -> bool:
        return self._received > 0

    def close(self) -> None:
        if self._state != _CLOSED:
            self._state = _CLOSED
            self._stream.close()

    async def send(
        self,
        request: Request,
        timeout: TimeoutConfig,
        on_close: Callable[[bool], None],
        trace: AsyncTracer | None = None,
    ) -> Response:
        """Send `request` and return the response once its head has arrived.

        The body is streamed from the returned response; `on_close` runs when it is done with.
        `trace` is told when the head and body are sent and the response head arrives.
        """
        assert self._state == _IDLE, f"send() on a {self._state} connection"
        self._state = _ACTIVE
        self._received = 0
        self.request_count += 1
        limits = self._limits
        self._reader = ResponseReader(
            request.method,
            max_header_bytes=limits.max_header_bytes,
            max_header_count=limits.max_header_count,
        )
        self._deadline = timeout.deadline
        await self._send_request(request, timeout.write_timeout, trace)
        head = await self._receive_head(timeout.read_timeout)
        http_version = "HTTP/" + head.http_version.decode("ascii")
        if trace is not None:
            info = {"status_code": head.status_code, "http_version": http_version}
            await trace.emit("response.headers.received", info)
        return Response(
            head.status_code,
            reason=head.reason.decode("latin-1"),
            http_version=http_version,
            headers=head.headers,
            stream=_ResponseBody(self, timeout.read_timeout),
            on_close=on_close,
            max_body_bytes=self._limits.max_body_bytes,
            max_decompression_ratio=self._limits.max_decompression_ratio,
            trace=trace,
        )

    async def _send_request(
        self, request: Request, timeout: float | None, trace: AsyncTracer | None
    ) -> None:
        if request.wants_close:
            self._keep_alive = False
        head = request_head(request.method, request.url.target, request.headers)
        framer = BodyFramer(request.content_length, chunked=request.is_chunked)
        body = request.body
        if isinstance(body, bytes):
            pieces = framer.frame(body) if body else []
            if len(body) <= _COALESCE_LIMIT:
                await self._stream.write(
                    b"".join([head, *pieces, framer.end()]), capped(timeout, self._deadline)
                )
                if trace is not None:
                    await trace.emit("request.headers.sent", _HEAD_INFO)
                    await trace.emit("request.body.sent", NO_INFO)
                return
            await self._stream.write(head, capped(timeout, self._deadline))
            if trace is not None:
                await trace.emit("request.headers.sent", _HEAD_INFO)
            for piece in pieces:
                await self._stream.write(piece, capped(timeout, self._deadline))
        else:
            await self._stream.write(head, capped(timeout, self._deadline))
            if trace is not None:
                await trace.emit("request.headers.sent", _HEAD_INFO)
            async for chunk in iterate_body(body):
                if chunk or not isinstance(chunk, bytes):
                    await self._write_pieces(framer.frame(chunk), timeout)
        await self._stream.write(framer.end(), capped(timeout, self._deadline))
        if trace is not None:
            await trace.emit("request.body.sent", NO_INFO)

    async def _write_pieces(self, pieces: list[bytes], timeout: float | None) -> None:
        if len(pieces) == 1 or len(pieces[1]) > _COALESCE_LIMIT:
            for piece in pieces:
                await self._stream.write(piece, capped(timeout, self._deadline))
        else:
            await self._stream.write(b"".join(pieces), capped(timeout, self._deadline))

    async def _next_event(self, timeout: float | None) -> Head | bytes | str:
        reader = self._reader
        assert reader is not None
        while True:
            event = reader.next_event()
            if event is not NEED_DATA:
                return event
            data = await self._stream.read(self._read_size, capped(timeout, self._deadline))
            if data:
                self._received += len(data)
            elif not self._received:
                raise ConnectionClosed(
                    "the server closed the connection without sending a response"
                )
            reader.feed(data)

    async def _receive_head(self, timeout: float | None) -> Head:
        for _ in range(self._limits.max_informational_responses + 1):
            head = await self._next_event(timeout)
            assert isinstance(head, Head)
            if head.status_code >= 200:
                return head
            if head.status_code == 101:
                raise RemoteProtocolError("101 Switching Protocols, but no upgrade was requested")
        raise self._limits.too_many_informational()

    def _end_of_exchange(self) -> None:
        reader = self._reader
        assert reader is not None
        self._reader = None
        self._read_size = READ_SIZE
        # Bytes after the end of the response answer nothing we asked: reusing the
        # connection would hand them to the next request as its response.
        if self._keep_alive and reader.keep_alive and not reader.trailing:
            self._state = _IDLE
        else:
            # Connection: close from either side, or an HTTP/1.0 server (RFC 9112 section 9.6).
            self.close()


class _ResponseBody:
    """The body of the current response, chunk by chunk as received.

    A class rather than an async generator: asyncio registers every async generator it
    starts (a weak set and a hook call), a cost paid on every response otherwise.
    """

    __slots__ = ("_connection", "_timeout")

    def __init__(self, connection: AsyncHTTP11Connection, timeout: float | None) -> None:
        self._connection = connection
        self._timeout = timeout

    # Nothing to do once the response is closed: Response.close() looks for this hook.
    after_close = None

    def __aiter__(self) -> _ResponseBody:
        return self

    def read_at_most(self, size: int) -> None:
        """Read the rest of the body from the socket in pieces of at most `size` bytes.

        A caller that wants small pieces gets them as read, instead of slices copied out of
        large reads (a copy, and an allocator churning through blocks of that size).
        """
        self._connection._read_size = size

    async def __anext__(self) -> bytes:
        try:
            event = await self._connection._next_event(self._timeout)
        except Timeout as exc:
            raise past_deadline(exc, self._connection._deadline)  # noqa: B904
        if event is END_OF_MESSAGE:
            self._connection._end_of_exchange()
            raise StopAsyncIteration
        assert isinstance(event, bytes)
        return event
