"""The asyncio backend: TCP/TLS streams on a lean `asyncio.Protocol`, and the pool's primitives.

Streams sit directly on a protocol rather than on `asyncio.StreamReader`: reads hand over the
chunks the event loop delivered without copying, and timeouts are timer callbacks on one
future instead of `wait_for` wrappers.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import select
import socket
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Iterable
from typing import TYPE_CHECKING, Any

from .._exceptions import (
    CertificateError,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    TLSError,
    WriteError,
    WriteTimeout,
)

if TYPE_CHECKING:
    from .._trace import TraceEvent, TraceHook

# Stop reading from the socket while this much received data waits to be consumed.
_HIGH_WATER = 1024 * 1024


class _StreamProtocol(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._eof = False
        self._error: BaseException | None = None
        self._paused_reading = False
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._paused_writing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._paused_reading:
            assert self._transport is not None
            self._paused_reading = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._error = exc
        self._wake()
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def _expire(future: asyncio.Future[None], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


class AsyncStream:
    """A connected byte stream (TCP, optionally TLS)."""

    def __init__(self, transport: asyncio.Transport, protocol: _StreamProtocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._loop = protocol._loop
        self._closed = False
        sock = transport.get_extra_info("socket")
        self._fileno: int = -1 if sock is None else sock.fileno()

    async def read(self, max_bytes: int, timeout: float | None) -> bytes:
        """Return up to `max_bytes` bytes, or b"" at end of stream."""
        protocol = self._protocol
        if self._closed:
            raise ReadError("the connection is closed")
        if not protocol._chunks:
            if protocol._eof:
                return self._at_eof()
            await self._wait("_waiter", timeout, ReadTimeout)
            if self._closed:
                raise ReadError("the connection was closed while reading")
            if not protocol._chunks:
                return self._at_eof()
        chunk = protocol._chunks.popleft()
        if len(chunk) > max_bytes:
            protocol._chunks.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        protocol._buffered -= len(chunk)
        if protocol._paused_reading and protocol._buffered <= _HIGH_WATER // 4:
            protocol._paused_reading = False
            self._transport.resume_reading()
        return chunk

    def _at_eof(self) -> bytes:
        error = self._protocol._error
        if error is not None:
            raise ReadError(str(error) or type(error).__name__) from error
        return b""

    async def _wait(self, slot: str, timeout: float | None, exc: type[BaseException]) -> None:
        future: asyncio.Future[None] = self._loop.create_future()
        setattr(self._protocol, slot, future)
        handle = None
        if timeout is not None:
            what = "reading from" if exc is ReadTimeout else "writing to"
            error = exc(f"timed out {what} the server")
            handle = self._loop.call_later(timeout, _expire, future, error)
        try:
            await future
        finally:
            setattr(self._protocol, slot, None)
            if handle is not None:
                handle.cancel()

    async def write(self, data: bytes, timeout: float | None) -> None:
        """Send all of `data`, waiting while the kernel buffers are full."""
        if not data:
            return
        protocol = self._protocol
        if self._closed or self._transport.is_closing():
            raise WriteError("the connection is closed")
        self._transport.write(data)
        if protocol._paused_writing:
            await self._wait("_drain_waiter", timeout, WriteTimeout)
            if protocol._error is not None or self._transport.is_closing():
                raise WriteError("the connection was lost while writing")

    def close(self) -> None:
        """Close the connection at once; never blocks.

        Unsent data is dropped and no TLS close_notify is awaited: a connection is closed
        when it is done with or broken, and HTTP's own framing marks where messages end.
        The socket itself closes on the loop's next iteration.
        """
        self._closed = True
        self._transport.abort()

    def is_readable(self) -> bool:
        """True when data or end-of-stream is waiting: an idle connection in that state is stale."""
        protocol = self._protocol
        if protocol._chunks or protocol._eof or self._transport.is_closing():
            return True
        # The loop may not have polled the socket since the peer closed it: ask the kernel.
        readable, _, _ = select.select([self._fileno], [], [], 0)
        return bool(readable)

    def shared(self) -> AsyncStream:
        """This stream, for concurrent readers and writers: on one event loop, as it is."""
        return self

    def alpn_protocol(self) -> str | None:
        ssl_object = self._transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return None
        protocol: str | None = ssl_object.selected_alpn_protocol()
        return protocol

    def get_extra_info(self, name: str) -> Any:
        return self._transport.get_extra_info(name)

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str, timeout: float | None
    ) -> AsyncStream:
        """Run a TLS handshake over this stream (a tunnel); return the TLS stream.

        This stream may itself be TLS (a tunnel through an https proxy): asyncio layers
        one TLS connection over the other.
        """
        protocol = self._protocol
        try:
            async with asyncio.timeout(timeout):
                transport = await self._loop.start_tls(
                    self._transport,
                    protocol,
                    ssl_context,
                    server_hostname=server_hostname,
                    # Longer than `timeout`, which is then the one that fires: a ConnectTimeout.
                    ssl_handshake_timeout=None if timeout is None else timeout + 1.0,
                )
        except TimeoutError as exc:
            self.close()
            raise ConnectTimeout(f"timed out in the TLS handshake with {server_hostname}") from exc
        except BaseException as exc:
            self.close()
            _raise_tls_error(exc, server_hostname)
            raise
        assert isinstance(transport, asyncio.Transport)
        protocol._transport = transport
        return AsyncStream(transport, protocol)


def _raise_tls_error(exc: BaseException, where: str) -> None:
    """Re-raise a handshake failure as httpcore's error; return for anything else."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        raise CertificateError(f"{where}: {exc.verify_message or exc}") from exc
    if isinstance(exc, ssl.SSLError):
        raise TLSError(f"TLS handshake with {where} failed: {exc}") from exc
    if isinstance(exc, OSError):
        raise ConnectError(f"the connection to {where} failed in the TLS handshake: {exc}") from exc


class AsyncEvent:
    """A one-shot event a waiter can wait for with a timeout."""

    __slots__ = ("_future",)

    def __init__(self) -> None:
        self._future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def set(self) -> None:
        if not self._future.done():
            self._future.set_result(None)

    def is_set(self) -> bool:
        return self._future.done()

    async def wait(self, timeout: float | None) -> bool:
        """Wait until set; return False if `timeout` expired first."""
        # A separate waiter: timing out or cancelling it must leave the event unset.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._future.add_done_callback(lambda _: _resolve(waiter))
        handle = None if timeout is None else loop.call_later(timeout, _resolve, waiter)
        try:
            await waiter
        finally:
            if handle is not None:
                handle.cancel()
        return self._future.done()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class AsyncLock:
    """A lock held across awaits: waiters are served in arrival order, each with a timeout.

    Unlike `asyncio.Lock`, it can be tried without waiting (`try_acquire()`), and a
    release hands the lock straight to the first waiter.
    """

    __slots__ = ("_locked", "_waiters")

    def __init__(self) -> None:
        self._locked = False
        # Each waiter's future resolves to True when the lock is handed to it, False on timeout.
        self._waiters: collections.deque[asyncio.Future[bool]] = collections.deque()

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self._locked:
            return False
        self._locked = True
        return True

    async def acquire(self, timeout: float | None) -> bool:
        """Take the lock, waiting at most `timeout` seconds; return False if it expired first."""
        if not self._locked:
            self._locked = True
            return True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(future)
        handle = None if timeout is None else loop.call_later(timeout, _time_out, future)
        try:
            granted = await future
        except BaseException:
            if future.done() and not future.cancelled() and future.result():
                # Handed the lock, then cancelled before running: pass it on.
                self.release()
            else:
                self._forget(future)
            raise
        finally:
            if handle is not None:
                handle.cancel()
        if not granted:
            self._forget(future)
        return granted

    def _forget(self, future: asyncio.Future[bool]) -> None:
        # A release may have dropped it from the queue already (it skips resolved waiters).
        with contextlib.suppress(ValueError):
            self._waiters.remove(future)

    def release(self) -> None:
        """Hand the lock to the first waiter still waiting, or free it."""
        waiters = self._waiters
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(True)
                return
        self._locked = False


def _time_out(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(False)


async def iterate_body(body: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    """Iterate a request body given as an async iterable or a plain iterable."""
    if isinstance(body, AsyncIterable):
        async for chunk in body:
            yield chunk
    else:
        for chunk in body:
            yield chunk


async def call_hook(hook: TraceHook, event: TraceEvent) -> None:
    """Call a trace hook, awaiting its result if it is awaitable (an async hook)."""
    result = hook(event)
    if isinstance(result, Awaitable):
        await result


class _NoLock:
    """Pool bookkeeping runs between awaits, so on one event loop it needs no lock."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


_NO_LOCK = _NoLock()


class AsyncBackend:
    """Opens streams and makes the synchronisation primitives the pool uses."""

    def create_lock(self) -> _NoLock:
        return _NO_LOCK

    def create_event(self) -> AsyncEvent:
        return AsyncEvent()

    def create_async_lock(self) -> AsyncLock:
        """A lock that may be held across awaits (an HTTP/2 connection's writer)."""
        return AsyncLock()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def checkpoint(self) -> None:
        """Let the loop run once, so that closed transports release their sockets."""
        await asyncio.sleep(0)

    async def resolve(self, host: str, port: int, *, timeout: float | None) -> str:
        """An address of `host`, for a SOCKS5 proxy that leaves name resolution to us."""
        # IPv4 first, as SOCKS clients usually do: "localhost" often lists ::1 first,
        # where IPv4-only servers do not listen.
        addresses = await self.resolve_all(host, port, timeout=timeout)
        return next((a for a in addresses if ":" not in a), addresses[0])

    async def resolve_all(self, host: str, port: int, *, timeout: float | None) -> list[str]:
        """The addresses of `host`, in the order the resolver gives them, without repeats."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise ConnectTimeout(f"timed out resolving {host}") from exc
        except OSError as exc:
            raise ConnectError(f"cannot resolve {host}: {exc}") from exc
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    async def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
    ) -> AsyncStream:
        """Open a TCP connection, with TLS when `ssl_context` is given."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    lambda: _StreamProtocol(loop),
                    host,
                    port,
                    ssl=ssl_context,
                    server_hostname=server_hostname if ssl_context is not None else None,
                    ssl_handshake_timeout=timeout if ssl_context is not None else None,
                )
        except TimeoutError as exc:
            raise ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except ssl.SSLCertVerificationError as exc:
            raise CertificateError(f"{host}:{port}: {exc.verify_message or exc}") from exc
        except ssl.SSLError as exc:
            raise TLSError(f"TLS handshake with {host}:{port} failed: {exc}") from exc
        except OSError as exc:
            raise ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        # asyncio's TCP transports already set TCP_NODELAY.
        assert isinstance(transport, asyncio.Transport)
        assert isinstance(protocol, _StreamProtocol)
        return AsyncStream(transport, protocol)
