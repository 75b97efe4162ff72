"""MockConnectionPool and SyncMockConnectionPool: the pool interface without sockets."""

from __future__ import annotations

import pytest

import httpcore


def hello(request):
    return httpcore.Response(200, headers=[(b"content-type", b"text/plain")], body=b"hello")


async def test_request_read_and_counters():
    async with httpcore.MockConnectionPool(hello) as http:
        response = await http.request("GET", "http://example.com/a")
        assert (response.status_code, response.body, response.reason) == (200, b"hello", "")
        assert response.headers == [(b"content-type", b"text/plain")]
        assert (http.num_active_connections, http.num_keepalive_connections) == (0, 1)
        streamed = await http.request("GET", "http://example.com/b", stream=True)
        assert (http.num_active_connections, http.num_keepalive_connections) == (1, 0)
        assert [chunk async for chunk in streamed.stream()] == [b"hello"]
        assert (http.num_active_connections, http.num_keepalive_connections) == (0, 1)
        assert repr(http) == "<MockConnectionPool [active=0, keepalive=1]>"
        assert [r.url.target for r in http.requests] == [b"/a", b"/b"]
    assert http.is_closed
    assert repr(http) == "<MockConnectionPool [active=0, keepalive=0, closed]>"
    with pytest.raises(httpcore.PoolClosed):
        await http.request("GET", "http://example.com/")


async def test_early_close_is_not_kept_alive():
    async def chunks():
        yield b"a"
        yield b"b"

    async def handler(request):
        assert request.body == b"uploaded"
        return httpcore.Response(200, stream=chunks())

    async def upload():
        yield b"up"
        yield b"loaded"

    http = httpcore.MockConnectionPool(handler)
    response = await http.request("POST", "http://example.com/", body=upload(), stream=True)
    await response.close()
    assert (http.num_active_connections, http.num_keepalive_connections) == (0, 0)
    with pytest.raises(httpcore.ResponseClosed):
        await response.read()
    response = await http.request("PUT", "http://example.com/", body=[b"uploaded"], timeout=1)
    assert response.body == b"ab"
    pending = await http.request("PUT", "http://example.com/", body=b"uploaded", stream=True)
    await http.close()
    assert await pending.read() == b"ab"
    assert (http.num_active_connections, http.num_keepalive_connections) == (0, 0)
    empty = httpcore.MockConnectionPool(lambda request: httpcore.Response(204))
    assert (await empty.request("GET", "http://example.com/")).body == b""


async def test_sync_stream_and_gzip_in_the_async_pool():
    import gzip

    def handler(request):
        assert request.headers[0] == (b"host", b"example.com")
        return httpcore.SyncResponse(
            201, headers=[(b"content-encoding", b"gzip")], stream=iter([gzip.compress(b"zip")])
        )

    http = httpcore.MockConnectionPool(handler)
    response = await http.request("GET", "http://example.com/")
    assert (response.status_code, response.body) == (201, b"zip")


async def test_handler_errors():
    def failing(request):
        raise httpcore.ConnectError("refused")

    with pytest.raises(httpcore.ConnectError):
        await httpcore.MockConnectionPool(failing).request("GET", "http://example.com/")
    wrong = httpcore.MockConnectionPool(lambda request: b"body")
    with pytest.raises(TypeError, match="returned b'body' of type bytes: it must return"):
        await wrong.request("GET", "http://example.com/")
    assert wrong.num_active_connections == 0


def test_sync_pool():
    with httpcore.SyncMockConnectionPool(hello) as http:
        response = http.request("POST", "http://example.com/", body=iter([b"a", b"b"]))
        assert response.body == b"hello"
        assert http.requests[0].body == b"ab"
        streamed = http.request(
            "GET",
            "http://example.com/",
            stream=True,
            timeout=None,
        )
        assert list(streamed.raw()) == [b"hello"]
        empty = http.request("GET", "http://example.com/", stream=True)
        empty.close()
        # The first response's connection served the second; the third was closed early.
        assert (http.num_active_connections, http.num_keepalive_connections) == (0, 0)
    assert http.is_closed
    with pytest.raises(httpcore.PoolClosed):
        http.request("GET", "http://example.com/")


def test_sync_pool_streams_and_empty_bodies():
    bodies = iter([httpcore.SyncResponse(204), httpcore.SyncResponse(200, stream=iter([b"x"]))])
    http = httpcore.SyncMockConnectionPool(lambda request: next(bodies))
    assert http.request("GET", "http://example.com/").body == b""
    assert http.request("GET", "http://example.com/").body == b"x"
    http.close()


def test_sync_pool_refuses_async_things():
    async def chunks():
        yield b"x"

    async def handler(request):
        return httpcore.Response(200)

    http = httpcore.SyncMockConnectionPool(handler)
    with pytest.raises(TypeError, match="an async handler needs MockConnectionPool"):
        http.request("GET", "http://example.com/")
    with pytest.raises(httpcore.RequestTypeError, match="cannot read an async iterable body"):
        http.request("POST", "http://example.com/", body=chunks())
    streaming = httpcore.SyncMockConnectionPool(lambda r: httpcore.Response(200, stream=chunks()))
    with pytest.raises(TypeError, match="returned a response with an async stream"):
        streaming.request("GET", "http://example.com/")
    assert streaming.num_active_connections == 0
