"""Content decoding of response bodies: gzip, deflate, br, zstd and identity.

Pure and free of I/O. `get_decoder()` turns the values of a response's
`Content-Encoding` headers into one `Decoder`. Feed it each raw body chunk with
`decode_iter()` (or `decode()`), then call `flush_iter()` (or `flush()`) at the end of
the body, which raises `DecodingError` if the compressed stream was cut short.

Memory stays bounded however well the input compresses: each decoder materialises
at most about `MAX_CHUNK` decoded bytes at a time (zstd: one 128 KiB block), so a
consumer that takes `decode_iter()` one piece at a time never holds a whole bomb.

Example:

```python
import gzip

decoder = get_decoder([b"gzip"])
body = b"".join(decoder.decode(gzip.compress(b"hello")) + decoder.flush())
assert body == b"hello"
```
"""

from __future__ import annotations

import abc
import functools
import importlib
import importlib.util
import zlib
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from ._exceptions import DecodingError, LimitExceeded

MAX_CHUNK = 64 * 1024
"""The largest decoded piece a decoder returns (identity returns its input as it is)."""

MAX_CODINGS = 5
"""Longer chains of codings are not decoded: each layer costs time and memory."""

RATIO_FLOOR = 8 * 1024 * 1024
"""Decoded bytes below which `RatioLimit` lets any ratio through."""

# brotli's output buffer starts as one block of just under 32 KiB and grows only while
# below the limit, so a smaller limit keeps each process() result to that one block.
_BROTLI_OUTPUT_LIMIT = 16 * 1024

# RFC 9659: a zstd content coding never needs a window above 8 MB, so a frame asking
# for more is refused instead of making the decoder allocate it.
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024

_GZIP_WBITS = 16 + zlib.MAX_WBITS


class Decoder(abc.ABC):
    """Undoes the content codings of one response body; one object per response.

    Feed the raw chunks in order to `decode_iter()`, consuming each iterator fully
    before the next call, then call `flush_iter()` once at the end of the body. Corrupt
    input raises `DecodingError`; zero bytes of input in total is an empty body.

    Example:

    ```python
    decoder = get_decoder([b"deflate"])
    pieces = [*decoder.decode_iter(zlib.compress(b"hi")), *decoder.flush_iter()]
    assert b"".join(pieces) == b"hi"
    ```
    """

    __slots__ = ()

    @abc.abstractmethod
    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        """Yield the pieces `data` decodes to, each at most `MAX_CHUNK` bytes."""

    @abc.abstractmethod
    def flush_iter(self) -> Iterator[bytes]:
        """Yield what is left; raise `DecodingError` if the compressed stream is incomplete."""

    def decode(self, data: bytes) -> list[bytes]:
        """Return the decoded pieces for `data` (possibly none) as a list."""
        return list(self.decode_iter(data))

    def flush(self) -> list[bytes]:
        """Return the last decoded pieces; raise `DecodingError` if the stream is incomplete."""
        return list(self.flush_iter())


class IdentityDecoder(Decoder):
    """Passes the body through unchanged; it holds no state, so one instance is shared."""

    __slots__ = ()

    def decode(self, data: bytes) -> list[bytes]:
        return [data] if data else []

    def flush(self) -> list[bytes]:
        return []

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        return iter(self.decode(data))

    def flush_iter(self) -> Iterator[bytes]:
        return iter(())


def _inflate(inflater: zlib._Decompress, data: bytes, coding: str) -> Iterator[bytes]:
    """Yield all that `data` inflates to, at most `MAX_CHUNK` bytes per piece."""
    while True:
        try:
            piece = inflater.decompress(data, MAX_CHUNK)
        except zlib.error as exc:
            raise DecodingError(f"{coding}: corrupt compressed data ({exc})") from exc
        if piece:
            yield piece
        if inflater.eof:
            # Input after the end of the stream is in unused_data for the caller; with an
            # output limit zlib leaves it in unconsumed_tail as well, and feeding it again
            # would return nothing forever.
            return
        data = inflater.unconsumed_tail
        # A full piece can leave output pending inside zlib even when no input is left.
        if not data and len(piece) < MAX_CHUNK:
            return


class GzipDecoder(Decoder):
    """Decodes `gzip` (RFC 1952), every member of a multi-member stream in turn."""

    __slots__ = ("_inflater", "_started")

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(_GZIP_WBITS)
        self._started = False

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._inflater.eof:
                # RFC 1952 section 2.2: a gzip stream is a series of members, and what
                # follows the end of one member must be the start of the next.
                self._inflater = zlib.decompressobj(_GZIP_WBITS)
            self._started = True
            yield from _inflate(self._inflater, data, "gzip")
            data = self._inflater.unused_data

    def flush_iter(self) -> Iterator[bytes]:
        if self._started and not self._inflater.eof:
            raise DecodingError("gzip: compressed stream ended early")
        return iter(())


class DeflateDecoder(Decoder):
    """Decodes `deflate`, zlib-wrapped (RFC 1950) or raw (RFC 1951) as its first bytes show."""

    __slots__ = ("_head", "_inflater")

    def __init__(self) -> None:
        self._inflater: zlib._Decompress | None = None
        self._head = b""

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        if inflater is None:
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return
            self._head = b""
            inflater = self._inflater = zlib.decompressobj(_deflate_wbits(data))
        yield from _inflate(inflater, data, "deflate")
        if inflater.unused_data:
            raise DecodingError("deflate: unexpected data after the end of the compressed stream")

    def flush_iter(self) -> Iterator[bytes]:
        if self._head or (self._inflater is not None and not self._inflater.eof):
            raise DecodingError("deflate: compressed stream ended early")
        return iter(())


def _deflate_wbits(head: bytes) -> int:
    """Return the zlib `wbits` for a deflate body starting with `head` (2 bytes or more)."""
    # RFC 1950 section 2.2: CMF names method 8 in its low nibble, and CMF * 256 + FLG
    # is a multiple of 31. Raw deflate (RFC 1951) never starts with such a pair in
    # practice, since a stored block header pads its first byte with zero bits.
    cmf, flg = head[0], head[1]
    if cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


@functools.cache
def _import_codec(coding: str, *modules: str) -> ModuleType:
    """Import the first of `modules` that imports; optional codecs load on first use."""
    for name in modules:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise DecodingError(f"{coding}: cannot decode, none of {', '.join(modules)} imports")


def _pieces(data: bytes) -> Iterator[bytes]:
    """Yield `data` in pieces of at most `MAX_CHUNK` bytes (a short one as it is)."""
    for start in range(0, len(data), MAX_CHUNK):
        yield data[start : start + MAX_CHUNK]


class BrotliDecoder(Decoder):
    """Decodes `br` (RFC 7932) with the brotli package, or else brotlicffi.

    brotli 1.2 and later cap the output of each call; with older versions and
    brotlicffi a call returns all its input decodes to, handed on in `MAX_CHUNK` pieces.
    """

    __slots__ = ("_bounded", "_decompressor", "_error", "_started")

    def __init__(self) -> None:
        module = _import_codec("br", "brotli", "brotlicffi")
        self._decompressor: Any = module.Decompressor()
        self._error: type[Exception] = module.error
        self._bounded = hasattr(self._decompressor, "can_accept_more_data")
        self._started = False

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._started = True
        if not self._bounded:
            yield from _pieces(self._process(data))
            return
        piece = self._process(data, _BROTLI_OUTPUT_LIMIT)
        # An empty result means the decoder wants more input: nothing is left pending.
        while piece:
            yield from _pieces(piece)
            piece = self._process(b"", _BROTLI_OUTPUT_LIMIT)

    def flush_iter(self) -> Iterator[bytes]:
        if self._started and not self._decompressor.is_finished():
            raise DecodingError("br: compressed stream ended early")
        return iter(())

    def _process(self, data: bytes, limit: int | None = None) -> bytes:
        try:
            if limit is None:
                piece: bytes = self._decompressor.process(data)
            else:
                piece = self._decompressor.process(data, output_buffer_limit=limit)
        except self._error as exc:
            raise DecodingError(f"br: corrupt compressed data ({exc})") from exc
        return piece


# RFC 8878 section 3.1.1: the zstd frame magic number, and the 16 magic numbers of
# skippable frames (section 3.1.2), all little-endian.
_ZSTD_MAGIC = 0xFD2FB528
_SKIPPABLE_MAGIC = 0x184D2A50
# Section 3.1.1.1.1: sizes of the Dictionary_ID and Frame_Content_Size fields by flag.
_DICT_ID_SIZES = (0, 1, 2, 4)
_CONTENT_SIZE_SIZES = (0, 2, 4, 8)
_MAGIC, _DESCRIPTOR, _BLOCK, _CHECKSUM, _SKIPPABLE = range(5)


class _ZstdLayout:
    """Follows the frame and block layout of a zstd stream without decoding it.

    zstandard's decompressobj returns all its input decodes to as one bytes object,
    so the decoder feeds it pieces that hold at most one block end each: one call then
    decodes at most one block, and a block is at most 128 KiB (RFC 8878 section
    3.1.1.2.3). The layout also tells whether the stream stopped between frames.
    """

    __slots__ = ("_between", "_checksum", "_cut", "_header", "_skip", "_state", "_want")

    def __init__(self) -> None:
        self._state, self._want, self._header, self._skip = _MAGIC, 4, b"", 0
        self._cut, self._checksum, self._between = False, False, True

    def is_between_frames(self) -> bool:
        """Return whether every frame seen so far is complete."""
        return self._between and not self._skip and not self._header

    def split(self, data: bytes) -> Iterator[bytes]:
        """Yield `data` cut right after each block's content, in order."""
        start = pos = 0
        end = len(data)
        while True:
            if self._skip:
                taken = min(self._skip, end - pos)
                pos += taken
                self._skip -= taken
                if self._skip:
                    break
            if self._cut:
                # A header takes at least one byte of this call, so the piece is never empty.
                self._cut = False
                yield data[start:pos]
                start = pos
            if pos == end:
                break
            taken = min(self._want - len(self._header), end - pos)
            self._header += data[pos : pos + taken]
            pos += taken
            if len(self._header) == self._want:
                header, self._header = self._header, b""
                self._parse(int.from_bytes(header, "little"))
        if start < end:
            yield data[start:]

    def _parse(self, value: int) -> None:
        state = self._state
        if state == _BLOCK:
            # Section 3.1.1.2.1: Last_Block bit, 2-bit Block_Type, 21-bit Block_Size.
            # An RLE block (type 1) carries one byte for all the bytes it stands for.
            block_type = (value >> 1) & 3
            if block_type == 3:
                raise DecodingError("zstd: corrupt compressed data (reserved block type)")
            self._skip = 1 if block_type == 1 else value >> 3
            self._cut = True
            if value & 1 and self._checksum:
                self._expect(_CHECKSUM, 4)
            elif value & 1:
                self._end_frame()
        elif state == _MAGIC:
            self._between = False
            if value == _ZSTD_MAGIC:
                self._expect(_DESCRIPTOR, 1)
            elif value & 0xFFFFFFF0 == _SKIPPABLE_MAGIC:
                self._expect(_SKIPPABLE, 4)
            else:
                raise DecodingError("zstd: corrupt compressed data (not a zstd frame)")
        elif state == _DESCRIPTOR:
            # Section 3.1.1.1.1: the descriptor gives the size of the rest of the header.
            single_segment = bool(value & 0x20)
            content_size = _CONTENT_SIZE_SIZES[value >> 6] or int(single_segment)
            self._skip = int(not single_segment) + _DICT_ID_SIZES[value & 3] + content_size
            self._checksum = bool(value & 0x04)
            self._expect(_BLOCK, 3)
        elif state == _SKIPPABLE:
            self._skip = value
            self._end_frame()
        else:
            self._end_frame()

    def _expect(self, state: int, size: int) -> None:
        self._state, self._want = state, size

    def _end_frame(self) -> None:
        self._between = True
        self._expect(_MAGIC, 4)


class ZstdDecoder(Decoder):
    """Decodes `zstd` (RFC 8878) with the zstandard package; several frames may follow."""

    __slots__ = ("_decompressor", "_error", "_layout")

    def __init__(self) -> None:
        module = _import_codec("zstd", "zstandard")
        context = module.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
        self._decompressor: Any = context.decompressobj(read_across_frames=True)
        self._error: type[Exception] = module.ZstdError
        self._layout = _ZstdLayout()

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        for part in self._layout.split(data):
            try:
                piece: bytes = self._decompressor.decompress(part)
            except self._error as exc:
                raise DecodingError(f"zstd: corrupt compressed data ({exc})") from exc
            yield from _pieces(piece)

    def flush_iter(self) -> Iterator[bytes]:
        if not self._layout.is_between_frames():
            raise DecodingError("zstd: compressed stream ended early")
        return iter(())


class MultiDecoder(Decoder):
    """Undoes several codings, each piece passing through the whole chain at once.

    Arguments:

    * `decoders`: one decoder per coding, in decoding order, so the last coding the
      server applied comes first.

    Example:

    ```python
    decoder = MultiDecoder([BrotliDecoder(), GzipDecoder()])  # Content-Encoding: gzip, br
    ```
    """

    __slots__ = ("_decoders",)

    def __init__(self, decoders: Sequence[Decoder]) -> None:
        self._decoders = tuple(decoders)

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        return self._feed(0, data)

    def flush_iter(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders, 1):
            for piece in decoder.flush_iter():
                yield from self._feed(index, piece)

    def _feed(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield data
            return
        for piece in self._decoders[index].decode_iter(data):
            yield from self._feed(index + 1, piece)


IDENTITY = IdentityDecoder()


class RatioLimit(Decoder):
    """Another decoder, stopped when its output outgrows its input by more than `ratio`.

    Small bodies (up to `RATIO_FLOOR` decoded bytes) decode whatever their ratio; past that,
    more than `ratio` decoded bytes per byte received raises `LimitExceeded`.

    ```python
    import gzip

    decoder = RatioLimit(get_decoder([b"gzip"]), ratio=100)
    bomb = gzip.compress(bytes(RATIO_FLOOR * 2))
    try:
        for piece in decoder.decode_iter(bomb):
            pass
    except LimitExceeded:
        pass  # stopped at a little over RATIO_FLOOR bytes
    ```
    """

    __slots__ = ("_decoded", "_inner", "_ratio", "_received")

    def __init__(self, inner: Decoder, ratio: int) -> None:
        self._inner = inner
        self._ratio = ratio
        self._received = 0
        self._decoded = 0

    def decode_iter(self, data: bytes) -> Iterator[bytes]:
        self._received += len(data)
        return self._checked(self._inner.decode_iter(data))

    def flush_iter(self) -> Iterator[bytes]:
        return self._checked(self._inner.flush_iter())

    def _checked(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            self._decoded += len(piece)
            if self._decoded > RATIO_FLOOR and self._decoded > self._ratio * self._received:
                raise LimitExceeded(
                    f"the body decompresses to more than {self._ratio} times its size "
                    "(ProtocolLimits.max_decompression_ratio)"
                )
            yield piece


def _available_codecs() -> dict[bytes, Callable[[], Decoder]]:
    """Map each coding name we can decode to a decoder factory."""
    # RFC 9110 section 8.4.1.3: "x-gzip" is to be taken as "gzip".
    codecs: dict[bytes, Callable[[], Decoder]] = {
        b"identity": lambda: IDENTITY,
        b"gzip": GzipDecoder,
        b"x-gzip": GzipDecoder,
        b"deflate": DeflateDecoder,
    }
    # Finding a module costs far less than importing zstandard, so both load lazily.
    find_spec = importlib.util.find_spec
    if find_spec("brotli") is not None or find_spec("brotlicffi") is not None:
        codecs[b"br"] = BrotliDecoder
    if find_spec("zstandard") is not None:
        codecs[b"zstd"] = ZstdDecoder
    return codecs


_CODECS = _available_codecs()

SUPPORTED_ENCODINGS = b", ".join(
    name for name in (b"gzip", b"deflate", b"br", b"zstd") if name in _CODECS
)
"""The `Accept-Encoding` value naming every coding this installation can decode."""


def get_decoder(content_encoding: Sequence[bytes]) -> Decoder:
    """Return a decoder for a response body.

    Arguments:

    * `content_encoding`: the raw values of every `Content-Encoding` header of the
      response, in order. Names are case-insensitive; surrounding whitespace is ignored.

    With no coding, only `identity`, an unknown coding or more than `MAX_CODINGS`
    codings, the body is passed through as it is (the header still says what it is).

    Example:

    ```python
    decoder = get_decoder([b"gzip, br"])  # brotli is undone first, then gzip
    ```
    """
    if not content_encoding:
        return IDENTITY
    if len(content_encoding) == 1:
        factory = _CODECS.get(content_encoding[0])
        if factory is not None:
            return factory()
    names = [
        name
        for value in content_encoding
        for token in value.split(b",")
        if (name := token.strip().lower()) and name != b"identity"
    ]
    if not names or len(names) > MAX_CODINGS or not all(name in _CODECS for name in names):
        return IDENTITY
    if len(names) == 1:
        return _CODECS[names[0]]()
    # RFC 9110 section 8.4: codings are listed in the order they were applied.
    return MultiDecoder([_CODECS[name]() for name in reversed(names)])
