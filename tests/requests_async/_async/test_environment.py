"""Timeouts, TLS verification, and what the environment adds: CA bundles, proxies, netrc."""

from __future__ import annotations

import pytest

from requests_async._async.sessions import Session
from requests_async.exceptions import (
    ConnectionError,
    ConnectTimeout,
    InvalidURL,
    ProxyError,
    ReadTimeout,
    SSLError,
    Timeout,
)
from tests.conftest import CLIENT_CERT_NAME


@pytest.fixture(autouse=True)
def no_environment(monkeypatch, tmp_path):
    """Start every test from an environment without proxies, CA bundles or netrc."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


async def test_read_timeout_as_a_number_or_a_pair(server):
    async with Session() as s:
        with pytest.raises(ReadTimeout):
            await s.get(server.url + "/hang_headers", timeout=0.2)
        with pytest.raises(ReadTimeout) as info:
            await s.get(server.url + "/hang_headers", timeout=(5, 0.2))
        assert isinstance(info.value, Timeout)
        assert (await s.get(server.url + "/", timeout=None)).status_code == 200
        assert (await s.get(server.url + "/", timeout=(None, 5))).status_code == 200


async def test_connect_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    async with Session() as s:
        with pytest.raises(ConnectTimeout) as info:
            await s.get(f"http://{host}:{port}/", timeout=(0.2, 5))
    # requests' ConnectTimeout is both.
    assert isinstance(info.value, ConnectionError)
    assert isinstance(info.value, Timeout)


async def test_read_timeout_in_the_body_is_a_connection_error(server):
    async with Session() as s:
        r = await s.get(server.url + "/hang_body", timeout=0.2, stream=True)
        # As requests: a timeout while the body is read surfaces as ConnectionError.
        with pytest.raises(ConnectionError):
            await r.read()


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        ((1, 2, 3), "Invalid timeout (1, 2, 3). Pass a (connect, read) timeout tuple"),
        ((1,), "Invalid timeout (1,). Pass a (connect, read) timeout tuple"),
        # requests reports any bad member of a pair as a bad pair.
        ((1, False), "Invalid timeout (1, False). Pass a (connect, read) timeout tuple"),
        ((1, "x"), "Invalid timeout (1, 'x'). Pass a (connect, read) timeout tuple"),
        ((0, 1), "Invalid timeout (0, 1). Pass a (connect, read) timeout tuple"),
        (True, "Timeout cannot be a boolean value. It must be an int, float or None."),
        ("5", "Timeout value connect was 5, but it must be an int, float or None."),
        (
            0,
            "Attempted to set connect timeout to 0, but the timeout cannot be set to a value "
            "less than or equal to 0.",
        ),
        (-1.5, "Attempted to set connect timeout to -1.5, but the timeout cannot be set"),
    ],
)
async def test_invalid_timeouts(server, timeout, message):
    async with Session() as s:
        with pytest.raises(ValueError) as info:
            await s.get(server.url + "/", timeout=timeout)
    assert str(info.value).startswith(message)


async def test_verify_with_a_ca_file(https_server, ca_file):
    async with Session() as s:
        r = await s.get(https_server.url + "/", verify=str(ca_file))
        assert r.content == b"Hello, world"
        # certifi does not know the test CA.
        with pytest.raises(SSLError):
            await s.get(https_server.url + "/")
        r = await s.get(https_server.url + "/", verify=False)
        assert r.status_code == 200
        s.verify = str(ca_file)
        assert (await s.get(https_server.url + "/")).status_code == 200


async def test_verify_with_a_missing_ca_file(https_server, tmp_path):
    missing = str(tmp_path / "missing.pem")
    async with Session() as s:
        with pytest.raises(
            OSError,
            match="Could not find a suitable TLS CA certificate bundle, invalid path: ",
        ):
            await s.get(https_server.url + "/", verify=missing)


async def test_client_certificate(client_cert_https_server, client_cert_file, ca_file):
    pem = str(client_cert_file)
    async with Session() as s:
        for cert in (pem, (pem, pem), [pem, pem]):
            r = await s.get(
                client_cert_https_server.url + "/client_cert", verify=str(ca_file), cert=cert
            )
            assert CLIENT_CERT_NAME in r.json()["name"]
        # One pool per TLS configuration: the list is keyed as the equal tuple.
        assert len(s.get_adapter("https://")._pools) == 2


@pytest.mark.parametrize("name", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
async def test_ca_bundle_from_the_environment(https_server, ca_file, monkeypatch, name):
    monkeypatch.setenv(name, str(ca_file))
    async with Session() as s:
        assert (await s.get(https_server.url + "/")).status_code == 200
        s.trust_env = False
        with pytest.raises(SSLError):
            await s.get(https_server.url + "/")


async def test_explicit_verify_beats_the_environment(https_server, ca_file, monkeypatch, tmp_path):
    # requests would use the environment's (missing) bundle here: we keep the session's
    # setting, as Session.merge_environment_settings documents.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    async with Session() as s:
        s.verify = False
        assert (await s.get(https_server.url + "/")).status_code == 200
        s.verify = str(ca_file)
        assert (await s.get(https_server.url + "/")).status_code == 200
        s.verify = True
        with pytest.raises(OSError, match="invalid path"):
            await s.get(https_server.url + "/")
        assert (await s.get(https_server.url + "/", verify=str(ca_file))).status_code == 200


async def test_merge_environment_settings(monkeypatch, ca_file):
    monkeypatch.setenv("HTTP_PROXY", "http://env-proxy:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    async with Session() as s:
        url = "http://127.0.0.1/"
        settings = s.merge_environment_settings(url, {}, None, None, None)
        assert settings == {
            "proxies": {"http": "http://env-proxy:3128"},
            "stream": False,
            "verify": str(ca_file),
            "cert": None,
        }
        s.proxies = {"http": "http://session-proxy:3128"}
        s.stream = True
        settings = s.merge_environment_settings(url, {}, None, False, "c.pem")
        assert settings["proxies"] == {"http": "http://session-proxy:3128"}
        assert (settings["stream"], settings["verify"], settings["cert"]) == (True, False, "c.pem")
        settings = s.merge_environment_settings(url, {"http": "http://mine:1"}, False, None, None)
        assert settings["proxies"] == {"http": "http://mine:1"}
        assert settings["stream"] is False
        s.trust_env = False
        s.proxies = {}
        settings = s.merge_environment_settings(url, {}, None, None, None)
        assert settings["proxies"] == {}
        assert settings["verify"] is True


async def test_an_unreachable_selected_proxy_is_a_proxy_error(server, full_backlog_listener):
    dead = "http://127.0.0.1:9"
    async with Session() as s:
        with pytest.raises(ProxyError, match="Unable to connect to proxy") as info:
            await s.get(server.url + "/", proxies={"http": dead})
        assert info.value.request.url == server.url + "/"
        assert isinstance(info.value, ConnectionError)
        # A proxy for the other scheme is not selected.
        r = await s.get(server.url + "/", proxies={"https": dead})
        assert r.status_code == 200
        s.proxies = {"all": dead}
        with pytest.raises(ProxyError):
            await s.get(server.url + "/")
        # A proxy that does not answer in time is a ConnectTimeout, as in requests.
        with pytest.raises(ConnectTimeout):
            host, port = full_backlog_listener
            await s.get(server.url + "/", proxies={"http": f"http://{host}:{port}"}, timeout=0.2)


async def test_a_proxy_from_the_environment_is_used(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    async with Session() as s:
        with pytest.raises(ProxyError):
            await s.get(server.url + "/")
        s.trust_env = False
        assert (await s.get(server.url + "/")).status_code == 200
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with Session() as s:
        assert (await s.get(server.url + "/")).status_code == 200


async def test_netrc_credentials(httpbin, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    url = httpbin.url + "/basic-auth/user/secret"
    async with Session() as s:
        assert (await s.get(url)).json() == {"authenticated": True, "user": "user"}
        # Explicit auth wins over netrc.
        assert (await s.get(url, auth=("user", "wrong"))).status_code == 401
        # The netrc lookup leaves a bad URL to be reported by the request's preparation.
        with pytest.raises(InvalidURL):
            await s.get("http://[::1/")
        s.trust_env = False
        assert (await s.get(url)).status_code == 401
