"""Proxies against real servers: squid (forward, CONNECT, TLS to the proxy) and microsocks."""

from __future__ import annotations

import pytest

import httpcore
from tests.servers.proxies import PASSWORD, USERNAME, free_port

SECRET_HEADERS = {"proxy-authorization", "x-proxy-note"}


def pool(ca_file, proxy, **kwargs):
    return httpcore.ConnectionPool(
        ssl=httpcore.SSLConfig(verify=ca_file), proxy=proxy, timeout=5.0, **kwargs
    )


async def test_forward_mode_shares_connections_to_the_proxy(
    squid, recording_server, recording_app, ca_file
):
    async with pool(ca_file, squid.url("auth", credentials=True)) as http:
        first = await http.request("GET", recording_server.url + "/echo_headers?a=1#frag")
        second = await http.request("GET", f"http://localhost:{recording_server.port}/")
        assert (first.status_code, second.body) == (200, b"Hello, world")
        # Forward-mode connections belong to the proxy, whatever the origin.
        assert http.num_keepalive_connections == 1
    assert [path for path, _ in recording_app.requests] == ["/echo_headers", "/"]
    assert recording_app.requests[1][1]["host"] == f"localhost:{recording_server.port}"
    assert "proxy-authorization" not in recording_app.header_names()


async def test_forward_mode_without_credentials_returns_the_407(squid, recording_server):
    async with httpcore.ConnectionPool(proxy=squid.url("auth")) as http:
        response = await http.request("GET", recording_server.url + "/")
    assert response.status_code == 407


async def test_tunnel_per_origin_and_no_credentials_inside(
    squid, recording_https_server, recording_app, ca_file
):
    proxy = httpcore.Proxy(
        squid.url("auth"), auth=(USERNAME, PASSWORD), headers={"X-Proxy-Note": "to the proxy"}
    )
    async with pool(ca_file, proxy) as http:
        for _ in range(2):
            response = await http.request("GET", recording_https_server.url + "/echo_headers")
            assert response.status_code == 200
        assert http.num_keepalive_connections == 1
        await http.request("GET", recording_https_server.localhost_url + "/")
        assert http.num_keepalive_connections == 2
    assert len(recording_app.requests) == 3
    assert not recording_app.header_names() & SECRET_HEADERS


async def test_tunnel_verifies_the_origin_certificate(squid, wrong_name_https_server, ca_file):
    async with pool(ca_file, squid.url("open")) as http:
        with pytest.raises(httpcore.CertificateError):
            await http.request("GET", wrong_name_https_server.url + "/")
        assert http.num_active_connections == 0


async def test_tls_through_a_tunnel_to_a_cleartext_server(squid, recording_server, ca_file):
    async with pool(ca_file, squid.url("open")) as http:
        with pytest.raises(httpcore.ConnectError):
            await http.request("GET", f"https://127.0.0.1:{recording_server.port}/")


@pytest.mark.parametrize(
    ("port", "credentials", "status"),
    [("auth", False, 407), ("deny", False, 403)],
)
async def test_refused_connect_is_a_proxy_error(
    squid, recording_https_server, ca_file, port, credentials, status
):
    async with pool(ca_file, squid.url(port, credentials=credentials)) as http:
        with pytest.raises(httpcore.ProxyError) as caught:
            await http.request("GET", recording_https_server.url + "/")
        assert http.num_active_connections == 0
    assert caught.value.status_code == status
    assert caught.value.reason
    assert str(status) in str(caught.value)


async def test_wrong_password_is_refused(squid, recording_https_server, ca_file):
    proxy = httpcore.Proxy(squid.url("auth"), auth=(USERNAME, "wrong"))
    async with pool(ca_file, proxy) as http:
        with pytest.raises(httpcore.ProxyError) as caught:
            await http.request("GET", recording_https_server.url + "/")
    assert caught.value.status_code == 407


async def test_https_proxy_forward_and_tls_in_tls(
    squid, recording_server, recording_https_server, recording_app, ca_file
):
    async with pool(ca_file, squid.url("tls", credentials=True)) as http:
        plain = await http.request("GET", recording_server.url + "/")
        tunnelled = await http.request("GET", recording_https_server.url + "/echo_body", body=b"x")
        assert (plain.body, tunnelled.body) == (b"Hello, world", b"x")
        assert http.num_keepalive_connections == 2
    assert len(recording_app.requests) == 2
    assert "proxy-authorization" not in recording_app.header_names()


async def test_https_proxy_with_its_own_ssl_config(squid, recording_server, ca_file):
    proxy = httpcore.Proxy(squid.url("tls"), ssl=httpcore.SSLConfig(verify=ca_file))
    async with httpcore.ConnectionPool(proxy=proxy) as http:
        # The pool's default SSLConfig would not trust the proxy's certificate.
        response = await http.request("GET", recording_server.url + "/")
    assert response.status_code == 407


async def test_http2_inside_a_tunnel(squid, h2_server, ca_file):
    async with pool(ca_file, squid.url("tls", credentials=True), http2=True) as http:
        response = await http.request("GET", h2_server.url + "/")
    assert (response.http_version, response.body) == ("HTTP/2", b"Hello, world")


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_socks5_with_password(
    socks_proxy, recording_server, recording_https_server, recording_app, ca_file, scheme
):
    async with pool(ca_file, socks_proxy.url(scheme), http2=True) as http:
        plain = await http.request("GET", f"http://localhost:{recording_server.port}/")
        secure = await http.request("GET", recording_https_server.localhost_url + "/")
        again = await http.request("GET", recording_https_server.localhost_url + "/")
        assert plain.body == secure.body == again.body == b"Hello, world"
        assert http.num_keepalive_connections == 2
    assert len(recording_app.requests) == 3
    assert not recording_app.header_names() & SECRET_HEADERS


async def test_socks5_without_authentication(open_socks_proxy, h2_server, ca_file):
    async with pool(ca_file, open_socks_proxy.url("socks5h"), http2=True) as http:
        response = await http.request("GET", h2_server.url + "/")
    assert response.http_version == "HTTP/2"


@pytest.mark.parametrize(
    ("credentials", "match"), [(False, "needs credentials"), (True, "rejected")]
)
async def test_socks5_authentication_failures(socks_proxy, server, credentials, match):
    proxy = httpcore.Proxy(
        socks_proxy.url(credentials=False), auth=(USERNAME, "wrong") if credentials else None
    )
    async with httpcore.ConnectionPool(proxy=proxy) as http:
        with pytest.raises(httpcore.ProxyError, match=match):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 0


async def test_socks5_proxy_cannot_reach_the_origin(socks_proxy):
    async with httpcore.ConnectionPool(proxy=socks_proxy.url()) as http:
        with pytest.raises(httpcore.ProxyError, match="could not connect"):
            await http.request("GET", f"http://127.0.0.1:{free_port()}/")


async def test_unreachable_proxy_is_a_connect_error():
    async with httpcore.ConnectionPool(proxy=f"http://127.0.0.1:{free_port()}") as http:
        with pytest.raises(httpcore.ConnectError):
            await http.request("GET", "https://127.0.0.1/")


def test_unsupported_scheme_is_rejected_at_configuration():
    with pytest.raises(httpcore.UnsupportedScheme, match="socks4"):
        httpcore.ConnectionPool(proxy="socks4://127.0.0.1:1080")
