"""The requests-style Response: reading and streaming its body (the pure parts: models)."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpcore

from .._flavors import AsyncFlavor
from ..cookies import RequestsCookieJar, cookiejar_from_dict
from ..exceptions import StreamConsumedError, map_core_exceptions
from ..models import ResponseMixin
from ..structures import CaseInsensitiveDict

# What iter_content() yields per step when the caller asks for chunk_size=None.
_ITER_CHUNK_SIZE = 512


class RawStream:
    """`response.raw`: the body as sent (still content-encoded), read like a file.

    `await raw.read(amt)` returns up to `amt` bytes (all that is left when `amt` is None),
    `b""` at the end; `read(..., decode_content=True)` decodes Content-Encoding.
    """

    def __init__(self, core: httpcore.Response) -> None:
        self._core = core
        self._iterator: AsyncIterator[bytes] | None = None
        self._buffer = b""
        self._decode = False
        self.closed = False

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return self._core.headers

    @property
    def status(self) -> int:
        return self._core.status_code

    @property
    def http_version(self) -> str:
        """The protocol of the response: "HTTP/1.1", "HTTP/2" or "HTTP/1.0"."""
        return self._core.http_version

    async def _next_chunk(self) -> bytes:
        if self._iterator is None:
            self._iterator = (self._core.stream() if self._decode else self._core.raw()).__aiter__()
        try:
            return await self._iterator.__anext__()
        except StopAsyncIteration:
            return b""

    async def read(self, amt: int | None = None, decode_content: bool = False) -> bytes:
        if self._iterator is None:
            self._decode = decode_content
        parts = [self._buffer]
        size = len(self._buffer)
        while amt is None or size < amt:
            chunk = await self._next_chunk()
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        data = b"".join(parts)
        if amt is None or len(data) <= amt:
            self._buffer = b""
            return data
        self._buffer = data[amt:]
        return data[:amt]

    async def stream(self, amt: int = 65536, decode_content: bool = False) -> AsyncIterator[bytes]:
        while True:
            data = await self.read(amt, decode_content=decode_content)
            if not data:
                return
            yield data

    async def close(self) -> None:
        self.closed = True
        await self._core.close()


class Response(ResponseMixin):
    """A response, as in requests.

    A response from a request made with `stream=False` (the default) has its body read:
    `content`, `text` and `json()` work at once. With `stream=True`, iterate it with
    `async for chunk in response.iter_content()` or read it with `await response.read()`;
    close it with `await response.close()` (or `async with response:`) when you stop early.

    ```python
    response = await session.get(url, stream=True)
    async with response:
        async for line in response.iter_lines():
            ...
    ```
    """

    raw: RawStream | None

    def __init__(self) -> None:
        self._content: bytes | None = None
        self.status_code: int = 0
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        self.url: str = ""
        self.encoding: str | None = None
        self.history: list[Response] = []
        self.reason: str = ""
        self.cookies: RequestsCookieJar = cookiejar_from_dict({})
        self.elapsed = timedelta(0)
        self.request: Any = None
        self._next: Any = None
        self.raw = None
        self.connection: Any = None
        self._content_consumed = False
        self._owning_session: Any = None

    @property
    def content(self) -> bytes:
        """The body in bytes.

        For a `stream=True` response not read yet, the async flavor raises `ContentNotRead`
        (use `await response.read()`); the sync flavor reads the body now, as requests does.
        """
        if self._content is None:
            return AsyncFlavor.unread_content(self)
        return self._content

    async def read(self) -> bytes:
        """Read the whole (decoded) body, once; later calls return it again."""
        if self._content is None:
            self._check_not_consumed()
            raw = self.raw
            assert raw is not None, "a response without a body stream"
            self._content_consumed = True
            # httpcore's read(): its fast path, and its ProtocolLimits.max_body_bytes bound.
            with map_core_exceptions(self.request, reading_body=True):
                self._content = await raw._core.read()
            await self._close_owning_session()
        return self._content

    def _check_not_consumed(self) -> None:
        if self._content_consumed:
            raise StreamConsumedError("the content for this response was already consumed")

    async def _decoded_chunks(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        raw = self.raw
        assert raw is not None, "a response without a body stream"
        self._content_consumed = True
        with map_core_exceptions(self.request, reading_body=True):
            async for chunk in raw._core.stream(chunk_size):
                yield chunk
        # The body was read to the end, so its connection is idle now: a session opened
        # for this response alone (by the module functions) has nothing left to do.
        await self._close_owning_session()

    async def _read_at_most(self, limit: int) -> None:
        """Read the body into `content` unless it turns out longer than `limit` bytes."""
        if self._content is not None or self._content_consumed or self.raw is None:
            return
        parts: list[bytes] = []
        size = 0
        async for chunk in self._decoded_chunks():
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                # The caller closes the response, which drops the rest with the connection.
                return
        self._content = b"".join(parts)

    def iter_content(
        self, chunk_size: int | None = 1, decode_unicode: bool = False
    ) -> AsyncIterator[Any]:
        """Iterate over the body in pieces of `chunk_size` bytes (as they arrive for None).

        Arguments: `chunk_size`, bytes per piece (None or a size below 1: as received);
        `decode_unicode`, yield `str` decoded with `encoding` (bytes if it is unknown).
        Raises `StreamConsumedError` if the body was already iterated over.

        ```python
        with open("download.bin", "wb") as file:
            async for chunk in response.iter_content(chunk_size=65536):
                file.write(chunk)
        ```
        """
        if chunk_size is not None and not isinstance(chunk_size, int):
            raise TypeError(f"chunk_size must be an int, it is instead a {type(chunk_size)}.")
        if self._content is None:
            self._check_not_consumed()
        return self._iter_content(chunk_size, decode_unicode)

    async def _iter_content(
        self, chunk_size: int | None, decode_unicode: bool
    ) -> AsyncIterator[Any]:
        chunks = self._iter_bytes(chunk_size)
        if not decode_unicode or self.encoding is None:
            # requests yields bytes unchanged when the encoding is unknown.
            async for chunk in chunks:
                yield chunk
            return
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        async for chunk in chunks:
            text = decoder.decode(chunk)
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail

    async def _iter_bytes(self, chunk_size: int | None) -> AsyncIterator[bytes]:
        if self._content is not None:
            for chunk in _slices(self._content, chunk_size):
                yield chunk
        else:
            # httpcore reads pieces of chunk_size from the socket: cutting them out of larger
            # reads would copy every byte once more.
            async for chunk in _rechunk(self._decoded_chunks(chunk_size), chunk_size):
                yield chunk

    def iter_lines(
        self,
        chunk_size: int = _ITER_CHUNK_SIZE,
        decode_unicode: bool = False,
        delimiter: str | bytes | None = None,
    ) -> AsyncIterator[Any]:
        """Iterate over the body line by line (requests' rules, its `delimiter` handling too).

        Lines are split with `splitlines()` (or on `delimiter`), without their line breaks.

        ```python
        async for line in response.iter_lines(decode_unicode=True):
            print(line)
        ```
        """
        chunks = self.iter_content(chunk_size=chunk_size, decode_unicode=decode_unicode)
        return _split_lines(chunks, delimiter)

    async def close(self) -> None:
        """Release the connection (closing it if the body was not read to the end)."""
        if self.raw is not None:
            await self.raw.close()
        await self._close_owning_session()

    async def _close_owning_session(self) -> None:
        if self._owning_session is not None:
            session, self._owning_session = self._owning_session, None
            await session.close()

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.connection = None
        self._content_consumed = True
        self._owning_session = None

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


def _slices(data: bytes, size: int | None) -> list[bytes]:
    # As requests' iter_slices: no size (or one below 1) means the whole body at once.
    step = size if size is not None and size > 0 else len(data) or 1
    return [data[i : i + step] for i in range(0, len(data), step)]


async def _rechunk(chunks: AsyncIterator[bytes], size: int | None) -> AsyncIterator[bytes]:
    if size is None or size < 1:
        async for chunk in chunks:
            yield chunk
        return
    buffer = b""
    async for chunk in chunks:
        buffer = buffer + chunk if buffer else chunk
        # Slice by offset: cutting the front off the buffer piece by piece is quadratic.
        end = len(buffer) - len(buffer) % size
        for start in range(0, end, size):
            yield buffer[start : start + size]
        buffer = buffer[end:]
    if buffer:
        yield buffer


async def _split_lines(
    chunks: AsyncIterator[Any], delimiter: str | bytes | None
) -> AsyncIterator[Any]:
    carried: Any = None
    async for chunk in chunks:
        data = chunk if carried is None else carried + chunk
        parts = data.split(delimiter) if delimiter else data.splitlines()
        # The last part continues in the next chunk unless the data ended on a break.
        unfinished = bool(parts) and bool(parts[-1]) and parts[-1][-1:] == data[-1:]
        carried = parts.pop() if unfinished else None
        for part in parts:
            yield part
    if carried is not None:
        yield carried
