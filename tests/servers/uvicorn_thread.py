"""uvicorn running an ASGI app in a daemon thread with its own event loop, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable
from os import PathLike
from types import TracebackType
from typing import Any

import uvicorn
from cryptography import x509
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import Receive, Scope, Send

ASGIApp = Callable[[Scope, Receive, Send], Any]
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _tls_extension(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    der = ssl_object.getpeercert(binary_form=True)
    name = x509.load_der_x509_certificate(der).subject.rfc4514_string() if der else None
    return {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


def _with_tls(app: ASGIApp, tls: dict[str, Any]) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        scope = {**scope, "extensions": {**scope.get("extensions", {}), "tls": tls}}
        await app(scope, receive, send)

    return wrapped


class TLSExtensionH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, adding the ASGI TLS extension to scopes on TLS connections.

    uvicorn leaves `scope["extensions"]["tls"]` out; tests need it to see which client
    certificate a server received. The leaf certificate is the whole `client_cert_chain`,
    as `ssl` does not expose the peer's full chain before Python 3.13.

    Example: `uvicorn.Config(app, http=TLSExtensionH11Protocol)`
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self.app = _with_tls(self.app, _tls_extension(ssl_object))


class _Server(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        started: threading.Event,
        on_shutdown: Callable[[], Awaitable[object]] | None,
    ) -> None:
        super().__init__(config)
        self._started_event = started
        self._on_shutdown = on_shutdown

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self._started_event.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's graceful shutdown waits for every open connection to finish its
        # response, and for a TLS close_notify answer; a test's hanging request or
        # unread connection would stall teardown, so drop all connections first.
        for connection in list(self.server_state.connections):
            connection.transport.abort()
        await super().shutdown(sockets)
        if self._on_shutdown is not None:
            await self._on_shutdown()


class UvicornThread:
    """uvicorn (h11) serving `app` from a daemon thread on a socket bound to 127.0.0.1:0.

    Args:
        app: the ASGI application.
        certfile: PEM file with the server key and certificate chain; enables TLS.
        ca_certs: PEM file of CAs that issue acceptable client certificates.
        cert_reqs: `ssl.CERT_REQUIRED` to demand a client certificate.
        on_shutdown: awaited in the server's event loop after the last connection closed,
            e.g. to close a connection pool the app opened in that loop.

    Attributes: `host`, `port`, `url` (`http(s)://127.0.0.1:PORT`) and `localhost_url`
    (`http(s)://localhost:PORT`).

    Example:
        with UvicornThread(app) as server:
            http.client.HTTPConnection(server.host, server.port).request("GET", "/")
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        certfile: str | PathLike[str] | None = None,
        ca_certs: str | PathLike[str] | None = None,
        cert_reqs: ssl.VerifyMode = ssl.CERT_NONE,
        on_shutdown: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.host: str = "127.0.0.1"
        self.port: int = self._sock.getsockname()[1]
        scheme = "http" if certfile is None else "https"
        self.url = f"{scheme}://{self.host}:{self.port}"
        self.localhost_url = f"{scheme}://localhost:{self.port}"
        config = uvicorn.Config(
            app,
            http=TLSExtensionH11Protocol,
            ws="none",
            loop="asyncio",
            lifespan="off",
            log_level="warning",
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            date_header=False,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=2,
            ssl_certfile=certfile,
            ssl_ca_certs=ca_certs,
            ssl_cert_reqs=cert_reqs,
        )
        self._started = threading.Event()
        self._server = _Server(config, self._started, on_shutdown)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start() or stop() in the calling thread
            self._error = exc
        finally:
            self._started.set()

    def start(self) -> None:
        """Start the thread and return once uvicorn reports that it is serving."""
        self._thread.start()
        if not self._started.wait(_START_TIMEOUT) or not self._server.started:
            self._server.should_exit = True
            self._thread.join(_STOP_TIMEOUT)
            self._sock.close()
            raise RuntimeError(f"uvicorn did not start on port {self.port}") from self._error

    def stop(self) -> None:
        """Ask uvicorn to exit, wait for the thread, and re-raise anything it raised."""
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError(f"uvicorn on port {self.port} did not stop")
        if self._error is not None:
            raise RuntimeError(f"uvicorn on port {self.port} failed") from self._error

    def __enter__(self) -> UvicornThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<UvicornThread {self.url}>"


__all__ = ["TLSExtensionH11Protocol", "UvicornThread"]
