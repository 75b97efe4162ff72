"""`multipart/form-data` bodies (RFC 7578) that stream their files instead of buffering them.

`encode_files(files, data)` applies requests' rules for `files=` and `data=` and returns a
`BodyStream`: an iterable of `bytes` that reads each file in 64 KiB chunks while it is sent,
knows its total `length` when every file's size is known, and can be iterated again (for a 307
or 308 redirect, or an auth retry) by seeking its files back to where they started.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeGuard

from .exceptions import UnrewindableBodyError
from .utils import guess_filename, to_key_val_list

__all__ = [
    "CHUNK_SIZE",
    "BodyStream",
    "SupportsRead",
    "choose_boundary",
    "encode_files",
    "is_readable",
]

CHUNK_SIZE = 64 * 1024

# Headers urllib3 (and so requests) writes first in each part, in this order.
_LEADING_HEADERS = ("Content-Disposition", "Content-Type", "Content-Location")

_UNREWINDABLE = "Unable to rewind request body for redirect."
_REWIND_FAILED = "An error occurred when rewinding request body for redirect."


class SupportsRead(Protocol):
    """Anything with a `read(size)` method: files, sockets' makefile(), `io` streams."""

    def read(self, size: int = ..., /) -> bytes | str: ...


def choose_boundary() -> str:
    """Return a fresh random boundary: 32 hex digits, as urllib3 makes them."""
    return secrets.token_hex(16)


def format_param(name: str, value: str | bytes) -> str:
    """Render one `Content-Disposition` parameter as browsers do.

    Values are UTF-8; `"`, CR and LF are percent-encoded, following the HTML Standard's
    multipart/form-data encoding (RFC 7578 section 4.2 leaves the escaping to it).

    ```python
    assert format_param("filename", 'a "b".txt') == 'filename="a %22b%22.txt"'
    ```
    """
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return f'{name}="{text.translate({10: "%0A", 13: "%0D", 34: "%22"})}"'


class _FileSource:
    """One file's contents, read in chunks from the position it had when the body was built."""

    def __init__(self, file: SupportsRead) -> None:
        self.file = file
        self.start = _tell(file)
        self.length = _remaining(file, self.start) if _is_binary(file) else None

    def rewind(self) -> None:
        seek = getattr(self.file, "seek", None)
        if self.start is None or seek is None:
            raise UnrewindableBodyError(_UNREWINDABLE)
        try:
            seek(self.start)
        except OSError as exc:
            raise UnrewindableBodyError(_REWIND_FAILED) from exc

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.file.read(CHUNK_SIZE):
            yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


def _tell(file: SupportsRead) -> int | None:
    tell = getattr(file, "tell", None)
    if tell is None:
        return None
    try:
        return int(tell())
    except OSError:
        return None


def _is_binary(file: SupportsRead) -> bool:
    # Only a binary file's size in bytes is its contribution to Content-Length; a text file's
    # encoded size is unknown until it has been read, so it goes out chunked.
    if isinstance(file, io.TextIOBase):
        return False
    if isinstance(file, io.RawIOBase | io.BufferedIOBase):
        return True
    mode = getattr(file, "mode", None)
    return isinstance(mode, str) and "b" in mode


def _remaining(file: SupportsRead, start: int | None) -> int | None:
    tell, seek = getattr(file, "tell", None), getattr(file, "seek", None)
    if start is None or tell is None or seek is None:
        return None
    try:
        seek(0, os.SEEK_END)
        end = int(tell())
        seek(start)
    except OSError:
        return None
    return max(0, end - start)


class BodyStream:
    """A `multipart/form-data` body: an iterable of `bytes` chunks, replayable when seekable.

    Built by `encode_files`; the adapter sends it as an iterator. `length` is the exact size
    in bytes when every file part's size is known (then `Content-Length` is sent), else `None`
    (chunked). Iterating again seeks every file back to where it was when the body was built;
    when a file cannot seek, a second iteration raises `UnrewindableBodyError`.

    Arguments: `segments`, the body in order, each either `bytes` or a file's contents;
    `boundary`, the part delimiter it was built with.

    ```python
    with open("report.csv", "wb") as report:
        report.write(b"id,total")
    with open("report.csv", "rb") as report:
        body = encode_files({"upload": report}, {"kind": "csv"})
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length)}
        sent = b"".join(body)  # the file is read as the body is iterated
    assert len(sent) == body.length
    ```
    """

    def __init__(self, segments: Iterable[bytes | _FileSource], boundary: str) -> None:
        merged: list[bytes | _FileSource] = []
        for segment in segments:
            if isinstance(segment, bytes) and merged and isinstance(merged[-1], bytes):
                merged[-1] += segment
            else:
                merged.append(segment)
        self._segments = merged
        self._started = False
        self.boundary = boundary
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.length: int | None = 0
        for segment in merged:
            size = len(segment) if isinstance(segment, bytes) else segment.length
            self.length = None if size is None or self.length is None else self.length + size

    def __iter__(self) -> Iterator[bytes]:
        if self._started:
            self.rewind()
        self._started = True
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        for segment in self._segments:
            if isinstance(segment, bytes):
                yield segment
            else:
                yield from segment.chunks()

    def rewind(self) -> None:
        """Seek every file back to where it stood; `UnrewindableBodyError` if one cannot."""
        for segment in self._segments:
            if isinstance(segment, _FileSource):
                segment.rewind()

    def __repr__(self) -> str:
        size = "unknown length" if self.length is None else f"{self.length} bytes"
        return f"<BodyStream [{self.content_type}, {size}]>"


def encode_files(files: Any, data: Any) -> BodyStream:
    """Build the `multipart/form-data` body for requests' `files=` and `data=` arguments.

    `data` (a dict or list of pairs; list values repeat a field) gives plain fields, written
    first; `files` maps field names to a file, a string or bytes, or a tuple
    `(filename, file)`, `(filename, file, content_type)` or
    `(filename, file, content_type, headers)`. A `None` value or file is left out.

    Raises `ValueError` without files or with `data` given as a string.

    ```python
    body = encode_files({"f": ("a.txt", b"hello", "text/plain")}, {"note": "hi"})
    assert body.length == len(b"".join(body))
    ```
    """
    if not files:
        raise ValueError("Files must be provided.")
    if isinstance(data, str | bytes):
        raise ValueError("Data must not be a string.")
    boundary = choose_boundary()
    segments: list[bytes | _FileSource] = []
    for name, value in _form_fields(data):
        headers = {"Content-Disposition": _disposition(name, None)}
        segments += [_part_head(boundary, headers), value, b"\r\n"]
    for name, spec in to_key_val_list(files):
        part = _file_part(name, spec)
        if part is not None:
            headers, content = part
            segments += [_part_head(boundary, headers), content, b"\r\n"]
    segments.append(f"--{boundary}--\r\n".encode("latin-1"))
    return BodyStream(segments, boundary)


def _form_fields(data: Any) -> Iterator[tuple[str, bytes]]:
    for field, values in to_key_val_list(data or {}):
        if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
            values = [values]
        name = field.decode("utf-8") if isinstance(field, bytes) else field
        for value in values:
            if value is not None:
                text = value if isinstance(value, bytes) else str(value).encode("utf-8")
                yield name, text


def _file_part(name: Any, spec: Any) -> tuple[dict[str, Any], bytes | _FileSource] | None:
    content_type = extra = None
    if isinstance(spec, tuple | list):
        if len(spec) == 2:
            filename, file = spec
        elif len(spec) == 3:
            filename, file, content_type = spec
        else:
            filename, file, content_type, extra = spec
    else:
        filename, file = guess_filename(spec) or name, spec
    if file is None:
        return None
    content = _FileSource(file) if is_readable(file) else _as_bytes(file)
    headers: dict[str, Any] = dict(extra) if extra else {}
    headers["Content-Disposition"] = _disposition(name, filename)
    headers["Content-Type"] = content_type
    headers["Content-Location"] = None
    return headers, content


def is_readable(value: object) -> TypeGuard[SupportsRead]:
    """Whether `value` has a `read` method, as a file has (str and bytes have none).

    What `isinstance` against a runtime-checkable protocol decides, without its cost (tens of
    microseconds, paid for every request's body).
    """
    return getattr(value, "read", None) is not None


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str | int):
        return str(value).encode("utf-8")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"a bytes-like object is required, not '{type(value).__name__}'")


def _disposition(name: str | bytes, filename: str | bytes | None) -> str:
    params = [format_param("name", name)]
    if filename is not None:
        params.append(format_param("filename", filename))
    return "; ".join(["form-data", *params])


def _part_head(boundary: str, headers: Mapping[str, Any]) -> bytes:
    lines = [f"--{boundary}"]
    lines += [f"{key}: {headers[key]}" for key in _LEADING_HEADERS if headers.get(key)]
    lines += [f"{k}: {v}" for k, v in headers.items() if k not in _LEADING_HEADERS and v]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
