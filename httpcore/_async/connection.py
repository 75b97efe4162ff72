"""Opening a connection: TCP, then TLS, where ALPN chooses HTTP/1.1 or HTTP/2."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from .._backends.asyncio import AsyncBackend, AsyncStream, call_hook
from .._config import ProtocolLimits, SSLConfig, capped
from .._exceptions import ConnectError
from .._models import Origin, Request
from .._trace import TraceEvent, TraceHook, log_event
from .http11 import AsyncHTTP11Connection, tls_version

# The HTTP/2 engine is imported with the first HTTP/2 connection: most programs never make
# one. `multiplexed` tells the two apart.
if TYPE_CHECKING:
    from .http2 import AsyncHTTP2Connection

    AsyncConnection: TypeAlias = AsyncHTTP11Connection | AsyncHTTP2Connection


class AsyncTracer:
    """One request's observers: its trace hook (if any) and the DEBUG log (if enabled).

    Made only when one of them is on: code paths test `trace is not None` and nothing else.
    """

    __slots__ = ("hook", "log", "request")

    def __init__(self, hook: TraceHook | None, request: Request, *, log: bool) -> None:
        self.hook = hook
        self.request = request
        self.log = log

    async def emit(self, name: str, info: Mapping[str, Any]) -> None:
        """Report that the request reached stage `name`."""
        if self.log:
            log_event(name, self.request, info)
        if self.hook is not None:
            await call_hook(self.hook, TraceEvent(name, time.monotonic(), self.request, info))


async def open_connection(
    backend: AsyncBackend,
    origin: Origin,
    *,
    ssl: SSLConfig,
    limits: ProtocolLimits,
    timeout: float | None,
    http2: bool,
    trace: AsyncTracer | None = None,
    deadline: float | None = None,
) -> AsyncConnection:
    """Connect to `origin`, speaking HTTP/2 if `http2` and the server agrees.

    `timeout` bounds each step (name resolution, TCP, TLS, HTTP/2 settings), and none may
    wait past `deadline` (a `time.monotonic()` value: the request's total timeout).

    Over TLS, HTTP/2 is offered through ALPN (RFC 9113 section 3.2) and used if the server
    picks it; over cleartext `http2` means prior knowledge (RFC 9113 section 3.3). An HTTP/2
    connection is returned once the server's SETTINGS arrived.

    ```python
    connection = await open_connection(backend, origin, ssl=ssl, limits=limits,
                                       timeout=5.0, http2=True)
    ```
    """
    ssl_context = ssl.load_ssl_context(http2=http2) if origin.is_secure else None
    stream = await open_stream(
        backend,
        origin.host,
        origin.port,
        ssl_context=ssl_context,
        timeout=timeout,
        trace=trace,
        deadline=deadline,
    )
    return await connection_over(
        backend, origin, stream, limits=limits, timeout=timeout, http2=http2, deadline=deadline
    )


async def open_stream(
    backend: AsyncBackend,
    host: str,
    port: int,
    *,
    ssl_context: ssl.SSLContext | None,
    timeout: float | None,
    trace: AsyncTracer | None,
    deadline: float | None = None,
) -> AsyncStream:
    """A TCP connection to `host` (TLS over it with `ssl_context`, verified against `host`).

    With a trace hook, each step runs on its own and is reported: name resolution, TCP to
    each address in turn until one accepts (as `socket.create_connection` does), then TLS.

    ```python
    stream = await open_stream(backend, "example.com", 443, ssl_context=context,
                               timeout=5.0, trace=None)
    ```
    """
    if trace is None or trace.hook is None:
        # One call: `timeout` bounds it whole.
        return await backend.connect_tcp(
            host,
            port,
            timeout=capped(timeout, deadline),
            ssl_context=ssl_context,
            server_hostname=host,
        )
    await trace.emit("connection.dns.started", {"host": host, "port": port})
    addresses = (
        [host]
        if _is_ip_address(host)
        else await backend.resolve_all(host, port, timeout=capped(timeout, deadline))
    )
    info = {"host": host, "port": port, "addresses": addresses}
    await trace.emit("connection.dns.complete", info)
    stream = await _connect_first(backend, addresses, port, timeout, trace, deadline)
    try:
        if ssl_context is not None:
            stream = await start_tls(stream, ssl_context, host, capped(timeout, deadline), trace)
    except BaseException:
        stream.close()
        raise
    return stream


async def _connect_first(
    backend: AsyncBackend,
    addresses: list[str],
    port: int,
    timeout: float | None,
    trace: AsyncTracer,
    deadline: float | None,
) -> AsyncStream:
    error: ConnectError | None = None
    for address in addresses:
        await trace.emit("connection.tcp.started", {"address": address, "port": port})
        try:
            stream = await backend.connect_tcp(address, port, timeout=capped(timeout, deadline))
        except ConnectError as exc:
            # Refused or unreachable: the next address may work. A timeout has used the
            # time there was, and ends the attempt.
            error = exc
            continue
        try:
            await trace.emit("connection.tcp.complete", {"address": address, "port": port})
        except BaseException:
            stream.close()
            raise
        return stream
    assert error is not None
    raise error


async def start_tls(
    stream: AsyncStream,
    ssl_context: ssl.SSLContext,
    server_hostname: str,
    timeout: float | None,
    trace: AsyncTracer | None,
) -> AsyncStream:
    """Run TLS over `stream`, reporting it to `trace`; on failure `stream` is closed.

    ```python
    stream = await start_tls(stream, context, "example.com", 5.0, trace=None)
    ```
    """
    if trace is None:
        return await stream.start_tls(ssl_context, server_hostname, timeout)
    await trace.emit("connection.tls.started", {"server_hostname": server_hostname})
    secure = await stream.start_tls(ssl_context, server_hostname, timeout)
    info = {"tls_version": tls_version(secure), "alpn": secure.alpn_protocol()}
    try:
        await trace.emit("connection.tls.complete", info)
    except BaseException:
        secure.close()
        raise
    return secure


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def connection_over(
    backend: AsyncBackend,
    origin: Origin,
    stream: AsyncStream,
    *,
    limits: ProtocolLimits,
    timeout: float | None,
    http2: bool,
    deadline: float | None = None,
) -> AsyncConnection:
    """The HTTP connection to `origin` over an open `stream`: HTTP/2 if `http2` and agreed.

    ```python
    connection = await connection_over(backend, origin, stream, limits=limits,
                                       timeout=5.0, http2=False)
    ```
    """
    created_at = backend.monotonic()
    if not http2 or (origin.is_secure and stream.alpn_protocol() != "h2"):
        return AsyncHTTP11Connection(origin, stream, limits, created_at=created_at)
    from .http2 import AsyncHTTP2Connection

    connection = AsyncHTTP2Connection(origin, stream, limits, backend, created_at=created_at)
    try:
        await connection.handshake(capped(timeout, deadline))
    except BaseException:
        connection.close()
        raise
    return connection
