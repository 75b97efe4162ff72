"""Pool statistics, and the pool.wait trace events, with concurrent requests."""

from __future__ import annotations

import asyncio
import threading

import pytest

import httpcore


def origin_of(server):
    return httpcore.Origin("http", "127.0.0.1", server.port)


async def test_stats_of_an_empty_pool():
    async with httpcore.ConnectionPool() as http:
        assert http.stats() == {}


async def test_waiting_request_and_its_events(server):
    events = []
    started = asyncio.Event()

    def hook(event):
        events.append(event)
        if event.name == "pool.wait.started":
            started.set()

    limits = httpcore.PoolLimits(hard_limit=1)
    async with httpcore.ConnectionPool(limits=limits, trace=hook) as http:
        first = await http.request("GET", server.url + "/stream/2", stream=True)
        waiting = asyncio.create_task(http.request("GET", server.url + "/"))
        await started.wait()
        stats = http.stats()[origin_of(server)]
        assert stats == httpcore.OriginStats(
            active=1, idle=0, waiting=1, http_versions=frozenset({"HTTP/1.1"})
        )
        await first.read()
        assert (await waiting).status_code == 200
        assert http.stats()[origin_of(server)] == httpcore.OriginStats(
            active=0, idle=1, waiting=0, http_versions=frozenset({"HTTP/1.1"})
        )
    names = [event.name for event in events]
    started, complete = names.index("pool.wait.started"), names.index("pool.wait.complete")
    assert names.index("connection.released") < complete < names.index("connection.reused")
    assert started < complete
    assert events[started].info == {"origin": origin_of(server)}


@pytest.mark.parametrize("stage", ["pool.wait.started", "pool.wait.complete"])
async def test_a_hook_raising_while_waiting_gives_up_its_turn(server, stage):
    started = asyncio.Event()

    def hook(event):
        if event.name == "pool.wait.started":
            started.set()
        if event.name == stage:
            raise RuntimeError(stage)

    limits = httpcore.PoolLimits(hard_limit=1, soft_limit=0)
    async with httpcore.ConnectionPool(limits=limits, trace=hook) as http:
        first = await http.request("GET", server.url + "/stream/2", stream=True)
        waiting = asyncio.create_task(http.request("GET", server.url + "/"))
        await started.wait()
        await first.read()
        with pytest.raises(RuntimeError, match=stage):
            await waiting
        assert http.stats() == {}
        assert (await http.request("GET", server.url + "/", trace=lambda e: None)).body


async def test_waiting_for_an_http2_connection(h2_server, ca_file):
    names = []
    ssl = httpcore.SSLConfig(verify=ca_file)
    async with httpcore.ConnectionPool(
        ssl=ssl, http2=True, trace=lambda e: names.append(e.name)
    ) as http:
        responses = await asyncio.gather(
            *(http.request("GET", h2_server.url + "/", stream=True) for _ in range(3))
        )
        origin = httpcore.Origin("https", "127.0.0.1", h2_server.port)
        assert http.stats()[origin] == httpcore.OriginStats(
            active=1, idle=0, waiting=0, http_versions=frozenset({"HTTP/2"})
        )
        for response in responses:
            await response.read()
        assert http.stats()[origin].idle == 1
    assert names.count("pool.wait.complete") == 2
    assert names.count("connection.reused") == 2


async def test_stats_leave_out_dropped_responses(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/stream/2", stream=True)
        assert http.stats()[origin_of(server)].active == 1
        del response
        assert http.stats() == {}


def test_stats_under_load_from_threads(server):
    limits = httpcore.PoolLimits(hard_limit=2)
    seen = []
    with httpcore.SyncConnectionPool(limits=limits) as http:
        waits = threading.Semaphore(0)

        def hook(event):
            if event.name == "pool.wait.started":
                waits.release()

        held = [http.request("GET", server.url + "/stream/2", stream=True) for _ in range(2)]

        def fetch():
            http.request("GET", server.url + "/", trace=hook)

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for thread in threads:
            thread.start()
        for _ in threads:
            assert waits.acquire(timeout=10)
        seen.append(http.stats()[origin_of(server)])
        for response in held:
            response.read()
        for thread in threads:
            thread.join(timeout=10)
        seen.append(http.stats()[origin_of(server)])
    assert seen[0].active == 2 and seen[0].waiting == 6
    assert seen[1].active == 0 and seen[1].waiting == 0 and seen[1].idle == 2


async def test_a_hook_raising_while_waiting_for_an_http2_connection(h2_server, ca_file):
    def hook(event):
        if event.name == "pool.wait.started":
            raise RuntimeError("hook")

    ssl = httpcore.SSLConfig(verify=ca_file)
    async with httpcore.ConnectionPool(ssl=ssl, http2=True, trace=hook) as http:
        results = await asyncio.gather(
            *(http.request("GET", h2_server.url + "/") for _ in range(2)), return_exceptions=True
        )
        assert isinstance(results[0], httpcore.Response)
        assert isinstance(results[1], RuntimeError)
        assert http.num_active_connections == 0


@pytest.mark.parametrize("stage", ["pool.wait.started", "pool.wait.complete"])
def test_a_hook_raising_while_a_thread_waits(server, stage):
    started = threading.Event()
    errors = []

    def hook(event):
        if event.name == "pool.wait.started":
            started.set()
        if event.name == stage:
            raise RuntimeError(stage)

    limits = httpcore.PoolLimits(hard_limit=1, soft_limit=0)
    with httpcore.SyncConnectionPool(limits=limits, trace=hook) as http:
        first = http.request("GET", server.url + "/stream/2", stream=True)

        def fetch():
            try:
                http.request("GET", server.url + "/")
            except RuntimeError as exc:
                errors.append(exc)

        thread = threading.Thread(target=fetch)
        thread.start()
        assert started.wait(timeout=10)
        first.read()
        thread.join(timeout=10)
        assert [str(error) for error in errors] == [stage]
        assert http.stats() == {}


def test_a_hook_raising_while_a_thread_waits_for_http2(h2_server, ca_file):
    first_connects, second_waits = threading.Event(), threading.Event()

    def first_hook(event):
        if event.name == "connection.tcp.started":
            first_connects.set()
            assert second_waits.wait(timeout=10)

    def second_hook(event):
        if event.name == "pool.wait.started":
            second_waits.set()
            raise RuntimeError("hook")

    ssl = httpcore.SSLConfig(verify=ca_file)
    with httpcore.SyncConnectionPool(ssl=ssl, http2=True) as http:
        results = []

        def fetch():
            results.append(http.request("GET", h2_server.url + "/", trace=first_hook))

        thread = threading.Thread(target=fetch)
        thread.start()
        assert first_connects.wait(timeout=10)
        with pytest.raises(RuntimeError, match="hook"):
            http.request("GET", h2_server.url + "/", trace=second_hook)
        thread.join(timeout=10)
        assert results[0].status_code == 200
        assert http.num_active_connections == 0
