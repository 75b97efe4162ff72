"""HPACK (RFC 7541): header compression for HTTP/2, without I/O.

`Decoder` turns header blocks from the peer into `(name, value)` pairs of bytes, strictly: any
malformed block raises `HPACKError`, and a block whose header list passes the size bound raises
`HeaderListTooLarge` before the oversized string is decoded or copied. `_hpack_encoder.Encoder`
turns our header lists into blocks.

Huffman decoding (RFC 7541 section 5.2) runs a byte at a time through the state table of
`_hpack_tables`, whose rows are built the first time a string reaches their state.

Either side's dynamic table stays in step with the peer's only if every block is processed in
order: after any `HPACKError` the connection must be closed (HTTP/2 COMPRESSION_ERROR).
"""

from __future__ import annotations

from collections import deque
from typing import Final

from ._hpack_tables import (
    ACCEPTING,
    DEAD_ROW,
    ENTRY_OVERHEAD,
    PROTOCOL_TABLE_SIZE,
    ROOT_ROW,
    STATIC_TABLE,
    Row,
    fill_row,
)

__all__ = ["Decoder", "HPACKError", "HeaderListTooLarge"]


class HPACKError(Exception):
    """A malformed header block; the connection is unusable (HTTP/2 COMPRESSION_ERROR)."""


class HeaderListTooLarge(HPACKError):
    """A decoded header list passed `Decoder.max_header_list_size`."""


_STATIC_COUNT: Final = len(STATIC_TABLE)
# Index 0 is never valid (RFC 7541 section 6.1); the placeholder keeps lookups one subscript.
_STATIC: Final = ((b"", b""), *STATIC_TABLE)
# RFC 7541 sections 5.1 and 7.4: integers too long for the implementation are decoding errors.
# Table sizes are 32-bit SETTINGS values and lengths are bounded by the header list size, so no
# legitimate integer needs more than five continuation bytes (35 bits); refusing longer ones
# keeps a hostile peer from making us loop or build huge numbers.
_MAX_INT_BYTES: Final = 5

# Huffman decoding ---------------------------------------------------------------------------

# Past this many input bytes per step, decoding checks the output size between steps.
_HUFFMAN_STEP: Final = 512
# RFC 7541 section 5.2: a string may end mid-code only on at most 7 bits of EOS's prefix.
_BAD_PADDING: Final = "invalid Huffman padding"
# Decoded short Huffman strings, by their encoding: a few KiB at most, shared by connections.
_HUFFMAN_SEEN: dict[bytes, bytes] = {}
_SEEN_LENGTH: Final = 64
_SEEN_COUNT: Final = 256


def _huffman_run(data: bytes, row: Row) -> tuple[bytes, Row]:
    """Decode `data` from the state `row`; return the bytes emitted and the final state."""
    parts: list[bytes] = []
    append = parts.append
    remaining = iter(data)
    while True:
        try:
            for byte in remaining:
                append(row[byte + 256])
                row = row[byte]
        except IndexError:
            # An empty row: either the dead state, or one not built yet; once it is built, the
            # byte that met it is decoded and the loop resumes after it.
            if row is DEAD_ROW:
                raise HPACKError("Huffman string contains EOS") from None
            fill_row(row)
            append(row[byte + 256])
            row = row[byte]
            continue
        return b"".join(parts), row


def _huffman_bounded(block: bytes, pos: int, end: int, limit: int) -> bytes:
    """Decode a Huffman string that might pass `limit` bytes, checking as it goes."""
    # RFC 7541 section 5.2: codes are at most 30 bits long, so n coded bytes hold at least
    # (8n - 7) / 30 symbols: enough to refuse an oversized string without reading it.
    if ((end - pos) * 8 - 7) // 30 > limit:
        raise HeaderListTooLarge(f"a Huffman string of {end - pos} bytes passes the limit")
    parts, total, row = [], 0, ROOT_ROW
    for start in range(pos, end, _HUFFMAN_STEP):
        piece, row = _huffman_run(block[start : min(start + _HUFFMAN_STEP, end)], row)
        total += len(piece)
        if total > limit:
            raise HeaderListTooLarge(f"a Huffman string passes {limit} bytes")
        parts.append(piece)
    if id(row) not in ACCEPTING:
        raise HPACKError(_BAD_PADDING)
    return b"".join(parts)


# Primitive types (RFC 7541 section 5) ------------------------------------------------------


def _read_int(block: bytes, pos: int, value: int) -> tuple[int, int]:
    """Read the continuation bytes of an integer whose prefix was all ones (`value`)."""
    shift = 0
    for at in range(pos, min(pos + _MAX_INT_BYTES, len(block))):
        byte = block[at]
        value += (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at + 1
        shift += 7
    if pos + _MAX_INT_BYTES > len(block):
        raise HPACKError("truncated integer")
    raise HPACKError(f"integer longer than {_MAX_INT_BYTES} continuation bytes")


def _huffman_cached(encoded: bytes) -> bytes:
    """Decode a Huffman string, remembering short ones: servers send the same values (server,
    content-type, date within a second) in response after response."""
    decoded = _HUFFMAN_SEEN.get(encoded)
    if decoded is None:
        decoded, row = _huffman_run(encoded, ROOT_ROW)
        if id(row) not in ACCEPTING:
            raise HPACKError(_BAD_PADDING)
        if len(encoded) <= _SEEN_LENGTH:
            if len(_HUFFMAN_SEEN) >= _SEEN_COUNT:
                _HUFFMAN_SEEN.clear()
            _HUFFMAN_SEEN[encoded] = decoded
    return decoded


def _read_string(block: bytes, pos: int, limit: int) -> tuple[bytes, int]:
    """Read a string literal at `pos`, refusing one longer than `limit` before copying it."""
    try:
        first = block[pos]
    except IndexError:
        raise HPACKError("truncated header block") from None
    length = first & 0x7F
    pos += 1
    if length == 0x7F:
        length, pos = _read_int(block, pos, 0x7F)
    end = pos + length
    if end > len(block):
        raise HPACKError("truncated string")
    if first & 0x80:
        # Every code is at least 5 bits long: within this bound, the output fits the limit.
        if length * 8 // 5 > limit:
            return _huffman_bounded(block, pos, end, limit), end
        return _huffman_cached(block[pos:end]), end
    if length > limit:
        raise HeaderListTooLarge(f"a string of {length} bytes passes the header list size")
    return block[pos:end], end


# The decoder ---------------------------------------------------------------------------------


class Decoder:
    """Decode the peer's header blocks (RFC 7541), with its dynamic table.

    Arguments:

    - `max_table_size`: the SETTINGS_HEADER_TABLE_SIZE we send, the bound on the peer's table.
      The table starts at the protocol's 4096 bytes (RFC 9113 section 6.5.2); below that, the
      peer's first block must open with a size update (RFC 7541 section 4.2).
    - `max_header_list_size`: refuse header lists larger than this (RFC 9113 section 6.5.2);
      an attribute, which may change between blocks.

    ```python
    decoder = Decoder()
    assert decoder.decode(b"\\x82\\x84") == [(b":method", b"GET"), (b":path", b"/")]
    ```
    """

    def __init__(self, max_table_size: int = 4096, max_header_list_size: int = 65536) -> None:
        self.max_header_list_size = max_header_list_size
        self._table_max = PROTOCOL_TABLE_SIZE
        self._size = 0
        self._table: deque[tuple[bytes, bytes]] = deque()
        self._required: int | None = None
        self.set_max_table_size(max_table_size)

    def set_max_table_size(self, size: int) -> None:
        """Apply a new SETTINGS_HEADER_TABLE_SIZE of ours, once the peer has acknowledged it.

        Arguments:

        - `size`: the new bound. Below the table's current size, the peer's next block must
          start with a dynamic table size update that honours it (RFC 7541 section 4.2).

        ```python
        decoder = Decoder()
        decoder.set_max_table_size(0)
        assert decoder.decode(b"\\x20\\x82") == [(b":method", b"GET")]
        ```
        """
        self._allowed = size
        if size < self._table_max:
            self._required = size if self._required is None else min(self._required, size)

    def decode(self, block: bytes) -> list[tuple[bytes, bytes]]:
        """Decode one complete header block into `(name, value)` pairs, as sent.

        Arguments:

        - `block`: the block fragments of HEADERS and CONTINUATION frames, joined.

        ```python
        assert Decoder().decode(b"\\x88") == [(b":status", b"200")]
        ```
        """
        headers: list[tuple[bytes, bytes]] = []
        pos, end = 0, len(block)
        if self._required is not None or (end and block[0] & 0xE0 == 0x20):
            pos = self._size_updates(block)
        total, limit = 0, self.max_header_list_size
        while pos < end:
            byte = block[pos]
            if byte & 0x80:  # RFC 7541 section 6.1
                index = byte & 0x7F
                pos += 1
                if index == 0x7F:
                    index, pos = _read_int(block, pos, 0x7F)
                field = _STATIC[index] if 0 < index <= _STATIC_COUNT else self._dynamic(index)
            elif byte & 0x40:  # section 6.2.1
                field, pos = self._literal(block, pos, 0x3F, limit - total - ENTRY_OVERHEAD)
                self._add(field)
            elif byte & 0x20:  # section 4.2: size updates only open a block
                raise HPACKError("dynamic table size update after a header field")
            else:  # sections 6.2.2 and 6.2.3
                field, pos = self._literal(block, pos, 0x0F, limit - total - ENTRY_OVERHEAD)
            total += len(field[0]) + len(field[1]) + ENTRY_OVERHEAD
            if total > limit:
                raise HeaderListTooLarge(f"header list larger than {limit} bytes")
            headers.append(field)
        return headers

    def _size_updates(self, block: bytes) -> int:
        """Apply the size updates opening a block (RFC 7541 section 6.3); return what follows."""
        pos = 0
        while pos < len(block) and block[pos] & 0xE0 == 0x20:
            size = block[pos] & 0x1F
            pos += 1
            if size == 0x1F:
                size, pos = _read_int(block, pos, 0x1F)
            if size > self._allowed:
                raise HPACKError(f"dynamic table size {size} above our limit of {self._allowed}")
            if self._required is not None and size <= self._required:
                self._required = None
            self._table_max = size
            self._evict(size)
        if self._required is not None:
            raise HPACKError("missing dynamic table size update after our settings change")
        return pos

    def _literal(
        self, block: bytes, pos: int, prefix: int, budget: int
    ) -> tuple[tuple[bytes, bytes], int]:
        """Read a literal field whose name index has `prefix` bits, within `budget` bytes."""
        index = block[pos] & prefix
        pos += 1
        if index == prefix:
            index, pos = _read_int(block, pos, prefix)
        if index:
            name = _STATIC[index][0] if index <= _STATIC_COUNT else self._dynamic(index)[0]
        else:
            name, pos = _read_string(block, pos, budget)
        value, pos = _read_string(block, pos, budget - len(name))
        return (name, value), pos

    def _dynamic(self, index: int) -> tuple[bytes, bytes]:
        """The field at a dynamic table index (RFC 7541 section 2.3.3)."""
        if index > _STATIC_COUNT and index - _STATIC_COUNT <= len(self._table):
            return self._table[index - _STATIC_COUNT - 1]
        raise HPACKError(f"invalid header table index {index}")

    def _add(self, field: tuple[bytes, bytes]) -> None:
        """Insert a field, evicting the oldest entries to make room (RFC 7541 section 4.4)."""
        size = len(field[0]) + len(field[1]) + ENTRY_OVERHEAD
        self._evict(max(self._table_max - size, 0))
        if size <= self._table_max:
            self._table.appendleft(field)
            self._size += size

    def _evict(self, limit: int) -> None:
        """Drop the oldest entries until the table holds at most `limit` bytes."""
        while self._size > limit:
            name, value = self._table.pop()
            self._size -= len(name) + len(value) + ENTRY_OVERHEAD
