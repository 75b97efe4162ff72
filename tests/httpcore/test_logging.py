"""DEBUG logging on the "httpcore" logger: what is logged, and that no secret ever is."""

from __future__ import annotations

import logging

import pytest

import httpcore
from tests.servers.proxies import PASSWORD

from ._async.test_bad_responses import replies

SECRETS = ["s3cret-userinfo", "s3cret-token", "s3cret-cookie", "s3cret-set-cookie", PASSWORD]
SECRET_HEADERS = {
    "Authorization": "Bearer s3cret-token",
    "Cookie": "session=s3cret-cookie",
    "Proxy-Authorization": f"Basic {PASSWORD}",
}


@pytest.fixture
def debug_log(caplog):
    caplog.set_level(logging.DEBUG, logger="httpcore")
    return caplog


def messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "httpcore"]


def assert_no_secrets(caplog):
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        for secret in SECRETS:
            assert secret not in text, f"{secret} logged in {text!r}"


def test_lifecycle_lines_without_secrets(debug_log, raw_server):
    reply = b"HTTP/1.1 200 OK\r\nSet-Cookie: id=s3cret-set-cookie\r\nContent-Length: 2\r\n\r\nok"
    server = raw_server(replies(reply, reply))
    url = f"http://user:s3cret-userinfo@127.0.0.1:{server.port}/path?q=1"
    with httpcore.SyncConnectionPool() as http:
        for _ in range(2):
            assert http.request("GET", url, headers=SECRET_HEADERS).body == b"ok"
    origin = f"http://127.0.0.1:{server.port}"
    assert messages(debug_log) == [
        f"connection opened: {origin} (HTTP/1.1)",
        "request sent: GET /path?q=1 (HTTP/1.1)",
        "response headers received: HTTP/1.1 200",
        f"connection reused: {origin} (HTTP/1.1)",
        "request sent: GET /path?q=1 (HTTP/1.1)",
        "response headers received: HTTP/1.1 200",
        f"connection closed: {origin} (pool closed)",
    ]
    assert all(r.levelno == logging.DEBUG for r in debug_log.records)
    assert_no_secrets(debug_log)


async def test_tls_and_proxy_lines_without_secrets(debug_log, squid, https_server, ca_file):
    proxy = squid.url("auth", credentials=True)
    ssl = httpcore.SSLConfig(verify=ca_file)
    async with httpcore.ConnectionPool(ssl=ssl, proxy=proxy) as http:
        response = await http.request("GET", https_server.url + "/", headers=SECRET_HEADERS)
        assert response.status_code == 200
    opened = messages(debug_log)[0]
    assert opened.startswith(f"connection opened: https://127.0.0.1:{https_server.port} via ")
    assert f"http://127.0.0.1:{squid.ports['auth']}" in opened
    assert "(HTTP/1.1, TLSv1." in opened
    assert_no_secrets(debug_log)


async def test_http2_lines(debug_log, h2_server, ca_file):
    ssl = httpcore.SSLConfig(verify=ca_file)
    async with httpcore.ConnectionPool(ssl=ssl, http2=True) as http:
        await http.request("GET", h2_server.url + "/", headers=SECRET_HEADERS)
    assert messages(debug_log)[:3] == [
        f"connection opened: https://127.0.0.1:{h2_server.port} (HTTP/2, TLSv1.3)",
        "request sent: GET / (HTTP/2)",
        "response headers received: HTTP/2 200",
    ]
    assert_no_secrets(debug_log)


def test_failures_and_close_reasons(debug_log, server):
    limits = httpcore.PoolLimits(soft_limit=0)
    with httpcore.SyncConnectionPool(limits=limits, timeout=0.2) as http:
        http.request("GET", server.url + "/close")
        http.request("GET", server.url + "/")
        with pytest.raises(httpcore.ReadTimeout):
            http.request("GET", server.url + "/hang_headers")
    lines = messages(debug_log)
    origin = f"http://127.0.0.1:{server.port}"
    assert f"connection closed: {origin} (closed after the response)" in lines
    assert f"connection closed: {origin} (keep-alive limit reached)" in lines
    assert f"connection closed: {origin} (error)" in lines
    assert "request failed: ReadTimeout: timed out reading from the server" in lines


def test_nothing_below_debug(caplog, server):
    caplog.set_level(logging.INFO, logger="httpcore")
    with httpcore.SyncConnectionPool() as http:
        http.request("GET", server.url + "/")
    assert messages(caplog) == []
