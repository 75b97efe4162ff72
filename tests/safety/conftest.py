"""Fixtures of the safety suite: the client variants (see clients.py), the hostile server,
and `raises()`, which checks that an error comes from our tree."""

from __future__ import annotations

import contextlib
import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.safety.clients import CORE_KINDS, KINDS, REQUESTS_KINDS, Client
from tests.safety.hostile import HostileServer, Script
from tests.servers import write_leaf_file


@contextlib.contextmanager
def raises(
    client: Client, core_type: type[BaseException], match: str | None = None
) -> Iterator[list[BaseException]]:
    """Expect an error from our tree: `core_type` for httpcore, requests' class chained to it.

    Yields a list that holds the httpcore exception afterwards.
    """
    found: list[BaseException] = []
    with pytest.raises(Exception) as info:
        yield found
    core = client.core_error(info.value)
    assert isinstance(core, core_type), f"{client.kind}: {info.value!r} from {core!r}"
    if match is not None:
        assert re.search(match, str(core)), f"{client.kind}: {core!s} does not match {match!r}"
    found.append(core)


@pytest.fixture
async def make_client() -> Any:
    """A factory: `make_client(kind, timeout=..., verify=...)`; all are closed at teardown."""
    made: list[Client] = []

    def make(kind: str, **options: Any) -> Client:
        made.append(Client(kind, **options))
        return made[-1]

    yield make
    for client in made:
        await client.close()


@pytest.fixture(params=KINDS)
def client(request: pytest.FixtureRequest, make_client: Callable[..., Client]) -> Client:
    """Each of the four variants in turn."""
    return make_client(request.param)


@pytest.fixture(params=KINDS)
def kind_any(request: pytest.FixtureRequest) -> str:
    """Each variant's name in turn, for tests that make their own clients."""
    return str(request.param)


@pytest.fixture(params=CORE_KINDS)
def core_kind(request: pytest.FixtureRequest) -> str:
    """Each httpcore variant in turn, for options only the pools take."""
    return str(request.param)


@pytest.fixture(params=REQUESTS_KINDS)
def session_client(request: pytest.FixtureRequest, make_client: Callable[..., Client]) -> Client:
    """Each requests_async variant in turn (redirects, auth and cookies live there)."""
    return make_client(request.param)


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    """A factory: `hostile(scripts, ssl_context=None)` starts a `HostileServer`."""
    with contextlib.ExitStack() as stack:

        def start(scripts: dict[str, Script], **options: Any) -> HostileServer:
            return stack.enter_context(HostileServer(scripts, **options))

        yield start


@pytest.fixture(scope="session")
def tls_server_context(ca: Any, tls_dir: Path) -> ssl.SSLContext:
    """A server context with a certificate from the test CA for 127.0.0.1 and localhost."""
    certfile = write_leaf_file(ca, tls_dir / "hostile.pem", "127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile)
    return context


@pytest.fixture(scope="session")
def wrong_name_tls_context(ca: Any, tls_dir: Path) -> ssl.SSLContext:
    """A server context whose certificate, from the test CA, names only other.invalid."""
    certfile = write_leaf_file(ca, tls_dir / "hostile-wrong-name.pem", "other.invalid")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile)
    return context
