"""Malformed responses from a raw-socket server: a clear error, no hang, no leaked connection."""

from __future__ import annotations

import gzip

import pytest

import httpcore


def replies(*messages):
    """A raw-server handler that answers each request with the next message, then closes."""

    def handler(conn):
        for message in messages:
            if not conn.read_request():
                return
            conn.send(message)
        conn.close()

    return handler


async def fetch(raw_server, *messages, **kwargs):
    server = raw_server(replies(*messages))
    limits = kwargs.pop("protocol_limits", httpcore.ProtocolLimits())
    async with httpcore.ConnectionPool(timeout=5.0, protocol_limits=limits) as http:
        try:
            return await http.request("GET", server.url + "/", **kwargs)
        finally:
            assert http.num_active_connections == 0


@pytest.mark.parametrize(
    "message",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Len",
        b"\x00\x01\x02\xff\r\n\r\n",
    ],
    ids=[
        "garbage",
        "bad-status",
        "bad-content-length",
        "negative-content-length",
        "conflicting-content-length",
        "bad-chunk-size",
        "bad-header-line",
        "truncated-body",
        "truncated-chunked",
        "truncated-head",
        "binary",
    ],
)
async def test_malformed_response(raw_server, message):
    with pytest.raises(httpcore.RemoteProtocolError):
        await fetch(raw_server, message)


async def test_no_response_at_all(raw_server):
    with pytest.raises(httpcore.ConnectionClosed):
        await fetch(raw_server, b"")


async def test_body_read_to_eof(raw_server):
    response = await fetch(raw_server, b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
    assert response.body == b"until the end"


async def test_http10_response(raw_server):
    response = await fetch(raw_server, b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert response.http_version == "HTTP/1.0"
    assert response.body == b"ok"


async def test_header_section_too_large(raw_server):
    message = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n"
    with pytest.raises(httpcore.LimitExceeded, match="max_header_bytes=1024"):
        await fetch(
            raw_server, message, protocol_limits=httpcore.ProtocolLimits(max_header_bytes=1024)
        )


async def test_too_many_headers(raw_server):
    message = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(20)) + b"\r\n"
    with pytest.raises(httpcore.LimitExceeded, match="max_header_count=10"):
        await fetch(
            raw_server, message, protocol_limits=httpcore.ProtocolLimits(max_header_count=10)
        )


async def test_informational_responses_are_skipped(raw_server):
    message = (
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    )
    response = await fetch(raw_server, message)
    assert response.status_code == 200
    assert response.body == b"ok"


async def test_informational_storm_is_bounded(raw_server):
    message = b"HTTP/1.1 100 Continue\r\n\r\n" * 1000
    with pytest.raises(httpcore.RemoteProtocolError, match="informational"):
        await fetch(raw_server, message)


@pytest.mark.parametrize("interim", [2, 3])
async def test_informational_limit_is_configurable(raw_server, interim):
    message = b"HTTP/1.1 100 Continue\r\n\r\n" * interim + b"HTTP/1.1 204 No Content\r\n\r\n"
    limits = httpcore.ProtocolLimits(max_informational_responses=2)
    if interim > 2:
        with pytest.raises(httpcore.LimitExceeded, match="max_informational_responses"):
            await fetch(raw_server, message, protocol_limits=limits)
    else:
        assert (await fetch(raw_server, message, protocol_limits=limits)).status_code == 204


def body_of(size, *, gzipped=False):
    body = b"x" * size
    coding = b""
    if gzipped:
        body, coding = gzip.compress(body), b"Content-Encoding: gzip\r\n"
    return b"HTTP/1.1 200 OK\r\n" + coding + b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize("gzipped", [False, True])
async def test_a_body_read_whole_is_bounded(raw_server, gzipped):
    # 200 KB decoded: more than the limit, in several pieces (gzip decodes in 64 KiB ones).
    limits = httpcore.ProtocolLimits(max_body_bytes=150_000)
    with pytest.raises(httpcore.LimitExceeded, match="max_body_bytes"):
        await fetch(raw_server, body_of(200_000, gzipped=gzipped), protocol_limits=limits)
    fits = await fetch(raw_server, body_of(150_000, gzipped=gzipped), protocol_limits=limits)
    assert fits.body == b"x" * 150_000


async def test_a_streamed_body_is_not_bounded_by_max_body_bytes(raw_server):
    server = raw_server(replies(body_of(100_000), body_of(100_000)))
    limits = httpcore.ProtocolLimits(max_body_bytes=10)
    async with httpcore.ConnectionPool(timeout=5.0, protocol_limits=limits) as http:
        response = await http.request("GET", server.url + "/", stream=True)
        received = b"".join([chunk async for chunk in response.stream()])
        assert received == b"x" * 100_000
        # read() takes the whole body into memory: the limit applies, and the connection
        # with the rest of the body is dropped.
        response = await http.request("GET", server.url + "/", stream=True)
        with pytest.raises(httpcore.LimitExceeded, match="max_body_bytes"):
            await response.read()
        assert (http.num_active_connections, http.num_keepalive_connections) == (0, 0)


async def test_corrupt_gzip_body(raw_server):
    message = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\n\r\nnotgzip"
    with pytest.raises(httpcore.DecodingError):
        await fetch(raw_server, message)


async def test_truncated_gzip_body(raw_server):
    compressed = gzip.compress(b"hello" * 1000)[:-10]
    message = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(compressed)
        + compressed
    )
    with pytest.raises(httpcore.DecodingError):
        await fetch(raw_server, message)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-bad": "a\r\nInjected: 1"},
        {"x-bad": "a\nb"},
        {"x-bad": "a\x00b"},
        {"bad name": "a"},
        {"x-bad\r\n": "a"},
    ],
)
async def test_bad_request_headers_are_rejected_before_sending(raw_server, headers):
    server = raw_server(replies(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.LocalProtocolError):
            await http.request("GET", server.url + "/", headers=headers)
        with pytest.raises(httpcore.LocalProtocolError):
            await http.request("GET\r\n", server.url + "/")
        with pytest.raises(httpcore.InvalidURL):
            await http.request("GET", server.url + "/\r\nX: y")
        assert http.num_active_connections == 0
    assert server.connections == 0


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", httpcore.InvalidURL),
        ("example.com/path", httpcore.InvalidURL),
        ("http:///path", httpcore.InvalidURL),
        ("http://127.0.0.1:99999/", httpcore.InvalidURL),
        ("ftp://127.0.0.1/", httpcore.UnsupportedScheme),
    ],
)
async def test_invalid_urls(url, error):
    async with httpcore.ConnectionPool() as http:
        with pytest.raises(error) as info:
            await http.request("GET", url)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, httpcore.HTTPCoreError)


async def test_a_read_size_hint_bounds_each_socket_read(raw_server):
    server = raw_server(replies(body_of(300_000), body_of(300_000)))
    async with httpcore.ConnectionPool(timeout=5.0) as http:
        response = await http.request("GET", server.url + "/", stream=True)
        sizes = [len(chunk) async for chunk in response.raw(chunk_size=1000)]
        # The first piece arrived with the head, before the hint: the reads after it obey.
        assert sum(sizes) == 300_000 and len(sizes) > 1 and max(sizes[1:]) <= 1000
        # The hint ends with its response: the next one is read in large pieces again.
        response = await http.request("GET", server.url + "/", stream=True)
        sizes = [len(chunk) async for chunk in response.stream(chunk_size=0)]
        assert sum(sizes) == 300_000 and max(sizes) > 1000
