"""Trace hooks: the events of each stage of a request, over HTTP/1.1, HTTP/2, TLS and proxies."""

from __future__ import annotations

import logging

import pytest

import httpcore
from httpcore._backends.asyncio import AsyncBackend
from tests.servers.proxies import PASSWORD, USERNAME

from .test_bad_responses import replies
from .test_pooling import ClockBackend

NEW_CONNECTION = [
    "connection.dns.started",
    "connection.dns.complete",
    "connection.tcp.started",
    "connection.tcp.complete",
]
EXCHANGE = [
    "request.headers.sent",
    "request.body.sent",
    "response.headers.received",
    "response.body.complete",
    "connection.released",
]
TLS = ["connection.tls.started", "connection.tls.complete"]


class Recorder:
    """A trace hook keeping every event; async, so its twin is a plain function."""

    def __init__(self, fail_at=None):
        self.events = []
        self.fail_at = fail_at

    async def __call__(self, event):
        self.events.append(event)
        if event.name == self.fail_at:
            raise HookError(event.name)

    @property
    def names(self):
        return [event.name for event in self.events]

    def info(self, name):
        return next(event.info for event in self.events if event.name == name)

    def clear(self):
        self.events.clear()


class HookError(Exception):
    """What a faulty hook raises."""


class TwoAddressBackend(AsyncBackend):
    """Resolves every name to ::1 (where nothing listens) and then 127.0.0.1."""

    def __init__(self, addresses=("::1", "127.0.0.1")):
        self.addresses = list(addresses)

    async def resolve_all(self, host, port, *, timeout):
        return self.addresses


@pytest.fixture
def ssl_config(ca_file):
    return httpcore.SSLConfig(verify=ca_file)


async def test_new_then_reused_http11_connection(server):
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        response = await http.request("GET", server.url + "/")
        assert response.body == b"Hello, world"
        assert hook.names == NEW_CONNECTION + EXCHANGE
        assert hook.info("connection.dns.complete")["addresses"] == ["127.0.0.1"]
        assert hook.info("connection.tcp.complete") == {"address": "127.0.0.1", "port": server.port}
        assert hook.info("request.headers.sent") == {"http_version": "HTTP/1.1"}
        received = hook.info("response.headers.received")
        assert received == {"status_code": 200, "http_version": "HTTP/1.1"}
        stamps = [event.timestamp for event in hook.events]
        assert stamps == sorted(stamps)
        assert all(event.request.url == httpcore.URL(server.url + "/") for event in hook.events)
        hook.clear()
        await http.request("GET", server.url + "/")
        assert hook.names == ["connection.reused", *EXCHANGE]
        origin = httpcore.Origin("http", "127.0.0.1", server.port)
        assert hook.info("connection.reused") == {"origin": origin, "http_version": "HTTP/1.1"}


async def test_event_is_frozen(server):
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        await http.request("GET", server.url + "/")
    with pytest.raises(AttributeError):
        hook.events[0].name = "changed"


async def test_http2_over_tls(h2_server, ssl_config):
    hook = Recorder()
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True, trace=hook) as http:
        await http.request("POST", h2_server.url + "/echo_body", body=b"data")
        assert hook.names == NEW_CONNECTION + TLS + EXCHANGE
        assert hook.info("connection.tls.started") == {"server_hostname": "127.0.0.1"}
        tls = hook.info("connection.tls.complete")
        assert tls["alpn"] == "h2"
        assert tls["tls_version"].startswith("TLSv1.")
        assert hook.info("request.headers.sent") == {"http_version": "HTTP/2"}
        received = hook.info("response.headers.received")
        assert received == {"status_code": 200, "http_version": "HTTP/2"}
        hook.clear()
        await http.request("GET", h2_server.url + "/")
        assert hook.names == ["connection.reused", *EXCHANGE]
        assert hook.info("connection.reused")["http_version"] == "HTTP/2"


async def test_http11_over_tls(https_server, ssl_config):
    hook = Recorder()
    async with httpcore.ConnectionPool(ssl=ssl_config, trace=hook) as http:
        await http.request("GET", https_server.localhost_url + "/")
    assert hook.names == NEW_CONNECTION + TLS + EXCHANGE
    assert hook.info("connection.dns.started")["host"] == "localhost"
    assert "127.0.0.1" in hook.info("connection.dns.complete")["addresses"]
    assert hook.info("connection.tls.started") == {"server_hostname": "localhost"}
    assert hook.info("connection.tls.complete")["tls_version"].startswith("TLSv1.")


async def test_the_request_hook_replaces_the_pool_hook(server):
    pool_hook, request_hook = Recorder(), Recorder()
    async with httpcore.ConnectionPool(trace=pool_hook) as http:
        await http.request("GET", server.url + "/", trace=request_hook)
    assert pool_hook.names == []
    assert request_hook.names == NEW_CONNECTION + EXCHANGE


async def test_other_addresses_are_tried(server):
    hook = Recorder()
    backend = TwoAddressBackend()
    async with httpcore.ConnectionPool(trace=hook, backend=backend) as http:
        response = await http.request("GET", f"http://localhost:{server.port}/")
    assert response.status_code == 200
    assert hook.names.count("connection.tcp.started") == 2
    assert hook.info("connection.tcp.complete")["address"] == "127.0.0.1"


async def test_the_last_connect_error_is_raised(server):
    hook = Recorder()
    backend = TwoAddressBackend(["::1"])
    async with httpcore.ConnectionPool(trace=hook, backend=backend) as http:
        with pytest.raises(httpcore.ConnectError):
            await http.request("GET", f"http://localhost:{server.port}/")
        assert http.num_active_connections == 0
    assert hook.names == [*NEW_CONNECTION[:3], "request.failed"]
    assert isinstance(hook.info("request.failed")["error"], httpcore.ConnectError)


async def test_failed_request(raw_server):
    server = raw_server(replies(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        with pytest.raises(httpcore.RemoteProtocolError):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 0
    assert hook.names == NEW_CONNECTION + EXCHANGE[:3] + ["request.failed"]
    assert isinstance(hook.info("request.failed")["error"], httpcore.RemoteProtocolError)


async def test_failure_while_streaming_is_reported_once(raw_server):
    body = b"not gzip at all"
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 15\r\n\r\n"
    server = raw_server(replies(head + body))
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        response = await http.request("GET", server.url + "/", stream=True)
        with pytest.raises(httpcore.DecodingError):
            async for _ in response.stream():
                pass
    assert hook.names == NEW_CONNECTION + EXCHANGE[:3] + ["request.failed"]


async def test_body_read_error_while_streaming_raw(server):
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook, timeout=0.2) as http:
        response = await http.request("GET", server.url + "/hang_body", stream=True)
        with pytest.raises(httpcore.ReadTimeout):
            async for _ in response.stream():
                pass
    assert hook.names == NEW_CONNECTION + EXCHANGE[:3] + ["request.failed"]


async def test_stream_closed_early_is_released_without_body_complete(server):
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        response = await http.request("GET", server.url + "/stream/3", stream=True)
        async for _ in response.raw():
            break
        await response.close()
        streamed = await http.request("GET", server.url + "/bytes/10", stream=True)
        assert len(b"".join([chunk async for chunk in streamed.raw()])) == 10
    assert hook.names == NEW_CONNECTION + EXCHANGE[:3] + ["connection.released"] + (
        NEW_CONNECTION + EXCHANGE
    )


@pytest.mark.parametrize("size", [10, 100_000])
async def test_bodies_given_as_bytes_and_iterators(server, size):
    async def chunks():
        yield b"x" * size

    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        first = await http.request("POST", server.url + "/echo_body", body=b"x" * size)
        second = await http.request("POST", server.url + "/echo_body", body=chunks())
    assert len(first.body) == len(second.body) == size
    assert hook.names == NEW_CONNECTION + EXCHANGE + ["connection.reused", *EXCHANGE]


async def test_streamed_body_over_http2(h2_server, ssl_config):
    async def chunks():
        yield b"abc"

    hook = Recorder()
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True, trace=hook) as http:
        response = await http.request("POST", h2_server.url + "/echo_body", body=chunks())
    assert response.body == b"abc"
    assert hook.names == NEW_CONNECTION + TLS + EXCHANGE


async def test_tunnel_through_squid(squid, https_server, ssl_config):
    hook = Recorder()
    proxy = httpcore.Proxy(squid.url("auth"), auth=(USERNAME, PASSWORD))
    async with httpcore.ConnectionPool(ssl=ssl_config, proxy=proxy, trace=hook) as http:
        response = await http.request("GET", https_server.url + "/")
    assert response.status_code == 200
    proxied = ["connection.proxy.started", "connection.proxy.complete"]
    assert hook.names == NEW_CONNECTION + proxied + TLS + EXCHANGE
    assert hook.info("connection.tcp.complete")["port"] == squid.ports["auth"]
    assert hook.info("connection.proxy.complete") == {"proxy": proxy.url, "mode": "CONNECT"}


async def test_tunnel_through_socks5(socks_proxy, server):
    hook = Recorder()
    async with httpcore.ConnectionPool(proxy=socks_proxy.url(), trace=hook) as http:
        response = await http.request("GET", server.url + "/")
    assert response.status_code == 200
    proxied = ["connection.proxy.started", "connection.proxy.complete"]
    assert hook.names == NEW_CONNECTION + proxied + EXCHANGE
    assert hook.info("connection.proxy.started")["mode"] == "SOCKS5"


async def test_forward_mode_has_no_proxy_stage(squid, server):
    hook = Recorder()
    async with httpcore.ConnectionPool(proxy=squid.url("open"), trace=hook) as http:
        response = await http.request("GET", server.url + "/")
    assert response.status_code == 200
    assert hook.names == NEW_CONNECTION + EXCHANGE


CONNECTION_STAGES = [*NEW_CONNECTION, *TLS, "request.headers.sent", "request.body.sent"]


@pytest.mark.parametrize("http2", [False, True], ids=["http11", "http2"])
@pytest.mark.parametrize("stage", [*CONNECTION_STAGES, "response.headers.received"])
async def test_a_hook_that_raises_stops_the_request(h2_server, ssl_config, stage, http2):
    hook = Recorder(fail_at=stage)
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=http2, trace=hook) as http:
        with pytest.raises(HookError):
            await http.request("GET", h2_server.url + "/")
        assert isinstance(hook.info("request.failed")["error"], HookError)
        assert http.num_active_connections == 0
        hook.fail_at = None
        response = await http.request("GET", h2_server.url + "/")
    assert response.status_code == 200


@pytest.mark.parametrize("stage", ["response.body.complete", "connection.released"])
async def test_a_hook_that_raises_after_the_head(server, stage):
    hook = Recorder(fail_at=stage)
    async with httpcore.ConnectionPool(trace=hook) as http:
        with pytest.raises(HookError):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 0


async def test_a_hook_that_raises_on_reuse(server):
    hook = Recorder(fail_at="connection.reused")
    async with httpcore.ConnectionPool(trace=hook) as http:
        await http.request("GET", server.url + "/")
        with pytest.raises(HookError):
            await http.request("GET", server.url + "/")
        assert http.num_active_connections == 0


async def test_a_hook_that_raises_in_the_proxy_handshake(socks_proxy, server):
    for stage in ["connection.proxy.started", "connection.proxy.complete"]:
        hook = Recorder(fail_at=stage)
        async with httpcore.ConnectionPool(proxy=socks_proxy.url(), trace=hook) as http:
            with pytest.raises(HookError):
                await http.request("GET", server.url + "/")
            assert http.num_active_connections == 0


async def test_tls_failure_is_reported(https_server):
    hook = Recorder()
    async with httpcore.ConnectionPool(trace=hook) as http:
        with pytest.raises(httpcore.CertificateError):
            await http.request("GET", https_server.url + "/")
    assert hook.names == [*NEW_CONNECTION, "connection.tls.started", "request.failed"]


async def test_resolve_all_lists_each_address_once():
    backend = AsyncBackend()
    addresses = await backend.resolve_all("localhost", 80, timeout=5)
    assert "127.0.0.1" in addresses
    assert len(addresses) == len(set(addresses))
    assert await backend.resolve("::1", 80, timeout=5) == "::1"


async def test_untraced_body_failure(server):
    async with httpcore.ConnectionPool(timeout=0.2) as http:
        response = await http.request("GET", server.url + "/hang_body", stream=True)
        with pytest.raises(httpcore.ReadTimeout):
            async for _ in response.raw():
                pass
        assert http.num_active_connections == 0


async def test_expired_connection_found_at_checkout(server):
    backend = ClockBackend()
    hook = Recorder()
    limits = httpcore.PoolLimits(keepalive_expiry=0.5)
    async with httpcore.ConnectionPool(limits=limits, backend=backend, trace=hook) as http:
        await http.request("GET", server.url + "/")
        # Past the expiry, before the next sweep (at most one a second).
        backend.now += 0.6
        hook.clear()
        await http.request("GET", server.url + "/")
    assert hook.names == NEW_CONNECTION + EXCHANGE


async def test_http2_connection_lines(caplog, h2_server, ssl_config):
    caplog.set_level(logging.DEBUG, logger="httpcore")
    async with httpcore.ConnectionPool(ssl=ssl_config, http2=True) as http:
        await http.request("GET", h2_server.url + "/")
    opened = caplog.records[0].getMessage()
    assert opened == f"connection opened: https://127.0.0.1:{h2_server.port} (HTTP/2, TLSv1.3)"
