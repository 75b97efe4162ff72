"""What only the sync flavor has: threads sharing a session, and no async bodies."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import httpcore
import requests_async.sync as requests
from tests.servers import pattern


def test_threads_share_a_session(server):
    with requests.Session() as s, ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda n: s.get(server.url + f"/bytes/{n}"), range(40)))
    assert [r.content for r in responses] == [pattern(n) for n in range(40)]


def test_threads_opening_the_first_pool_share_it(monkeypatch):
    real = httpcore.SyncConnectionPool
    threads = 4
    together = threading.Barrier(threads)

    def meeting_pool(*args, **kwargs):
        # Every thread gets here before any pool is stored: the race, made certain.
        together.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(httpcore, "SyncConnectionPool", meeting_pool)
    adapter = requests.adapters.HTTPAdapter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        got = list(pool.map(lambda _: adapter.get_pool(True, None), range(threads)))
    # One pool for all, the one close() will find: no connection can escape it.
    assert all(p is got[0] for p in got)
    assert list(adapter._pools.values()) == [got[0]]
    adapter.close()


def test_pool_block_waits_for_a_free_connection(server):
    results = []
    with requests.Session() as s:
        s.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=1, pool_block=True))
        first = s.get(server.url + "/client", stream=True)
        waiting = threading.Thread(target=lambda: results.append(s.get(server.url + "/client")))
        waiting.start()
        waiting.join(0.2)
        # The only connection is taken by `first`: the second request waits for it.
        assert waiting.is_alive()
        client = first.read()
        waiting.join(10)
    assert not waiting.is_alive()
    assert results[0].content == client


def test_async_bodies_are_refused():
    async def chunks():
        yield b"never sent"

    body = chunks()
    with requests.Session() as s, pytest.raises(TypeError, match="cannot send a request body"):
        s.post("http://127.0.0.1:1/", data=body)
    # The generator was never started.
    assert body.ag_frame is not None


def test_streaming_methods_are_plain(server):
    with requests.Session() as s:
        r = s.get(server.url + "/bytes/10", stream=True)
        with r:
            iterator = r.iter_content()
            assert next(iterator) == pattern(1)
            assert b"".join(iterator) == pattern(10)[1:]
        with pytest.raises(requests.exceptions.StreamConsumedError):
            r.iter_lines()


def test_streamed_content_is_read_on_first_use_as_in_requests(server):
    with requests.Session() as s:
        r = s.get(server.url + "/bytes/100", stream=True)
        assert len(r.text) == 100
        assert r.content is r.read()
        streamed = s.get(server.url + "/bytes/50", stream=True)
        copy = pickle.loads(pickle.dumps(streamed))
        assert copy.content == streamed.content
        assert len(copy.content) == 50
