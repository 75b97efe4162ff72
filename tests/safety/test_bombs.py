"""Decompression bombs: a small compressed body never becomes a large one in memory.

Each exchange runs in a fresh interpreter (bomb_client.py) whose peak resident set size is
compared with its size before the request: 128 MiB of decoded body must cost far less than
that. Streamed bodies come in pieces of at most 64 KiB, whatever the coding or the chain of
codings; a redirect's compressed body is drained within a bound, not inflated whole.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli
import pytest
import zstandard

from httpcore._decoders import MAX_CHUNK, RATIO_FLOOR
from tests.safety.clients import KINDS, REQUESTS_KINDS
from tests.safety.hostile import response, send

ROOT = Path(__file__).resolve().parents[2]
DECODED = 128 * 1024 * 1024
# Generous: the interpreter's own growth while it works, far below the decoded size.
GROWTH_KIB = 40 * 1024
_PIECE = b"\0" * (1024 * 1024)


def _pieces() -> Iterator[bytes]:
    for _ in range(DECODED // len(_PIECE)):
        yield _PIECE


def _stream_compress(compressor: object, process: str, finish: str) -> bytes:
    parts = [getattr(compressor, process)(piece) for piece in _pieces()]
    return b"".join([*parts, getattr(compressor, finish)()])


def _gzip() -> bytes:
    return _stream_compress(zlib.compressobj(9, zlib.DEFLATED, 31), "compress", "flush")


ENCODERS: dict[str, Callable[[], bytes]] = {
    "gzip": _gzip,
    "deflate": lambda: _stream_compress(zlib.compressobj(9), "compress", "flush"),
    "br": lambda: _stream_compress(brotli.Compressor(quality=5), "process", "finish"),
    "zstd": lambda: _stream_compress(zstandard.ZstdCompressor().compressobj(), "compress", "flush"),
    # Two layers: about 500 bytes on the wire for 128 MiB.
    "gzip, gzip": lambda: gzip.compress(_gzip()),
}


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {coding: encode() for coding, encode in ENCODERS.items()}


def run_client(kind: str, mode: str, url: str, ratio: str = "") -> dict[str, int | str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.safety.bomb_client", kind, mode, url, ratio],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )
    report: dict[str, int | str] = json.loads(done.stdout)
    return report


def bomb(data: bytes, coding: str) -> bytes:
    return response(data, headers=[(b"content-encoding", coding.encode())])


CASES = [(kind, "gzip") for kind in KINDS] + [
    ("core-async", coding) for coding in ENCODERS if coding != "gzip"
]


@pytest.mark.parametrize(("kind", "coding"), CASES)
async def test_streamed_bomb_stays_small(hostile, bombs, kind, coding):
    # With the ratio bound lifted, the whole bomb streams through in small pieces.
    data = bombs[coding]
    assert len(data) < DECODED // 500
    server = hostile({"/bomb": send(bomb(data, coding))})
    report = run_client(kind, "stream", server.url + "/bomb", "none")
    assert report["status"] == 200
    assert report["size"] == DECODED
    assert report["largest_chunk"] <= MAX_CHUNK
    assert report["peak_kib"] - report["baseline_kib"] < GROWTH_KIB, report


@pytest.mark.parametrize("mode", ["stream", "fetch"])
@pytest.mark.parametrize(("kind", "coding"), CASES)
async def test_bomb_stops_at_the_ratio_bound(hostile, bombs, kind, coding, mode):
    # By default, read whole or streamed, a bomb is refused a little past RATIO_FLOOR.
    server = hostile({"/bomb": send(bomb(bombs[coding], coding))})
    report = run_client(kind, mode, server.url + "/bomb")
    assert report["error"] == "LimitExceeded", report
    assert "max_decompression_ratio" in str(report["message"])
    assert report["peak_kib"] - report["baseline_kib"] < GROWTH_KIB, report


async def test_well_compressed_body_under_the_floor_is_whole(hostile):
    # Any ratio is fine for a body that decodes to no more than RATIO_FLOOR.
    data = gzip.compress(bytes(RATIO_FLOOR))
    assert len(data) * 100 < RATIO_FLOOR
    server = hostile({"/zeros": send(bomb(data, "gzip"))})
    report = run_client("core-async", "fetch", server.url + "/zeros")
    assert (report["status"], report["size"]) == (200, RATIO_FLOOR)


@pytest.mark.parametrize("kind", REQUESTS_KINDS)
async def test_compressed_redirect_body_stays_small(hostile, bombs, kind):
    redirect = response(
        bombs["gzip"],
        status=302,
        headers=[(b"location", b"/good"), (b"content-encoding", b"gzip")],
        length=False,
    )
    server = hostile({"/bomb": send(redirect, keep=False), "/good": send(response(b"good"))})
    started = time.monotonic()
    report = run_client(kind, "fetch", server.url + "/bomb")
    assert (report["status"], report["size"]) == (200, 4)
    assert report["peak_kib"] - report["baseline_kib"] < GROWTH_KIB, report
    assert time.monotonic() - started < 30
