"""The thread-synchronous backend: blocking sockets with timeouts, and threading primitives."""

from __future__ import annotations

import contextlib
import functools
import select
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterable, Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .._config import deadline_after, time_left
from .._exceptions import (
    CertificateError,
    ConnectError,
    ConnectTimeout,
    NetworkError,
    ReadError,
    ReadTimeout,
    Timeout,
    TLSError,
    WriteError,
    WriteTimeout,
)

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from .._trace import TraceEvent, TraceHook

_SENDALL_LIMIT = 1024 * 1024
# A timeout of 0 means "do not wait", which a blocking socket expresses as the shortest wait.
_SMALLEST_TIMEOUT = 1e-6
_T = TypeVar("_T")


class SyncStream:
    """A connected byte stream (TCP, optionally TLS)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        # settimeout() costs a system call; skip it when the timeout is unchanged.
        self._timeout: float | None = sock.gettimeout()
        self._closed = False

    def _set_timeout(self, timeout: float | None) -> None:
        if timeout is not None and timeout <= 0:
            # settimeout(0) would switch to non-blocking mode (EAGAIN instead of a timeout).
            timeout = _SMALLEST_TIMEOUT
        if timeout != self._timeout:
            self._sock.settimeout(timeout)
            self._timeout = timeout

    def read(self, max_bytes: int, timeout: float | None) -> bytes:
        """Return up to `max_bytes` bytes, or b"" at end of stream."""
        if self._closed:
            raise ReadError("the connection is closed")
        self._set_timeout(timeout)
        try:
            return self._sock.recv(max_bytes)
        except TimeoutError as exc:
            raise ReadTimeout("timed out reading from the server") from exc
        except OSError as exc:
            raise ReadError(str(exc) or type(exc).__name__) from exc

    def write(self, data: bytes, timeout: float | None) -> None:
        """Send all of `data`."""
        if not data:
            return
        if self._closed:
            raise WriteError("the connection is closed")
        self._set_timeout(timeout)
        try:
            if len(data) <= _SENDALL_LIMIT:
                self._sock.sendall(data)
            else:
                # sendall() applies the timeout to the whole call; the write timeout is
                # the longest wait for progress, so send piece by piece.
                view = memoryview(data)
                while view:
                    sent = self._sock.send(view[:_SENDALL_LIMIT])
                    view = view[sent:]
        except TimeoutError as exc:
            raise WriteTimeout("timed out writing to the server") from exc
        except OSError as exc:
            raise WriteError(str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        """Close the connection; never blocks."""
        if not self._closed:
            self._closed = True
            self._sock.close()

    def is_readable(self) -> bool:
        """True when data or end-of-stream is waiting: an idle connection in that state is stale."""
        if self._closed:
            return True
        if isinstance(self._sock, ssl.SSLSocket) and self._sock.pending():
            return True
        readable, _, _ = select.select([self._sock], [], [], 0)
        return bool(readable)

    def alpn_protocol(self) -> str | None:
        if isinstance(self._sock, ssl.SSLSocket):
            return self._sock.selected_alpn_protocol()
        return None

    def get_extra_info(self, name: str) -> Any:
        if name == "socket":
            return self._sock
        if name == "ssl_object":
            return self._sock if isinstance(self._sock, ssl.SSLSocket) else None
        if name == "peername":
            return self._sock.getpeername()
        return None

    def shared(self) -> SyncStream:
        """This stream, made safe for one thread reading while others write (HTTP/2)."""
        self._sock.setblocking(False)
        return _SharedStream(self._sock)

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str, timeout: float | None
    ) -> SyncStream:
        """Run a TLS handshake over this stream (a tunnel); return the TLS stream."""
        if isinstance(self._sock, ssl.SSLSocket):
            # An https proxy's tunnel: the socket's TLS carries another TLS connection.
            return _TLSInTLSStream.connect(self, ssl_context, server_hostname, timeout)
        self._set_timeout(timeout)
        with _tls_errors(self, server_hostname):
            sock = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname)
        return SyncStream(sock)


@contextlib.contextmanager
def _tls_errors(stream: SyncStream, where: str) -> Iterator[None]:
    """Close `stream` and raise httpcore's error when the TLS handshake fails."""
    try:
        yield
    except BaseException as exc:
        stream.close()
        if isinstance(exc, (TimeoutError, Timeout)):
            raise ConnectTimeout(f"timed out in the TLS handshake with {where}") from exc
        if isinstance(exc, ssl.SSLCertVerificationError):
            raise CertificateError(f"{where}: {exc.verify_message or exc}") from exc
        if isinstance(exc, ssl.SSLError):
            raise TLSError(f"TLS handshake with {where} failed: {exc}") from exc
        if isinstance(exc, (OSError, NetworkError)):
            raise ConnectError(f"the connection to {where} failed in the TLS handshake") from exc
        raise


_TLS_READ_SIZE = 256 * 1024


class _TLSInTLSStream(SyncStream):
    """TLS inside the TLS stream of an https proxy: an `ssl.SSLObject` on memory buffers.

    Records go out and come in through the outer stream. Locks let one thread read while
    others write (HTTP/2): `_write_lock` keeps records in the order they were made, and
    the TLS object is used under `_tls_lock`, never held while waiting for the network.
    """

    def __init__(
        self, outer: SyncStream, ssl_context: ssl.SSLContext, server_hostname: str
    ) -> None:
        super().__init__(outer._sock)
        self._outer = outer
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = ssl_context.wrap_bio(
            self._incoming, self._outgoing, server_hostname=server_hostname
        )
        self._tls_lock = threading.Lock()
        self._write_lock = threading.Lock()

    @classmethod
    def connect(
        cls,
        outer: SyncStream,
        ssl_context: ssl.SSLContext,
        server_hostname: str,
        timeout: float | None,
    ) -> _TLSInTLSStream:
        """Wrap `outer` and run the TLS handshake."""
        stream = cls(outer, ssl_context, server_hostname)
        with _tls_errors(stream, server_hostname):
            stream._run(stream._tls.do_handshake, timeout)
        return stream

    def _run(self, operation: Callable[[], _T], timeout: float | None) -> _T:
        """Run a TLS operation, feeding it records from the outer stream as it needs them."""
        while True:
            try:
                with self._tls_lock:
                    result = operation()
            except ssl.SSLWantReadError:
                self._flush(timeout)
                data = self._outer.read(_TLS_READ_SIZE, timeout)
                with self._tls_lock:
                    if data:
                        self._incoming.write(data)
                    else:
                        self._incoming.write_eof()
                continue
            self._flush(timeout)
            return result

    def _flush(self, timeout: float | None) -> None:
        with self._write_lock:
            with self._tls_lock:
                pending = self._outgoing.read()
            if pending:
                self._outer.write(pending, timeout)

    def read(self, max_bytes: int, timeout: float | None) -> bytes:
        if self._closed:
            raise ReadError("the connection is closed")
        try:
            return self._run(functools.partial(self._tls.read, max_bytes), timeout)
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            # HTTP's own framing tells a complete response from a cut one.
            return b""
        except ssl.SSLError as exc:
            raise ReadError(str(exc)) from exc

    def write(self, data: bytes, timeout: float | None) -> None:
        if not data:
            return
        if self._closed:
            raise WriteError("the connection is closed")
        with self._write_lock:
            try:
                with self._tls_lock:
                    self._tls.write(data)
                    pending = self._outgoing.read()
            except ssl.SSLError as exc:
                raise WriteError(str(exc)) from exc
            self._outer.write(pending, timeout)

    def close(self) -> None:
        self._closed = True
        self._outer.close()

    def is_readable(self) -> bool:
        if self._closed:
            return True
        return bool(self._tls.pending() or self._incoming.pending) or self._outer.is_readable()

    def alpn_protocol(self) -> str | None:
        return self._tls.selected_alpn_protocol()

    def get_extra_info(self, name: str) -> Any:
        if name == "ssl_object":
            return self._tls
        return self._outer.get_extra_info(name)

    def shared(self) -> SyncStream:
        self._outer = self._outer.shared()
        return self


class _SharedStream(SyncStream):
    """A stream one thread reads while others write: the socket of an HTTP/2 connection.

    OpenSSL does not let two threads use one TLS connection at once, so every socket call
    holds a lock; the socket is non-blocking, and waiting for it to be ready happens outside
    the lock, so a reader waiting for data never holds up a writer.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock)
        self._io_lock = threading.Lock()

    def read(self, max_bytes: int, timeout: float | None) -> bytes:
        return self._call(lambda: self._sock.recv(max_bytes), timeout, reading=True)

    def write(self, data: bytes, timeout: float | None) -> None:
        view = memoryview(data)
        while view:
            send = functools.partial(self._sock.send, view[:_SENDALL_LIMIT])
            view = view[self._call(send, timeout, reading=False) :]

    def _call(self, operation: Callable[[], _T], timeout: float | None, *, reading: bool) -> _T:
        """Run a socket call, waiting up to `timeout` for the socket each time it would block."""
        error, expired = (ReadError, ReadTimeout) if reading else (WriteError, WriteTimeout)
        deadline = deadline_after(timeout)
        while True:
            if self._closed:
                raise error("the connection is closed")
            try:
                with self._io_lock:
                    return operation()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                pass
            except OSError as exc:
                raise error(str(exc) or type(exc).__name__) from exc
            remaining = time_left(deadline)
            if remaining == 0 or not self._wait(reading, remaining):
                what = "reading from" if reading else "writing to"
                raise expired(f"timed out {what} the server")

    def _wait(self, reading: bool, timeout: float | None) -> bool:
        """Wait until the socket is ready; True also when it was closed meanwhile."""
        # poll(), unlike select(), takes descriptors past FD_SETSIZE.
        poller = select.poll()
        try:
            poller.register(self._sock, select.POLLIN if reading else select.POLLOUT)
            return bool(poller.poll(None if timeout is None else timeout * 1000))
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        """Close the connection, waking a thread that waits to read from it."""
        with self._io_lock:
            if not self._closed:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
            super().close()


def iterate_body(body: Iterable[bytes] | AsyncIterable[bytes]) -> Iterator[bytes]:
    """Iterate a request body (the pool has checked that it is a plain iterable)."""
    assert isinstance(body, Iterable)
    return iter(body)


def call_hook(hook: TraceHook, event: TraceEvent) -> None:
    """Call a trace hook; a sync pool has no event loop to run an async one on."""
    result = hook(event)
    if isinstance(result, Coroutine):
        result.close()
        raise TypeError(f"a sync pool cannot await the trace hook {hook!r}: give a plain function")


class SyncEvent:
    """A one-shot event a waiter can wait for with a timeout."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None) -> bool:
        """Wait until set; return False if `timeout` expired first."""
        return self._event.wait(timeout)


class SyncLock:
    """A lock held across blocking calls, with a timeout; the sync twin of `AsyncLock`."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        return self._lock.acquire(blocking=False)

    def acquire(self, timeout: float | None) -> bool:
        """Take the lock, waiting at most `timeout` seconds; return False if it expired first."""
        return self._lock.acquire(timeout=-1 if timeout is None else timeout)

    def release(self) -> None:
        self._lock.release()


class SyncBackend:
    """Opens streams and makes the synchronisation primitives the pool uses."""

    def create_lock(self) -> threading.Lock:
        return threading.Lock()

    def create_event(self) -> SyncEvent:
        return SyncEvent()

    def create_async_lock(self) -> SyncLock:
        """A lock that may be held across blocking calls (an HTTP/2 connection's writer)."""
        return SyncLock()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def checkpoint(self) -> None:
        """Nothing to wait for: sockets close at once."""

    def resolve(self, host: str, port: int, *, timeout: float | None) -> str:
        """An address of `host`, for a SOCKS5 proxy that leaves name resolution to us."""
        # IPv4 first, as SOCKS clients usually do: "localhost" often lists ::1 first,
        # where IPv4-only servers do not listen.
        addresses = self.resolve_all(host, port, timeout=timeout)
        return next((a for a in addresses if ":" not in a), addresses[0])

    def resolve_all(self, host: str, port: int, *, timeout: float | None) -> list[str]:
        """The addresses of `host`, in the order the resolver gives them, without repeats."""
        try:
            infos = _getaddrinfo(host, port, deadline_after(timeout))
        except TimeoutError as exc:
            raise ConnectTimeout(f"timed out resolving {host}") from exc
        except OSError as exc:
            raise ConnectError(f"cannot resolve {host}: {exc}") from exc
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def connect_tcp(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None,
        ssl_context: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
    ) -> SyncStream:
        """Open a TCP connection, with TLS when `ssl_context` is given.

        `timeout` bounds the whole: name resolution, each address in turn, then the TLS
        handshake.
        """
        deadline = deadline_after(timeout)
        try:
            sock = _connect_any(host, port, deadline)
        except TimeoutError as exc:
            raise ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except OSError as exc:
            raise ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if ssl_context is not None:
                sock.settimeout(_remaining(deadline))
                sock = ssl_context.wrap_socket(sock, server_hostname=server_hostname)
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeout(f"timed out in the TLS handshake with {host}:{port}") from exc
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise CertificateError(f"{host}:{port}: {exc.verify_message or exc}") from exc
        except ssl.SSLError as exc:
            sock.close()
            raise TLSError(f"TLS handshake with {host}:{port} failed: {exc}") from exc
        except OSError as exc:
            sock.close()
            raise ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return SyncStream(sock)


def _remaining(deadline: float | None) -> float | None:
    """Seconds left before `deadline`; raises `TimeoutError` when none are (a socket timeout
    of 0 would make the socket non-blocking instead)."""
    left = time_left(deadline)
    if left == 0:
        raise TimeoutError
    return left


def _connect_any(host: str, port: int, deadline: float | None) -> socket.socket:
    """A connected socket to the first address of `host` that accepts, as
    `socket.create_connection` does, with one deadline for all of them."""
    error: OSError | None = None
    for family, kind, proto, _, address in _getaddrinfo(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    assert error is not None, "getaddrinfo gave no address"
    raise error


_resolver: ThreadPoolExecutor | None = None
_resolver_lock = threading.Lock()
# Lookups stuck in the resolver hold these threads until it answers; past them, new lookups
# queue, and still time out on time.
_RESOLVER_THREADS = 4


def _getaddrinfo(host: str, port: int, deadline: float | None) -> list[tuple[Any, ...]]:
    """`socket.getaddrinfo` for TCP, given up on at `deadline`.

    The C resolver cannot be interrupted, so a lookup with a deadline runs in a thread of its
    own, and the caller stops waiting for it at the deadline (`TimeoutError`), as asyncio does.
    """
    try:
        # A numeric address needs no resolver, and no thread.
        return list(
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        )
    except socket.gaierror:
        if deadline is None:
            return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    future = _resolver_pool().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return list(future.result(_remaining(deadline)))
    except TimeoutError:
        future.cancel()
        raise


def _resolver_pool() -> ThreadPoolExecutor:
    global _resolver
    # Imported on first use: `import httpcore` does not pay for it.
    import concurrent.futures

    with _resolver_lock:
        if _resolver is None:
            _resolver = concurrent.futures.ThreadPoolExecutor(
                _RESOLVER_THREADS, thread_name_prefix="httpcore-resolver"
            )
        return _resolver
