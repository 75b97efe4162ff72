"""Proxies that misbehave, scripted byte by byte: a clear error, no hang, no leaked connection."""

from __future__ import annotations

import pytest

import httpcore


def answer_connect(*messages, close=True):
    """A raw-server handler that reads the CONNECT request, then sends `messages`."""

    def handler(conn):
        conn.read_request()
        for message in messages:
            conn.send(message)
        if close:
            conn.close()
        else:
            conn.wait_closed(10)

    return handler


async def tunnel(raw_server, handler, *, timeout=5.0, limits=None):
    server = raw_server(handler)
    async with httpcore.ConnectionPool(
        proxy=server.url,
        timeout=timeout,
        protocol_limits=limits or httpcore.ProtocolLimits(),
        ssl=httpcore.SSLConfig(verify=False),
    ) as http:
        try:
            return await http.request("GET", "https://origin.test:8443/")
        finally:
            assert http.num_active_connections == 0


async def test_connect_request_and_502(raw_server):
    server = raw_server(answer_connect(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad"))
    proxy = httpcore.Proxy(server.url, auth=("user", "pass"), headers=[("X-Trace", "1")])
    async with httpcore.ConnectionPool(proxy=proxy) as http:
        with pytest.raises(httpcore.ProxyError) as caught:
            await http.request("GET", "https://[::1]:8443/")
    assert (caught.value.status_code, caught.value.reason) == (502, "Bad Gateway")
    (request,) = server.accepted[0].requests
    assert request == (
        b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
        b"Proxy-Authorization: Basic dXNlcjpwYXNz\r\nX-Trace: 1\r\n\r\n"
    )


@pytest.mark.parametrize(
    "message",
    [b"", b"HTTP/1.1 200 Conn", b"garbage\r\n\r\n", b"SSH-2.0-OpenSSH\r\n\r\n"],
)
async def test_closed_or_garbage_answer(raw_server, message):
    with pytest.raises(httpcore.ProxyError, match="invalid answer to CONNECT"):
        await tunnel(raw_server, answer_connect(message))


async def test_answer_without_reason_phrase(raw_server):
    with pytest.raises(httpcore.ProxyError) as caught:
        await tunnel(raw_server, answer_connect(b"HTTP/1.1 403\r\n\r\n"))
    assert (caught.value.status_code, caught.value.reason) == (403, "")


async def test_bytes_after_the_connect_answer(raw_server):
    message = b"HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
    with pytest.raises(httpcore.ProxyError, match="before it was used"):
        await tunnel(raw_server, answer_connect(message))


async def test_connect_answer_head_is_bounded(raw_server):
    message = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n"
    limits = httpcore.ProtocolLimits(max_header_bytes=1024)
    with pytest.raises(httpcore.LimitExceeded, match="max_header_bytes=1024"):
        await tunnel(raw_server, answer_connect(message), limits=limits)


async def test_informational_answers_before_the_tunnel(raw_server):
    # After the 100 the tunnel opens; the TLS handshake then meets a closed connection.
    message = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
    with pytest.raises(httpcore.ConnectError):
        await tunnel(raw_server, answer_connect(message))


async def test_endless_informational_answers(raw_server):
    with pytest.raises(httpcore.LimitExceeded, match="max_informational_responses"):
        await tunnel(raw_server, answer_connect(b"HTTP/1.1 100 Continue\r\n\r\n" * 40))


async def test_proxy_that_never_answers_connect(raw_server):
    with pytest.raises(httpcore.ConnectTimeout, match="handshake with the proxy"):
        await tunnel(raw_server, answer_connect(close=False), timeout=0.2)


async def test_tls_handshake_timeout_inside_the_tunnel(raw_server):
    handler = answer_connect(b"HTTP/1.1 200 OK\r\n\r\n", close=False)
    with pytest.raises(httpcore.ConnectTimeout, match="TLS handshake"):
        await tunnel(raw_server, handler, timeout=0.2)


def socks_server(*replies, record=None):
    """A raw-server handler playing a SOCKS5 proxy: reads each message, sends each reply.

    A reply of None closes the connection instead.
    """

    def handler(conn):
        for reply in replies:
            data = conn.sock.recv(1024)
            if record is not None:
                record.append(data)
            if reply is None:
                conn.close()
                return
            conn.send(reply)
        conn.wait_closed(10)

    return handler


async def socks(raw_server, handler, url="http://localhost:8080/", scheme="socks5", timeout=5.0):
    server = raw_server(handler)
    proxy = f"{scheme}://127.0.0.1:{server.port}"
    async with httpcore.ConnectionPool(proxy=proxy, timeout=timeout) as http:
        try:
            return await http.request("GET", url)
        finally:
            assert http.num_active_connections == 0


@pytest.mark.parametrize(
    ("scheme", "address"),
    [("socks5", b"\x01\x7f\x00\x00\x01"), ("socks5h", b"\x03\x09localhost")],
)
async def test_socks5_name_resolution(raw_server, scheme, address):
    record: list[bytes] = []
    handler = socks_server(b"\x05\x00", b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", record=record)
    with pytest.raises(httpcore.ProxyError, match="connection refused"):
        await socks(raw_server, handler, scheme=scheme)
    assert record == [b"\x05\x01\x00", b"\x05\x01\x00" + address + b"\x1f\x90"]


async def test_socks5_proxy_closes_in_the_handshake(raw_server):
    with pytest.raises(httpcore.ProxyError, match="closed the connection"):
        await socks(raw_server, socks_server(None))


async def test_socks5_proxy_never_answers(raw_server):
    with pytest.raises(httpcore.ConnectTimeout):
        await socks(raw_server, socks_server(), timeout=0.2)
