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


def test_digest_auth_like_requests(httpbin):
    url = httpbin.url + "/digest-auth/auth/user/pass"
    theirs = requests.get(url, auth=requests.auth.HTTPDigestAuth("user", "pass"))
    mine = ours.get(url, auth=ours.auth.HTTPDigestAuth("user", "pass"))
    assert (mine.status_code, mine.json()) == (theirs.status_code, theirs.json())


def test_accept_encoding_adds_zstd(httpbin):
    theirs = requests.get(httpbin.url + "/get").json()["headers"]["Accept-Encoding"]
    mine = ours.get(httpbin.url + "/get").json()["headers"]["Accept-Encoding"]
    assert set(mine.split(", ")) == set(theirs.split(", ")) | {"zstd"}
