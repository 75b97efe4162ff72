"""HTTP/2 without sockets: the pure helpers of `_h2`, and scripted frames with concurrent streams.

The concurrent cases run on one event loop against the scripted server of `h2_script`, with
reads that wait for the server instead of timing out at once, so that one stream can read
while others wait: the reader role, its hand-over, and the waiters' timeouts and wake-ups.
"""

from __future__ import annotations

import asyncio

import h2.events
import h2.settings
import pytest
from h2.errors import ErrorCodes

import httpcore
from httpcore._h2 import reason_phrase, request_headers, response_head
from httpcore._h2frames import error_name
from httpcore._models import Request
from tests.httpcore._async.h2_script import URL, ScriptedBackend, ScriptedStream, Server, answer

# The pure helpers --------------------------------------------------------------------


def test_request_headers_drop_what_the_connection_header_names():
    request = Request("GET", "https://example.com:8443/p?q", {"Connection": "X-A", "X-A": "1"})
    block = request_headers(request)
    assert block[:4] == [
        (b":method", b"GET"),
        (b":authority", b"example.com:8443"),
        (b":scheme", b"https"),
        (b":path", b"/p?q"),
    ]
    assert [name for name, _ in block[4:]] == [b"accept-encoding"]


def test_response_head_counts_fields():
    limits = httpcore.ProtocolLimits(max_header_count=1)
    assert response_head([(b"x", b"y")], limits) == [(b"x", b"y")]
    with pytest.raises(httpcore.LimitExceeded, match="max_header_count"):
        response_head([(b"x", b"y")] * 2, limits)


def test_reason_phrases_and_error_names():
    assert reason_phrase(200) == "OK"
    assert reason_phrase(599) == ""
    assert error_name(ErrorCodes.REFUSED_STREAM) == "REFUSED_STREAM"
    assert error_name(0x99) == "error code 153"


# Concurrent streams against a scripted server --------------------------------------------


class WaitingServer(Server):
    """A scripted server whose client reads wait until it sends something."""

    def __init__(self, settings=None, preface=True):
        super().__init__(settings, preface)
        self.changed = asyncio.Event()
        self.write_gate = None

    def flush(self):
        super().flush()
        self.changed.set()

    def raw(self, data):
        super().raw(data)
        self.changed.set()


class WaitingStream(ScriptedStream):
    async def read(self, max_bytes, timeout):
        server = self.server
        while not (server.outgoing or server.eof or server.closed):
            server.changed.clear()
            try:
                async with asyncio.timeout(timeout):
                    await server.changed.wait()
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading from the server") from None
        return await super().read(max_bytes, timeout)

    async def write(self, data, timeout):
        if self.server.write_gate is not None:
            await self.server.write_gate.wait()
        await super().write(data, timeout)


class WaitingBackend(ScriptedBackend):
    connect_gate = None

    async def connect_tcp(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
        if self.connect_gate is not None:
            await self.connect_gate.wait()
        server = WaitingServer(self.settings, self.preface)
        self.servers.append(server)
        return WaitingStream(server, self)


def silent(server, event):
    pass


def head_only(server, event):
    if isinstance(event, h2.events.StreamEnded):
        server.respond(event.stream_id, end=False)


async def until(condition):
    """Let the loop run until `condition()` holds (a bounded number of iterations)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def connection_of(http):
    ((connection,),) = http._multiplexed.values()
    return connection


@pytest.fixture
async def http():
    backend = WaitingBackend(silent)
    async with httpcore.ConnectionPool(http2_prior_knowledge=True, backend=backend) as pool:
        pool.scripted = backend
        yield pool


def start(http, path, **kwargs):
    return asyncio.ensure_future(http.request("GET", URL + path, **kwargs))


async def test_the_reader_hands_over_when_cancelled(http):
    first = start(http, "/a")
    await until(lambda: http._multiplexed)
    connection = connection_of(http)
    second, third = start(http, "/b"), start(http, "/c")
    await until(lambda: len(connection._waiting) == 2)
    assert connection._reading
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    # The second was handed the reader role; cancelled before it ran, it passes it on.
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    await until(lambda: connection._reading)
    assert not connection._waiting
    server = http.scripted.servers[0]
    server.respond(5, body=b"third")
    assert (await third).body == b"third"
    assert not connection._reading
    assert http.num_active_connections == 0


async def test_the_reader_wakes_the_stream_it_reads_for(http):
    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    connection = connection_of(http)
    other = start(http, "/b")
    await until(lambda: connection._waiting)
    http.scripted.servers[0].respond(3, body=b"other")
    assert (await other).body == b"other"
    assert not reader.done()
    http.scripted.servers[0].respond(1, body=b"reader")
    assert (await reader).body == b"reader"


async def test_a_waiting_stream_times_out(http):
    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    short = httpcore.TimeoutConfig(5.0, read_timeout=0.01)
    with pytest.raises(httpcore.ReadTimeout):
        await http.request("GET", URL + "/b", timeout=short)
    assert not reader.done()
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert http.num_active_connections == 0


async def test_a_connection_error_wakes_every_waiting_stream(http):
    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    connection = connection_of(http)
    waiter = start(http, "/b")
    await until(lambda: connection._waiting)
    http.scripted.servers[0].raw(b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x")
    for task in (reader, waiter):
        with pytest.raises(httpcore.RemoteProtocolError):
            await task
    assert http.num_active_connections == 0


async def test_an_upload_waiting_for_window_is_woken_by_the_reader():
    backend = WaitingBackend(silent, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 10})
    async with httpcore.ConnectionPool(http2_prior_knowledge=True, backend=backend) as http:
        reader = start(http, "/a")
        await until(lambda: http._multiplexed)
        connection = connection_of(http)
        bystander = start(http, "/b")
        await until(lambda: connection._waiting)
        upload = asyncio.ensure_future(http.request("POST", URL + "/up", body=b"u" * 25))
        await until(lambda: len(connection._waiting) == 2)
        server = backend.servers[0]
        for _ in range(2):
            server.h2.increment_flow_control_window(10, stream_id=3)
            server.flush()
            await until(lambda: connection._waiting or upload.done())
        await until(lambda: len(connection._waiting) == 1)
        server.respond(5, body=b"uploaded")
        assert (await upload).body == b"uploaded"
        assert server.bodies[5] == b"u" * 25
        server.respond(1)
        server.respond(3)
        await reader
        await bystander


async def test_a_writer_waits_for_the_write_lock(http):
    http.scripted.script = answer
    await http.request("GET", URL + "/warm")
    http.scripted.script = silent
    server = http.scripted.servers[0]
    server.write_gate = asyncio.Event()
    stuck = start(http, "/a")
    await until(lambda: http._multiplexed and connection_of(http)._write_lock._locked)
    short = httpcore.TimeoutConfig(5.0, write_timeout=0.01)
    with pytest.raises(httpcore.WriteTimeout, match="waiting to write"):
        await http.request("GET", URL + "/b", timeout=short)
    stuck.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stuck
    assert http.num_active_connections == 0


async def test_goaway_wakes_a_waiting_stream_it_refuses(http):
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded) and server is not http.scripted.servers[0]:
            server.respond(event.stream_id, body=b"retried")

    http.scripted.script = script
    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    connection = connection_of(http)
    refused = start(http, "/b")
    await until(lambda: connection._waiting)
    http.scripted.servers[0].goaway(last_stream_id=1)
    assert (await refused).body == b"retried"
    http.scripted.servers[0].respond(1, body=b"processed")
    assert (await reader).body == b"processed"


async def test_a_waiting_stream_can_be_cancelled(http):
    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    connection = connection_of(http)
    waiting = start(http, "/b")
    await until(lambda: connection._waiting)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not connection._waiting
    http.scripted.servers[0].respond(1, body=b"still here")
    assert (await reader).body == b"still here"


async def test_a_reset_seen_by_another_reader_ends_the_upload(http):
    gate = asyncio.Event()

    async def body():
        yield b"first"
        await gate.wait()

    reader = start(http, "/a")
    await until(lambda: http._multiplexed)
    upload = asyncio.ensure_future(http.request("POST", URL + "/up", body=body()))
    await until(lambda: 3 in http.scripted.servers[0].bodies)
    http.scripted.servers[0].reset(3, ErrorCodes.INTERNAL_ERROR)
    connection = connection_of(http)
    await until(lambda: connection._streams[3].reset_code is not None)
    gate.set()
    with pytest.raises(httpcore.RemoteProtocolError, match="INTERNAL_ERROR"):
        await upload
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader


async def test_waiting_for_a_connection_being_opened_times_out():
    backend = WaitingBackend(answer)
    backend.connect_gate = asyncio.Event()
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.01)
    http = httpcore.ConnectionPool(timeout=timeout, http2_prior_knowledge=True, backend=backend)
    opening = start(http, "/a")
    await until(lambda: http._pending)
    with pytest.raises(httpcore.PoolTimeout, match="no connection was opened"):
        await http.request("GET", URL + "/b")
    waiting = start(http, "/c")
    await asyncio.sleep(0)
    await http.close()
    with pytest.raises(httpcore.PoolClosed):
        await waiting
    backend.connect_gate.set()
    with pytest.raises(httpcore.PoolClosed):
        await opening


async def test_a_freed_slot_goes_to_a_waiter_for_an_http2_origin():
    backend = WaitingBackend(
        head_only, settings={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1}
    )
    limits = httpcore.PoolLimits(hard_limit=1)
    pool = httpcore.ConnectionPool(limits=limits, http2_prior_knowledge=True, backend=backend)
    async with pool as http:
        held = await http.request("GET", URL + "/a", stream=True)
        waiting = start(http, "/b", stream=True)
        await until(lambda: http._waiters)
        await held.close()
        second = await waiting
        assert second.status_code == 200
        assert len(backend.servers) == 1


async def test_a_freed_stream_goes_to_a_waiter_for_its_origin():
    backend = WaitingBackend(
        head_only, settings={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 2}
    )
    limits = httpcore.PoolLimits(hard_limit=1)
    pool = httpcore.ConnectionPool(limits=limits, http2_prior_knowledge=True, backend=backend)
    async with pool as http:
        held = [await http.request("GET", URL + "/a", stream=True) for _ in range(2)]
        waiting = start(http, "/b", stream=True)
        await until(lambda: http._waiters)
        await held[0].close()
        assert (await waiting).status_code == 200
        assert http.num_active_connections == 1
        assert len(backend.servers) == 1


async def test_waiters_for_an_origin_share_its_new_connection():
    backend = WaitingBackend(
        head_only, settings={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1}
    )
    limits = httpcore.PoolLimits(hard_limit=1)
    pool = httpcore.ConnectionPool(limits=limits, http2_prior_knowledge=True, backend=backend)
    async with pool as http:
        held = await http.request("GET", URL + "/a", stream=True)
        waiting = [start(http, "/b", stream=True) for _ in range(2)]
        await until(lambda: len(http._waiters) == 2)
        backend.settings = {h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 10}
        # The server goes away: the held stream ends, and its connection with it.
        backend.servers[0].goaway(1)
        backend.servers[0].send_data(1, b"", end=True)
        await held.read()
        responses = await asyncio.gather(*waiting)
        assert [response.status_code for response in responses] == [200, 200]
        assert len(backend.servers) == 2
        assert http.num_active_connections == 1


# The asyncio lock of HTTP/2 writers ------------------------------------------------------


async def test_async_lock_hands_over_in_order_and_times_out():
    from httpcore._backends.asyncio import AsyncLock

    lock = AsyncLock()
    assert await lock.acquire(None)
    assert not lock.try_acquire()
    assert not await lock.acquire(0.01)
    order = []

    async def take(name, timeout):
        assert await lock.acquire(timeout)
        order.append(name)
        lock.release()

    first = asyncio.ensure_future(take("first", None))
    second = asyncio.ensure_future(take("second", 5.0))
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(first, second)
    assert order == ["first", "second"]
    assert lock.try_acquire()
    lock.release()


async def test_async_lock_waiters_cancelled_before_and_after_the_hand_over():
    from httpcore._backends.asyncio import AsyncLock

    lock = AsyncLock()
    assert lock.try_acquire()
    cancelled = asyncio.ensure_future(lock.acquire(None))
    handed = asyncio.ensure_future(lock.acquire(None))
    last = asyncio.ensure_future(lock.acquire(5.0))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    # The release skips the cancelled waiter; the next is handed the lock, then cancelled
    # before it runs: it passes the lock on.
    lock.release()
    handed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handed
    assert await last
    lock.release()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert lock.try_acquire()


async def test_async_lock_release_skips_a_waiter_cancelled_meanwhile():
    from httpcore._backends.asyncio import AsyncLock

    lock = AsyncLock()
    assert lock.try_acquire()
    cancelled = asyncio.ensure_future(lock.acquire(None))
    await asyncio.sleep(0)
    cancelled.cancel()
    # Released before the cancelled waiter ran: the lock is free, not handed to it.
    lock.release()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert lock.try_acquire()


async def test_async_lock_granted_as_its_timeout_expires():
    from httpcore._backends.asyncio import AsyncLock

    lock = AsyncLock()
    assert lock.try_acquire()
    waiter = asyncio.ensure_future(lock.acquire(0))
    # The waiter starts its timer; on the next iteration the timer is due, after this task.
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    # Released just before the expired timer's callback runs: the waiter has the lock.
    lock.release()
    assert await waiter is True
    assert not lock.try_acquire()
