"""Content decoding: every coding against real compressors, chained codings, integrity, bombs."""

from __future__ import annotations

import gzip
import importlib.util
import os
import random
import struct
import types
import zlib
from collections.abc import Callable, Iterator

import brotli
import pytest
import zstandard

from httpcore import _decoders
from httpcore._decoders import (
    MAX_CHUNK,
    MAX_CODINGS,
    RATIO_FLOOR,
    SUPPORTED_ENCODINGS,
    BrotliDecoder,
    Decoder,
    DeflateDecoder,
    GzipDecoder,
    IdentityDecoder,
    MultiDecoder,
    RatioLimit,
    ZstdDecoder,
    get_decoder,
)
from httpcore._exceptions import DecodingError, LimitExceeded

_rng = random.Random(20240101)
# Text that compresses well, then bytes that do not: the output spans several pieces.
PAYLOAD = b"".join(b"line %d of the body\n" % n for n in range(12000)) + _rng.randbytes(150_000)
SMALL = PAYLOAD[:6000] + PAYLOAD[-3000:]


def raw_deflate(data: bytes, level: int = -1) -> bytes:
    compressor = zlib.compressobj(level, wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def br(data: bytes) -> bytes:
    compressed: bytes = brotli.compress(data, quality=5)
    return compressed


def zstd(data: bytes, **options: object) -> bytes:
    return zstandard.ZstdCompressor(**options).compress(data)  # type: ignore[arg-type]


CODINGS: list[tuple[bytes, Callable[[bytes], bytes]]] = [
    (b"gzip", gzip.compress),
    (b"deflate", zlib.compress),
    (b"deflate", raw_deflate),
    (b"br", br),
    (b"zstd", zstd),
]
IDS = ["gzip", "deflate-zlib", "deflate-raw", "br", "zstd"]


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def decode_all(decoder: Decoder, body: bytes, size: int | None = None) -> bytes:
    pieces: list[bytes] = []
    for chunk in chunks(body, size or len(body) or 1):
        pieces += decoder.decode(chunk)
    pieces += decoder.flush()
    assert all(0 < len(piece) <= MAX_CHUNK for piece in pieces)
    return b"".join(pieces)


# Round trips ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
@pytest.mark.parametrize("size", [None, 1000, 65536])
def test_round_trip(name: bytes, compress: Callable[[bytes], bytes], size: int | None) -> None:
    assert decode_all(get_decoder([name]), compress(PAYLOAD), size) == PAYLOAD


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
def test_byte_at_a_time(name: bytes, compress: Callable[[bytes], bytes]) -> None:
    assert decode_all(get_decoder([name]), compress(SMALL), 1) == SMALL


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
def test_decode_iter_yields_what_decode_returns(
    name: bytes, compress: Callable[[bytes], bytes]
) -> None:
    body = compress(PAYLOAD)
    as_list, lazily = get_decoder([name]), get_decoder([name])
    assert as_list.decode(body) == list(lazily.decode_iter(body))
    assert as_list.flush() == list(lazily.flush_iter()) == []


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
def test_empty_body_is_empty_not_truncated(name: bytes, compress: Callable[[bytes], bytes]) -> None:
    decoder = get_decoder([name])
    assert decoder.decode(b"") == []
    assert decoder.flush() == []


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
def test_compressed_empty_content(name: bytes, compress: Callable[[bytes], bytes]) -> None:
    assert decode_all(get_decoder([name]), compress(b""), 1) == b""


@pytest.mark.parametrize("level", range(10))
def test_deflate_tells_zlib_wrapper_from_raw(level: int) -> None:
    for data in (b"", b"a", b"ab" * 40, SMALL):
        for wbits in (9, 12, 15):
            wrapped = zlib.compressobj(level, wbits=wbits)
            body = wrapped.compress(data) + wrapped.flush()
            assert decode_all(DeflateDecoder(), body, 3) == data
        assert decode_all(DeflateDecoder(), raw_deflate(data, level), 3) == data


def test_raw_deflate_passing_the_zlib_header_checksum_stays_raw() -> None:
    # One raw stream in 31 starts with two bytes whose value is a multiple of 31; only
    # the compression method nibble tells it from a zlib header.
    bodies = (raw_deflate(b"%d " % n * 20) for n in range(1000))
    body = next(body for body in bodies if int.from_bytes(body[:2], "big") % 31 == 0)
    assert body[0] & 0x0F != 8
    assert decode_all(DeflateDecoder(), body) == zlib.decompress(body, -zlib.MAX_WBITS)


def test_multi_member_gzip_decodes_every_member() -> None:
    body = gzip.compress(b"first, ") + gzip.compress(b"") + gzip.compress(SMALL)
    assert decode_all(get_decoder([b"gzip"]), body) == b"first, " + SMALL
    assert decode_all(get_decoder([b"gzip"]), body, 1) == b"first, " + SMALL


def test_zstd_frames_of_every_kind() -> None:
    skippable = struct.pack("<II", 0x184D2A5E, 5) + b"skip!"
    frames = [
        zstd(b"a" * 70_000, write_checksum=True),
        skippable,
        zstd(b"b" * 300, write_content_size=False),
        zstd(b"c" * 10),
        zstd(PAYLOAD[:100_000], write_checksum=True),
    ]
    expected = b"a" * 70_000 + b"b" * 300 + b"c" * 10 + PAYLOAD[:100_000]
    assert decode_all(get_decoder([b"zstd"]), b"".join(frames)) == expected
    assert decode_all(get_decoder([b"zstd"]), b"".join(frames), 7) == expected


# Names and chains -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([b"gzip"], GzipDecoder),
        ([b" GZip\t"], GzipDecoder),
        ([b"x-gzip"], GzipDecoder),
        ([b"Deflate"], DeflateDecoder),
        ([b"BR"], BrotliDecoder),
        ([b"zstd"], ZstdDecoder),
        ([b"identity, gzip"], GzipDecoder),
        ([b"", b"gzip", b" , "], GzipDecoder),
        ([b"gzip, br"], MultiDecoder),
        ([b"gzip", b"br"], MultiDecoder),
        ([], IdentityDecoder),
        ([b""], IdentityDecoder),
        ([b"identity"], IdentityDecoder),
        ([b" Identity , "], IdentityDecoder),
        ([b"compress"], IdentityDecoder),
        ([b"gzip, compress"], IdentityDecoder),
        ([b"gzip"] * (MAX_CODINGS + 1), IdentityDecoder),
    ],
)
def test_get_decoder_picks_by_name(values: list[bytes], kind: type[Decoder]) -> None:
    assert type(get_decoder(values)) is kind


def test_identity_is_shared_and_passes_data_through() -> None:
    decoder = get_decoder([])
    assert decoder is get_decoder([b"identity"]) is get_decoder([b"unknown"])
    data = b"as sent"
    assert decoder.decode(data)[0] is data
    assert decoder.decode(b"") == []
    assert list(decoder.decode_iter(data)) == [data]
    assert decoder.flush() == list(decoder.flush_iter()) == []


def test_unknown_coding_leaves_body_as_sent() -> None:
    body = gzip.compress(b"payload")
    decoder = get_decoder([b"gzip, x-unknown"])
    assert decode_all(decoder, body) == body


def test_names_are_case_and_space_insensitive() -> None:
    body = br(gzip.compress(SMALL))
    assert decode_all(get_decoder([b" GZIP ,\tBr "]), body, 100) == SMALL


@pytest.mark.parametrize("values", [[b"gzip, br"], [b"gzip", b"br"]])
def test_codings_are_undone_in_reverse_order(values: list[bytes]) -> None:
    body = br(gzip.compress(SMALL))
    assert decode_all(get_decoder(values), body, 1) == SMALL
    assert decode_all(get_decoder(values), body) == SMALL
    with pytest.raises(DecodingError, match="gzip"):
        decode_all(get_decoder([b"br, gzip"]), body)


def test_three_codings_in_a_chain() -> None:
    body = gzip.compress(zstd(raw_deflate(PAYLOAD)))
    decoder = get_decoder([b"deflate, zstd", b"gzip"])
    assert decode_all(decoder, body, 4096) == PAYLOAD


class _HoldUntilFlush(Decoder):
    """Releases everything at the end, so a chain must pass flushed pieces on."""

    def __init__(self) -> None:
        self.held: list[bytes] = []

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        self.held.append(data)
        return iter(())

    def flush_iter(self) -> Iterator[bytes]:
        return chunks(b"".join(self.held), 1000)


def test_chain_passes_flushed_output_through_the_next_decoders() -> None:
    body = gzip.compress(SMALL)
    decoder = MultiDecoder([_HoldUntilFlush(), GzipDecoder()])
    assert decoder.decode(body) == []
    assert b"".join(decoder.flush()) == SMALL


def test_chain_reports_truncation_of_the_inner_coding() -> None:
    decoder = MultiDecoder([IdentityDecoder(), GzipDecoder()])
    decoder.decode(gzip.compress(SMALL)[:-5])
    with pytest.raises(DecodingError, match="gzip: compressed stream ended early"):
        decoder.flush()


def test_decoder_is_abstract() -> None:
    with pytest.raises(TypeError):
        Decoder()  # type: ignore[abstract]


# Integrity --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "compress"), CODINGS, ids=IDS)
def test_truncated_stream_fails_at_flush(name: bytes, compress: Callable[[bytes], bytes]) -> None:
    body = compress(PAYLOAD)
    for cut in (1, 2, 10, len(body) // 2, len(body) - 1):
        decoder = get_decoder([name])
        decoder.decode(body[:cut])
        with pytest.raises(DecodingError, match=f"{name.decode()}: compressed stream ended early"):
            decoder.flush()


def test_zstd_truncated_anywhere_but_between_frames_fails() -> None:
    frames = [
        zstd(b"abc" * 50, write_checksum=True),
        struct.pack("<II", 0x184D2A50, 2) + b"xy",
        zstd(SMALL, write_content_size=False),
    ]
    body = b"".join(frames)
    boundaries = {0, len(frames[0]), len(frames[0]) + len(frames[1]), len(body)}
    for cut in range(len(body) + 1):
        decoder = ZstdDecoder()
        decoder.decode(body[:cut])
        if cut in boundaries:
            assert decoder.flush() == []
        else:
            with pytest.raises(DecodingError, match="zstd: compressed stream ended early"):
                decoder.flush()


def test_gzip_truncated_inside_a_later_member_fails() -> None:
    body = gzip.compress(b"one") + gzip.compress(b"two")
    decoder = GzipDecoder()
    assert b"".join(decoder.decode(body[:-3])) == b"onetwo"
    with pytest.raises(DecodingError, match="gzip"):
        decoder.flush()


def _flip_last_bytes(body: bytes, count: int) -> bytes:
    return body[:-count] + bytes(byte ^ 0xFF for byte in body[-count:])


@pytest.mark.parametrize(
    ("name", "body", "cause"),
    [
        (b"gzip", b"this is not gzip at all", zlib.error),
        (b"gzip", _flip_last_bytes(gzip.compress(SMALL), 8), zlib.error),
        (b"deflate", _flip_last_bytes(zlib.compress(SMALL), 4), zlib.error),
        (b"deflate", b"\x07\x00\x00\x00", zlib.error),
        (b"br", b"\xff" * 20, brotli.error),
        (b"zstd", _flip_last_bytes(zstd(SMALL, write_checksum=True), 4), zstandard.ZstdError),
    ],
    ids=["gzip-header", "gzip-crc", "deflate-adler", "deflate-block-type", "br", "zstd-checksum"],
)
def test_corrupt_data_fails_with_cause(name: bytes, body: bytes, cause: type[Exception]) -> None:
    with pytest.raises(DecodingError, match=f"{name.decode()}: corrupt compressed data") as info:
        decode_all(get_decoder([name]), body)
    assert isinstance(info.value.__cause__, cause)


@pytest.mark.parametrize(
    "body",
    [b"not a zstd frame", zstd(b"x")[:6] + b"\x07\x00\x00"],
    ids=["magic", "reserved-block-type"],
)
def test_zstd_layout_errors(body: bytes) -> None:
    with pytest.raises(DecodingError, match="zstd: corrupt compressed data"):
        ZstdDecoder().decode(body)


def test_zstd_window_above_8_mb_is_refused() -> None:
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=24)
    compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()
    body = compressor.compress(_rng.randbytes(1000) * 20_000) + compressor.flush()
    with pytest.raises(DecodingError, match="zstd: corrupt compressed data"):
        ZstdDecoder().decode(body[:1000])


@pytest.mark.parametrize(
    ("name", "body", "tail"),
    [
        (b"gzip", gzip.compress(SMALL), b"garbage!"),
        (b"deflate", zlib.compress(SMALL), b"x"),
        (b"deflate", raw_deflate(SMALL), b"trailing"),
        (b"br", br(SMALL), b"x"),
        (b"zstd", zstd(SMALL), b"garbage!"),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "br", "zstd"],
)
def test_trailing_garbage_fails(name: bytes, body: bytes, tail: bytes) -> None:
    together = get_decoder([name])
    with pytest.raises(DecodingError, match=name.decode()):
        decode_all(together, body + tail)
    apart = get_decoder([name])
    assert b"".join(apart.decode(body)) == SMALL
    with pytest.raises(DecodingError, match=name.decode()):
        apart.decode(tail)


@pytest.mark.parametrize(
    ("name", "body", "tail"),
    [(b"gzip", gzip.compress(SMALL), b"\x1f"), (b"zstd", zstd(SMALL), b"\x28\xb5")],
    ids=["gzip", "zstd"],
)
def test_partial_next_frame_fails_at_flush(name: bytes, body: bytes, tail: bytes) -> None:
    decoder = get_decoder([name])
    assert b"".join(decoder.decode(body + tail)) == SMALL
    with pytest.raises(DecodingError, match=f"{name.decode()}: compressed stream ended early"):
        decoder.flush()


def test_one_byte_deflate_body_is_truncated() -> None:
    decoder = DeflateDecoder()
    assert decoder.decode(b"x") == []
    with pytest.raises(DecodingError, match="deflate: compressed stream ended early"):
        decoder.flush()


# Bounded memory ---------------------------------------------------------------

BOMB_SIZE = 100 * 1000 * 1000
_MIB_OF_ZEROS = bytes(1 << 20)


def _bomb(feed: Callable[[bytes], bytes], finish: Callable[[], bytes]) -> bytes:
    whole, rest = divmod(BOMB_SIZE, len(_MIB_OF_ZEROS))
    body = b"".join(feed(_MIB_OF_ZEROS) for _ in range(whole))
    return body + feed(bytes(rest)) + finish()


def _stream_total(decoder: Decoder, body: bytes) -> int:
    total = 0
    for chunk in chunks(body, 65536):
        for piece in decoder.decode_iter(chunk):
            assert 0 < len(piece) <= MAX_CHUNK
            total += len(piece)
    for piece in decoder.flush_iter():
        total += len(piece)
    return total


def test_gzip_bomb_streams_in_bounded_pieces() -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = _bomb(compressor.compress, compressor.flush)
    assert len(body) < BOMB_SIZE // 500
    assert _stream_total(GzipDecoder(), body) == BOMB_SIZE


class _LargestOutput:
    """Wraps a decompressor object and records the largest output of one call."""

    def __init__(self, inner: object, method: str) -> None:
        self.inner, self.method, self.largest = inner, method, 0

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self.inner, name)
        if name != self.method:
            return attribute

        def call(*args: object, **kwargs: object) -> bytes:
            output: bytes = attribute(*args, **kwargs)
            self.largest = max(self.largest, len(output))
            return output

        return call


def test_zstd_bomb_decodes_one_block_per_call() -> None:
    compressor = zstandard.ZstdCompressor().compressobj()
    body = _bomb(compressor.compress, compressor.flush)
    decoder = ZstdDecoder()
    spy = decoder._decompressor = _LargestOutput(decoder._decompressor, "decompress")
    assert _stream_total(decoder, body) == BOMB_SIZE
    assert 0 < spy.largest <= 128 * 1024


def test_brotli_bomb_is_bounded_per_call() -> None:
    compressor = brotli.Compressor(quality=5)
    body = _bomb(compressor.process, compressor.finish)
    decoder = BrotliDecoder()
    spy = decoder._decompressor = _LargestOutput(decoder._decompressor, "process")
    assert _stream_total(decoder, body) == BOMB_SIZE
    assert 0 < spy.largest <= MAX_CHUNK


# Optional modules -------------------------------------------------------------


class _UnboundedBrotli:
    """The Decompressor of brotli before 1.2 and of brotlicffi: no output limit."""

    def __init__(self) -> None:
        self._inner = brotli.Decompressor()

    def process(self, data: bytes) -> bytes:
        output: bytes = self._inner.process(data)
        return output

    def is_finished(self) -> bool:
        return bool(self._inner.is_finished())


@pytest.fixture
def unbounded_brotli(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.SimpleNamespace(Decompressor=_UnboundedBrotli, error=brotli.error)
    monkeypatch.setattr(_decoders, "_import_codec", lambda coding, *names: module)


@pytest.mark.usefixtures("unbounded_brotli")
def test_brotli_without_output_limit_still_yields_bounded_pieces() -> None:
    body = br(PAYLOAD + bytes(1 << 20))
    decoder = BrotliDecoder()
    pieces = decoder.decode(body)
    assert len(pieces) > 16
    assert b"".join(pieces + decoder.flush()) == PAYLOAD + bytes(1 << 20)


@pytest.mark.usefixtures("unbounded_brotli")
def test_brotli_without_output_limit_checks_integrity() -> None:
    truncated = BrotliDecoder()
    truncated.decode(br(SMALL)[:-2])
    with pytest.raises(DecodingError, match="br: compressed stream ended early"):
        truncated.flush()
    with pytest.raises(DecodingError, match="br: corrupt") as info:
        BrotliDecoder().decode(b"\xff" * 20)
    assert isinstance(info.value.__cause__, brotli.error)


def test_import_codec_tries_each_module_in_turn() -> None:
    assert _decoders._import_codec("test", "httpcore_no_such_module", "zlib") is zlib
    with pytest.raises(DecodingError, match="br: cannot decode"):
        _decoders._import_codec("br", "httpcore_no_such_module")


def test_supported_encodings_name_what_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SUPPORTED_ENCODINGS == b"gzip, deflate, br, zstd"
    installed = {"brotlicffi"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: object() if name in installed else None
    )
    codecs = _decoders._available_codecs()
    assert set(codecs) == {b"identity", b"gzip", b"x-gzip", b"deflate", b"br"}
    installed.clear()
    assert b"br" not in _decoders._available_codecs()


def test_ratio_limit_lets_small_bodies_through_whatever_their_ratio() -> None:
    data = gzip.compress(bytes(RATIO_FLOOR))
    decoder = RatioLimit(get_decoder([b"gzip"]), ratio=2)
    pieces = [*decoder.decode_iter(data), *decoder.flush_iter()]
    assert b"".join(pieces) == bytes(RATIO_FLOOR)


def test_ratio_limit_stops_a_bomb_past_the_floor() -> None:
    decoder = RatioLimit(get_decoder([b"gzip"]), ratio=100)
    decoded = 0
    with pytest.raises(LimitExceeded, match=r"more than 100 times .*max_decompression_ratio"):
        for piece in decoder.decode_iter(gzip.compress(bytes(4 * RATIO_FLOOR))):
            decoded += len(piece)
    assert RATIO_FLOOR - MAX_CHUNK < decoded <= RATIO_FLOOR


def test_ratio_limit_passes_a_body_within_the_ratio() -> None:
    body = os.urandom(RATIO_FLOOR // 4) * 8
    decoder = RatioLimit(get_decoder([b"gzip"]), ratio=100)
    data = gzip.compress(body)
    pieces = [*decoder.decode_iter(data[:1000]), *decoder.decode_iter(data[1000:])]
    assert b"".join([*pieces, *decoder.flush_iter()]) == body
