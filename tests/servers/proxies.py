"""Real proxy servers on 127.0.0.1 for the proxy tests, and an origin that records requests.

* `Squid`: Debian's squid, one process with four ports: `open` (no authentication),
  `auth` (Basic, `USERNAME`/`PASSWORD`), `deny` (answers 403 to everything) and `tls`
  (TLS to the proxy itself, Basic authentication).
* `MicroSocks`: Debian's microsocks, a SOCKS5 server, with or without username/password.
* `RecordingApp`: the test ASGI app, noting the headers of every request that reaches it.

Each server is a context manager that starts it on free ports and waits until it accepts
connections. Example:

    with Squid(certfile) as squid:
        pool = httpcore.SyncConnectionPool(proxy=squid.url("open"))
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from .app import Receive, Scope, Send, app

USERNAME = "proxy-user"
PASSWORD = "proxy-secret"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_SQUID_PORTS = ("open", "auth", "deny", "tls")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(process: subprocess.Popen[bytes], ports: list[int]) -> None:
    """Poll the ports until each accepts a connection; fail if the process exits first."""
    deadline = time.monotonic() + _START_TIMEOUT
    for port in ports:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with status {process.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{process.args[0]} did not listen on port {port}")
            time.sleep(0.01)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Process:
    _process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self._process is not None:
            _stop(self._process)
            self._process = None


class Squid(_Process):
    """squid on 127.0.0.1 with the ports `open`, `auth`, `deny` and `tls` (see the module).

    Args:
        certfile: PEM file with the key and certificate the `tls` port presents.

    `url(name)` is a proxy URL for a port, with credentials when `credentials=True`.
    """

    def __init__(self, certfile: str | os.PathLike[str]) -> None:
        self._certfile = Path(certfile)
        self.ports = {name: free_port() for name in _SQUID_PORTS}
        self._dir = ""

    def url(self, name: str, *, credentials: bool = False) -> str:
        scheme = "https" if name == "tls" else "http"
        userinfo = f"{USERNAME}:{PASSWORD}@" if credentials else ""
        return f"{scheme}://{userinfo}127.0.0.1:{self.ports[name]}"

    def _config(self, directory: Path) -> str:
        # squid drops root privileges to its own user, which must read these files.
        certfile = directory / "proxy.pem"
        shutil.copyfile(self._certfile, certfile)
        password = subprocess.run(
            ["openssl", "passwd", "-1", PASSWORD], check=True, capture_output=True, text=True
        ).stdout.strip()
        (directory / "passwd").write_text(f"{USERNAME}:{password}\n")
        for path in directory.iterdir():
            path.chmod(0o644)
        ports = self.ports
        return "\n".join(
            [
                f"http_port 127.0.0.1:{ports['open']} name=open",
                f"http_port 127.0.0.1:{ports['auth']} name=auth",
                f"http_port 127.0.0.1:{ports['deny']} name=deny",
                f"https_port 127.0.0.1:{ports['tls']} name=tls tls-cert={certfile}",
                f"auth_param basic program /usr/lib/squid/basic_ncsa_auth {directory}/passwd",
                "auth_param basic children 2 startup=1",
                "acl open_port myportname open",
                "acl deny_port myportname deny",
                "acl authenticated proxy_auth REQUIRED",
                "http_access deny deny_port",
                "http_access allow open_port",
                "http_access allow authenticated",
                "http_access deny all",
                # Tests only use loopback addresses and localhost: never ask a DNS server.
                "dns_nameservers 127.0.0.1",
                "cache deny all",
                "cache_mem 0 MB",
                "via off",
                "forwarded_for delete",
                "pinger_enable off",
                "netdb_filename none",
                "shutdown_lifetime 0 seconds",
                f"pid_filename {directory}/squid.pid",
                f"coredump_dir {directory}",
                "cache_log /dev/null",
                "access_log none",
                "visible_hostname proxy.test",
                "",
            ]
        )

    def start(self) -> None:
        squid = shutil.which("squid") or "/usr/sbin/squid"
        self._dir = tempfile.mkdtemp(prefix="squid-")
        directory = Path(self._dir)
        directory.chmod(0o755)
        config = directory / "squid.conf"
        config.write_text(self._config(directory))
        config.chmod(0o644)
        self._process = subprocess.Popen(
            [squid, "-N", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_listening(self._process, list(self.ports.values()))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        super().stop()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = ""


class MicroSocks(_Process):
    """microsocks (SOCKS5) on 127.0.0.1, requiring `USERNAME`/`PASSWORD` when `auth`."""

    def __init__(self, *, auth: bool) -> None:
        self.port = free_port()
        self._auth = auth

    def url(self, scheme: str = "socks5", *, credentials: bool | None = None) -> str:
        with_credentials = self._auth if credentials is None else credentials
        userinfo = f"{USERNAME}:{PASSWORD}@" if with_credentials else ""
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [shutil.which("microsocks") or "/usr/bin/microsocks"]
        command += ["-i", "127.0.0.1", "-p", str(self.port)]
        if self._auth:
            command += ["-u", USERNAME, "-P", PASSWORD]
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_until_listening(self._process, [self.port])
        except BaseException:
            self.stop()
            raise


class RecordingApp:
    """The test app, recording each request's lower-cased header names and values.

    `requests` holds `(path, headers)` per request, in arrival order; `clear()` empties it.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []

    def clear(self) -> None:
        self.requests.clear()

    def header_names(self) -> set[str]:
        """Every header name any recorded request carried."""
        return {name for _, headers in self.requests for name in headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            self.requests.append((scope["path"], headers))
        await app(scope, receive, send)
