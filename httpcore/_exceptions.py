"""The exceptions httpcore raises, and the one place that maps foreign ones.

Every exception raised by httpcore derives from `HTTPCoreError`::

    HTTPCoreError
    ├── Timeout
    │   ├── ConnectTimeout
    │   ├── ReadTimeout
    │   ├── WriteTimeout
    │   ├── PoolTimeout
    │   └── TotalTimeout
    ├── NetworkError
    │   ├── ConnectError
    │   │   └── TLSError
    │   │       └── CertificateError
    │   ├── ReadError
    │   ├── WriteError
    │   └── ConnectionClosed
    │       └── RequestNotProcessed
    ├── ProtocolError
    │   ├── RemoteProtocolError
    │   │   └── LimitExceeded
    │   └── LocalProtocolError (also ValueError)
    │       └── RequestTypeError (also TypeError)
    ├── DecodingError
    ├── ProxyError
    ├── StreamError
    │   ├── StreamConsumed
    │   ├── ResponseClosed
    │   └── ResponseNotRead
    ├── PoolClosed
    ├── TLSConfigError (also ValueError)
    └── InvalidURL (also ValueError)
        └── UnsupportedScheme
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping


class HTTPCoreError(Exception):
    """Base class of every exception raised by httpcore."""


# Timeouts ---------------------------------------------------------------------


class Timeout(HTTPCoreError):
    """A configured timeout expired."""


class ConnectTimeout(Timeout):
    """Establishing the TCP connection (or the TLS handshake) took too long."""


class ReadTimeout(Timeout):
    """No data arrived from the server within the read timeout."""


class WriteTimeout(Timeout):
    """Sending data to the server took longer than the write timeout."""


class PoolTimeout(Timeout):
    """No connection became free within the pool timeout."""


class TotalTimeout(Timeout):
    """The request ran past its `total_timeout`, whichever stage it was at."""


# Network ----------------------------------------------------------------------


class NetworkError(HTTPCoreError):
    """The network failed: a connection could not be made, or it broke."""


class ConnectError(NetworkError):
    """The connection could not be established."""


class TLSError(ConnectError):
    """The TLS handshake failed."""


class CertificateError(TLSError):
    """The server's certificate could not be verified (untrusted, expired, wrong name)."""


class ReadError(NetworkError):
    """Receiving data from the server failed."""


class WriteError(NetworkError):
    """Sending data to the server failed."""


class ConnectionClosed(NetworkError):
    """The server closed the connection before a complete response arrived."""


class RequestNotProcessed(ConnectionClosed):
    """The server did not process the request (GOAWAY, REFUSED_STREAM): it may be sent again."""


# Protocol ---------------------------------------------------------------------


class ProtocolError(HTTPCoreError):
    """An HTTP message broke the protocol."""


class RemoteProtocolError(ProtocolError):
    """The server sent something that is not valid HTTP."""


class LimitExceeded(RemoteProtocolError):
    """The server sent more than a configured limit allows (header size, header count...)."""


class LocalProtocolError(ProtocolError, ValueError):
    """The request cannot be sent as given (for example CR or LF in a header value)."""


class RequestTypeError(LocalProtocolError, TypeError):
    """A request argument has the wrong type (a str body, a header value that is a number...)."""


# Other families ---------------------------------------------------------------


class DecodingError(HTTPCoreError):
    """A response body could not be decoded with its Content-Encoding."""


class ProxyError(HTTPCoreError):
    """A proxy refused or failed to open a connection, or broke its protocol.

    `status_code` and `reason` hold the proxy's answer when it refused a CONNECT
    (407, 403, 502...); both are None for other failures (SOCKS5 errors included).
    """

    def __init__(
        self, message: str = "", *, status_code: int | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.reason = reason


class StreamError(HTTPCoreError):
    """A response body was used in a way its state does not allow."""


class StreamConsumed(StreamError):
    """The response body was already read by stream(), raw() or read()."""


class ResponseClosed(StreamError):
    """The response was closed before its body was read."""


class ResponseNotRead(StreamError):
    """`body` was accessed on a streamed response before `read()`."""


class PoolClosed(HTTPCoreError):
    """The connection pool was closed and cannot send requests."""


class TLSConfigError(HTTPCoreError, ValueError):
    """The TLS settings cannot be loaded: a missing or invalid CA bundle, certificate or key."""


class InvalidURL(HTTPCoreError, ValueError):
    """The URL cannot be used for a request (no scheme, no host, bad port...)."""


class UnsupportedScheme(InvalidURL):
    """The URL's scheme is neither http nor https."""


ExceptionMap = Mapping[type[BaseException], type[HTTPCoreError]]


@contextlib.contextmanager
def map_exceptions(mapping: ExceptionMap) -> Iterator[None]:
    """Re-raise foreign exceptions as the httpcore exception the mapping names.

    The first matching entry wins, so list subclasses before their bases.
    Exceptions that are already httpcore's pass through unchanged.
    """
    try:
        yield
    except HTTPCoreError:
        raise
    except Exception as exc:
        for source, target in mapping.items():
            if isinstance(exc, source):
                raise target(str(exc) or type(exc).__name__) from exc
        raise
