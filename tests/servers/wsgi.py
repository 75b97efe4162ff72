"""A WSGI application served by werkzeug's threaded server on 127.0.0.1, from a daemon thread."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _KeepAliveHandler(WSGIRequestHandler):
    # HTTP/1.1 so that clients can keep connections alive, as with a production server.
    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WSGIThread:
    """Serve `app` on a free loopback port until stopped; `url` is "http://127.0.0.1:PORT".

    Example: `with WSGIThread(httpbin.app) as server: requests.get(server.url + "/get")`
    """

    def __init__(self, app: Any) -> None:
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_KeepAliveHandler
        )
        self.host = "127.0.0.1"
        self.port: int = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"wsgi-{self.port}", daemon=True
        )

    def start(self) -> WSGIThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def __enter__(self) -> WSGIThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<WSGIThread {self.url}>"
