"""requests' exception hierarchy, and the one table mapping httpcore's exceptions onto it.

The classes, their bases and their names are those of `requests.exceptions`, so code that
catches `requests` exceptions catches ours::

    RequestException (OSError)
    ├── InvalidJSONError
    │   └── JSONDecodeError (also json.JSONDecodeError)
    ├── HTTPError
    ├── ConnectionError
    │   ├── ProxyError
    │   ├── SSLError
    │   └── ConnectTimeout (also Timeout)
    ├── Timeout
    │   ├── ConnectTimeout
    │   ├── ReadTimeout
    │   └── TotalTimeout
    ├── URLRequired
    ├── TooManyRedirects
    ├── MissingSchema (also ValueError)
    ├── InvalidSchema (also ValueError)
    ├── InvalidURL (also ValueError)
    │   └── InvalidProxyURL
    ├── InvalidHeader (also ValueError)
    ├── ChunkedEncodingError
    ├── ContentDecodingError
    ├── StreamConsumedError (also TypeError)
    ├── RetryError
    ├── UnrewindableBodyError
    └── ContentNotRead (ours: a streamed body touched before it was read)

`map_core_exceptions(request)` wraps calls into httpcore and re-raises what they raise as the
class `CORE_TO_COMPAT` names, chained with `from` and carrying the request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpcore


class RequestException(IOError):
    """There was an ambiguous exception that occurred while handling your request.

    Arguments: the message (or the underlying exception), and the keywords `request` and
    `response`; without `request`, the response's own request is used.

    ```python
    try:
        response = await requests_async.get("http://example.com/status/503")
        response.raise_for_status()
    except RequestException as exc:
        print(exc.request.url, exc.response.status_code)
    ```
    """

    # Annotated as Any: the request and response classes live in modules that import this one.
    request: Any
    response: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        response = kwargs.pop("response", None)
        request = kwargs.pop("request", None)
        if response is not None and not request:
            request = getattr(response, "request", None)
        self.response = response
        self.request = request
        super().__init__(*args, **kwargs)


class InvalidJSONError(RequestException):
    """A JSON error occurred."""


class JSONDecodeError(InvalidJSONError, json.JSONDecodeError):
    """Couldn't decode the text into json.

    Built like `json.JSONDecodeError(msg, doc, pos)`, plus `request`/`response` keywords;
    its message is the json one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        json.JSONDecodeError.__init__(self, *args)
        # The OSError side gets the formatted json message only, not (msg, doc, pos).
        InvalidJSONError.__init__(self, *self.args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickling must call __init__ with (msg, doc, pos), as json.JSONDecodeError does.
        return (type(self), (self.msg, self.doc, self.pos))


class HTTPError(RequestException):
    """An HTTP error occurred."""


class ConnectionError(RequestException):
    """A Connection error occurred."""


class ProxyError(ConnectionError):
    """A proxy error occurred."""


class SSLError(ConnectionError):
    """An SSL error occurred."""


class Timeout(RequestException):
    """The request timed out.

    Catching this error catches both `ConnectTimeout` and `ReadTimeout`.
    """


class ConnectTimeout(ConnectionError, Timeout):
    """The request timed out while trying to connect to the remote server.

    Requests that produced this error are safe to retry.
    """


class ReadTimeout(Timeout):
    """The server did not send any data in the allotted amount of time."""


class TotalTimeout(Timeout):
    """The request, with its redirects, retries and body, ran past its `total_timeout`.

    Raised when `timeout` is an `httpcore.TimeoutConfig` with `total_timeout` set; never
    retried, as no time is left.
    """


class URLRequired(RequestException):
    """A valid URL is required to make a request."""


class TooManyRedirects(RequestException):
    """Too many redirects."""


class MissingSchema(RequestException, ValueError):
    """The URL scheme (e.g. http or https) is missing."""


class InvalidSchema(RequestException, ValueError):
    """The URL scheme provided is either invalid or unsupported."""


class InvalidURL(RequestException, ValueError):
    """The URL provided was somehow invalid."""


class InvalidHeader(RequestException, ValueError):
    """The header value provided was somehow invalid."""


class InvalidProxyURL(InvalidURL):
    """The proxy URL provided is invalid."""


class ChunkedEncodingError(RequestException):
    """The server declared chunked encoding but sent an invalid chunk."""


# requests also derives this from urllib3's HTTPError; urllib3 is not a dependency here, so
# `except urllib3.exceptions.HTTPError` does not catch ours.
class ContentDecodingError(RequestException):
    """Failed to decode response content."""


class StreamConsumedError(RequestException, TypeError):
    """The content for this response was already consumed."""


class RetryError(RequestException):
    """Custom retries logic failed."""


class UnrewindableBodyError(RequestException):
    """Requests encountered an error when trying to rewind a body."""


CONTENT_NOT_READ_MESSAGE = (
    "the body of a streamed response has not been read: use `await response.read()` "
    "(`response.read()` with requests_async.sync)"
)


class InvalidBody(RequestException, TypeError):
    """A request body (or a chunk of one) has a type that cannot be sent, such as an int.

    Also a `TypeError`, which is what requests' lower layers raise for such bodies.
    """


class ContentNotRead(RequestException):
    """A streamed response's body was used (`content`, `text`, `json()`) before it was read.

    Without arguments the message says how to read it.

    ```python
    response = await session.get(url, stream=True)
    try:
        response.content
    except ContentNotRead:
        await response.read()  # then `content`, `text` and `json()` work
    ```
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*(args or (CONTENT_NOT_READ_MESSAGE,)), **kwargs)


# Warnings ---------------------------------------------------------------------


class RequestsWarning(Warning):
    """Base warning for Requests."""


class FileModeWarning(RequestsWarning, DeprecationWarning):
    """A file was opened in text mode, but Requests determined its binary length."""


class RequestsDependencyWarning(RequestsWarning):
    """An imported dependency doesn't match the expected version range."""


# The httpcore -> requests mapping -----------------------------------------------


class CompatTargets(NamedTuple):
    """What an httpcore exception becomes while sending (up to the response head) and later."""

    sending: type[RequestException]
    reading_body: type[RequestException]


def _same(target: type[RequestException]) -> CompatTargets:
    return CompatTargets(target, target)


# Rule: where requests maps an urllib3 condition explicitly (adapters.py, models.py), we raise the
# same class; where its outcome is an accident of urllib3's internals, we raise the class that
# names the condition. The first matching row wins, so subclasses come before their bases.
CORE_TO_COMPAT: dict[type[httpcore.HTTPCoreError], CompatTargets] = {
    # requests raises SSLError for handshake and certificate failures, also mid-body
    # (Response.iter_content). A CA bundle or client certificate that cannot be loaded is a
    # plain OSError (missing path) or an SSLError (bad contents) in requests: SSLError is both.
    httpcore.CertificateError: _same(SSLError),
    httpcore.TLSError: _same(SSLError),
    httpcore.TLSConfigError: _same(SSLError),
    httpcore.TotalTimeout: _same(TotalTimeout),
    httpcore.ConnectTimeout: _same(ConnectTimeout),
    # Pool exhaustion: requests waits forever with pool_block=True (it sets no pool timeout),
    # and urllib3's EmptyPoolError would leak unwrapped. Nothing was sent yet, so this is the
    # retry-safe ConnectTimeout, which is also a ConnectionError and a Timeout.
    httpcore.PoolTimeout: _same(ConnectTimeout),
    # requests: ReadTimeout while waiting for the head, but ConnectionError once the body is
    # being read (Response.iter_content wraps urllib3's ReadTimeoutError so).
    httpcore.ReadTimeout: CompatTargets(ReadTimeout, ConnectionError),
    # requests surfaces a stalled send as ConnectionError("Connection aborted.") because urllib3
    # cannot tell it from other socket errors; we know it is a timeout, and say so.
    httpcore.WriteTimeout: _same(Timeout),
    httpcore.Timeout: _same(Timeout),
    httpcore.ProxyError: _same(ProxyError),
    # requests: ConnectionError("Connection aborted.") before the head; ChunkedEncodingError
    # ("Connection broken") for a body cut short, a bad chunk, or a socket error mid-body.
    httpcore.LimitExceeded: CompatTargets(ConnectionError, ChunkedEncodingError),
    httpcore.RemoteProtocolError: CompatTargets(ConnectionError, ChunkedEncodingError),
    # Every LocalProtocolError is raised while framing the request head: a method, a header name
    # or value, or Content-Length/Transfer-Encoding against the body. requests raises
    # InvalidHeader for bad headers (check_header_validity) and http.client a bare ValueError for
    # a bad method; InvalidHeader is a RequestException and a ValueError, so both catches work.
    httpcore.RequestTypeError: _same(InvalidBody),
    httpcore.LocalProtocolError: _same(InvalidHeader),
    httpcore.ProtocolError: CompatTargets(ConnectionError, ChunkedEncodingError),
    httpcore.NetworkError: CompatTargets(ConnectionError, ChunkedEncodingError),
    httpcore.DecodingError: _same(ContentDecodingError),
    httpcore.StreamConsumed: _same(StreamConsumedError),
    # A closed response's body can no longer be had, as if consumed.
    httpcore.ResponseClosed: _same(StreamConsumedError),
    httpcore.ResponseNotRead: _same(ContentNotRead),
    httpcore.StreamError: _same(StreamConsumedError),
    # requests: ClosedPoolError -> ConnectionError.
    httpcore.PoolClosed: _same(ConnectionError),
    httpcore.UnsupportedScheme: _same(InvalidSchema),
    httpcore.InvalidURL: _same(InvalidURL),
    httpcore.HTTPCoreError: _same(RequestException),
}


def compat_exception_class(
    exc: httpcore.HTTPCoreError, *, reading_body: bool = False
) -> type[RequestException]:
    """Return the requests class `CORE_TO_COMPAT` names for an httpcore exception.

    Arguments: the httpcore exception; `reading_body`, true once the response head was received.

    ```python
    compat_exception_class(httpcore.ConnectTimeout("slow")) is ConnectTimeout
    ```
    """
    # The last row, HTTPCoreError, matches whatever the others do not.
    targets = next(row for source, row in CORE_TO_COMPAT.items() if isinstance(exc, source))
    return targets.reading_body if reading_body else targets.sending


@contextlib.contextmanager
def map_core_exceptions(request: Any = None, *, reading_body: bool = False) -> Iterator[None]:
    """Re-raise httpcore exceptions as requests' classes, chained, with `request` attached.

    Arguments: the `PreparedRequest` being sent; `reading_body`, true around reading the body
    (some conditions map differently there, as in requests). Other exceptions pass through.

    ```python
    try:
        with map_core_exceptions(prepared):
            raise httpcore.ConnectTimeout("slow")
    except ConnectTimeout as exc:
        assert exc.request is prepared
        assert isinstance(exc.__cause__, httpcore.ConnectTimeout)
    ```
    """
    try:
        yield
    except httpcore.HTTPCoreError as exc:
        target = compat_exception_class(exc, reading_body=reading_body)
        # As requests does, the underlying exception is the single argument.
        raise target(exc, request=request) from exc
