"""HTTP/2 end to end against hypercorn: ALPN over TLS, prior knowledge, multiplexing, windows."""

from __future__ import annotations

import hashlib
import json

import pytest

import httpcore
from tests.servers.app import pattern

from .test_pooling import ClockBackend


@pytest.fixture
def ssl_config(ca_file):
    return httpcore.SSLConfig(verify=ca_file)


async def client_of(http, url):
    return (await http.request("GET", url + "/client")).body


async def test_alpn_picks_h2(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        response = await http.request("GET", h2_server.url + "/")
        assert (response.status_code, response.reason) == (200, "OK")
        assert response.http_version == "HTTP/2"
        assert response.body == b"Hello, world"
        assert (b"content-length", b"12") in response.headers
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
        assert await client_of(http, h2_server.url) == await client_of(http, h2_server.url)


async def test_http2_is_off_by_default(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config) as http:
        response = await http.request("GET", h2_server.url + "/")
    assert response.http_version == "HTTP/1.1"


async def test_prior_knowledge_over_cleartext(h2c_server):
    async with httpcore.ConnectionPool(http2_prior_knowledge=True) as http:
        assert http.http2
        response = await http.request("GET", h2c_server.url + "/bytes/1000")
        assert response.http_version == "HTTP/2"
        assert response.body == pattern(1000)


async def test_cleartext_without_prior_knowledge_is_http11(h2c_server):
    async with httpcore.ConnectionPool(http2=True) as http:
        response = await http.request("GET", h2c_server.url + "/")
    assert response.http_version == "HTTP/1.1"


async def test_alpn_falls_back_to_http11(https_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        response = await http.request("GET", https_server.url + "/")
        assert response.http_version == "HTTP/1.1"
        assert response.body == b"Hello, world"
        assert await client_of(http, https_server.url) == await client_of(http, https_server.url)
        assert http.num_keepalive_connections == 1


async def test_request_headers_arrive_as_sent(h2_server, ssl_config):
    headers = {"X-Custom": "Value", "Connection": "keep-alive", "TE": "trailers"}
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        response = await http.request("GET", h2_server.url + "/echo_headers", headers=headers)
    received = dict(json.loads(response.body))
    assert received["x-custom"] == "Value"
    assert received["te"] == "trailers"
    assert "connection" not in received


async def test_download_and_upload_several_megabytes_with_small_windows(
    h2_server, ssl_config, monkeypatch
):
    monkeypatch.setattr("httpcore._h2.STREAM_WINDOW", 16384)
    monkeypatch.setattr("httpcore._h2.CONNECTION_WINDOW", 65535)
    size = 4 * 1024 * 1024 + 7
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        download = await http.request("GET", h2_server.url + f"/bytes/{size}")
        assert download.body == pattern(size)
        body = pattern(size)
        upload = await http.request("POST", h2_server.url + "/echo_body_length", body=body)
        expected = {"length": size, "sha256": hashlib.sha256(body).hexdigest()}
        assert json.loads(upload.body) == expected

        def chunks():
            for start in range(0, size, 100_000):
                yield body[start : start + 100_000]

        streamed = await http.request("PUT", h2_server.url + "/echo_body_length", body=chunks())
        assert json.loads(streamed.body) == expected
        assert http.num_keepalive_connections == 1


async def test_streamed_response_holds_its_stream(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        response = await http.request("GET", h2_server.url + "/stream/300000", stream=True)
        assert http.num_active_connections == 1
        assert http.num_keepalive_connections == 0
        parts = [part async for part in response.raw()]
        assert b"".join(parts) == pattern(300000)
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_response_closed_early_keeps_the_connection(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        first = await client_of(http, h2_server.url)
        response = await http.request("GET", h2_server.url + "/bytes/5000000", stream=True)
        async for chunk in response.raw():
            assert chunk
            break
        await response.close()
        assert http.num_active_connections == 0
        assert await client_of(http, h2_server.url) == first


async def test_decoding_and_empty_bodies(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        gzipped = await http.request("GET", h2_server.url + "/encoded/gzip")
        assert gzipped.body == b"Hello, world" * 1000
        head = await http.request("HEAD", h2_server.url + "/")
        assert (head.status_code, head.body) == (200, b"")
        no_content = await http.request("GET", h2_server.url + "/status/204")
        assert (no_content.status_code, no_content.reason) == (204, "No Content")


async def test_second_connection_only_when_the_first_is_full(hypercorn_server, ssl_config):
    server = hypercorn_server(max_concurrent_streams=2)
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        held = [await http.request("GET", server.url + "/client", stream=True) for _ in range(2)]
        assert http.num_active_connections == 1
        third = await http.request("GET", server.url + "/client", stream=True)
        assert http.num_active_connections == 2
        bodies = {await response.read() for response in [*held, third]}
        assert len(bodies) == 2
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 2


async def test_hard_limit_and_pool_timeout(hypercorn_server, ssl_config):
    server = hypercorn_server(max_concurrent_streams=1)
    limits = httpcore.PoolLimits(hard_limit=1)
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.05)
    pool = httpcore.ConnectionPool(ssl=ssl_config, timeout=timeout, limits=limits, http2=True)
    async with pool as http:
        held = await http.request("GET", server.url + "/", stream=True)
        with pytest.raises(httpcore.PoolTimeout):
            await http.request("GET", server.url + "/")
        await held.read()
        assert (await http.request("GET", server.url + "/")).status_code == 200


async def test_idle_http2_connections_expire(h2_server, ssl_config):
    backend = ClockBackend()
    limits = httpcore.PoolLimits(keepalive_expiry=5.0)
    pool = httpcore.ConnectionPool(ssl=ssl_config, limits=limits, http2=True, backend=backend)
    async with pool as http:
        first = await client_of(http, h2_server.url)
        backend.now += 4.0
        assert await client_of(http, h2_server.url) == first
        backend.now += 5.0
        assert await client_of(http, h2_server.url) != first
        assert http.num_keepalive_connections == 1


async def test_zero_soft_limit_keeps_no_http2_connection(h2_server, ssl_config):
    limits = httpcore.PoolLimits(soft_limit=0)
    async with httpcore.ConnectionPool(ssl=ssl_config, limits=limits, http2=True) as http:
        await http.request("GET", h2_server.url + "/")
        assert http.num_keepalive_connections == 0


async def test_read_timeout_fails_only_that_stream(h2_server, ssl_config):
    timeout = httpcore.TimeoutConfig(5.0, read_timeout=0.2)
    async with httpcore.ConnectionPool(ssl=ssl_config, timeout=timeout, http2=True) as http:
        first = await client_of(http, h2_server.url)
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", h2_server.url + "/hang_headers")
        assert await client_of(http, h2_server.url) == first
