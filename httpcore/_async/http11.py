"""One HTTP/1.1 connection: sends a request and streams its response, with h11 doing the parsing."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

import h11

from .._backends.asyncio import AsyncStream
from .._config import ProtocolLimits, TimeoutConfig
from .._exceptions import (
    ConnectionClosed,
    ExceptionMap,
    LimitExceeded,
    LocalProtocolError,
    RemoteProtocolError,
    map_exceptions,
)
from .._models import Origin, Request
from .response import Response

READ_SIZE = 64 * 1024
# Below this size a bytes body goes out in the same write as the head: one system call.
_COALESCE_LIMIT = 64 * 1024
# RFC 9110 section 15.2 sets no bound on 1xx responses; a hostile server must not loop us forever.
MAX_INFORMATIONAL_RESPONSES = 32

_IDLE, _ACTIVE, _CLOSED = "idle", "active", "closed"

H11_TO_CORE: ExceptionMap = {
    h11.RemoteProtocolError: RemoteProtocolError,
    h11.LocalProtocolError: LocalProtocolError,
}


class AsyncHTTP11Connection:
    """An HTTP/1.1 connection to one origin, used for one request at a time."""

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
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=limits.max_header_bytes)
        self._limits = limits
        self._state = _IDLE
        self._received = 0
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
        self, request: Request, timeout: TimeoutConfig, on_close: Callable[[], None]
    ) -> Response:
        """Send `request` and return the response once its head has arrived.

        The body is streamed from the returned response; `on_close` runs when it is done with.
        """
        assert self._state == _IDLE, f"send() on a {self._state} connection"
        self._state = _ACTIVE
        self._received = 0
        self.request_count += 1
        with map_exceptions(H11_TO_CORE):
            await self._send_request(request, timeout.write_timeout)
            event = await self._receive_head(timeout.read_timeout)
        headers: list[tuple[bytes, bytes]] = list(event.headers)
        return Response(
            event.status_code,
            reason=event.reason.decode("latin-1"),
            http_version="HTTP/" + event.http_version.decode("ascii"),
            headers=headers,
            stream=self._receive_body(timeout.read_timeout),
            on_close=on_close,
        )

    async def _send_request(self, request: Request, timeout: float | None) -> None:
        if self.request_count > 1:
            self._h11.start_next_cycle()
        head = h11.Request(
            method=request.method, target=request.url.target, headers=request.headers
        )
        data = self._h11.send(head)
        assert data is not None
        body = request.body
        if isinstance(body, bytes):
            if body and len(body) <= _COALESCE_LIMIT:
                data += self._encode(body)
                body = b""
            await self._stream.write(data, timeout)
            if body:
                await self._write_data(body, timeout)
        else:
            await self._stream.write(data, timeout)
            async for chunk in _iterate(body):
                if chunk:
                    await self._write_data(chunk, timeout)
        end = self._h11.send(h11.EndOfMessage())
        assert end is not None
        await self._stream.write(end, timeout)

    def _encode(self, chunk: bytes) -> bytes:
        if not isinstance(chunk, bytes):
            raise TypeError(f"request body chunks must be bytes, not {type(chunk).__name__}")
        data = self._h11.send(h11.Data(data=chunk))
        assert data is not None
        return data

    async def _write_data(self, chunk: bytes, timeout: float | None) -> None:
        if not isinstance(chunk, bytes):
            raise TypeError(f"request body chunks must be bytes, not {type(chunk).__name__}")
        # Passthrough avoids h11 joining framing and a large chunk into one new bytes object.
        pieces = self._h11.send_with_data_passthrough(h11.Data(data=chunk))
        assert pieces is not None
        for piece in pieces:
            await self._stream.write(piece, timeout)

    async def _next_event(self, timeout: float | None) -> Any:
        while True:
            event = self._h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await self._stream.read(READ_SIZE, timeout)
            if data:
                self._received += len(data)
            elif not self._received:
                raise ConnectionClosed(
                    "the server closed the connection without sending a response"
                )
            self._h11.receive_data(data)

    async def _receive_head(self, timeout: float | None) -> h11.Response:
        for _ in range(MAX_INFORMATIONAL_RESPONSES + 1):
            try:
                event = await self._next_event(timeout)
            except h11.RemoteProtocolError as exc:
                if len(self._h11.trailing_data[0]) > self._limits.max_header_bytes:
                    raise LimitExceeded(
                        f"the response head exceeds max_header_bytes="
                        f"{self._limits.max_header_bytes}"
                    ) from exc
                raise
            if isinstance(event, h11.Response):
                # h11 bounds only incomplete heads; a complete one can arrive in one read.
                head_size = self._received - len(self._h11.trailing_data[0])
                if head_size > self._limits.max_header_bytes:
                    raise LimitExceeded(
                        f"the response head ({head_size} bytes) exceeds max_header_bytes="
                        f"{self._limits.max_header_bytes}"
                    )
                if len(event.headers) > self._limits.max_header_count:
                    raise LimitExceeded(
                        f"the response has {len(event.headers)} header fields, more than "
                        f"max_header_count={self._limits.max_header_count}"
                    )
                return event
            assert isinstance(event, h11.InformationalResponse), event
        raise RemoteProtocolError(
            f"more than {MAX_INFORMATIONAL_RESPONSES} informational (1xx) responses"
        )

    async def _receive_body(self, timeout: float | None) -> AsyncIterator[bytes]:
        with map_exceptions(H11_TO_CORE):
            while True:
                event = await self._next_event(timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
        self._end_of_exchange()

    def _end_of_exchange(self) -> None:
        if (
            self._h11.our_state is h11.DONE
            and self._h11.their_state is h11.DONE
            # Bytes after the end of the response answer nothing we asked: reusing the
            # connection would hand them to the next request as its response.
            and not self._h11.trailing_data[0]
        ):
            self._state = _IDLE
        else:
            # Connection: close from either side, or an HTTP/1.0 server (RFC 9112 section 9.6).
            self.close()


async def _iterate(body: AsyncIterable[bytes] | Any) -> AsyncIterator[bytes]:
    """Iterate a request body given as an async iterable or a plain iterable."""
    if isinstance(body, AsyncIterable):
        async for chunk in body:
            yield chunk
    else:
        for chunk in body:
            yield chunk
