"""requests_async's Session end to end against httpbin (WSGI, werkzeug) and uvicorn on loopback."""

from __future__ import annotations

import json
import pickle

import pytest

from requests_async._async import api
from requests_async._async.sessions import Session
from requests_async.auth import HTTPBasicAuth, HTTPDigestAuth
from requests_async.exceptions import (
    ConnectionError,
    HTTPError,
    InvalidSchema,
    InvalidURL,
    MissingSchema,
    ReadTimeout,
    TooManyRedirects,
)


async def test_get_with_params_and_headers(httpbin):
    async with Session() as s:
        r = await s.get(
            httpbin.url + "/get", params={"a": "1", "b": ["2", "3"]}, headers={"X-A": "b"}
        )
    assert r.status_code == 200
    assert r.ok
    body = r.json()
    assert body["args"] == {"a": "1", "b": ["2", "3"]}
    assert body["headers"]["X-A"] == "b"
    assert body["headers"]["User-Agent"].startswith("requests-async/")
    assert r.url == httpbin.url + "/get?a=1&b=2&b=3"
    assert r.headers["content-type"] == "application/json"
    assert repr(r) == "<Response [200]>"
    assert r.elapsed.total_seconds() > 0


async def test_module_functions(httpbin):
    r = await api.get(httpbin.url + "/get")
    assert r.json()["url"] == httpbin.url + "/get"
    r = await api.post(httpbin.url + "/post", json={"x": [1, 2]})
    assert r.json()["json"] == {"x": [1, 2]}
    r = await api.put(httpbin.url + "/put", data=b"raw")
    assert r.json()["data"] == "raw"
    r = await api.patch(httpbin.url + "/patch", data="text")
    assert r.json()["data"] == "text"
    r = await api.delete(httpbin.url + "/delete")
    assert r.status_code == 200
    r = await api.options(httpbin.url + "/get")
    assert "GET" in r.headers["allow"]
    r = await api.head(httpbin.url + "/get")
    assert r.content == b""
    assert int(r.headers["content-length"]) > 0
    r = await api.request("GET", httpbin.url + "/get")
    assert r.status_code == 200


async def test_form_and_files(httpbin):
    async with Session() as s:
        form = await s.post(httpbin.url + "/post", data={"a": "1", "b": "x y"})
        files = await s.post(
            httpbin.url + "/post",
            data={"field": "value"},
            files={"upload": ("hello.txt", b"hello file", "text/plain")},
        )
    assert form.json()["form"] == {"a": "1", "b": "x y"}
    sent = files.json()
    assert sent["form"] == {"field": "value"}
    assert sent["files"] == {"upload": "hello file"}
    assert sent["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")


async def test_streamed_upload(server):
    # werkzeug's development server refuses chunked uploads: uvicorn echoes them.
    def chunks():
        yield b"part one, "
        yield b"part two"

    async with Session() as s:
        r = await s.post(server.url + "/echo_body", data=chunks())
        headers = await s.post(server.url + "/echo_headers", data=chunks())
    assert r.content == b"part one, part two"
    assert ["transfer-encoding", "chunked"] in headers.json()


async def test_redirects(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/redirect/3")
        assert r.status_code == 200
        assert [h.status_code for h in r.history] == [302, 302, 302]
        assert r.history[0].url == httpbin.url + "/redirect/3"
        assert r.url == httpbin.url + "/get"
        assert len(r.history[2].history) == 2
        stop = await s.get(httpbin.url + "/redirect/1", allow_redirects=False)
        assert stop.is_redirect
        assert stop.next is not None
        assert stop.next.url == httpbin.url + "/get"
        s.max_redirects = 2
        with pytest.raises(TooManyRedirects):
            await s.get(httpbin.url + "/redirect/5")


async def test_redirect_method_rules(httpbin):
    async with Session() as s:
        found = await s.post(httpbin.url + "/redirect-to", params={"url": "/anything"}, data=b"x")
        kept = await s.post(
            httpbin.url + "/redirect-to",
            params={"url": "/anything", "status_code": "307"},
            data=b"kept body",
        )
    assert found.json()["method"] == "GET"
    assert found.json()["data"] == ""
    assert kept.json()["method"] == "POST"
    assert kept.json()["data"] == "kept body"


async def test_cookies_persist_in_the_session(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/cookies/set", params={"flavour": "oat"})
        assert r.json()["cookies"] == {"flavour": "oat"}
        assert s.cookies["flavour"] == "oat"
        r = await s.get(httpbin.url + "/cookies", cookies={"extra": "1"})
        assert r.json()["cookies"] == {"flavour": "oat", "extra": "1"}
        assert "extra" not in s.cookies


async def test_basic_and_digest_auth(httpbin):
    async with Session() as s:
        assert (await s.get(httpbin.url + "/basic-auth/u/p", auth=("u", "p"))).status_code == 200
        basic = HTTPBasicAuth("u", "wrong")
        assert (await s.get(httpbin.url + "/basic-auth/u/p", auth=basic)).status_code == 401
        digest = HTTPDigestAuth("u", "p")
        r = await s.get(httpbin.url + "/digest-auth/auth/u/p", auth=digest)
        assert r.status_code == 200
        assert r.json() == {"authenticated": True, "user": "u"}
        bad = await s.get(httpbin.url + "/digest-auth/auth/u/p", auth=HTTPDigestAuth("u", "x"))
        assert bad.status_code == 401


async def test_raise_for_status(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/status/418")
    with pytest.raises(HTTPError, match="418 Client Error"):
        r.raise_for_status()
    assert not r


@pytest.mark.parametrize(
    ("path", "flag"), [("/gzip", "gzipped"), ("/deflate", "deflated"), ("/brotli", "brotli")]
)
async def test_decoded_bodies(httpbin, path, flag):
    async with Session() as s:
        r = await s.get(httpbin.url + path)
    assert r.json()[flag] is True


async def test_streaming(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/stream/5", stream=True)
        lines = [line async for line in r.iter_lines()]
        assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3, 4]
        r = await s.get(httpbin.url + "/bytes/1000", stream=True)
        chunks = [chunk async for chunk in r.iter_content(chunk_size=256)]
        assert [len(c) for c in chunks] == [256, 256, 256, 232]
        r = await s.get(httpbin.url + "/bytes/100", stream=True)
        async with r:
            assert len(await r.read()) == 100
        assert len(r.content) == 100


async def test_text_and_encoding(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/encoding/utf8")
    assert r.encoding == "utf-8"
    assert "∮ E⋅da = Q" in r.text


async def test_read_timeout(server):
    async with Session() as s:
        with pytest.raises(ReadTimeout):
            await s.get(server.url + "/hang_headers", timeout=0.1)


async def test_connection_refused():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Session() as s:
        with pytest.raises(ConnectionError):
            await s.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("example.com/path", MissingSchema),
        ("ftp://127.0.0.1/", InvalidSchema),
        ("http://", InvalidURL),
    ],
)
async def test_invalid_urls(url, error):
    async with Session() as s:
        with pytest.raises(error):
            await s.get(url)


async def test_response_hooks(httpbin):
    seen = []

    def hook(response, **kwargs):
        seen.append(response.status_code)

    async with Session() as s:
        await s.get(httpbin.url + "/get", hooks={"response": hook})
    assert seen == [200]


async def test_pickled_response(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/get")
    copy = pickle.loads(pickle.dumps(r))
    assert copy.status_code == 200
    assert copy.json() == r.json()


async def test_response_hooks_see_the_body(httpbin):
    seen = []

    def hook(response, **kwargs):
        seen.append(response.json()["url"])

    async with Session() as s:
        await s.get(httpbin.url + "/get", hooks={"response": hook})
    assert seen == [httpbin.url + "/get"]
