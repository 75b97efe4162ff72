"""Behaviour only the async pool has: concurrency on one loop and task cancellation."""

from __future__ import annotations

import asyncio

import pytest

import httpcore
from tests.servers.app import pattern


async def test_concurrent_requests_share_the_hard_limit(server):
    limits = httpcore.PoolLimits(soft_limit=2, hard_limit=2)
    async with httpcore.ConnectionPool(limits=limits) as http:
        peak = 0

        async def one():
            nonlocal peak
            response = await http.request("GET", server.url + "/client", stream=True)
            peak = max(peak, http.num_active_connections)
            await response.read()
            return response.body

        clients = await asyncio.gather(*(one() for _ in range(20)))
        assert peak == 2
        assert len(set(clients)) <= 2
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 2


async def test_waiter_gets_the_released_connection(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    async with httpcore.ConnectionPool(limits=limits) as http:
        held = await http.request("GET", server.url + "/client", stream=True)
        waiting = asyncio.ensure_future(http.request("GET", server.url + "/client"))
        await asyncio.sleep(0)  # the task runs until it waits: the pool is full
        assert len(http._waiters) == 1
        await held.read()
        response = await waiting
        assert response.body == held.body


async def test_cancelled_waiter_passes_on_its_wakeup(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    async with httpcore.ConnectionPool(limits=limits) as http:
        held = await http.request("GET", server.url + "/", stream=True)
        first = asyncio.ensure_future(http.request("GET", server.url + "/"))
        second = asyncio.ensure_future(http.request("GET", server.url + "/"))
        await asyncio.sleep(0)
        assert len(http._waiters) == 2
        await held.read()  # wakes `first`...
        first.cancel()  # ...which gives up before it runs
        response = await second
        assert response.status_code == 200
        with pytest.raises(asyncio.CancelledError):
            await first
        assert http.num_active_connections == 0
        assert not http._waiters


async def test_close_wakes_waiters(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    http = httpcore.ConnectionPool(limits=limits)
    held = await http.request("GET", server.url + "/", stream=True)
    waiting = asyncio.ensure_future(http.request("GET", server.url + "/"))
    await asyncio.sleep(0)
    assert len(http._waiters) == 1
    await http.close()
    with pytest.raises(httpcore.PoolClosed):
        await waiting
    assert held.status_code == 200


@pytest.mark.parametrize("path", ["/bytes/300000", "/stream/300000", "/encoded/gzip"])
async def test_cancellation_at_every_step_leaks_nothing(server, path):
    """Cancel a request after 0, 1, 2... loop iterations until one completes untouched.

    Every step is tried while the request connects, sends and reads its head; later
    (while the server thread works) the steps grow by 10% each time.
    """
    async with httpcore.ConnectionPool() as http:
        expected = (await http.request("GET", server.url + path)).body
        schedule = list(range(64)) + [int(64 * 1.1**k) for k in range(1, 80)]
        for steps in schedule:
            task = asyncio.ensure_future(http.request("POST", server.url + path, body=b"x" * 10))
            for _ in range(steps):
                await asyncio.sleep(0)
            if task.done():
                assert task.result().body == expected
                break
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert http.num_active_connections == 0
            # Whatever was kept alive answers the next request correctly.
            again = await http.request("GET", server.url + path)
            assert again.body == expected
            assert http.num_active_connections == 0
        else:
            pytest.fail("the request never completed")
        assert steps > 3


async def test_cancellation_while_streaming(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/stream/3000000", stream=True)

        async def consume():
            async with response:
                async for _ in response.stream():
                    await asyncio.sleep(0)

        task = asyncio.ensure_future(consume())
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert response.is_closed
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0
        assert (await http.request("GET", server.url + "/bytes/10")).body == pattern(10)
