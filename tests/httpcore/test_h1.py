"""The HTTP/1.1 wire code in httpcore._h1, checked against h11 as the oracle.

Rule of the differential tests: on every input, either both parsers reject it, or both accept
it with the same heads, body and keep-alive verdict. The one deliberate difference: we reject
control bytes other than HTAB in the status line and header values (RFC 9110 section 5.5),
which h11 lets through; inputs holding such bytes may be rejected by us alone.
"""

from __future__ import annotations

import random

import h11
import pytest

from httpcore._exceptions import LimitExceeded, LocalProtocolError, RemoteProtocolError
from httpcore._h1 import (
    END_OF_MESSAGE,
    NEED_DATA,
    BodyFramer,
    Head,
    ResponseReader,
    has_close_token,
    request_head,
)

MAX_HEAD = 16 * 1024
_CONTROL_BYTES = bytes(range(1, 9)) + bytes(range(14, 32)) + b"\x7f"
_CHECKED_CONTROLS = set(_CONTROL_BYTES)


def run_ours(method, pieces):
    reader = ResponseReader(method, max_header_bytes=MAX_HEAD, max_header_count=10_000)
    heads, body = [], b""
    pieces = list(pieces)
    try:
        while True:
            event = reader.next_event()
            if event is NEED_DATA:
                reader.feed(pieces.pop(0) if pieces else b"")
            elif isinstance(event, Head):
                heads.append((event.status_code, event.reason, event.http_version, event.headers))
                if event.status_code == 101:
                    return ("error",)
            elif event is END_OF_MESSAGE:
                return ("ok", heads, body, reader.keep_alive and not reader.trailing)
            else:
                body += event
    except (RemoteProtocolError, LimitExceeded):
        return ("error",)


def run_h11(method, pieces):
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    conn.send(h11.Request(method=method, target="/", headers=[("host", "example.com")]))
    conn.send(h11.EndOfMessage())
    heads, body = [], b""
    pieces = list(pieces)
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(pieces.pop(0) if pieces else b"")
            elif isinstance(event, (h11.Response, h11.InformationalResponse)):
                headers = [(bytes(n), bytes(v)) for n, v in event.headers]
                heads.append((event.status_code, bytes(event.reason), event.http_version, headers))
                if event.status_code == 101:
                    return ("error",)
            elif isinstance(event, h11.Data):
                body += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                trailing, closed = conn.trailing_data
                keep_alive = conn.their_state is h11.DONE and not trailing and not closed
                return ("ok", heads, body, keep_alive)
            else:  # ConnectionClosed before a complete response
                return ("error",)
    except h11.ProtocolError:
        return ("error",)


def split(data, rng):
    pieces, i = [], 0
    while i < len(data):
        n = rng.choice((1, 2, 3, 7, 64, 1000))
        pieces.append(data[i : i + n])
        i += n
    return pieces


def assert_same(method, data, seed=0):
    pieces = split(data, random.Random(seed))
    ours = run_ours(method, pieces)
    oracle = run_h11(method, pieces)
    if ours[0] == "error" and oracle[0] == "ok" and _CHECKED_CONTROLS & set(data):
        return ours
    assert ours[:3] == oracle[:3], data
    if ours[0] == "ok":
        # h11 keeps a connection when both sides are DONE; we also refuse to keep one whose
        # response had both Content-Length and Transfer-Encoding.
        smuggling = b"content-length" in data.lower() and b"transfer-encoding" in data.lower()
        assert ours[3] == oracle[3] or (smuggling and not ours[3]), data
    return ours


VALID = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nHello, world",
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 404 Not Found\r\nX-A: 1\r\nX-B:2\r\nX-C:   spaced  value  \r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\nread until the connection closes",
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok",
    b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\tc\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nokokEXTRA",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"2\r\nok\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Obs: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 599 W\xe9ird\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
]

INVALID = [
    b"",
    b"garbage\r\n\r\n",
    b"\r\nHTTP/1.1 200 OK\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"HTTP/1.1 abc OK\r\n\r\n",
    b"HTTP/11 200 OK\r\n\r\n",
    b"http/1.1 200 OK\r\n\r\n",
    b"HTTP/1.1  200 OK\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nx",
    b"HTTP/1.1 200 OK\r\nContent-Length: 123456789012345678901\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n X-Fold: first\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nContent-Len",
    b"\x00\x01\x02\xff\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
]


@pytest.mark.parametrize("data", VALID)
@pytest.mark.parametrize("seed", [0, 1])
def test_valid_responses_match_h11(data, seed):
    result = assert_same(b"GET", data, seed)
    assert result[0] == "ok"


@pytest.mark.parametrize("data", INVALID)
def test_invalid_responses_match_h11(data):
    result = assert_same(b"GET", data)
    assert result[0] == "error"


@pytest.mark.parametrize("data", VALID[:8])
def test_head_requests_match_h11(data):
    assert assert_same(b"HEAD", data)[0] == "ok"


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(data) + 1)
        op = rng.random()
        byte = rng.choice(b"\r\n \t:;,0119aAfF-\x00\x7f\x80\xff")
        if op < 0.4 and pos < len(data):
            data[pos] = byte
        elif op < 0.7:
            data.insert(pos, byte)
        elif pos < len(data):
            del data[pos]
    return bytes(data)


def test_mutated_responses_match_h11():
    """A deterministic fuzz: thousands of small corruptions of valid responses."""
    rng = random.Random(2026)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(6000):
        data = mutate(rng.choice(VALID), rng)
        outcomes[assert_same(rng.choice((b"GET", b"HEAD")), data, rng.randrange(100))[0]] += 1
    # Both kinds of outcome occur, or the fuzz is not exercising anything.
    assert outcomes["ok"] > 500
    assert outcomes["error"] > 500


def test_control_bytes_are_rejected_where_h11_accepts_them():
    data = b"HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n"
    assert run_ours(b"GET", [data]) == ("error",)
    assert run_h11(b"GET", [data])[0] == "ok"


def test_head_limits():
    big = b"HTTP/1.1 200 OK\r\nX: " + b"a" * 200 + b"\r\n\r\n"
    reader = ResponseReader(b"GET", max_header_bytes=100, max_header_count=10)
    reader.feed(big)
    with pytest.raises(LimitExceeded, match="max_header_bytes=100"):
        reader.next_event()
    incomplete = ResponseReader(b"GET", max_header_bytes=100, max_header_count=10)
    incomplete.feed(big[:150])
    with pytest.raises(LimitExceeded, match="max_header_bytes=100"):
        incomplete.next_event()
    many = b"HTTP/1.1 200 OK\r\n" + b"X: 1\r\n" * 11 + b"\r\n"
    counted = ResponseReader(b"GET", max_header_bytes=1000, max_header_count=10)
    counted.feed(many)
    with pytest.raises(LimitExceeded, match="max_header_count=10"):
        counted.next_event()


def test_long_chunk_line_is_bounded():
    reader = ResponseReader(b"GET", max_header_bytes=100, max_header_count=10)
    reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + b"x" * 200)
    assert isinstance(reader.next_event(), Head)
    with pytest.raises(LimitExceeded, match="chunk header"):
        reader.next_event()


def test_body_is_passed_through_without_copies():
    reader = ResponseReader(b"GET", max_header_bytes=1000, max_header_count=10)
    reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    assert isinstance(reader.next_event(), Head)
    assert reader.next_event() is NEED_DATA
    chunk = b"x" * 100000
    reader.feed(chunk)
    assert reader.next_event() is chunk
    assert reader.next_event() is END_OF_MESSAGE
    assert reader.is_done
    assert reader.next_event() is END_OF_MESSAGE


def test_request_head():
    head = request_head(b"GET", b"/a?b", [(b"Host", b"example.com"), (b"x-a", b"1")])
    assert head == b"GET /a?b HTTP/1.1\r\nHost: example.com\r\nx-a: 1\r\n\r\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(b"close", True), (b"Keep-Alive, CLOSE", True), (b"keep-alive", False), (b"closed", False)],
)
def test_close_token(value, expected):
    assert has_close_token(value) is expected


def test_body_framer_chunked():
    framer = BodyFramer(None, chunked=True)
    assert framer.frame(b"hello") == [b"5\r\n", b"hello", b"\r\n"]
    assert framer.end() == b"0\r\n\r\n"


def test_body_framer_content_length():
    framer = BodyFramer(5, chunked=False)
    assert framer.frame(b"hel") == [b"hel"]
    with pytest.raises(LocalProtocolError, match="2 bytes missing"):
        framer.end()
    with pytest.raises(LocalProtocolError, match="longer"):
        framer.frame(b"lo!")
    assert framer.frame(b"lo") == [b"lo"]
    assert framer.end() == b""
    with pytest.raises(TypeError, match="bytes"):
        framer.frame("text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        b"X:" + b" " * 60000 + b"\x01",
        b"X: a" + b" " * 60000 + b"\x01",
        b" " * 60000,
        b"X:" + b"\t " * 30000 + b"\r",
    ],
)
def test_hostile_header_lines_are_rejected(line):
    """Each line is rejected; the patterns are unambiguous, so this takes microseconds.

    With overlapping whitespace runs (as in h11's header pattern) the first line alone took
    about 30 seconds of backtracking on the development machine.
    """
    reader = ResponseReader(b"GET", max_header_bytes=70000, max_header_count=100)
    reader.feed(b"HTTP/1.1 200 OK\r\n" + line + b"\r\n\r\n")
    with pytest.raises(RemoteProtocolError, match=r"invalid header line|continuation"):
        reader.next_event()


def test_hostile_chunk_extension_is_rejected():
    reader = ResponseReader(b"GET", max_header_bytes=70000, max_header_count=100)
    reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    reader.feed(b"5;" + b" " * 60000 + b"\n\r\n")
    assert isinstance(reader.next_event(), Head)
    with pytest.raises(RemoteProtocolError, match="chunk"):
        reader.next_event()


def test_trailer_section_is_bounded():
    reader = ResponseReader(b"GET", max_header_bytes=100, max_header_count=10)
    reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + b"a" * 200)
    assert isinstance(reader.next_event(), Head)
    with pytest.raises(LimitExceeded, match="trailer section"):
        reader.next_event()
