"""What only the async flavor has: async bodies and hooks, tasks sharing a session and a pool."""

from __future__ import annotations

import asyncio
import inspect
import pickle

import pytest

import requests_async
from requests_async import HTTPAdapter, Session
from tests.servers import pattern


async def test_async_generator_body(server):
    async def chunks():
        for part in (b"async ", b"generator ", b"body"):
            await asyncio.sleep(0)
            yield part

    async with Session() as s:
        r = await s.post(server.url + "/echo_body", data=chunks())
        headers = dict((await s.post(server.url + "/echo_headers", data=chunks())).json())
    assert r.content == b"async generator body"
    assert headers["transfer-encoding"] == "chunked"


async def test_async_hook_replaces_the_response(server):
    async def fetch_other(r, **kwargs):
        if r.url.endswith("/bytes/1"):
            other = r.request.copy()
            other.url = r.url.replace("/bytes/1", "/bytes/5")
            return await r.connection.send(other, **kwargs)
        return None

    async with Session() as s:
        r = await s.get(server.url + "/bytes/1", hooks={"response": fetch_other})
    assert r.content == pattern(5)
    assert r.url == server.url + "/bytes/5"


async def test_streaming_methods_are_async(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/10", stream=True)
        iterator = r.iter_content()
        assert hasattr(iterator, "__anext__")
        assert not hasattr(iterator, "__next__")
        assert hasattr(r.iter_lines(), "__anext__")
        assert inspect.iscoroutinefunction(r.read)
        assert inspect.iscoroutinefunction(r.close)
        assert await anext(iterator) == pattern(1)
        await r.close()


async def test_tasks_share_a_session(server):
    async with Session() as s:
        responses = await asyncio.gather(*(s.get(server.url + f"/bytes/{n}") for n in range(20)))
        (pool,) = s.get_adapter(server.url)._pools.values()
        assert pool.num_active_connections == 0
    assert [r.content for r in responses] == [pattern(n) for n in range(20)]


async def test_pool_block_waits_for_a_free_connection(server):
    async with Session() as s:
        s.mount("http://", HTTPAdapter(pool_maxsize=1, pool_block=True))
        first = await s.get(server.url + "/client", stream=True)
        waiting = asyncio.create_task(s.get(server.url + "/client"))
        done, _ = await asyncio.wait({waiting}, timeout=0.2)
        # The only connection is taken by `first`: the second request waits for it.
        assert not done
        client = await first.read()
        second = await waiting
    assert second.content == client


async def test_without_pool_block_more_connections_open(server):
    async with Session() as s:
        s.mount("http://", HTTPAdapter(pool_maxsize=1))
        first = await s.get(server.url + "/client", stream=True)
        second = await s.get(server.url + "/client")
        assert second.content != await first.read()


async def test_module_functions_are_coroutines(server):
    for name in ("request", "get", "options", "head", "post", "put", "patch", "delete"):
        assert inspect.iscoroutinefunction(getattr(requests_async, name))
    r = await requests_async.get(server.url + "/")
    assert r.text == "Hello, world"


async def test_streamed_content_needs_an_await_first(server):
    from requests_async.exceptions import ContentNotRead

    async with Session() as s:
        r = await s.get(server.url + "/bytes/100", stream=True)
        with pytest.raises(ContentNotRead, match="has not been read"):
            r.text  # noqa: B018
        with pytest.raises(ContentNotRead):
            pickle.dumps(r)
        assert len(await r.read()) == 100
        assert len(r.content) == 100
