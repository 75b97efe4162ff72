"""requests' exception classes, compared with the real requests, and the httpcore mapping."""

from __future__ import annotations

import inspect
import json
import pickle

import pytest
import requests.exceptions

import httpcore
from requests_async import exceptions
from requests_async.exceptions import (
    CORE_TO_COMPAT,
    ContentNotRead,
    RequestException,
    compat_exception_class,
    map_core_exceptions,
)

REQUESTS_CLASSES = [
    name
    for name, value in vars(requests.exceptions).items()
    if inspect.isclass(value)
    and value.__module__ == "requests.exceptions"
    and issubclass(value, (OSError, Warning))
]


def mro_names(cls: type) -> list[str]:
    # urllib3 is not a dependency: requests' ContentDecodingError alone also derives from
    # urllib3's HTTPError, which ours cannot (documented in exceptions.py).
    return [base.__name__ for base in cls.__mro__ if not base.__module__.startswith("urllib3")]


def test_every_requests_class_is_here():
    assert len(REQUESTS_CLASSES) == 25
    missing = [name for name in REQUESTS_CLASSES if not hasattr(exceptions, name)]
    assert missing == []


@pytest.mark.parametrize("name", REQUESTS_CLASSES)
def test_bases_match_requests(name):
    ours = getattr(exceptions, name)
    theirs = getattr(requests.exceptions, name)
    assert mro_names(ours) == mro_names(theirs)
    assert ours.__module__ == "requests_async.exceptions"


def test_content_decoding_error_differs_only_by_urllib3():
    import urllib3.exceptions

    assert issubclass(requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError)
    assert not issubclass(exceptions.ContentDecodingError, urllib3.exceptions.HTTPError)


def test_connect_timeout_is_both_connection_error_and_timeout():
    exc = exceptions.ConnectTimeout("slow")
    assert isinstance(exc, exceptions.ConnectionError)
    assert isinstance(exc, exceptions.Timeout)
    assert isinstance(exc, OSError)


class FakeResponse:
    request = "the response's request"


@pytest.mark.parametrize(
    ("kwargs", "request_attr", "response_attr"),
    [
        ({}, None, None),
        ({"request": "req"}, "req", None),
        ({"response": FakeResponse()}, "the response's request", "response"),
        ({"response": FakeResponse(), "request": "req"}, "req", "response"),
        ({"response": object()}, None, "response"),
        ({"response": FakeResponse(), "request": ""}, "the response's request", "response"),
    ],
)
def test_request_and_response_attributes(kwargs, request_attr, response_attr):
    ours = RequestException("boom", **kwargs)
    theirs = requests.exceptions.RequestException("boom", **kwargs)
    assert ours.request == theirs.request == request_attr
    assert (ours.response is None) == (response_attr is None)
    assert ours.response is theirs.response
    assert str(ours) == str(theirs) == "boom"
    assert ours.args == ("boom",)


def test_oserror_arguments_pass_through():
    exc = exceptions.ConnectionError(111, "refused", request="req")
    assert (exc.errno, exc.strerror, exc.request) == (111, "refused", "req")


def test_json_decode_error_matches_requests():
    ours = exceptions.JSONDecodeError("Expecting value", "nope", 0, request="req")
    theirs = requests.exceptions.JSONDecodeError("Expecting value", "nope", 0)
    assert str(ours) == str(theirs) == "Expecting value: line 1 column 1 (char 0)"
    assert ours.args == theirs.args
    assert (ours.msg, ours.doc, ours.pos, ours.lineno, ours.colno) == (
        "Expecting value",
        "nope",
        0,
        1,
        1,
    )
    assert ours.request == "req"
    assert isinstance(ours, json.JSONDecodeError)
    assert isinstance(ours, ValueError)
    assert isinstance(ours, exceptions.InvalidJSONError)


def test_json_decode_error_pickles():
    exc = exceptions.JSONDecodeError("Expecting value", "[", 1)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is exceptions.JSONDecodeError
    assert (copy.msg, copy.doc, copy.pos) == ("Expecting value", "[", 1)
    assert str(copy) == str(exc)


def test_content_not_read():
    exc = ContentNotRead()
    assert isinstance(exc, RequestException)
    assert "await response.read()" in str(exc)
    assert "response.read()" in str(exc)
    assert str(ContentNotRead("custom", request="req")) == "custom"
    assert ContentNotRead(request="req").request == "req"


def test_file_mode_warning_is_a_deprecation_warning():
    assert issubclass(exceptions.FileModeWarning, DeprecationWarning)
    assert issubclass(exceptions.FileModeWarning, exceptions.RequestsWarning)


# The mapping -------------------------------------------------------------------

S = exceptions
EXPECTED = [
    # httpcore class, while sending, while reading the body
    (httpcore.CertificateError, S.SSLError, S.SSLError),
    (httpcore.TLSError, S.SSLError, S.SSLError),
    (httpcore.TLSConfigError, S.SSLError, S.SSLError),
    (httpcore.TotalTimeout, S.TotalTimeout, S.TotalTimeout),
    (httpcore.ConnectTimeout, S.ConnectTimeout, S.ConnectTimeout),
    (httpcore.PoolTimeout, S.ConnectTimeout, S.ConnectTimeout),
    (httpcore.ReadTimeout, S.ReadTimeout, S.ConnectionError),
    (httpcore.WriteTimeout, S.Timeout, S.Timeout),
    (httpcore.Timeout, S.Timeout, S.Timeout),
    (httpcore.ProxyError, S.ProxyError, S.ProxyError),
    (httpcore.LimitExceeded, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.RemoteProtocolError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.RequestTypeError, S.InvalidBody, S.InvalidBody),
    (httpcore.LocalProtocolError, S.InvalidHeader, S.InvalidHeader),
    (httpcore.ProtocolError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.ConnectError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.ReadError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.WriteError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.ConnectionClosed, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.RequestNotProcessed, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.NetworkError, S.ConnectionError, S.ChunkedEncodingError),
    (httpcore.DecodingError, S.ContentDecodingError, S.ContentDecodingError),
    (httpcore.StreamConsumed, S.StreamConsumedError, S.StreamConsumedError),
    (httpcore.ResponseClosed, S.StreamConsumedError, S.StreamConsumedError),
    (httpcore.ResponseNotRead, S.ContentNotRead, S.ContentNotRead),
    (httpcore.StreamError, S.StreamConsumedError, S.StreamConsumedError),
    (httpcore.PoolClosed, S.ConnectionError, S.ConnectionError),
    (httpcore.UnsupportedScheme, S.InvalidSchema, S.InvalidSchema),
    (httpcore.InvalidURL, S.InvalidURL, S.InvalidURL),
    (httpcore.HTTPCoreError, S.RequestException, S.RequestException),
]


def test_every_httpcore_exception_is_expected():
    core = {
        value
        for value in vars(httpcore).values()
        if inspect.isclass(value) and issubclass(value, httpcore.HTTPCoreError)
    }
    assert core == {row[0] for row in EXPECTED}


def test_table_rows_come_most_specific_first():
    rows = list(CORE_TO_COMPAT)
    for index, later in enumerate(rows):
        shadowing = [earlier for earlier in rows[:index] if issubclass(later, earlier)]
        assert shadowing == [], f"{later.__name__} is shadowed by {shadowing}"
    assert rows[-1] is httpcore.HTTPCoreError


@pytest.mark.parametrize(("core", "sending", "reading_body"), EXPECTED)
def test_mapped_class(core, sending, reading_body):
    exc = core("detail")
    assert compat_exception_class(exc) is sending
    assert compat_exception_class(exc, reading_body=False) is sending
    assert compat_exception_class(exc, reading_body=True) is reading_body


@pytest.mark.parametrize(("core", "sending", "reading_body"), EXPECTED)
def test_map_core_exceptions_raises_mapped_chained_with_request(core, sending, reading_body):
    original = core("detail")
    with pytest.raises(sending) as info, map_core_exceptions("the request"):
        raise original
    assert type(info.value) is sending
    assert info.value.__cause__ is original
    assert info.value.request == "the request"
    assert info.value.response is None
    assert info.value.args == (original,)
    assert str(info.value) == "detail"

    with pytest.raises(reading_body) as info, map_core_exceptions("r", reading_body=True):
        raise original
    assert type(info.value) is reading_body
    assert info.value.__cause__ is original


def test_connect_timeout_caught_as_requests_would():
    with pytest.raises(exceptions.ConnectionError), map_core_exceptions():
        raise httpcore.PoolTimeout("pool full")
    with pytest.raises(exceptions.Timeout), map_core_exceptions():
        raise httpcore.ConnectTimeout("slow")


def test_local_protocol_error_is_still_a_value_error():
    with pytest.raises(ValueError, match="forbidden byte"), map_core_exceptions():
        raise httpcore.LocalProtocolError("header b'x' value contains the forbidden byte b'\\n'")


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError) as info, map_core_exceptions("req"):
        raise KeyError("k")
    assert info.value.__cause__ is None
    already = exceptions.TooManyRedirects("loop")
    with pytest.raises(exceptions.TooManyRedirects) as caught, map_core_exceptions("req"):
        raise already
    assert caught.value is already


def test_no_exception_no_effect():
    with map_core_exceptions("req"):
        value = 1
    assert value == 1
