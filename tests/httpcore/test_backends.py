"""The asyncio and sync backends against loopback peers: errors, timeouts, flow control, TLS.

Each behaviour is checked on both backends; tests that need a second task (a close or a
reset while an await is pending) exist for asyncio only, as the sync backend has no such state.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable

import pytest
import trustme

import httpcore
from httpcore._backends.asyncio import _HIGH_WATER, AsyncBackend, AsyncEvent, AsyncStream
from httpcore._backends.sync import SyncBackend, SyncEvent, SyncStream
from tests.servers import RawConnection

TIMEOUT = 5.0
BIG = 64 * 1024 * 1024  # far more than loopback socket buffers hold


@pytest.fixture(scope="module")
def server_tls_context(ca: trustme.CA) -> ssl.SSLContext:
    """A server context offering ALPN http/1.1 (uvicorn's test servers negotiate none)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    context.set_alpn_protocols(["http/1.1"])
    # No TLS 1.3 session tickets: after the handshake only application data is sent.
    context.num_tickets = 0
    return context


@pytest.fixture
def client_tls_context(ca_file) -> ssl.SSLContext:
    return httpcore.SSLConfig(verify=ca_file).load_ssl_context()


def closed_port() -> int:
    """A loopback port that nothing listens on (it was just bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tls_peer(context: ssl.SSLContext, then: Callable[[ssl.SSLSocket], object]):
    """A raw-server handler: TLS handshake, `then(tls)`, then wait for the client to close."""

    def handler(conn: RawConnection) -> None:
        with context.wrap_socket(conn.sock, server_side=True) as tls:
            then(tls)
            while tls.recv(65536):
                pass

    return handler


def wait_for_close(conn: RawConnection) -> None:
    conn.wait_closed(TIMEOUT)


async def async_connect(server, **kwargs) -> AsyncStream:
    return await AsyncBackend().connect_tcp(server.host, server.port, timeout=TIMEOUT, **kwargs)


def sync_connect(server, **kwargs) -> SyncStream:
    return SyncBackend().connect_tcp(server.host, server.port, timeout=TIMEOUT, **kwargs)


# Connecting -------------------------------------------------------------------------------


async def test_async_connection_refused():
    port = closed_port()
    with pytest.raises(httpcore.ConnectError, match=f"127.0.0.1:{port}") as info:
        await AsyncBackend().connect_tcp("127.0.0.1", port, timeout=TIMEOUT)
    assert type(info.value) is httpcore.ConnectError
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


def test_sync_connection_refused():
    port = closed_port()
    with pytest.raises(httpcore.ConnectError, match=f"127.0.0.1:{port}") as info:
        SyncBackend().connect_tcp("127.0.0.1", port, timeout=TIMEOUT)
    assert type(info.value) is httpcore.ConnectError
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


async def test_async_tls_to_a_plain_http_server(server, client_tls_context):
    with pytest.raises(httpcore.TLSError) as info:
        await async_connect(server, ssl_context=client_tls_context, server_hostname=server.host)
    assert not isinstance(info.value, httpcore.CertificateError)
    assert isinstance(info.value.__cause__, ssl.SSLError)


def test_sync_tls_to_a_plain_http_server(server, client_tls_context):
    with pytest.raises(httpcore.TLSError) as info:
        sync_connect(server, ssl_context=client_tls_context, server_hostname=server.host)
    assert not isinstance(info.value, httpcore.CertificateError)
    assert isinstance(info.value.__cause__, ssl.SSLError)


def reset_after_client_hello(conn: RawConnection) -> None:
    conn.sock.recv(1, socket.MSG_PEEK)
    conn.reset()


async def test_async_reset_during_the_tls_handshake(raw_server, client_tls_context):
    peer = raw_server(reset_after_client_hello)
    with pytest.raises(httpcore.ConnectError) as info:
        await async_connect(peer, ssl_context=client_tls_context, server_hostname=peer.host)
    assert isinstance(info.value.__cause__, ConnectionResetError)


def test_sync_reset_during_the_tls_handshake(raw_server, client_tls_context):
    peer = raw_server(reset_after_client_hello)
    with pytest.raises(httpcore.ConnectError) as info:
        sync_connect(peer, ssl_context=client_tls_context, server_hostname=peer.host)
    assert isinstance(info.value.__cause__, ConnectionResetError)


async def test_async_tls_handshake_timeout(raw_server, client_tls_context):
    peer = raw_server(wait_for_close)
    with pytest.raises(httpcore.ConnectTimeout):
        await AsyncBackend().connect_tcp(
            peer.host,
            peer.port,
            timeout=0.1,
            ssl_context=client_tls_context,
            server_hostname=peer.host,
        )


def test_sync_tls_handshake_timeout(raw_server, client_tls_context):
    peer = raw_server(wait_for_close)
    with pytest.raises(httpcore.ConnectTimeout, match="TLS handshake"):
        SyncBackend().connect_tcp(
            peer.host,
            peer.port,
            timeout=0.1,
            ssl_context=client_tls_context,
            server_hostname=peer.host,
        )


async def test_async_connect_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    with pytest.raises(httpcore.ConnectTimeout, match=f"{host}:{port}"):
        await AsyncBackend().connect_tcp(host, port, timeout=0.1)


def test_sync_connect_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    with pytest.raises(httpcore.ConnectTimeout, match=f"{host}:{port}"):
        SyncBackend().connect_tcp(host, port, timeout=0.1)


def test_sync_connect_tries_each_address_within_one_timeout(raw_server, monkeypatch):
    # As socket.create_connection: a refused address is skipped for the next one.
    peer = raw_server(wait_for_close)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = closed.getsockname()
    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        good = real(peer.host, peer.port, *args, **kwargs)[0]
        return [(*good[:4], refused), good]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    stream = SyncBackend().connect_tcp("example.test", 80, timeout=5.0)
    assert stream.get_extra_info("peername") == (peer.host, peer.port)
    stream.close()


def test_sync_connect_timeout_bounds_the_tls_handshake_too(raw_server, monkeypatch):
    # A connect that used up the time there was leaves none for the handshake.
    peer = raw_server(wait_for_close)
    connected = socket.create_connection((peer.host, peer.port), timeout=5)
    monkeypatch.setattr("httpcore._backends.sync._connect_any", lambda *args: connected)
    context = ssl.create_default_context()
    with pytest.raises(httpcore.ConnectTimeout, match="TLS handshake"):
        SyncBackend().connect_tcp(
            peer.host, peer.port, timeout=0, ssl_context=context, server_hostname=peer.host
        )
    assert connected.fileno() == -1


@pytest.fixture
def stuck_resolver(monkeypatch):
    """Name resolution of `stuck.test` hangs (until the test ends); other names resolve."""
    release = threading.Event()
    real = socket.getaddrinfo

    def lookup(host, port, *args, **kwargs):
        if host == "stuck.test" and not kwargs.get("flags"):
            release.wait(10)
            raise socket.gaierror(socket.EAI_NONAME, "no answer")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield
    release.set()


@pytest.mark.usefixtures("stuck_resolver")
def test_sync_name_resolution_is_bounded():
    started = time.monotonic()
    with pytest.raises(httpcore.ConnectTimeout, match=r"stuck\.test:80"):
        SyncBackend().connect_tcp("stuck.test", 80, timeout=0.2)
    with pytest.raises(httpcore.ConnectTimeout, match=r"timed out resolving stuck\.test"):
        SyncBackend().resolve_all("stuck.test", 80, timeout=0.2)
    timeouts = httpcore.TimeoutConfig(5.0, total_timeout=0.2)
    with (
        httpcore.SyncConnectionPool(timeout=timeouts) as http,
        pytest.raises(httpcore.TotalTimeout),
    ):
        http.request("GET", "http://stuck.test/")
    assert time.monotonic() - started < 5


@pytest.mark.usefixtures("stuck_resolver")
def test_sync_name_resolution_with_and_without_a_timeout():
    # In a resolver thread with a timeout, directly without one; numbers skip the resolver.
    backend = SyncBackend()
    assert "127.0.0.1" in backend.resolve_all("localhost", 80, timeout=5.0)
    assert "127.0.0.1" in backend.resolve_all("localhost", 80, timeout=None)
    assert backend.resolve_all("127.0.0.1", 80, timeout=5.0) == ["127.0.0.1"]


async def test_async_untrusted_certificate(https_server):
    context = httpcore.SSLConfig().load_ssl_context()
    with pytest.raises(httpcore.CertificateError, match="certificate"):
        await async_connect(https_server, ssl_context=context, server_hostname=https_server.host)


def test_sync_untrusted_certificate(https_server):
    context = httpcore.SSLConfig().load_ssl_context()
    with pytest.raises(httpcore.CertificateError, match="certificate"):
        sync_connect(https_server, ssl_context=context, server_hostname=https_server.host)


async def test_async_zero_connect_timeout_is_a_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    with pytest.raises(httpcore.ConnectTimeout):
        await AsyncBackend().connect_tcp(host, port, timeout=0)


def test_sync_zero_connect_timeout_is_a_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    with pytest.raises(httpcore.ConnectTimeout):
        SyncBackend().connect_tcp(host, port, timeout=0)


# Stream information -----------------------------------------------------------------------


async def test_async_plain_stream_info(raw_server):
    peer = raw_server(wait_for_close)
    stream = await async_connect(peer)
    try:
        assert stream.alpn_protocol() is None
        assert stream.get_extra_info("ssl_object") is None
        assert stream.get_extra_info("peername") == (peer.host, peer.port)
        assert stream.get_extra_info("socket").fileno() >= 0
    finally:
        stream.close()


def test_sync_plain_stream_info(raw_server):
    peer = raw_server(wait_for_close)
    stream = sync_connect(peer)
    try:
        assert stream.alpn_protocol() is None
        assert stream.get_extra_info("ssl_object") is None
        assert stream.get_extra_info("peername") == (peer.host, peer.port)
        assert stream.get_extra_info("socket").fileno() >= 0
        assert stream.get_extra_info("no such thing") is None
    finally:
        stream.close()


async def test_async_tls_stream_info(raw_server, server_tls_context, client_tls_context):
    peer = raw_server(tls_peer(server_tls_context, lambda tls: None))
    stream = await async_connect(peer, ssl_context=client_tls_context, server_hostname=peer.host)
    try:
        assert stream.alpn_protocol() == "http/1.1"
        assert stream.get_extra_info("ssl_object").version() in ("TLSv1.2", "TLSv1.3")
        assert stream.get_extra_info("peername") == (peer.host, peer.port)
    finally:
        stream.close()


def test_sync_tls_stream_info(raw_server, server_tls_context, client_tls_context):
    peer = raw_server(tls_peer(server_tls_context, lambda tls: None))
    stream = sync_connect(peer, ssl_context=client_tls_context, server_hostname=peer.host)
    try:
        assert stream.alpn_protocol() == "http/1.1"
        assert stream.get_extra_info("ssl_object").version() in ("TLSv1.2", "TLSv1.3")
        assert stream.get_extra_info("socket") is stream.get_extra_info("ssl_object")
    finally:
        stream.close()


# Reading ----------------------------------------------------------------------------------


def send_then_close(data: bytes):
    def handler(conn: RawConnection) -> None:
        conn.send(data)
        conn.close()

    return handler


async def test_async_read_until_eof(raw_server):
    stream = await async_connect(raw_server(send_then_close(b"hello")))
    try:
        received = b""
        while chunk := await stream.read(2, TIMEOUT):
            assert len(chunk) <= 2
            received += chunk
        assert received == b"hello"
        # End of stream is sticky.
        assert await stream.read(10, TIMEOUT) == b""
        assert await stream.read(10, None) == b""
    finally:
        stream.close()


def test_sync_read_until_eof(raw_server):
    stream = sync_connect(raw_server(send_then_close(b"hello")))
    try:
        received = b""
        while chunk := stream.read(2, TIMEOUT):
            assert len(chunk) <= 2
            received += chunk
        assert received == b"hello"
        assert stream.read(10, TIMEOUT) == b""
    finally:
        stream.close()


async def test_async_read_without_timeout_waits_for_data(raw_server):
    go = threading.Event()

    def send_when_told(conn: RawConnection) -> None:
        if go.wait(TIMEOUT):
            conn.send(b"late")
        conn.wait_closed(TIMEOUT)

    stream = await async_connect(raw_server(send_when_told))
    try:
        reading = asyncio.ensure_future(stream.read(100, None))
        await asyncio.sleep(0)
        assert not reading.done()
        go.set()
        assert await reading == b"late"
    finally:
        stream.close()


def reset_when_told(go: threading.Event):
    def handler(conn: RawConnection) -> None:
        if go.wait(TIMEOUT):
            conn.reset()

    return handler


async def test_async_peer_reset_is_a_read_error(raw_server):
    go = threading.Event()
    stream = await async_connect(raw_server(reset_when_told(go)))
    try:
        go.set()
        with pytest.raises(httpcore.ReadError) as info:
            await stream.read(100, TIMEOUT)
        assert isinstance(info.value.__cause__, ConnectionResetError)
        # The error is remembered: every later read reports it too.
        with pytest.raises(httpcore.ReadError):
            await stream.read(100, TIMEOUT)
        with pytest.raises(httpcore.WriteError):
            await stream.write(b"too late", TIMEOUT)
    finally:
        stream.close()


def test_sync_peer_reset_is_a_read_error(raw_server):
    go = threading.Event()
    stream = sync_connect(raw_server(reset_when_told(go)))
    try:
        go.set()
        with pytest.raises(httpcore.ReadError) as info:
            stream.read(100, TIMEOUT)
        assert isinstance(info.value.__cause__, ConnectionResetError)
        with pytest.raises(httpcore.WriteError) as write_info:
            stream.write(b"too late", TIMEOUT)
        assert isinstance(write_info.value.__cause__, OSError)
    finally:
        stream.close()


async def test_async_read_timeout(raw_server):
    stream = await async_connect(raw_server(wait_for_close))
    try:
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, 0.05)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, 0)
    finally:
        stream.close()


def test_sync_read_timeout(raw_server):
    stream = sync_connect(raw_server(wait_for_close))
    try:
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(100, 0.05)
    finally:
        stream.close()


def test_sync_zero_read_timeout_is_a_timeout(raw_server):
    stream = sync_connect(raw_server(wait_for_close))
    try:
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(100, 0)
    finally:
        stream.close()


def send_when_told(go: threading.Event, data: bytes):
    def handler(conn: RawConnection) -> None:
        if go.wait(TIMEOUT):
            conn.send(data)
        conn.wait_closed(TIMEOUT)

    return handler


async def test_async_zero_timeout_read_takes_data_already_received(raw_server):
    go = threading.Event()
    stream = await async_connect(raw_server(send_when_told(go, b"ready")))
    try:
        go.set()
        # Block the loop until the kernel holds the data: the read must then find it,
        # although its zero timeout expires in the same loop iteration.
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], TIMEOUT)
        assert readable
        assert await stream.read(100, 0) == b"ready"
    finally:
        stream.close()


def test_sync_zero_timeout_read_takes_data_already_received(raw_server):
    go = threading.Event()
    stream = sync_connect(raw_server(send_when_told(go, b"ready")))
    try:
        go.set()
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], TIMEOUT)
        assert readable
        assert stream.read(100, 0) == b"ready"
    finally:
        stream.close()


async def test_async_close_while_reading(raw_server):
    stream = await async_connect(raw_server(wait_for_close))
    reading = asyncio.ensure_future(stream.read(100, TIMEOUT))
    await asyncio.sleep(0)
    stream.close()
    with pytest.raises(httpcore.ReadError, match="closed while reading"):
        await reading


async def test_async_reading_pauses_while_the_consumer_lags(raw_server):
    size = 4 * _HIGH_WATER
    body = bytes(range(256)) * (size // 256)

    def send_body(conn: RawConnection) -> None:
        conn.send(body)
        conn.close()

    stream = await async_connect(raw_server(send_body))
    protocol = stream._protocol
    try:
        # Let the loop run without consuming until the buffer passes the high-water mark.
        for _ in range(100_000):
            if protocol._paused_reading:
                break
            await asyncio.sleep(0)
        assert protocol._paused_reading
        assert _HIGH_WATER < protocol._buffered < size
        received = bytearray()
        while chunk := await stream.read(65536, TIMEOUT):
            received += chunk
        assert not protocol._paused_reading
        assert received == body
    finally:
        stream.close()


# Writing ----------------------------------------------------------------------------------


def read_all(received: list[bytes]):
    def handler(conn: RawConnection) -> None:
        while data := conn.sock.recv(65536):
            received.append(data)

    return handler


async def test_async_write(raw_server):
    received: list[bytes] = []
    peer = raw_server(read_all(received))
    stream = await async_connect(peer)
    await stream.write(b"", TIMEOUT)
    await stream.write(b"hello ", TIMEOUT)
    await stream.write(b"world", None)
    # Larger than the transport's buffer limit: the write waits for the peer to drain it.
    await stream.write(b"." * BIG, TIMEOUT)
    stream.close()
    # The transport closes its socket on the loop's next iteration.
    await AsyncBackend().checkpoint()
    peer.join()
    assert b"".join(received) == b"hello world" + b"." * BIG


def test_sync_write(raw_server):
    received: list[bytes] = []
    peer = raw_server(read_all(received))
    stream = sync_connect(peer)
    stream.write(b"", TIMEOUT)
    stream.write(b"hello ", TIMEOUT)
    stream.write(b"world", None)
    # Sent piece by piece, so that the timeout bounds each wait for progress.
    stream.write(b"." * BIG, TIMEOUT)
    stream.close()
    peer.join()
    assert b"".join(received) == b"hello world" + b"." * BIG


async def test_async_read_and_write_after_close(raw_server):
    stream = await async_connect(raw_server(wait_for_close))
    stream.close()
    with pytest.raises(httpcore.ReadError, match="closed"):
        await stream.read(100, TIMEOUT)
    with pytest.raises(httpcore.WriteError, match="closed"):
        await stream.write(b"data", TIMEOUT)
    # An empty write has nothing to send, so it cannot fail.
    await stream.write(b"", TIMEOUT)


def test_sync_read_and_write_after_close(raw_server):
    stream = sync_connect(raw_server(wait_for_close))
    stream.close()
    stream.close()
    with pytest.raises(httpcore.ReadError, match="closed"):
        stream.read(100, TIMEOUT)
    with pytest.raises(httpcore.WriteError, match="closed"):
        stream.write(b"data", TIMEOUT)
    stream.write(b"", TIMEOUT)


def never_read(done: threading.Event):
    def handler(conn: RawConnection) -> None:
        done.wait(TIMEOUT)

    return handler


async def test_async_write_timeout(raw_server):
    done = threading.Event()
    stream = await async_connect(raw_server(never_read(done)))
    try:
        with pytest.raises(httpcore.WriteTimeout):
            await stream.write(b"x" * BIG, 0.1)
    finally:
        done.set()
        stream.close()


def test_sync_write_timeout(raw_server):
    done = threading.Event()
    stream = sync_connect(raw_server(never_read(done)))
    try:
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x" * BIG, 0.1)
    finally:
        done.set()
        stream.close()


async def test_async_data_queued_before_a_write_timeout_is_still_sent(raw_server):
    go = threading.Event()
    received = bytearray()
    size = 16 * 1024 * 1024

    def read_when_told(conn: RawConnection) -> None:
        if not go.wait(TIMEOUT):
            return
        while len(received) < size:
            received.extend(conn.sock.recv(1024 * 1024))
        conn.send(b"drained")
        received.extend(conn.sock.recv(100))
        conn.close()

    stream = await async_connect(raw_server(read_when_told))
    try:
        with pytest.raises(httpcore.WriteTimeout):
            await stream.write(b"x" * size, 0.05)
        go.set()
        assert await stream.read(100, TIMEOUT) == b"drained"
        # The transport has flushed its buffer, so this write does not wait.
        await stream.write(b"!", 0)
        assert await stream.read(100, TIMEOUT) == b""
        assert len(received) == size + 1
        assert received[-2:] == b"x!"
    finally:
        stream.close()


async def test_async_connection_lost_while_a_write_waits(raw_server):
    def reset_once_data_arrives(conn: RawConnection) -> None:
        conn.sock.recv(1, socket.MSG_PEEK)
        conn.reset()

    stream = await async_connect(raw_server(reset_once_data_arrives))
    try:
        with pytest.raises(httpcore.WriteError, match="lost while writing"):
            await stream.write(b"x" * BIG, TIMEOUT)
    finally:
        stream.close()


# Staleness --------------------------------------------------------------------------------


async def test_async_is_readable(raw_server):
    go = threading.Event()
    stream = await async_connect(raw_server(send_when_told(go, b"unsolicited")))
    try:
        assert not stream.is_readable()
        go.set()
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], TIMEOUT)
        # Data the loop has not read yet is seen through the kernel...
        assert readable
        assert stream.is_readable()
        # ...and once read into the buffer, through the buffer.
        assert await stream.read(3, TIMEOUT) == b"uns"
        assert stream.is_readable()
    finally:
        stream.close()
    assert stream.is_readable()


async def test_async_eof_is_readable(raw_server):
    stream = await async_connect(raw_server(send_then_close(b"")))
    try:
        assert await stream.read(10, TIMEOUT) == b""
        assert stream.is_readable()
    finally:
        stream.close()


def test_sync_is_readable(raw_server):
    go = threading.Event()
    stream = sync_connect(raw_server(send_when_told(go, b"unsolicited")))
    try:
        assert not stream.is_readable()
        go.set()
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], TIMEOUT)
        assert readable
        assert stream.is_readable()
    finally:
        stream.close()
    assert stream.is_readable()


def test_sync_eof_is_readable(raw_server):
    stream = sync_connect(raw_server(send_then_close(b"")))
    try:
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], TIMEOUT)
        assert readable
        assert stream.is_readable()
        assert stream.read(10, TIMEOUT) == b""
    finally:
        stream.close()


def test_sync_is_readable_sees_data_buffered_by_tls(
    raw_server, server_tls_context, client_tls_context
):
    peer = raw_server(tls_peer(server_tls_context, lambda tls: tls.sendall(b"0123456789" * 10)))
    stream = sync_connect(peer, ssl_context=client_tls_context, server_hostname=peer.host)
    try:
        assert stream.read(10, TIMEOUT) == b"0123456789"
        # The rest of the TLS record is decrypted already: the kernel has nothing left.
        readable, _, _ = select.select([stream.get_extra_info("socket")], [], [], 0)
        assert not readable
        assert stream.is_readable()
        assert stream.read(1000, TIMEOUT) == b"0123456789" * 9
        assert not stream.is_readable()
    finally:
        stream.close()


# Events and primitives --------------------------------------------------------------------


async def test_async_event():
    event = AsyncEvent()
    assert not event.is_set()
    assert await event.wait(0.01) is False
    waiting = asyncio.ensure_future(event.wait(None))
    await asyncio.sleep(0)
    assert not waiting.done()
    event.set()
    assert await waiting is True
    assert event.is_set()
    event.set()  # setting twice is harmless
    assert await event.wait(0) is True
    assert await event.wait(None) is True


async def test_async_event_set_during_a_timed_wait():
    event = AsyncEvent()
    waiting = asyncio.ensure_future(event.wait(TIMEOUT))
    await asyncio.sleep(0)
    event.set()
    assert await waiting is True


def test_sync_event():
    event = SyncEvent()
    assert not event.is_set()
    assert event.wait(0.01) is False
    setter = threading.Timer(0.01, event.set)
    setter.start()
    assert event.wait(None) is True
    setter.join()
    assert event.is_set()
    assert event.wait(0) is True


async def test_async_backend_primitives():
    backend = AsyncBackend()
    lock = backend.create_lock()
    # One event loop runs the pool's bookkeeping: the lock is free to re-enter.
    with lock, lock:
        pass
    assert isinstance(backend.create_event(), AsyncEvent)
    first = backend.monotonic()
    await backend.checkpoint()
    assert backend.monotonic() >= first


def test_sync_backend_primitives():
    backend = SyncBackend()
    lock = backend.create_lock()
    with lock:
        assert not lock.acquire(blocking=False)
    assert isinstance(backend.create_event(), SyncEvent)
    first = backend.monotonic()
    backend.checkpoint()
    assert backend.monotonic() >= first
