"""Retry policy: urllib3's `Retry` fields and counting rules, as a pure value object.

A `Retry` never sleeps and never sends anything. The adapter asks it whether a response should be
retried (`is_retry`), records each failed attempt with `increment` (which returns a new `Retry` or
raises `RetryExhausted`), and sleeps for `get_sleep_time(headers)` before trying again.

Errors are classified by httpcore's exception classes, the way urllib3 classifies its own:
connection errors (`ConnectTimeout`, `ConnectError` but not TLS failures) happened before the
server saw the request; read errors (timeouts, broken connections, malformed responses) happened
after it may have started processing it; anything else counts against `other`. A requests
exception raised `from` an httpcore one is classified by its cause.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Collection, Iterable, Mapping
from itertools import takewhile
from typing import Any, ClassVar, NamedTuple, Protocol, Self

import httpcore

__all__ = [
    "MAX_RETRY_AFTER",
    "RequestHistory",
    "ResponseError",
    "Retry",
    "RetryExhausted",
]

#: Default upper bound, in seconds, for a server's `Retry-After`: a hostile or mistaken value
#: cannot stall a client for hours.
MAX_RETRY_AFTER = 120

HeadersLike = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]

_DELAY_SECONDS = re.compile(r"\s*([0-9]+)\s*")
# Longer digit strings are far beyond any bound; converting them is wasted work (or, past
# Python's int-from-str limit, an error).
_MAX_DELAY_DIGITS = 15
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ResponseLike(Protocol):
    """What `Retry.increment` reads from a response: either an httpcore or a requests Response."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> HeadersLike: ...


class RequestHistory(NamedTuple):
    """One attempt recorded by `Retry.increment`."""

    method: str | None
    url: str | None
    error: BaseException | None
    status: int | None
    redirect_location: str | None


class ResponseError(Exception):
    """The reason carried by `RetryExhausted` when responses, not errors, used up the retries."""


class RetryExhausted(Exception):
    """No retries are left; `reason` is the last error, or a `ResponseError`.

    Arguments:

    - `url`: the URL of the last attempt.
    - `reason`: the exception that caused the last retry.
    """

    def __init__(self, url: str | None, reason: BaseException) -> None:
        super().__init__(f"Max retries exceeded with url: {url} (Caused by {reason!r})")
        self.url = url
        self.reason = reason


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header(headers: HeadersLike, name: str) -> str | None:
    wanted = name.lower()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        if _text(key).lower() == wanted:
            return _text(value)
    return None


def _redirect_location(response: ResponseLike) -> str | None:
    if response.status_code not in _REDIRECT_STATUSES:
        return None
    return _header(response.headers, "location") or None


def _core_error(error: BaseException | None) -> BaseException | None:
    """The first httpcore exception along `error`'s chain of causes."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, httpcore.HTTPCoreError):
            return error
        seen.add(id(error))
        error = error.__cause__
    return None


def _minus_one(count: bool | int | None) -> int | None:
    return None if count is None else count - 1


class Retry:
    """How many times, and after which failures, a request is sent again.

    Arguments (urllib3's): `total` bounds every kind of retry (`None`: no bound; `False`: errors
    are raised as they are); `connect`, `read`, `redirect`, `status` and `other` bound one kind
    each (`False` for `connect`/`read` raises that kind at once); `allowed_methods` (`None`: any
    method) limits read and status retries; `status_forcelist` names statuses to retry;
    `backoff_factor`, `backoff_max` and `backoff_jitter` shape the exponential backoff;
    `raise_on_redirect`/`raise_on_status` tell the adapter whether exhausting them raises or
    returns the last response; `respect_retry_after_header` honours `Retry-After` on 413, 429
    and 503; `remove_headers_on_redirect` is kept for callers that read it; `retry_after_max`
    bounds `Retry-After` (default `MAX_RETRY_AFTER`, where urllib3 allows six hours).

    Example:

        retry = Retry(total=3, status_forcelist={503}, backoff_factor=0.5)
        if retry.is_retry("GET", 503):
            retry = retry.increment("GET", "http://127.0.0.1/", response=response)
            delay = retry.get_sleep_time(response.headers)
    """

    DEFAULT_ALLOWED_METHODS: ClassVar[frozenset[str]] = frozenset(
        {"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"}
    )
    #: Statuses on which a `Retry-After` header alone makes a response retryable (RFC 9110 §10.2.3).
    RETRY_AFTER_STATUS_CODES: ClassVar[frozenset[int]] = frozenset({413, 429, 503})
    DEFAULT_REMOVE_HEADERS_ON_REDIRECT: ClassVar[frozenset[str]] = frozenset(
        {"Cookie", "Authorization", "Proxy-Authorization"}
    )
    DEFAULT_BACKOFF_MAX: ClassVar[float] = 120
    DEFAULT_RETRY_AFTER_MAX: ClassVar[float] = MAX_RETRY_AFTER
    #: The request never reached the server: safe to send again whatever the method.
    CONNECT_ERRORS: ClassVar[tuple[type[BaseException], ...]] = (
        httpcore.ConnectTimeout,
        httpcore.ConnectError,
    )
    #: Connection failures that do not count as connect errors (urllib3 counts TLS as "other").
    NOT_CONNECT_ERRORS: ClassVar[tuple[type[BaseException], ...]] = (httpcore.TLSError,)
    #: The server may have started processing the request: only idempotent methods are retried.
    READ_ERRORS: ClassVar[tuple[type[BaseException], ...]] = (
        httpcore.ReadTimeout,
        httpcore.WriteTimeout,
        httpcore.ReadError,
        httpcore.WriteError,
        httpcore.ConnectionClosed,
        httpcore.RemoteProtocolError,
    )
    DEFAULT: ClassVar[Retry]

    def __init__(
        self,
        total: bool | int | None = 10,
        connect: bool | int | None = None,
        read: bool | int | None = None,
        redirect: bool | int | None = None,
        status: int | None = None,
        other: int | None = None,
        allowed_methods: Collection[str] | None = DEFAULT_ALLOWED_METHODS,
        status_forcelist: Collection[int] | None = None,
        backoff_factor: float = 0,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        backoff_jitter: float = 0.0,
        raise_on_redirect: bool = True,
        raise_on_status: bool = True,
        respect_retry_after_header: bool = True,
        remove_headers_on_redirect: Collection[str] = DEFAULT_REMOVE_HEADERS_ON_REDIRECT,
        history: tuple[RequestHistory, ...] | None = (),
        retry_after_max: float = DEFAULT_RETRY_AFTER_MAX,
    ) -> None:
        if redirect is False or total is False:
            redirect = 0
            raise_on_redirect = False
        self.total = total
        self.connect = connect
        self.read = read
        self.redirect = redirect
        self.status = status
        self.other = other
        self.allowed_methods = allowed_methods
        self.status_forcelist: Collection[int] = status_forcelist or frozenset()
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.backoff_jitter = backoff_jitter
        self.raise_on_redirect = raise_on_redirect
        self.raise_on_status = raise_on_status
        self.respect_retry_after_header = respect_retry_after_header
        self.remove_headers_on_redirect = frozenset(h.lower() for h in remove_headers_on_redirect)
        self.history: tuple[RequestHistory, ...] = history or ()
        self.retry_after_max = retry_after_max

    def new(self, **kw: Any) -> Self:
        """Return a copy with the given fields replaced."""
        params: dict[str, Any] = {
            "total": self.total,
            "connect": self.connect,
            "read": self.read,
            "redirect": self.redirect,
            "status": self.status,
            "other": self.other,
            "allowed_methods": self.allowed_methods,
            "status_forcelist": self.status_forcelist,
            "backoff_factor": self.backoff_factor,
            "backoff_max": self.backoff_max,
            "backoff_jitter": self.backoff_jitter,
            "raise_on_redirect": self.raise_on_redirect,
            "raise_on_status": self.raise_on_status,
            "respect_retry_after_header": self.respect_retry_after_header,
            "remove_headers_on_redirect": self.remove_headers_on_redirect,
            "history": self.history,
            "retry_after_max": self.retry_after_max,
        }
        params.update(kw)
        return type(self)(**params)

    @classmethod
    def from_int(
        cls,
        retries: Retry | bool | int | None,
        redirect: bool | int | None = True,
        default: Retry | bool | int | None = None,
    ) -> Retry:
        """Turn an int (or `None`, `False`, a `Retry`) into a `Retry`, as urllib3 does."""
        if retries is None:
            retries = default if default is not None else cls.DEFAULT
        if isinstance(retries, Retry):
            return retries
        return cls(retries, redirect=None if redirect else False)

    def get_backoff_time(self) -> float:
        """Seconds to wait before the next attempt, from the errors since the last redirect."""
        errors_in_a_row = len(
            list(takewhile(lambda h: h.redirect_location is None, reversed(self.history)))
        )
        # The first retry goes at once: most failures are cured by a second try.
        if errors_in_a_row <= 1:
            return 0
        backoff = self.backoff_factor * (2 ** (errors_in_a_row - 1))
        if self.backoff_jitter != 0.0:
            backoff += random.random() * self.backoff_jitter
        return float(max(0, min(self.backoff_max, backoff)))

    def parse_retry_after(self, value: str) -> float:
        """Seconds a `Retry-After` value asks for (RFC 9110 §10.2.3), within `[0, retry_after_max]`.

        Raises `ValueError` when the value is neither delay-seconds nor an HTTP-date.
        """
        seconds: float
        if match := _DELAY_SECONDS.fullmatch(value):
            digits = match.group(1)
            seconds = self.retry_after_max if len(digits) > _MAX_DELAY_DIGITS else int(digits)
        else:
            try:
                parsed = email.utils.parsedate_tz(value)
                when = None if parsed is None else email.utils.mktime_tz(parsed)
            except (OverflowError, ValueError) as exc:
                raise ValueError(f"Invalid Retry-After header: {value}") from exc
            if when is None:
                raise ValueError(f"Invalid Retry-After header: {value}")
            seconds = when - time.time()
        return float(min(max(seconds, 0), self.retry_after_max))

    def get_retry_after(self, response_headers: HeadersLike) -> float | None:
        """Seconds the response's `Retry-After` asks for; `None` if absent or unparsable."""
        value = _header(response_headers, "retry-after")
        if value is None:
            return None
        try:
            return self.parse_retry_after(value)
        except ValueError:
            return None

    def get_sleep_time(self, response_headers: HeadersLike | None = None) -> float:
        """Seconds the adapter sleeps before the next attempt: `Retry-After` first, else backoff."""
        if self.respect_retry_after_header and response_headers is not None:
            retry_after = self.get_retry_after(response_headers)
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def _is_method_retryable(self, method: str) -> bool:
        return not self.allowed_methods or method.upper() in self.allowed_methods

    def _kind(self, error: BaseException) -> str:
        core = _core_error(error)
        if isinstance(core, httpcore.ProxyError):
            # urllib3 looks through a proxy failure only to find a connect error behind it.
            cause = _core_error(core.__cause__)
            core = cause if self._is_connect_error(cause) else core
        if self._is_connect_error(core):
            return "connect"
        return "read" if isinstance(core, self.READ_ERRORS) else "other"

    def _is_connect_error(self, error: BaseException | None) -> bool:
        return isinstance(error, self.CONNECT_ERRORS) and not isinstance(
            error, self.NOT_CONNECT_ERRORS
        )

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """Should a response with this status be retried for this method?"""
        if not self._is_method_retryable(method):
            return False
        if self.status_forcelist and status_code in self.status_forcelist:
            return True
        return bool(
            self.total
            and self.respect_retry_after_header
            and has_retry_after
            and status_code in self.RETRY_AFTER_STATUS_CODES
        )

    def is_exhausted(self) -> bool:
        """Has any bounded counter gone below zero?"""
        limits = (self.total, self.connect, self.read, self.redirect, self.status, self.other)
        counts = [count for count in limits if count]
        return bool(counts) and min(counts) < 0

    def _count_error(self, method: str | None, error: BaseException) -> dict[str, int | None]:
        kind = self._kind(error)
        if kind == "connect":
            if self.connect is False:
                raise error
            return {"connect": _minus_one(self.connect)}
        if kind == "read":
            if self.read is False or method is None or not self._is_method_retryable(method):
                raise error
            return {"read": _minus_one(self.read)}
        return {"other": _minus_one(self.other)}

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: ResponseLike | None = None,
        error: BaseException | None = None,
    ) -> Self:
        """Record a failed attempt and return the `Retry` for the next one.

        Arguments: the request's `method` and `url`, and either the `response` that is to be
        retried or the `error` the attempt raised.

        Raises `error` itself when it must not be retried (retries disabled, `connect`/`read`
        set to `False`, a read error on a method outside `allowed_methods`), and
        `RetryExhausted` when this attempt used up a counter.
        """
        if self.total is False and error is not None:
            raise error
        status: int | None = None
        location: str | None = None
        cause = "too many error responses"
        changes: dict[str, int | None]
        if error is not None:
            changes = self._count_error(method, error)
        elif response is not None and (location := _redirect_location(response)):
            changes = {"redirect": _minus_one(self.redirect)}
            status = response.status_code
            cause = "too many redirects"
        elif response is not None:
            changes = {"status": _minus_one(self.status)}
            status = response.status_code
            cause = f"too many {status} error responses"
        else:
            changes = {}
        entry = RequestHistory(method, url, error, status, location)
        retry = self.new(total=_minus_one(self.total), history=(*self.history, entry), **changes)
        if retry.is_exhausted():
            reason = error if error is not None else ResponseError(cause)
            raise RetryExhausted(url, reason) from reason
        return retry

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(total={self.total}, connect={self.connect}, "
            f"read={self.read}, redirect={self.redirect}, status={self.status})"
        )


#: What `from_int(None)` returns: three retries of any kind, as in urllib3.
Retry.DEFAULT = Retry(3)
