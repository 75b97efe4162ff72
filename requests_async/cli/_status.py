"""Exit statuses, and the one-line description of an error."""

from __future__ import annotations

import enum

import httpcore
from requests_async.exceptions import (
    ChunkedEncodingError,
    ConnectionError,
    ContentDecodingError,
    InvalidHeader,
    InvalidSchema,
    InvalidURL,
    MissingSchema,
    ProxyError,
    SSLError,
    Timeout,
    TooManyRedirects,
)

from ._download import DownloadError


class ExitStatus(enum.IntEnum):
    """The exit statuses of the command line client.

    Example: `main(["--check-status", "example.org/missing"]) == ExitStatus.HTTP_4XX`
    """

    OK = 0
    ERROR = 1
    USAGE = 2
    HTTP_3XX = 3
    HTTP_4XX = 4
    HTTP_5XX = 5
    TOO_MANY_REDIRECTS = 6
    CONNECTION_ERROR = 7
    TIMEOUT = 8
    TLS_ERROR = 9
    PROXY_ERROR = 10
    INTERRUPTED = 130


def http_status(status_code: int) -> ExitStatus:
    """The exit status for a response status: 3, 4 or 5 for its class, else OK.

    Example: `http_status(503) == ExitStatus.HTTP_5XX`
    """
    by_class = {3: ExitStatus.HTTP_3XX, 4: ExitStatus.HTTP_4XX, 5: ExitStatus.HTTP_5XX}
    return by_class.get(status_code // 100, ExitStatus.OK)


def _timed_out(exc: BaseException) -> bool:
    # A timeout while reading a body surfaces as requests' ConnectionError (as in requests);
    # the httpcore exception it was raised from still says what happened.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (Timeout, httpcore.Timeout)):
            return True
        seen = seen.__cause__
    return False


# Checked in order: the first class an error is an instance of decides.
_FAMILIES: list[tuple[tuple[type[BaseException], ...], ExitStatus, str]] = [
    ((SSLError,), ExitStatus.TLS_ERROR, "TLS error"),
    ((ProxyError,), ExitStatus.PROXY_ERROR, "proxy error"),
    ((TooManyRedirects,), ExitStatus.TOO_MANY_REDIRECTS, "too many redirects"),
    (
        (ConnectionError, ChunkedEncodingError, ContentDecodingError),
        ExitStatus.CONNECTION_ERROR,
        "connection error",
    ),
    (
        (InvalidURL, MissingSchema, InvalidSchema, InvalidHeader),
        ExitStatus.USAGE,
        "invalid request",
    ),
    ((DownloadError,), ExitStatus.ERROR, "download failed"),
]


def classify(exc: BaseException) -> tuple[ExitStatus, str]:
    """The exit status for an error, and a one-line message naming what went wrong.

    Example: `classify(ReadTimeout("slow"))` is `(ExitStatus.TIMEOUT, "timed out: slow")`
    """
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if _timed_out(exc):
        return ExitStatus.TIMEOUT, f"timed out: {detail}"
    for classes, status, label in _FAMILIES:
        if isinstance(exc, classes):
            return status, f"{label}: {detail}"
    return ExitStatus.ERROR, detail
