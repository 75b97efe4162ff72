"""The response: status, headers, and a body that is read whole or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING

from .._config import DEFAULT_DECOMPRESSION_RATIO
from .._decoders import IDENTITY, Decoder, RatioLimit, get_decoder
from .._exceptions import LimitExceeded, ResponseClosed, ResponseNotRead, StreamConsumed
from .._models import get_header_values
from .._trace import NO_INFO

if TYPE_CHECKING:
    from .connection import AsyncTracer


class Response:
    """An HTTP response.

    `headers` is a list of `(name, value)` byte pairs with lower-case names, as in ASGI.
    A response returned with `stream=False` has its (decoded) `body` read already; with
    `stream=True`, use `stream()` (decoded), `raw()` (as sent) or `read()`, and `close()`
    when you stop early. The connection goes back to the pool when the body has been read
    to the end, and is closed when the response is closed before that (or, for a response
    dropped unclosed, when it is garbage-collected).

    ```python
    response = await pool.request("GET", "http://127.0.0.1:8000/", stream=True)
    async for chunk in response.stream():
        ...
    ```
    """

    def __init__(
        self,
        status_code: int,
        *,
        reason: str = "",
        http_version: str = "HTTP/1.1",
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes | None = None,
        stream: AsyncIterator[bytes] | None = None,
        on_close: Callable[[bool], None] | None = None,
        trace: AsyncTracer | None = None,
        max_body_bytes: int | None = None,
        max_decompression_ratio: int | None = DEFAULT_DECOMPRESSION_RATIO,
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.http_version = http_version
        self.headers = [] if headers is None else headers
        self._body = (b"" if body is None else body) if stream is None else None
        self._stream = stream
        self._on_close = on_close
        self._trace = trace
        # ProtocolLimits.max_body_bytes: the most read() takes into memory.
        self.max_body_bytes = max_body_bytes
        # ProtocolLimits.max_decompression_ratio, for read() and stream().
        self.max_decompression_ratio = max_decompression_ratio
        self._consumed = stream is None
        self.is_closed = stream is None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code} {self.reason}]>"

    @property
    def body(self) -> bytes:
        """The decoded body; raises `ResponseNotRead` on a streamed response before `read()`."""
        if self._body is None:
            raise ResponseNotRead("the response body has not been read: call read() first")
        return self._body

    @property
    def is_stream_consumed(self) -> bool:
        return self._consumed

    async def read(self) -> bytes:
        """Read and decode the whole body (once), release the connection, and return it."""
        if self._body is None:
            # The same work as stream(), without its generators: this runs for every
            # response that is not streamed, so it stays on the fast path.
            stream = self._take_stream()
            decoder = self._decoder()
            parts: list[bytes] = []
            try:
                if self.max_body_bytes is not None:
                    await self._read_bounded(stream, decoder, parts, self.max_body_bytes)
                elif decoder is IDENTITY:
                    async for chunk in stream:
                        parts.append(chunk)
                else:
                    async for chunk in stream:
                        parts.extend(decoder.decode_iter(chunk))
                    parts.extend(decoder.flush_iter())
                if self._trace is not None:
                    await self._trace.emit("response.body.complete", NO_INFO)
            except Exception as exc:
                if self._trace is not None:
                    await self._failed(exc)
                raise
            finally:
                await self.close()
            self._body = parts[0] if len(parts) == 1 else b"".join(parts)
        return self._body

    async def _read_bounded(
        self, stream: AsyncIterator[bytes], decoder: Decoder, parts: list[bytes], limit: int
    ) -> None:
        size = 0
        async for chunk in stream:
            size = _extend_bounded(parts, decoder.decode_iter(chunk), size, limit)
        _extend_bounded(parts, decoder.flush_iter(), size, limit)

    def _decoder(self) -> Decoder:
        decoder = get_decoder(get_header_values(self.headers, b"content-encoding"))
        ratio = self.max_decompression_ratio
        if decoder is IDENTITY or ratio is None:
            return decoder
        return RatioLimit(decoder, ratio)

    def _take_stream(self) -> AsyncIterator[bytes]:
        if self._consumed:
            raise StreamConsumed("the response body was already read")
        if self.is_closed:
            raise ResponseClosed("the response was closed before its body was read")
        assert self._stream is not None
        self._consumed = True
        return self._stream

    async def stream(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Yield the body in decoded chunks, holding at most one decoded chunk at a time.

        `chunk_size`: read from the network in pieces of at most this many bytes (HTTP/1.1;
        a hint for callers that want pieces of that size, such as requests' `iter_content`).
        """
        if self._body is not None:
            if self._body:
                yield self._body
            return
        decoder = self._decoder()
        # Held here: dropped mid-body, raw() would release the connection before a decoding
        # error is reported.
        chunks = self.raw(chunk_size)
        try:
            async for chunk in chunks:
                for part in decoder.decode_iter(chunk):
                    yield part
            for part in decoder.flush_iter():
                yield part
        except BaseException as exc:
            if self._trace is not None and isinstance(exc, Exception):
                await self._failed(exc)
            # raw() may be suspended mid-body (a decoding error): do not wait for it to be
            # garbage-collected to give the connection back.
            await self.close()
            raise

    async def raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """Yield the body exactly as sent, without content decoding.

        `chunk_size`: as in `stream()`.
        """
        stream = self._take_stream()
        read_at_most = getattr(stream, "read_at_most", None)
        if chunk_size is not None and chunk_size > 0 and read_at_most is not None:
            read_at_most(chunk_size)
        try:
            async for chunk in stream:
                yield chunk
            if self._trace is not None:
                await self._trace.emit("response.body.complete", NO_INFO)
        except Exception as exc:
            if self._trace is not None:
                await self._failed(exc)
            raise
        finally:
            await self.close()

    async def _failed(self, error: Exception) -> None:
        """Report a failure while the body was read, once (stream() sees raw()'s failures)."""
        trace = self._trace
        assert trace is not None
        # Nothing is reported after a failure, not even the release that follows it.
        self._trace = None
        await trace.emit("request.failed", {"error": error})

    async def close(self) -> None:
        """Stop reading: a connection with unread body data is closed, not reused."""
        if not self.is_closed:
            self.is_closed = True
            if self._on_close is not None:
                self._on_close(False)
                if self._trace is not None:
                    await self._trace.emit("connection.released", NO_INFO)
            # An HTTP/2 body sends the reset of a stream closed early (its after_close hook).
            after_close = getattr(self._stream, "after_close", None)
            if after_close is not None:
                await after_close()

    def __del__(self) -> None:
        # A streamed response dropped without close(): its connection must not stay counted
        # as in use forever. The pool takes it back on its next operation; nothing here may
        # block or take a lock, as the garbage collector can run this anywhere.
        if not self.is_closed and self._on_close is not None:
            self.is_closed = True
            self._on_close(True)

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


def _extend_bounded(parts: list[bytes], pieces: Iterable[bytes], size: int, limit: int) -> int:
    for piece in pieces:
        size += len(piece)
        if size > limit:
            raise LimitExceeded(
                f"the body is larger than ProtocolLimits.max_body_bytes ({limit} bytes)"
            )
        parts.append(piece)
    return size
