"""Small stdlib-only HTTP clients (`http.client`, `socket`, `ssl`) for checking the servers."""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Any

from .uvicorn_thread import UvicornThread


def fetch(
    server: UvicornThread,
    path: str,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    """Send one request on a fresh `http.client` connection; return the response and body.

    Args:
        server: the server to ask.
        path: the request target.
        method: the request method.
        body: bytes, a file or an iterable of bytes (sent chunked), as `http.client` takes.
        headers: extra request headers.

    Example: `response, body = fetch(server, "/bytes/10")`
    """
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def tls_fetch(
    server: UvicornThread, context: ssl.SSLContext, path: str = "/", hostname: str | None = None
) -> tuple[int, bytes]:
    """Send `GET path` over TLS with `connection: close`; return the status and raw body.

    Args:
        server: a TLS server.
        context: the client context (trust, client certificate, hostname checking).
        path: the request target.
        hostname: the name to verify (and send as SNI); defaults to `server.host`.

    Example: `assert tls_fetch(https_server, context) == (200, b"Hello, world")`
    """
    with (
        socket.create_connection((server.host, server.port), timeout=5) as sock,
        context.wrap_socket(sock, server_hostname=hostname or server.host) as tls,
    ):
        tls.sendall(f"GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
        data = read_to_eof(tls)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def read_to_eof(sock: socket.socket) -> bytes:
    """Read until the peer closes the connection.

    Example: `data = read_to_eof(sock)`
    """
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    """Read until the data received so far contains `marker`; fail on EOF before it.

    Example: `head = read_until(sock, b"\\r\\n\\r\\n")`
    """
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(f"the connection closed before {marker!r}")
        data += chunk
    return data
