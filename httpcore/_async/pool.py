"""The connection pool: keep-alive reuse per origin, HTTP/2 multiplexing, limits, retries."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from .._backends.asyncio import AsyncBackend, AsyncEvent
from .._config import (
    DEFAULT,
    DEFAULT_POOL_LIMITS,
    DEFAULT_PROTOCOL_LIMITS,
    DEFAULT_SSL_CONFIG,
    DEFAULT_TIMEOUT_CONFIG,
    PoolLimits,
    ProtocolLimits,
    SSLConfig,
    TimeoutConfig,
    _Default,
    capped,
    deadline_after,
    past_deadline,
    time_left,
)
from .._exceptions import (
    ConnectionClosed,
    PoolTimeout,
    ReadError,
    RequestNotProcessed,
    RequestTypeError,
    WriteError,
)
from .._models import URL, Origin, Request
from .._proxy import Proxy, forward_request
from .._trace import TraceHook, is_debug_enabled, log_opened
from .._types import BodyTypes, HeaderTypes
from .connection import AsyncTracer, open_connection
from .pool_state import AsyncPoolState, PendingConnection
from .proxy import is_forwarded, open_proxied_connection
from .response import Response

if TYPE_CHECKING:
    from .connection import AsyncConnection

# Errors that, on a reused connection before any response byte, mean the server had closed it.
_STALE_ERRORS = (ConnectionClosed, ReadError, WriteError)
# How often a request the server did not process (HTTP/2 GOAWAY, REFUSED_STREAM) is sent again.
_MAX_NOT_PROCESSED_RETRIES = 3


class ConnectionPool(AsyncPoolState):
    """An async HTTP client: a pool of keep-alive connections, HTTP/1.1 or HTTP/2, TCP or TLS.

    Arguments:

    * `ssl`: an `SSLConfig` (certifi-verified by default).
    * `timeout`: a `TimeoutConfig`, or seconds for all timeouts, or `None` for none.
    * `limits`: a `PoolLimits` (keep-alive and open-connection limits, keep-alive expiry).
    * `protocol_limits`: a `ProtocolLimits` bounding response heads.
    * `http2`: offer HTTP/2 to https servers (ALPN); concurrent requests to one origin
      then share one connection.
    * `http2_prior_knowledge`: speak HTTP/2 to http servers without asking (h2c); also
      turns on `http2`.
    * `proxy`: send every request through this proxy: a `Proxy`, or its URL
      (`http://`, `https://`, `socks5://` or `socks5h://`). See the proxies page.
    * `trace`: a callable called with a `TraceEvent` at each stage of every request
      (plain or async). See the observability page.

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
        http2: bool = False,
        http2_prior_knowledge: bool = False,
        proxy: Proxy | str | None = None,
        backend: AsyncBackend | None = None,
        trace: TraceHook | None = None,
    ) -> None:
        self.ssl = ssl
        self.trace = trace
        self.proxy = proxy if proxy is None or isinstance(proxy, Proxy) else Proxy(proxy)
        self.timeout = timeout if isinstance(timeout, TimeoutConfig) else TimeoutConfig(timeout)
        self.protocol_limits = protocol_limits
        self.http2 = http2 or http2_prior_knowledge
        self.http2_prior_knowledge = http2_prior_knowledge
        http2_schemes = (["https"] if self.http2 else []) + (
            ["http"] if http2_prior_knowledge else []
        )
        super().__init__(
            AsyncBackend() if backend is None else backend, limits, frozenset(http2_schemes)
        )

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
        timeout: TimeoutConfig | float | _Default | None = DEFAULT,
        trace: TraceHook | None = None,
    ) -> Response:
        """Send a request and return its response.

        Arguments: the `method` (`"GET"`...), the `url`, `headers` (a mapping or a list of
        pairs, str or bytes), `body` (bytes, or an iterator or async iterator of bytes: sent
        chunked unless a Content-Length header is given), `stream` (return as soon as the
        head arrives; read the body with `stream()`, `raw()` or `read()`), `timeout` to
        override the pool's timeouts for this request, and `trace` to use this trace hook
        instead of the pool's.

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
        if isinstance(timeout, _Default):
            timeouts = self.timeout
        elif isinstance(timeout, TimeoutConfig):
            timeouts = timeout
        else:
            timeouts = TimeoutConfig(timeout)
        timeouts = timeouts.start()
        hook = self.trace if trace is None else trace
        tracer = None
        log = is_debug_enabled(logging.DEBUG)
        if hook is not None or log:
            tracer = AsyncTracer(hook, request, log=log)
        try:
            response = await self._send(request, timeouts, tracer)
        except Exception as exc:
            # Whatever stage ran past the deadline, the request ends with TotalTimeout.
            error = past_deadline(exc, timeouts.deadline)
            if tracer is not None:
                await tracer.emit("request.failed", {"error": error})
            if error is exc:
                raise
            raise error  # noqa: B904 - past_deadline chained it to exc
        if not stream:
            # Reports its own failures.
            await response.read()
        return response

    async def _send(
        self, request: Request, timeout: TimeoutConfig, trace: AsyncTracer | None
    ) -> Response:
        origin = request.url.origin
        proxy = self.proxy
        if proxy is not None and is_forwarded(proxy, origin):
            # Tunnels are keyed by their origin; forward mode shares connections to the proxy.
            origin = proxy.forward_key
            request = forward_request(request, proxy)
        retried = False
        not_processed = 0
        while True:
            connection, pending, waited = await self._acquire(origin, timeout, trace)
            reused = connection is not None
            try:
                if connection is None:
                    connection = await self._connect(origin, timeout, pending, trace, waited)
                elif trace is not None:
                    if waited:
                        await trace.emit("pool.wait.complete", {"origin": origin})
                    info = {"origin": origin, "http_version": connection.http_version}
                    await trace.emit("connection.reused", info)
                if connection.multiplexed:
                    on_close = functools.partial(self._stream_closed, connection)
                    return await connection.send(request, timeout, on_close, trace)
                return await connection.send(
                    request, timeout, functools.partial(self._response_closed, connection), trace
                )
            except BaseException as exc:
                if connection is not None and connection.multiplexed:
                    self._release_stream(connection)
                    if (
                        isinstance(exc, RequestNotProcessed)
                        and not request.is_streaming
                        and not_processed < _MAX_NOT_PROCESSED_RETRIES
                    ):
                        # RFC 9113 sections 6.8 and 8.7: the server did not process the
                        # request, so it may be sent again, whatever its method.
                        not_processed += 1
                        continue
                    stale = True
                else:
                    self._release(connection, discard=True)
                    stale = connection is None or not connection.received_any_response_bytes()
                if (
                    reused
                    and not retried
                    and stale
                    and isinstance(exc, _STALE_ERRORS)
                    and request.is_idempotent
                    and not request.is_streaming
                ):
                    # RFC 9112 section 9.3.1: a request on a connection the server closed
                    # while idle may be retried when it is idempotent.
                    retried = True
                    continue
                raise

    async def _connect(
        self,
        origin: Origin,
        timeout: TimeoutConfig,
        pending: PendingConnection | None,
        trace: AsyncTracer | None,
        waited: bool,
    ) -> AsyncConnection:
        http2 = origin.scheme in self._http2_schemes
        try:
            if trace is not None and waited:
                # Here, so that a hook raising resolves `pending` like a failed connect.
                await trace.emit("pool.wait.complete", {"origin": origin})
            if self.proxy is None:
                opener = functools.partial(open_connection, self._backend, origin)
            else:
                opener = functools.partial(
                    open_proxied_connection, self._backend, self.proxy, origin
                )
            connection = await opener(
                ssl=self.ssl,
                limits=self.protocol_limits,
                timeout=timeout.connect_timeout,
                http2=http2,
                trace=trace,
                deadline=timeout.deadline,
            )
        except BaseException as exc:
            if pending is not None:
                with self._lock:
                    # Requests waiting for this connection get the error of the connect as
                    # it is, not as this request's own deadline makes it.
                    self._resolve(origin, pending, exc)
            raise
        self._register(connection, origin, pending)
        if trace is not None and trace.log:
            proxy = None if self.proxy is None else self.proxy.url
            log_opened(origin, proxy, connection.http_version, connection.tls_version)
        return connection

    async def _acquire(
        self, origin: Origin, timeout: TimeoutConfig, trace: AsyncTracer | None
    ) -> tuple[AsyncConnection | None, PendingConnection | None, bool]:
        """Return a connection to use, or None after reserving a slot for a new one.

        With the slot comes the `PendingConnection` this request must resolve once connected, if
        other requests for the origin are to wait for its connection; last, whether the
        request had to wait.
        """
        granted, connection, waiter, pending = self._checkout(origin, front=False)
        if granted:
            return connection, pending, False
        self._count_waiting(origin, +1)
        try:
            if trace is not None:
                try:
                    await trace.emit("pool.wait.started", {"origin": origin})
                except BaseException:
                    if waiter is not None:
                        self._abandon(waiter)
                    raise
            connection, pending = await self._wait(
                origin, capped(timeout.pool_timeout, timeout.deadline), waiter, pending
            )
        finally:
            self._count_waiting(origin, -1)
        return connection, pending, True

    async def _wait(
        self,
        origin: Origin,
        timeout: float | None,
        waiter: AsyncEvent | None,
        pending: PendingConnection | None,
    ) -> tuple[AsyncConnection | None, PendingConnection | None]:
        """Wait for a slot or a connection, queued by `_checkout` (on `waiter` or `pending`)."""
        deadline = deadline_after(timeout)
        while True:
            remaining = time_left(deadline)
            if waiter is not None:
                try:
                    woken = await waiter.wait(remaining)
                except BaseException:
                    self._abandon(waiter)
                    raise
                if not woken:
                    self._abandon(waiter)
                    raise PoolTimeout(f"no connection became free within {timeout} seconds")
            else:
                assert pending is not None
                if not await pending.event.wait(remaining):
                    raise PoolTimeout(f"no connection was opened within {timeout} seconds")
                if pending.error is not None:
                    error = pending.error
                    raise type(error)(str(error)) from error
            granted, connection, waiter, pending = self._checkout(origin, front=waiter is not None)
            if granted:
                return connection, pending

    async def close(self) -> None:
        """Close every connection, idle or in use; later requests raise `PoolClosed`."""
        connections, waiters = self._shut()
        for connection in connections:
            self._close(connection, "pool closed")
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
