"""httpcore: a low-level, async-first HTTP client with a thread-synchronous twin."""

from ._async.pool import ConnectionPool
from ._async.response import Response
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
    ResponseClosed,
    ResponseNotRead,
    StreamConsumed,
    StreamError,
    Timeout,
    TLSError,
    UnsupportedScheme,
    WriteError,
    WriteTimeout,
)
from ._models import URL, Origin, Request
from ._sync.pool import SyncConnectionPool
from ._sync.response import SyncResponse

__version__ = "0.1.0"

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
    "NetworkError",
    "Origin",
    "PoolClosed",
    "PoolLimits",
    "PoolTimeout",
    "ProtocolError",
    "ProtocolLimits",
    "ProxyError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "Request",
    "Response",
    "ResponseClosed",
    "ResponseNotRead",
    "SSLConfig",
    "StreamConsumed",
    "StreamError",
    "SyncConnectionPool",
    "SyncResponse",
    "TLSError",
    "Timeout",
    "TimeoutConfig",
    "UnsupportedScheme",
    "WriteError",
    "WriteTimeout",
]
