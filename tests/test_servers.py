"""The loopback servers and fixtures, exercised with stdlib clients only."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import http.client
import json
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli
import pytest
import zstandard

from tests.servers import (
    ENCODED_BODY,
    HELLO,
    RawConnection,
    RawServer,
    UvicornThread,
    encode,
    pattern,
    pattern_range,
)
from tests.servers.raw import Handler
from tests.servers.stdlib_client import fetch, read_to_eof, read_until, tls_fetch

RawFactory = Callable[[Handler], RawServer]
OK_RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@pytest.fixture
def trusting(ca_file: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_file))


# The ASGI app over plain HTTP.


def test_root(server: UvicornThread) -> None:
    response, body = fetch(server, "/")
    assert (response.status, body) == (200, HELLO)
    assert response.getheader("content-type") == "text/plain"
    assert response.getheader("content-length") == "12"
    assert response.getheader("date") is None and response.getheader("server") is None
    assert server.url == f"http://127.0.0.1:{server.port}" and server.host == "127.0.0.1"


def test_root_head_and_wrong_method(server: UvicornThread) -> None:
    response, body = fetch(server, "/", method="HEAD")
    assert (response.status, body, response.getheader("content-length")) == (200, b"", "12")
    response, _ = fetch(server, "/", method="POST", body=b"x")
    assert (response.status, response.getheader("allow")) == (405, "GET, HEAD")


def test_echo_headers(server: UvicornThread) -> None:
    response, body = fetch(server, "/echo_headers", headers={"X-Test": "caf\xe9"})
    assert response.getheader("content-type") == "application/json"
    pairs = json.loads(body)
    assert ["x-test", "caf\xe9"] in pairs
    assert ["host", f"127.0.0.1:{server.port}"] in pairs


def test_echo_body_with_content_length(server: UvicornThread) -> None:
    payload = pattern(200_000)
    response, body = fetch(server, "/echo_body", method="PUT", body=payload)
    assert (response.status, body) == (200, payload)
    assert response.getheader("x-request-method") == "PUT"
    assert response.getheader("transfer-encoding") == "chunked"
    assert response.getheader("content-length") is None


def test_echo_body_chunked_upload(server: UvicornThread) -> None:
    parts = [b"one", b"", b"two", b"three"]
    response, body = fetch(server, "/echo_body", method="POST", body=iter(parts))
    assert (response.status, body) == (200, b"onetwothree")


def test_echo_body_streams_before_upload_ends(server: UvicornThread) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"POST /echo_body HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n")
        sock.sendall(b"5\r\nfirst\r\n")
        received = read_until(sock, b"first")
        assert b"HTTP/1.1 200 OK\r\n" in received and b"second" not in received
        sock.sendall(b"6\r\nsecond\r\n0\r\n\r\n")
        received += read_until(sock, b"0\r\n\r\n")
    assert received.endswith(b"5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n")


def test_echo_body_length(server: UvicornThread) -> None:
    payload = pattern(1_000_003)
    response, body = fetch(server, "/echo_body_length", method="POST", body=payload)
    assert response.getheader("content-type") == "application/json"
    expected = {"length": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    assert json.loads(body) == expected
    _, body = fetch(server, "/echo_body_length")
    assert json.loads(body) == {"length": 0, "sha256": hashlib.sha256(b"").hexdigest()}


def test_pattern() -> None:
    assert pattern(3) == b"\x00\x01\x02"
    assert pattern(253)[250:] == b"\xfa\x00\x01"
    assert pattern(1000)[300:700] == pattern_range(300, 700)
    assert pattern_range(5, 5) == b"" and pattern(0) == b""


@pytest.mark.parametrize("n", [0, 1, 65536, 65537, 300_000])
def test_bytes_and_stream(server: UvicornThread, n: int) -> None:
    response, body = fetch(server, f"/bytes/{n}")
    assert (response.status, body) == (200, pattern(n))
    assert response.getheader("content-length") == str(n)
    response, body = fetch(server, f"/stream/{n}")
    assert (response.status, body) == (200, pattern(n))
    assert response.getheader("content-length") is None
    assert response.getheader("transfer-encoding") == "chunked"


def _decode(body: bytes, coding: str) -> bytes:
    decoders: dict[str, Callable[[bytes], bytes]] = {
        "gzip": gzip.decompress,
        "deflate": zlib.decompress,
        "rawdeflate": lambda data: zlib.decompress(data, -zlib.MAX_WBITS),
        "br": brotli.decompress,
        "zstd": lambda data: zstandard.ZstdDecompressor().decompress(data),
        "identity": lambda data: data,
    }
    for name in reversed(coding.split(",")):
        body = decoders[name](body)
    return body


@pytest.mark.parametrize(
    ("coding", "header"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("rawdeflate", "deflate"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("identity", "identity"),
        ("gzip,br", "gzip, br"),
    ],
)
def test_encoded(server: UvicornThread, coding: str, header: str) -> None:
    response, body = fetch(server, f"/encoded/{coding}")
    assert response.getheader("content-encoding") == header
    assert response.getheader("content-length") == str(len(body))
    assert _decode(body, coding) == ENCODED_BODY
    response, body = fetch(server, f"/encoded/{coding}?size=70000")
    assert _decode(body, coding) == pattern(70000)


def test_encoded_variants_differ() -> None:
    with pytest.raises(zlib.error):
        zlib.decompress(encode(HELLO, "rawdeflate")[1])
    assert encode(HELLO, "gzip, br")[0] == b"gzip, br"
    assert len(encode(ENCODED_BODY, "gzip")[1]) < len(ENCODED_BODY) // 10


def test_encoded_unknown(server: UvicornThread) -> None:
    assert fetch(server, "/encoded/compress")[0].status == 404


@pytest.mark.parametrize("code", [200, 201, 404, 418, 500, 503])
def test_status(server: UvicornThread, code: int) -> None:
    response, body = fetch(server, f"/status/{code}")
    assert (response.status, body, response.getheader("content-length")) == (code, b"", "0")
    response, body = fetch(server, f"/status/{code}?body=1")
    assert (response.status, body) == (code, f"status {code}".encode())


@pytest.mark.parametrize("code", [204, 304])
def test_status_without_content(server: UvicornThread, code: int) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(f"GET /status/{code}?body=1 HTTP/1.1\r\nhost: x\r\n\r\n".encode())
        sock.sendall(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        data = read_to_eof(sock)
    first, _, rest = data.partition(b"\r\n\r\n")
    assert first.startswith(f"HTTP/1.1 {code} ".encode())
    assert b"content-length" not in first.lower() and b"transfer-encoding" not in first.lower()
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n") and rest.endswith(HELLO)


def test_status_out_of_range(server: UvicornThread) -> None:
    assert fetch(server, "/status/100")[0].status == 400
    assert fetch(server, "/status/600")[0].status == 400


def test_close(server: UvicornThread) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"GET /close HTTP/1.1\r\nhost: x\r\n\r\n")
        data = read_to_eof(sock)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"connection: close\r\n" in data.lower() and data.endswith(b"closing")


def test_client_proves_reuse(server: UvicornThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        answers = []
        for path in ["/client", "/stream/70000", "/client"]:
            conn.request("GET", path)
            answers.append(conn.getresponse().read())
        assert conn.sock is not None
        host, port = conn.sock.getsockname()
    finally:
        conn.close()
    assert answers[0] == answers[2] == f"{host}:{port}".encode()
    assert fetch(server, "/client")[1] != answers[0]


def test_hang_headers(server: UvicornThread) -> None:
    with socket.create_connection((server.host, server.port), timeout=0.2) as sock:
        sock.sendall(b"GET /hang_headers HTTP/1.1\r\nhost: x\r\n\r\n")
        with pytest.raises(TimeoutError):
            sock.recv(1)


def test_hang_body(server: UvicornThread) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"GET /hang_body HTTP/1.1\r\nhost: x\r\n\r\n")
        data = read_until(sock, b"partial\r\n")
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"transfer-encoding: chunked" in data.lower()
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.recv(1)


def test_redirect(server: UvicornThread) -> None:
    response, body = fetch(server, "/redirect/3")
    assert (response.status, response.getheader("location"), body) == (302, "/redirect/2", b"")
    response, body = fetch(server, "/redirect/0")
    assert (response.status, body) == (200, b"done")


def test_headers_many(server: UvicornThread) -> None:
    response, body = fetch(server, "/headers_many/50")
    extra = [(name, value) for name, value in response.getheaders() if name.startswith("x-h-")]
    assert extra == [(f"x-h-{i}", str(i)) for i in range(50)] and body == b"ok"


@pytest.mark.parametrize("path", ["/nope", "/bytes/abc", "/bytes/", "/bytes/1/2", "/status/%C2%B2"])
def test_not_found(server: UvicornThread, path: str) -> None:
    assert fetch(server, path)[0].status == 404


async def test_asgi_app_in_process(asgi_app: Callable[..., Any]) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    await asgi_app(scope, receive, send)
    assert sent[0]["status"] == 200 and sent[1]["body"] == HELLO


def test_stop_drops_hanging_requests(asgi_app: Callable[..., Any]) -> None:
    with socket.socket() as sock:
        with UvicornThread(asgi_app) as running:
            sock.settimeout(5)
            sock.connect((running.host, running.port))
            sock.sendall(b"GET /hang_body HTTP/1.1\r\nhost: x\r\n\r\n")
            read_until(sock, b"partial\r\n")
            started = time.monotonic()
        # Without dropping connections, uvicorn would wait for its graceful timeout (2 s).
        assert time.monotonic() - started < 1.5
        assert sock.recv(1) == b""
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((running.host, running.port), timeout=5)


def test_on_shutdown_runs_in_the_server_loop(asgi_app: Callable[..., Any]) -> None:
    threads: list[str] = []

    async def on_shutdown() -> None:
        asyncio.get_running_loop()
        threads.append(threading.current_thread().name)

    with UvicornThread(asgi_app, on_shutdown=on_shutdown) as running:
        assert threads == []
    assert threads == [f"uvicorn-{running.port}"]


def test_start_failure_is_reported(asgi_app: Callable[..., Any]) -> None:
    running = UvicornThread(asgi_app, certfile="/nonexistent/cert.pem")
    with pytest.raises(RuntimeError, match="did not start") as info:
        running.start()
    assert isinstance(info.value.__cause__, FileNotFoundError)


# TLS servers and certificate fixtures.


def test_https_server(https_server: UvicornThread, trusting: ssl.SSLContext) -> None:
    assert https_server.url == f"https://127.0.0.1:{https_server.port}"
    assert https_server.localhost_url == f"https://localhost:{https_server.port}"
    assert tls_fetch(https_server, trusting) == (200, HELLO)
    assert tls_fetch(https_server, trusting, hostname="localhost") == (200, HELLO)


def test_https_server_untrusted_without_ca(https_server: UvicornThread) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        tls_fetch(https_server, ssl.create_default_context())


def test_ca_dir(ca_dir: Path, https_server: UvicornThread) -> None:
    names = [path.name for path in ca_dir.iterdir()]
    assert len(names) == 1 and re.fullmatch(r"[0-9a-f]{8}\.0", names[0])
    context = ssl.create_default_context(capath=str(ca_dir))
    assert tls_fetch(https_server, context) == (200, HELLO)


def test_wrong_name_https_server(
    wrong_name_https_server: UvicornThread, trusting: ssl.SSLContext
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):
        tls_fetch(wrong_name_https_server, trusting)
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        tls_fetch(wrong_name_https_server, trusting, hostname="localhost")
    trusting.check_hostname = False
    assert tls_fetch(wrong_name_https_server, trusting) == (200, HELLO)


def test_client_cert_required(
    client_cert_https_server: UvicornThread, trusting: ssl.SSLContext
) -> None:
    # TLS 1.3 finishes the client's handshake before the server checks the certificate;
    # the server then drops the connection, with an alert or without one.
    server = client_cert_https_server
    with (
        socket.create_connection((server.host, server.port), timeout=5) as sock,
        trusting.wrap_socket(sock, server_hostname=server.host) as tls,
    ):
        try:
            received = tls.recv(1)
        except (ssl.SSLError, ConnectionResetError) as exc:
            received = repr(exc).encode()
    assert received == b"" or b"CERTIFICATE_REQUIRED" in received or b"reset" in received


def test_client_cert_presented(
    client_cert_https_server: UvicornThread, trusting: ssl.SSLContext, client_cert_file: Path
) -> None:
    trusting.load_cert_chain(str(client_cert_file))
    status, body = tls_fetch(client_cert_https_server, trusting, "/client_cert")
    info = json.loads(body)
    assert status == 200 and info["name"].startswith("CN=duohttp test client,")
    leaf_pem = client_cert_file.read_text().split("-----BEGIN CERTIFICATE-----")[1]
    assert info["chain"][0].split("-----BEGIN CERTIFICATE-----")[1].strip() == leaf_pem.strip()


def test_client_cert_null_without_mtls(
    https_server: UvicornThread, trusting: ssl.SSLContext
) -> None:
    assert tls_fetch(https_server, trusting, "/client_cert") == (200, b"null")


# Raw TCP server.


def test_raw_server_scripted_response(raw_server: RawFactory) -> None:
    def handler(conn: RawConnection) -> None:
        conn.read_request()
        conn.send(OK_RESPONSE)

    raw = raw_server(handler)
    assert raw.url == f"http://127.0.0.1:{raw.port}" and raw.host == "127.0.0.1"
    conn = http.client.HTTPConnection(raw.host, raw.port, timeout=5)
    try:
        conn.request("GET", "/x")
        assert conn.getresponse().read() == b"ok"
    finally:
        conn.close()
    raw.join()
    assert raw.connections == 1
    assert raw.accepted[0].requests[0].startswith(b"GET /x HTTP/1.1\r\n")


def test_raw_server_reads_bodies_and_pipelined_requests(raw_server: RawFactory) -> None:
    requests: list[bytes] = []

    def handler(conn: RawConnection) -> None:
        while request := conn.read_request():
            requests.append(request)
        conn.send(OK_RESPONSE)

    raw = raw_server(handler)
    chunked = b"POST /c HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nt: 1\r\n\r\n"
    sized = b"PUT /s HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello"
    plain = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n"
    with socket.create_connection((raw.host, raw.port), timeout=5) as sock:
        sock.sendall(chunked + sized + plain)
        sock.shutdown(socket.SHUT_WR)
        assert read_until(sock, b"ok").endswith(b"\r\n\r\nok")
    raw.join()
    assert requests == [chunked, sized, plain] == raw.accepted[0].requests


def test_raw_server_eof_mid_request_is_reported(raw_server: RawFactory) -> None:
    raw = raw_server(RawConnection.read_request)
    with socket.create_connection((raw.host, raw.port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
    with pytest.raises(RuntimeError, match="handler failed") as info:
        raw.join()
    assert isinstance(info.value.__cause__, EOFError)
    raw.errors.clear()


def test_raw_connection_wait_closed(raw_server: RawFactory) -> None:
    results: list[bool] = []
    idle = threading.Event()

    def handler(conn: RawConnection) -> None:
        results.append(conn.wait_closed(0.1))
        idle.set()
        results.append(conn.wait_closed(5))

    raw = raw_server(handler)
    with socket.create_connection((raw.host, raw.port), timeout=5):
        assert idle.wait(5)
    raw.join()
    assert results == [False, True]


def test_raw_connection_close_and_reset(raw_server: RawFactory) -> None:
    def handler(conn: RawConnection) -> None:
        conn.read_request()
        if conn.requests[0].startswith(b"GET /reset"):
            conn.reset()
        else:
            conn.close()

    raw = raw_server(handler)
    with socket.create_connection((raw.host, raw.port), timeout=5) as sock:
        sock.sendall(b"GET /close HTTP/1.1\r\n\r\n")
        assert sock.recv(1) == b""
    with socket.create_connection((raw.host, raw.port), timeout=5) as sock:
        sock.sendall(b"GET /reset HTTP/1.1\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
    raw.join(connections=2)
    assert raw.connections == 2


def test_raw_server_close_interrupts_blocked_handlers() -> None:
    entered = threading.Event()

    def handler(conn: RawConnection) -> None:
        entered.set()
        conn.read_request()

    raw = RawServer(handler)
    with socket.create_connection((raw.host, raw.port), timeout=5) as sock:
        assert entered.wait(5)
        started = time.monotonic()
        raw.close()
        assert time.monotonic() - started < 2
        assert sock.recv(1) == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((raw.host, raw.port), timeout=5)


def test_raw_server_handler_errors_surface() -> None:
    def handler(conn: RawConnection) -> None:
        raise AssertionError("scripted failure")

    raw = RawServer(handler)
    socket.create_connection((raw.host, raw.port), timeout=5).close()
    with pytest.raises(RuntimeError) as info:
        raw.join()
    assert isinstance(info.value.__cause__, AssertionError)
    with pytest.raises(RuntimeError, match="handler failed"):
        raw.close()


# Connect-timeout listener.


def test_full_backlog_listener(full_backlog_listener: tuple[str, int]) -> None:
    host, port = full_backlog_listener
    assert host == "127.0.0.1"
    with pytest.raises(TimeoutError):
        socket.create_connection((host, port), timeout=0.2)
