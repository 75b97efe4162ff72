"""HTTPAdapter and mounting: prefixes, retries, request bodies and headers, against loopback."""

from __future__ import annotations

import io
import pickle
import socket

import pytest

import httpcore
from requests_async._async.adapters import BaseAdapter, HTTPAdapter
from requests_async._async.response import Response
from requests_async._async.sessions import Session
from requests_async.exceptions import (
    ChunkedEncodingError,
    ConnectionError,
    InvalidSchema,
    RetryError,
)
from requests_async.models import Request
from requests_async.retries import Retry
from tests.servers import pattern

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch, tmp_path):
    """Proxies, CA bundles and netrc from the environment stay out of these tests."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordedSleeps:
    """Stands in for the adapter's backend: records the delays instead of waiting."""

    def __init__(self):
        self.slept = []

    async def sleep(self, seconds):
        self.slept.append(seconds)


class Canned(BaseAdapter):
    """An adapter that answers every request with a fixed body, without any I/O."""

    def __init__(self, body):
        self.body = body
        self.sent = []
        self.closed = False

    async def send(self, request, **kwargs):
        self.sent.append(request.url)
        response = Response()
        response.status_code = 200
        response._content = self.body
        response.url = request.url
        response.request = request
        response.connection = self
        return response

    async def close(self):
        self.closed = True


def answering(*replies, drop_first=False):
    """A raw-server handler: answers successive requests with `replies`, the last repeated.

    With `drop_first`, the very first request is read and its connection closed unanswered.
    `handler.requests` collects every raw request received.
    """
    seen = []

    def handler(conn):
        while request := conn.read_request():
            seen.append(request)
            if drop_first and len(seen) == 1:
                conn.close()
                return
            index = len(seen) - 1 - int(drop_first)
            conn.send(replies[min(index, len(replies) - 1)])

    handler.requests = seen
    return handler


async def test_mount_tries_the_longest_prefix_first(server):
    origin, special, mock = Canned(b"origin"), Canned(b"special"), Canned(b"mock")
    async with Session() as s:
        s.mount(server.url, origin)
        s.mount(server.url + "/special", special)
        s.mount("mock://", mock)
        assert list(s.adapters) == [
            server.url + "/special",
            server.url,
            "https://",
            "http://",
            "mock://",
        ]
        assert (await s.get(server.url + "/special/a")).content == b"special"
        assert (await s.get(server.url + "/other")).content == b"origin"
        assert (await s.get("mock://thing/")).content == b"mock"
        assert s.get_adapter("MOCK://thing/") is mock
        # Mounting the same prefix again replaces the adapter in place.
        again = Canned(b"again")
        s.mount("mock://", again)
        assert (await s.get("mock://thing/")).content == b"again"
    assert origin.closed and special.closed and again.closed
    assert mock.sent == ["mock://thing/"]


async def test_get_adapter_and_send_errors(server):
    async with Session() as s:
        with pytest.raises(InvalidSchema, match="No connection adapters were found for 'ftp://x/'"):
            s.get_adapter("ftp://x/")
        with pytest.raises(ValueError, match=r"You can only send PreparedRequests\."):
            await s.send(Request("GET", server.url))
        s.adapters.clear()
        with pytest.raises(InvalidSchema):
            await s.get(server.url)
    adapter = HTTPAdapter()
    prepared = Request("GET", "ftp://127.0.0.1/file").prepare()
    with pytest.raises(InvalidSchema, match="No connection adapters were found for"):
        await adapter.send(prepared)


async def test_adapter_send_directly(server, raw_server):
    cookies = raw_server(
        answering(
            b"HTTP/1.1 200 OK\r\nx-multi: 1\r\nx-multi: 2\r\nset-cookie: a=1\r\n"
            b"set-cookie: b=2; Path=/\r\ncontent-length: 4\r\n\r\nbody"
        )
    )
    adapter = HTTPAdapter()
    try:
        r = await adapter.send(Request("GET", cookies.url + "/").prepare())
        assert r.content == b"body"
        # Repeated fields are joined as requests shows them; cookies come with the response.
        assert r.headers["X-Multi"] == "1, 2"
        assert r.cookies.get_dict() == {"a": "1", "b": "2"}
        assert r.connection is adapter
        assert r.reason == "OK"
        assert r.url == cookies.url + "/"
        prepared = Request("GET", server.url + "/echo_headers").prepare()
        prepared.headers["X-Bytes"] = b"caf\xe9"
        echoed = await adapter.send(prepared)
        assert dict(echoed.json())["x-bytes"] == "caf\u00e9"
        streamed = await adapter.send(
            Request("GET", server.url + "/bytes/5").prepare(), stream=True
        )
        assert streamed._content is None
        assert await streamed.read() == pattern(5)
    finally:
        await adapter.close()
    assert adapter._pools == {}


async def test_status_retry_with_retry_after(raw_server):
    handler = answering(
        b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 4\r\n\r\nbusy",
        OK,
    )
    server = raw_server(handler)
    adapter = HTTPAdapter(max_retries=Retry(total=2, status_forcelist={503}))
    adapter._backend = RecordedSleeps()
    async with Session() as s:
        s.mount("http://", adapter)
        r = await s.get(server.url + "/")
    assert (r.status_code, r.content) == (200, b"ok")
    assert len(handler.requests) == 2
    # Retry-After decides the delay (recorded here, not waited for).
    assert adapter._backend.slept == [1.0]


async def test_retry_after_alone_makes_429_retryable(raw_server):
    handler = answering(b"HTTP/1.1 429 Too Many\r\nretry-after: 0\r\ncontent-length: 0\r\n\r\n", OK)
    server = raw_server(handler)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=Retry(total=1)))
        r = await s.get(server.url + "/")
    assert r.status_code == 200
    assert len(handler.requests) == 2


async def test_retry_error_when_status_retries_run_out(server):
    adapter = HTTPAdapter(max_retries=Retry(total=2, status_forcelist={503}, backoff_factor=0))
    async with Session() as s:
        s.mount("http://", adapter)
        with pytest.raises(RetryError) as info:
            await s.get(server.url + "/status/503")
        assert info.value.request.url == server.url + "/status/503"
        (pool,) = adapter._pools.values()
        assert pool.num_active_connections == 0


async def test_last_response_returned_without_raise_on_status(server):
    retry = Retry(total=1, status_forcelist={503}, raise_on_status=False)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=retry))
        r = await s.get(server.url + "/status/503", params={"body": "1"})
    assert r.status_code == 503
    assert r.content == b"status 503"


async def test_status_retry_only_for_allowed_methods(raw_server):
    handler = answering(b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n", OK)
    server = raw_server(handler)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist={503})))
        r = await s.post(server.url + "/", data=b"x")
    assert r.status_code == 503
    assert len(handler.requests) == 1


async def test_connection_refused_is_retried_then_raised():
    url = f"http://127.0.0.1:{closed_port()}/"
    adapter = HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.01))
    adapter._backend = RecordedSleeps()
    async with Session() as s:
        s.mount("http://", adapter)
        with pytest.raises(ConnectionError) as info:
            await s.get(url)
    # Three retries after the first attempt, with exponential backoff after the first.
    assert adapter._backend.slept == [0, 0.02, 0.04]
    assert isinstance(info.value.__cause__, httpcore.ConnectError)
    assert info.value.request.url == url


async def test_no_retries_by_default():
    url = f"http://127.0.0.1:{closed_port()}/"
    adapter = HTTPAdapter()
    adapter._backend = RecordedSleeps()
    assert adapter.max_retries.total == 0
    assert adapter.max_retries.read is False
    async with Session() as s:
        s.mount("http://", adapter)
        with pytest.raises(ConnectionError) as info:
            await s.get(url)
    assert adapter._backend.slept == []
    assert isinstance(info.value.__cause__, httpcore.ConnectError)


async def test_dropped_connection_retried_for_idempotent_methods(raw_server):
    handler = answering(OK, drop_first=True)
    server = raw_server(handler)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=1))
        r = await s.get(server.url + "/")
        assert r.content == b"ok"
    assert len(handler.requests) == 2
    post_handler = answering(OK, drop_first=True)
    post_server = raw_server(post_handler)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=1))
        # POST is not idempotent: a request that may have been processed is not sent again.
        with pytest.raises(ConnectionError):
            await s.post(post_server.url + "/", data=b"once")
    assert len(post_handler.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        lambda: io.BytesIO(b"file body " * 1000),
        lambda: {"files": {"f": ("f.bin", io.BytesIO(b"file body " * 1000))}},
        lambda: b"file body " * 1000,
    ],
    ids=["file", "multipart", "bytes"],
)
async def test_bodies_are_sent_again_whole_on_retry(raw_server, body):
    handler = answering(OK, drop_first=True)
    server = raw_server(handler)
    made = body()
    kwargs = made if isinstance(made, dict) else {"data": made}
    async with Session() as s:
        s.mount("http://", HTTPAdapter(max_retries=Retry(total=1, allowed_methods=None)))
        r = await s.put(server.url + "/", **kwargs)
    assert r.content == b"ok"
    first, second = handler.requests
    assert first == second
    assert first.count(b"file body ") == 1000


async def test_pool_settings():
    adapter = HTTPAdapter(pool_connections=3, pool_maxsize=4, pool_block=True)
    pool = adapter.get_pool(True, None)
    assert adapter.get_pool(True, None) is pool
    assert (pool.limits.soft_limit, pool.limits.hard_limit) == (12, 4)
    assert HTTPAdapter().get_pool(False, None).limits.hard_limit is None
    assert HTTPAdapter(max_retries=None).max_retries.total == 3
    assert HTTPAdapter(max_retries=5).max_retries.total == 5
    await adapter.close()


async def test_pickle_adapter_and_session(server):
    adapter = HTTPAdapter(pool_maxsize=3, max_retries=Retry(total=4, status_forcelist={503}))
    async with Session() as s:
        s.mount("http://", adapter)
        s.headers["X-Kept"] = "yes"
        s.cookies.set("jar", "kept")
        await s.get(server.url + "/")
        assert adapter._pools
        copy = pickle.loads(pickle.dumps(s))
    copied = copy.adapters["http://"]
    assert isinstance(copied, HTTPAdapter)
    assert copied._pools == {}
    assert copied._pool_maxsize == 3
    assert copied.max_retries.total == 4
    assert set(copied.max_retries.status_forcelist) == {503}
    assert copy.headers["X-Kept"] == "yes"
    async with copy:
        r = await copy.get(server.url + "/echo_headers")
    sent = dict(r.json())
    assert sent["x-kept"] == "yes"
    assert sent["cookie"] == "jar=kept"


async def test_request_bodies(server):
    async with Session() as s:
        echo = server.url + "/echo_body"
        assert (await s.post(echo, data=bytearray(b"array"))).content == b"array"
        assert (await s.post(echo, data=memoryview(b"view"))).content == b"view"
        assert (await s.post(echo, data=io.StringIO("text file"))).content == b"text file"
        assert (await s.post(echo, data="caf\u00e9")).content == "caf\u00e9".encode()
        big = pattern(200_000)
        r = await s.post(server.url + "/echo_body_length", data=io.BytesIO(big))
        assert r.json()["length"] == 200_000
        with pytest.raises(TypeError, match="cannot send a request body of type int"):
            await s.post(echo, data=123)


async def test_header_values_are_encoded_for_the_wire(server):
    async with Session() as s:
        r = await s.get(
            server.url + "/echo_headers",
            headers={"X-Latin": "caf\u00e9", "X-Utf": "\u2615", "X-Bytes": b"raw"},
        )
    sent = dict(r.json())
    # latin-1 where it fits (as http.client), UTF-8 otherwise; the server decodes latin-1.
    assert sent["x-latin"] == "caf\u00e9"
    assert sent["x-utf"] == "\u2615".encode().decode("latin-1")
    assert sent["x-bytes"] == "raw"


async def test_response_attributes(server):
    async with Session() as s:
        r = await s.get(server.url + "/bytes/3")
        assert r.connection is s.get_adapter(server.url)
    assert r.elapsed.total_seconds() > 0
    assert r.reason == "OK"
    assert r.headers["content-length"] == "3"
    assert r.headers["content-type"] == "application/octet-stream"


async def test_http2_adapter(h2_server, ca_file, server):
    async with Session() as s:
        s.mount("https://", HTTPAdapter(http2=True))
        s.verify = str(ca_file)
        r = await s.get(h2_server.url + "/")
        assert r.status_code == 200
        assert r.content == b"Hello, world"
        assert r.raw.http_version == "HTTP/2"
        plain = await s.get(server.url + "/")
        assert plain.raw.http_version == "HTTP/1.1"


async def test_http2_prior_knowledge_adapter(h2c_server):
    # h2c: HTTP/2 to an http:// server without asking, as the adapter was told.
    async with Session() as s:
        s.mount("http://", HTTPAdapter(http2_prior_knowledge=True))
        responses = [await s.get(h2c_server.url + "/") for _ in range(2)]
        assert [r.raw.http_version for r in responses] == ["HTTP/2", "HTTP/2"]
        assert responses[1].content == b"Hello, world"
    async with Session() as s:
        assert (await s.get(h2c_server.url + "/")).raw.http_version == "HTTP/1.1"


async def test_protocol_limits_bound_bodies_read_whole(server):
    limits = httpcore.ProtocolLimits(max_body_bytes=100_000)
    async with Session() as s:
        s.mount("http://", HTTPAdapter(protocol_limits=limits))
        assert (await s.get(server.url + "/bytes/100000")).content == pattern(100_000)
        with pytest.raises(ChunkedEncodingError, match="max_body_bytes"):
            await s.get(server.url + "/bytes/200000")
        # A streamed body is read by the caller, piece by piece: the bound is theirs to set.
        r = await s.get(server.url + "/bytes/200000", stream=True)
        received = b"".join([chunk async for chunk in r.iter_content(65536)])
        assert received == pattern(200_000)
    assert HTTPAdapter().get_pool(True, None).protocol_limits == httpcore.ProtocolLimits()
