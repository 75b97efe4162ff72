"""Streamed responses against uvicorn on loopback: iter_content, iter_lines, raw, read, close."""

from __future__ import annotations

import gzip
import pickle

import pytest

from requests_async._async import api
from requests_async._async.response import Response
from requests_async._async.sessions import Session
from requests_async.exceptions import (
    ChunkedEncodingError,
    ContentNotRead,
    StreamConsumedError,
)
from tests.servers import ENCODED_BODY, pattern


def pool_of(session, url):
    """The one httpcore pool the session's adapter for `url` has opened."""
    (pool,) = session.get_adapter(url)._pools.values()
    return pool


def served(body, headers=b""):
    """A raw-server handler answering every request with `body` (and extra head lines)."""

    def handler(conn):
        while conn.read_request():
            conn.send(
                b"HTTP/1.1 200 OK\r\n" + headers + b"content-length: %d\r\n\r\n" % len(body) + body
            )

    return handler


@pytest.mark.parametrize("size", [1, 7, 1000, 65536, 100_000])
async def test_iter_content_sizes(server, size):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/150000", stream=True)
        chunks = [chunk async for chunk in r.iter_content(chunk_size=size)]
    assert b"".join(chunks) == pattern(150_000)
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert 0 < len(chunks[-1]) <= size


@pytest.mark.parametrize("size", [None, 0, -1])
async def test_iter_content_without_a_size_yields_what_arrives(server, size):
    async with Session() as s:
        r = await s.get(server.url + "/stream/150000", stream=True)
        chunks = [chunk async for chunk in r.iter_content(chunk_size=size)]
    assert b"".join(chunks) == pattern(150_000)
    # Pieces as the socket delivers them: never empty, never cut down to a fixed size.
    assert all(chunks)
    assert len(chunks) < 100


async def test_iter_content_of_a_read_body(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/1000")
    assert [len(c) async for c in r.iter_content(chunk_size=400)] == [400, 400, 200]
    assert [len(c) async for c in r.iter_content(chunk_size=None)] == [1000]
    assert [len(c) async for c in r.iter_content(chunk_size=0)] == [1000]
    # A read body can be iterated again and again.
    assert b"".join([c async for c in r.iter_content(chunk_size=3)]) == pattern(1000)


async def test_iter_content_of_an_empty_body(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/0")
        streamed = await s.get(server.url + "/bytes/0", stream=True)
        assert [c async for c in streamed.iter_content(chunk_size=None)] == []
    assert [c async for c in r.iter_content(chunk_size=None)] == []


async def test_iter_content_decoded_and_decode_unicode(server, raw_server):
    async with Session() as s:
        r = await s.get(server.url + "/encoded/gzip", stream=True)
        # text/plain without a charset is ISO-8859-1 (RFC 2616, as requests has it).
        assert r.encoding == "ISO-8859-1"
        text = [c async for c in r.iter_content(chunk_size=5000, decode_unicode=True)]
        assert "".join(text) == ENCODED_BODY.decode("latin-1")
        r = await s.get(server.url + "/bytes/300", stream=True)
        # An unknown encoding: decode_unicode yields the bytes unchanged, as requests.
        assert r.encoding is None
        assert [c async for c in r.iter_content(200, decode_unicode=True)] == [
            pattern(200),
            pattern(300)[200:],
        ]
        body = "h\u00e9llo w\u00f6rld \u2603".encode()
        utf8 = raw_server(served(body, b"content-type: text/plain; charset=utf-8\r\n"))
        r = await s.get(utf8.url + "/", stream=True)
        pieces = [c async for c in r.iter_content(chunk_size=1, decode_unicode=True)]
        # Multi-byte characters split across chunks come out whole, and no empty strings.
        assert "".join(pieces) == "h\u00e9llo w\u00f6rld \u2603"
        assert all(isinstance(p, str) and p for p in pieces)
        assert len(pieces) == len("h\u00e9llo w\u00f6rld \u2603")
        cut = raw_server(served(b"ab\xe2\x98", b"content-type: text/plain; charset=utf-8\r\n"))
        r = await s.get(cut.url + "/", stream=True)
        # A character cut off at the end becomes U+FFFD, as requests' decoder does.
        assert [c async for c in r.iter_content(chunk_size=2, decode_unicode=True)] == [
            "ab",
            "\ufffd",
        ]
        r = await s.get(utf8.url + "/")
        assert "".join([c async for c in r.iter_content(4, decode_unicode=True)]) == r.text


async def test_iter_content_errors(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/10", stream=True)
        with pytest.raises(TypeError, match="chunk_size must be an int, it is instead a"):
            r.iter_content(chunk_size="1")
        assert [c async for c in r.iter_content(chunk_size=10)] == [pattern(10)]
        # Consumed: raised at the call, as requests does, and by read() too.
        with pytest.raises(StreamConsumedError):
            r.iter_content()
        with pytest.raises(StreamConsumedError):
            await r.read()
        with pytest.raises((ContentNotRead, StreamConsumedError)):
            r.content  # noqa: B018


async def test_read_twice_and_iterate_after_read(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/3000", stream=True)
        first = await r.read()
        assert await r.read() is first
        assert first == pattern(3000) == r.content
        assert b"".join([c async for c in r.iter_content(1000)]) == first


async def test_iter_lines(raw_server):
    # Line breaks split across chunks follow requests' rules: test_differential compares them.
    body = b"one\ntwo\nthree\nfour\n\nfive"
    server = raw_server(served(body, b"content-type: text/plain; charset=utf-8\r\n"))
    async with Session() as s:
        for size in (1, 2, 3, 5, 512):
            r = await s.get(server.url + "/", stream=True)
            lines = [line async for line in r.iter_lines(chunk_size=size)]
            assert lines == [b"one", b"two", b"three", b"four", b"", b"five"], size
        r = await s.get(server.url + "/", stream=True)
        text = [line async for line in r.iter_lines(decode_unicode=True)]
        assert text == ["one", "two", "three", "four", "", "five"]


async def test_iter_lines_with_a_delimiter(raw_server):
    server = raw_server(served(b"a;b;;c;"))
    async with Session() as s:
        r = await s.get(server.url + "/", stream=True)
        lines = [line async for line in r.iter_lines(delimiter=b";")]
        assert lines == [b"a", b"b", b"", b"c", b""]
        r = await s.get(server.url + "/")
        assert [line async for line in r.iter_lines(chunk_size=1, delimiter=b";")][:3] == [
            b"a",
            b"",
            b"b",
        ]


async def test_iter_lines_empty_body(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/0", stream=True)
        assert [line async for line in r.iter_lines()] == []


async def test_raw_read_amounts(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/100000", stream=True)
        assert r.raw.status == 200
        assert (b"content-length", b"100000") in r.raw.headers
        assert await r.raw.read(0) == b""
        assert await r.raw.read(10) == pattern(10)
        # A read may span the server's 64 KiB messages and keep the rest for later.
        assert await r.raw.read(70000) == pattern(70010)[10:]
        assert await r.raw.read(5) == pattern(70015)[70010:]
        assert await r.raw.read() == pattern(100000)[70015:]
        assert await r.raw.read() == b""
        assert await r.raw.read(10) == b""
        await r.close()
        assert r.raw.closed


async def test_raw_stream(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/10000", stream=True)
        sizes = [len(c) async for c in r.raw.stream(4096)]
        assert sizes == [4096, 4096, 1808]


async def test_raw_keeps_or_decodes_content_encoding(server):
    async with Session() as s:
        r = await s.get(server.url + "/encoded/gzip", stream=True)
        raw = await r.raw.read()
        assert gzip.decompress(raw) == ENCODED_BODY
        r = await s.get(server.url + "/encoded/gzip", stream=True)
        assert await r.raw.read(decode_content=True) == ENCODED_BODY
        r = await s.get(server.url + "/encoded/gzip", stream=True)
        decoded = b"".join([c async for c in r.raw.stream(1000, decode_content=True)])
        assert decoded == ENCODED_BODY
        r = await s.get(server.url + "/encoded/gzip", stream=True)
        await r.raw.read(10)
        # The raw stream holds the body now: the decoded view is gone.
        with pytest.raises(StreamConsumedError):
            await r.read()
        await r.close()


async def test_close_early_frees_the_connection(server):
    url = server.url + "/bytes/1000000"
    async with Session() as s:
        r = await s.get(url, stream=True)
        pool = pool_of(s, url)
        assert pool.num_active_connections == 1
        async for _ in r.iter_content(chunk_size=1000):
            break
        await r.close()
        # Unread body data makes the connection unusable: it is closed, not pooled.
        assert pool.num_active_connections == 0
        assert pool.num_keepalive_connections == 0
        r = await s.get(server.url + "/bytes/10", stream=True)
        async with r:
            assert await r.read() == pattern(10)
        assert pool.num_active_connections == 0
        assert pool.num_keepalive_connections == 1


async def test_body_read_to_the_end_returns_the_connection(server):
    async with Session() as s:
        first = await s.get(server.url + "/client", stream=True)
        pool = pool_of(s, server.url)
        client = b"".join([c async for c in first.iter_content(None)])
        assert pool.num_keepalive_connections == 1
        second = await s.get(server.url + "/client")
        # The same client port: the connection was reused.
        assert second.content == client
    assert pool.is_closed


async def test_broken_body_is_chunked_encoding_error(raw_server):
    def short(conn):
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
        conn.close()

    server = raw_server(short)
    async with Session() as s:
        r = await s.get(server.url + "/", stream=True)
        with pytest.raises(ChunkedEncodingError) as info:
            await r.read()
    assert info.value.request is r.request


async def test_module_function_stream_owns_its_session(server):
    r = await api.get(server.url + "/bytes/100000", stream=True)
    owner = r._owning_session
    assert isinstance(owner, Session)
    pool = pool_of(owner, server.url)
    assert pool.num_active_connections == 1
    await r.close()
    assert r._owning_session is None
    assert pool.is_closed
    # Closing again is harmless.
    await r.close()


async def test_module_function_stream_read_to_the_end_closes_its_session(server):
    r = await api.get(server.url + "/bytes/1000", stream=True)
    pool = pool_of(r._owning_session, server.url)
    assert len(b"".join([c async for c in r.iter_content(100)])) == 1000
    assert r._owning_session is None
    assert pool.is_closed
    r = await api.get(server.url + "/bytes/1000", stream=True)
    pool = pool_of(r._owning_session, server.url)
    async with r:
        assert await r.read() == pattern(1000)
        assert pool.is_closed


async def test_module_function_without_stream_closes_its_session(server, monkeypatch):
    closed = []

    class Recording(Session):
        async def close(self):
            closed.append(self)
            await super().close()

    monkeypatch.setattr(api, "Session", Recording)
    r = await api.get(server.url + "/bytes/10")
    assert r._owning_session is None
    assert len(closed) == 1
    with pytest.raises(ValueError, match="Timeout value connect was"):
        await api.get(server.url + "/bytes/10", timeout="soon")
    assert len(closed) == 2


async def test_async_with_response(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/200000", stream=True)
        async with r as entered:
            assert entered is r
        assert r.raw.closed
        pool = pool_of(s, server.url)
        assert pool.num_active_connections == 0


async def test_pickle_a_response(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/100")
    copy = pickle.loads(pickle.dumps(r))
    assert isinstance(copy, Response)
    assert copy.content == pattern(100)
    assert copy.raw is None
    assert copy.connection is None
    assert copy.request.url == server.url + "/bytes/100"
    assert b"".join([c async for c in copy.iter_content(30)]) == pattern(100)
    await copy.close()
