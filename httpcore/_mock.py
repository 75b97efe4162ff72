"""Pool stand-ins for tests: `MockConnectionPool` and `SyncMockConnectionPool` answer requests
with a handler instead of a network, behind the interface of the real pools.

The bookkeeping is shared; only `request()`, `close()` and the context manager are written
once per flavor, as thin shells.

```python
pool = MockConnectionPool(lambda request: Response(200, body=b"hi"))
response = await pool.request("GET", "http://example.com/")
assert response.body == b"hi"
```
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
)
from typing import TypeAlias

from ._async.response import Response
from ._config import DEFAULT, TimeoutConfig, _Default
from ._exceptions import PoolClosed, RequestTypeError
from ._models import URL, Origin, Request
from ._sync.response import SyncResponse
from ._types import BodyTypes, HeaderTypes

AnyResponse: TypeAlias = Response | SyncResponse
Handler: TypeAlias = Callable[[Request], AnyResponse | Awaitable[AnyResponse]]


class _Exchange:
    """One request's share of the counters: released once, when its response closes."""

    __slots__ = ("completed", "origin", "pool")

    def __init__(self, pool: _MockPool, origin: Origin) -> None:
        self.pool = pool
        self.origin = origin
        self.completed = False

    def closed(self, dropped: bool) -> None:
        self.pool._release(self.origin, self.completed and not dropped)


class _MockPool:
    """What both flavors share: the handler, the recorded requests and the counters."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._active = 0
        self._idle: dict[Origin, int] = {}
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [active={self._active}, "
            f"keepalive={self.num_keepalive_connections}{', closed' if self._closed else ''}]>"
        )

    @property
    def num_active_connections(self) -> int:
        """Responses handed out and not yet closed."""
        return self._active

    @property
    def num_keepalive_connections(self) -> int:
        """Connections a real pool would keep: one per response read to the end, per origin."""
        return sum(self._idle.values())

    @property
    def is_closed(self) -> bool:
        return self._closed

    def _prepare(
        self, method: str | bytes, url: str | bytes | URL, headers: HeaderTypes, body: BodyTypes
    ) -> Request:
        if self._closed:
            raise PoolClosed("the pool is closed")
        request = Request(method, url, headers, body)
        self.requests.append(request)
        return request

    def _answer(self, request: Request, result: object) -> _Exchange:
        """Check the handler's result and count the exchange it starts."""
        if not isinstance(result, (Response, SyncResponse)):
            hint = ""
            if isinstance(result, Coroutine):
                # An async handler given to the sync pool: its coroutine never runs.
                result.close()
                hint = " (an async handler needs MockConnectionPool)"
            raise TypeError(
                f"handler {self.handler!r} returned {result!r} of type "
                f"{type(result).__qualname__}{hint}: it must return an httpcore.Response or "
                "httpcore.SyncResponse"
            )
        origin = request.url.origin
        if self._idle.get(origin):
            self._idle[origin] -= 1
        self._active += 1
        return _Exchange(self, origin)

    def _release(self, origin: Origin, reusable: bool) -> None:
        self._active -= 1
        if reusable and not self._closed:
            self._idle[origin] = self._idle.get(origin, 0) + 1

    def _shut(self) -> None:
        self._closed = True
        self._idle.clear()


def _source(result: AnyResponse) -> bytes | Iterable[bytes] | AsyncIterable[bytes]:
    if result._stream is None:
        return result.body
    return result._stream


async def read_body(body: bytes | Iterable[bytes] | AsyncIterable[bytes]) -> bytes:
    """A request body, whole, whatever form it was given in."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, AsyncIterable):
        return b"".join([chunk async for chunk in body])
    return b"".join(body)


def read_body_sync(
    body: bytes | Iterable[bytes] | AsyncIterable[bytes],
    refusal: str = "SyncMockConnectionPool cannot read an async iterable body",
) -> bytes:
    """A request body, whole; an async iterable raises `RequestTypeError(refusal)`."""
    if isinstance(body, bytes):
        return body
    if not isinstance(body, Iterable):
        raise RequestTypeError(refusal)
    return b"".join(body)


async def _stream_async(
    source: bytes | Iterable[bytes] | AsyncIterable[bytes], exchange: _Exchange
) -> AsyncIterator[bytes]:
    if isinstance(source, bytes):
        if source:
            yield source
    elif isinstance(source, AsyncIterable):
        async for chunk in source:
            yield chunk
    else:
        for chunk in source:
            yield chunk
    exchange.completed = True


def _stream_sync(source: bytes | Iterable[bytes], exchange: _Exchange) -> Iterator[bytes]:
    if isinstance(source, bytes):
        if source:
            yield source
    else:
        yield from source
    exchange.completed = True


class MockConnectionPool(_MockPool):
    """An async pool stand-in: `request()` calls `handler(request)` instead of a server.

    Arguments: `handler`, called with the `httpcore.Request` (its body read into bytes) and
    returning an `httpcore.Response` (or `SyncResponse`) built with `body=` or `stream=`;
    it may be a coroutine function, and may raise httpcore exceptions as a network would.
    The response returned has the handler's status and headers and streams its body like
    a pooled response. `requests` lists the requests made; `num_active_connections`,
    `num_keepalive_connections` and `is_closed` behave as a pool's.

    ```python
    async def handler(request):
        return httpcore.Response(200, body=b"path " + request.url.target)

    async with httpcore.MockConnectionPool(handler) as http:
        response = await http.request("GET", "http://example.com/items")
    assert response.body == b"path /items"
    ```
    """

    async def request(
        self,
        method: str | bytes,
        url: str | bytes | URL,
        headers: HeaderTypes = None,
        body: BodyTypes = b"",
        stream: bool = False,
        *,
        timeout: TimeoutConfig | float | _Default | None = DEFAULT,
    ) -> Response:
        """As `ConnectionPool.request`; `timeout` is accepted and has nothing to limit."""
        request = self._prepare(method, url, headers, body)
        request.body = await read_body(request.body)
        result = self.handler(request)
        if isinstance(result, Awaitable):
            result = await result
        exchange = self._answer(request, result)
        assert isinstance(result, (Response, SyncResponse))
        response = Response(
            result.status_code,
            reason=result.reason,
            http_version=result.http_version,
            headers=list(result.headers),
            stream=_stream_async(_source(result), exchange),
            on_close=exchange.closed,
        )
        if not stream:
            await response.read()
        return response

    async def close(self) -> None:
        """Refuse later requests (`PoolClosed`); responses already handed out stay readable."""
        self._shut()

    async def __aenter__(self) -> MockConnectionPool:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


class SyncMockConnectionPool(_MockPool):
    """A thread-synchronous pool stand-in: `MockConnectionPool` for `SyncConnectionPool` code.

    The handler is a plain function returning an `httpcore.SyncResponse` (or a `Response`
    built with `body=`, or with a `stream=` of plain iterables).

    ```python
    def handler(request):
        return httpcore.SyncResponse(200, body=b"path " + request.url.target)

    with httpcore.SyncMockConnectionPool(handler) as http:
        response = http.request("GET", "http://example.com/items")
    assert response.body == b"path /items"
    ```
    """

    def request(
        self,
        method: str | bytes,
        url: str | bytes | URL,
        headers: HeaderTypes = None,
        body: BodyTypes = b"",
        stream: bool = False,
        *,
        timeout: TimeoutConfig | float | _Default | None = DEFAULT,
    ) -> SyncResponse:
        """As `SyncConnectionPool.request`; `timeout` is accepted and has nothing to limit."""
        request = self._prepare(method, url, headers, body)
        request.body = read_body_sync(request.body)
        result = self.handler(request)
        exchange = self._answer(request, result)
        assert isinstance(result, (Response, SyncResponse))
        source = _source(result)
        if isinstance(source, AsyncIterable) and not isinstance(source, Iterable):
            exchange.closed(False)
            raise TypeError(
                f"handler {self.handler!r} returned a response with an async stream: "
                "SyncMockConnectionPool needs a plain iterable"
            )
        response = SyncResponse(
            result.status_code,
            reason=result.reason,
            http_version=result.http_version,
            headers=list(result.headers),
            stream=_stream_sync(source, exchange),
            on_close=exchange.closed,
        )
        if not stream:
            response.read()
        return response

    def close(self) -> None:
        """Refuse later requests (`PoolClosed`); responses already handed out stay readable."""
        self._shut()

    def __enter__(self) -> SyncMockConnectionPool:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()
