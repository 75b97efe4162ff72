"""The README's ASGI gateway with HTTP/2 on either side: served by hypercorn over TLS to HTTP/2
clients, and forwarding to an HTTP/2 upstream through a pool made with `http2=True`."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

import httpcore
from examples.gateway import GatewayServer
from tests.servers.app import pattern
from tests.servers.hypercorn_thread import HypercornThread
from tests.servers.uvicorn_thread import UvicornThread


@pytest.fixture(scope="module")
def h2_gateway(server, h2_certfile):
    """The gateway served over HTTP/2 (TLS, ALPN), forwarding to the HTTP/1.1 test server."""
    app = GatewayServer(server.url)
    with HypercornThread(
        app, certfile=h2_certfile, max_concurrent_streams=200, on_shutdown=app.http.close
    ) as running:
        yield running


@pytest.fixture(scope="module")
def gateway_to_h2(h2_server, ca_file):
    """The gateway (HTTP/1.1, uvicorn) forwarding over HTTP/2 to the hypercorn test server."""
    app = GatewayServer(h2_server.url)
    app.http = httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file), http2=True)
    with UvicornThread(app, on_shutdown=app.http.close) as running:
        yield running


@pytest.fixture
def h2_client(ca_file):
    return httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file), http2=True)


async def test_h2_clients_share_one_connection_to_the_gateway(h2_gateway, h2_client):
    async with h2_client as http:
        responses = await asyncio.gather(
            *(http.request("GET", h2_gateway.url + "/") for _ in range(120))
        )
        assert http.num_active_connections + http.num_keepalive_connections == 1
    assert {(r.http_version, r.status_code, r.body) for r in responses} == {
        ("HTTP/2", 200, b"Hello, world")
    }


async def test_h2_gateway_streams_a_large_download(h2_gateway, h2_client):
    async with h2_client as http:
        response = await http.request("GET", h2_gateway.url + "/stream/8000000", stream=True)
        received = b"".join([part async for part in response.raw()])
    assert response.http_version == "HTTP/2"
    assert received == pattern(8_000_000)


async def test_h2_gateway_streams_a_large_upload(h2_gateway, h2_client):
    payload = pattern(8_000_000)

    async def body():
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    async with h2_client as http:
        response = await http.request("POST", h2_gateway.url + "/echo_body_length", body=body())
    assert json.loads(response.body) == {
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


async def test_gateway_forwards_over_one_h2_connection(gateway_to_h2):
    async with httpcore.ConnectionPool() as http:
        # Concurrent requests to the gateway: its upstream pool multiplexes them on one
        # HTTP/2 connection, so the upstream sees one client address for all of them.
        responses = await asyncio.gather(
            *(http.request("GET", gateway_to_h2.url + "/client") for _ in range(20))
        )
    assert len({response.body for response in responses}) == 1
    assert all(response.status_code == 200 for response in responses)


async def test_gateway_streams_both_ways_over_h2(gateway_to_h2):
    payload = pattern(4_000_000)

    async def body():
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    async with httpcore.ConnectionPool() as http:
        upload = await http.request("PUT", gateway_to_h2.url + "/echo_body_length", body=body())
        download = await http.request("GET", gateway_to_h2.url + "/stream/4000000", stream=True)
        received = b"".join([part async for part in download.raw()])
    assert json.loads(upload.body)["sha256"] == hashlib.sha256(payload).hexdigest()
    assert received == pattern(4_000_000)
