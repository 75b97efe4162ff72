"""The README's ASGI gateway, under uvicorn, in front of another loopback server."""

from __future__ import annotations

import hashlib
import json

import pytest

import httpcore
from examples.gateway import GatewayServer
from tests.servers.app import pattern
from tests.servers.uvicorn_thread import UvicornThread


@pytest.fixture(scope="module")
def gateway(server):
    app = GatewayServer(server.url)
    with UvicornThread(app, on_shutdown=app.http.close) as running:
        yield running


async def test_gateway_get(gateway):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", gateway.url + "/")
    assert response.body == b"Hello, world"


async def test_gateway_streams_a_large_download(gateway):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", gateway.url + "/stream/8000000?x=1", stream=True)
        received = b"".join([part async for part in response.raw()])
    assert received == pattern(8_000_000)


async def test_gateway_streams_a_large_upload(gateway):
    payload = pattern(8_000_000)

    async def body():
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    async with httpcore.ConnectionPool() as http:
        response = await http.request("POST", gateway.url + "/echo_body_length", body=body())
    assert json.loads(response.body) == {
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


async def test_gateway_round_trip(gateway):
    # The echo starts answering while the upload is still arriving; the client reads the
    # response only after sending, so the size stays within what socket buffers absorb.
    payload = pattern(1_000_000)
    async with httpcore.ConnectionPool() as http:
        response = await http.request("PUT", gateway.url + "/echo_body", body=payload)
    assert response.body == payload


async def test_gateway_passes_encoded_bodies_through(gateway):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", gateway.url + "/encoded/gzip")
    assert response.body == b"Hello, world" * 1000
