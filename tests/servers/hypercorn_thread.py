"""hypercorn serving an ASGI app over HTTP/2 from a daemon thread, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from os import PathLike
from types import TracebackType
from typing import Any

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.utils import wrap_app

from .app import Receive, Scope, Send

ASGIApp = Callable[[Scope, Receive, Send], Any]
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _without_lifespan(app: ASGIApp) -> ASGIApp:
    """Answer hypercorn's lifespan messages, so that `app` only ever sees `http` scopes."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rpartition(".")[2]
                await send({"type": f"{message['type']}.complete"})
                if kind == "shutdown":
                    return
        await app(scope, receive, send)

    return wrapped


class HypercornThread:
    """hypercorn serving `app` from a daemon thread on a socket bound to 127.0.0.1:0.

    Args:
        app: the ASGI application.
        certfile: PEM file with the server key and certificate chain; enables TLS, where
            ALPN offers `alpn` (h2 then http/1.1 by default).
        alpn: the ALPN protocols offered over TLS.
        max_concurrent_streams: the server's SETTINGS_MAX_CONCURRENT_STREAMS.
        on_shutdown: awaited in the server's event loop once hypercorn stopped serving (to
            close what the app opened in that loop, such as a connection pool).

    Without `certfile` the server speaks cleartext: HTTP/1.1, or HTTP/2 to a client that
    opens with the HTTP/2 preface (h2c with prior knowledge).

    Attributes: `host`, `port`, `url` (`http(s)://127.0.0.1:PORT`).

    Example:
        with HypercornThread(app, certfile=pem) as server:
            ...  # https://127.0.0.1:PORT speaks h2 to clients that offer it
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        certfile: str | PathLike[str] | None = None,
        alpn: tuple[str, ...] = ("h2", "http/1.1"),
        max_concurrent_streams: int = 100,
        on_shutdown: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._on_shutdown = on_shutdown
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._sock.setblocking(False)
        self.host: str = "127.0.0.1"
        self.port: int = self._sock.getsockname()[1]
        self.url = f"{'http' if certfile is None else 'https'}://{self.host}:{self.port}"
        config = Config()
        config.loglevel = "WARNING"
        config.accesslog = None
        config.errorlog = "-"
        config.alpn_protocols = list(alpn)
        config.h2_max_concurrent_streams = max_concurrent_streams
        config.graceful_timeout = 0.5
        if certfile is not None:
            config.certfile = config.keyfile = str(certfile)
            sockets = Sockets([self._sock], [], [])
        else:
            sockets = Sockets([], [self._sock], [])
        self._app = wrap_app(_without_lifespan(app), config.wsgi_max_body_size, "asgi")
        self._config = config
        self._sockets = sockets
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"hypercorn-{self.port}", daemon=True
        )

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        stop = self._stop

        async def serving_until_stopped() -> None:
            # hypercorn awaits this once every listener is up: that is the start signal.
            self._started.set()
            await stop.wait()

        await worker_serve(
            self._app, self._config, sockets=self._sockets, shutdown_trigger=serving_until_stopped
        )
        if self._on_shutdown is not None:
            await self._on_shutdown()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start() or stop() in the calling thread
            self._error = exc
        finally:
            self._started.set()

    def start(self) -> None:
        """Start the thread and return once hypercorn is serving."""
        self._thread.start()
        if not self._started.wait(_START_TIMEOUT) or self._error is not None:
            self._sock.close()
            raise RuntimeError(f"hypercorn did not start on port {self.port}") from self._error

    def stop(self) -> None:
        """Ask hypercorn to exit, wait for the thread, and re-raise anything it raised."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and self._thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(_STOP_TIMEOUT)
        self._sock.close()
        if self._thread.is_alive():
            raise RuntimeError(f"hypercorn on port {self.port} did not stop")
        if self._error is not None:
            raise RuntimeError(f"hypercorn on port {self.port} failed") from self._error

    def __enter__(self) -> HypercornThread:
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
        return f"<HypercornThread {self.url}>"


__all__ = ["HypercornThread"]
