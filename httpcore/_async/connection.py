"""Opening a connection: TCP, then TLS, where ALPN chooses HTTP/1.1 or HTTP/2."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from .._backends.asyncio import AsyncBackend, AsyncStream
from .._config import ProtocolLimits, SSLConfig
from .._models import Origin
from .http11 import AsyncHTTP11Connection

# HTTP/2 (and h2) is imported with the first HTTP/2 connection: most programs never make
# one, and h2 costs more import time than the rest. `multiplexed` tells the two apart.
if TYPE_CHECKING:
    from .http2 import AsyncHTTP2Connection

    AsyncConnection: TypeAlias = AsyncHTTP11Connection | AsyncHTTP2Connection


async def open_connection(
    backend: AsyncBackend,
    origin: Origin,
    *,
    ssl: SSLConfig,
    limits: ProtocolLimits,
    timeout: float | None,
    http2: bool,
) -> AsyncConnection:
    """Connect to `origin`, speaking HTTP/2 if `http2` and the server agrees.

    Over TLS, HTTP/2 is offered through ALPN (RFC 9113 section 3.2) and used if the server
    picks it; over cleartext `http2` means prior knowledge (RFC 9113 section 3.3). An HTTP/2
    connection is returned once the server's SETTINGS arrived.

    ```python
    connection = await open_connection(backend, origin, ssl=ssl, limits=limits,
                                       timeout=5.0, http2=True)
    ```
    """
    ssl_context = ssl.load_ssl_context(http2=http2) if origin.is_secure else None
    stream = await backend.connect_tcp(
        origin.host,
        origin.port,
        timeout=timeout,
        ssl_context=ssl_context,
        server_hostname=origin.host,
    )
    return await connection_over(
        backend, origin, stream, limits=limits, timeout=timeout, http2=http2
    )


async def connection_over(
    backend: AsyncBackend,
    origin: Origin,
    stream: AsyncStream,
    *,
    limits: ProtocolLimits,
    timeout: float | None,
    http2: bool,
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
        await connection.handshake(timeout)
    except BaseException:
        connection.close()
        raise
    return connection
