"""HPACK tables: the static table, the Huffman code of RFC 7541, and its decoding state table.

The Huffman code of RFC 7541 Appendix B is canonical: sorting the symbols by code length, then
by symbol value, and counting upwards gives every code. So the code lengths alone define it, and
the decoding state table is derived from them: its states are the inner nodes of the code tree,
and a state's row gives, for each of the 256 byte values, the bytes emitted and the next state.
Rows are computed the first time a string reaches their state (`fill_row`), so importing costs
nothing and only the states that real headers visit are ever built.
"""

from __future__ import annotations

import threading
from typing import Any, Final, TypeAlias

# RFC 7541 section 4.1: a field's size is its name and value lengths plus 32.
ENTRY_OVERHEAD: Final = 32
# RFC 9113 section 6.5.2: the initial SETTINGS_HEADER_TABLE_SIZE, so the initial table size.
PROTOCOL_TABLE_SIZE: Final = 4096

# RFC 7541 Appendix A; HPACK index 1 is the first entry.
STATIC_TABLE: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
)

# RFC 7541 Appendix B: the code length in bits of symbols 0 to 255, then of EOS (symbol 256).
HUFFMAN_CODE_LENGTHS: Final[tuple[int, ...]] = (
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    30,
)  # fmt: skip

# The Huffman decoding state table ------------------------------------------------------------

# A state's row holds 512 items: for byte value b, item b is the next state's row and item
# 256 + b the bytes emitted. Two flat halves (rather than pairs) let rows be assembled from
# shared lists with list concatenation, without building 65,536 pairs.
Row: TypeAlias = list[Any]
# For every k-bit string read from a node, in order: the rows reached and the bytes emitted.
_Expansion: TypeAlias = tuple[list[Row], list[bytes]]


class _Node:
    """An inner node of the Huffman tree, with its row and its memoised expansions."""

    __slots__ = ("expansions", "one", "row", "zero")

    def __init__(self, zero: _Node | bytes, one: _Node | bytes, row: Row) -> None:
        self.zero = zero
        self.one = one
        self.row = row
        # Index k: the expansion of k bits from here (k < 8).
        self.expansions: list[_Expansion | None] = [None] * 8


ROOT_ROW: Final[Row] = []
# The state after EOS: its row stays empty, so whatever follows it (or ending there) is refused.
DEAD_ROW: Final[Row] = []
# RFC 7541 section 5.2: a string may end mid-code only on a prefix of EOS (all ones) of at most
# seven bits; these are the rows of the states where a string may end.
ACCEPTING: Final = {id(ROOT_ROW)}
_NODE_OF_ROW: Final[dict[int, _Node]] = {}
_BUILD_LOCK: Final = threading.Lock()


def _build_tree() -> None:
    """Build the code tree from the canonical code lengths, with an empty row per inner node."""
    leaves: dict[tuple[int, int], bytes] = {}
    code, previous = 0, 0
    for symbol in sorted(range(257), key=lambda s: (HUFFMAN_CODE_LENGTHS[s], s)):
        length = HUFFMAN_CODE_LENGTHS[symbol]
        code <<= length - previous
        previous = length
        # EOS becomes the empty leaf, which decoding treats as an error.
        leaves[code, length] = bytes((symbol,)) if symbol < 256 else b""
        code += 1

    def child(prefix: int, depth: int) -> _Node | bytes:
        leaf = leaves.get((prefix, depth))
        return node(prefix, depth, []) if leaf is None else leaf

    def node(prefix: int, depth: int, row: Row) -> _Node:
        made = _Node(child(prefix << 1, depth + 1), child(prefix << 1 | 1, depth + 1), row)
        _NODE_OF_ROW[id(row)] = made
        if depth <= 7 and prefix == (1 << depth) - 1:
            ACCEPTING.add(id(row))
        return made

    node(0, 0, ROOT_ROW)


def _expansion(node: _Node, bits: int) -> _Expansion:
    """The expansion of `bits` bits read from `node`, computed once."""
    found = node.expansions[bits]
    if found is None:
        found = ([node.row], [b""]) if bits == 0 else _halves(node, bits)
        node.expansions[bits] = found
    return found


def _halves(node: _Node, bits: int) -> _Expansion:
    """The expansion of `bits` bits from `node`: the strings starting with 0, then with 1."""
    rows, emitted = _branch(node.zero, bits - 1)
    more_rows, more_emitted = _branch(node.one, bits - 1)
    return rows + more_rows, emitted + more_emitted


def _branch(child: _Node | bytes, bits: int) -> _Expansion:
    """The expansion of the `bits` bits read after reaching `child`."""
    if isinstance(child, _Node):
        return _expansion(child, bits)
    if not child:
        return [DEAD_ROW] * (1 << bits), [b""] * (1 << bits)
    # A symbol ends here: the rest is read from the root, behind the symbol's byte.
    rows, emitted = _expansion(_NODE_OF_ROW[id(ROOT_ROW)], bits)
    if bits < 5:
        # No code is shorter than 5 bits: nothing more is emitted.
        return rows, [child] * len(rows)
    return rows, list(map(child.__add__, emitted))


def fill_row(row: Row) -> None:
    """Compute a state's row: the next states for each byte value, then the bytes emitted."""
    with _BUILD_LOCK:
        if not row:
            if not _NODE_OF_ROW:
                _build_tree()
            rows, emitted = _halves(_NODE_OF_ROW[id(row)], 8)
            row[:] = rows + emitted
