"""The same calls through the real requests and through requests_async.sync, side by side.

Both talk to the same httpbin (WSGI, on loopback); we compare what users observe: status,
final URL, the redirect history, what the server saw (method, headers, body, form, files,
cookies), the response's cookies and the exception type. Where requests_async differs on
purpose, the case says so and asserts the difference.
"""

from __future__ import annotations

import pytest
import requests

import requests_async.sync as ours

# Headers that differ by design: the User-Agent names each library, and we also accept
# zstd-encoded responses (test_accept_encoding_adds_zstd).
IGNORED_HEADERS = {"User-Agent", "Accept-Encoding"}


def observed(response):
    seen = {
        "status": response.status_code,
        "url": response.url,
        "history": [(r.status_code, r.url) for r in response.history],
        "reason": response.reason,
        "cookies": sorted(response.cookies.items()),
        "encoding": response.encoding,
        "headers": {
            k.lower(): v
            for k, v in response.headers.items()
            # The echoed User-Agent changes the length of echo bodies.
            if k.lower() not in ("date", "content-length")
        },
    }
    if response.headers.get("content-type") == "application/json":
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("headers"), dict):
            body["headers"] = {
                k: _same_boundary(v) for k, v in body["headers"].items() if k not in IGNORED_HEADERS
            }
            if "boundary=" in body["headers"].get("Content-Type", ""):
                # Boundaries are random, and their lengths differ between the libraries.
                body["headers"].pop("Content-Length", None)
        seen["body"] = body
    else:
        seen["content"] = response.content
    return seen


def _same_boundary(value):
    head, sep, _ = value.partition("boundary=")
    return head + sep + "B" if sep else value


def both(method, url, **kwargs):
    results = []
    for library in (requests, ours):
        with library.Session() as session:
            try:
                results.append(observed(session.request(method, url, **kwargs)))
            except Exception as exc:
                results.append(("raised", type(exc).__name__))
    return results


CASES = [
    ("GET", "/get", {}),
    ("GET", "/get", {"params": {"a": "1", "b": ["x", "y z"]}}),
    ("GET", "/get?q=1", {"params": [("r", "2")]}),
    ("GET", "/get", {"params": "raw=1&s=2"}),
    ("GET", "/get", {"headers": {"X-One": "1", "Accept": "text/plain"}}),
    ("GET", "/anything/caf%C3%A9", {}),
    ("POST", "/post", {"data": {"a": "1", "b": "2"}}),
    ("POST", "/post", {"data": [("a", "1"), ("a", "2")]}),
    ("POST", "/post", {"json": {"nested": {"list": [1, 2, None]}}}),
    ("POST", "/post", {"data": b"raw bytes"}),
    ("POST", "/post", {"data": "text body"}),
    ("POST", "/post", {"data": {"k": "v"}, "files": {"f": ("a.txt", b"content", "text/plain")}}),
    ("POST", "/post", {"files": [("f1", ("1.bin", b"\x00\x01")), ("f2", ("2.txt", "two"))]}),
    ("PUT", "/put", {"data": b"x" * 100_000}),
    ("PATCH", "/patch", {"json": [1, 2]}),
    ("DELETE", "/delete", {}),
    ("HEAD", "/get", {}),
    ("OPTIONS", "/get", {}),
    ("GET", "/redirect/3", {}),
    ("GET", "/relative-redirect/2", {}),
    ("GET", "/absolute-redirect/2", {}),
    ("GET", "/redirect/2", {"allow_redirects": False}),
    ("HEAD", "/redirect/1", {}),
    ("HEAD", "/redirect/1", {"allow_redirects": True}),
    ("GET", "/redirect-to?url=/get%23frag", {}),
    ("GET", "/status/204", {}),
    ("GET", "/status/404", {}),
    ("GET", "/status/500", {}),
    ("GET", "/cookies/set?a=1&b=2", {}),
    ("GET", "/cookies", {"cookies": {"x": "y"}}),
    ("GET", "/basic-auth/user/pass", {"auth": ("user", "pass")}),
    ("GET", "/basic-auth/user/pass", {"auth": ("user", "nope")}),
    ("GET", "/response-headers?X-Multi=1&X-Multi=2", {}),
    ("GET", "/encoding/utf8", {}),
    ("GET", "/gzip", {}),
    ("GET", "/deflate", {}),
    ("GET", "/html", {}),
    ("GET", "/json", {}),
    ("GET", "/xml", {}),
    ("GET", "/bytes/64?seed=1", {}),
    ("GET", "/get", {"timeout": (5, 5)}),
]

REDIRECT_STATUSES = [301, 302, 303, 307, 308]


@pytest.mark.parametrize(("method", "path", "kwargs"), CASES, ids=lambda c: str(c)[:60])
def test_same_as_requests(httpbin, method, path, kwargs):
    theirs, mine = both(method, httpbin.url + path, **kwargs)
    assert mine == theirs


@pytest.mark.parametrize("status", REDIRECT_STATUSES)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "HEAD"])
def test_redirect_method_and_body_rules(httpbin, method, status):
    url = httpbin.url + f"/redirect-to?url=/anything&status_code={status}"
    theirs, mine = both(method, url, data=b"payload", allow_redirects=True)
    assert mine == theirs


@pytest.mark.parametrize(
    "url",
    ["example.com/path", "ftp://127.0.0.1/", "http://", "http://[::1", "http:///nohost"],
)
def test_same_exception_types(url):
    theirs, mine = both("GET", url)
    assert mine == theirs


@pytest.mark.parametrize(
    "path", ["/digest-auth/auth/user/pass", "/redirect-to?url=/digest-auth/auth/user/pass"]
)
def test_digest_auth_like_requests(httpbin, path):
    url = httpbin.url + path
    seen = []
    for library in (requests, ours):
        r = library.get(url, auth=library.auth.HTTPDigestAuth("user", "pass"))
        history = [(h.status_code, h.url) for h in r.history]
        seen.append((r.status_code, r.json(), history))
    assert seen[1] == seen[0]


def test_accept_encoding_adds_zstd(httpbin):
    theirs = requests.get(httpbin.url + "/get").json()["headers"]["Accept-Encoding"]
    mine = ours.get(httpbin.url + "/get").json()["headers"]["Accept-Encoding"]
    assert set(mine.split(", ")) == set(theirs.split(", ")) | {"zstd"}


# Streaming: the same pieces and lines, including requests' quirks at chunk boundaries ----

STREAM_BODIES = [
    b"one\ntwo\r\nthree\rfour\n\nfive",
    b"a;b;;;c;",
    b"trailing\n",
    "caf\u00e9 \u2603\nsnow\u2603man\r\n".encode(),
    b"",
]


def _base64_url(httpbin, body):
    import base64

    return httpbin.url + "/base64/" + base64.urlsafe_b64encode(body).decode("ascii")


def _pieces(library, url, method, **kwargs):
    with library.Session() as session:
        response = session.get(url, stream=True)
        with response:
            return list(getattr(response, method)(**kwargs))


@pytest.mark.parametrize("body", STREAM_BODIES, ids=range(len(STREAM_BODIES)))
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 512])
@pytest.mark.parametrize("delimiter", [None, b";", b"\n"])
def test_iter_lines_like_requests(httpbin, body, chunk_size, delimiter):
    url = _base64_url(httpbin, body)
    kwargs = {"chunk_size": chunk_size, "delimiter": delimiter}
    theirs = _pieces(requests, url, "iter_lines", **kwargs)
    mine = _pieces(ours, url, "iter_lines", **kwargs)
    assert mine == theirs


@pytest.mark.parametrize("body", STREAM_BODIES, ids=range(len(STREAM_BODIES)))
@pytest.mark.parametrize("chunk_size", [1, 2, 5, None])
@pytest.mark.parametrize("decode_unicode", [False, True])
def test_iter_content_like_requests(httpbin, body, chunk_size, decode_unicode):
    url = _base64_url(httpbin, body)
    kwargs = {"chunk_size": chunk_size, "decode_unicode": decode_unicode}
    theirs = _pieces(requests, url, "iter_content", **kwargs)
    mine = _pieces(ours, url, "iter_content", **kwargs)
    if chunk_size is None:
        # Pieces "as they arrive" depend on the socket; only what they add up to must match.
        empty = "" if decode_unicode else b""
        assert empty.join(mine) == empty.join(theirs)
    else:
        assert mine == theirs


def test_iter_lines_decode_unicode_like_requests(httpbin):
    url = _base64_url(httpbin, STREAM_BODIES[3])
    theirs = _pieces(requests, url, "iter_lines", chunk_size=2, decode_unicode=True)
    mine = _pieces(ours, url, "iter_lines", chunk_size=2, decode_unicode=True)
    assert mine == theirs


def test_redirect_bodies_in_history_like_requests(httpbin):
    results = []
    for library in (requests, ours):
        with library.Session() as session:
            response = session.get(httpbin.url + "/redirect/2")
            results.append([(h.status_code, h.content, h.text) for h in response.history])
    assert results[0] == results[1]


# Bad input and settings: the same exceptions and messages ----------------------------

BAD_TIMEOUTS = [
    (1, 2, 3),
    (1,),
    True,
    (1, False),
    "5",
    (1, "x"),
    0,
    -1,
    (0, 5),
    (5, 0),
    (None, -1),
    [1, 2],
]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_invalid_timeouts_like_requests(httpbin, timeout):
    messages = []
    for library in (requests, ours):
        with library.Session() as session, pytest.raises(ValueError) as info:
            session.get(httpbin.url + "/get", timeout=timeout)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_unsendable_body_like_requests(httpbin):
    theirs, mine = both("POST", httpbin.url + "/post", data=123)
    assert mine == theirs == ("raised", "TypeError")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    return monkeypatch


def _closed_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_proxy_errors_like_requests(httpbin, clean_env):
    # requests fails to reach the (closed) proxy; we refuse to use one: both are ProxyError.
    proxy = f"http://127.0.0.1:{_closed_port()}"
    theirs, mine = both("GET", httpbin.url + "/get", proxies={"http": proxy})
    assert mine == theirs == ("raised", "ProxyError")
    clean_env.setenv("HTTP_PROXY", proxy)
    theirs, mine = both("GET", httpbin.url + "/get")
    assert mine == theirs == ("raised", "ProxyError")
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    theirs, mine = both("GET", httpbin.url + "/get")
    assert mine == theirs
    assert mine["status"] == 200


def test_netrc_like_requests(httpbin, clean_env, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login user password secret\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    theirs, mine = both("GET", httpbin.url + "/basic-auth/user/secret")
    assert mine == theirs
    assert mine["status"] == 200


def _merged_settings(library, url):
    from http.cookiejar import CookieJar

    calls = []
    jar = CookieJar()
    jar.set_cookie(library.cookies.create_cookie("plain", "jar"))
    with library.Session() as session:
        session.headers["X-Session"] = "1"
        session.hooks["response"].append(lambda r, **kw: calls.append("session"))
        response = session.get(
            url,
            headers={"User-Agent": None, "X-Session": None},
            cookies=jar,
            hooks={"response": [lambda r, **kw: calls.append("request")]},
        )
    sent = response.json()["headers"]
    user_agent = sent.pop("User-Agent", None)
    return (calls, sorted(sent), sent.get("Cookie")), user_agent


def test_settings_merge_like_requests(httpbin, clean_env):
    theirs, their_agent = _merged_settings(requests, httpbin.url + "/anything")
    mine, my_agent = _merged_settings(ours, httpbin.url + "/anything")
    assert mine == theirs
    assert theirs[0] == ["request"]
    # Removing the User-Agent sends none from us; urllib3 puts in its own under requests.
    assert my_agent is None
    assert their_agent.startswith("python-urllib3/")


def test_explicit_verify_beats_the_ca_bundle_environment(https_server, clean_env, tmp_path):
    # The one deliberate difference in settings precedence (Session.merge_environment_settings):
    # requests lets REQUESTS_CA_BUNDLE override `session.verify = False`; we keep the session's.
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with requests.Session() as session:
        session.verify = False
        with pytest.raises(OSError, match="invalid path"):
            session.get(https_server.url + "/")
    with ours.Session() as session:
        session.verify = False
        assert session.get(https_server.url + "/").status_code == 200
