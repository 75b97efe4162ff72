"""A hostile HTTP/1.1 server for the safety suite: raw bytes scripted per request path.

`HostileServer(scripts)` runs on `tests.servers.raw.RawServer` (one thread per connection,
127.0.0.1 only). Each request read on a connection is answered by the script registered for
its path (the query string ignored); a script writes whatever bytes it likes and returns
whether the connection goes on serving requests. Every request received is recorded, so
tests can check what the client put on the wire.

```python
server = HostileServer({"/": send(response(b"ok"))})
```
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterable
from types import TracebackType

from tests.servers.raw import RawConnection, RawServer

Script = Callable[[RawConnection, bytes], bool]
"""Answers one request: `script(conn, raw_request)`; True keeps the connection serving."""

# Long enough for any test, short enough that a handler left waiting ends with its test.
_HANDLER_TIMEOUT = 10.0


def response(
    body: bytes = b"",
    status: int = 200,
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    length: bool = True,
) -> bytes:
    """The bytes of a response; a Content-Length matching `body` unless `length` is False.

    ```python
    assert response(b"ok").endswith(b"content-length: 2\\r\\n\\r\\nok")
    ```
    """
    lines = [b"HTTP/1.1 %d Hostile" % status]
    lines += [name + b": " + value for name, value in headers]
    if length:
        lines.append(b"content-length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(*chunks: bytes, headers: Iterable[tuple[bytes, bytes]] = ()) -> bytes:
    """A 200 response whose body is sent in the given chunks, then the last chunk."""
    framing = [(b"transfer-encoding", b"chunked"), *headers]
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks if chunk)
    return response(body + b"0\r\n\r\n", headers=framing, length=False)


def send(data: bytes, *, keep: bool = True) -> Script:
    """A script that sends `data`, then keeps the connection (or closes it)."""

    def script(conn: RawConnection, request: bytes) -> bool:
        conn.send(data)
        return keep

    return script


def send_then_close(data: bytes) -> Script:
    """A script that sends `data` and closes the connection (a FIN)."""
    return send(data, keep=False)


def send_then_reset(data: bytes) -> Script:
    """A script that sends `data`, then resets the connection (a TCP RST)."""

    def script(conn: RawConnection, request: bytes) -> bool:
        conn.send(data)
        conn.reset()
        return False

    return script


def send_then_stall(data: bytes) -> Script:
    """A script that sends `data`, then sends nothing more until the client goes away."""

    def script(conn: RawConnection, request: bytes) -> bool:
        conn.send(data)
        conn.wait_closed(_HANDLER_TIMEOUT)
        return False

    return script


def stream_forever(head: bytes, piece: bytes) -> Script:
    """A script that sends `head`, then `piece` again and again until the client goes away."""

    def script(conn: RawConnection, request: bytes) -> bool:
        conn.send(head)
        while True:
            conn.send(piece)  # raises OSError (ignored by RawServer) once the client is gone

    return script


def not_found(conn: RawConnection, request: bytes) -> bool:
    conn.send(response(b"no script for this path", status=404))
    return True


class HostileServer:
    """A loopback server answering each request with the script for its path.

    Arguments: `scripts`, a mapping of paths to scripts; `ssl_context`, a server-side
    context to speak TLS with. Attributes: `url` (`http://127.0.0.1:PORT`, https with TLS),
    `host`, `port`, `requests` (every request received, raw), `connections` (accepted so far).

    ```python
    with HostileServer({"/": send(response(b"ok"))}) as server:
        ...
    ```
    """

    def __init__(
        self, scripts: dict[str, Script], *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._scripts = dict(scripts)
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self.requests: list[bytes] = []
        self._raw = RawServer(self._serve, timeout=_HANDLER_TIMEOUT)
        self.host = self._raw.host
        self.port = self._raw.port
        scheme = "http" if ssl_context is None else "https"
        self.url = f"{scheme}://{self.host}:{self.port}"

    @property
    def connections(self) -> int:
        return self._raw.connections

    def requests_to(self, path: str) -> list[bytes]:
        """The requests received for `path`, raw."""
        target = path.encode()
        with self._lock:
            return [r for r in self.requests if r.split(b" ", 2)[1].split(b"?")[0] == target]

    def _serve(self, conn: RawConnection) -> None:
        if self._ssl_context is not None:
            # The TLS socket replaces the plain one, so that RawServer can still interrupt it.
            conn.sock = self._ssl_context.wrap_socket(conn.sock, server_side=True)
        try:
            while request := conn.read_request():
                with self._lock:
                    self.requests.append(request)
                path = request.split(b" ", 2)[1].split(b"?")[0].decode("latin-1")
                if not self._scripts.get(path, not_found)(conn, request):
                    break
        except EOFError:
            pass  # the client gave up in the middle of a request: an aborted upload
        finally:
            conn.close()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
