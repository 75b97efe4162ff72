"""Requests and responses against a real uvicorn server on loopback."""

from __future__ import annotations

import hashlib
import json

import pytest

import httpcore
from tests.servers.app import pattern


async def test_get(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/")
    assert response.status_code == 200
    assert response.reason == "OK"
    assert response.http_version == "HTTP/1.1"
    assert response.body == b"Hello, world"
    assert (b"content-length", b"12") in response.headers
    assert repr(response) == f"<{type(response).__name__} [200 OK]>"


async def test_pool_without_context_manager(server):
    http = httpcore.ConnectionPool()
    response = await http.request("GET", server.url + "/")
    assert response.body == b"Hello, world"
    await http.close()
    assert http.is_closed
    with pytest.raises(httpcore.PoolClosed):
        await http.request("GET", server.url + "/")


async def test_request_headers_are_sent(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request(
            "GET", server.url + "/echo_headers", headers=[(b"X-Custom", b"yes"), ("x-str", "ok")]
        )
    sent = {name.lower(): value for name, value in json.loads(response.body)}
    assert sent["x-custom"] == "yes"
    assert sent["x-str"] == "ok"
    assert sent["host"] == f"127.0.0.1:{server.port}"
    assert "gzip" in sent["accept-encoding"]


async def test_post_bytes(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("POST", server.url + "/echo_body", body=b"hello")
    assert response.body == b"hello"


async def test_post_large_bytes(server):
    payload = pattern(3_000_000)
    async with httpcore.ConnectionPool() as http:
        response = await http.request("PUT", server.url + "/echo_body_length", body=payload)
    assert json.loads(response.body) == {
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


async def test_post_iterator_is_chunked(server):
    async def body():
        yield b"hello, "
        yield b""
        yield b"world"

    async with httpcore.ConnectionPool() as http:
        response = await http.request("POST", server.url + "/echo_body", body=body())
        headers = await http.request("POST", server.url + "/echo_headers", body=body())
    assert response.body == b"hello, world"
    sent = {name.lower(): value for name, value in json.loads(headers.body)}
    assert sent["transfer-encoding"] == "chunked"
    assert "content-length" not in sent


async def test_post_plain_iterator(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("POST", server.url + "/echo_body", body=iter([b"a", b"b"]))
    assert response.body == b"ab"


async def test_post_iterator_with_content_length(server):
    async def body():
        yield b"12345"
        yield b"67890"

    async with httpcore.ConnectionPool() as http:
        response = await http.request(
            "POST", server.url + "/echo_headers", headers={"content-length": "10"}, body=body()
        )
    sent = {name.lower(): value for name, value in json.loads(response.body)}
    assert sent["content-length"] == "10"
    assert "transfer-encoding" not in sent


async def test_post_iterator_longer_than_content_length(server):
    async def body():
        yield b"12345"
        yield b"67890"

    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.LocalProtocolError):
            await http.request(
                "POST", server.url + "/echo_body", headers={"content-length": "3"}, body=body()
            )
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0


async def test_post_iterator_shorter_than_content_length(server):
    async def body():
        yield b"12345"

    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.LocalProtocolError):
            await http.request(
                "POST", server.url + "/echo_body", headers={"content-length": "9"}, body=body()
            )
        assert http.num_active_connections == 0


async def test_body_chunk_of_wrong_type(server):
    async def body():
        yield "text"

    async with httpcore.ConnectionPool() as http:
        with pytest.raises(TypeError, match="bytes"):
            await http.request("POST", server.url + "/echo_body", body=body())
        assert http.num_active_connections == 0


async def test_chunked_response(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/stream/300000")
    assert response.body == pattern(300000)
    assert httpcore.Request  # the model is public too


@pytest.mark.parametrize("method", ["HEAD", "GET"])
@pytest.mark.parametrize("status", [204, 304])
async def test_no_body_statuses(server, method, status):
    async with httpcore.ConnectionPool() as http:
        response = await http.request(method, server.url + f"/status/{status}")
        assert response.status_code == status
        assert response.body == b""
        # The connection is reusable: no body bytes were left on it.
        assert http.num_keepalive_connections == 1
        again = await http.request("GET", server.url + "/")
        assert again.body == b"Hello, world"


async def test_head_has_no_body(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("HEAD", server.url + "/bytes/1000")
        assert (b"content-length", b"1000") in response.headers
        assert response.body == b""
        assert http.num_keepalive_connections == 1


@pytest.mark.parametrize("coding", ["gzip", "deflate", "rawdeflate", "br", "zstd", "gzip,br"])
async def test_decoding(server, coding):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + f"/encoded/{coding}")
        assert response.body == b"Hello, world" * 1000
        streamed = await http.request("GET", server.url + f"/encoded/{coding}", stream=True)
        raw = b"".join([part async for part in streamed.raw()])
    assert len(raw) < len(response.body)
    assert raw != response.body


async def test_stream_decoded(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/encoded/gzip", stream=True)
        parts = [part async for part in response.stream()]
    assert b"".join(parts) == b"Hello, world" * 1000
