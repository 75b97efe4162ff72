"""Inbound HTTP/2 header blocks: the rules of RFC 9113 sections 8.1 to 8.3 for a client.

The engine (`_h2engine`) checks every decoded response block here; a malformed one is a stream
error (section 8.1.1), raised as `RemoteProtocolError`.

```python
response_fields([(b":status", b"200"), (b"content-length", b"2")]) == (
    200, [(b"content-length", b"2")], 2)
```
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

from ._exceptions import RemoteProtocolError

# What a response must not carry (section 8.2.2); Host is a request field, harmless here.
_CONNECTION_SPECIFIC_IN: Final = frozenset(
    (b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade")
)
# RFC 9113 section 8.2.1: a field name is lower-case, without controls, spaces, DEL, non-ASCII,
# or colons; a value has no NUL, CR or LF, and no whitespace at either end.
_NAME_RE: Final = re.compile(rb"[\x21-\x39\x3b-\x40\x5b-\x7e]+")
_BAD_VALUE_RE: Final = re.compile(rb"[\x00\r\n]")
_T = TypeVar("_T")
# Fields already found valid: most of a response head (server, content-type...) recurs in
# every response from a server. Only short fields that passed every check, and never those
# whose value means something here (content-length, te); emptied when full. Names likewise.
_VALID: set[tuple[bytes, bytes]] = set()
_VALID_NAMES: set[bytes] = set()
_VALID_MAX: Final = 512
_VALID_VALUE_SIZE: Final = 128
_MAX_LENGTH_DIGITS: Final = 19


def _check_field(field: tuple[bytes, bytes]) -> None:
    name, value = field
    if name not in _VALID_NAMES:
        if _NAME_RE.fullmatch(name) is None:
            raise RemoteProtocolError(f"invalid header name {name!r}")
        if name in _CONNECTION_SPECIFIC_IN:
            raise RemoteProtocolError(f"connection-specific header {name.decode()!r}")
        _remember(_VALID_NAMES, name)
    if name == b"te" and value.lower() != b"trailers":
        raise RemoteProtocolError(f"invalid TE header {value!r}")
    if _BAD_VALUE_RE.search(value) is not None or len(value.strip(b" \t")) != len(value):
        raise RemoteProtocolError(f"invalid value for header {name.decode()!r}: {value!r}")
    if len(value) <= _VALID_VALUE_SIZE and name != b"te":
        _remember(_VALID, field)


def _remember(cache: set[_T], item: _T) -> None:
    if len(cache) >= _VALID_MAX:
        cache.clear()
    cache.add(item)


def response_fields(
    headers: list[tuple[bytes, bytes]],
) -> tuple[int, list[tuple[bytes, bytes]], int | None]:
    """Check a response head block; return its status, its fields and its Content-Length.

    RFC 9113 section 8.3.2: `:status` is the only pseudo-header, once, before the fields.
    Raises `RemoteProtocolError` for a malformed block (a stream error, section 8.1.1).

    ```python
    response_fields([(b":status", b"200"), (b"content-length", b"2")]) == (
        200, [(b"content-length", b"2")], 2)
    ```
    """
    status = None
    fields: list[tuple[bytes, bytes]] = []
    length = None
    for field in headers:
        if field not in _VALID:
            name, value = field
            if name == b"content-length":
                length = _content_length(value, length)
            elif name[:1] == b":":
                if name != b":status" or status is not None or fields:
                    raise RemoteProtocolError(f"unexpected pseudo-header {name!r} in a response")
                status = value
                continue
            else:
                _check_field(field)
        fields.append(field)
    if status is None:
        raise RemoteProtocolError("a response without :status")
    if len(status) != 3 or not status.isdigit():
        raise RemoteProtocolError(f"invalid :status {status!r}")
    return int(status), fields, length


def _content_length(value: bytes, previous: int | None) -> int:
    # RFC 9110 section 8.6: one decimal number; repeated fields must agree.
    if not value.isdigit() or len(value) > _MAX_LENGTH_DIGITS:
        raise RemoteProtocolError(f"invalid content-length {value!r}")
    length = int(value)
    if previous is not None and length != previous:
        raise RemoteProtocolError(f"conflicting content-length {value!r}")
    return length


def trailer_fields(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Check a trailer block: fields only, no pseudo-headers (RFC 9113 section 8.1)."""
    for field in headers:
        if field not in _VALID:
            if field[0][:1] == b":":
                raise RemoteProtocolError(f"pseudo-header {field[0]!r} in trailers")
            _check_field(field)
    return headers
