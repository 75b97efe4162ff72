"""respx routes requests_async's requests, both flavors, once requests_async.respx is imported."""

from __future__ import annotations

import httpx
import pytest
import respx

import requests_async
import requests_async.respx
import requests_async.sync
from requests_async.exceptions import (
    ConnectionError,
    ConnectTimeout,
    ProxyError,
    ReadTimeout,
    Timeout,
)

API = "https://api.example.com"


def test_the_mocker_is_registered():
    from respx.mocks import Mocker

    assert Mocker.registry["requests_async"] is requests_async.respx.RequestsAsyncMocker


def test_context_manager_routes_and_history(flavor):
    with respx.mock(using="requests_async", base_url=API) as router:
        items = router.get("/items", params={"page": "2"}).respond(json=[1, 2])
        created = router.post("/items").respond(201, headers={"Location": "/items/3"})
        response = flavor(flavor.ns.get(f"{API}/items?page=2", headers={"X-Team": "core"}))
        assert (response.status_code, response.json()) == (200, [1, 2])
        assert response.url == f"{API}/items?page=2"
        assert items.call_count == 1
        sent = items.calls.last.request
        assert (sent.method, sent.headers["x-team"]) == ("GET", "core")
        response = flavor(flavor.ns.post(f"{API}/items", json={"name": "x"}))
        assert (response.status_code, response.headers["location"]) == (201, "/items/3")
        assert created.calls.last.request.content == b'{"name": "x"}'


def test_streamed_response_and_bodies(flavor):
    with respx.mock(using="requests_async") as router:
        route = router.put(f"{API}/upload").respond(text="stored")
        response = flavor(flavor.ns.put(f"{API}/upload", data=iter([b"a", b"b"]), stream=True))
        assert flavor.list(response.iter_content(None)) == [b"stored"]
        assert route.calls.last.request.content == b"ab"
        flavor(flavor.ns.put(f"{API}/upload", data="text"))
        assert route.calls.last.request.content == b"text"
        flavor(flavor.ns.put(f"{API}/upload", data={"a": "1"}))
        assert route.calls.last.request.content == b"a=1"
        flavor(flavor.ns.put(f"{API}/upload"))
        assert route.calls.last.request.content == b""


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectTimeout, ConnectTimeout),
        (httpx.ReadTimeout, ReadTimeout),
        (httpx.WriteTimeout, Timeout),
        (httpx.ProxyError, ProxyError),
        (httpx.ConnectError, ConnectionError),
        (httpx.RemoteProtocolError, ConnectionError),
    ],
)
def test_httpx_errors_become_requests_errors(flavor, error, expected):
    with respx.mock(using="requests_async") as router:
        router.get(f"{API}/").mock(side_effect=error)
        with pytest.raises(expected) as caught:
            flavor(flavor.ns.get(f"{API}/"))
    assert type(caught.value) is expected
    assert isinstance(caught.value.__cause__, error)
    assert caught.value.request.url == f"{API}/"


def test_other_side_effects(flavor):
    def answer(request):
        return httpx.Response(202, text=request.url.path)

    with respx.mock(using="requests_async") as router:
        router.get(f"{API}/fail").mock(side_effect=KeyError("boom"))
        router.get(f"{API}/answer").mock(side_effect=answer)
        with pytest.raises(KeyError):
            flavor(flavor.ns.get(f"{API}/fail"))
        response = flavor(flavor.ns.get(f"{API}/answer"))
        assert (response.status_code, response.text) == (202, "/answer")


def test_unmatched_requests_fail(flavor):
    with (
        respx.mock(using="requests_async", assert_all_called=False),
        pytest.raises(respx.models.AllMockedAssertionError),
    ):
        flavor(flavor.ns.get(f"{API}/nothing"))


def test_pass_through_to_loopback(flavor, server):
    with respx.mock(using="requests_async") as router:
        route = router.post(f"{server.url}/echo_body").pass_through()
        response = flavor(flavor.ns.post(f"{server.url}/echo_body", data=iter([b"re", b"al"])))
        assert response.content == b"real"
        assert route.call_count == 1


def test_other_transports_are_not_patched(flavor):
    session = flavor.ns.Session()
    session.mount(f"{API}/", flavor.ns.MockTransport(lambda r: flavor.ns.mock_response(text="m")))
    with respx.mock(using="requests_async", assert_all_called=False):
        assert flavor(session.get(f"{API}/")).text == "m"


@respx.mock(using="requests_async")
async def test_decorator_async(respx_mock):
    respx_mock.get(f"{API}/").respond(text="decorated")

    async def chunks():
        yield b"async"

    respx_mock.post(f"{API}/").respond(204)
    assert (await requests_async.get(f"{API}/")).text == "decorated"
    assert (await requests_async.post(f"{API}/", data=chunks())).status_code == 204
    assert respx_mock.calls.last.request.content == b"async"


@respx.mock(using="requests_async")
def test_decorator_sync(respx_mock):
    respx_mock.get(f"{API}/").respond(text="decorated")
    assert requests_async.sync.get(f"{API}/").text == "decorated"


@pytest.mark.respx(using="requests_async", base_url=API)
def test_marker(respx_mock):
    respx_mock.get("/marked").respond(json={"ok": True})
    assert requests_async.sync.get(f"{API}/marked").json() == {"ok": True}


def test_sync_session_refuses_async_content():
    async def chunks():
        yield b"x"

    with respx.mock(using="requests_async", assert_all_called=False) as router:
        router.get(f"{API}/").respond(stream=httpx.AsyncByteStream())
        router.post(f"{API}/").respond(204)
        with pytest.raises(TypeError, match="whose body is async"):
            requests_async.sync.get(f"{API}/")
        with pytest.raises(TypeError, match="cannot send an async iterable body"):
            requests_async.sync.post(f"{API}/", data=chunks())


def test_adapter_send_reads_unless_streaming(flavor):
    adapter = flavor.ns.adapters.HTTPAdapter() if not flavor.is_async else None
    adapter = adapter or requests_async.HTTPAdapter()
    request = flavor.ns.Request("GET", f"{API}/").prepare()
    with respx.mock(using="requests_async") as router:
        router.get(f"{API}/").respond(text="whole")
        response = flavor(adapter.send(request))
    assert response.content == b"whole"
    assert response.raw.closed
