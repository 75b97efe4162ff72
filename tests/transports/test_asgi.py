"""ASGITransport and ASGISession, both flavors, against Starlette and raw ASGI apps."""

from __future__ import annotations

import asyncio

import pytest

import requests_async
from requests_async import AppProtocolError, ConnectionError, LifespanFailed, ReadTimeout
from tests.transports.apps import (
    START,
    asgi_sending,
    endless,
    lifespan_answering,
    lifespan_less,
    lifespan_returns,
    starlette_app,
)


@pytest.fixture
def client(flavor):
    session = flavor.ns.ASGISession(starlette_app)
    flavor.enter(session)
    yield session
    flavor.exit(session)


def test_get_with_lifespan_state(flavor, client, events):
    response = flavor(client.get("/", params={"q": "1"}))
    assert response.status_code == 200
    assert response.url == "http://testserver/?q=1"
    assert response.json() == {
        "method": "GET",
        "path": "/",
        "query": "q=1",
        "host": "testserver",
        "client": ["127.0.0.1", 123],
        "root_path": "",
        "greeting": "hello from lifespan",
    }
    assert response.reason == "OK"
    assert response.raw.http_version == "HTTP/1.1"
    assert events == ["startup"]


def test_shutdown_runs_on_exit(flavor, events):
    session = flavor.ns.ASGISession(starlette_app)
    flavor.enter(session)
    flavor.exit(session)
    assert events == ["startup", "shutdown"]


def test_base_url_path_and_absolute_urls(flavor):
    session = flavor.ns.ASGISession(
        starlette_app, base_url="https://api.test:8443/", lifespan=False, root_path="/v1"
    )
    body = flavor(session.get("numbers?count=2")).text
    assert body == "0\n1\n"
    data = flavor(session.get("http://other.test/")).json()
    assert (data["host"], data["root_path"], data["greeting"]) == ("other.test", "/v1", None)
    assert flavor(session.get("/")).json()["host"] == "api.test:8443"
    flavor(session.close())


def test_transport_mounted_on_a_plain_session(flavor):
    session = flavor.ns.Session()
    transport = flavor.ns.ASGITransport(starlette_app, client=("10.0.0.1", 5000))
    session.mount("http://app.test/", transport)
    response = flavor(session.get("http://app.test/?x=%2F"))
    assert response.json()["client"] == ["10.0.0.1", 5000]
    assert response.json()["query"] == "x=%2F"
    assert response.connection is transport
    flavor(session.close())


def test_request_body_bytes_and_iterator(flavor, client):
    response = flavor(client.post("/echo", data=b"hello"))
    assert (response.text, response.headers["x-parts"]) == ("hello", "1")
    response = flavor(client.put("/echo", data=iter([b"a", b"", b"bc"])))
    assert (response.text, response.headers["x-parts"]) == ("abc", "2")


async def _parts():
    yield b"async "
    yield b"body"


async def test_async_iterable_request_body():
    async with requests_async.ASGISession(starlette_app) as client:
        response = await client.post("/echo", data=_parts())
    assert (response.text, response.headers["x-parts"]) == ("async body", "2")


def test_response_streams_as_the_app_sends(flavor, client, events):
    response = flavor(client.get("/numbers?count=20", stream=True))
    chunks = response.iter_content(None)
    assert flavor.next(chunks) == b"0\n"
    # One message is in flight at a time: the app cannot run far ahead of the reader.
    assert "sent 19" not in events
    rest = flavor.list(chunks)
    assert rest == [f"{n}\n".encode() for n in range(1, 20)]
    assert "sent 19" in events


def test_closing_early_stops_the_app(flavor, events):
    session = flavor.ns.ASGISession(endless, lifespan=False)
    response = flavor(session.get("/", stream=True))
    chunks = response.iter_content(5)
    assert flavor.next(chunks) == b"tick\n"
    flavor(response.close())
    assert "endless stopped" in events


def test_read_timeout_while_the_app_stalls(flavor, client):
    response = flavor(client.get("/stall", stream=True, timeout=0.05))
    chunks = response.iter_content(None)
    assert flavor.next(chunks) == b"first"
    # As in requests, a read timeout within the body is a ConnectionError.
    with pytest.raises(ConnectionError, match=r"sent nothing within 0\.05 seconds"):
        flavor.next(chunks)
    flavor(response.close())


def test_timeout_before_the_response_starts(flavor):
    async def silent(scope, receive, send):
        await asyncio.Event().wait()

    session = flavor.ns.ASGISession(silent, lifespan=False)
    with pytest.raises(ReadTimeout):
        flavor(session.get("/", timeout=(1, 0.05)))
    flavor(session.close())


def test_app_exception_is_raised(flavor, client):
    with pytest.raises(ValueError, match="the app failed"):
        flavor(client.get("/boom"))


def test_app_exception_becomes_500(flavor):
    session = flavor.ns.ASGISession(starlette_app, raise_app_exceptions=False)
    response = flavor(session.get("/boom"))
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    flavor(session.close())


async def failing(scope, receive, send):
    raise KeyError("before the response")


def test_exception_before_start(flavor):
    session = flavor.ns.ASGISession(failing, lifespan=False)
    with pytest.raises(KeyError):
        flavor(session.get("/"))
    session = flavor.ns.ASGISession(failing, lifespan=False, raise_app_exceptions=False)
    response = flavor(session.get("/"))
    assert (response.status_code, response.content, response.reason) == (
        500,
        b"",
        "Internal Server Error",
    )


def test_exception_mid_body(flavor):
    async def app(scope, receive, send):
        await send(START)
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise RuntimeError("mid-body")

    session = flavor.ns.ASGISession(app, lifespan=False)
    with pytest.raises(RuntimeError, match="mid-body"):
        flavor(session.get("/"))
    session = flavor.ns.ASGISession(app, lifespan=False, raise_app_exceptions=False)
    assert flavor(session.get("/")).content == b"part"


def test_exception_after_the_response(flavor):
    async def app(scope, receive, send):
        await send(START)
        await send({"type": "http.response.body", "body": b"done"})
        raise RuntimeError("afterwards")

    session = flavor.ns.ASGISession(app, lifespan=False)
    with pytest.raises(RuntimeError, match="afterwards"):
        flavor(session.get("/"))
    quiet = flavor.ns.ASGISession(app, lifespan=False, raise_app_exceptions=False)
    assert flavor(quiet.get("/")).content == b"done"


def test_disconnect_is_reported_after_the_response(flavor):
    seen = []

    async def app(scope, receive, send):
        assert (await receive())["type"] == "http.request"
        await send(START)
        await send({"type": "http.response.body", "body": b"ok"})
        seen.append((await receive())["type"])

    session = flavor.ns.ASGISession(app, lifespan=False)
    assert flavor(session.get("/")).content == b"ok"
    assert seen == ["http.disconnect"]


def test_send_after_close_raises_oserror(flavor):
    outcome = []

    async def app(scope, receive, send):
        await send(START)
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            try:
                await send({"type": "http.response.body", "body": b"b"})
            except OSError as exc:
                outcome.append(str(exc))

    session = flavor.ns.ASGISession(app, lifespan=False)
    response = flavor(session.get("/", stream=True))
    flavor(response.close())
    assert outcome == ["the client closed the response"]


def test_cookies_redirects_and_background_tasks(flavor, client, events):
    flavor(client.get("/cookie"))
    assert client.cookies["session"] == "abc"
    response = flavor(client.get("/redirect"))
    assert response.json()["query"] == "from=redirect"
    assert [r.status_code for r in response.history] == [302]
    assert flavor(client.get("/later")).text == "done"
    assert "background done" in events


@pytest.mark.parametrize(
    ("messages", "problem"),
    [
        ([], "returned without sending 'http.response.start'"),
        ([{"type": "http.response.body"}], "sent 'http.response.body' before"),
        (["start"], "is not an ASGI message"),
        ([{"status": 200}], "is not an ASGI message"),
        ([{**START, "status": 99}], "invalid status 99"),
        ([{**START, "status": True}], "invalid status True"),
        ([{**START, "status": "200"}], "invalid status '200'"),
        ([{**START, "headers": [("x", "y")]}], "headers are (name, value) byte pairs"),
        ([{**START, "headers": [(b"x",)]}], "headers are (name, value) byte pairs"),
        ([{**START, "headers": [b"xy"]}], "headers are (name, value) byte pairs"),
        ([START, START], "sent 'http.response.start' where 'http.response.body'"),
        ([START, {"type": "http.response.body", "body": "text"}], "body of type str"),
        (
            [START, {"type": "http.response.body", "body": b"a", "more_body": True}],
            "returned before its response body was complete",
        ),
        (
            [START, {"type": "http.response.body"}, {"type": "http.response.body"}],
            "sent 'http.response.body' after its response was complete",
        ),
    ],
)
def test_protocol_errors(flavor, messages, problem):
    session = flavor.ns.ASGISession(asgi_sending(*messages), lifespan=False)
    with pytest.raises(AppProtocolError) as caught:
        flavor(session.get("/"))
    assert problem in str(caught.value)
    # Protocol errors are raised even when app exceptions become 500s.
    quiet = flavor.ns.ASGISession(
        asgi_sending(*messages), lifespan=False, raise_app_exceptions=False
    )
    with pytest.raises(AppProtocolError):
        flavor(quiet.get("/"))


def test_headers_are_lower_cased_and_bodies_may_be_bytearray(flavor):
    app = asgi_sending(
        {**START, "status": 299, "headers": [(b"X-Thing", b"1"), (b"set-cookie", b"a=1")]},
        {"type": "http.response.body", "body": bytearray(b"data")},
    )
    session = flavor.ns.ASGISession(app, lifespan=False)
    response = flavor(session.get("/"))
    assert response.raw.headers == [(b"x-thing", b"1"), (b"set-cookie", b"a=1")]
    assert (response.status_code, response.reason, response.content) == (299, "", b"data")
    assert session.cookies["a"] == "1"


def test_lifespan_auto_without_support(flavor):
    for app in (lifespan_less, lifespan_returns):
        session = flavor.ns.ASGISession(app)
        flavor.enter(session)
        assert flavor(session.get("/")).content == b"ok"
        flavor.exit(session)


def test_lifespan_required_without_support(flavor):
    session = flavor.ns.ASGISession(lifespan_less, lifespan=True)
    with pytest.raises(LifespanFailed, match="does not support lifespan") as caught:
        flavor.enter(session)
    assert isinstance(caught.value.__cause__, AssertionError)


def test_lifespan_skipped(flavor, events):
    session = flavor.ns.ASGISession(starlette_app, lifespan=False)
    flavor.enter(session)
    flavor.exit(session)
    assert events == []


def test_lifespan_startup_failed(flavor):
    session = flavor.ns.ASGISession(lifespan_answering("lifespan.startup.failed"))
    with pytest.raises(LifespanFailed, match="failed its lifespan startup: no database"):
        flavor.enter(session)


def test_lifespan_shutdown_failed(flavor):
    app = lifespan_answering("lifespan.startup.complete", "lifespan.shutdown.failed")
    session = flavor.ns.ASGISession(app)
    flavor.enter(session)
    with pytest.raises(LifespanFailed, match="failed its lifespan shutdown: could not flush"):
        flavor.exit(session)


def test_lifespan_wrong_answer(flavor):
    session = flavor.ns.ASGISession(lifespan_answering("http.response.start"))
    with pytest.raises(AppProtocolError, match=r"in answer to 'lifespan\.startup'"):
        flavor.enter(session)


def test_lifespan_ends_before_shutdown(flavor):
    session = flavor.ns.ASGISession(lifespan_answering("lifespan.startup.complete"))
    flavor.enter(session)
    with pytest.raises(LifespanFailed, match="ended its lifespan before shutdown"):
        flavor.exit(session)


def test_close_without_shutdown_stops_the_lifespan(flavor, events):
    transport = flavor.ns.ASGITransport(starlette_app)
    assert flavor(transport.startup()) is True
    flavor(transport.close())
    flavor(transport.shutdown())
    assert events == ["startup"]


def test_transport_send_reads_the_body_unless_streaming(flavor):
    transport = flavor.ns.ASGITransport(starlette_app)
    request = flavor.ns.Request("GET", "http://testserver/numbers").prepare()
    response = flavor(transport.send(request))
    assert response.content == b"0\n1\n2\n"
    with pytest.raises(ValueError, match="Invalid timeout"):
        flavor(transport.send(request, timeout=(1, 2, 3)))
    flavor(transport.close())


def test_session_close_stops_apps_left_running(flavor, events):
    session = flavor.ns.ASGISession(endless, lifespan=False)
    response = flavor(session.get("/", stream=True))
    chunks = response.iter_content(5)
    assert flavor.next(chunks) == b"tick\n"
    flavor(session.close())
    assert "endless stopped" in events
    flavor(session.close())
    assert not response.raw.closed


def test_request_headers_in_the_scope(flavor):
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)
        await send(START)
        await send({"type": "http.response.body"})

    session = flavor.ns.ASGISession(app, lifespan=False)
    headers = {"Host": "custom.test", "X-Raw": b"\xff", "X-Text": "\u20ac"}
    flavor(session.get("http://[::1]:8080/a%20b?c=d", headers=headers))
    assert [value for name, value in seen["headers"] if name == b"host"] == [b"custom.test"]
    assert (b"x-raw", b"\xff") in seen["headers"]
    assert (b"x-text", "\u20ac".encode()) in seen["headers"]
    assert (seen["path"], seen["raw_path"], seen["query_string"]) == ("/a b", b"/a%20b", b"c=d")
    assert seen["server"] == ("::1", 8080)
    flavor(session.get("http://[::1]:8080/"))
    assert seen["headers"][0] == (b"host", b"[::1]:8080")
    assert seen["asgi"] == {"version": "3.0", "spec_version": "2.4"}
