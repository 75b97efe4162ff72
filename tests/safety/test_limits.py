"""Bounded consumption: heads, 1xx storms, chunked framing, redirect chains and redirect bodies.

Each attack is cut off by a limit and a clear error naming it, without waiting for the server
to finish (the hostile scripts stall after the attack, so only a limit can end the exchange).
Decompression bombs are in test_bombs.py.
"""

from __future__ import annotations

import gzip
import time

import pytest

import httpcore
import requests_async
from tests.safety.conftest import raises
from tests.safety.hostile import (
    chunked,
    response,
    send,
    send_then_stall,
    stream_forever,
)

BIG_HEADER = b"x-big: " + b"a" * 70_000
MANY_HEADERS = b"".join(b"x-h%d: %d\r\n" % (i, i) for i in range(200))
HEADS = {
    "/big-header": (b"HTTP/1.1 200 OK\r\n" + BIG_HEADER + b"\r\n", "max_header_bytes"),
    "/endless-status-line": (b"HTTP/1.1 200 " + b"x" * 70_000, "max_header_bytes"),
    "/endless-header-line": (b"HTTP/1.1 200 OK\r\nx-a: " + b"b" * 70_000, "max_header_bytes"),
    "/many-headers": (
        b"HTTP/1.1 200 OK\r\n" + MANY_HEADERS + b"content-length: 0\r\n\r\n",
        "max_header_count",
    ),
    "/chunk-size-line": (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1;" + b"e" * 70_000,
        "65536 bytes",
    ),
    "/trailers": (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
        + b"x-t: "
        + b"t" * 70_000,
        "max_header_bytes",
    ),
}


@pytest.mark.parametrize("path", sorted(HEADS))
async def test_oversized_heads_hit_a_named_limit(client, hostile, path):
    data, limit = HEADS[path]
    server = hostile({path: send_then_stall(data)})
    started = time.monotonic()
    with raises(client, httpcore.LimitExceeded, match=limit):
        await client.fetch(server.url + path)
    # The limit ended the exchange, not the read timeout.
    assert time.monotonic() - started < client.timeout / 2
    assert client.counts() == (0, 0)


async def test_head_limits_are_configurable(core_kind, make_client, hostile):
    limits = httpcore.ProtocolLimits(max_header_bytes=1024, max_header_count=4)
    client = make_client(core_kind, protocol_limits=limits)
    five = b"".join(b"x-%d: v\r\n" % i for i in range(5))
    server = hostile(
        {
            "/2k": send(response(headers=[(b"x-a", b"a" * 2048)])),
            "/five": send(b"HTTP/1.1 200 OK\r\n" + five + b"\r\n"),
            "/fits": send(response(b"ok", headers=[(b"x-a", b"a" * 512)])),
        }
    )
    with raises(client, httpcore.LimitExceeded, match="max_header_bytes=1024"):
        await client.fetch(server.url + "/2k")
    with raises(client, httpcore.LimitExceeded, match="max_header_count=4"):
        await client.fetch(server.url + "/five")
    assert (await client.fetch(server.url + "/fits")).body == b"ok"


async def test_informational_storm_is_cut_off(client, hostile):
    storm = b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" * 1000
    server = hostile(
        {
            "/storm": send_then_stall(storm),
            "/some": send(b"HTTP/1.1 100 Continue\r\n\r\n" * 5 + response(b"ok")),
        }
    )
    with raises(client, httpcore.RemoteProtocolError, match="informational"):
        await client.fetch(server.url + "/storm")
    assert (await client.fetch(server.url + "/some")).body == b"ok"
    assert client.counts() == (0, 1)


def _loop(conn, request):
    conn.send(response(status=302, headers=[(b"location", b"/loop")]))
    return True


async def test_redirect_chain_is_bounded(session_client, hostile):
    server = hostile({"/loop": _loop})
    with pytest.raises(requests_async.exceptions.TooManyRedirects, match="30 redirects"):
        await session_client.fetch(server.url + "/loop")
    assert len(server.requests_to("/loop")) == 31
    session_client._client.max_redirects = 2
    with pytest.raises(requests_async.exceptions.TooManyRedirects, match="2 redirects"):
        await session_client.fetch(server.url + "/loop")
    assert len(server.requests_to("/loop")) == 31 + 3


REDIRECT = [(b"location", b"/good")]
GOOD = {"/good": send(response(b"good"))}


async def test_endless_redirect_body_is_dropped(session_client, hostile):
    """A redirect whose body never ends: the client stops reading and drops the connection."""
    head = b"HTTP/1.1 302 Found\r\nlocation: /good\r\ntransfer-encoding: chunked\r\n\r\n"
    piece = b"4000\r\n" + b"r" * 0x4000 + b"\r\n"
    server = hostile({"/endless": stream_forever(head, piece), **GOOD})
    result = await session_client.fetch(server.url + "/endless")
    assert (result.status, result.body) == (200, b"good")
    assert server.connections == 2
    assert session_client.counts() == (0, 1)


async def test_endless_compressed_redirect_body_is_dropped(session_client, hostile):
    """The same with a gzip body that inflates 1000-fold: the bound is on what is drained."""
    zeros = gzip.compress(b"\0" * (1 << 20))
    head = (
        b"HTTP/1.1 307 Temporary Redirect\r\nlocation: /good\r\ncontent-encoding: gzip\r\n"
        b"transfer-encoding: chunked\r\n\r\n" + b"%x\r\n%s\r\n" % (len(zeros), zeros)
    )
    server = hostile({"/endless": stream_forever(head, b"1\r\n\0\r\n"), **GOOD})
    result = await session_client.fetch(server.url + "/endless")
    assert result.body == b"good"


async def test_large_redirect_body_is_not_waited_for(make_client, session_client, hostile):
    """A redirect announcing 1 GB and then sending nothing: followed at once, not drained."""
    client = make_client(session_client.kind, timeout=30)
    huge = (b"content-length", b"1000000000")
    head = response(status=301, headers=[*REDIRECT, huge], length=False)
    server = hostile({"/big": send_then_stall(head), **GOOD})
    started = time.monotonic()
    result = await client.fetch(server.url + "/big")
    assert result.body == b"good"
    assert time.monotonic() - started < 10
    assert server.connections == 2


async def test_small_redirect_body_keeps_the_connection(session_client, hostile):
    body = b"moved" * 100
    server = hostile({"/small": send(response(body, status=302, headers=REDIRECT)), **GOOD})
    result = await session_client.fetch(server.url + "/small")
    assert result.body == b"good"
    assert server.connections == 1


async def test_chunked_framing_is_passed_through_without_limits_on_size(client, hostile):
    """Many small chunks are a body, not an attack: they arrive whole."""
    server = hostile({"/chunks": send(chunked(*[b"c" * 7] * 5000))})
    assert (await client.fetch(server.url + "/chunks")).body == b"c" * 35000
