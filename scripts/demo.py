"""Fetch a page from a throwaway loopback server with both httpcore pools.

Starts `http.server` on 127.0.0.1 (a free port) in a thread, then sends one request through
`httpcore.SyncConnectionPool` and one through `httpcore.ConnectionPool`, printing what came back.

Example:

    scripts/demo
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore

BODY = b"Hello, world"


class HelloHandler(BaseHTTPRequestHandler):
    """Answer every GET with a short plain-text body."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the demo's output to what the client prints."""


@contextmanager
def serve() -> Iterator[str]:
    """Run the server in a thread for the duration of the block; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), HelloHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch_sync(url: str) -> None:
    with httpcore.SyncConnectionPool() as http:
        response = http.request("GET", url)
        print(f"SyncConnectionPool: {response.status_code} {response.body!r}")


async def fetch_async(url: str) -> None:
    async with httpcore.ConnectionPool() as http:
        response = await http.request("GET", url)
        print(f"ConnectionPool:     {response.status_code} {response.body!r}")


def main() -> None:
    with serve() as url:
        print(f"serving on {url}")
        fetch_sync(url)
        asyncio.run(fetch_async(url))


if __name__ == "__main__":
    main()
