"""The sync pool's HTTP/2 connections shared by threads: multiplexing, the reader role, waits.

The scripted cases use `h2_script`'s server with reads that block until the server has
something to send, and a backend whose events report when a thread starts waiting on them,
so each test steps its threads through an exact interleaving without sleeping.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import h2.events
import h2.settings
import pytest
from h2.errors import ErrorCodes

import httpcore
from httpcore._backends.sync import SyncEvent, SyncStream
from tests.httpcore._sync.h2_script import URL, ScriptedBackend, ScriptedStream, Server, answer

SETTINGS = h2.settings.SettingCodes
WAIT = 10.0


def test_threads_share_one_connection(h2_server, ca_file):
    ssl_config = httpcore.SSLConfig(verify=ca_file)
    lock = threading.Lock()
    peak = 0
    with httpcore.SyncConnectionPool(ssl=ssl_config, http2=True) as http:

        def one(_):
            nonlocal peak
            response = http.request("GET", h2_server.url + "/client", stream=True)
            with lock:
                peak = max(peak, http.num_active_connections)
            assert response.http_version == "HTTP/2"
            return response.read()

        with ThreadPoolExecutor(max_workers=16) as executor:
            clients = list(executor.map(one, range(300)))
        assert len(set(clients)) == 1
        assert peak == 1
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


# Scripted servers with blocking reads -----------------------------------------------------


class Interrupted(BaseException):
    """Stands for an interruption (KeyboardInterrupt) of a waiting thread."""


class ProbeEvent(SyncEvent):
    """The sync event; reports waiting threads, and can interrupt a thread once woken."""

    __slots__ = ("_backend",)

    def __init__(self, backend):
        super().__init__()
        self._backend = backend

    def wait(self, timeout):
        backend = self._backend
        with backend.cond:
            backend.waiting += 1
            backend.cond.notify_all()
        try:
            woken = super().wait(timeout)
        finally:
            with backend.cond:
                backend.waiting -= 1
        if woken and getattr(backend.local, "interrupt", False):
            raise Interrupted
        return woken


class BlockingServer(Server):
    """The scripted server, safe to drive from the test thread while clients use it."""

    def __init__(self, cond, settings=None, preface=True):
        self.cond = cond
        super().__init__(settings, preface)
        self.write_gate = None

    def _locked(self, method, *args, **kwargs):
        with self.cond:
            method(*args, **kwargs)
            self.cond.notify_all()

    def flush(self):
        self._locked(super().flush)

    def raw(self, data):
        self._locked(super().raw, data)

    def respond(self, *args, **kwargs):
        self._locked(super().respond, *args, **kwargs)

    def send_data(self, *args, **kwargs):
        self._locked(super().send_data, *args, **kwargs)

    def reset(self, *args, **kwargs):
        self._locked(super().reset, *args, **kwargs)

    def goaway(self, *args, **kwargs):
        self._locked(super().goaway, *args, **kwargs)


class BlockingStream(ScriptedStream):
    def read(self, max_bytes, timeout):
        server = self.server
        with server.cond:
            if not (server.outgoing or server.eof or server.closed):
                self._backend.reading += 1
                server.cond.notify_all()
                try:
                    server.cond.wait_for(
                        lambda: server.outgoing or server.eof or server.closed, timeout
                    )
                finally:
                    self._backend.reading -= 1
            if not (server.outgoing or server.eof or server.closed):
                raise httpcore.ReadTimeout("timed out reading from the server")
            return super().read(max_bytes, timeout)

    def write(self, data, timeout):
        gate = self.server.write_gate
        if gate is not None:
            gate.wait(WAIT)
        with self.server.cond:
            super().write(data, timeout)
            self.server.cond.notify_all()


class BlockingBackend(ScriptedBackend):
    def __init__(self, script=answer, settings=None):
        super().__init__(script, settings)
        self.cond = threading.Condition(threading.RLock())
        self.local = threading.local()
        self.waiting = 0
        self.reading = 0
        self.connects = 0
        self.connect_gate = None
        self.connect_error = None

    def create_event(self):
        return ProbeEvent(self)

    def connect_tcp(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
        with self.cond:
            self.connects += 1
            self.cond.notify_all()
        if self.connect_gate is not None:
            self.connect_gate.wait(WAIT)
        if self.connect_error is not None:
            raise self.connect_error
        server = BlockingServer(self.cond, self.settings, self.preface)
        self.servers.append(server)
        return BlockingStream(server, self)

    def until(self, condition):
        with self.cond:
            assert self.cond.wait_for(condition, WAIT), "the condition never held"


def silent(server, event):
    pass


def head_only(server, event):
    if isinstance(event, h2.events.StreamEnded):
        server.respond(event.stream_id, end=False)


@pytest.fixture
def executor():
    with ThreadPoolExecutor(max_workers=8) as running:
        yield running


def pool_for(backend, **kwargs):
    return httpcore.SyncConnectionPool(http2_prior_knowledge=True, backend=backend, **kwargs)


def connection_of(http):
    ((connection,),) = http._multiplexed.values()
    return connection


def test_the_reader_wakes_the_stream_it_reads_for(executor):
    backend = BlockingBackend(silent)
    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        other = executor.submit(http.request, "GET", URL + "/b")
        backend.until(lambda: backend.waiting)
        backend.servers[0].respond(3, body=b"other")
        assert other.result(WAIT).body == b"other"
        backend.servers[0].respond(1, body=b"reader")
        assert reader.result(WAIT).body == b"reader"


def test_a_waiting_stream_times_out(executor):
    backend = BlockingBackend(silent)
    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        short = httpcore.TimeoutConfig(5.0, read_timeout=0.01)
        with pytest.raises(httpcore.ReadTimeout):
            http.request("GET", URL + "/b", timeout=short)
        backend.servers[0].respond(1, body=b"reader")
        assert reader.result(WAIT).body == b"reader"
        assert http.num_active_connections == 0


def test_a_connection_error_wakes_every_waiting_stream(executor):
    backend = BlockingBackend(silent)
    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        waiter = executor.submit(http.request, "GET", URL + "/b")
        backend.until(lambda: backend.waiting)
        backend.servers[0].raw(b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x")
        for future in (reader, waiter):
            with pytest.raises(httpcore.RemoteProtocolError):
                future.result(WAIT)
        assert http.num_active_connections == 0


def test_an_upload_waiting_for_window_is_woken_by_the_reader(executor):
    backend = BlockingBackend(silent, settings={SETTINGS.INITIAL_WINDOW_SIZE: 10})
    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        bystander = executor.submit(http.request, "GET", URL + "/b")
        backend.until(lambda: backend.waiting == 1)
        upload = executor.submit(http.request, "POST", URL + "/up", body=b"u" * 25)
        backend.until(lambda: backend.waiting == 2)
        server = backend.servers[0]
        server.h2.increment_flow_control_window(100, stream_id=5)
        server.flush()
        backend.until(lambda: server.bodies.get(5) == b"u" * 25)
        server.respond(5, body=b"uploaded")
        assert upload.result(WAIT).body == b"uploaded"
        server.respond(1)
        server.respond(3)
        reader.result(WAIT)
        bystander.result(WAIT)


def test_a_writer_waits_for_the_write_lock(executor):
    backend = BlockingBackend()
    with pool_for(backend) as http:
        http.request("GET", URL + "/warm")
        server = backend.servers[0]
        server.write_gate = threading.Event()
        backend.script = silent
        stuck = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: http._multiplexed and connection_of(http)._streams)
        short = httpcore.TimeoutConfig(5.0, write_timeout=0.01)
        with pytest.raises(httpcore.WriteTimeout, match="waiting to write"):
            http.request("GET", URL + "/b", timeout=short)
        server.write_gate.set()
        backend.until(lambda: backend.reading)
        server.respond(3, body=b"unstuck")
        assert stuck.result(WAIT).body == b"unstuck"


def test_goaway_wakes_a_waiting_stream_it_refuses(executor):
    backend = BlockingBackend(silent)
    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        refused = executor.submit(http.request, "GET", URL + "/b")
        backend.until(lambda: backend.waiting)
        backend.script = answer
        backend.servers[0].goaway(last_stream_id=1)
        assert refused.result(WAIT).body == b"/b"
        backend.servers[0].respond(1, body=b"processed")
        assert reader.result(WAIT).body == b"processed"


def test_an_interrupted_waiter_passes_the_reader_role_on(executor):
    backend = BlockingBackend(silent)

    def interrupted():
        backend.local.interrupt = True
        try:
            return http.request("GET", URL + "/b")
        finally:
            backend.local.interrupt = False

    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        second = executor.submit(interrupted)
        backend.until(lambda: backend.waiting == 1)
        third = executor.submit(http.request, "GET", URL + "/c")
        backend.until(lambda: backend.waiting == 2)
        # The reader gets its response and hands the role to the second, which is
        # interrupted as it wakes and hands it to the third.
        backend.servers[0].respond(1, body=b"first")
        assert reader.result(WAIT).body == b"first"
        with pytest.raises(Interrupted):
            second.result(WAIT)
        backend.until(lambda: backend.reading)
        backend.servers[0].respond(5, body=b"third")
        assert third.result(WAIT).body == b"third"
        assert http.num_active_connections == 0


def test_a_reset_seen_by_another_reader_ends_the_upload(executor):
    backend = BlockingBackend(silent)
    gate = threading.Event()

    def body():
        yield b"first"
        gate.wait(WAIT)

    with pool_for(backend) as http:
        reader = executor.submit(http.request, "GET", URL + "/a")
        backend.until(lambda: backend.reading)
        upload = executor.submit(http.request, "POST", URL + "/up", body=body())
        server = backend.servers[0]
        backend.until(lambda: 3 in server.bodies)
        server.reset(3, ErrorCodes.INTERNAL_ERROR)
        backend.until(lambda: connection_of(http)._streams[3].reset_code is not None)
        gate.set()
        with pytest.raises(httpcore.RemoteProtocolError, match="INTERNAL_ERROR"):
            upload.result(WAIT)
        server.respond(1)
        reader.result(WAIT)


# Requests waiting for a connection being opened ------------------------------------------


def test_requests_wait_for_the_first_connection_and_share_it(executor):
    backend = BlockingBackend()
    backend.connect_gate = threading.Event()
    with pool_for(backend) as http:
        futures = [executor.submit(http.request, "GET", URL + f"/{i}") for i in range(5)]
        backend.until(lambda: backend.connects == 1 and backend.waiting == 4)
        backend.connect_gate.set()
        assert [future.result(WAIT).body for future in futures] == [b"/%d" % i for i in range(5)]
        assert backend.connects == 1


def test_requests_waiting_for_a_connection_share_its_failure(executor):
    backend = BlockingBackend()
    backend.connect_gate = threading.Event()
    backend.connect_error = httpcore.ConnectError("connection refused")
    with pool_for(backend) as http:
        futures = [executor.submit(http.request, "GET", URL + "/") for _ in range(3)]
        backend.until(lambda: backend.waiting == 2)
        backend.connect_gate.set()
        for future in futures:
            with pytest.raises(httpcore.ConnectError, match="refused"):
                future.result(WAIT)
        assert backend.connects == 1


def test_waiting_for_a_connection_being_opened_times_out(executor):
    backend = BlockingBackend()
    backend.connect_gate = threading.Event()
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.01)
    http = pool_for(backend, timeout=timeout)
    opening = executor.submit(http.request, "GET", URL + "/a")
    backend.until(lambda: http._pending)
    with pytest.raises(httpcore.PoolTimeout, match="no connection was opened"):
        http.request("GET", URL + "/b")
    http.close()
    backend.connect_gate.set()
    with pytest.raises(httpcore.PoolClosed):
        opening.result(WAIT)


def test_a_freed_slot_goes_to_a_waiter_for_an_http2_origin(executor):
    backend = BlockingBackend(head_only, settings={SETTINGS.MAX_CONCURRENT_STREAMS: 1})
    limits = httpcore.PoolLimits(hard_limit=1)
    with pool_for(backend, limits=limits) as http:
        held = http.request("GET", URL + "/a", stream=True)
        waiting = executor.submit(http.request, "GET", URL + "/b", stream=True)
        backend.until(lambda: backend.waiting)
        held.close()
        assert waiting.result(WAIT).status_code == 200
        assert len(backend.servers) == 1


def test_a_freed_stream_goes_to_a_waiter_for_its_origin(executor):
    backend = BlockingBackend(head_only, settings={SETTINGS.MAX_CONCURRENT_STREAMS: 2})
    limits = httpcore.PoolLimits(hard_limit=1)
    with pool_for(backend, limits=limits) as http:
        held = [http.request("GET", URL + "/a", stream=True) for _ in range(2)]
        waiting = executor.submit(http.request, "GET", URL + "/b", stream=True)
        backend.until(lambda: backend.waiting)
        held[0].close()
        assert waiting.result(WAIT).status_code == 200
        assert http.num_active_connections == 1


def test_waiters_for_an_origin_share_its_new_connection(executor):
    backend = BlockingBackend(head_only, settings={SETTINGS.MAX_CONCURRENT_STREAMS: 1})
    limits = httpcore.PoolLimits(hard_limit=1)
    with pool_for(backend, limits=limits) as http:
        held = http.request("GET", URL + "/a", stream=True)
        waiting = [executor.submit(http.request, "GET", URL + "/b", stream=True) for _ in range(2)]
        backend.until(lambda: backend.waiting == 2)
        backend.settings = {SETTINGS.MAX_CONCURRENT_STREAMS: 10}
        backend.servers[0].goaway(1)
        backend.servers[0].send_data(1, b"", end=True)
        held.read()
        assert [future.result(WAIT).status_code for future in waiting] == [200, 200]
        assert len(backend.servers) == 2


# The stream an HTTP/2 connection shares between threads -----------------------------------


@pytest.fixture
def shared_pair():
    ours, theirs = socket.socketpair()
    stream = SyncStream(ours).shared()
    yield stream, theirs
    stream.close()
    theirs.close()


def test_shared_stream_reads_and_writes(shared_pair, executor):
    stream, peer = shared_pair
    writing = executor.submit(stream.write, b"ping" * 1_000_000, 5.0)
    received = b""
    while len(received) < 4_000_000:
        received += peer.recv(65536)
    writing.result(WAIT)
    assert received == b"ping" * 1_000_000
    waiting = executor.submit(stream.read, 100, 5.0)
    peer.sendall(b"pong")
    assert waiting.result(WAIT) == b"pong"
    peer.shutdown(socket.SHUT_WR)
    assert stream.read(100, 5.0) == b""


def test_shared_stream_timeouts(shared_pair):
    stream, _ = shared_pair
    with pytest.raises(httpcore.ReadTimeout):
        stream.read(100, 0)
    with pytest.raises(httpcore.ReadTimeout):
        stream.read(100, 0.01)
    with pytest.raises(httpcore.WriteTimeout):
        stream.write(b"x" * 50_000_000, 0.01)


def test_shared_stream_errors(shared_pair):
    stream, peer = shared_pair
    peer.close()
    with pytest.raises(httpcore.WriteError):
        for _ in range(100):
            stream.write(b"x" * 65536, 1.0)
    stream.close()
    stream.close()
    with pytest.raises(httpcore.ReadError, match="closed"):
        stream.read(100, 1.0)
    with pytest.raises(httpcore.WriteError, match="closed"):
        stream.write(b"x", 1.0)
    # Waiting on a closed socket returns at once, and the next call reports the closing.
    assert stream._wait(True, 1.0)


def test_closing_an_unconnected_shared_stream():
    stream = SyncStream(socket.socket()).shared()
    stream.close()
    with pytest.raises(httpcore.ReadError):
        stream.read(1, 0)
