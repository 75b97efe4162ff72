"""The public exception tree, the exported names, and map_exceptions()."""

from __future__ import annotations

import inspect

import pytest

import httpcore
from httpcore._exceptions import map_exceptions

# In ruff's __all__ order (RUF022): all-caps names first, then the rest case-sensitively.
PUBLIC_NAMES = [
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

# Each public exception and its parent, as drawn in the _exceptions docstring.
TREE = {
    "Timeout": "HTTPCoreError",
    "ConnectTimeout": "Timeout",
    "ReadTimeout": "Timeout",
    "WriteTimeout": "Timeout",
    "PoolTimeout": "Timeout",
    "TotalTimeout": "Timeout",
    "NetworkError": "HTTPCoreError",
    "ConnectError": "NetworkError",
    "TLSError": "ConnectError",
    "CertificateError": "TLSError",
    "ReadError": "NetworkError",
    "WriteError": "NetworkError",
    "ConnectionClosed": "NetworkError",
    "RequestNotProcessed": "ConnectionClosed",
    "ProtocolError": "HTTPCoreError",
    "RemoteProtocolError": "ProtocolError",
    "LimitExceeded": "RemoteProtocolError",
    "LocalProtocolError": "ProtocolError",
    "DecodingError": "HTTPCoreError",
    "ProxyError": "HTTPCoreError",
    "StreamError": "HTTPCoreError",
    "StreamConsumed": "StreamError",
    "ResponseClosed": "StreamError",
    "ResponseNotRead": "StreamError",
    "PoolClosed": "HTTPCoreError",
    "InvalidURL": "HTTPCoreError",
    "TLSConfigError": "HTTPCoreError",
    "RequestTypeError": "LocalProtocolError",
    "UnsupportedScheme": "InvalidURL",
}


def public_exceptions() -> dict[str, type[BaseException]]:
    return {
        name: obj
        for name in httpcore.__all__
        if inspect.isclass(obj := getattr(httpcore, name)) and issubclass(obj, BaseException)
    }


def test_all_is_pinned():
    assert httpcore.__all__ == PUBLIC_NAMES
    assert len(set(httpcore.__all__)) == len(httpcore.__all__)


def test_every_public_name_exists():
    for name in httpcore.__all__:
        assert getattr(httpcore, name).__name__ == name


def test_version_is_a_string():
    assert isinstance(httpcore.__version__, str)
    assert httpcore.__version__.count(".") == 2


def test_every_public_exception_is_an_httpcore_error():
    exceptions = public_exceptions()
    assert set(exceptions) == set(TREE) | {"HTTPCoreError"}
    for exc in exceptions.values():
        assert issubclass(exc, httpcore.HTTPCoreError)
    assert httpcore.HTTPCoreError.__bases__ == (Exception,)


@pytest.mark.parametrize("name, parent", sorted(TREE.items()))
def test_tree_shape(name, parent):
    exc = getattr(httpcore, name)
    assert exc.__bases__[0] is getattr(httpcore, parent)


def test_value_errors():
    assert issubclass(httpcore.InvalidURL, ValueError)
    assert issubclass(httpcore.UnsupportedScheme, ValueError)
    assert issubclass(httpcore.LocalProtocolError, ValueError)
    value_errors = {
        name for name, exc in public_exceptions().items() if issubclass(exc, ValueError)
    }
    assert value_errors == {
        "InvalidURL",
        "UnsupportedScheme",
        "LocalProtocolError",
        "TLSConfigError",
        "RequestTypeError",
    }


def test_type_errors_in_requests_are_ours():
    assert issubclass(httpcore.RequestTypeError, TypeError)
    assert issubclass(httpcore.RequestTypeError, httpcore.HTTPCoreError)
    with pytest.raises(httpcore.RequestTypeError, match="encode str bodies first"):
        httpcore.Request("POST", "http://127.0.0.1/", body="text")


def test_timeouts_are_not_builtin_timeout_errors():
    # One family per cause: catching TimeoutError or OSError must not catch httpcore errors.
    for exc in public_exceptions().values():
        assert not issubclass(exc, OSError)


# map_exceptions ---------------------------------------------------------------------------


class Custom(Exception):
    pass


class CustomChild(Custom):
    pass


def test_mapped_exception_is_chained():
    with (
        pytest.raises(httpcore.ReadError, match=r"^boom$") as info,
        map_exceptions({OSError: httpcore.ReadError}),
    ):
        raise OSError("boom")
    assert isinstance(info.value.__cause__, OSError)
    assert str(info.value.__cause__) == "boom"


def test_subclasses_of_a_source_are_mapped():
    with (
        pytest.raises(httpcore.ConnectError) as info,
        map_exceptions({OSError: httpcore.ConnectError}),
    ):
        raise ConnectionRefusedError(111, "refused")
    assert type(info.value.__cause__) is ConnectionRefusedError


def test_first_match_wins():
    mapping = {Custom: httpcore.ProxyError, CustomChild: httpcore.DecodingError}
    with pytest.raises(httpcore.ProxyError), map_exceptions(mapping):
        raise CustomChild("child")
    reordered = {CustomChild: httpcore.DecodingError, Custom: httpcore.ProxyError}
    with pytest.raises(httpcore.DecodingError), map_exceptions(reordered):
        raise CustomChild("child")
    with pytest.raises(httpcore.ProxyError), map_exceptions(reordered):
        raise Custom("parent")


def test_empty_message_uses_the_type_name():
    with (
        pytest.raises(httpcore.WriteError, match=r"^BrokenPipeError$"),
        map_exceptions({OSError: httpcore.WriteError}),
    ):
        raise BrokenPipeError()


def test_httpcore_errors_pass_through_untouched():
    original = httpcore.ReadTimeout("slow")
    # Even a mapping that matches it (HTTPCoreError is an Exception) leaves it alone.
    with (
        pytest.raises(httpcore.ReadTimeout) as info,
        map_exceptions({Exception: httpcore.ProxyError}),
    ):
        raise original
    assert info.value is original
    assert info.value.__cause__ is None


def test_unmapped_exceptions_are_reraised_untouched():
    original = KeyError("missing")
    with pytest.raises(KeyError) as info, map_exceptions({OSError: httpcore.ReadError}):
        raise original
    assert info.value is original
    assert info.value.__cause__ is None


def test_base_exceptions_are_never_mapped():
    with pytest.raises(KeyboardInterrupt), map_exceptions({BaseException: httpcore.ProxyError}):
        raise KeyboardInterrupt


def test_no_exception_no_effect():
    with map_exceptions({OSError: httpcore.ReadError}):
        value = 1
    assert value == 1
