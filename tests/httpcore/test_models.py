"""The request model: URL parsing, Origin, Request validation and automatic headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from httpcore._decoders import SUPPORTED_ENCODINGS
from httpcore._exceptions import InvalidURL, LocalProtocolError, UnsupportedScheme
from httpcore._models import (
    URL,
    Origin,
    Request,
    _parse,
    get_header,
    get_header_values,
)

ACCEPT_ENCODING = SUPPORTED_ENCODINGS

# --- URL: valid input ----------------------------------------------------------------------

# url, scheme, host, port, explicit_port, host_header
AUTHORITIES = [
    ("http://example.com", "http", "example.com", 80, None, b"example.com"),
    ("https://example.com/a/b", "https", "example.com", 443, None, b"example.com"),
    ("HTTP://EXAMPLE.Com:8080/Path", "http", "example.com", 8080, 8080, b"example.com:8080"),
    ("http://example.com:80/", "http", "example.com", 80, 80, b"example.com"),
    ("https://example.com:443/", "https", "example.com", 443, 443, b"example.com"),
    ("https://example.com:80/", "https", "example.com", 80, 80, b"example.com:80"),
    ("http://example.com:/", "http", "example.com", 80, None, b"example.com"),
    ("http://example.com:0080/", "http", "example.com", 80, 80, b"example.com"),
    ("http://127.0.0.1:8000/x", "http", "127.0.0.1", 8000, 8000, b"127.0.0.1:8000"),
    ("http://[::1]:8000/", "http", "::1", 8000, 8000, b"[::1]:8000"),
    ("http://[0:0::1]/", "http", "::1", 80, None, b"[::1]"),
    ("https://[2001:DB8::1]/", "https", "2001:db8::1", 443, None, b"[2001:db8::1]"),
    ("http://bücher.example/", "http", "xn--bcher-kva.example", 80, None, b"xn--bcher-kva.example"),
    ("http://BÜCHER.example/", "http", "xn--bcher-kva.example", 80, None, b"xn--bcher-kva.example"),
    (
        "https://例え.テスト:8443/",
        "https",
        "xn--r8jz45g.xn--zckzah",
        8443,
        8443,
        b"xn--r8jz45g.xn--zckzah:8443",
    ),
    ("http://my_host.local./", "http", "my_host.local.", 80, None, b"my_host.local."),
    ("http://user:pw@a:81/", "http", "a", 81, 81, b"a:81"),
]


@pytest.mark.parametrize("text, scheme, host, port, explicit_port, host_header", AUTHORITIES)
def test_url_authority(
    text: str, scheme: str, host: str, port: int, explicit_port: int | None, host_header: bytes
) -> None:
    url = URL(text)
    assert (url.scheme, url.host, url.port, url.explicit_port) == (
        scheme,
        host,
        port,
        explicit_port,
    )
    assert url.host_header == host_header
    assert url.origin == Origin(scheme, host, port)
    assert url.is_secure is (scheme == "https")


# url, target, normalised string
TARGETS = [
    ("http://example.com", b"/", "http://example.com/"),
    ("HTTP://EXAMPLE.Com:8080/Path", b"/Path", "http://example.com:8080/Path"),
    ("http://example.com:80/", b"/", "http://example.com/"),
    ("http://a/b c?d e", b"/b%20c?d%20e", "http://a/b%20c?d%20e"),
    ("  http://a/  ", b"/", "http://a/"),
    ("https://example.com:80/", b"/", "https://example.com:80/"),
    ("http://[0:0::1]:8000", b"/", "http://[::1]:8000/"),
    ("https://例え.テスト:8443/", b"/", "https://xn--r8jz45g.xn--zckzah:8443/"),
    ("http://a/p?q=1&r=2", b"/p?q=1&r=2", "http://a/p?q=1&r=2"),
    ("http://a?q", b"/?q", "http://a/?q"),
    ("http://a/p?", b"/p?", "http://a/p?"),
    ("http://a/p#frag", b"/p", "http://a/p#frag"),
    ("http://a/p?q#f#g", b"/p?q", "http://a/p?q#f%23g"),
    ("http://a/ä?é#ü", b"/%C3%A4?%C3%A9", "http://a/%C3%A4?%C3%A9#%C3%BC"),
    ("http://a/%7e%2F?x=%41", b"/%7e%2F?x=%41", "http://a/%7e%2F?x=%41"),
    ("http://a/100%?50%zz", b"/100%25?50%25zz", "http://a/100%25?50%25zz"),
    (
        'http://a/"<>\\^`{|}[]',
        b"/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D",
        "http://a/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D",
    ),
    ("http://a/\x01\x7f?\x1b", b"/%01%7F?%1B", "http://a/%01%7F?%1B"),
    ("http://a/-._~!$&'()*+,;=:@/?/?", b"/-._~!$&'()*+,;=:@/?/?", "http://a/-._~!$&'()*+,;=:@/?/?"),
    ("http://a/../b/./c", b"/../b/./c", "http://a/../b/./c"),
    ("http://us er:p%40ss@a/".replace(" ", "%20"), b"/", "http://us%20er:p%40ss@a/"),
    ("http://üser:päss@a/", b"/", "http://%C3%BCser:p%C3%A4ss@a/"),
]


@pytest.mark.parametrize("text, target, string", TARGETS)
def test_url_target_and_str(text: str, target: bytes, string: str) -> None:
    url = URL(text)
    assert url.target == target
    assert str(url) == string
    # The normalised form is a fixed point.
    assert URL(string) == url
    assert str(URL(string)) == string
    assert URL(string).target == target


@pytest.mark.parametrize(
    "text, username, password",
    [
        ("http://a/", "", ""),
        ("http://user@a/", "user", ""),
        ("http://user:secret@a/", "user", "secret"),
        ("http://:secret@a/", "", "secret"),
        ("http://us%20er:p%40ss:word@a/", "us er", "p@ss:word"),
        ("http://me@home:pw@a/", "me@home", "pw"),
        ("http://üser:päss@a/", "üser", "päss"),
    ],
)
def test_url_userinfo(text: str, username: str, password: str) -> None:
    url = URL(text)
    assert (url.username, url.password) == (username, password)
    assert url.host == "a"
    assert url.host_header == b"a"


def test_url_from_bytes_and_url() -> None:
    url = URL("http://example.com/ä")
    assert URL("http://example.com/ä".encode()) == url
    assert URL(url) == url
    assert URL(url).target == b"/%C3%A4"


def test_url_type_error() -> None:
    with pytest.raises(TypeError, match="URL must be str, bytes or URL, not int"):
        URL(42)  # type: ignore[arg-type]


# --- URL: invalid input --------------------------------------------------------------------

INVALID_URLS = [
    ("", InvalidURL, "URL is empty"),
    ("example.com/path", InvalidURL, "did you mean 'http://example.com/path'?"),
    ("localhost:8000/x", InvalidURL, "did you mean 'http://localhost:8000/x'?"),
    ("example.com:80", InvalidURL, "has no scheme; did you mean 'http://example.com:80'?"),
    ("//example.com/p", InvalidURL, "did you mean 'http://example.com/p'?"),
    ("/path", InvalidURL, "is relative; give an absolute http:// or https:// URL"),
    ("http:example.com", InvalidURL, "has no host; did you mean 'http://example.com'?"),
    ("https:/example.com", InvalidURL, "has no host; did you mean 'https://example.com'?"),
    ("http:///path", InvalidURL, "'http:///path' has no host"),
    ("http://:80/", InvalidURL, "'http://:80/' has no host"),
    ("http://user:pw@/", InvalidURL, "has no host"),
    ("http://a:b/", InvalidURL, "has an invalid port 'b'"),
    ("http://a:-1/", InvalidURL, "has an invalid port '-1'"),
    ("http://a:٣/", InvalidURL, "has an invalid port '٣'"),
    ("http://a:123456/", InvalidURL, "has an invalid port '123456'"),
    ("http://a:65536/", InvalidURL, "port out of range 0-65535: 65536"),
    ("http://a:99999/", InvalidURL, "port out of range 0-65535: 99999"),
    ("http://ex%41.com/", InvalidURL, "invalid characters in the host 'ex%41.com'"),
    ("http://a..b/", InvalidURL, "invalid characters in the host 'a..b'"),
    ("http://.a/", InvalidURL, "invalid characters in the host '.a'"),
    ("http://a\\b/", InvalidURL, "invalid characters in the host"),
    ("http://a]/", InvalidURL, "invalid characters in the host 'a]'"),
    ("http://ü..b/", InvalidURL, "has a host that IDNA cannot encode"),
    ("http://" + "ü" * 70 + ".com/", InvalidURL, "has a host that IDNA cannot encode"),
    ("http://999.1.1.1/", InvalidURL, "invalid IPv4 address '999.1.1.1'"),
    ("http://1234/", InvalidURL, "invalid IPv4 address '1234'"),
    ("http://example.123/", InvalidURL, "invalid IPv4 address 'example.123'"),
    ("http://::1/", InvalidURL, "an IPv6 address must be in brackets"),
    ("http://::1:8000/", InvalidURL, "an IPv6 address must be in brackets"),
    ("http://[::1/", InvalidURL, "malformed IPv6 host '[::1'"),
    ("http://[::1]x/", InvalidURL, "malformed IPv6 host '[::1]x'"),
    ("http://[zz]/", InvalidURL, "invalid IPv6 address '[zz]'"),
    ("http://[127.0.0.1]/", InvalidURL, "invalid IPv6 address"),
    ("http://a b/", InvalidURL, "invalid characters in the host"),
    ("http://a/\r\nHost: evil", InvalidURL, "contains '\\r' at index 9"),
    ("http://a/\nx", InvalidURL, "contains '\\n'"),
    ("http://a/\x00", InvalidURL, "contains '\\x00'"),
    ("http://a/\tx", InvalidURL, "contains '\\t'"),
    ("http://a/\ud800", InvalidURL, "unencodable character '\\ud800'"),
    ("ftp://example.com/", UnsupportedScheme, "'ftp': only 'http' and 'https' are supported"),
    ("ws://example.com/", UnsupportedScheme, "'ws': only 'http' and 'https' are supported"),
    ("WSS://example.com/", UnsupportedScheme, "'wss': only 'http' and 'https' are supported"),
    ("mailto:a@b", UnsupportedScheme, "only 'http' and 'https' are supported"),
    (b"http://\xff/", InvalidURL, "is not valid UTF-8"),
]


@pytest.mark.parametrize("text, exc_type, message", INVALID_URLS)
def test_invalid_url(text: str | bytes, exc_type: type[Exception], message: str) -> None:
    with pytest.raises(exc_type) as info:
        URL(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unsupported_scheme_is_invalid_url() -> None:
    with pytest.raises(InvalidURL):
        URL("ftp://example.com/")


# --- URL: join (RFC 3986 section 5.4.1) ------------------------------------------------------

RFC3986_NORMAL = [
    ("g", "http://a/b/c/g"),
    ("./g", "http://a/b/c/g"),
    ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"),
    ("//g", "http://g"),
    ("?y", "http://a/b/c/d;p?y"),
    ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q#s"),
    ("g#s", "http://a/b/c/g#s"),
    ("g?y#s", "http://a/b/c/g?y#s"),
    (";x", "http://a/b/c/;x"),
    ("g;x", "http://a/b/c/g;x"),
    ("g;x?y#s", "http://a/b/c/g;x?y#s"),
    ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"),
    ("./", "http://a/b/c/"),
    ("..", "http://a/b/"),
    ("../", "http://a/b/"),
    ("../g", "http://a/b/g"),
    ("../..", "http://a/"),
    ("../../", "http://a/"),
    ("../../g", "http://a/g"),
]


@pytest.mark.parametrize("reference, expected", RFC3986_NORMAL)
def test_join_rfc3986_normal_examples(reference: str, expected: str) -> None:
    assert URL("http://a/b/c/d;p?q").join(reference) == URL(expected)


@pytest.mark.parametrize(
    "base, reference, expected",
    [
        ("http://a/b/c/d;p?q", "../../../g", "http://a/g"),
        ("http://a/b/c/d;p?q", "/./g", "http://a/g"),
        ("http://a/b/c/d;p?q", "g/./h/../i", "http://a/b/c/g/i"),
        ("http://a/b/c/d;p?q", "HTTPS://Other.example/x/../y", "https://other.example/y"),
        ("http://a/b/c/d;p?q", "//other:8080/p", "http://other:8080/p"),
        ("http://a", "g", "http://a/g"),
        ("http://a?x", "", "http://a?x"),
        ("http://u:p@a:81/b/c", "d", "http://u:p@a:81/b/d"),
        ("http://a/b", "ä b".replace(" ", "%20"), "http://a/%C3%A4%20b"),
    ],
)
def test_join_more(base: str, reference: str, expected: str) -> None:
    assert URL(base).join(reference) == URL(expected)


def test_join_other_scheme_is_unsupported() -> None:
    # RFC 3986 5.4.1 "g:h" resolves to "g:h", which is not an http(s) URL.
    with pytest.raises(UnsupportedScheme, match="'g'"):
        URL("http://a/b/c/d;p?q").join("g:h")


# --- URL: repr, str, equality, hashing, caching, immutability ---------------------------------


def test_url_repr_and_str() -> None:
    assert repr(URL("http://example.com/path")) == "URL('http://example.com/path')"
    url = URL("https://user:secret@example.com/")
    assert repr(url) == "URL('https://user:[secure]@example.com/')"
    assert str(url) == "https://user:secret@example.com/"
    assert repr(URL("https://user@example.com/")) == "URL('https://user@example.com/')"


def test_url_equality_and_hash() -> None:
    a = URL("HTTP://Example.COM:80")
    b = URL("http://example.com/")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert URL("http://example.com/a") != URL("http://example.com/b")
    assert URL("http://example.com/") != "http://example.com/"
    assert URL("http://example.com/").__eq__("http://example.com/") is NotImplemented


def test_url_parse_is_cached() -> None:
    text = "http://cache.example/some/path?q=1"
    first = URL(text)
    hits = _parse.cache_info().hits
    second = URL(text)
    assert _parse.cache_info().hits == hits + 1
    assert first == second
    assert first is not second
    assert first.origin is second.origin
    assert _parse.cache_info().maxsize == 512


def test_url_is_immutable() -> None:
    url = URL("http://example.com/")
    with pytest.raises(AttributeError):
        url.host = "other.example"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        url.anything = 1  # type: ignore[attr-defined]
    assert url.host == "example.com"


# --- Origin --------------------------------------------------------------------------------


def test_origin() -> None:
    origin = Origin("https", "example.com", 443)
    assert (origin.scheme, origin.host, origin.port, origin.is_secure) == (
        "https",
        "example.com",
        443,
        True,
    )
    assert Origin("http", "example.com", 80).is_secure is False
    assert repr(origin) == "Origin('https', 'example.com', 443)"
    assert origin == Origin("https", "example.com", 443)
    assert hash(origin) == hash(Origin("https", "example.com", 443))
    assert origin != Origin("https", "example.com", 8443)
    assert origin != Origin("http", "example.com", 443)
    assert origin != ("https", "example.com", 443)
    assert (origin == ("https", "example.com", 443)) is False
    assert {origin: 1}[URL("https://EXAMPLE.com/x").origin] == 1


def test_origin_is_immutable() -> None:
    origin = Origin("http", "example.com", 80)
    with pytest.raises(AttributeError):
        origin.port = 81  # type: ignore[misc]
    with pytest.raises(AttributeError):
        origin.extra = 1  # type: ignore[attr-defined]
    assert origin.port == 80
    assert not hasattr(origin, "__dict__")


# --- Request: method -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, expected",
    [
        ("GET", b"GET"),
        (b"POST", b"POST"),
        ("get", b"get"),
        ("PROPFIND", b"PROPFIND"),
        (b"M-SEARCH", b"M-SEARCH"),
        ("X!#$%&'*+.^_`|~9", b"X!#$%&'*+.^_`|~9"),
    ],
)
def test_request_method(method: str | bytes, expected: bytes) -> None:
    assert Request(method, "http://example.com/").method == expected


@pytest.mark.parametrize(
    "method, message",
    [
        ("", "invalid HTTP method b'': it must be a token"),
        (b"", "invalid HTTP method b'': it must be a token"),
        ("GET /x HTTP/1.1\r\n", "invalid HTTP method"),
        ("G T", "invalid HTTP method b'G T'"),
        ("GET(", "invalid HTTP method b'GET('"),
        ("GÉT", "invalid HTTP method 'GÉT': it must be ASCII"),
    ],
)
def test_request_invalid_method(method: str | bytes, message: str) -> None:
    with pytest.raises(LocalProtocolError) as info:
        Request(method, "http://example.com/")
    assert message in str(info.value)


def test_request_method_type_error() -> None:
    with pytest.raises(TypeError, match="method must be str or bytes, not NoneType"):
        Request(None, "http://example.com/")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "method, idempotent",
    [
        ("GET", True),
        ("HEAD", True),
        ("PUT", True),
        ("DELETE", True),
        ("OPTIONS", True),
        ("TRACE", True),
        ("POST", False),
        ("PATCH", False),
        ("CONNECT", False),
        ("get", False),
    ],
)
def test_request_is_idempotent(method: str, idempotent: bool) -> None:
    assert Request(method, "http://example.com/").is_idempotent is idempotent


# --- Request: URL, body, repr --------------------------------------------------------------


def test_request_url_forms() -> None:
    url = URL("http://example.com/")
    assert Request("GET", url).url is url
    assert Request("GET", "http://example.com").url == url
    assert Request("GET", b"http://example.com").url == url
    with pytest.raises(InvalidURL, match=r"did you mean 'http://example\.com'"):
        Request("GET", "example.com")


def test_request_repr() -> None:
    assert repr(Request("GET", "http://example.com")) == "<Request('GET', 'http://example.com/')>"
    request = Request(b"POST", "https://u:pw@example.com/x?y")
    assert repr(request) == "<Request('POST', 'https://u:[secure]@example.com/x?y')>"


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"abc", b"abc"),
        (None, b""),
        (bytearray(b"abc"), b"abc"),
        (memoryview(b"abc"), b"abc"),
    ],
)
def test_request_bytes_bodies(body: Any, expected: bytes) -> None:
    request = Request("POST", "http://example.com/", body=body)
    assert request.body == expected
    assert type(request.body) is bytes
    assert request.is_streaming is False
    assert request.content_length == len(expected)


async def _agen() -> AsyncIterator[bytes]:
    yield b"x"


@pytest.mark.parametrize("make_body", [lambda: iter([b"a"]), lambda: [b"a", b"b"], _agen])
def test_request_streaming_bodies(make_body: Any) -> None:
    body = make_body()
    request = Request("POST", "http://example.com/", body=body)
    assert request.body is body
    assert request.is_streaming is True
    assert request.content_length is None
    if hasattr(body, "aclose"):
        body.aclose().close()


@pytest.mark.parametrize(
    "body, message",
    [
        ("text", "request body must be bytes, not str: encode str bodies first"),
        (42, "request body must be bytes or an (async) iterable of bytes, not int"),
        ({"a": b"b"}, "request body must be bytes or an (async) iterable of bytes, not dict"),
        (1.5, "not float"),
    ],
)
def test_request_body_type_errors(body: Any, message: str) -> None:
    with pytest.raises(TypeError) as info:
        Request("POST", "http://example.com/", body=body)
    assert message in str(info.value)


# --- Request: headers ----------------------------------------------------------------------


def auto(*extra: tuple[bytes, bytes], host: bytes = b"example.com") -> list[tuple[bytes, bytes]]:
    return [(b"host", host), (b"accept-encoding", ACCEPT_ENCODING), *extra]


@pytest.mark.parametrize(
    "headers, expected",
    [
        (None, auto()),
        ({}, auto()),
        ([], auto()),
        ({"X-A": "1"}, auto((b"X-A", b"1"))),
        ([("X-A", "1"), ("x-a", "2")], auto((b"X-A", b"1"), (b"x-a", b"2"))),
        ([(b"X-B", b"b"), ("X-A", "a")], auto((b"X-B", b"b"), (b"X-A", b"a"))),
        ({"X-A": "  padded \t"}, auto((b"X-A", b"padded"))),
        ({"X-A": "in  side"}, auto((b"X-A", b"in  side"))),
        ({"X-A": "tab\there"}, auto((b"X-A", b"tab\there"))),
        ({"X-A": ""}, auto((b"X-A", b""))),
        ({"X-A": "café"}, auto((b"X-A", "café".encode()))),
        ({"X-A": b"\xe9\xff"}, auto((b"X-A", b"\xe9\xff"))),
        (
            {"Host": "other.example"},
            [(b"accept-encoding", ACCEPT_ENCODING), (b"Host", b"other.example")],
        ),
        (
            {"ACCEPT-ENCODING": "identity"},
            [(b"host", b"example.com"), (b"ACCEPT-ENCODING", b"identity")],
        ),
        (
            {"accept-encoding": "gzip", "HOST": "h"},
            [(b"accept-encoding", b"gzip"), (b"HOST", b"h")],
        ),
    ],
)
def test_request_headers(headers: Any, expected: list[tuple[bytes, bytes]]) -> None:
    assert Request("GET", "http://example.com/", headers=headers).headers == expected


@pytest.mark.parametrize(
    "url, host_header",
    [
        ("http://example.com:8080/", b"example.com:8080"),
        ("https://example.com:443/", b"example.com"),
        ("http://[::1]:8000/", b"[::1]:8000"),
        ("http://bücher.example/", b"xn--bcher-kva.example"),
    ],
)
def test_request_host_header(url: str, host_header: bytes) -> None:
    assert Request("GET", url).headers[0] == (b"host", host_header)


@pytest.mark.parametrize(
    "headers, message",
    [
        ({"X A": "1"}, "invalid header name b'X A': it must be a token"),
        ({"": "1"}, "invalid header name b'': it must be a token"),
        ({"X-A:": "1"}, "invalid header name b'X-A:'"),
        ({b"X\r\nY": b"1"}, "invalid header name b'X\\r\\nY'"),
        ({"Ünicode": "1"}, "header name 'Ünicode' must be ASCII"),
        ({"X-A": "a\r\nX-Evil: 1"}, "header b'X-A' value contains the forbidden byte b'\\r'"),
        ({"X-A": b"a\nb"}, "header b'X-A' value contains the forbidden byte b'\\n'"),
        ({"X-A": "a\x00b"}, "header b'X-A' value contains the forbidden byte b'\\x00'"),
        ({"X-A": "a\x7fb"}, "forbidden byte b'\\x7f'"),
        ({"X-A": "a\x1bb"}, "forbidden byte b'\\x1b'"),
        ({"X-A": "\ud800"}, "header b'X-A' has an unencodable value"),
    ],
)
def test_request_invalid_headers(headers: Any, message: str) -> None:
    with pytest.raises(LocalProtocolError) as info:
        Request("GET", "http://example.com/", headers=headers)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "headers, message",
    [
        ("X-A: 1", "headers must be a mapping or a sequence of (name, value) pairs"),
        (b"X-A: 1", "headers must be a mapping or a sequence of (name, value) pairs"),
        ([(1, "a")], "header name must be str or bytes, not int"),
        ([("X-A", 1)], "header b'X-A' value must be str or bytes, not int"),
    ],
)
def test_request_header_type_errors(headers: Any, message: str) -> None:
    with pytest.raises(TypeError) as info:
        Request("GET", "http://example.com/", headers=headers)
    assert message in str(info.value)


# --- Request: framing ----------------------------------------------------------------------

CL = b"content-length"
TE = b"transfer-encoding"

# method, caller headers, body, framing headers after the automatic ones, content_length
FRAMING = [
    ("GET", [], b"", [], 0),
    ("HEAD", [], None, [], 0),
    ("DELETE", [], b"", [], 0),
    ("GET", [], b"abc", [(CL, b"3")], 3),
    ("POST", [], b"", [(CL, b"0")], 0),
    ("PUT", [], None, [(CL, b"0")], 0),
    ("PATCH", [], b"", [(CL, b"0")], 0),
    ("POST", [], b"hello", [(CL, b"5")], 5),
    ("POST", [("Content-Length", "5")], b"hello", [(b"Content-Length", b"5")], 5),
    ("POST", [("Content-Length", " 5 ")], b"hello", [(b"Content-Length", b"5")], 5),
    (
        "POST",
        [("Content-Length", "5"), ("content-length", "5")],
        b"hello",
        [(b"Content-Length", b"5")],
        5,
    ),
    (
        "POST",
        [("Content-Length", "5"), ("X-A", "1"), ("CONTENT-LENGTH", "005")],
        b"hello",
        [(b"Content-Length", b"5"), (b"X-A", b"1")],
        5,
    ),
    (
        "POST",
        [("content-length", "2"), ("X", "1"), ("Content-Length", "2"), ("CONTENT-LENGTH", "02")],
        b"hi",
        [(b"content-length", b"2"), (b"X", b"1")],
        2,
    ),
    ("GET", [("Content-Length", "0")], b"", [(b"Content-Length", b"0")], 0),
    (
        "POST",
        [("Transfer-Encoding", "chunked")],
        b"hello",
        [(b"Transfer-Encoding", b"chunked")],
        None,
    ),
    ("POST", [("Transfer-Encoding", "Chunked")], b"", [(b"Transfer-Encoding", b"Chunked")], None),
    ("POST", [], [b"a"], [(TE, b"chunked")], None),
    ("GET", [], [b"a"], [(TE, b"chunked")], None),
    ("POST", [("Content-Length", "10")], [b"a"], [(b"Content-Length", b"10")], 10),
    (
        "POST",
        [("transfer-encoding", "chunked")],
        [b"a"],
        [(b"transfer-encoding", b"chunked")],
        None,
    ),
]


@pytest.mark.parametrize("method, headers, body, framing, content_length", FRAMING)
def test_request_framing(
    method: str,
    headers: list[tuple[str, str]],
    body: Any,
    framing: list[tuple[bytes, bytes]],
    content_length: int | None,
) -> None:
    request = Request(method, "http://example.com/", headers=headers, body=body)
    assert request.headers == auto(*framing)
    assert request.content_length == content_length


FRAMING_ERRORS = [
    (
        [("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
        b"abc",
        "headers b'Content-Length' and b'Transfer-Encoding' must not both be given",
    ),
    (
        [("Transfer-Encoding", "chunked"), ("Content-Length", "3")],
        [b"abc"],
        "must not both be given",
    ),
    ([("Content-Length", "4")], b"abc", "header b'Content-Length' is 4 but the body is 3 bytes"),
    ([("Content-Length", "2")], b"abc", "is 2 but the body is 3 bytes"),
    (
        [("Content-Length", "abc")],
        b"abc",
        "header b'Content-Length' must be a non-negative decimal integer, not b'abc'",
    ),
    ([("Content-Length", "-3")], b"abc", "non-negative decimal integer, not b'-3'"),
    ([("Content-Length", "3, 3")], b"abc", "non-negative decimal integer, not b'3, 3'"),
    ([("Content-Length", "")], b"", "non-negative decimal integer, not b''"),
    ([("Content-Length", "9" * 5000)], [b"x"], "non-negative decimal integer"),
    (
        [("Content-Length", "3"), ("Content-Length", "4")],
        b"abc",
        "header b'Content-Length' has differing values [b'3', b'4']",
    ),
    (
        [("Transfer-Encoding", "gzip")],
        b"abc",
        "header b'Transfer-Encoding' must be exactly b'chunked', not [b'gzip']",
    ),
    ([("Transfer-Encoding", "gzip, chunked")], [b"abc"], "not [b'gzip, chunked']"),
    (
        [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
        b"abc",
        "not [b'chunked', b'chunked']",
    ),
]


@pytest.mark.parametrize("headers, body, message", FRAMING_ERRORS)
def test_request_framing_errors(headers: list[tuple[str, str]], body: Any, message: str) -> None:
    with pytest.raises(LocalProtocolError) as info:
        Request("POST", "http://example.com/", headers=headers, body=body)
    assert message in str(info.value)


# --- header helpers and the Accept-Encoding value ---------------------------------------------

HEADERS = [(b"Content-Type", b"text/plain"), (b"X-A", b"1"), (b"x-a", b"2")]


@pytest.mark.parametrize(
    "name, first, values",
    [
        (b"content-type", b"text/plain", [b"text/plain"]),
        (b"x-a", b"1", [b"1", b"2"]),
        (b"missing", None, []),
    ],
)
def test_header_helpers(name: bytes, first: bytes | None, values: list[bytes]) -> None:
    assert get_header(HEADERS, name) == first
    assert get_header_values(HEADERS, name) == values


def test_accept_encoding_names_the_supported_encodings() -> None:
    value = Request("GET", "http://example.com/").headers[1]
    assert value == (b"accept-encoding", SUPPORTED_ENCODINGS)
    assert {b"gzip", b"deflate"} <= set(SUPPORTED_ENCODINGS.split(b", "))
