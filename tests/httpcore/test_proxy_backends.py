"""The backends' proxy support: TLS over an open stream (TLS inside TLS too), name lookups."""

from __future__ import annotations

import asyncio
import socket
import ssl

import pytest

import httpcore
from httpcore._backends import asyncio as asyncio_backend
from httpcore._backends import sync as sync_backend
from httpcore._backends.asyncio import AsyncBackend
from httpcore._backends.sync import SyncBackend
from httpcore._proxy import connect_head


def tunnel(squid, target_port, ca_file):
    """A sync stream to squid's TLS port, with a CONNECT tunnel to 127.0.0.1:target_port."""
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    stream = SyncBackend().connect_tcp(
        "127.0.0.1", squid.ports["tls"], timeout=5, ssl_context=context, server_hostname="127.0.0.1"
    )
    proxy = httpcore.Proxy(squid.url("tls", credentials=True))
    stream.write(connect_head(httpcore.Origin("https", "127.0.0.1", target_port), proxy), 5)
    answer = stream.read(4096, 5)
    if not answer.startswith(b"HTTP/1.1 200"):
        stream.close()
        raise AssertionError(answer)
    return stream


def test_tls_in_tls_stream(squid, recording_https_server, ca_file):
    outer = tunnel(squid, recording_https_server.port, ca_file)
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    stream = outer.start_tls(context, "127.0.0.1", 5)
    assert stream.alpn_protocol() is None  # uvicorn takes part in no ALPN negotiation
    assert isinstance(stream.get_extra_info("ssl_object"), ssl.SSLObject)
    assert stream.get_extra_info("peername")[0] == "127.0.0.1"
    stream.write(b"", 5)
    stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5)
    received = b""
    while not received.endswith(b"Hello, world"):
        received += stream.read(4096, 5)
    # Idle, with nothing pending inside or outside: fit for reuse.
    assert not stream.is_readable()
    # Garbage where a TLS record should be is a read error, not a crash.
    stream._incoming.write(b"\x17\x03\x03\x00\x05hello")
    assert stream.is_readable()
    with pytest.raises(httpcore.ReadError):
        stream.read(4096, 5)
    stream.close()
    assert stream.is_readable()
    with pytest.raises(httpcore.ReadError):
        stream.read(10, 5)
    with pytest.raises(httpcore.WriteError):
        stream.write(b"x", 5)


def test_tls_in_tls_write_error(squid, recording_https_server, ca_file):
    outer = tunnel(squid, recording_https_server.port, ca_file)
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    stream = outer.start_tls(context, "127.0.0.1", 5)

    class Broken:
        def write(self, data):
            raise ssl.SSLError("broken")

    stream._tls = Broken()
    with pytest.raises(httpcore.WriteError, match="broken"):
        stream.write(b"x", 5)
    stream.close()


def test_tls_in_tls_handshake_meets_a_closed_tunnel(squid, raw_server, ca_file):
    server = raw_server(lambda conn: conn.close())
    outer = tunnel(squid, server.port, ca_file)
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    with pytest.raises(httpcore.ConnectError):
        outer.start_tls(context, "127.0.0.1", 5)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [(OSError("reset"), httpcore.ConnectError), (httpcore.ReadError("x"), httpcore.ConnectError)],
)
def test_sync_tls_errors_map_network_failures(raised, expected):
    closed = []

    class Stream:
        def close(self):
            closed.append(True)

    with pytest.raises(expected), sync_backend._tls_errors(Stream(), "example.test"):
        raise raised
    with pytest.raises(KeyError), sync_backend._tls_errors(Stream(), "example.test"):
        raise KeyError("other")
    assert closed == [True, True]


def test_async_tls_errors_leave_other_exceptions_alone():
    assert asyncio_backend._raise_tls_error(KeyError("x"), "example.test") is None


async def test_async_start_tls_passes_other_exceptions_on(server, monkeypatch):
    stream = await AsyncBackend().connect_tcp(server.host, server.port, timeout=5)

    async def fail(*args, **kwargs):
        raise RuntimeError("no TLS today")

    monkeypatch.setattr(stream._loop, "start_tls", fail)
    with pytest.raises(RuntimeError, match="no TLS today"):
        await stream.start_tls(ssl.create_default_context(), "localhost", 5)
    assert stream._closed


async def test_async_resolve(monkeypatch):
    backend = AsyncBackend()
    assert await backend.resolve("127.0.0.1", 80, timeout=5) == "127.0.0.1"
    loop = asyncio.get_running_loop()

    async def hang(*args, **kwargs):
        await asyncio.Event().wait()

    monkeypatch.setattr(loop, "getaddrinfo", hang)
    with pytest.raises(httpcore.ConnectTimeout, match="resolving"):
        await backend.resolve("name.test", 80, timeout=0.01)

    async def fail(*args, **kwargs):
        raise socket.gaierror("no such name")

    monkeypatch.setattr(loop, "getaddrinfo", fail)
    with pytest.raises(httpcore.ConnectError, match="no such name"):
        await backend.resolve("name.test", 80, timeout=5)


def test_sync_resolve(monkeypatch):
    backend = SyncBackend()
    assert backend.resolve("::1", 80, timeout=5) == "::1"

    def fail(*args, **kwargs):
        raise socket.gaierror("no such name")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(httpcore.ConnectError, match="no such name"):
        backend.resolve("name.test", 80, timeout=5)


def test_tls_in_tls_end_of_stream(squid, recording_https_server, ca_file):
    outer = tunnel(squid, recording_https_server.port, ca_file)
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    stream = outer.start_tls(context, "127.0.0.1", 5)
    stream.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5)
    received = b""
    while chunk := stream.read(4096, 5):
        received += chunk
    assert received.endswith(b"Hello, world")
    assert stream.read(4096, 5) == b""
    stream.close()


def test_tls_in_tls_end_without_close_notify(squid, recording_https_server, ca_file):
    outer = tunnel(squid, recording_https_server.port, ca_file)
    context = httpcore.SSLConfig(verify=ca_file).load_ssl_context()
    stream = outer.start_tls(context, "127.0.0.1", 5)
    stream._incoming.write_eof()
    assert stream.read(4096, 5) == b""
    stream.close()
