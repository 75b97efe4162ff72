"""The requests-style Response: reading and streaming its body (the pure parts: models)."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpcore

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

    async def read(self) -> bytes:
        """Read the whole (decoded) body, once; later calls return it again."""
        if self._content is None:
            if self._content_consumed:
                raise StreamConsumedError("the content for this response was already consumed")
            parts = [chunk async for chunk in self._decoded_chunks()]
            self._content = b"".join(parts)
        return self._content

    async def _decoded_chunks(self) -> AsyncIterator[bytes]:
        raw = self.raw
        assert raw is not None, "a response without a body stream"
        self._content_consumed = True
        with map_core_exceptions(self.request, reading_body=True):
            async for chunk in raw._core.stream():
                yield chunk

    async def iter_content(
        self, chunk_size: int | None = 1, decode_unicode: bool = False
    ) -> AsyncIterator[Any]:
        """Yield the body in pieces of `chunk_size` bytes (as they arrive for None)."""
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
        ):
            raise TypeError(f"chunk_size must be an int, it is instead a {type(chunk_size)}.")
        if self._content is not None:
            chunks = _slices(self._content, chunk_size or len(self._content) or 1)
        else:
            if self._content_consumed:
                raise StreamConsumedError("the content for this response was already consumed")
            chunks = None
        decoder = _unicode_decoder(self.encoding) if decode_unicode else None
        if chunks is not None:
            for chunk in chunks:
                yield decoder.decode(chunk) if decoder is not None else chunk
        else:
            async for chunk in _rechunk(self._decoded_chunks(), chunk_size):
                yield decoder.decode(chunk) if decoder is not None else chunk
        if decoder is not None:
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail

    async def iter_lines(
        self,
        chunk_size: int = _ITER_CHUNK_SIZE,
        decode_unicode: bool = False,
        delimiter: str | bytes | None = None,
    ) -> AsyncIterator[Any]:
        """Yield the body line by line (requests' rules, including its `delimiter` handling)."""
        carried: Any = None
        async for chunk in self.iter_content(chunk_size=chunk_size, decode_unicode=decode_unicode):
            data = chunk if carried is None else carried + chunk
            parts = data.split(delimiter) if delimiter else data.splitlines()
            # The last part continues in the next chunk unless the data ended on a break.
            unfinished = bool(parts) and bool(parts[-1]) and parts[-1][-1:] == data[-1:]
            carried = parts.pop() if unfinished else None
            for part in parts:
                yield part
        if carried is not None:
            yield carried

    async def close(self) -> None:
        """Release the connection (closing it if the body was not read to the end)."""
        if self.raw is not None:
            await self.raw.close()
        if self._owning_session is not None:
            session, self._owning_session = self._owning_session, None
            await session.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


def _slices(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


async def _rechunk(chunks: AsyncIterator[bytes], size: int | None) -> AsyncIterator[bytes]:
    if size is None:
        async for chunk in chunks:
            if chunk:
                yield chunk
        return
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield buffer[:size]
            buffer = buffer[size:]
    if buffer:
        yield buffer


def _unicode_decoder(encoding: str | None) -> Any:
    # requests yields bytes unchanged when the encoding is unknown; "replace" as requests does.
    if encoding is None:
        return _PassThrough()
    return codecs.getincrementaldecoder(encoding)(errors="replace")


class _PassThrough:
    def decode(self, data: bytes, final: bool = False) -> bytes:
        return data
