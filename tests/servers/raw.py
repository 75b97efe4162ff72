"""A threaded TCP server whose handlers script the exact bytes a client receives."""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType

_DEFAULT_TIMEOUT = 10.0
_JOIN_TIMEOUT = 5.0
_RECV_SIZE = 65536


def _framing(head: bytes) -> tuple[int, bool]:
    """Return `(content-length, is_chunked)` of a request head."""
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = value.split(b",")[-1].strip().lower() == b"chunked"
    # RFC 9112 section 6.3: transfer-encoding overrides content-length.
    return (0, True) if chunked else (length, False)


class RawConnection:
    """One accepted connection, with helpers to read requests and send raw bytes.

    Args:
        sock: the accepted socket.
        timeout: seconds any single blocking call may take before `TimeoutError`.

    Attributes: `sock`, `requests` (every raw request read so far).

    Example:
        def handler(conn):
            conn.read_request()
            conn.send(b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok")
    """

    def __init__(self, sock: socket.socket, timeout: float = _DEFAULT_TIMEOUT) -> None:
        self.sock = sock
        self.requests: list[bytes] = []
        self._timeout = timeout
        self._buffer = bytearray()
        self._closed = False
        sock.settimeout(timeout)

    def _fill(self) -> bool:
        data = self.sock.recv(_RECV_SIZE)
        self._buffer += data
        return bool(data)

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _read_until(self, marker: bytes) -> bytes:
        while (index := self._buffer.find(marker)) < 0:
            if not self._fill():
                raise EOFError("the peer closed the connection in the middle of a request")
        return self._take(index + len(marker))

    def _read_exact(self, n: int) -> bytes:
        while len(self._buffer) < n:
            if not self._fill():
                raise EOFError("the peer closed the connection in the middle of a request")
        return self._take(n)

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            line = self._read_until(b"\r\n")
            parts.append(line)
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                break
            parts.append(self._read_exact(size + 2))
        # RFC 9112 section 7.1.2: a trailer section of field lines ends with an empty line.
        while (line := self._read_until(b"\r\n")) != b"\r\n":
            parts.append(line)
        parts.append(line)
        return b"".join(parts)

    def read_request(self) -> bytes:
        """Read one request (head and body) and return its raw bytes, or `b""` at EOF.

        The body is read by `content-length` or chunked framing; bytes after the request
        stay buffered for the next call. Raises `EOFError` if the peer closes mid-request.

        Example: `assert conn.read_request().startswith(b"GET / HTTP/1.1\\r\\n")`
        """
        if not self._buffer and not self._fill():
            return b""
        head = self._read_until(b"\r\n\r\n")
        length, chunked = _framing(head)
        raw = head + (self._read_chunked() if chunked else self._read_exact(length))
        self.requests.append(raw)
        return raw

    def send(self, data: bytes) -> None:
        """Send all of `data`.

        Example: `conn.send(b"HTTP/1.1 204 No Content\\r\\n\\r\\n")`
        """
        self.sock.sendall(data)

    def wait_closed(self, timeout: float) -> bool:
        """Block until the peer closes the connection; `False` if `timeout` passes first.

        Bytes that arrive meanwhile are kept for `read_request`. A reset counts as closed.

        Args:
            timeout: seconds to wait.

        Example: `assert conn.wait_closed(5)`
        """
        deadline = time.monotonic() + timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                self.sock.settimeout(remaining)
                if not self._fill():
                    return True
            return False
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        finally:
            if not self._closed:
                self.sock.settimeout(self._timeout)

    def close(self) -> None:
        """Close the socket (a FIN to the peer); calling it again does nothing."""
        if not self._closed:
            self._closed = True
            self.sock.close()

    def reset(self) -> None:
        """Close the socket with a TCP RST instead of a FIN (SO_LINGER with a zero timeout)."""
        if not self._closed:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close()

    def _interrupt(self) -> None:
        # shutdown() wakes a thread blocked in recv() on this socket; close() alone does not.
        if not self._closed:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


Handler = Callable[[RawConnection], object]


class RawServer:
    """A TCP server on 127.0.0.1 that runs `handler(conn)` in its own thread per connection.

    A connection stays open after its handler returns until the handler closes it or the
    server closes. Handler exceptions are collected in `errors`; `close()` and `join()`
    re-raise the first one that is not an `OSError` (a peer going away is expected).

    Args:
        handler: called with a `RawConnection` for each accepted connection.
        timeout: socket timeout for each connection's blocking calls.

    Attributes: `host`, `port`, `url`, `accepted` (the `RawConnection`s), `connections`
    (their count), `errors`.

    Example:
        with RawServer(lambda conn: conn.send(b"HTTP/1.1 200 OK\\r\\n\\r\\n")) as server:
            socket.create_connection((server.host, server.port))
    """

    def __init__(self, handler: Handler, *, timeout: float = _DEFAULT_TIMEOUT) -> None:
        self._handler = handler
        self._timeout = timeout
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.host: str = "127.0.0.1"
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        self.accepted: list[RawConnection] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._accepted_changed = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()

    @property
    def connections(self) -> int:
        """The number of connections accepted so far."""
        with self._lock:
            return len(self.accepted)

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                try:
                    sock, _ = self._listener.accept()
                except BlockingIOError:
                    continue
                self._start_handler(sock)

    def _start_handler(self, sock: socket.socket) -> None:
        sock.setblocking(True)
        conn = RawConnection(sock, self._timeout)
        thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
        with self._lock:
            self.accepted.append(conn)
            self._threads.append(thread)
            thread.start()
            self._accepted_changed.notify_all()

    def _serve(self, conn: RawConnection) -> None:
        try:
            self._handler(conn)
        except BaseException as exc:  # re-raised in the test's thread by join() or close()
            with self._lock:
                self.errors.append(exc)

    def join(self, timeout: float = _JOIN_TIMEOUT, connections: int = 1) -> None:
        """Wait for `connections` accepts and for their handlers to return.

        Then re-raise the first handler error that is not an `OSError`.

        Args:
            timeout: seconds to wait in total; `TimeoutError` if it runs out.
            connections: how many accepted connections to wait for at least.

        Example: `server.join(); assert server.accepted[0].requests`
        """
        deadline = time.monotonic() + timeout
        with self._accepted_changed:
            if not self._accepted_changed.wait_for(
                lambda: len(self.accepted) >= connections, timeout
            ):
                raise TimeoutError(f"raw_server accepted {len(self.accepted)} connection(s)")
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
            if thread.is_alive():
                raise TimeoutError("a raw_server handler is still running")
        self._raise_errors()

    def _raise_errors(self) -> None:
        with self._lock:
            unexpected = [exc for exc in self.errors if not isinstance(exc, OSError)]
        if unexpected:
            raise RuntimeError("a raw_server handler failed") from unexpected[0]

    def close(self) -> None:
        """Stop accepting, interrupt and join the handlers, close every socket."""
        self._wake_w.send(b"x")
        self._acceptor.join(_JOIN_TIMEOUT)
        self._listener.close()
        with self._lock:
            connections = list(self.accepted)
            threads = list(self._threads)
        for conn in connections:
            conn._interrupt()
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        for conn in connections:
            conn.close()
        self._wake_r.close()
        self._wake_w.close()
        self._raise_errors()
        if any(thread.is_alive() for thread in threads):
            raise TimeoutError("a raw_server handler did not return after its socket closed")

    def __enter__(self) -> RawServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RawServer {self.url} connections={self.connections}>"
