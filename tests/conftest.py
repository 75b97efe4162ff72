"""Shared fixtures: loopback servers (uvicorn, hypercorn, raw TCP, full backlog, squid and
microsocks proxies, origins that record what reached them), trustme certificates.

Every server binds 127.0.0.1 on a free port and runs in a daemon thread; session-scoped
servers start once and stop at the end of the session.
"""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.servers import (
    FullBacklogListener,
    RawServer,
    UvicornThread,
    app,
    make_ca_dir,
    write_ca_file,
    write_leaf_file,
)
from tests.servers.hypercorn_thread import HypercornThread
from tests.servers.proxies import MicroSocks, RecordingApp, Squid
from tests.servers.raw import Handler
from tests.servers.wsgi import WSGIThread

CLIENT_CERT_NAME = "duohttp test client"


@pytest.fixture(scope="session")
def asgi_app() -> Callable[..., Any]:
    """The test ASGI application, for in-process use."""
    return app


@pytest.fixture(scope="session")
def server() -> Iterator[UvicornThread]:
    """uvicorn over plain HTTP: `.url` is `http://127.0.0.1:PORT`."""
    with UvicornThread(app) as running:
        yield running


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """The test certificate authority that issues every server and client certificate."""
    return trustme.CA()


@pytest.fixture(scope="session")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session directory for certificate files."""
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tls_dir: Path) -> Path:
    """The CA certificate as a PEM file (for `cafile=`)."""
    return write_ca_file(ca, tls_dir)


@pytest.fixture(scope="session")
def ca_dir(ca_file: Path, tls_dir: Path) -> Path:
    """A directory holding the CA as `<subject hash>.0` (for `capath=`)."""
    return make_ca_dir(ca_file, tls_dir / "capath")


@pytest.fixture(scope="session")
def https_server(ca: trustme.CA, tls_dir: Path) -> Iterator[UvicornThread]:
    """uvicorn over TLS, certificate for localhost, 127.0.0.1 and ::1 issued by `ca`."""
    certfile = write_leaf_file(ca, tls_dir / "server.pem", "localhost", "127.0.0.1", "::1")
    with UvicornThread(app, certfile=certfile) as running:
        yield running


@pytest.fixture(scope="session")
def wrong_name_https_server(ca: trustme.CA, tls_dir: Path) -> Iterator[UvicornThread]:
    """uvicorn over TLS with a certificate from `ca` naming only `other.invalid`."""
    certfile = write_leaf_file(ca, tls_dir / "wrong-name.pem", "other.invalid")
    with UvicornThread(app, certfile=certfile) as running:
        yield running


@pytest.fixture(scope="session")
def client_cert_file(ca: trustme.CA, tls_dir: Path) -> Path:
    """PEM file with a client key and certificate chain issued by `ca`."""
    path = tls_dir / "client.pem"
    return write_leaf_file(ca, path, "client@example.org", common_name=CLIENT_CERT_NAME)


@pytest.fixture(scope="session")
def client_cert_https_server(
    ca: trustme.CA, ca_file: Path, tls_dir: Path
) -> Iterator[UvicornThread]:
    """uvicorn over TLS that requires a client certificate issued by `ca`."""
    certfile = write_leaf_file(ca, tls_dir / "mtls-server.pem", "localhost", "127.0.0.1", "::1")
    with UvicornThread(
        app, certfile=certfile, ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED
    ) as running:
        yield running


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], RawServer]]:
    """A factory: `raw_server(handler)` starts a `RawServer`; all close at test teardown."""
    with contextlib.ExitStack() as stack:

        def start(handler: Handler) -> RawServer:
            return stack.enter_context(RawServer(handler))

        yield start


@pytest.fixture(scope="session")
def full_backlog_listener() -> Iterator[tuple[str, int]]:
    """`(host, port)` of a loopback listener where every new TCP connect hangs."""
    with FullBacklogListener() as listener:
        yield listener.address


@pytest.fixture(scope="session")
def httpbin() -> Iterator[WSGIThread]:
    """httpbin (the WSGI app) under werkzeug's threaded server on 127.0.0.1."""
    import logging

    # httpbin logs a warning at import when its optional Swagger UI package is missing.
    logging.getLogger("httpbin.core").setLevel(logging.ERROR)
    from httpbin import app

    with WSGIThread(app) as running:
        yield running


@pytest.fixture(scope="session")
def h2_certfile(ca: trustme.CA, tls_dir: Path) -> Path:
    """Key and certificate for the hypercorn servers: localhost, 127.0.0.1 and ::1, from `ca`."""
    return write_leaf_file(ca, tls_dir / "h2-server.pem", "localhost", "127.0.0.1", "::1")


@pytest.fixture(scope="session")
def h2_server(h2_certfile: Path) -> Iterator[HypercornThread]:
    """hypercorn over TLS offering h2 then http/1.1 by ALPN, 200 concurrent streams at most."""
    with HypercornThread(app, certfile=h2_certfile, max_concurrent_streams=200) as running:
        yield running


@pytest.fixture(scope="session")
def h2c_server() -> Iterator[HypercornThread]:
    """hypercorn over cleartext: HTTP/2 to clients with prior knowledge, else HTTP/1.1."""
    with HypercornThread(app, max_concurrent_streams=200) as running:
        yield running


@pytest.fixture
def hypercorn_server(h2_certfile: Path) -> Iterator[Callable[..., HypercornThread]]:
    """A factory: `hypercorn_server(**options)` starts a `HypercornThread` serving the test
    app over TLS with `h2_certfile`; all stop at test teardown."""
    with contextlib.ExitStack() as stack:

        def start(**options: Any) -> HypercornThread:
            return stack.enter_context(HypercornThread(app, certfile=h2_certfile, **options))

        yield start


_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True, scope="session")
def _no_proxies_from_the_environment() -> Iterator[None]:
    """Tests talk to loopback only: a proxy set where they run must not reroute any request.

    The differential tests drive the real requests, which honours *_PROXY variables; tests
    that exercise proxy handling set them with monkeypatch inside the test.
    """
    saved = {
        name: os.environ.pop(name)
        for variable in _PROXY_VARIABLES
        for name in (variable, variable.upper())
        if name in os.environ
    }
    yield
    os.environ.update(saved)


# Proxies ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def squid(ca: trustme.CA, tls_dir: Path) -> Iterator[Squid]:
    """squid with the ports `open`, `auth`, `deny` and `tls` (certificate from `ca`)."""
    certfile = write_leaf_file(ca, tls_dir / "proxy.pem", "127.0.0.1", "localhost")
    with Squid(certfile) as running:
        yield running


@pytest.fixture(scope="session")
def socks_proxy() -> Iterator[MicroSocks]:
    """microsocks requiring the username and password of `tests.servers.proxies`."""
    with MicroSocks(auth=True) as running:
        yield running


@pytest.fixture(scope="session")
def open_socks_proxy() -> Iterator[MicroSocks]:
    """microsocks without authentication."""
    with MicroSocks(auth=False) as running:
        yield running


@pytest.fixture(scope="session")
def _recording_app() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def recording_app(_recording_app: RecordingApp) -> RecordingApp:
    """What reached the recording origins during this test."""
    _recording_app.clear()
    return _recording_app


@pytest.fixture(scope="session")
def recording_server(_recording_app: RecordingApp) -> Iterator[UvicornThread]:
    """uvicorn over plain HTTP serving the test app through `recording_app`."""
    with UvicornThread(_recording_app) as running:
        yield running


@pytest.fixture(scope="session")
def recording_https_server(
    _recording_app: RecordingApp, ca: trustme.CA, tls_dir: Path
) -> Iterator[UvicornThread]:
    """uvicorn over TLS (localhost, 127.0.0.1) serving the test app through `recording_app`."""
    certfile = write_leaf_file(ca, tls_dir / "recording.pem", "localhost", "127.0.0.1")
    with UvicornThread(_recording_app, certfile=certfile) as running:
        yield running
