"""MockTransport and mock_response, both flavors."""

from __future__ import annotations

import pytest

import httpcore
import requests_async
import requests_async.sync
from requests_async import ConnectionError, ConnectTimeout
from requests_async._transports import join_base_url, mock_headers, reason_phrase


def mounted(flavor, handler):
    session = flavor.ns.Session()
    transport = flavor.ns.MockTransport(handler)
    session.mount("https://api.test/", transport)
    return session, transport


def test_json_response_and_recorded_requests(flavor):
    session, transport = mounted(
        flavor, lambda request: flavor.ns.mock_response(json={"path": request.path_url})
    )
    response = flavor(session.get("https://api.test/items?x=1"))
    assert response.json() == {"path": "/items?x=1"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    assert (response.status_code, response.reason, response.encoding) == (200, "OK", "utf-8")
    assert response.url == "https://api.test/items?x=1"
    assert response.request is transport.requests[0]
    assert response.connection is transport
    flavor(session.close())


def test_text_content_headers_and_reason(flavor):
    def handler(request):
        if request.method == "POST":
            return flavor.ns.mock_response(201, text="caf\u00e9", reason="Made")
        return flavor.ns.mock_response(
            content=b"\x00\x01",
            headers=[("Content-Type", "application/octet-stream"), ("X-Id", "7")],
        )

    session, _ = mounted(flavor, handler)
    created = flavor(session.post("https://api.test/", data=b"x"))
    assert (created.status_code, created.reason, created.text) == (201, "Made", "caf\u00e9")
    assert created.headers["content-type"] == "text/plain; charset=utf-8"
    raw = flavor(session.get("https://api.test/"))
    assert raw.content == b"\x00\x01"
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["x-id"] == "7"


def test_streamed_body(flavor):
    pieces = []

    def produce():
        for part in (b"one ", b"two ", b"three"):
            pieces.append(part)
            yield part

    session, _ = mounted(flavor, lambda request: flavor.ns.mock_response(stream=produce()))
    response = flavor(session.get("https://api.test/", stream=True))
    assert "content-length" not in response.headers
    chunks = response.iter_content(None)
    assert flavor.next(chunks) == b"one "
    assert pieces == [b"one "]
    assert flavor.list(chunks) == [b"two ", b"three"]


def test_empty_body_and_framing_headers(flavor):
    response = flavor.ns.mock_response(204)
    assert response.headers["content-length"] == "0"
    chunked = flavor.ns.mock_response(
        stream=[b"a"], headers={"transfer-encoding": "chunked", "x": "1"}
    )
    assert chunked.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in chunked.headers


def test_redirects_cookies_and_hooks_apply(flavor):
    def handler(request):
        if request.path_url == "/start":
            return flavor.ns.mock_response(
                302, headers={"location": "/end", "set-cookie": "token=abc; Path=/"}
            )
        return flavor.ns.mock_response(text=request.headers.get("cookie", ""))

    session, _ = mounted(flavor, handler)
    seen = []
    response = flavor(
        session.get("https://api.test/start", hooks={"response": lambda r, **kw: seen.append(r)})
    )
    assert response.text == "token=abc"
    assert [r.status_code for r in response.history] == [302]
    assert session.cookies["token"] == "abc"
    assert [r.status_code for r in seen] == [302, 200]


def test_handler_built_response(flavor):
    def handler(request):
        response = flavor.ns.Response()
        response.status_code = 418
        response.headers["set-cookie"] = "kind=tea"
        if request.method == "GET":
            response._content = b"short and stout"
        return response

    session, _ = mounted(flavor, handler)
    response = flavor(session.get("https://api.test/"))
    assert (response.status_code, response.reason, response.content) == (
        418,
        "I'm a Teapot",
        b"short and stout",
    )
    assert session.cookies["kind"] == "tea"
    assert flavor(session.delete("https://api.test/")).content == b""


def test_exceptions_from_the_handler(flavor):
    def handler(request):
        if request.method == "GET":
            raise httpcore.ConnectTimeout("too slow")
        raise ConnectionError("refused")

    session, _ = mounted(flavor, handler)
    with pytest.raises(ConnectTimeout) as caught:
        flavor(session.get("https://api.test/"))
    assert isinstance(caught.value.__cause__, httpcore.ConnectTimeout)
    assert caught.value.request.url == "https://api.test/"
    with pytest.raises(ConnectionError, match="refused"):
        flavor(session.post("https://api.test/"))


def test_wrong_return_type(flavor):
    def handler(request):
        return {"status": 200}

    session, _ = mounted(flavor, handler)
    with pytest.raises(TypeError) as caught:
        flavor(session.get("https://api.test/"))
    message = str(caught.value)
    assert "handler <function test_wrong_return_type.<locals>.handler" in message
    assert "returned {'status': 200} of type dict" in message
    expected = "requests_async.Response" if flavor.is_async else "requests_async.sync.Response"
    assert f"it must return a {expected} " in message


def test_other_flavor_response_is_refused(flavor):
    other = requests_async.sync if flavor.is_async else requests_async
    session, _ = mounted(flavor, lambda request: other.mock_response())
    with pytest.raises(TypeError, match=r"of type (Sync)?Response"):
        flavor(session.get("https://api.test/"))


def test_send_without_stream_reads_the_body(flavor):
    transport = flavor.ns.MockTransport(lambda request: flavor.ns.mock_response(text="read"))
    request = flavor.ns.Request("GET", "https://api.test/").prepare()
    response = flavor(transport.send(request))
    assert response.content == b"read"
    assert response.raw.closed
    flavor(transport.close())


async def test_async_handler_and_async_stream():
    async def chunks():
        yield b"as"
        yield b"ync"

    async def handler(request):
        return requests_async.mock_response(stream=chunks(), headers={"content-type": "text/x"})

    async with requests_async.Session() as session:
        session.mount("https://api.test/", requests_async.MockTransport(handler))
        response = await session.get("https://api.test/")
    assert response.text == "async"
    assert response.encoding == "ISO-8859-1"


def test_async_handler_in_the_sync_flavor():
    async def handler(request):
        return requests_async.sync.mock_response()

    session = requests_async.sync.Session()
    session.mount("https://api.test/", requests_async.sync.MockTransport(handler))
    with pytest.raises(TypeError, match="an async handler needs the async Session"):
        session.get("https://api.test/")


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        (
            {"content": b"a", "text": "b"},
            "at most one of content, text and json, not content and text",
        ),
        ({"text": "a", "json": 1}, "not text and json"),
        ({"stream": [b"a"], "json": 1}, "either stream or one of content, text and json"),
        ({"content": "text"}, "content must be bytes, not str"),
        ({"status_code": "200"}, "status_code must be an int, not str"),
        ({"status_code": True}, "status_code must be an int, not bool"),
    ],
)
def test_mock_response_arguments(flavor, kwargs, problem):
    with pytest.raises(TypeError, match=problem):
        flavor.ns.mock_response(**kwargs)


def test_json_null_is_no_body(flavor):
    assert flavor.ns.mock_response(json=None).headers["content-length"] == "0"


@pytest.mark.parametrize(
    ("base", "url", "joined"),
    [
        ("http://testserver", "/items", "http://testserver/items"),
        ("http://testserver/", "items", "http://testserver/items"),
        ("http://testserver/api", "/items", "http://testserver/api/items"),
        ("http://testserver/api", "?q=1", "http://testserver/api?q=1"),
        ("http://testserver/api", "", "http://testserver/api"),
        ("http://testserver", "https://other/x", "https://other/x"),
    ],
)
def test_join_base_url(base, url, joined):
    assert join_base_url(base, url) == joined


def test_reason_phrase_and_headers():
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(299) == ""
    assert mock_headers([(b"content-type", b"a")], {"Content-Type": "b"}, None) == [
        (b"content-type", b"b")
    ]
