"""HTTP/1.1 for a client, without I/O: request heads and body framing out, response events in.

The wire rules follow RFC 9112, with the same strictness as h11 (which the test suite uses as
the oracle in differential tests): what h11 rejects is rejected here too. The reader is built
for speed on the common path: one regular expression per line, no per-event objects beyond
the response head, and body bytes passed through without copies where possible.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from ._exceptions import LimitExceeded, LocalProtocolError, RemoteProtocolError, RequestTypeError

# RFC 9112 section 4; the reason phrase may be missing altogether (seen in the wild).
_STATUS_LINE_RE: Final = re.compile(
    rb"HTTP/([0-9]\.[0-9]) ([0-9]{3})(?: ([ \t\x21-\x7e\x80-\xff]*))?"
)
# RFC 9110 section 5: field-name ":" OWS field-value OWS, obs-text allowed in values. Every
# pattern here is unambiguous, so matching stays linear in the input: a hostile server cannot
# make the parser backtrack (a header line of 60 KB of spaces takes microseconds).
_TOKEN_RE: Final = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")
_BAD_VALUE_BYTE_RE: Final = re.compile(rb"[^\t\x20-\x7e\x80-\xff]")
_HEADER_BLOCK_RE: Final = re.compile(
    rb"(?:[-!#$%&'*+.^_`|~0-9a-zA-Z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*"
)
# RFC 9112 section 7.1; trailing whitespace before CRLF tolerated, as many servers send it.
_CHUNK_HEADER_RE: Final = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;[^\n]*|[ \t]*)")
_END_OF_HEAD_RE: Final = re.compile(rb"\n\r?\n")
_MAX_CONTENT_LENGTH_DIGITS: Final = 20
_FOLD_START: Final = (32, 9)  # SP, HTAB: an obsolete line folding continuation (RFC 9112 5.2)

NEED_DATA: Final = "NEED_DATA"
END_OF_MESSAGE: Final = "END_OF_MESSAGE"

_BODYLESS_STATUS: Final = frozenset((204, 304))
_CLOSE: Final = b"close"


class Head(NamedTuple):
    """A parsed response head; header names are lower-cased, values as sent."""

    status_code: int
    reason: bytes
    http_version: bytes
    headers: list[tuple[bytes, bytes]]


def request_head(method: bytes, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """Serialise a request head; the Request model has validated every part already."""
    lines = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in headers:
        lines += (name, b": ", value, b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


def has_close_token(value: bytes) -> bool:
    """Whether a Connection header value lists "close" (RFC 9112 section 9.6)."""
    lowered = value.lower()
    if _CLOSE not in lowered:
        return False
    return any(token.strip() == _CLOSE for token in lowered.split(b","))


class ResponseReader:
    """Parses one response (after any 1xx ones) to a request sent with `method`.

    Feed received bytes with `feed()` (b"" at end of stream), then call `next_event()`
    until it returns `NEED_DATA`: it yields a `Head` (1xx heads first, if any), then
    body `bytes`, then `END_OF_MESSAGE`. After the end, `keep_alive` tells whether the
    connection may carry another request, and `trailing` holds any bytes received
    beyond the response.
    """

    __slots__ = (
        "_buffer",
        "_chunk_left",
        "_eof",
        "_max_header_bytes",
        "_max_header_count",
        "_method",
        "_remaining",
        "_state",
        "keep_alive",
    )

    def __init__(self, method: bytes, *, max_header_bytes: int, max_header_count: int) -> None:
        self._method = method
        self._max_header_bytes = max_header_bytes
        self._max_header_count = max_header_count
        self._buffer = b""
        self._eof = False
        # "head", "length", "chunk-size", "chunk-data", "chunk-end", "trailers", "eof", "done"
        self._state = "head"
        self._remaining = 0
        self._chunk_left = 0
        self.keep_alive = True

    @property
    def trailing(self) -> bytes:
        return self._buffer

    @property
    def is_done(self) -> bool:
        return self._state == "done"

    def feed(self, data: bytes) -> None:
        if not data:
            self._eof = True
        elif self._buffer:
            self._buffer += data
        else:
            self._buffer = data

    def next_event(self) -> Head | bytes | str:
        state = self._state
        if state == "length":
            return self._read_length()
        if state == "head":
            return self._read_head()
        if state == "eof":
            return self._read_to_eof()
        if state == "done":
            return END_OF_MESSAGE
        return self._read_chunked()

    # Head ---------------------------------------------------------------------

    def _read_head(self) -> Head | str:
        buffer = self._buffer
        if not buffer:
            return self._incomplete_head()
        if buffer[:1] == b"\n" or buffer[:2] == b"\r\n":
            raise RemoteProtocolError("no response line received: the response starts blank")
        # The first blank line ends the head, with or without CR (as h11 reads it).
        match = _END_OF_HEAD_RE.search(buffer)
        if match is None:
            return self._incomplete_head()
        head_end = match.end()
        if head_end > self._max_header_bytes:
            raise LimitExceeded(
                f"the response head ({head_end} bytes) exceeds "
                f"max_header_bytes={self._max_header_bytes}"
            )
        self._buffer = buffer[head_end:]
        head = _parse_head(buffer[:head_end], self._max_header_count)
        if head.status_code >= 200:
            self._set_framing(head)
        return head

    def _incomplete_head(self) -> str:
        if len(self._buffer) > self._max_header_bytes:
            raise LimitExceeded(
                f"the response head exceeds max_header_bytes={self._max_header_bytes}"
            )
        if self._eof:
            raise RemoteProtocolError("the server closed the connection in the response head")
        return NEED_DATA

    def _set_framing(self, head: Head) -> None:
        """RFC 9112 section 6.3: how the body's length is determined."""
        content_length = None
        chunked = False
        headers = head.headers
        duplicates = []
        for index, (name, value) in enumerate(headers):
            if name == b"content-length":
                length, text = _parse_content_length(value)
                if content_length is None:
                    content_length = length
                    if text != value:
                        headers[index] = (name, text)
                elif length != content_length:
                    raise RemoteProtocolError("conflicting Content-Length headers")
                else:
                    duplicates.append(index)
            elif name == b"transfer-encoding":
                if chunked:
                    raise RemoteProtocolError("multiple Transfer-Encoding headers")
                if value.lower() != b"chunked":
                    raise RemoteProtocolError(
                        f"unsupported Transfer-Encoding {value!r}: only chunked is supported"
                    )
                chunked = True
                headers[index] = (name, b"chunked")
            elif name == b"connection" and has_close_token(value):
                self.keep_alive = False
        # Framing headers are reported normalised: one Content-Length, "chunked" in lower case.
        for index in reversed(duplicates):
            del headers[index]
        if head.http_version < b"1.1":
            self.keep_alive = False
        if self._method == b"HEAD" or head.status_code in _BODYLESS_STATUS:
            self._state = "done"
        elif chunked:
            # Section 6.1: Transfer-Encoding overrides Content-Length; a message with both
            # may be a smuggling attempt, so the connection is not reused afterwards.
            if content_length is not None:
                self.keep_alive = False
            self._state = "chunk-size"
        elif content_length is not None:
            self._remaining = content_length
            self._state = "length" if content_length else "done"
        else:
            self.keep_alive = False
            self._state = "eof"

    # Bodies -------------------------------------------------------------------

    def _read_length(self) -> bytes | str:
        buffer = self._buffer
        remaining = self._remaining
        if not remaining:
            self._state = "done"
            return END_OF_MESSAGE
        if not buffer:
            if self._eof:
                raise RemoteProtocolError(
                    "the server closed the connection without sending the complete body "
                    f"({remaining} of the Content-Length bytes missing)"
                )
            return NEED_DATA
        if len(buffer) <= remaining:
            self._buffer = b""
            self._remaining = remaining - len(buffer)
            return buffer
        self._buffer = buffer[remaining:]
        self._remaining = 0
        return buffer[:remaining]

    def _read_to_eof(self) -> bytes | str:
        buffer = self._buffer
        if buffer:
            self._buffer = b""
            return buffer
        if self._eof:
            self._state = "done"
            return END_OF_MESSAGE
        return NEED_DATA

    def _read_chunked(self) -> bytes | str:
        while True:
            state = self._state
            if state == "chunk-data":
                return self._read_chunk_data()
            if state == "trailers":
                return self._read_trailers()
            line = self._take_line()
            if line is None:
                return NEED_DATA
            if state == "chunk-size":
                match = _CHUNK_HEADER_RE.fullmatch(line)
                if match is None:
                    raise RemoteProtocolError(f"invalid chunk header {line[:40]!r}")
                size = int(match.group(1), 16)
                self._chunk_left = size
                self._state = "chunk-data" if size else "trailers"
            else:
                if line:
                    raise RemoteProtocolError("chunk data is not followed by CRLF")
                self._state = "chunk-size"

    def _read_trailers(self) -> str:
        """The trailer section: header lines up to a blank line (RFC 9112 section 7.1.2)."""
        buffer = self._buffer
        if buffer[:1] == b"\n" or buffer[:2] == b"\r\n":
            self._buffer = buffer[1 if buffer[:1] == b"\n" else 2 :]
        else:
            match = _END_OF_HEAD_RE.search(buffer)
            if match is None:
                if len(buffer) > self._max_header_bytes:
                    raise LimitExceeded(
                        f"the trailer section exceeds max_header_bytes={self._max_header_bytes}"
                    )
                if self._eof:
                    raise RemoteProtocolError("the server closed the connection in the trailers")
                return NEED_DATA
            self._buffer = buffer[match.end() :]
            for line in _unfold(_split_lines(buffer[: match.end()]), 0):
                _parse_field(line)
        self._state = "done"
        return END_OF_MESSAGE

    def _read_chunk_data(self) -> bytes | str:
        buffer = self._buffer
        if not buffer:
            if self._eof:
                raise RemoteProtocolError("the server closed the connection inside a chunk")
            return NEED_DATA
        left = self._chunk_left
        if len(buffer) <= left:
            self._buffer = b""
            data = buffer
        else:
            self._buffer = buffer[left:]
            data = buffer[:left]
        self._chunk_left = left - len(data)
        if not self._chunk_left:
            self._state = "chunk-end"
        return data

    def _take_line(self) -> bytes | None:
        """The next CRLF-terminated line of chunked framing, without the CRLF."""
        buffer = self._buffer
        end = buffer.find(b"\r\n")
        if end < 0:
            if len(buffer) > self._max_header_bytes:
                raise LimitExceeded(
                    f"a chunk header or trailer line exceeds {self._max_header_bytes} bytes"
                )
            if self._eof:
                raise RemoteProtocolError("the server closed the connection in chunked framing")
            return None
        self._buffer = buffer[end + 2 :]
        return buffer[:end]


def _split_lines(data: bytes) -> list[bytes]:
    """The lines of a header block that ends with a blank line, without their line ends."""
    lines = data.split(b"\n")
    del lines[-2:]  # the blank line that ends the block
    return [line[:-1] if line[-1:] == b"\r" else line for line in lines]


def _parse_head(data: bytes, max_header_count: int) -> Head:
    status_end = data.find(b"\n")
    status_line = data[
        : status_end - 1 if data[status_end - 1 : status_end] == b"\r" else status_end
    ]
    match = _STATUS_LINE_RE.fullmatch(status_line)
    if match is None:
        raise RemoteProtocolError(f"invalid status line {status_line[:80]!r}")
    version, status, reason = match.groups()
    block = data[status_end + 1 :]
    count = block.count(b"\n") - 1
    if count > max_header_count:
        raise LimitExceeded(
            f"the response has {count} header lines, more than max_header_count={max_header_count}"
        )
    if (
        block.count(b"\r\n") == count + 1
        and b"\n " not in block
        and b"\n\t" not in block
        and _HEADER_BLOCK_RE.fullmatch(block, 0, len(block) - 2) is not None
    ):
        # The common case: CRLF line ends, no folding, every line valid (checked above).
        headers = []
        for line in block[:-4].split(b"\r\n") if count else ():
            name, _, value = line.partition(b":")
            headers.append((name.lower(), value.strip(b" \t")))
    else:
        headers = [_parse_field(line) for line in _unfold(_split_lines(block), 0)]
    return Head(int(status), reason or b"", version, headers)


def _parse_field(line: bytes) -> tuple[bytes, bytes]:
    name, colon, value = line.partition(b":")
    if not colon or _TOKEN_RE.fullmatch(name) is None or _BAD_VALUE_BYTE_RE.search(value):
        raise RemoteProtocolError(f"invalid header line {line[:80]!r}")
    return name.lower(), value.strip(b" \t")


def _unfold(lines: list[bytes], start: int) -> list[bytes]:
    """Join obsolete line folding (RFC 9112 section 5.2) in `lines[start:]`."""
    if not any(line[:1] in (b" ", b"\t") for line in lines[start:]):
        return lines[start:]
    unfolded: list[bytes] = []
    for line in lines[start:]:
        if line and line[0] in _FOLD_START:
            if not unfolded:
                raise RemoteProtocolError("a continuation line starts the header section")
            unfolded[-1] += b" " + line.lstrip(b" \t")
        else:
            unfolded.append(line)
    return unfolded


def _parse_content_length(value: bytes) -> tuple[int, bytes]:
    """RFC 9110 section 8.6: a list of identical values is one value; anything else is an error."""
    values = {part.strip() for part in value.split(b",")} if b"," in value else {value}
    if len(values) != 1:
        raise RemoteProtocolError(f"conflicting Content-Length values {value!r}")
    text = values.pop()
    # bytes.isdigit() accepts ASCII digits only; RFC 9110 section 8.6 allows nothing else.
    if not text.isdigit() or len(text) > _MAX_CONTENT_LENGTH_DIGITS:
        raise RemoteProtocolError(f"invalid Content-Length {value!r}")
    return int(text), text


class BodyFramer:
    """Frames a request body: chunked, or checked against the declared Content-Length."""

    __slots__ = ("_chunked", "_left")

    def __init__(self, content_length: int | None, chunked: bool) -> None:
        self._chunked = chunked
        self._left = content_length or 0

    def frame(self, chunk: bytes) -> list[bytes]:
        if not isinstance(chunk, bytes):
            raise RequestTypeError(f"request body chunks must be bytes, not {type(chunk).__name__}")
        if self._chunked:
            return [b"%x\r\n" % len(chunk), chunk, b"\r\n"]
        if len(chunk) > self._left:
            raise LocalProtocolError("the request body is longer than its Content-Length")
        self._left -= len(chunk)
        return [chunk]

    def end(self) -> bytes:
        if self._chunked:
            return b"0\r\n\r\n"
        if self._left:
            raise LocalProtocolError(
                f"the request body is shorter than its Content-Length ({self._left} bytes missing)"
            )
        return b""
