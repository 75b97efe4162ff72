"""Retry: urllib3's counting rules, checked against urllib3's own Retry on the same sequences."""

from __future__ import annotations

import email.utils
import itertools
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
import urllib3.exceptions as u3
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry as U3Retry

import httpcore
from requests_async import exceptions
from requests_async.retries import (
    MAX_RETRY_AFTER,
    RequestHistory,
    ResponseError,
    Retry,
    RetryExhausted,
)

URL = "http://127.0.0.1/path"
NOW = 1_700_000_000.0
# urllib3's errors name the pool or connection they came from; these tests have none.
NO_POOL: Any = None

# Each event is a pair of makers: (ours, urllib3's). Errors are matched by what they mean:
# connect failures, read failures, failures of neither kind.
Event = tuple[str, Callable[[], Any], Callable[[], Any]]
EVENTS: list[Event] = [
    ("connect-timeout", lambda: httpcore.ConnectTimeout("x"), lambda: u3.ConnectTimeoutError("x")),
    ("refused", lambda: httpcore.ConnectError("x"), lambda: u3.NewConnectionError(NO_POOL, "x")),
    (
        "read-timeout",
        lambda: httpcore.ReadTimeout("x"),
        lambda: u3.ReadTimeoutError(NO_POOL, URL, "x"),
    ),
    ("reset", lambda: httpcore.ReadError("x"), lambda: u3.ProtocolError("x")),
    ("closed", lambda: httpcore.ConnectionClosed("x"), lambda: u3.ProtocolError("x")),
    ("write", lambda: httpcore.WriteError("x"), lambda: u3.ProtocolError("x")),
    ("bad-http", lambda: httpcore.RemoteProtocolError("x"), lambda: u3.ProtocolError("x")),
    ("tls", lambda: httpcore.TLSError("x"), lambda: u3.SSLError("x")),
    ("decoding", lambda: httpcore.DecodingError("x"), lambda: u3.DecodeError("x")),
    ("503", lambda: 503, lambda: 503),
    ("429", lambda: 429, lambda: 429),
    ("302", lambda: 302, lambda: 302),
    ("307", lambda: 307, lambda: 307),
]


def core_response(status: int) -> httpcore.Response:
    headers = [(b"location", b"/next")] if status in (302, 307) else []
    return httpcore.Response(status, headers=headers)


def u3_response(status: int) -> HTTPResponse:
    headers = {"Location": "/next"} if status in (302, 307) else {}
    return HTTPResponse(body=b"", headers=headers, status=status, preload_content=False)


def step_ours(retry: Retry, method: str, event: Any) -> tuple[str, Any]:
    try:
        if isinstance(event, int):
            return "ok", retry.increment(method, URL, response=core_response(event))
        return "ok", retry.increment(method, URL, error=event)
    except RetryExhausted as exc:
        return "exhausted", exc
    except httpcore.HTTPCoreError as exc:
        assert exc is event
        return "reraised", exc


def step_theirs(retry: U3Retry, method: str, event: Any) -> tuple[str, Any]:
    try:
        if isinstance(event, int):
            return "ok", retry.increment(method, URL, response=u3_response(event))
        return "ok", retry.increment(method, URL, error=event)
    except u3.MaxRetryError as exc:
        return "exhausted", exc
    except u3.HTTPError as exc:
        assert exc is event
        return "reraised", exc


def counters(retry: Any) -> tuple[Any, ...]:
    fields = ("total", "connect", "read", "redirect", "status", "other")
    return tuple(getattr(retry, name) for name in fields)


def history_view(retry: Any) -> list[tuple[Any, ...]]:
    return [
        (h.method, h.url, h.error is None, h.status, h.redirect_location) for h in retry.history
    ]


def compare_runs(kwargs: dict[str, Any], steps: list[tuple[str, int]]) -> None:
    ours, theirs = Retry(**kwargs), U3Retry(**kwargs)
    for method, index in steps:
        name, make_ours, make_theirs = EVENTS[index]
        outcome, ours_next = step_ours(ours, method, make_ours())
        expected, theirs_next = step_theirs(theirs, method, make_theirs())
        assert outcome == expected, (kwargs, method, name)
        if outcome == "exhausted":
            reason, their_reason = ours_next.reason, theirs_next.reason
            if isinstance(their_reason, u3.ResponseError):
                assert isinstance(reason, ResponseError)
                assert str(reason) == str(their_reason)
            else:
                assert isinstance(reason, httpcore.HTTPCoreError)
            assert ours_next.__cause__ is reason
        if outcome != "ok":
            return
        ours, theirs = ours_next, theirs_next
        assert counters(ours) == counters(theirs), (kwargs, method, name)
        assert history_view(ours) == history_view(theirs)
        assert ours.is_exhausted() == theirs.is_exhausted()
        assert ours.get_backoff_time() == theirs.get_backoff_time()


CONFIGS = [
    {
        "total": total,
        "connect": connect,
        "read": read,
        "redirect": redirect,
        "status": status,
        "other": other,
        "backoff_factor": factor,
        "backoff_max": 3,
    }
    for total, connect, read, redirect, status, other, factor in itertools.product(
        (None, 0, 2, 6, False),
        (None, 0, 1, False),
        (None, 1, False),
        (None, 1, False),
        (None, 1),
        (None, 0, 2),
        (0, 0.5),
    )
]


@pytest.mark.parametrize("chunk", range(8))
def test_increment_sequences_match_urllib3(chunk: int) -> None:
    rng = random.Random(chunk)
    for kwargs in CONFIGS[chunk::8]:
        for _ in range(4):
            steps = [
                (rng.choice(("GET", "POST", "put")), rng.randrange(len(EVENTS)))
                for _ in range(rng.randrange(1, 9))
            ]
            compare_runs(kwargs, steps)


def test_every_event_kind_matches_urllib3_alone() -> None:
    for kwargs, index, method in itertools.product(
        CONFIGS[::37], range(len(EVENTS)), ("GET", "POST")
    ):
        compare_runs(kwargs, [(method, index)])


def test_increment_without_response_or_error_matches_urllib3() -> None:
    for total in (None, 0, 1):
        ours, theirs = Retry(total=total), U3Retry(total=total)
        try:
            ours_next = ours.increment("GET", URL)
        except RetryExhausted as exc:
            assert str(exc.reason) == "too many error responses"
            with pytest.raises(u3.MaxRetryError, match="too many error responses"):
                theirs.increment("GET", URL)
        else:
            assert counters(ours_next) == counters(theirs.increment("GET", URL))


def test_read_error_without_method_is_raised_as_is() -> None:
    error = httpcore.ReadTimeout("slow")
    with pytest.raises(httpcore.ReadTimeout) as info:
        Retry(3).increment(None, URL, error=error)
    assert info.value is error


def test_total_false_raises_errors_and_disables_redirects() -> None:
    retry = Retry(total=False)
    assert (retry.redirect, retry.raise_on_redirect) == (0, False)
    error = httpcore.ConnectTimeout("x")
    with pytest.raises(httpcore.ConnectTimeout):
        retry.increment("GET", URL, error=error)
    theirs = U3Retry(total=False)
    assert (theirs.redirect, theirs.raise_on_redirect) == (0, False)


@pytest.mark.parametrize(
    ("allowed", "forcelist", "total", "respect"),
    itertools.product(
        (Retry.DEFAULT_ALLOWED_METHODS, None, frozenset({"POST"})),
        (None, {500, 503}),
        (None, 0, 3),
        (True, False),
    ),
)
def test_is_retry_matches_urllib3(allowed: Any, forcelist: Any, total: Any, respect: bool) -> None:
    kwargs = {
        "allowed_methods": allowed,
        "status_forcelist": forcelist,
        "total": total,
        "respect_retry_after_header": respect,
    }
    ours, theirs = Retry(**kwargs), U3Retry(**kwargs)
    for method, code, has_retry_after in itertools.product(
        ("GET", "post", "PATCH"), (200, 413, 429, 500, 503), (False, True)
    ):
        expected = theirs.is_retry(method, code, has_retry_after)
        assert ours.is_retry(method, code, has_retry_after) == expected, (method, code)


def test_backoff_grows_resets_on_redirect_and_is_capped_like_urllib3() -> None:
    kwargs: dict[str, Any] = {"total": None, "backoff_factor": 0.25, "backoff_max": 5}
    ours, theirs = Retry(**kwargs), U3Retry(**kwargs)
    delays = []
    for status in (503, 503, 503, 302, 503, 503, 503, 503, 503, 503):
        ours = ours.increment("GET", URL, response=core_response(status))
        theirs = theirs.increment("GET", URL, response=u3_response(status))
        assert ours.get_backoff_time() == theirs.get_backoff_time()
        delays.append(ours.get_backoff_time())
    assert delays == [0, 0.5, 1.0, 0, 0, 0.5, 1.0, 2.0, 4.0, 5.0]


def test_backoff_jitter_matches_urllib3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.5)
    kwargs: dict[str, Any] = {"backoff_factor": 1, "backoff_jitter": 3.0}
    ours, theirs = Retry(**kwargs), U3Retry(**kwargs)
    for _ in range(3):
        ours = ours.increment("GET", URL, error=httpcore.ConnectTimeout("x"))
        theirs = theirs.increment("GET", URL, error=u3.ConnectTimeoutError("x"))
    assert ours.get_backoff_time() == theirs.get_backoff_time() == 4 + 1.5


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW)


def http_date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


@pytest.mark.usefixtures("frozen_time")
@pytest.mark.parametrize(
    "value",
    ["0", "5", " 7 ", "119", "120", "121", "86400", http_date(-30), http_date(60), http_date(7200)],
)
def test_parse_retry_after_matches_urllib3_within_the_same_bound(value: str) -> None:
    for bound in (MAX_RETRY_AFTER, 21600):
        expected = U3Retry(retry_after_max=bound).parse_retry_after(value)
        assert Retry(retry_after_max=bound).parse_retry_after(value) == expected


@pytest.mark.usefixtures("frozen_time")
def test_parse_retry_after_values() -> None:
    retry = Retry()
    assert retry.parse_retry_after("30") == 30.0
    assert retry.parse_retry_after(http_date(45)) == 45.0
    assert retry.parse_retry_after(http_date(-45)) == 0.0
    # A hostile server cannot make the client sleep for hours or days.
    assert retry.parse_retry_after("86400") == MAX_RETRY_AFTER
    assert retry.parse_retry_after(http_date(10**7)) == MAX_RETRY_AFTER
    assert retry.parse_retry_after("9" * 5000) == MAX_RETRY_AFTER
    assert Retry(retry_after_max=3600).parse_retry_after("86400") == 3600


@pytest.mark.parametrize(
    "value", ["-3", "soon", "", "1.5", "Mon, 1 Jan 99999999999999999999 00:00:00 GMT"]
)
def test_parse_retry_after_rejects_garbage(value: str) -> None:
    with pytest.raises(ValueError, match="Invalid Retry-After header"):
        Retry().parse_retry_after(value)


@pytest.mark.usefixtures("frozen_time")
def test_get_retry_after_reads_every_header_shape() -> None:
    retry = Retry()
    assert retry.get_retry_after({"retry-AFTER": "12"}) == 12.0
    assert retry.get_retry_after([(b"content-length", b"0"), (b"retry-after", b"13")]) == 13.0
    assert retry.get_retry_after([("Retry-After", http_date(14))]) == 14.0
    assert retry.get_retry_after(core_response(503).headers) is None
    assert retry.get_retry_after({"Content-Type": "text/plain"}) is None
    # Unlike urllib3, an unparsable value is ignored (backoff applies) rather than raised.
    assert retry.get_retry_after({"Retry-After": "tomorrow"}) is None


def test_get_sleep_time_prefers_retry_after_then_backoff() -> None:
    retry = Retry(total=None, backoff_factor=1, status_forcelist={503})
    for _ in range(3):
        retry = retry.increment("GET", URL, response=core_response(503))
    assert retry.get_sleep_time() == 4.0
    assert retry.get_sleep_time({"Retry-After": "7"}) == 7.0
    assert retry.get_sleep_time({"Retry-After": "0"}) == 4.0
    assert retry.get_sleep_time({"Retry-After": "junk"}) == 4.0
    assert retry.new(respect_retry_after_header=False).get_sleep_time({"Retry-After": "7"}) == 4.0


def test_errors_wrapped_by_the_adapter_count_by_their_httpcore_cause() -> None:
    def wrapped(outer: BaseException, inner: BaseException) -> BaseException:
        outer.__cause__ = inner
        return outer

    retry = Retry(total=None, connect=5, read=5, other=5)
    cases = [
        (wrapped(exceptions.ConnectTimeout("x"), httpcore.ConnectTimeout("x")), "connect"),
        (wrapped(exceptions.ConnectionError("x"), httpcore.ConnectError("x")), "connect"),
        (wrapped(exceptions.ReadTimeout("x"), httpcore.ReadTimeout("x")), "read"),
        (wrapped(exceptions.SSLError("x"), httpcore.CertificateError("x")), "other"),
        (wrapped(httpcore.ProxyError("x"), httpcore.ConnectTimeout("x")), "connect"),
        (wrapped(httpcore.ProxyError("x"), httpcore.ReadError("x")), "other"),
        (httpcore.ProxyError("x"), "other"),
        (exceptions.ConnectionError("no httpcore cause"), "other"),
        (ValueError("not a network error"), "other"),
    ]
    for error, kind in cases:
        after = retry.increment("GET", URL, error=error)
        changed = [name for name in ("connect", "read", "other") if getattr(after, name) == 4]
        assert changed == [kind], error
        assert after.history[-1] == RequestHistory("GET", URL, error, None, None)


def test_a_cycle_in_the_cause_chain_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__cause__, second.__cause__ = second, first
    assert Retry(other=2).increment("GET", URL, error=first).other == 1


def test_connect_false_and_read_false_raise_at_once() -> None:
    refused = httpcore.ConnectError("refused")
    with pytest.raises(httpcore.ConnectError):
        Retry(connect=False).increment("GET", URL, error=refused)
    reset = httpcore.ReadError("reset")
    with pytest.raises(httpcore.ReadError):
        Retry(0, read=False).increment("GET", URL, error=reset)


def test_retry_exhausted_carries_url_and_reason() -> None:
    with pytest.raises(RetryExhausted) as info:
        Retry(0).increment("GET", URL, response=core_response(503))
    exc = info.value
    assert exc.url == URL
    assert isinstance(exc.reason, ResponseError)
    assert str(exc) == (
        f"Max retries exceeded with url: {URL} "
        "(Caused by ResponseError('too many 503 error responses'))"
    )
    with pytest.raises(RetryExhausted, match="too many redirects"):
        Retry(redirect=0).increment("GET", URL, response=core_response(302))


def test_redirect_status_without_location_counts_as_status() -> None:
    retry = Retry(total=None, status=3, redirect=3)
    after = retry.increment("GET", URL, response=httpcore.Response(302))
    assert (after.status, after.redirect) == (2, 3)


def test_from_int_matches_urllib3() -> None:
    cases: list[tuple[Any, Any, Any]] = [
        (None, True, None),
        (None, True, 5),
        (0, True, None),
        (4, False, None),
        (False, True, None),
        (None, False, Retry(7)),
    ]
    for retries, redirect, default in cases:
        theirs_default = U3Retry(7) if isinstance(default, Retry) else default
        ours = Retry.from_int(retries, redirect=redirect, default=default)
        theirs = U3Retry.from_int(retries, redirect=redirect, default=theirs_default)
        assert counters(ours) == counters(theirs)
        assert ours.raise_on_redirect == theirs.raise_on_redirect
    given = Retry(2)
    assert Retry.from_int(given) is given
    assert (
        counters(Retry.from_int(None))
        == counters(Retry.DEFAULT)
        == (3, None, None, None, None, None)
    )


def test_new_copies_every_field_and_defaults_match_urllib3() -> None:
    ours = Retry()
    theirs = U3Retry()
    for name in (
        "total",
        "connect",
        "read",
        "redirect",
        "status",
        "other",
        "allowed_methods",
        "backoff_factor",
        "backoff_max",
        "backoff_jitter",
        "raise_on_redirect",
        "raise_on_status",
        "respect_retry_after_header",
        "remove_headers_on_redirect",
        "history",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert not ours.status_forcelist and not theirs.status_forcelist
    assert ours.retry_after_max == MAX_RETRY_AFTER == 120
    custom = Retry(
        total=5,
        connect=4,
        read=3,
        redirect=2,
        status=1,
        other=0,
        allowed_methods={"POST"},
        status_forcelist={500},
        backoff_factor=0.3,
        backoff_max=9,
        backoff_jitter=0.1,
        raise_on_redirect=False,
        raise_on_status=False,
        respect_retry_after_header=False,
        remove_headers_on_redirect=["X-Secret"],
        history=(RequestHistory("GET", URL, None, 503, None),),
        retry_after_max=30,
    )
    copy = custom.new()
    assert vars(copy) == vars(custom)
    assert copy.remove_headers_on_redirect == frozenset({"x-secret"})
    assert custom.new(total=1).total == 1


def test_repr_matches_urllib3() -> None:
    kwargs: dict[str, Any] = {"total": 4, "connect": 1, "read": False, "redirect": 2, "status": 0}
    assert repr(Retry(**kwargs)) == repr(U3Retry(**kwargs))
