"""The connection pool: keep-alive reuse per origin, limits, waiting, retry of stale connections."""

from __future__ import annotations

import collections
import functools
from collections.abc import AsyncIterable, Iterable
from types import TracebackType

from .._backends.asyncio import AsyncBackend, AsyncEvent
from .._config import (
    DEFAULT_POOL_LIMITS,
    DEFAULT_PROTOCOL_LIMITS,
    DEFAULT_SSL_CONFIG,
    DEFAULT_TIMEOUT_CONFIG,
    PoolLimits,
    ProtocolLimits,
    SSLConfig,
    TimeoutConfig,
)
from .._exceptions import (
    ConnectionClosed,
    PoolClosed,
    PoolTimeout,
    ReadError,
    RequestTypeError,
    WriteError,
)
from .._models import URL, Origin, Request
from .._types import BodyTypes, HeaderTypes
from .http11 import AsyncHTTP11Connection
from .response import Response

# Errors that, on a reused connection before any response byte, mean the server had closed it.
_STALE_ERRORS = (ConnectionClosed, ReadError, WriteError)


class _Unset:
    pass


UNSET = _Unset()


class ConnectionPool:
    """An async HTTP client: a pool of keep-alive connections, HTTP/1.1 over TCP or TLS.

    Arguments:

    * `ssl`: an `SSLConfig` (certifi-verified by default).
    * `timeout`: a `TimeoutConfig`, or seconds for all timeouts, or `None` for none.
    * `limits`: a `PoolLimits` (keep-alive and open-connection limits, keep-alive expiry).
    * `protocol_limits`: a `ProtocolLimits` bounding response heads.

    ```python
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", "http://127.0.0.1:8000/")
    ```
    """

    def __init__(
        self,
        ssl: SSLConfig = DEFAULT_SSL_CONFIG,
        timeout: TimeoutConfig | float | None = DEFAULT_TIMEOUT_CONFIG,
        limits: PoolLimits = DEFAULT_POOL_LIMITS,
        *,
        protocol_limits: ProtocolLimits = DEFAULT_PROTOCOL_LIMITS,
        backend: AsyncBackend | None = None,
    ) -> None:
        self.ssl = ssl
        self.timeout = timeout if isinstance(timeout, TimeoutConfig) else TimeoutConfig(timeout)
        self.limits = limits
        self.protocol_limits = protocol_limits
        self._backend = AsyncBackend() if backend is None else backend
        self._lock = self._backend.create_lock()
        self._idle: dict[Origin, list[AsyncHTTP11Connection]] = {}
        self._num_idle = 0
        self._num_active = 0
        self._active: set[AsyncHTTP11Connection] = set()
        self._waiters: collections.deque[AsyncEvent] = collections.deque()
        self._abandoned: collections.deque[AsyncHTTP11Connection] = collections.deque()
        self._closed = False
        self._next_sweep = 0.0

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [active={self._num_active}, "
            f"keepalive={self._num_idle}{', closed' if self._closed else ''}]>"
        )

    @property
    def num_active_connections(self) -> int:
        """Connections in use by a request (including those being opened)."""
        return self._num_active - len(self._abandoned)

    @property
    def num_keepalive_connections(self) -> int:
        """Idle connections kept open for reuse."""
        return self._num_idle

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def request(
        self,
        method: str | bytes,
        url: str | bytes | URL,
        headers: HeaderTypes = None,
        body: BodyTypes = b"",
        stream: bool = False,
        *,
        timeout: TimeoutConfig | float | _Unset | None = UNSET,
    ) -> Response:
        """Send a request and return its response.

        Arguments: the `method` (`"GET"`...), the `url`, `headers` (a mapping or a list of
        pairs, str or bytes), `body` (bytes, or an iterator or async iterator of bytes: sent
        chunked unless a Content-Length header is given), `stream` (return as soon as the
        head arrives; read the body with `stream()`, `raw()` or `read()`), and `timeout` to
        override the pool's timeouts for this request.

        ```python
        response = await http.request("POST", url, headers={"content-type": "text/plain"},
                                      body=b"hello")
        ```
        """
        request = Request(method, url, headers, body)
        # Only the sync pool can get here (with an async iterable body).
        if not isinstance(request.body, (bytes, AsyncIterable, Iterable)):  # pragma: no cover
            raise RequestTypeError(
                f"{type(self).__name__} cannot send a {type(request.body).__name__} body: "
                "give bytes or an iterator of bytes"
            )
        if isinstance(timeout, _Unset):
            timeouts = self.timeout
        elif isinstance(timeout, TimeoutConfig):
            timeouts = timeout
        else:
            timeouts = TimeoutConfig(timeout)
        response = await self._send(request, timeouts)
        if not stream:
            await response.read()
        return response

    async def _send(self, request: Request, timeout: TimeoutConfig) -> Response:
        origin = request.url.origin
        retried = False
        while True:
            connection = await self._acquire(origin, timeout.pool_timeout)
            reused = connection is not None
            try:
                if connection is None:
                    connection = await self._connect(origin, timeout)
                return await connection.send(
                    request, timeout, functools.partial(self._response_closed, connection)
                )
            except BaseException as exc:
                self._release(connection, discard=True)
                if (
                    reused
                    and not retried
                    and connection is not None
                    and isinstance(exc, _STALE_ERRORS)
                    and not connection.received_any_response_bytes()
                    and request.is_idempotent
                    and not request.is_streaming
                ):
                    # RFC 9112 section 9.3.1: a request on a connection the server closed
                    # while idle may be retried when it is idempotent.
                    retried = True
                    continue
                raise

    async def _connect(self, origin: Origin, timeout: TimeoutConfig) -> AsyncHTTP11Connection:
        ssl_context = self.ssl.load_ssl_context() if origin.is_secure else None
        stream = await self._backend.connect_tcp(
            origin.host,
            origin.port,
            timeout=timeout.connect_timeout,
            ssl_context=ssl_context,
            server_hostname=origin.host,
        )
        connection = AsyncHTTP11Connection(
            origin, stream, self.protocol_limits, created_at=self._backend.monotonic()
        )
        with self._lock:
            if self._closed:
                connection.close()
                raise PoolClosed("the connection pool was closed")
            self._active.add(connection)
        return connection

    async def _acquire(self, origin: Origin, timeout: float | None) -> AsyncHTTP11Connection | None:
        """Return an idle connection to reuse, or None after reserving a slot for a new one."""
        granted, connection, waiter = self._checkout(origin, front=False)
        if granted:
            return connection
        deadline = None if timeout is None else self._backend.monotonic() + timeout
        while True:
            assert waiter is not None
            remaining = None if deadline is None else max(0.0, deadline - self._backend.monotonic())
            try:
                woken = await waiter.wait(remaining)
            except BaseException:
                self._abandon(waiter)
                raise
            if not woken:
                self._abandon(waiter)
                raise PoolTimeout(f"no connection became free within {timeout} seconds")
            granted, connection, waiter = self._checkout(origin, front=True)
            if granted:
                return connection

    def _checkout(
        self, origin: Origin, *, front: bool
    ) -> tuple[bool, AsyncHTTP11Connection | None, AsyncEvent | None]:
        with self._lock:
            if self._closed:
                raise PoolClosed("the connection pool is closed")
            if self._abandoned:
                self._reclaim_abandoned()
            now = self._backend.monotonic()
            if now >= self._next_sweep:
                self._sweep(now)
            idle = self._idle.get(origin)
            while idle:
                connection = idle.pop()
                self._num_idle -= 1
                if self._has_expired(connection, now) or connection.is_stale():
                    connection.close()
                    continue
                self._num_active += 1
                self._active.add(connection)
                if not idle:
                    del self._idle[origin]
                return True, connection, None
            if idle is not None:
                del self._idle[origin]
            hard_limit = self.limits.hard_limit
            if hard_limit is None or self._num_active + self._num_idle < hard_limit:
                self._num_active += 1
                return True, None, None
            if self._num_idle:
                self._evict_oldest_idle()
                self._num_active += 1
                return True, None, None
            waiter = self._backend.create_event()
            if front:
                self._waiters.appendleft(waiter)
            else:
                self._waiters.append(waiter)
            return False, None, waiter

    def _response_closed(self, connection: AsyncHTTP11Connection, abandoned: bool) -> None:
        if abandoned:
            # Called by the garbage collector: deque.append is atomic and takes no lock.
            self._abandoned.append(connection)
        else:
            self._release(connection)

    def _reclaim_abandoned(self) -> None:
        """Close connections of responses dropped unclosed (call with the lock held)."""
        while self._abandoned:
            connection = self._abandoned.popleft()
            self._num_active -= 1
            self._active.discard(connection)
            connection.close()
            self._wake_one()

    def _release(self, connection: AsyncHTTP11Connection | None, discard: bool = False) -> None:
        """Give back a slot: keep `connection` for reuse if it can be, else close it."""
        with self._lock:
            if self._abandoned:
                self._reclaim_abandoned()
            self._num_active -= 1
            if connection is not None:
                self._active.discard(connection)
                if (
                    discard
                    or self._closed
                    or not connection.is_idle()
                    or self._num_idle >= self.limits.soft_limit
                    or self.limits.keepalive_expiry == 0
                ):
                    connection.close()
                else:
                    connection.idle_since = self._backend.monotonic()
                    self._idle.setdefault(connection.origin, []).append(connection)
                    self._num_idle += 1
            self._wake_one()

    def _wake_one(self) -> None:
        # Waiters are set only here (after leaving the queue) and by close() (which empties it).
        if self._waiters:
            self._waiters.popleft().set()

    def _abandon(self, waiter: AsyncEvent) -> None:
        """A waiter gives up (timeout or cancellation); pass on a wake-up it may have taken."""
        with self._lock:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                # Out of the queue means woken (or the pool closed, and waking is harmless).
                self._wake_one()

    def _has_expired(self, connection: AsyncHTTP11Connection, now: float) -> bool:
        expiry = self.limits.keepalive_expiry
        return expiry is not None and now - connection.idle_since >= expiry

    def _sweep(self, now: float) -> None:
        """Close idle connections past their keep-alive expiry (at most about once a second)."""
        self._next_sweep = now + 1.0
        for origin, connections in list(self._idle.items()):
            keep = []
            for connection in connections:
                if self._has_expired(connection, now):
                    connection.close()
                    self._num_idle -= 1
                else:
                    keep.append(connection)
            if keep:
                self._idle[origin] = keep
            else:
                del self._idle[origin]

    def _evict_oldest_idle(self) -> None:
        # Lists in _idle are never empty, oldest first.
        origin = min(self._idle, key=lambda o: self._idle[o][0].idle_since)
        connections = self._idle[origin]
        connections.pop(0).close()
        self._num_idle -= 1
        if not connections:
            del self._idle[origin]

    async def close(self) -> None:
        """Close every connection, idle or in use; later requests raise `PoolClosed`."""
        with self._lock:
            self._closed = True
            self._reclaim_abandoned()
            connections = [c for conns in self._idle.values() for c in conns]
            connections.extend(self._active)
            self._idle.clear()
            self._num_idle = 0
            waiters = list(self._waiters)
            self._waiters.clear()
        for connection in connections:
            connection.close()
        for waiter in waiters:
            waiter.set()
        await self._backend.checkpoint()

    async def __aenter__(self) -> ConnectionPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()
