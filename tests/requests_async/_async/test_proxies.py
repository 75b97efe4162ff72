"""requests_async through real proxies on loopback: squid (forward mode, CONNECT) and microsocks
(SOCKS5), chosen by `proxies=`, the session or the environment; origins record what reached
them, so that the tests prove proxy credentials never reach an origin."""

from __future__ import annotations

import pytest

from requests_async._async.sessions import Session
from requests_async.auth import HTTPProxyAuth
from requests_async.exceptions import InvalidProxyURL, ProxyError
from tests.servers.proxies import PASSWORD, USERNAME

SECRET = "proxy-authorization"


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


async def test_http_target_in_forward_mode(squid, recording_server, recording_app):
    proxies = {"http": squid.url("auth", credentials=True)}
    async with Session() as s:
        for _ in range(2):
            r = await s.get(recording_server.url + "/echo_headers", proxies=proxies)
            assert r.status_code == 200
        # The same proxy without the credentials answers 407: the requests went through it.
        proxies = {"http": squid.url("auth")}
        r = await s.get(recording_server.url + "/", proxies=proxies)
        assert r.status_code == 407
    assert len(recording_app.requests) == 2
    assert SECRET not in recording_app.header_names()


async def test_https_target_through_a_tunnel(squid, recording_https_server, recording_app, ca_file):
    async with Session() as s:
        s.proxies = {"https": squid.url("auth", credentials=True)}
        r = await s.get(recording_https_server.url + "/", verify=str(ca_file))
    assert (r.status_code, r.text) == (200, "Hello, world")
    assert [path for path, _ in recording_app.requests] == ["/"]
    assert SECRET not in recording_app.header_names()


@pytest.mark.parametrize("target", ["recording_server", "recording_https_server"])
async def test_http_proxy_auth_goes_to_the_proxy_only(
    request, target, squid, recording_app, ca_file
):
    origin = request.getfixturevalue(target)
    proxies = {"all": squid.url("auth")}
    auth = HTTPProxyAuth(USERNAME, PASSWORD)
    async with Session() as s:
        r = await s.get(origin.url + "/", proxies=proxies, auth=auth, verify=str(ca_file))
        assert r.status_code == 200
        # The header stays on the prepared request, as requests shows it.
        assert r.request.headers["Proxy-Authorization"].startswith("Basic ")
        # Without a proxy, no origin gets it either.
        r = await s.get(origin.url + "/", auth=auth, verify=str(ca_file))
        assert r.status_code == 200
    assert len(recording_app.requests) == 2
    assert SECRET not in recording_app.header_names()


async def test_wrong_credentials(squid, recording_server, recording_https_server, ca_file):
    proxies = {"all": squid.url("auth")}
    async with Session() as s:
        # Forward mode: the proxy's 407 is the response, as in requests.
        r = await s.get(recording_server.url + "/", proxies=proxies)
        assert r.status_code == 407
        with pytest.raises(ProxyError, match="407") as info:
            await s.get(recording_https_server.url + "/", proxies=proxies, verify=str(ca_file))
        assert info.value.request is not None


async def test_environment_proxies_and_no_proxy(squid, recording_server, monkeypatch):
    # The deny port answers 403 to everything: the status shows which way the request went.
    monkeypatch.setenv("HTTP_PROXY", squid.url("deny"))
    async with Session() as s:
        assert (await s.get(recording_server.url + "/")).status_code == 403
        s.trust_env = False
        assert (await s.get(recording_server.url + "/")).status_code == 200
    port = recording_server.port
    bypassing = {
        "127.0.0.1": "url",
        "127.0.0.0/8": "url",
        f"x.example, localhost:{port}": "localhost_url",
    }
    for no_proxy, url in bypassing.items():
        monkeypatch.setenv("NO_PROXY", no_proxy)
        async with Session() as s:
            assert (await s.get(getattr(recording_server, url) + "/")).status_code == 200
    monkeypatch.setenv("NO_PROXY", "other.example")
    async with Session() as s:
        assert (await s.get(recording_server.url + "/")).status_code == 403
        # An explicit proxy for the request wins over the environment.
        proxies = {"http": squid.url("open")}
        assert (await s.get(recording_server.url + "/", proxies=proxies)).status_code == 200


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_socks5_with_credentials(socks_proxy, recording_server, recording_app, scheme):
    async with Session() as s:
        s.proxies = {"all": socks_proxy.url(scheme)}
        r = await s.get(recording_server.localhost_url + "/")
    assert (r.status_code, r.text) == (200, "Hello, world")
    assert len(recording_app.requests) == 1


async def test_all_proxy_from_the_environment(socks_proxy, recording_server, monkeypatch):
    monkeypatch.setenv("ALL_PROXY", socks_proxy.url("socks5h", credentials=False))
    async with Session() as s:
        # microsocks refuses a client without the credentials it requires.
        with pytest.raises(ProxyError):
            await s.get(recording_server.url + "/")
    monkeypatch.setenv("ALL_PROXY", socks_proxy.url("socks5h"))
    async with Session() as s:
        assert (await s.get(recording_server.url + "/")).status_code == 200


@pytest.mark.parametrize("proxy", ["ftp://127.0.0.1:21", "http://", "http://bad host:1"])
async def test_invalid_proxy_urls(server, proxy):
    async with Session() as s:
        with pytest.raises(InvalidProxyURL, match="Please check proxy URL"):
            await s.get(server.url + "/", proxies={"http": proxy})


async def test_no_proxy_credentials_after_a_redirect_to_a_direct_origin(
    squid, httpbin, recording_server, recording_app
):
    # Requests to localhost go through the proxy (with credentials); the redirect leads to
    # 127.0.0.1, which no proxy entry names: that hop goes direct, without the credentials.
    proxies = {"http://localhost": squid.url("auth", credentials=True)}
    start = httpbin.url.replace("127.0.0.1", "localhost") + "/redirect-to"
    async with Session() as s:
        r = await s.get(start, params={"url": recording_server.url + "/"}, proxies=proxies)
    assert (r.status_code, len(r.history)) == (200, 1)
    assert [path for path, _ in recording_app.requests] == ["/"]
    assert SECRET not in recording_app.header_names()
