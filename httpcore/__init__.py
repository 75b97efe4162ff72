"""httpcore: a low-level, async-first HTTP client with a thread-synchronous twin."""

from typing import TYPE_CHECKING, Any

from ._config import PoolLimits, ProtocolLimits, SSLConfig, TimeoutConfig
from ._exceptions import (
    CertificateError,
    ConnectError,
    ConnectionClosed,
    ConnectTimeout,
    DecodingError,
    HTTPCoreError,
    InvalidURL,
    LimitExceeded,
    LocalProtocolError,
    NetworkError,
    PoolClosed,
    PoolTimeout,
    ProtocolError,
    ProxyError,
    ReadError,
    ReadTimeout,
    RemoteProtocolError,
    RequestNotProcessed,
    RequestTypeError,
    ResponseClosed,
    ResponseNotRead,
    StreamConsumed,
    StreamError,
    Timeout,
    TLSConfigError,
    TLSError,
    TotalTimeout,
    UnsupportedScheme,
    WriteError,
    WriteTimeout,
)
from ._mock import MockConnectionPool, SyncMockConnectionPool
from ._models import URL, Origin, Request
from ._proxy import Proxy
from ._sync.pool import SyncConnectionPool
from ._sync.response import SyncResponse
from ._trace import OriginStats, TraceEvent

if TYPE_CHECKING:
    from ._async.pool import ConnectionPool
    from ._async.response import Response

__version__ = "0.1.0"

# The async classes load asyncio (tens of milliseconds): only when first used, so that
# `import httpcore` stays cheap for sync users.
_ASYNC_NAMES = {"ConnectionPool": "._async.pool", "Response": "._async.response"}


def __getattr__(name: str) -> Any:
    module = _ASYNC_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'httpcore' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "URL",
    "CertificateError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionClosed",
    "ConnectionPool",
    "DecodingError",
    "HTTPCoreError",
    "InvalidURL",
    "LimitExceeded",
    "LocalProtocolError",
    "MockConnectionPool",
    "NetworkError",
    "Origin",
    "OriginStats",
    "PoolClosed",
    "PoolLimits",
    "PoolTimeout",
    "ProtocolError",
    "ProtocolLimits",
    "Proxy",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Request",
    "RequestNotProcessed",
    "RequestTypeError",
    "Response",
    "ResponseClosed",
    "ResponseNotRead",
    "SSLConfig",
    "StreamConsumed",
    "StreamError",
    "SyncConnectionPool",
    "SyncMockConnectionPool",
    "SyncResponse",
    "TLSConfigError",
    "TLSError",
    "Timeout",
    "TimeoutConfig",
    "TotalTimeout",
    "TraceEvent",
    "UnsupportedScheme",
    "WriteError",
    "WriteTimeout",
]
