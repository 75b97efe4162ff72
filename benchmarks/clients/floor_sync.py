"""The sync floor: a blocking socket sending fixed requests, reading responses by Content-Length.

It does the least any HTTP/1.1 client must do against this server, so its figures are the
limit for Python on this machine, not a usable client.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from ._harness import (
    Config,
    MemoryProbe,
    Result,
    Upload,
    check_length,
    check_small,
    fail,
    import_workload,
    main,
    run_sync,
)

RECV_SIZE = 262144


class Connection:
    """One keep-alive connection to the origin of `url`."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        self.sock = socket.create_connection((parts.hostname, parts.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = parts.netloc.encode()
        self.path = parts.path.encode()
        self.buffer = bytearray()

    def head(self, method: bytes, extra: bytes = b"") -> bytes:
        return b"%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (method, self.path, self.host, extra)

    def _recv(self) -> None:
        data = self.sock.recv(RECV_SIZE)
        if not data:
            fail("connection closed by the server")
        self.buffer += data

    def read_head(self) -> tuple[int, int]:
        """Read a response head: (status, Content-Length)."""
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._recv()
        head = bytes(self.buffer[:end]).lower()
        del self.buffer[: end + 4]
        start = head.find(b"\r\ncontent-length:")
        if not head.startswith(b"http/1.1 ") or start < 0:
            fail(f"unexpected response head {head[:200]!r}")
        return int(head[9:12]), int(head[start + 17 : head.index(b"\r\n", start + 2)])

    def read_body(self, length: int) -> bytes:
        while len(self.buffer) < length:
            self._recv()
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        return body

    def count_body(self, length: int) -> int:
        """Read and drop a body of `length` bytes; return the count received."""
        received = min(len(self.buffer), length)
        del self.buffer[:received]
        view = memoryview(bytearray(RECV_SIZE))
        while received < length:
            n = self.sock.recv_into(view, min(RECV_SIZE, length - received))
            if not n:
                break
            received += n
        return received


def send_frames(sock: socket.socket, parts: list[bytes]) -> None:
    """Send `parts` with one system call where the kernel takes them all."""
    sent = sock.sendmsg(parts)
    total = sum(map(len, parts))
    if sent < total:
        sock.sendall(b"".join(parts)[sent:])


def small(config: Config) -> Result:
    connection = Connection(config.url)
    request = connection.head(b"GET")

    def once() -> int:
        connection.sock.sendall(request)
        status, length = connection.read_head()
        return check_small(status, connection.read_body(length))

    return run_sync(config, once)


def download(config: Config) -> Result:
    connection = Connection(config.url)
    request = connection.head(b"GET")

    def once() -> int:
        connection.sock.sendall(request)
        status, length = connection.read_head()
        return check_length(status, connection.count_body(length), config.size)

    return run_sync(config, once)


def upload(config: Config) -> Result:
    connection = Connection(config.url)
    request = connection.head(b"POST", b"Transfer-Encoding: chunked\r\n")

    def once() -> int:
        body = Upload(config.size)
        connection.sock.sendall(request)
        # RFC 9112 section 7.1: each chunk is its size in hex, CRLF, the data, CRLF.
        for chunk in body.chunks():
            send_frames(connection.sock, [b"%x\r\n" % len(chunk), chunk, b"\r\n"])
        connection.sock.sendall(b"0\r\n\r\n")
        status, length = connection.read_head()
        return body.check(status, connection.read_body(length))

    return run_sync(config, once)


def _get_small(connection: Connection) -> None:
    connection.sock.sendall(connection.head(b"GET"))
    status, length = connection.read_head()
    check_small(status, connection.read_body(length))


def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    warm_up = Connection(config.url)
    _get_small(warm_up)
    warm_up.sock.close()
    probe.start()
    connections = [Connection(config.url) for _ in range(config.concurrency)]
    for connection in connections:
        _get_small(connection)
    return probe.result()


WORKLOADS = {
    "A": small,
    "C-sync": download,
    "D-sync": upload,
    "import": import_workload("import socket"),
    "memory": memory,
}

if __name__ == "__main__":
    main(WORKLOADS)
