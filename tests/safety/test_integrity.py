"""Integrity: a body cut short, badly framed or with garbage after its compressed stream is an
error, in buffered and streamed reads; never a complete-looking, shorter body."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

import httpcore
from tests.safety.conftest import raises
from tests.safety.hostile import response, send, send_then_close, send_then_reset

TEXT = b"integrity matters " * 4000
COMPRESS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw-deflate": lambda data: zlib.compress(data, wbits=-15),
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def encoded(coding: str, data: bytes, *, length: bool = True) -> bytes:
    name = b"deflate" if coding.endswith("deflate") else coding.encode()
    return response(data, headers=[(b"content-encoding", name)], length=length)


def _cases() -> dict[str, tuple[bytes, type[Exception], str]]:
    cases: dict[str, tuple[bytes, type[Exception], str]] = {}
    for coding, compress in COMPRESS.items():
        whole = compress(TEXT)
        # The framing says the body is complete; only the compressed stream can tell.
        cases[f"{coding}-truncated"] = (
            encoded(coding, whole[: len(whole) * 2 // 3]),
            httpcore.DecodingError,
            "ended early",
        )
        cases[f"{coding}-trailing-garbage"] = (
            encoded(coding, whole + b"garbage!" * 4),
            httpcore.DecodingError,
            "corrupt|unexpected data",
        )
    framing = {
        "chunk-size-not-hex": b"zz\r\nhello\r\n0\r\n\r\n",
        "chunk-size-negative": b"-5\r\nhello\r\n0\r\n\r\n",
        "chunk-size-0x": b"0x5\r\nhello\r\n0\r\n\r\n",
        "chunk-size-huge": b"1" + b"0" * 20 + b"\r\nhello\r\n0\r\n\r\n",
        "chunk-data-too-long": b"3\r\nhello\r\n0\r\n\r\n",
        "chunk-without-crlf": b"5\r\nhello0\r\n\r\n",
    }
    for name, body in framing.items():
        data = response(body, headers=[(b"transfer-encoding", b"chunked")], length=False)
        cases[name] = (data, httpcore.RemoteProtocolError, "chunk")
    return cases


CASES = _cases()
GZIPPED = gzip.compress(TEXT)
SHORT = response(TEXT[:40], headers=[(b"content-length", b"100")], length=False)
CUT_SHORT = {
    "content-length-then-close": send_then_close(SHORT),
    "content-length-then-reset": send_then_reset(SHORT),
    "chunked-no-last-chunk": send_then_close(
        response(b"5\r\nhello\r\n", headers=[(b"transfer-encoding", b"chunked")], length=False)
    ),
    "chunked-no-trailer-end": send_then_close(
        response(b"5\r\nhello\r\n0\r\n", headers=[(b"transfer-encoding", b"chunked")], length=False)
    ),
    "gzip-then-close": send_then_close(encoded("gzip", GZIPPED[: len(GZIPPED) // 2], length=False)),
}


@pytest.fixture(params=["buffered", "streamed"])
def read(request, client):
    """Read a whole body (`fetch`) or consume it chunk by chunk (`stream`)."""
    return client.fetch if request.param == "buffered" else client.stream


@pytest.mark.parametrize("case", sorted(CASES))
async def test_broken_bodies_are_errors(client, read, hostile, case):
    data, error, match = CASES[case]
    server = hostile({"/broken": send(data), "/good": send(response(b"good"))})
    with raises(client, error, match=match):
        await read(server.url + "/broken")
    active, kept = client.counts()
    assert active == 0
    # Broken framing leaves the connection unusable. (A decoding error may come after the
    # framing ended well, and then the connection can be reused.)
    if error is httpcore.RemoteProtocolError:
        assert kept == 0
    assert (await client.fetch(server.url + "/good")).body == b"good"


@pytest.mark.parametrize("case", sorted(CUT_SHORT))
async def test_bodies_cut_short_are_errors(client, read, hostile, case):
    server = hostile({"/cut": CUT_SHORT[case]})
    with raises(
        client, httpcore.NetworkError | httpcore.RemoteProtocolError | httpcore.DecodingError
    ):
        await read(server.url + "/cut")
    assert client.counts() == (0, 0)


async def test_multi_member_gzip_is_decoded_whole(client, hostile):
    # The first member inflates to more than one decoder piece, and the second member
    # arrives in the same read: the decoder must move on to it, not spin on it.
    members = gzip.compress(TEXT[:70000]) + gzip.compress(TEXT[70000:])
    server = hostile({"/members": send(encoded("gzip", members))})
    assert (await client.fetch(server.url + "/members")).body == TEXT
    assert (await client.stream(server.url + "/members")).size == len(TEXT)


async def test_a_body_read_to_the_end_of_the_connection_is_whole(client, hostile):
    """Without framing, the end of the connection ends the body (RFC 9112 section 6.3)."""
    server = hostile({"/eof": send_then_close(response(TEXT, length=False))})
    assert (await client.fetch(server.url + "/eof")).body == TEXT
