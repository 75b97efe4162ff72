"""The HPACK codec: RFC 7541 examples as facts, differential tests against the `hpack`
library, malformed blocks, and the "HPACK bomb" limits (checked on sizes and call counts)."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import threading

import hpack
import pytest
from hpack.huffman import HuffmanEncoder
from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
from hpack.struct import NeverIndexedHeaderTuple

from httpcore import _hpack, _hpack_encoder, _hpack_tables
from httpcore._hpack import Decoder, HeaderListTooLarge, HPACKError
from httpcore._hpack_encoder import Encoder

huffman = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH).encode


def integer(value: int, prefix_bits: int, flags: int = 0) -> bytes:
    """An HPACK integer (RFC 7541 section 5.1), written independently of the module."""
    top = (1 << prefix_bits) - 1
    if value < top:
        return bytes([flags | value])
    out, value = [flags | top], value - top
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    return bytes([*out, value])


def raw(data: bytes) -> bytes:
    """A string literal without Huffman coding."""
    return integer(len(data), 7) + data


def repeated(symbol: int, count: int) -> bytes:
    """A Huffman string literal of one symbol many times, built without a slow encoder."""
    length = REQUEST_CODES_LENGTH[symbol]
    group = 8 // math.gcd(length, 8)  # the fewest codes that fill whole bytes
    assert count % group == 0
    pattern = 0
    for _ in range(group):
        pattern = pattern << length | REQUEST_CODES[symbol]
    data = pattern.to_bytes(group * length // 8, "big") * (count // group)
    return integer(len(data), 7, 0x80) + data


def coded(data: bytes) -> bytes:
    """A Huffman-coded string literal."""
    encoded = huffman(data)
    return integer(len(encoded), 7, 0x80) + encoded


# RFC 7541 Appendix C -----------------------------------------------------------------------


def test_integer_examples_c1():
    out = bytearray()
    _hpack_encoder._write_int(out, 0xE0, 0x1F, 10)
    _hpack_encoder._write_int(out, 0x00, 0x1F, 1337)
    _hpack_encoder._write_int(out, 0x00, 0xFF, 42)
    assert out.hex() == "ea" + "1f9a0a" + "2a"
    assert _hpack._read_int(b"\x1f\x9a\x0a", 1, 31) == (1337, 3)


@pytest.mark.parametrize(
    ("block", "field", "table"),
    [
        (
            "400a637573746f6d2d6b65790d637573746f6d2d686561646572",
            (b"custom-key", b"custom-header"),
            [(b"custom-key", b"custom-header")],
        ),
        ("040c2f73616d706c652f70617468", (b":path", b"/sample/path"), []),
        ("100870617373776f726406736563726574", (b"password", b"secret"), []),
        ("82", (b":method", b"GET"), []),
    ],
)
def test_field_examples_c2(block, field, table):
    decoder = Decoder()
    assert decoder.decode(bytes.fromhex(block)) == [field]
    assert list(decoder._table) == table


GET_HTTP = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/")]
AUTHORITY = (b":authority", b"www.example.com")
REQUESTS = [
    [*GET_HTTP, AUTHORITY],
    [*GET_HTTP, AUTHORITY, (b"cache-control", b"no-cache")],
    [
        (b":method", b"GET"),
        (b":scheme", b"https"),
        (b":path", b"/index.html"),
        AUTHORITY,
        (b"custom-key", b"custom-value"),
    ],
]
REQUEST_TABLE_SIZES = [57, 110, 164]
# C.3 without Huffman coding, C.4 with.
C3 = [
    "828684410f7777772e6578616d706c652e636f6d",
    "828684be58086e6f2d6361636865",
    "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
]
C4 = [
    "828684418cf1e3c2e5f23a6ba0ab90f4ff",
    "828684be5886a8eb10649cbf",
    "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
]


@pytest.mark.parametrize("blocks", [C3, C4], ids=["C.3", "C.4"])
def test_request_examples(blocks):
    decoder = Decoder()
    for block, headers, size in zip(blocks, REQUESTS, REQUEST_TABLE_SIZES, strict=True):
        assert decoder.decode(bytes.fromhex(block)) == headers
        assert decoder._size == size
    assert list(decoder._table) == [
        (b"custom-key", b"custom-value"),
        (b"cache-control", b"no-cache"),
        (b":authority", b"www.example.com"),
    ]


def test_encoder_reproduces_c3():
    encoder = Encoder()
    assert [encoder.encode(headers).hex() for headers in REQUESTS] == C3


DATE = b"Mon, 21 Oct 2013 20:13:21 GMT"
COOKIE = b"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
LOCATION = (b"location", b"https://www.example.com")
DATE_2 = DATE.replace(b"21 GMT", b"22 GMT")
RESPONSES = [
    [(b":status", b"302"), (b"cache-control", b"private"), (b"date", DATE), LOCATION],
    [(b":status", b"307"), (b"cache-control", b"private"), (b"date", DATE), LOCATION],
    [
        (b":status", b"200"),
        (b"cache-control", b"private"),
        (b"date", DATE_2),
        LOCATION,
        (b"content-encoding", b"gzip"),
        (b"set-cookie", COOKIE),
    ],
]
RESPONSE_TABLE_SIZES = [222, 222, 215]
# C.5 without Huffman coding, C.6 with; both with a 256-byte dynamic table.
C5 = [
    "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d54"
    "6e1768747470733a2f2f7777772e6578616d706c652e636f6d",
    "4803333037c1c0bf",
    "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a6970"
    "7738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d"
    "333630303b2076657273696f6e3d31",
]
C6 = [
    "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff"
    "6e919d29ad171863c78f0b97c8e9ae82ae43d3",
    "4883640effc1c0bf",
    "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab"
    "77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
]


@pytest.mark.parametrize("blocks", [C5, C6], ids=["C.5", "C.6"])
def test_response_examples_with_eviction(blocks):
    decoder = Decoder(max_table_size=256)
    # The examples assume a 256-byte table: the peer's first block announces it.
    blocks = ["3fe101" + blocks[0], *blocks[1:]]
    for block, headers, size in zip(blocks, RESPONSES, RESPONSE_TABLE_SIZES, strict=True):
        assert decoder.decode(bytes.fromhex(block)) == headers
        assert decoder._size == size
    assert list(decoder._table) == [
        (b"set-cookie", COOKIE),
        (b"content-encoding", b"gzip"),
        (b"date", DATE_2),
    ]


# The Huffman code ----------------------------------------------------------------------------


def test_code_lengths_give_the_rfc_codes():
    lengths = _hpack_tables.HUFFMAN_CODE_LENGTHS
    assert list(lengths) == list(REQUEST_CODES_LENGTH)
    code, previous, codes = 0, 0, {}
    for symbol in sorted(range(257), key=lambda s: (lengths[s], s)):
        code <<= lengths[symbol] - previous
        previous = lengths[symbol]
        codes[symbol] = code
        code += 1
    assert [codes[symbol] for symbol in range(257)] == list(REQUEST_CODES)


def test_static_table_matches_hpack():
    assert _hpack_tables.STATIC_TABLE == hpack.table.HeaderTable.STATIC_TABLE


def test_huffman_round_trips_every_byte_value():
    rng = random.Random(7541)
    samples = [bytes(range(256)), b"", b"0", DATE, COOKIE]
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(60))) for _ in range(300)]
    for sample in samples:
        assert _hpack._read_string(coded(sample), 0, 1 << 20) == (sample, len(coded(sample)))


def test_rows_are_built_once():
    _hpack._read_string(coded(b"warm"), 0, 100)
    row = _hpack_tables.ROOT_ROW
    before = list(row)
    _hpack_tables.fill_row(row)
    assert len(row) == 512
    assert all(a is b for a, b in zip(row, before, strict=True))


def test_rows_built_concurrently_agree():
    texts = [bytes(range(start, start + 40)) for start in range(0, 216, 12)]
    results: list[list[bytes]] = []

    def decode_all() -> None:
        results.append([_hpack._read_string(coded(t), 0, 1000)[0] for t in texts])

    threads = [threading.Thread(target=decode_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [texts] * 4


def test_import_builds_nothing():
    # In a fresh interpreter: nothing is built at import, a few rows for a first string, and a
    # string meeting many unbuilt rows decodes whole (each is built as the decoding meets it).
    every_byte = coded(bytes(range(256)) * 2)
    code = (
        "import httpcore._hpack as h, httpcore._hpack_tables as t\n"
        "assert not t._NODE_OF_ROW and not t.ROOT_ROW\n"
        "assert h.Decoder().decode(bytes.fromhex('418cf1e3c2e5f23a6ba0ab90f4ff'))"
        " == [(b':authority', b'www.example.com')]\n"
        "assert len(t._NODE_OF_ROW) == 256 and len(t.ROOT_ROW) == 512\n"
        "built = sum(1 for node in t._NODE_OF_ROW.values() if node.row)\n"
        "assert 0 < built < 30, built\n"
        f"assert h._read_string(bytes.fromhex('{every_byte.hex()}'), 0, 1000)[0]"
        " == bytes(range(256)) * 2\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "string",
    [
        b"\x81\x00",  # "0" (00000) padded with zeros
        b"\x81\xff",  # eight bits of padding
        b"\x82\x07\xff",  # "0", then fifteen bits of padding
        b"\x81\x1d",  # "a" (00011), then 101: the start of a longer code, not of EOS
        b"\x84\xff\xff\xff\xff",  # EOS (30 ones) inside the string
        b"\x85\xff\xff\xff\xfc\x00",  # EOS, then more
    ],
)
def test_bad_huffman_strings(string):
    with pytest.raises(HPACKError):
        Decoder().decode(b"\x00\x01a" + string)


def test_a_larger_table_is_used_once_announced():
    decoder = Decoder(max_table_size=8192)
    decoder.decode(b"\x40\x03x-a" + raw(b"v" * 4000))
    decoder.decode(b"\x40\x03x-b" + raw(b"v" * 100))  # the first entry is evicted
    assert [name for name, _ in decoder._table] == [b"x-b"]
    decoder.decode(integer(8192, 5, 0x20) + b"\x40\x03x-a" + raw(b"v" * 4000))
    assert [name for name, _ in decoder._table] == [b"x-a", b"x-b"]


def test_long_huffman_string_checked_in_steps():
    # Past the fast path's bound, the output is checked as it grows; valid padding passes.
    decoder = Decoder(max_header_list_size=100)
    value = b"&" * 60  # 8-bit codes: 60 bytes that could decode to 96
    assert decoder.decode(b"\x00\x01a" + coded(value)) == [(b"a", value)]
    bad = integer(61, 7, 0x80) + huffman(value) + b"\x00"
    with pytest.raises(HPACKError, match="padding"):
        decoder.decode(b"\x00\x01a" + bad)


# Differential tests against the hpack library -------------------------------------------------

NAMES = [b":authority", b":path", b"content-type", b"x-trace", b"cookie", b"date", b"etag", b"via"]


def random_headers(rng: random.Random) -> list[tuple[bytes, bytes]]:
    headers = []
    for _ in range(rng.randrange(12)):
        name = rng.choice(NAMES) if rng.random() < 0.7 else rng.randbytes(rng.randrange(1, 9))
        value = rng.choice([b"", b"text/html", b"gzip", rng.randbytes(rng.randrange(40))])
        headers.append((name, value))
    return headers


@pytest.mark.parametrize("use_huffman", [False, True])
def test_decodes_what_hpack_encodes(use_huffman):
    rng = random.Random(1 if use_huffman else 2)
    encoder, ours, theirs = hpack.Encoder(), Decoder(), hpack.Decoder()
    for step in range(400):
        if step % 50 == 49:
            size = rng.choice([0, 64, 256, 1024, 4096, 8192])
            ours.set_max_table_size(size)
            theirs.max_allowed_table_size = size
            encoder.header_table_size = size
        headers = random_headers(rng)
        sent: list[tuple[bytes, bytes] | NeverIndexedHeaderTuple] = list(headers)
        if headers and rng.random() < 0.2:
            sent[0] = NeverIndexedHeaderTuple(*headers[0])
        block = encoder.encode(sent, huffman=use_huffman)
        assert ours.decode(block) == headers == theirs.decode(block, raw=True)
        assert list(ours._table) == list(theirs.header_table.dynamic_entries)


def test_hpack_decodes_what_we_encode():
    rng = random.Random(3)
    encoder, decoder = Encoder(), hpack.Decoder()
    for step in range(400):
        if step % 40 == 39:
            encoder.set_max_table_size(rng.choice([0, 100, 300, 4096, 65536]))
        headers = random_headers(rng)
        assert decoder.decode(encoder.encode(headers), raw=True) == headers
        assert list(decoder.header_table.dynamic_entries) == list(reversed(encoder._table))


def test_sensitive_fields_are_never_indexed():
    encoder, decoder = Encoder(), hpack.Decoder()
    headers = [(b"authorization", b"Basic dXNlcjpwYXNz"), (b"cookie", b"a=1"), (b"x-secret", b"1")]
    headers.append((b"proxy-authorization", b"Bearer t"))
    decoded = decoder.decode(encoder.encode(headers), raw=True)
    assert decoded == headers
    sensitive = [isinstance(field, NeverIndexedHeaderTuple) for field in decoded]
    assert sensitive == [True, True, False, True]
    assert list(encoder._table) == [(b"x-secret", b"1")]


# The encoder -------------------------------------------------------------------------------------


def test_repeated_requests_cost_a_few_bytes():
    encoder = Encoder()
    request = [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/a")]
    request += [(b":authority", b"example.com"), (b"user-agent", b"duohttp/1.0")]
    first, second = encoder.encode(request), encoder.encode(request)
    # :path changes between requests, so it is sent as a literal and never indexed.
    assert second == b"\x82\x87\x04\x02/a\xbf\xbe"
    assert len(first) > 30
    assert Decoder().decode(first + second) == request * 2


def test_large_values_and_many_entries():
    encoder, decoder = Encoder(), Decoder()
    huge = [(b"x-big", b"v" * 2000)]  # more than a quarter of the table: not indexed
    assert decoder.decode(encoder.encode(huge)) == huge
    assert not encoder._table
    many = [(b"h%d" % n, b"") for n in range(110)]  # indexes past 127 need two bytes
    for _ in range(2):
        assert decoder.decode(encoder.encode(many)) == many
    # Indexes 62 to 126 take one byte, 127 to 171 two.
    assert len(encoder.encode(many)) == 65 + 45 * 2


def test_table_size_updates_open_the_next_block():
    encoder = Encoder()
    encoder.encode([(b"x-a", b"1")])
    encoder.set_max_table_size(65536)  # we keep 4096: nothing to signal
    assert encoder.encode([]) == b""
    encoder.set_max_table_size(0)
    assert not encoder._table
    assert encoder.encode([(b"x-a", b"1")]) == b"\x20\x00\x03x-a\x011"
    encoder.set_max_table_size(100)
    encoder.set_max_table_size(50)
    encoder.set_max_table_size(200)
    # RFC 7541 section 4.2: the smallest size in between, then the final one.
    assert encoder.encode([]) == integer(50, 5, 0x20) + integer(200, 5, 0x20)
    encoder.set_max_table_size(300)
    assert encoder.encode([]) == integer(300, 5, 0x20)


# Malformed blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (b"\xff", "truncated integer"),  # indexed, nothing after the full prefix
        (b"\xff\x80", "truncated integer"),  # cut inside the continuation bytes
        (b"\xff\x80\x80\x80\x80\x80\x01", "longer than 5"),
        (b"\x80", "index 0"),
        (b"\xbe", "index 62"),  # the dynamic table is empty
        (b"\xff\x80\x01", "index 255"),
        (b"\x7e\x01a", "index 62"),  # a literal naming a missing entry
        (b"\x40", "truncated header block"),  # a new name announced, then nothing
        (b"\x40\x05ab", "truncated string"),
        (b"\x00\x01a\x85ab", "truncated string"),  # Huffman-coded value
        (b"\x00\x01a\x7f", "truncated integer"),  # value length
        (b"\x82\x20", "after a header field"),  # RFC 7541 section 4.2
        (b"\x3f\xe2\x1f", "above our limit"),  # size update to 4097
    ],
)
def test_malformed_blocks(block, message):
    with pytest.raises(HPACKError, match=message):
        Decoder().decode(block)


def test_integer_continuation_bytes_are_bounded():
    assert _hpack._read_int(b"\x80\x80\x80\x80\x00", 0, 127) == (127, 5)
    with pytest.raises(HPACKError, match="longer than 5"):
        _hpack._read_int(b"\x80\x80\x80\x80\x80\x00", 0, 127)
    with pytest.raises(HPACKError, match="truncated"):
        _hpack._read_int(b"\x80\x80", 0, 127)


def test_size_updates_honour_our_settings():
    decoder = Decoder()
    decoder.decode(b"\x40\x03x-a\x011")
    decoder.set_max_table_size(8192)  # raising needs no update
    assert decoder.decode(b"\xbe") == [(b"x-a", b"1")]
    assert decoder.decode(integer(8192, 5, 0x20) + b"\xbe") == [(b"x-a", b"1")]
    decoder.set_max_table_size(0)
    with pytest.raises(HPACKError, match="missing"):
        decoder.decode(b"\x82")
    with pytest.raises(HPACKError, match="above"):
        decoder.decode(b"\x21")
    assert decoder.decode(b"\x20\x82") == [(b":method", b"GET")]
    assert not decoder._table
    assert decoder.decode(b"\x82") == [(b":method", b"GET")]


def test_lowered_twice_the_smallest_must_be_signalled():
    decoder = Decoder()
    decoder.set_max_table_size(50)
    decoder.set_max_table_size(100)
    with pytest.raises(HPACKError, match="missing"):
        decoder.decode(integer(100, 5, 0x20))
    decoder.set_max_table_size(50)
    decoder.set_max_table_size(100)
    assert decoder.decode(integer(40, 5, 0x20) + integer(100, 5, 0x20) + b"\x82")
    assert decoder._table_max == 100


def test_entry_larger_than_the_table_empties_it():
    decoder = Decoder(max_table_size=100)
    with pytest.raises(HPACKError, match="missing"):
        decoder.decode(b"\x82")
    decoder.decode(integer(100, 5, 0x20) + b"\x40\x03x-a\x011")
    assert decoder.decode(b"\x40\x03x-b" + raw(b"v" * 80)) == [(b"x-b", b"v" * 80)]
    assert not decoder._table
    assert decoder._size == 0


def test_indexed_name_from_the_dynamic_table():
    decoder = Decoder()
    decoder.decode(b"\x40\x03x-a\x011")
    assert decoder.decode(b"\x0f\x2f\x012\x1f\x2f\x013") == [(b"x-a", b"2"), (b"x-a", b"3")]


# Header list size and the HPACK bombs -------------------------------------------------------------


class Spy(bytes):
    """A block that records the lengths of the slices taken from it."""

    slices: list[int]

    def __getitem__(self, key):
        if isinstance(key, slice):
            self.slices.append(len(range(*key.indices(len(self)))))
        return super().__getitem__(key)


def spy(block: bytes) -> Spy:
    made = Spy(block)
    made.slices = []
    return made


def count_huffman_runs(monkeypatch) -> list[int]:
    """Record the length of every string handed to the Huffman decoding loop."""
    runs: list[int] = []
    run = _hpack._huffman_run

    def counted(data, row):
        runs.append(len(data))
        return run(data, row)

    monkeypatch.setattr(_hpack, "_huffman_run", counted)
    return runs


def test_header_list_size_bound_is_inclusive():
    block = b"\x82\x00\x01a\x01b"  # 7 + 3 + 32 and 1 + 1 + 32 bytes
    assert Decoder(max_header_list_size=76).decode(block)
    with pytest.raises(HeaderListTooLarge):
        Decoder(max_header_list_size=75).decode(block)
    decoder = Decoder()
    decoder.max_header_list_size = 75
    with pytest.raises(HeaderListTooLarge):
        decoder.decode(block)


def test_megabyte_literal_is_refused_unread():
    block = spy(b"\x00\x01a" + raw(b"v" * 1_000_000))
    with pytest.raises(HeaderListTooLarge):
        Decoder().decode(block)
    assert max(block.slices) == 1  # only the name was copied


def test_megabyte_huffman_literal_is_refused_unread(monkeypatch):
    runs = count_huffman_runs(monkeypatch)
    block = spy(b"\x00\x01a" + repeated(10, 300_000))  # 30-bit codes
    with pytest.raises(HeaderListTooLarge):
        Decoder().decode(block)
    assert runs == []
    assert max(block.slices) == 1


def test_huffman_literal_decoding_stops_at_the_limit(monkeypatch):
    runs = count_huffman_runs(monkeypatch)
    value = repeated(ord("a"), 200_000)  # 125,000 bytes of 5-bit codes: too few for the first check
    with pytest.raises(HeaderListTooLarge):
        Decoder().decode(b"\x00\x01a" + value)
    # 65,536 decoded bytes need about 41,000 coded ones: decoding stopped there.
    assert max(runs) == _hpack._HUFFMAN_STEP
    assert 40_000 < sum(runs) < 42_000


def test_repeated_reference_bomb(monkeypatch):
    lookups: list[int] = []
    dynamic = Decoder._dynamic

    def counted(self, index):
        lookups.append(index)
        return dynamic(self, index)

    monkeypatch.setattr(Decoder, "_dynamic", counted)
    block = b"\x40\x01x" + raw(b"y" * 4000) + b"\xbe" * 10_000
    with pytest.raises(HeaderListTooLarge):
        Decoder().decode(block)
    # 4,033 bytes per reference: the 17th passes 65,536.
    assert len(lookups) == 16


def test_name_counts_towards_the_limit():
    decoder = Decoder(max_header_list_size=100)
    with pytest.raises(HeaderListTooLarge):
        decoder.decode(b"\x00" + raw(b"n" * 69) + b"\x00")
    assert decoder.decode(b"\x00" + raw(b"n" * 68) + b"\x00") == [(b"n" * 68, b"")]


def test_short_huffman_strings_are_remembered_within_a_bound():
    _hpack._HUFFMAN_SEEN.clear()
    block = b"\x0f\x27" + bytes([0x80 | len(huffman(b"nginx"))]) + huffman(b"nginx")
    assert Decoder().decode(block) == [(b"server", b"nginx")]
    assert dict(_hpack._HUFFMAN_SEEN) == {huffman(b"nginx"): b"nginx"}
    # The same encoding again comes from what was remembered.
    _hpack._HUFFMAN_SEEN[huffman(b"nginx")] = b"remembered"
    assert Decoder().decode(block) == [(b"server", b"remembered")]
    for n in range(_hpack._SEEN_COUNT + 10):
        _hpack._huffman_cached(huffman(b"value-%d" % n))
    assert 0 < len(_hpack._HUFFMAN_SEEN) <= _hpack._SEEN_COUNT
    long = huffman(b"x" * 200)
    assert _hpack._huffman_cached(long) == b"x" * 200
    assert long not in _hpack._HUFFMAN_SEEN
    _hpack._HUFFMAN_SEEN.clear()


def test_bad_huffman_padding_is_never_remembered():
    _hpack._HUFFMAN_SEEN.clear()
    with pytest.raises(HPACKError, match="padding"):
        # "a" is the 5 bits 00011; the 3 bits after it must be ones (RFC 7541 section 5.2).
        _hpack._huffman_cached(b"\x18")
    assert not _hpack._HUFFMAN_SEEN
