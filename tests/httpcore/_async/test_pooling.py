"""Keep-alive reuse, limits, expiry and the pool's counters, against a real server."""

from __future__ import annotations

import pytest

import httpcore
from httpcore._backends.asyncio import AsyncBackend


class ClockBackend(AsyncBackend):
    """The real backend with a clock the test moves by hand."""

    now = 1000.0

    def monotonic(self) -> float:
        return self.now


async def client_of(http, server):
    response = await http.request("GET", server.url + "/client")
    return response.body


async def test_keepalive_reuses_the_connection(server):
    async with httpcore.ConnectionPool() as http:
        first = await client_of(http, server)
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
        second = await client_of(http, server)
        assert first == second
        assert http.num_keepalive_connections == 1


async def test_each_origin_has_its_own_connections(server):
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", f"http://127.0.0.1:{server.port}/")
        await http.request("GET", f"http://localhost:{server.port}/")
        assert http.num_keepalive_connections == 2


async def test_streamed_response_holds_its_connection(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/bytes/500000", stream=True)
        assert http.num_active_connections == 1
        assert http.num_keepalive_connections == 0
        with pytest.raises(httpcore.ResponseNotRead):
            response.body  # noqa: B018
        body = await response.read()
        assert body == await response.read()
        assert len(body) == 500000
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_response_closed_early_closes_its_connection(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/bytes/5000000", stream=True)
        async for chunk in response.raw():
            assert chunk
            break
        await response.close()
        assert response.is_closed
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0
        with pytest.raises(httpcore.StreamConsumed):
            await response.read()


async def test_closed_response_cannot_be_read(server):
    async with httpcore.ConnectionPool() as http:
        async with await http.request("GET", server.url + "/", stream=True) as response:
            pass
        with pytest.raises(httpcore.ResponseClosed):
            await response.read()
        assert http.num_active_connections == 0


async def test_stream_twice_is_an_error(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/", stream=True)
        assert b"".join([part async for part in response.raw()]) == b"Hello, world"
        assert response.is_stream_consumed
        with pytest.raises(httpcore.StreamConsumed):
            async for _ in response.raw():
                pass
        # A read body can be streamed again from memory.
        done = await http.request("GET", server.url + "/")
        assert b"".join([part async for part in done.stream()]) == b"Hello, world"


async def test_connection_close_from_server(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/close")
        assert response.status_code == 200
        assert http.num_keepalive_connections == 0
        assert http.num_active_connections == 0


async def test_connection_close_from_client(server):
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", server.url + "/", headers={"Connection": "close"})
        assert http.num_keepalive_connections == 0
        assert http.num_active_connections == 0


async def test_soft_limit(server):
    limits = httpcore.PoolLimits(soft_limit=1, hard_limit=10)
    async with httpcore.ConnectionPool(limits=limits) as http:
        first = await http.request("GET", server.url + "/", stream=True)
        second = await http.request("GET", server.url + "/", stream=True)
        assert http.num_active_connections == 2
        await first.read()
        await second.read()
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_hard_limit_and_pool_timeout(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.05)
    async with httpcore.ConnectionPool(timeout=timeout, limits=limits) as http:
        held = await http.request("GET", server.url + "/", stream=True)
        with pytest.raises(httpcore.PoolTimeout):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 1
        await held.read()
        response = await http.request("GET", server.url + "/")
        assert response.status_code == 200


async def test_hard_limit_evicts_an_idle_connection_of_another_origin(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    async with httpcore.ConnectionPool(limits=limits) as http:
        await http.request("GET", f"http://127.0.0.1:{server.port}/")
        assert http.num_keepalive_connections == 1
        await http.request("GET", f"http://localhost:{server.port}/")
        assert http.num_keepalive_connections == 1


async def test_keepalive_expiry(server):
    backend = ClockBackend()
    limits = httpcore.PoolLimits(keepalive_expiry=5.0)
    async with httpcore.ConnectionPool(limits=limits, backend=backend) as http:
        first = await client_of(http, server)
        backend.now += 4.0
        assert await client_of(http, server) == first
        backend.now += 5.0
        third = await client_of(http, server)
        assert third != first
        assert http.num_keepalive_connections == 1


async def test_expired_connections_are_swept(server):
    backend = ClockBackend()
    limits = httpcore.PoolLimits(keepalive_expiry=5.0)
    async with httpcore.ConnectionPool(limits=limits, backend=backend) as http:
        await http.request("GET", f"http://127.0.0.1:{server.port}/")
        backend.now += 10.0
        await http.request("GET", f"http://localhost:{server.port}/")
        # The 127.0.0.1 connection expired and was closed while serving another origin.
        assert http.num_keepalive_connections == 1


async def test_zero_keepalive_expiry_keeps_nothing(server):
    limits = httpcore.PoolLimits(keepalive_expiry=0)
    async with httpcore.ConnectionPool(limits=limits) as http:
        await http.request("GET", server.url + "/")
        assert http.num_keepalive_connections == 0


async def test_close_closes_connections_in_use(server):
    http = httpcore.ConnectionPool()
    response = await http.request("GET", server.url + "/bytes/5000000", stream=True)
    await http.request("GET", server.url + "/")
    await http.close()
    assert http.num_keepalive_connections == 0
    with pytest.raises(httpcore.ReadError):
        await response.read()
    assert http.num_active_connections == 0
    assert "closed" in repr(http)


async def test_pool_repr(server):
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", server.url + "/")
        assert repr(http) == f"<{type(http).__name__} [active=0, keepalive=1]>"


async def test_dropped_streamed_response_gives_its_slot_back(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=1.0)
    async with httpcore.ConnectionPool(timeout=timeout, limits=limits) as http:
        response = await http.request("GET", server.url + "/bytes/5000000", stream=True)
        assert http.num_active_connections == 1
        del response  # never read, never closed
        assert http.num_active_connections == 0
        # The one slot is free again: this would otherwise wait and raise PoolTimeout.
        again = await http.request("GET", server.url + "/")
        assert again.body == b"Hello, world"
        assert http.num_keepalive_connections == 1
