"""`Proxy`: parsing and validation at configuration time, and what goes to an HTTP proxy."""

from __future__ import annotations

import pytest

import httpcore
from httpcore._models import Request
from httpcore._proxy import connect_head, forward_request


@pytest.mark.parametrize(
    ("url", "expected", "port"),
    [
        ("http://proxy.test", "http://proxy.test:80", 80),
        ("HTTPS://Proxy.Test/", "https://proxy.test:443", 443),
        ("socks5://proxy.test", "socks5://proxy.test:1080", 1080),
        ("socks5h://[::1]:9050", "socks5h://[::1]:9050", 9050),
    ],
)
def test_urls_and_default_ports(url, expected, port):
    proxy = httpcore.Proxy(url)
    assert (proxy.url, proxy.port, proxy.auth) == (expected, port, None)


def test_flags():
    assert httpcore.Proxy("https://p.test").is_secure
    assert not httpcore.Proxy("http://p.test").is_socks
    assert httpcore.Proxy("socks5://p.test").is_socks
    assert not httpcore.Proxy("socks5://p.test").remote_dns
    assert httpcore.Proxy("socks5h://p.test").remote_dns
    assert httpcore.Proxy("http://p.test:3128").forward_key == httpcore.Origin(
        "http", "p.test", 3128
    )


def test_credentials_from_the_url_or_auth():
    proxy = httpcore.Proxy("http://us%40er:p%3Ass@p.test:3128")
    assert proxy.auth == ("us@er", "p:ss")
    assert "p:ss" not in repr(proxy)
    assert repr(proxy) == "Proxy('http://p.test:3128', auth=('us@er', '[secure]'))"
    assert httpcore.Proxy("http://a:b@p.test", auth=("c", "d")).auth == ("c", "d")
    assert repr(httpcore.Proxy("http://p.test")) == "Proxy('http://p.test:80')"


def test_equality_and_hash():
    first = httpcore.Proxy("http://u:p@p.test:3128", headers={"X-A": "1"})
    second = httpcore.Proxy("http://p.test:3128", auth=("u", "p"), headers=[("X-A", "1")])
    assert first == second
    assert hash(first) == hash(second)
    assert first != httpcore.Proxy("http://p.test:3128")
    assert first != "http://u:p@p.test:3128"


@pytest.mark.parametrize(
    ("url", "error", "match"),
    [
        ("socks4://p.test", httpcore.UnsupportedScheme, "unsupported scheme 'socks4'"),
        ("ftp://p.test", httpcore.UnsupportedScheme, "use http, https, socks5 or socks5h"),
        ("p.test:3128", httpcore.InvalidURL, "no scheme"),
        ("http://", httpcore.InvalidURL, "invalid proxy URL"),
        ("http://p.test:99999", httpcore.InvalidURL, "out of range"),
    ],
)
def test_invalid_urls(url, error, match):
    with pytest.raises(error, match=match):
        httpcore.Proxy(url)


def test_invalid_arguments():
    with pytest.raises(TypeError, match="must be a str"):
        httpcore.Proxy(b"http://p.test")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tuple of str"):
        httpcore.Proxy("http://p.test", auth=["u", "p"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="SSLConfig"):
        httpcore.Proxy("https://p.test", ssl=True)  # type: ignore[arg-type]
    with pytest.raises(httpcore.LocalProtocolError, match="RFC 7617"):
        httpcore.Proxy("http://p.test", auth=("a:b", "c"))
    with pytest.raises(httpcore.LocalProtocolError, match="password is longer"):
        httpcore.Proxy("socks5://p.test", auth=("u", "p" * 256))
    with pytest.raises(httpcore.LocalProtocolError):
        httpcore.Proxy("http://p.test", headers={"Bad Name": "x"})
    # A colon is fine in a SOCKS5 username (RFC 1929 sends lengths, not separators).
    assert httpcore.Proxy("socks5://p.test", auth=("a:b", "c")).auth == ("a:b", "c")


def test_forward_request_has_an_absolute_target_and_proxy_headers():
    request = Request("POST", "http://user:pw@example.com:8080/a%20b?q=1#frag", body=b"x")
    proxy = httpcore.Proxy("http://u:p@p.test", headers={"X-Proxy": "1"})
    forwarded = forward_request(request, proxy)
    assert forwarded.url.target == b"http://example.com:8080/a%20b?q=1"
    assert forwarded.url == request.url
    assert forwarded.headers[-2:] == [
        (b"Proxy-Authorization", b"Basic dTpw"),
        (b"X-Proxy", b"1"),
    ]
    assert (forwarded.body, forwarded.method) == (b"x", b"POST")
    # The caller's request is not changed; without credentials or headers none are added.
    assert request.url.target == b"/a%20b?q=1"
    plain = forward_request(request, httpcore.Proxy("http://p.test"))
    assert plain.headers == request.headers


def test_explicit_proxy_authorization_header_wins():
    proxy = httpcore.Proxy("http://u:p@p.test", headers={"Proxy-Authorization": "Bearer t"})
    head = connect_head(httpcore.Origin("https", "example.com", 443), proxy)
    assert head == (
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
        b"Proxy-Authorization: Bearer t\r\n\r\n"
    )
