"""Faults: resets, closes, stalls and garbage give a clear error from our tree within the
timeouts; the pool stays consistent and the next request works."""

from __future__ import annotations

import threading
import time

import pytest

import httpcore
from tests.safety.conftest import raises
from tests.safety.hostile import (
    response,
    send,
    send_then_close,
    send_then_reset,
    send_then_stall,
)
from tests.servers.raw import RawServer

TIMEOUT = 0.25
HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n"
FAULTS = {
    "/reset-at-once": (send_then_reset(b""), httpcore.NetworkError),
    "/close-at-once": (send_then_close(b""), httpcore.ConnectionClosed),
    "/close-in-head": (send_then_close(HEAD[:20]), httpcore.RemoteProtocolError),
    "/reset-in-body": (send_then_reset(HEAD + b"x" * 10), httpcore.NetworkError),
    "/close-in-body": (send_then_close(HEAD + b"x" * 10), httpcore.RemoteProtocolError),
    "/stall-before-head": (send_then_stall(b""), httpcore.ReadTimeout),
    "/stall-in-head": (send_then_stall(HEAD[:20]), httpcore.ReadTimeout),
    "/stall-in-body": (send_then_stall(HEAD + b"x" * 10), httpcore.ReadTimeout),
    "/garbage": (send(b"\x16\x03\x01\x00\xa5garbage\r\n\r\n"), httpcore.RemoteProtocolError),
    "/not-http": (send(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"), httpcore.RemoteProtocolError),
}
SCRIPTS = {path: script for path, (script, _) in FAULTS.items()}
SCRIPTS["/good"] = send(response(b"good"))


@pytest.fixture
def quick_client(make_client, kind_any):
    return make_client(kind_any, timeout=TIMEOUT)


@pytest.mark.parametrize("path", sorted(FAULTS))
async def test_fault_is_a_clear_error(quick_client, hostile, path):
    server = hostile(SCRIPTS)
    started = time.monotonic()
    # A keep-alive connection first, so the fault also meets the pool's reuse logic.
    assert (await quick_client.fetch(server.url + "/good")).body == b"good"
    with raises(quick_client, FAULTS[path][1]):
        await quick_client.fetch(server.url + path)
    assert time.monotonic() - started < TIMEOUT * 2 + 5
    assert quick_client.counts() == (0, 0)
    assert (await quick_client.fetch(server.url + "/good")).body == b"good"
    assert quick_client.counts() == (0, 1)


@pytest.mark.parametrize("path", ["/stall-in-body", "/close-in-body"])
async def test_fault_while_streaming(quick_client, hostile, path):
    server = hostile(SCRIPTS)
    with raises(quick_client, FAULTS[path][1]):
        await quick_client.stream(server.url + path)
    assert quick_client.counts() == (0, 0)


async def test_server_that_never_reads_an_upload(quick_client):
    release = threading.Event()
    with RawServer(lambda conn: release.wait(10)) as server:
        try:
            with raises(quick_client, httpcore.WriteTimeout):
                await quick_client.fetch(server.url + "/", "POST", body=b"u" * (64 << 20))
        finally:
            release.set()
    assert quick_client.counts() == (0, 0)
