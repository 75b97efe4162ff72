"""A deadline that holds: `total_timeout` bounds the whole exchange, whatever is slow.

Every server here makes progress often enough that the per-wait timeouts (five seconds)
never fire: a head or body dripped a byte at a time, 1xx responses one after another, an
upload read slowly, redirects and retries that each take a while. Only the total timeout
can end them, and it must, in every variant, within a generous margin of its value.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Iterator

import pytest

import httpcore
import requests_async
import requests_async.sync as requests
from requests_async._async.adapters import HTTPAdapter
from requests_async._sync.adapters import HTTPAdapter as SyncHTTPAdapter
from tests.safety.clients import REQUESTS_KINDS, Client
from tests.safety.conftest import raises
from tests.safety.hostile import Script, response
from tests.servers.raw import RawConnection, RawServer

TOTAL = 0.4
TIMEOUTS = httpcore.TimeoutConfig(5.0, total_timeout=TOTAL)
# Far below what any of these servers would take without the deadline (at least 5 s).
BOUND = TOTAL + 2.5
# How often the servers send (or read) a little.
PACE = 0.03


def drip(first: bytes, piece: bytes) -> Script:
    """A script that sends `first`, then `piece` every PACE seconds until the client leaves."""

    def script(conn: RawConnection, request: bytes) -> bool:
        conn.send(first)
        while not conn.wait_closed(PACE):
            conn.send(piece)
        return False

    return script


def after_a_while(data: bytes, seconds: float) -> Script:
    """A script that sends `data` `seconds` after the request (sooner if the client leaves)."""

    def script(conn: RawConnection, request: bytes) -> bool:
        if conn.wait_closed(seconds):
            return False
        conn.send(data)
        return True

    return script


SCRIPTS: dict[str, Script] = {
    "/drip-head": drip(b"HTTP/1.1 200 OK\r\n", b"x-drip: 1\r\n"),
    "/drip-body": drip(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n", b"x"),
    "/informational": drip(b"", b"HTTP/1.1 102 Processing\r\n\r\n"),
    "/hop": after_a_while(response(status=302, headers=[(b"location", b"/hop")]), 0.15),
    "/busy": after_a_while(response(status=503, headers=[(b"retry-after", b"3")]), 0.0),
    "/quick": after_a_while(response(b"quick"), 0.0),
    "/slow": after_a_while(response(b"slow"), TOTAL + 0.2),
}


async def meets_the_deadline(client: Client, call: Awaitable[object]) -> None:
    """Await `call`, which must end in TotalTimeout, no sooner than TOTAL and well before BOUND."""
    started = time.monotonic()
    with raises(client, httpcore.TotalTimeout):
        await call
    assert TOTAL <= time.monotonic() - started < BOUND


@pytest.fixture
def timed_client(make_client, kind_any):
    return make_client(kind_any, timeout=TIMEOUTS)


@pytest.fixture(params=REQUESTS_KINDS)
def timed_session(make_client, request):
    return make_client(request.param, timeout=TIMEOUTS)


@pytest.fixture
def slow_reader() -> Iterator[RawServer]:
    """A server that reads an upload 64 KiB every PACE seconds, and never answers."""
    done = threading.Event()

    def handler(conn: RawConnection) -> None:
        while not done.is_set() and conn.sock.recv(64 * 1024):
            done.wait(PACE)

    with RawServer(handler) as server:
        yield server
        done.set()


@pytest.mark.parametrize("path", ["/drip-head", "/drip-body", "/informational"])
async def test_slow_server_meets_the_deadline(timed_client, hostile, path):
    server = hostile(SCRIPTS)
    await meets_the_deadline(timed_client, timed_client.fetch(server.url + path))
    assert timed_client.counts() == (0, 0)


async def test_streamed_body_meets_the_deadline(timed_client, hostile):
    # The deadline set when the request started still holds while the caller reads.
    server = hostile(SCRIPTS)
    await meets_the_deadline(timed_client, timed_client.stream(server.url + "/drip-body"))
    assert timed_client.counts() == (0, 0)


async def test_slow_upload_meets_the_deadline(timed_client, slow_reader):
    await meets_the_deadline(
        timed_client, timed_client.fetch(slow_reader.url + "/", "POST", body=b"x" * 64_000_000)
    )


async def test_connect_meets_the_deadline(timed_client, full_backlog_listener):
    host, port = full_backlog_listener
    await meets_the_deadline(timed_client, timed_client.fetch(f"http://{host}:{port}/"))


async def test_pool_wait_meets_the_deadline(make_client, core_kind, hostile):
    server = hostile(SCRIPTS)
    client = make_client(core_kind, timeout=TIMEOUTS, limits=httpcore.PoolLimits(hard_limit=1))
    pool = client.pools()[0]
    # The only connection is held by a streamed response that nobody reads.
    holder = await client._call(
        pool.request("GET", server.url + "/quick", stream=True, timeout=None)
    )
    await meets_the_deadline(client, client.fetch(server.url + "/quick"))
    await client._call(holder.close())


async def test_redirects_share_one_deadline(timed_session, hostile):
    # Each hop takes 0.15 s and stays within every per-wait timeout; thirty of them would
    # take 4.5 s, but the deadline covers the whole chain.
    server = hostile(SCRIPTS)
    await meets_the_deadline(timed_session, timed_session.fetch(server.url + "/hop"))
    # About three hops fit in the deadline (fewer on a loaded machine), never thirty.
    assert 1 <= len(server.requests_to("/hop")) <= 4


@pytest.mark.parametrize("flavor", ["async", "sync"])
async def test_retries_share_one_deadline(hostile, flavor):
    # Retry-After asks for 3 s between attempts: the wait is cut at the deadline, and no
    # attempt starts after it.
    server = hostile(SCRIPTS)
    module = requests_async if flavor == "async" else requests
    adapter = HTTPAdapter if flavor == "async" else SyncHTTPAdapter
    retry = requests_async.retries.Retry(total=5, status_forcelist=[503], backoff_factor=0)
    session = module.Session()
    session.mount("http://", adapter(max_retries=retry))
    started = time.monotonic()
    with pytest.raises(requests_async.exceptions.TotalTimeout) as info:
        call = session.get(server.url + "/busy", timeout=TIMEOUTS)
        await call if flavor == "async" else call
    assert isinstance(info.value, requests_async.exceptions.Timeout)
    assert isinstance(info.value.__cause__, httpcore.TotalTimeout)
    assert TOTAL <= time.monotonic() - started < BOUND
    assert len(server.requests_to("/busy")) == 1
    result = session.close()
    if flavor == "async":
        await result


async def test_deadline_is_per_request(timed_client, hostile):
    # A request that finished within its deadline leaves nothing behind on the connection:
    # the next request, on the same kept-alive connection, gets a deadline of its own.
    server = hostile(SCRIPTS)
    for _ in range(2):
        assert (await timed_client.fetch(server.url + "/quick")).body == b"quick"
    assert timed_client.counts() == (0, 1)
    assert server.connections == 1


async def test_no_total_timeout_by_default(make_client, kind_any, hostile):
    # A response slower than TOTAL, with no total timeout set, arrives.
    server = hostile(SCRIPTS)
    client = make_client(kind_any, timeout=5.0)
    assert (await client.fetch(server.url + "/slow")).body == b"slow"


async def test_a_shorter_wait_timeout_still_names_itself(make_client, kind_any, hostile):
    # A read timeout that fires well before the deadline is a ReadTimeout, not a total one.
    server = hostile(SCRIPTS)
    client = make_client(kind_any, timeout=httpcore.TimeoutConfig(0.1, total_timeout=60))
    with raises(client, httpcore.ReadTimeout):
        await client.fetch(server.url + "/slow")


@pytest.mark.parametrize("flavor", ["async", "sync"])
async def test_http2_streams_meet_the_deadline(h2c_server, flavor):
    # Each stream has its own deadline; a stream past it is reset, and its siblings go on.
    pool_class = httpcore.ConnectionPool if flavor == "async" else httpcore.SyncConnectionPool
    pool = pool_class(timeout=TIMEOUTS, http2_prior_knowledge=True)

    async def call(value):
        return await value if flavor == "async" else value

    started = time.monotonic()
    with pytest.raises(httpcore.TotalTimeout):
        await call(pool.request("GET", h2c_server.url + "/drip/1000"))
    assert TOTAL <= time.monotonic() - started < BOUND
    response = await call(pool.request("GET", h2c_server.url + "/drip/1000", stream=True))
    assert response.http_version == "HTTP/2"
    started = time.monotonic()
    with pytest.raises(httpcore.TotalTimeout):
        await call(response.read())
    assert time.monotonic() - started < BOUND
    sibling = await call(pool.request("GET", h2c_server.url + "/"))
    assert (sibling.status_code, sibling.body) == (200, b"Hello, world")
    assert sibling.http_version == "HTTP/2"
    # All three on one connection: the streams past their deadline did not break it.
    assert pool.num_active_connections + pool.num_keepalive_connections == 1
    await call(pool.close())
