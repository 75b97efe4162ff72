"""Connections through a proxy: forward mode, CONNECT tunnels and SOCKS5 tunnels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._backends.asyncio import AsyncBackend, AsyncStream
from .._config import ProtocolLimits, SSLConfig, capped
from .._exceptions import (
    ConnectTimeout,
    LimitExceeded,
    ProxyError,
    ReadTimeout,
    RemoteProtocolError,
    WriteTimeout,
)
from .._h1 import NEED_DATA, Head, ResponseReader
from .._models import Origin
from .._proxy import Proxy, check_connect_response, connect_head
from .._socks5 import Socks5Handshake
from .connection import AsyncTracer, connection_over, open_stream, start_tls
from .http11 import AsyncHTTP11Connection

if TYPE_CHECKING:
    from .connection import AsyncConnection

# Handshake messages are small: a SOCKS5 reply is at most 262 bytes.
_HANDSHAKE_READ_SIZE = 64 * 1024


def is_forwarded(proxy: Proxy, origin: Origin) -> bool:
    """Whether requests to `origin` go to the proxy in forward mode rather than a tunnel."""
    return origin.scheme == "http" and not proxy.is_socks


async def open_proxied_connection(
    backend: AsyncBackend,
    proxy: Proxy,
    origin: Origin,
    *,
    ssl: SSLConfig,
    limits: ProtocolLimits,
    timeout: float | None,
    http2: bool,
    trace: AsyncTracer | None = None,
    deadline: float | None = None,
) -> AsyncConnection:
    """Connect through `proxy`: to the proxy itself for forward mode, else a tunnel to `origin`.

    For a tunnel, TLS with the origin (verified against its name, with ALPN for HTTP/2)
    runs inside the tunnel; `timeout` bounds each step of the proxy handshake, and none may
    wait past `deadline` (a `time.monotonic()` value).

    ```python
    proxy = Proxy("http://proxy.example:3128")
    origin = Origin("http", "example.com", 80)  # plain http: forward mode, no tunnel
    connection = await open_proxied_connection(backend, proxy, origin, ssl=ssl,
                                               limits=limits, timeout=5.0, http2=False)
    ```
    """
    proxy_context = None
    if proxy.is_secure:
        proxy_context = (proxy.ssl or ssl).load_ssl_context(http2=False)
    stream = await open_stream(
        backend,
        proxy.host,
        proxy.port,
        ssl_context=proxy_context,
        timeout=timeout,
        trace=trace,
        deadline=deadline,
    )
    if is_forwarded(proxy, origin):
        return AsyncHTTP11Connection(origin, stream, limits, created_at=backend.monotonic())
    try:
        info = {"proxy": proxy.url, "mode": "SOCKS5" if proxy.is_socks else "CONNECT"}
        if trace is not None:
            await trace.emit("connection.proxy.started", info)
        try:
            if proxy.is_socks:
                await _socks5_handshake(backend, stream, proxy, origin, timeout, deadline)
            else:
                await _connect_handshake(stream, proxy, origin, limits, timeout, deadline)
        except (ReadTimeout, WriteTimeout) as exc:
            raise ConnectTimeout(f"timed out in the handshake with the proxy {proxy.url}") from exc
        if trace is not None:
            await trace.emit("connection.proxy.complete", info)
        if origin.is_secure:
            context = ssl.load_ssl_context(http2=http2)
            stream = await start_tls(stream, context, origin.host, capped(timeout, deadline), trace)
    except BaseException:
        stream.close()
        raise
    return await connection_over(
        backend, origin, stream, limits=limits, timeout=timeout, http2=http2, deadline=deadline
    )


async def _connect_handshake(
    stream: AsyncStream,
    proxy: Proxy,
    origin: Origin,
    limits: ProtocolLimits,
    timeout: float | None,
    deadline: float | None,
) -> None:
    """Send CONNECT and read the answer (RFC 9110 section 9.3.6); raise unless it is a 2xx."""
    await stream.write(connect_head(origin, proxy), capped(timeout, deadline))
    reader = ResponseReader(
        b"CONNECT",
        max_header_bytes=limits.max_header_bytes,
        max_header_count=limits.max_header_count,
    )
    try:
        head = await _read_final_head(stream, reader, limits, timeout, deadline)
    except LimitExceeded:
        raise
    except RemoteProtocolError as exc:
        raise ProxyError(f"the proxy {proxy.url} sent an invalid answer to CONNECT: {exc}") from exc
    check_connect_response(head, origin, proxy)
    if reader.trailing:
        # The origin speaks only after we do; bytes now would be read as its answer.
        raise ProxyError(f"the proxy {proxy.url} sent data into the tunnel before it was used")


async def _read_final_head(
    stream: AsyncStream,
    reader: ResponseReader,
    limits: ProtocolLimits,
    timeout: float | None,
    deadline: float | None,
) -> Head:
    """The first non-1xx response head (RFC 9110 section 15.2), after at most
    `limits.max_informational_responses` 1xx ones."""
    for _ in range(limits.max_informational_responses + 1):
        event = reader.next_event()
        while event is NEED_DATA:
            reader.feed(await stream.read(_HANDSHAKE_READ_SIZE, capped(timeout, deadline)))
            event = reader.next_event()
        assert isinstance(event, Head)
        if event.status_code >= 200:
            return event
    raise limits.too_many_informational()


async def _socks5_handshake(
    backend: AsyncBackend,
    stream: AsyncStream,
    proxy: Proxy,
    origin: Origin,
    timeout: float | None,
    deadline: float | None,
) -> None:
    host = origin.host
    if not proxy.remote_dns:
        host = await backend.resolve(host, origin.port, timeout=capped(timeout, deadline))
    handshake = Socks5Handshake(host, origin.port, auth=proxy.auth)
    await stream.write(handshake.greeting(), capped(timeout, deadline))
    while not handshake.is_complete:
        data = await stream.read(_HANDSHAKE_READ_SIZE, capped(timeout, deadline))
        if not data:
            raise ProxyError(f"the SOCKS5 proxy {proxy.url} closed the connection in the handshake")
        await stream.write(handshake.feed(data), capped(timeout, deadline))
