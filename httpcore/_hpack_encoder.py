"""HPACK (RFC 7541) encoding of our header lists, without I/O.

`Encoder` indexes repeated fields in its dynamic table, so that repeated requests cost a few
bytes each; fields carrying secrets are never indexed. Blocks must reach the peer in the order
they were encoded: one encoder per connection.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from ._hpack_tables import ENTRY_OVERHEAD, PROTOCOL_TABLE_SIZE, STATIC_TABLE

__all__ = ["Encoder"]

_STATIC_COUNT: Final = len(STATIC_TABLE)


def _write_int(out: bytearray, flags: int, prefix: int, value: int) -> None:
    """Append an integer with an N-bit prefix (`prefix` is 2**N - 1), ORed into `flags`."""
    if value < prefix:
        out.append(flags | value)
        return
    out.append(flags | prefix)
    value -= prefix
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


_STATIC_FIELDS: Final = {field: index for index, field in enumerate(STATIC_TABLE, 1)}
_STATIC_NAMES: Final = {
    name: index for index, (name, _) in reversed(list(enumerate(STATIC_TABLE, 1)))
}
# RFC 7541 section 7.1.3: fields carrying secrets are sent as "never indexed" literals, which
# intermediaries must forward the same way, so that no table probing can guess them.
_SENSITIVE: Final = frozenset((b"authorization", b"proxy-authorization", b"cookie"))
# Values that differ from one request to the next would only push the useful entries out.
_UNIQUE: Final = frozenset((b":path", b"content-length", b"if-modified-since", b"if-none-match"))
# We never use a bigger table than the protocol's initial size, whatever the peer allows.
_ENCODER_TABLE_SIZE: Final = PROTOCOL_TABLE_SIZE


class Encoder:
    """Encode our header lists into blocks (RFC 7541), with a dynamic table of repeated fields.

    Strings are sent without Huffman coding: on the header lists of requests it saves few bytes
    and costs more time than it saves.

    ```python
    encoder = Encoder()
    assert encoder.encode([(b":method", b"GET"), (b":path", b"/")]) == b"\\x82\\x84"
    ```
    """

    def __init__(self) -> None:
        self._max_size = _ENCODER_TABLE_SIZE
        self._size = 0
        self._table: deque[tuple[bytes, bytes]] = deque()
        # A field's insertion number; the newest field has number `_inserted - 1`.
        self._numbers: dict[tuple[bytes, bytes], int] = {}
        self._inserted = 0
        self._smallest: int | None = None

    def set_max_table_size(self, size: int) -> None:
        """Apply the peer's SETTINGS_HEADER_TABLE_SIZE.

        Arguments:

        - `size`: the largest dynamic table the peer's decoder allows. When our table size
          changes, the next block opens with size updates (RFC 7541 sections 4.2 and 6.3).

        ```python
        encoder = Encoder()
        encoder.set_max_table_size(0)
        assert encoder.encode([(b":method", b"GET")]) == b"\\x20\\x82"
        ```
        """
        size = min(size, _ENCODER_TABLE_SIZE)
        if size != self._max_size:
            self._max_size = size
            self._evict(size)
            # RFC 7541 section 4.2: after several changes, the smallest size is signalled too.
            self._smallest = size if self._smallest is None else min(self._smallest, size)

    def encode(self, headers: list[tuple[bytes, bytes]]) -> bytes:
        """Encode one header list into a header block.

        Arguments:

        - `headers`: `(name, value)` pairs, names already lower-cased and validated.

        ```python
        assert Encoder().encode([(b":status", b"200")]) == b"\\x88"
        ```
        """
        out = bytearray()
        if self._smallest is not None:
            if self._smallest < self._max_size:
                _write_int(out, 0x20, 0x1F, self._smallest)
            _write_int(out, 0x20, 0x1F, self._max_size)
            self._smallest = None
        numbers = self._numbers
        for field in headers:
            index = _STATIC_FIELDS.get(field)
            if index is None and field in numbers:
                index = self._inserted + _STATIC_COUNT - numbers[field]
            if index is not None:
                _write_int(out, 0x80, 0x7F, index)
                continue
            self._literal(out, field)
        return bytes(out)

    def _literal(self, out: bytearray, field: tuple[bytes, bytes]) -> None:
        """Append a literal field, indexing it in the table when it is worth keeping."""
        name, value = field
        name_index = _STATIC_NAMES.get(name, 0)
        size = len(name) + len(value) + ENTRY_OVERHEAD
        if name in _SENSITIVE:
            _write_int(out, 0x10, 0x0F, name_index)
        elif name in _UNIQUE or size > self._max_size // 4:
            _write_int(out, 0x00, 0x0F, name_index)
        else:
            _write_int(out, 0x40, 0x3F, name_index)
            self._evict(self._max_size - size)
            self._table.append(field)
            self._numbers[field] = self._inserted
            self._inserted += 1
            self._size += size
        if not name_index:
            _write_int(out, 0, 0x7F, len(name))
            out += name
        _write_int(out, 0, 0x7F, len(value))
        out += value

    def _evict(self, limit: int) -> None:
        """Drop the oldest entries until the table holds at most `limit` bytes."""
        while self._size > limit:
            name, value = field = self._table.popleft()
            del self._numbers[field]
            self._size -= len(name) + len(value) + ENTRY_OVERHEAD
