"""No response desync: bytes beyond a response never answer the next request.

Each attack ends a response with the start of another one ("evil"), or sends one unasked
on an idle pooled connection. The next request must get a fresh connection and its own answer.
"""

from __future__ import annotations

import threading

import pytest

from tests.safety.hostile import chunked, response, send

EVIL = response(b"evil")
EXTRA = {
    "/after-body": response(b"ok") + EVIL,
    "/after-chunked": chunked(b"ok") + EVIL,
    "/after-head": response(b"evil", headers=[(b"x-kind", b"head")]),
    "/after-204": b"HTTP/1.1 204 No Content\r\n\r\n" + EVIL,
    "/after-304": b"HTTP/1.1 304 Not Modified\r\ncontent-length: 4\r\n\r\nevil",
    "/after-100": b"HTTP/1.1 100 Continue\r\n\r\n" + response(b"ok") + EVIL,
    "/cl-and-te": (
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n"
        b"2\r\nok\r\n0\r\n\r\n"
    ),
}
SCRIPTS = {path: send(data) for path, data in EXTRA.items()} | {"/good": send(response(b"good"))}


@pytest.mark.parametrize("path", sorted(EXTRA))
async def test_bytes_beyond_a_response_are_not_the_next_answer(client, hostile, path):
    server = hostile(SCRIPTS)
    method = "HEAD" if path == "/after-head" else "GET"
    first = await client.fetch(server.url + path, method)
    assert first.body in (b"", b"ok")
    second = await client.fetch(server.url + "/good")
    assert (second.status, second.body) == (200, b"good")
    # The first connection was discarded, not pooled with bytes waiting on it.
    assert server.connections == 2
    assert client.counts() == (0, 1)


async def test_unsolicited_response_on_an_idle_connection(client, hostile):
    go, sent = threading.Event(), threading.Event()

    def answer_then_inject(conn, request):
        conn.send(response(b"ok"))
        go.wait(10)
        conn.send(EVIL)
        sent.set()
        return True

    server = hostile({"/inject": answer_then_inject, "/good": send(response(b"good"))})
    assert (await client.fetch(server.url + "/inject")).body == b"ok"
    assert client.counts() == (0, 1)
    go.set()
    assert sent.wait(5)
    second = await client.fetch(server.url + "/good")
    assert second.body == b"good"
    assert server.connections == 2


async def test_pipelined_answers_are_not_used(client, hostile):
    """A server answering two requests at once: the second answer is discarded, not kept."""
    server = hostile(
        {"/two": send(response(b"one") + response(b"two")), "/good": send(response(b"good"))}
    )
    assert (await client.fetch(server.url + "/two")).body == b"one"
    assert (await client.fetch(server.url + "/two")).body == b"one"
    assert server.connections == 2
