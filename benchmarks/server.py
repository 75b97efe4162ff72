"""The benchmark server: nginx on 127.0.0.1, configured and started in a temporary directory.

Endpoints, on every port:

* `/small`: a 13-byte 200 response (`hello, world\\n`).
* `/data/<n>`: a file of `n` zero bytes, sparse, sent with sendfile.
* `/upload`: any body, of any size (`client_max_body_size 0`), answered `200 ok\\n` once
  nginx has read all of it. nginx has no "read and discard" directive: a location that only
  `return`s answers at once and drains the body afterwards, and a client still sending then
  sees its reply early. Proxying (request buffering on, the default) reads the whole body
  first, in 1 MiB pieces spilled to a temporary file; the body itself is not passed on, and
  `/uploaded` answers. `check_upload_is_consumed()` proves both properties.

Ports: `http` (HTTP/1.1), `https` (TLS, ALPN `h2` and `http/1.1`, trustme certificates), `h2c`
(HTTP/2 over cleartext with prior knowledge, RFC 9113 section 3.3).

```python
with NginxServer(body_sizes=[1 << 20]) as server:
    print(server.url("http", "/small"))
```

`python -m benchmarks.server` starts it, prints the URLs as JSON, and waits for a newline.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from types import TracebackType

SMALL_BODY = b"hello, world\n"
UPLOAD_REPLY = b"ok\n"
PORT_NAMES = ("http", "https", "h2c")
INSTALL_HINT = (
    "nginx is missing: install it with `apt-get update && apt-get install -y nginx-light`"
)

_CONFIG = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 4000000000;
    keepalive_timeout 600s;
    server {{
        listen 127.0.0.1:{http} backlog=4096;
        listen 127.0.0.1:{https} ssl http2 backlog=4096;
        listen 127.0.0.1:{h2c} http2 backlog=4096;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {dir}/www;
        location = /small {{
            return 200 "hello, world\\n";
        }}
        location /data/ {{
        }}
        location = /upload {{
            client_max_body_size 0;
            client_body_buffer_size 1m;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Transfer-Encoding "";
            proxy_pass http://127.0.0.1:{http}/uploaded;
        }}
        location = /uploaded {{
            return 200 "ok\\n";
        }}
    }}
}}
"""


def find_nginx() -> str:
    """Return the path of the nginx binary, or raise `RuntimeError` saying how to install it."""
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if path is None:
        raise RuntimeError(INSTALL_HINT)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NginxServer:
    """nginx in a temporary directory, on three free loopback ports; a context manager.

    Arguments: `body_sizes`, the sizes of the files served under `/data/`.
    """

    def __init__(self, body_sizes: list[int] = [1 << 20]) -> None:  # noqa: B006
        self.body_sizes = list(body_sizes)
        self.dir = ""
        self.ports: dict[str, int] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def ca_file(self) -> str:
        """The PEM file of the CA that signed the server certificate."""
        return os.path.join(self.dir, "ca.pem")

    def url(self, port: str, path: str) -> str:
        scheme = "https" if port == "https" else "http"
        return f"{scheme}://127.0.0.1:{self.ports[port]}{path}"

    def start(self) -> None:
        nginx = find_nginx()
        self.dir = tempfile.mkdtemp(prefix="bench-nginx-")
        # The worker process may run as an unprivileged user: it must read the files.
        os.chmod(self.dir, 0o755)
        os.makedirs(os.path.join(self.dir, "tmp"))
        self._write_certificates()
        self._write_bodies()
        for _ in range(5):
            self.ports = {name: _free_port() for name in PORT_NAMES}
            config = os.path.join(self.dir, "nginx.conf")
            with open(config, "w") as file:
                file.write(_CONFIG.format(dir=self.dir, **self.ports))
            self._process = subprocess.Popen(
                [nginx, "-p", self.dir, "-c", config, "-e", os.path.join(self.dir, "error.log")],
                stdin=subprocess.DEVNULL,
            )
            if self._wait_until_listening():
                return
        raise RuntimeError(f"nginx did not start; see {self.dir}/error.log")

    def _write_certificates(self) -> None:
        import trustme

        ca = trustme.CA()
        ca.cert_pem.write_to_path(self.ca_file)
        cert = ca.issue_cert("127.0.0.1", "localhost")
        cert.private_key_pem.write_to_path(os.path.join(self.dir, "server.key"))
        for index, pem in enumerate(cert.cert_chain_pems):
            pem.write_to_path(os.path.join(self.dir, "server.pem"), append=index > 0)

    def _write_bodies(self) -> None:
        os.makedirs(os.path.join(self.dir, "www", "data"))
        for size in self.body_sizes:
            with open(os.path.join(self.dir, "www", "data", str(size)), "wb") as file:
                file.truncate(size)
            os.chmod(file.name, 0o644)
        os.chmod(os.path.join(self.dir, "www"), 0o755)
        os.chmod(os.path.join(self.dir, "www", "data"), 0o755)

    def _wait_until_listening(self) -> bool:
        """Poll the ports until all accept (True) or nginx exits, e.g. a port was taken."""
        assert self._process is not None
        deadline = time.monotonic() + 15
        pending = set(self.ports.values())
        while pending and time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            for port in list(pending):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    pending.discard(port)
                except OSError:
                    pass
            if pending:
                time.sleep(0.02)
        if pending:
            self.stop()
            return False
        return True

    def stop(self) -> None:
        """Stop nginx (fast shutdown) and remove the temporary directory."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = ""

    def __enter__(self) -> NginxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _read_response(sock: socket.socket, buffer: bytes) -> tuple[bytes, bytes, bytes]:
    """Read one response with a Content-Length body: (status line, body, bytes after it)."""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed before the end of a response head")
        buffer += data
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    fields = dict(line.split(b":", 1) for line in lines[1:])
    length = int({k.strip().lower(): v for k, v in fields.items()}[b"content-length"])
    while len(buffer) < length:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed before the end of a response body")
        buffer += data
    return lines[0], buffer[:length], buffer[length:]


def check_upload_is_consumed(port: int, size: int = 64 << 20) -> None:
    """Prove that `/upload` answers only after reading a chunked body to its end.

    Sends `size` bytes chunked (far more than the socket buffers hold, so `sendall` only
    returns once nginx has read nearly all of them) and checks that no reply has arrived
    before the last chunk; then the last chunk and a second request on the same connection,
    whose reply proves that nginx parsed the body to its end. Raises `AssertionError`.
    """
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        for _ in range(size // len(chunk)):
            sock.sendall(frame)
        early, _, _ = select.select([sock], [], [], 0)
        assert not early, "nginx answered before the end of the request body"
        sock.sendall(b"0\r\n\r\nGET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first, body, rest = _read_response(sock, b"")
        second, small, rest = _read_response(sock, rest)
    assert first.startswith(b"HTTP/1.1 200 ") and body == UPLOAD_REPLY, (first, body)
    assert second.startswith(b"HTTP/1.1 200 ") and small == SMALL_BODY, (second, small)
    assert rest == b"", rest


def main() -> None:
    with NginxServer(body_sizes=[1 << 20, 1 << 30]) as server:
        check_upload_is_consumed(server.ports["http"])
        urls = {name: server.url(name, "/") for name in PORT_NAMES}
        print(json.dumps({"urls": urls, "ca": server.ca_file, "dir": server.dir}), flush=True)
        sys.stdin.readline()


if __name__ == "__main__":
    main()
