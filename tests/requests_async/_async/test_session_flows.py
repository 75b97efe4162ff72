"""Session behaviour end to end: redirects, cookies, auth flows, hooks, against loopback servers."""

from __future__ import annotations

import io
from http.cookiejar import CookieJar

import pytest

from requests_async._async import api
from requests_async._async.adapters import BaseAdapter
from requests_async._async.response import Response
from requests_async._async.sessions import Session, merge_hooks, session
from requests_async.auth import AuthBase, HTTPDigestAuth
from requests_async.cookies import create_cookie
from requests_async.exceptions import (
    ContentNotRead,
    InvalidSchema,
    StreamConsumedError,
    TooManyRedirects,
)
from requests_async.models import Request

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch, tmp_path):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def answering(*replies):
    """A raw-server handler answering successive requests with `replies` (the last repeated)."""
    seen = []

    def handler(conn):
        while request := conn.read_request():
            seen.append(request)
            conn.send(replies[min(len(seen) - 1, len(replies) - 1)])

    handler.requests = seen
    return handler


class Scripted(BaseAdapter):
    """An adapter for `mock://host/`: `start` redirects to `done`, which answers 200."""

    def __init__(self):
        self.sent = []

    async def send(self, request, **kwargs):
        self.sent.append(request.url)
        response = Response()
        response.url = request.url
        response.request = request
        if request.url.endswith("/start"):
            response.status_code = 302
            response.headers["Location"] = "mock://host/done"
            response._content = b"redirecting"
        else:
            response.status_code = 200
            response._content = b"done"
        return response

    async def close(self):
        pass


async def test_redirect_bodies_stay_readable_in_history(raw_server):
    handler = answering(
        b"HTTP/1.1 302 Found\r\nlocation: /next\r\ncontent-length: 5\r\n\r\nmoved",
        b"HTTP/1.1 301 Moved\r\nlocation: /done\r\ntransfer-encoding: chunked\r\n\r\n"
        b"4\r\ngone\r\n0\r\n\r\n",
        OK,
    )
    server = raw_server(handler)
    async with Session() as s:
        r = await s.get(server.url + "/start")
    assert r.content == b"ok"
    assert [h.content for h in r.history] == [b"moved", b"gone"]
    assert r.history[0].text == "moved"
    assert [h.url for h in r.history] == [server.url + "/start", server.url + "/next"]
    # Both redirect bodies were read to the end, so one connection served all three.
    assert server.connections == 1


async def test_long_or_broken_redirect_bodies_are_dropped(raw_server):
    long_body = b"x" * 100_000
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in [b"y" * 40_000] * 3)
    handler = answering(
        b"HTTP/1.1 302 Found\r\nlocation: /2\r\ncontent-length: 100000\r\n\r\n" + long_body,
        b"HTTP/1.1 302 Found\r\nlocation: /3\r\ntransfer-encoding: chunked\r\n\r\n"
        + chunked
        + b"0\r\n\r\n",
        b"HTTP/1.1 302 Found\r\nlocation: /4\r\ncontent-encoding: gzip\r\n"
        b"content-length: 5\r\n\r\nnotgz",
        OK,
    )
    server = raw_server(handler)
    async with Session() as s:
        r = await s.get(server.url + "/1")
    assert r.content == b"ok"
    assert [h.status_code for h in r.history] == [302, 302, 302]
    for dropped in r.history:
        # Async: never read (ContentNotRead); sync: the lazy read finds it closed.
        with pytest.raises((ContentNotRead, StreamConsumedError)):
            dropped.content  # noqa: B018
    assert len(handler.requests) == 4


async def test_too_many_redirects_carries_the_read_response(server):
    async with Session() as s:
        s.max_redirects = 1
        with pytest.raises(TooManyRedirects, match=r"Exceeded 1 redirects\.") as info:
            await s.get(server.url + "/redirect/3")
        r = info.value.response
        assert r.status_code == 302
        assert r.content == b""
        assert r.url == server.url + "/redirect/2"
        assert [h.url for h in r.history] == [server.url + "/redirect/3"]
        (pool,) = s.get_adapter(server.url)._pools.values()
        assert pool.num_active_connections == 0


async def test_not_following_redirects_keeps_the_next_request(server):
    async with Session() as s:
        r = await s.get(server.url + "/redirect/2", allow_redirects=False)
        assert r.is_redirect
        assert r.history == []
        assert r.next.url == server.url + "/redirect/1"
        assert r.next.method == "GET"
        final = await s.send(r.next)
        assert final.content == b"done"
        assert [h.status_code for h in final.history] == [302]
        head = await s.head(server.url + "/redirect/1")
        assert head.status_code == 302
        assert head.next.url == server.url + "/redirect/0"


async def test_redirects_follow_any_mounted_scheme(httpbin):
    adapter = Scripted()
    async with Session() as s:
        s.mount("mock://", adapter)
        r = await s.get(httpbin.url + "/redirect-to", params={"url": "mock://host/start"})
        assert r.content == b"done"
        assert [h.status_code for h in r.history] == [302, 302]
        # A response that arrives read keeps its body in the history.
        assert r.history[1].content == b"redirecting"
        assert adapter.sent == ["mock://host/start", "mock://host/done"]
        with pytest.raises(InvalidSchema, match="No connection adapters were found for"):
            await s.get(httpbin.url + "/redirect-to", params={"url": "other://host/"})


async def test_cookies_from_redirects(httpbin):
    async with Session() as s:
        r = await s.get(httpbin.url + "/cookies/set", params={"flavour": "oat", "size": "xl"})
        assert r.json() == {"cookies": {"flavour": "oat", "size": "xl"}}
        assert r.history[0].cookies.get_dict() == {"flavour": "oat", "size": "xl"}
        assert s.cookies.get_dict() == {"flavour": "oat", "size": "xl"}
        # The final response set none itself.
        assert r.cookies.get_dict() == {}
        r = await s.get(httpbin.url + "/cookies/delete", params={"size": ""})
        assert r.json() == {"cookies": {"flavour": "oat"}}
    r = await api.get(httpbin.url + "/cookies/set", params={"once": "1"})
    assert r.json() == {"cookies": {"once": "1"}}


async def test_a_plain_cookiejar_as_cookies(httpbin):
    jar = CookieJar()
    jar.set_cookie(create_cookie("plain", "jar"))
    async with Session() as s:
        r = await s.get(httpbin.url + "/cookies", cookies=jar)
        assert r.json() == {"cookies": {"plain": "jar"}}
        assert "plain" not in s.cookies


async def test_auth_is_applied_once(server):
    class Counting(AuthBase):
        def __init__(self):
            self.calls = 0

        def __call__(self, r):
            self.calls += 1
            r.headers["X-Auth"] = str(self.calls)
            return r

    def plain(r):
        r.headers["X-Plain"] = "yes"
        return r

    auth = Counting()
    async with Session() as s:
        r = await s.get(server.url + "/echo_headers", auth=auth)
        assert auth.calls == 1
        assert dict(r.json())["x-auth"] == "1"
        r = await s.get(server.url + "/echo_headers", auth=plain)
        assert dict(r.json())["x-plain"] == "yes"


@pytest.mark.parametrize(
    "body",
    [
        lambda: {"data": io.BytesIO(b"replayed body")},
        lambda: {"files": {"f": ("f.txt", io.BytesIO(b"replayed body"))}},
        lambda: {"data": b"replayed body"},
    ],
    ids=["file", "multipart", "bytes"],
)
async def test_digest_challenge_replays_the_body_and_cookies(raw_server, body):
    handler = answering(
        b"HTTP/1.1 401 Unauthorized\r\n"
        b'www-authenticate: Digest realm="r", nonce="abc", qop="auth"\r\n'
        b"set-cookie: challenge=1\r\ncontent-length: 6\r\n\r\ndenied",
        OK,
    )
    server = raw_server(handler)
    async with Session() as s:
        r = await s.post(server.url + "/", auth=HTTPDigestAuth("user", "pass"), **body())
    assert r.content == b"ok"
    # As requests' Digest auth: the answered challenge is in the history, its body read.
    assert [(h.status_code, h.content) for h in r.history] == [(401, b"denied")]
    first, second = handler.requests
    assert first.count(b"replayed body") == second.count(b"replayed body") == 1
    assert b"authorization: digest" in second.lower()
    assert b"cookie: challenge=1" in second.lower()


async def test_a_hook_may_replace_the_response(httpbin):
    seen = {}

    def resend_with_auth(r, **kwargs):
        seen.update(kwargs)
        if r.status_code != 401:
            return None
        again = r.request.copy()
        again.prepare_auth(("user", "pass"))
        # The adapter's send is a coroutine in the async flavor: the session awaits it.
        return r.connection.send(again, **kwargs)

    async with Session() as s:
        r = await s.get(httpbin.url + "/basic-auth/user/pass", hooks={"response": resend_with_auth})
    assert r.status_code == 200
    assert r.json() == {"authenticated": True, "user": "user"}
    assert set(seen) == {"stream", "verify", "cert", "proxies", "timeout"}


async def test_hooks_run_in_order_and_request_hooks_replace_the_session_hooks(server):
    calls = []

    def session_hook(r, **kwargs):
        calls.append("session")

    def first(r, **kwargs):
        calls.append("first")
        replacement = Response()
        replacement.status_code = 299
        replacement._content = b"replaced"
        return replacement

    def second(r, **kwargs):
        calls.append(("second", r.status_code))

    async with Session() as s:
        s.hooks["response"].append(session_hook)
        r = await s.get(server.url + "/", hooks={"response": [first, second]})
        assert (r.status_code, r.content) == (299, b"replaced")
        # As requests: the request's hooks for an event replace the session's.
        assert calls == ["first", ("second", 299)]
        calls.clear()
        await s.get(server.url + "/")
        assert calls == ["session"]
        calls.clear()
        await s.get(server.url + "/", hooks={"response": []})
        assert calls == ["session"]
    assert merge_hooks({"response": [first]}, None) == {"response": [first]}


async def test_session_function_and_context_manager(server):
    s = session()
    assert isinstance(s, Session)
    async with s as entered:
        assert entered is s
        await s.get(server.url + "/")
        (pool,) = s.get_adapter(server.url)._pools.values()
    assert pool.is_closed
    # A closed session opens new pools when used again, as requests' does.
    r = await s.get(server.url + "/")
    assert r.status_code == 200
    await s.close()


async def test_prepare_request_merges_the_session(server):
    async with Session() as s:
        s.headers["X-Session"] = "1"
        s.params = {"from": "session"}
        s.cookies.set("c", "1")
        s.auth = ("user", "pass")
        prepared = s.prepare_request(
            Request("get", server.url + "/", headers={"X-Request": "2"}, params={"q": "x"})
        )
    assert prepared.method == "GET"
    assert prepared.url == server.url + "/?from=session&q=x"
    assert prepared.headers["X-Session"] == "1"
    assert prepared.headers["X-Request"] == "2"
    assert prepared.headers["Cookie"] == "c=1"
    assert prepared.headers["Authorization"].startswith("Basic ")


async def test_every_method(server):
    echo = server.url + "/echo_body"
    async with Session() as s:
        for call in (s.get, s.options, s.head, s.post, s.put, s.patch, s.delete):
            r = await call(echo)
            assert r.headers["x-request-method"] == call.__name__.upper()
        r = await s.request("PUT", echo, data=b"put body")
        assert (r.headers["x-request-method"], r.content) == ("PUT", b"put body")
        r = await s.post(echo, json={"a": 1})
        assert r.content == b'{"a": 1}'


async def test_none_values_remove_session_settings(server):
    async with Session() as s:
        s.headers["X-Session"] = "1"
        r = await s.get(
            server.url + "/echo_headers", headers={"User-Agent": None, "X-Session": None}
        )
        sent = dict(r.json())
    assert "user-agent" not in sent
    assert "x-session" not in sent
    assert sent["accept"] == "*/*"
