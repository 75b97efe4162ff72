"""Edge cases of responses, connections and the pool's waiting, closing and eviction paths.

Waiting is scripted through the backend: `HookedBackend` runs a test step when a waiter is
about to wait (or a connection has just been opened), so the interleavings below are exact
on one event loop and in one thread alike.
"""

from __future__ import annotations

import gzip
import threading

import pytest

import httpcore
from httpcore import Response
from httpcore._backends.asyncio import AsyncBackend, AsyncEvent

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class HookedEvent(AsyncEvent):
    """The backend's event; before waiting it runs the next scripted step, if any."""

    def __init__(self, steps):
        super().__init__()
        self._steps = steps

    async def wait(self, timeout):
        if self._steps:
            step = self._steps.pop(0)
            await step(self)
        return await super().wait(timeout)


class HookedBackend(AsyncBackend):
    """The real backend, with test steps run at a waiter's wait and after a connect."""

    def __init__(self):
        self.wait_steps = []
        self.connect_steps = []

    def create_event(self):
        return HookedEvent(self.wait_steps)

    async def connect_tcp(self, host, port, **kwargs):
        stream = await super().connect_tcp(host, port, **kwargs)
        if self.connect_steps:
            step = self.connect_steps.pop(0)
            await step()
        return stream


class Interrupted(Exception):
    """Stands for whatever can interrupt a wait: a cancellation, a KeyboardInterrupt..."""


def answer_each_request(message):
    def handler(conn):
        while conn.read_request():
            conn.send(message)

    return handler


# Responses ----------------------------------------------------------------------------------


async def test_response_without_a_body():
    response = Response(204, reason="No Content")
    assert response.body == b""
    assert response.is_closed
    assert response.is_stream_consumed
    with pytest.raises(httpcore.StreamConsumed):
        async for _ in response.raw():
            pass
    await response.close()
    assert repr(response) == f"<{type(response).__name__} [204 No Content]>"
    assert (response.http_version, response.headers) == ("HTTP/1.1", [])


async def test_response_without_a_body_reads_as_empty():
    response = Response(204)
    # read() and stream() agree with `body`: there is nothing to read, so nothing fails.
    assert [part async for part in response.stream()] == []
    assert await response.read() == b""


async def test_response_with_a_body_given():
    response = Response(200, reason="OK", http_version="HTTP/1.0", body=b"hello")
    assert response.body == b"hello"
    assert await response.read() == b"hello"
    assert [part async for part in response.stream()] == [b"hello"]
    await response.close()
    assert response.is_closed
    assert response.http_version == "HTTP/1.0"


async def compressed_chunks(data):
    compressed = gzip.compress(data)
    for start in range(0, len(compressed), 7):
        yield compressed[start : start + 7]


async def test_response_with_a_stream_and_no_pool():
    headers = [(b"content-encoding", b"gzip")]
    response = Response(200, headers=headers, stream=compressed_chunks(b"payload" * 100))
    assert not response.is_closed
    with pytest.raises(httpcore.ResponseNotRead):
        response.body  # noqa: B018
    assert await response.read() == b"payload" * 100
    assert response.body == b"payload" * 100
    assert response.is_closed
    assert [part async for part in response.stream()] == [b"payload" * 100]


async def test_stream_wins_over_body():
    response = Response(200, body=b"ignored", stream=compressed_chunks(b"real"))
    raw = b"".join([part async for part in response.raw()])
    assert gzip.decompress(raw) == b"real"
    with pytest.raises(httpcore.ResponseNotRead):
        response.body  # noqa: B018


async def test_closing_a_response_without_a_pool():
    async with Response(200, stream=compressed_chunks(b"unread")) as response:
        assert not response.is_closed
    assert response.is_closed
    with pytest.raises(httpcore.ResponseClosed):
        await response.read()


async def test_streaming_an_empty_body_that_was_read(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/status/204")
    assert response.body == b""
    assert [part async for part in response.stream()] == []


async def test_response_repr_from_a_server(server):
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/")
    assert repr(response) == f"<{type(response).__name__} [200 OK]>"


# Connections --------------------------------------------------------------------------------


async def test_connection_state_and_repr(server):
    http = httpcore.ConnectionPool()
    await http.request("GET", server.url + "/")
    await http.request("GET", server.url + "/")
    [[connection]] = http._idle.values()
    name = type(connection).__name__
    address = f"http://127.0.0.1:{server.port}"
    assert repr(connection) == f"<{name} [idle, requests=2] {address}>"
    assert connection.http_version == "HTTP/1.1"
    assert connection.is_idle()
    assert not connection.is_closed()
    await http.close()
    assert connection.is_closed()
    assert not connection.is_idle()
    assert repr(connection) == f"<{name} [closed, requests=2] {address}>"


async def test_http10_connection_is_not_kept_alive(raw_server):
    message = b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"
    server = raw_server(answer_each_request(message))
    async with httpcore.ConnectionPool() as http:
        for _ in range(2):
            response = await http.request("GET", server.url + "/")
            assert response.body == b"ok"
            assert response.http_version == "HTTP/1.0"
            assert http.num_keepalive_connections == 0
    assert server.connections == 2


async def test_unrequested_protocol_switch_is_an_error(raw_server):
    message = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + OK
    server = raw_server(answer_each_request(message))
    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="101"):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0


async def test_continue_then_the_response_on_a_kept_alive_connection(raw_server):
    message = b"HTTP/1.1 100 Continue\r\n\r\n" + OK
    server = raw_server(answer_each_request(message))
    async with httpcore.ConnectionPool() as http:
        for _ in range(3):
            response = await http.request("PUT", server.url + "/", body=b"data")
            assert (response.status_code, response.body) == (200, b"ok")
        assert http.num_keepalive_connections == 1
    assert server.connections == 1


# Timeouts per request -----------------------------------------------------------------------


async def test_timeout_none_for_one_request(raw_server):
    def slow(conn):
        while conn.read_request():
            # Answer late, or stop as soon as the client gives up.
            if conn.wait_closed(0.3):
                return
            conn.send(OK)

    server = raw_server(slow)
    async with httpcore.ConnectionPool(timeout=httpcore.TimeoutConfig(read_timeout=0.05)) as http:
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", server.url + "/")
        response = await http.request("GET", server.url + "/", timeout=None)
        assert response.body == b"ok"
        assert http.timeout.read_timeout == 0.05


# Pool: closing while connecting or waiting --------------------------------------------------


async def test_pool_closed_while_a_connection_opens(raw_server):
    closed = threading.Event()

    def note_close(conn):
        if conn.wait_closed(5):
            closed.set()

    server = raw_server(note_close)
    backend = HookedBackend()
    http = httpcore.ConnectionPool(backend=backend)
    backend.connect_steps.append(http.close)
    with pytest.raises(httpcore.PoolClosed):
        await http.request("GET", server.url + "/")
    assert http.num_active_connections == 0
    assert http.is_closed
    await backend.checkpoint()
    # The connection opened for the request was closed, not left behind.
    assert closed.wait(5)


async def test_close_wakes_a_waiter_with_pool_closed(server):
    backend = HookedBackend()
    limits = httpcore.PoolLimits(hard_limit=1)
    http = httpcore.ConnectionPool(limits=limits, backend=backend)
    held = await http.request("GET", server.url + "/", stream=True)

    async def close_pool(waiter):
        assert list(http._waiters) == [waiter]
        await http.close()
        assert waiter.is_set()

    backend.wait_steps.append(close_pool)
    with pytest.raises(httpcore.PoolClosed):
        await http.request("GET", server.url + "/", timeout=None)
    assert not http._waiters
    assert http.num_active_connections == 1
    await held.close()
    assert http.num_active_connections == 0


# Pool: waiters ------------------------------------------------------------------------------


async def test_woken_waiter_that_lost_the_race_stays_first_in_line(server):
    backend = HookedBackend()
    limits = httpcore.PoolLimits(hard_limit=1)
    url = server.url + "/client"
    async with httpcore.ConnectionPool(limits=limits, backend=backend) as http:
        held = await http.request("GET", url, stream=True)
        taken = []

        async def release_then_take(waiter):
            await held.read()
            assert waiter.is_set()
            # A newcomer takes the free connection before the woken waiter runs again.
            taken.append(await http.request("GET", url, stream=True))

        async def queue_a_newer_request(requeued):
            async def release_the_taken_connection(newer):
                assert list(http._waiters) == [requeued, newer]
                await taken[0].read()
                # The wake-up goes to the older waiter, although it queued again later.
                assert requeued.is_set()
                assert not newer.is_set()

            backend.wait_steps.append(release_the_taken_connection)
            newer_timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.05)
            with pytest.raises(httpcore.PoolTimeout):
                await http.request("GET", url, timeout=newer_timeout)

        backend.wait_steps += [release_then_take, queue_a_newer_request]
        response = await http.request("GET", url)
        assert response.body == held.body == taken[0].body
        assert not backend.wait_steps
        assert not http._waiters
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_interrupted_waiter_gives_its_slot_back(server):
    backend = HookedBackend()
    limits = httpcore.PoolLimits(hard_limit=1)
    url = server.url + "/client"
    async with httpcore.ConnectionPool(limits=limits, backend=backend) as http:
        held = await http.request("GET", url, stream=True)

        async def interrupt_after_the_wake_up(waiter):
            await held.read()
            assert waiter.is_set()
            raise Interrupted

        backend.wait_steps.append(interrupt_after_the_wake_up)
        with pytest.raises(Interrupted):
            await http.request("GET", url)
        assert not http._waiters
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
        response = await http.request("GET", url)
        assert response.body == held.body


async def test_interrupted_waiter_leaves_the_queue(server):
    backend = HookedBackend()
    limits = httpcore.PoolLimits(hard_limit=1)
    async with httpcore.ConnectionPool(limits=limits, backend=backend) as http:
        held = await http.request("GET", server.url + "/", stream=True)

        async def interrupt(waiter):
            assert list(http._waiters) == [waiter]
            raise Interrupted

        backend.wait_steps.append(interrupt)
        with pytest.raises(Interrupted):
            await http.request("GET", server.url + "/")
        assert not http._waiters
        assert http.num_active_connections == 1
        await held.read()
        assert http.num_active_connections == 0


# Pool: eviction -----------------------------------------------------------------------------


async def test_hard_limit_evicts_only_the_oldest_idle_connection(server):
    limits = httpcore.PoolLimits(hard_limit=2)
    first_origin = f"http://127.0.0.1:{server.port}/client"
    other_origin = f"http://localhost:{server.port}/"
    async with httpcore.ConnectionPool(limits=limits) as http:
        first = await http.request("GET", first_origin, stream=True)
        second = await http.request("GET", first_origin, stream=True)
        await first.read()
        await second.read()
        assert first.body != second.body
        assert http.num_keepalive_connections == 2
        # The pool is full: a new origin's connection replaces the oldest idle one.
        await http.request("GET", other_origin)
        assert http.num_keepalive_connections == 2
        reused = await http.request("GET", first_origin, stream=True)
        fresh = await http.request("GET", first_origin, stream=True)
        await reused.read()
        await fresh.read()
        assert reused.body == second.body
        assert fresh.body not in (first.body, second.body)


# Pool: reuse order and dropped responses ----------------------------------------------------


async def test_the_most_recently_used_idle_connection_is_reused_first(server):
    url = server.url + "/client"
    async with httpcore.ConnectionPool() as http:
        first = await http.request("GET", url, stream=True)
        second = await http.request("GET", url, stream=True)
        await first.read()
        await second.read()
        assert http.num_keepalive_connections == 2
        again = await http.request("GET", url, stream=True)
        # The other idle connection stays in the pool meanwhile.
        assert http.num_keepalive_connections == 1
        await again.read()
        assert again.body == second.body


async def test_a_dropped_response_is_reclaimed_when_another_is_released(server):
    async with httpcore.ConnectionPool() as http:
        dropped = await http.request("GET", server.url + "/bytes/5000000", stream=True)
        kept = await http.request("GET", server.url + "/", stream=True)
        assert http.num_active_connections == 2
        del dropped  # never read, never closed
        await kept.read()
        assert http.num_active_connections == 0
        # Only the connection whose response was read to the end is kept for reuse.
        assert http.num_keepalive_connections == 1


class TailDecoder:
    """A decoder whose flush produces output, as a buffering coding may."""

    def decode_iter(self, data):
        yield data.upper()

    def flush_iter(self):
        yield b"<tail>"


async def test_decoder_output_at_flush_is_streamed(monkeypatch):
    import httpcore._async.response as module

    monkeypatch.setattr(module, "get_decoder", lambda codings: TailDecoder())

    async def body():
        yield b"abc"

    response = Response(200, stream=body())
    assert await response.read() == b"ABC<tail>"


async def test_decoder_output_at_flush_is_streamed_by_stream(monkeypatch):
    import httpcore._async.response as module

    monkeypatch.setattr(module, "get_decoder", lambda codings: TailDecoder())

    async def body():
        yield b"abc"

    response = Response(200, stream=body())
    assert [part async for part in response.stream()] == [b"ABC", b"<tail>"]


async def test_decoding_error_while_streaming_releases_the_connection(raw_server):
    def corrupt(conn):
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\n\r\nnotgzip")

    server = raw_server(corrupt)
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", server.url + "/", stream=True)
        with pytest.raises(httpcore.DecodingError):
            async for _ in response.stream():
                pass
        assert response.is_closed
        assert http.num_active_connections == 0


async def test_backend_sleep():
    backend = AsyncBackend()
    before = backend.monotonic()
    await backend.sleep(0.01)
    assert backend.monotonic() - before >= 0.01
