"""HTTP/2 behaviour only the async pool shows: many streams at once on one loop, cancellation."""

from __future__ import annotations

import asyncio
import socket

import pytest

import httpcore
from httpcore._backends.asyncio import AsyncBackend
from tests.servers.app import pattern


class CountingBackend(AsyncBackend):
    """The real backend, counting connection attempts."""

    def __init__(self):
        self.connects = 0
        self.connecting = asyncio.Event()

    async def connect_tcp(self, host, port, **kwargs):
        self.connects += 1
        self.connecting.set()
        return await super().connect_tcp(host, port, **kwargs)


@pytest.fixture
def ssl_config(ca_file):
    return httpcore.SSLConfig(verify=ca_file)


async def test_150_concurrent_streams_share_one_connection(h2_server, ssl_config):
    backend = CountingBackend()
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True, backend=backend) as http:
        responses = await asyncio.gather(
            *(http.request("GET", h2_server.url + "/client", stream=True) for _ in range(150))
        )
        # Every response is open at once: 150 streams in flight on one connection.
        assert http.num_active_connections == 1
        bodies = await asyncio.gather(*(response.read() for response in responses))
        assert len(set(bodies)) == 1
        assert all(response.http_version == "HTTP/2" for response in responses)
        assert backend.connects == 1
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_concurrent_downloads_are_not_mixed_up(h2c_server):
    async with httpcore.ConnectionPool(http2_prior_knowledge=True) as http:
        sizes = [1, 70_000, 300_000, 1_500_000, 0, 5000]
        responses = await asyncio.gather(
            *(http.request("GET", f"{h2c_server.url}/bytes/{n}") for n in sizes)
        )
    assert [response.body for response in responses] == [pattern(n) for n in sizes]


async def test_alpn_http11_burst_opens_parallel_connections(https_server, ssl_config):
    backend = CountingBackend()
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True, backend=backend) as http:
        first = await asyncio.gather(
            *(http.request("GET", https_server.url + "/") for _ in range(5))
        )
        assert {response.http_version for response in first} == {"HTTP/1.1"}
        # Once ALPN said http/1.1, requests to the origin no longer wait for one another.
        held = await asyncio.gather(
            *(http.request("GET", https_server.url + "/", stream=True) for _ in range(8))
        )
        assert http.num_active_connections == 8
        for response in held:
            await response.read()


async def test_waiters_share_the_failure_of_the_connection_they_waited_for(ssl_config):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{closed.getsockname()[1]}/"
    backend = CountingBackend()
    try:
        async with httpcore.ConnectionPool(ssl=ssl_config, http2=True, backend=backend) as http:
            results = await asyncio.gather(
                *(http.request("GET", url) for _ in range(5)), return_exceptions=True
            )
    finally:
        closed.close()
    assert all(isinstance(result, httpcore.ConnectError) for result in results)
    assert backend.connects == 1


async def test_cancelled_connector_hands_over_to_a_waiter(full_backlog_listener, ssl_config):
    host, port = full_backlog_listener
    url = f"https://{host}:{port}/"
    backend = CountingBackend()
    timeout = httpcore.TimeoutConfig(5.0, connect_timeout=0.2)
    pool = httpcore.ConnectionPool(ssl=ssl_config, timeout=timeout, http2=True, backend=backend)
    async with pool as http:
        tasks = [asyncio.ensure_future(http.request("GET", url)) for _ in range(3)]
        await backend.connecting.wait()
        tasks[0].cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert isinstance(results[0], asyncio.CancelledError)
        assert all(isinstance(result, httpcore.ConnectTimeout) for result in results[1:])
        # One waiter connected in place of the cancelled request; the other shared its fate.
        assert backend.connects == 2
        assert http.num_active_connections == 0


async def test_cancelling_one_stream_leaves_its_siblings_working(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        size = 3_000_000
        started = asyncio.Event()

        async def download(cancelled):
            response = await http.request("GET", f"{h2_server.url}/stream/{size}", stream=True)
            parts = []
            async with response:
                async for part in response.raw():
                    parts.append(part)
                    if cancelled:
                        started.set()
            return b"".join(parts)

        victim = asyncio.ensure_future(download(True))
        siblings = [asyncio.ensure_future(download(False)) for _ in range(3)]
        await started.wait()
        victim.cancel()
        with pytest.raises(asyncio.CancelledError):
            await victim
        assert await asyncio.gather(*siblings) == [pattern(size)] * 3
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


# hypercorn fails a connection when request data arrives after the response is complete, so
# the endpoints here read the whole request body.
@pytest.mark.parametrize("path", ["/echo_body", "/hang_body"])
async def test_cancellation_at_every_step_leaks_nothing(h2c_server, path):
    async with httpcore.ConnectionPool(http2_prior_knowledge=True) as http:
        reference = await http.request("GET", h2c_server.url + "/client")
        schedule = list(range(40)) + [int(40 * 1.1**k) for k in range(1, 60)]
        for steps in schedule:
            task = asyncio.ensure_future(
                http.request("POST", h2c_server.url + path, body=b"x" * 10, stream=True)
            )
            for _ in range(steps):
                await asyncio.sleep(0)
            if task.done():
                await task.result().close()
                break
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert http.num_active_connections == 0
            again = await http.request("GET", h2c_server.url + "/client")
            assert again.body == reference.body
        else:
            pytest.fail("the request never completed")
        assert steps > 3


async def test_a_slow_stream_times_out_while_another_one_reads(h2_server, ssl_config):
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        reader = asyncio.ensure_future(http.request("GET", h2_server.url + "/hang_headers"))
        await asyncio.sleep(0)
        short = httpcore.TimeoutConfig(5.0, read_timeout=0.1)
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", h2_server.url + "/hang_headers", timeout=short)
        assert (await http.request("GET", h2_server.url + "/")).status_code == 200
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
