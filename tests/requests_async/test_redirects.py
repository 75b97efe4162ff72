"""requests_async.redirects: every rule table-driven, and checked against requests' own mixin."""

from __future__ import annotations

import io
from http.client import parse_headers
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import requests.cookies
import requests.structures

from requests_async import redirects
from requests_async._multipart import BodyStream
from requests_async.cookies import RequestsCookieJar, cookiejar_from_dict
from requests_async.exceptions import InvalidSchema, TooManyRedirects, UnrewindableBodyError
from requests_async.models import PreparedRequest, Request, ResponseMixin
from requests_async.redirects import (
    DEFAULT_REDIRECT_LIMIT,
    Hop,
    get_redirect_target,
    next_hop,
    next_request,
    rebuild_auth,
    rebuild_method,
    rebuild_proxies,
    should_strip_auth,
)
from requests_async.structures import CaseInsensitiveDict

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "NETRC")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxies from the machine, and a netrc path that does not exist unless a test writes it."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))


class FakeResponse(ResponseMixin):
    """A response as the adapter leaves it: raw headers (bytes) for cookies, text headers."""

    def __init__(
        self,
        request: PreparedRequest,
        status: int,
        location: str | None = None,
        set_cookies: tuple[str, ...] = (),
        url: str | None = None,
    ) -> None:
        self.status_code = status
        self.headers = CaseInsensitiveDict()
        if location is not None:
            self.headers["Location"] = location
        self.url = url if url is not None else (request.url or "")
        self.request = request
        self.history = []
        self.raw = SimpleNamespace(
            headers=[(b"set-cookie", line.encode("latin-1")) for line in set_cookies]
        )
        self._content = b""


def their_response(
    request: requests.PreparedRequest,
    status: int,
    location: str | None = None,
    set_cookies: tuple[str, ...] = (),
    url: str | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers = requests.structures.CaseInsensitiveDict()
    if location is not None:
        response.headers["Location"] = location
    response.url = url if url is not None else request.url  # type: ignore[assignment]
    response.request = request
    response._content = b""
    response._content_consumed = True
    lines = "".join(f"Set-Cookie: {line}\r\n" for line in set_cookies) + "\r\n"
    message = parse_headers(io.BytesIO(lines.encode("latin-1")))
    response.raw = SimpleNamespace(_original_response=SimpleNamespace(msg=message))
    return response


def their_session(trust_env: bool = False, jar: dict[str, str] | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = trust_env
    for name, value in (jar or {}).items():
        session.cookies.set(name, value)
    return session


def prepare_both(method: str, url: str, **kwargs: Any) -> tuple[PreparedRequest, Any]:
    return Request(method, url, **kwargs).prepare(), requests.Request(
        method, url, **kwargs
    ).prepare()


def shape(request: Any) -> tuple[Any, ...]:
    return request.method, request.url, dict(request.headers), request.body


# --- should_strip_auth -------------------------------------------------------------------------

STRIP_AUTH = [
    ("http://a.test/x", "http://a.test/y", False),
    ("http://a.test/", "http://b.test/", True),
    ("http://a.test/", "http://A.TEST/", False),
    ("http://a.test/", "https://a.test/", False),
    ("http://a.test:80/", "https://a.test:443/", False),
    ("http://a.test/", "https://a.test:443/", False),
    ("http://a.test/", "https://a.test:8443/", True),
    ("http://a.test:8080/", "https://a.test/", True),
    ("https://a.test/", "http://a.test/", True),
    ("https://a.test:443/", "https://a.test/", False),
    ("http://a.test:80/", "http://a.test/", False),
    ("http://a.test:8000/", "http://a.test:8001/", True),
    ("http://a.test:8000/", "http://a.test:8000/z", False),
    ("http://a.test:8000/", "https://a.test:8000/", True),
    ("http://a.test:8000/", "http://a.test/", True),
    ("http://user:pw@a.test/", "http://other@a.test/", False),
    ("http://[::1]:8000/", "http://[::1]:8000/x", False),
    ("http://[::1]/", "http://127.0.0.1/", True),
    ("ftp://a.test/", "ftp://a.test/x", False),
    ("ftp://a.test:21/", "ftp://a.test/x", True),
    ("http://a.test/", "/relative", True),
]


@pytest.mark.parametrize(("old", "new", "expected"), STRIP_AUTH)
def test_should_strip_auth(old: str, new: str, expected: bool) -> None:
    assert should_strip_auth(old, new) is expected
    assert requests.Session().should_strip_auth(old, new) is expected


# --- get_redirect_target -----------------------------------------------------------------------

TARGETS = [
    (301, "/moved", "/moved"),
    (302, "http://b.test/", "http://b.test/"),
    (303, "other", "other"),
    (307, "/t", "/t"),
    (308, "/p", "/p"),
    (302, "", ""),
    (300, "/choices", None),
    (304, "/cached", None),
    (305, "/proxy", None),
    (200, "/ok", None),
    (302, None, None),
    # UTF-8 bytes read as ISO-8859-1 by the header decoder come back as UTF-8.
    (302, "/caf\u00c3\u00a9", "/caf\u00e9"),
]


@pytest.mark.parametrize(("status", "location", "expected"), TARGETS)
def test_get_redirect_target(status: int, location: str | None, expected: str | None) -> None:
    ours, theirs = prepare_both("GET", "http://a.test/")
    assert get_redirect_target(FakeResponse(ours, status, location)) == expected
    their_target = requests.Session().get_redirect_target(their_response(theirs, status, location))
    assert their_target == expected


def test_get_redirect_target_with_invalid_utf8_fails_as_in_requests() -> None:
    ours, theirs = prepare_both("GET", "http://a.test/")
    with pytest.raises(UnicodeDecodeError):
        get_redirect_target(FakeResponse(ours, 302, "/\u00ff"))
    with pytest.raises(UnicodeDecodeError):
        requests.Session().get_redirect_target(their_response(theirs, 302, "/\u00ff"))


# --- rebuild_method ----------------------------------------------------------------------------

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
EXPECTED_METHOD = {
    301: {"POST": "GET"},
    302: {m: "GET" for m in METHODS if m != "HEAD"},
    303: {m: "GET" for m in METHODS if m != "HEAD"},
}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", METHODS)
def test_rebuild_method(status: int, method: str) -> None:
    ours, theirs = prepare_both(method, "http://a.test/")
    rebuild_method(ours, FakeResponse(ours, status, "/"))
    requests.Session().rebuild_method(theirs, their_response(theirs, status, "/"))
    assert ours.method == theirs.method == EXPECTED_METHOD.get(status, {}).get(method, method)


# --- rebuild_auth ------------------------------------------------------------------------------

AUTH_CASES = [
    ("http://a.test/", "http://a.test/next", True),
    ("http://a.test/", "https://a.test/next", True),
    ("http://a.test/", "http://b.test/", False),
    ("https://a.test/", "http://a.test/", False),
    ("http://a.test:8000/", "http://a.test:9000/", False),
]


@pytest.mark.parametrize(("old", "new", "kept"), AUTH_CASES)
def test_rebuild_auth_strips_on_origin_change(old: str, new: str, kept: bool) -> None:
    ours, theirs = prepare_both("GET", old, auth=("user", "secret"))
    our_hop, their_hop = ours.copy(), theirs.copy()
    our_hop.url, their_hop.url = new, new
    rebuild_auth(our_hop, FakeResponse(ours, 302, new), trust_env=False)
    their_session().rebuild_auth(their_hop, their_response(theirs, 302, new))
    assert ("Authorization" in our_hop.headers) is kept
    assert dict(our_hop.headers) == dict(their_hop.headers)


def test_rebuild_auth_without_authorization_leaves_headers() -> None:
    ours = Request("GET", "http://a.test/", headers={"X-Token": "t"}).prepare()
    hop = ours.copy()
    hop.url = "http://b.test/"
    rebuild_auth(hop, FakeResponse(ours, 302, hop.url))
    assert dict(hop.headers) == {"X-Token": "t"}


@pytest.mark.parametrize("trust_env", [True, False])
def test_rebuild_auth_reads_netrc_for_the_new_host(tmp_path: Path, trust_env: bool) -> None:
    (tmp_path / "netrc").write_text("machine b.test login nuser password npass\n")
    ours, theirs = prepare_both("GET", "http://a.test/", auth=("user", "secret"))
    our_hop, their_hop = ours.copy(), theirs.copy()
    our_hop.url = their_hop.url = "http://b.test/"
    rebuild_auth(our_hop, FakeResponse(ours, 302, "http://b.test/"), trust_env=trust_env)
    their_session(trust_env).rebuild_auth(their_hop, their_response(theirs, 302, "x"))
    expected = "Basic bnVzZXI6bnBhc3M=" if trust_env else None
    assert our_hop.headers.get("Authorization") == their_hop.headers.get("Authorization")
    assert our_hop.headers.get("Authorization") == expected


# --- rebuild_proxies ---------------------------------------------------------------------------

PROXY_CASES: list[tuple[str, dict[str, str], dict[str, str], bool]] = [
    # (target URL, environment, explicit proxies, trust_env)
    ("http://a.test/", {"HTTP_PROXY": "http://pu:pp@127.0.0.1:3128"}, {}, True),
    ("http://a.test/", {"HTTP_PROXY": "http://pu:pp@127.0.0.1:3128"}, {}, False),
    ("https://a.test/", {"HTTPS_PROXY": "http://pu:pp@127.0.0.1:3128"}, {}, True),
    ("http://a.test/", {"ALL_PROXY": "http://all:pw@127.0.0.1:1080"}, {}, True),
    ("http://a.test/", {"HTTP_PROXY": "http://127.0.0.1:3128"}, {}, True),
    ("http://a.test/", {"HTTP_PROXY": "http://pu@127.0.0.1:3128"}, {}, True),
    (
        "http://a.test/",
        {"HTTP_PROXY": "http://env:pw@127.0.0.1:3128"},
        {"http": "http://mine:pw@127.0.0.1:8080"},
        True,
    ),
    (
        "http://a.test/",
        {"HTTP_PROXY": "http://pu:pp@127.0.0.1:3128", "NO_PROXY": "a.test"},
        {},
        True,
    ),
    ("http://a.test/", {"HTTP_PROXY": "http://pu:pp@127.0.0.1:3128"}, {"no_proxy": "a.test"}, True),
    ("http://a.test/", {}, {"http": "http://p%40ss:w%3Ard@127.0.0.1:1"}, False),
    ("https://a.test/", {}, {"https": "http://pu:pp@127.0.0.1:1"}, False),
]


@pytest.mark.parametrize(("url", "environment", "proxies", "trust_env"), PROXY_CASES)
def test_rebuild_proxies(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    environment: dict[str, str],
    proxies: dict[str, str],
    trust_env: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    headers = {"Proxy-Authorization": "Basic stale"}
    ours, theirs = prepare_both("GET", url, headers=headers)
    our_proxies = rebuild_proxies(ours, dict(proxies), trust_env=trust_env)
    their_proxies = their_session(trust_env).rebuild_proxies(theirs, dict(proxies))
    assert our_proxies == their_proxies
    assert dict(ours.headers) == dict(theirs.headers)
    assert ours.headers.get("Proxy-Authorization") != "Basic stale"


def test_rebuild_proxies_sets_header_for_plain_http_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://pu:pp@127.0.0.1:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://pu:pp@127.0.0.1:3128")
    plain = Request("GET", "http://a.test/").prepare()
    tunnelled = Request("GET", "https://a.test/").prepare()
    assert rebuild_proxies(plain, None) == {"http": "http://pu:pp@127.0.0.1:3128"}
    assert plain.headers["Proxy-Authorization"] == "Basic cHU6cHA="
    rebuild_proxies(tunnelled, None)
    assert "Proxy-Authorization" not in tunnelled.headers


# --- next_request: one hop, differentially ----------------------------------------------------

# (method, URL, request kwargs, status, Location, Set-Cookie lines, session jar)
HOPS: list[tuple[str, str, dict[str, Any], int, str, tuple[str, ...], dict[str, str]]] = [
    ("GET", "http://a.test/start", {}, 302, "/next", (), {}),
    ("POST", "http://a.test/form", {"data": {"k": "v"}}, 302, "/done", (), {}),
    ("POST", "http://a.test/form", {"data": {"k": "v"}}, 301, "/done", (), {}),
    ("PUT", "http://a.test/put", {"data": b"raw"}, 301, "/done", (), {}),
    ("POST", "http://a.test/form", {"json": {"k": 1}}, 303, "/see", (), {}),
    ("HEAD", "http://a.test/h", {}, 303, "/see", (), {}),
    (
        "POST",
        "http://a.test/form",
        {"data": b"body", "headers": {"Content-Type": "x/y"}},
        307,
        "/t",
        (),
        {},
    ),
    ("PUT", "http://a.test/form", {"data": "text"}, 308, "/p", (), {}),
    ("GET", "http://a.test/a/b?q=1", {}, 302, "../c?d=2", (), {}),
    ("GET", "http://a.test/a/b", {}, 302, "?only=query", (), {}),
    ("GET", "https://a.test/x", {}, 302, "//b.test/proto-relative", (), {}),
    ("GET", "http://a.test/x", {}, 302, "HTTP://B.TEST/Upper", (), {}),
    ("GET", "http://a.test/x", {}, 302, "/with space/and%zz", (), {}),
    ("GET", "http://a.test/x", {}, 302, "http://b.test/a b?c d", (), {}),
    ("GET", "http://a.test/x", {}, 302, "/caf\u00c3\u00a9", (), {}),
    ("GET", "http://a.test/x#frag", {}, 302, "/y", (), {}),
    ("GET", "http://a.test/x#frag", {}, 302, "/y#other", (), {}),
    ("GET", "http://a.test/x#frag", {}, 302, "http://b.test/y", (), {}),
    ("GET", "http://a.test/x", {"auth": ("u", "p")}, 302, "/same-host", (), {}),
    ("GET", "http://a.test/x", {"auth": ("u", "p")}, 302, "http://b.test/", (), {}),
    ("GET", "http://a.test/x", {"auth": ("u", "p")}, 302, "https://a.test/", (), {}),
    ("GET", "https://a.test/x", {"auth": ("u", "p")}, 302, "http://a.test/", (), {}),
    (
        "GET",
        "http://a.test/x",
        {"headers": {"Proxy-Authorization": "Basic old"}},
        302,
        "/y",
        (),
        {},
    ),
    ("GET", "http://a.test/x", {"cookies": {"sent": "1"}}, 302, "/y", ("new=2; Path=/",), {}),
    ("GET", "http://a.test/x", {}, 302, "/y", ("evil=1; Domain=b.test",), {}),
    ("GET", "http://a.test/x", {}, 302, "http://b.test/y", ("wide=1; Domain=.test",), {}),
    ("GET", "http://a.test/x", {}, 302, "/y", ("s=1; Secure",), {}),
    ("GET", "https://a.test/x", {}, 302, "/y", ("s=1; Secure",), {}),
    ("GET", "https://a.test/x", {}, 302, "http://a.test/y", ("s=1; Secure",), {}),
    ("GET", "http://a.test/x", {"cookies": {"c": "req"}}, 302, "/y", (), {"c": "session"}),
    ("GET", "http://a.test/x", {"headers": {"Cookie": "manual=1"}}, 302, "/y", (), {"j": "1"}),
    ("GET", "http://a.test/docs/x", {}, 302, "/api/y", ("p=1; Path=/docs",), {}),
    ("GET", "http://a.test/x", {}, 302, "/gone", ("g=1; Max-Age=0",), {"g": "old"}),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status", "location", "lines", "jar"), HOPS)
def test_hop_matches_requests(
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    location: str,
    lines: tuple[str, ...],
    jar: dict[str, str],
) -> None:
    ours, theirs = prepare_both(method, url, **kwargs)
    our_hop = next_request(
        ours,
        FakeResponse(ours, status, location, lines),
        jar=cookiejar_from_dict(jar),
        trust_env=False,
    )
    session = their_session(jar=jar)
    resolver = session.resolve_redirects(
        their_response(theirs, status, location, lines), theirs, yield_requests=True
    )
    their_hop: Any = next(resolver)
    assert our_hop is not None
    assert shape(our_hop) == shape(their_hop)
    assert our_hop is not ours
    assert our_hop.headers is not ours.headers
    assert shape(ours)[:3] == shape(theirs)[:3]


def test_cookie_header_follows_the_new_origin() -> None:
    prepared = Request("GET", "http://a.test/x", cookies={"a_only": "1"}).prepare()
    prepared._cookies = RequestsCookieJar()
    prepared._cookies.set("a_only", "1", domain="a.test", path="/")
    prepared.prepare_cookies(prepared._cookies)
    response = FakeResponse(prepared, 302, "http://b.test/", ("set_by_a=1",))
    session_jar = RequestsCookieJar()
    session_jar.set("b_only", "2", domain="b.test", path="/")
    hop = next_request(prepared, response, jar=session_jar, trust_env=False)
    assert hop is not None
    assert hop.headers["Cookie"] == "b_only=2"
    back = next_request(hop, FakeResponse(hop, 302, "http://a.test/y"), trust_env=False)
    assert back is not None
    assert back.headers["Cookie"] == "a_only=1; set_by_a=1"


@pytest.mark.parametrize("target", ["http://b.test/", "http://a.test:8080/", "http://a.test/y"])
def test_request_cookies_stay_with_their_origin(target: str) -> None:
    # requests sends cookies given for one request to wherever it redirects; we do not.
    prepared = Request("GET", "http://a.test/x", cookies={"sent": "1"}).prepare()
    session_jar = RequestsCookieJar()
    session_jar.set("everywhere", "2")
    hop = next_request(
        prepared, FakeResponse(prepared, 302, target, ("new=3",)), jar=session_jar, trust_env=False
    )
    assert hop is not None
    # The response's cookie belongs to a.test, whatever the port (RFC 6265 section 8.5).
    expected = {"everywhere=2"} | ({"new=3"} if "a.test" in target else set())
    if target.startswith("http://a.test/"):
        expected.add("sent=1")
    assert set(hop.headers["Cookie"].split("; ")) == expected


def test_request_without_a_jar_gets_one() -> None:
    prepared = PreparedRequest()
    prepared.prepare_method("GET")
    prepared.prepare_url("http://a.test/", None)
    assert prepared._cookies is None
    hop = next_request(prepared, FakeResponse(prepared, 302, "/y", ("c=1",)), trust_env=False)
    assert hop is not None
    assert isinstance(hop._cookies, RequestsCookieJar)
    assert hop.headers["Cookie"] == "c=1"


def test_response_without_raw_stores_no_cookies() -> None:
    prepared = Request("GET", "http://a.test/").prepare()
    response = FakeResponse(prepared, 302, "/y", ("c=1",))
    del response.raw
    hop = next_request(prepared, response, trust_env=False)
    assert hop is not None
    assert "Cookie" not in hop.headers


# --- the end of a chain ------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "location"), [(200, None), (304, "/x"), (302, None), (302, "")])
def test_no_hop(status: int, location: str | None) -> None:
    prepared = Request("GET", "http://a.test/").prepare()
    response = FakeResponse(prepared, status, location)
    assert next_request(prepared, response) is None
    assert next_hop(prepared, response) is None
    assert response.history == []


@pytest.mark.parametrize("current_in_history", [False, True])
@pytest.mark.parametrize(
    ("limit", "followed", "raises"),
    [(30, 29, False), (30, 30, True), (2, 1, False), (2, 2, True), (0, 0, True)],
)
def test_too_many_redirects(
    limit: int, followed: int, raises: bool, current_in_history: bool
) -> None:
    prepared = Request("GET", "http://a.test/").prepare()
    earlier = [FakeResponse(prepared, 302, "/") for _ in range(followed)]
    response = FakeResponse(prepared, 302, "/again")
    # The session may pass the chain with the current response already at its end.
    history = [*earlier, response] if current_in_history else earlier
    if raises:
        with pytest.raises(TooManyRedirects, match=rf"^Exceeded {limit} redirects\.$") as caught:
            next_request(prepared, response, max_redirects=limit, history=history)
        assert caught.value.response is response
        assert caught.value.request is prepared
    else:
        assert next_request(prepared, response, max_redirects=limit, history=history) is not None
    assert response.history == earlier


class ScriptedSession(requests.Session):
    """requests' own redirect loop, with `send` answering every request with another 302."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        return their_response(request, 302, f"/hop{len(self.sent)}")


@pytest.mark.parametrize("limit", [0, 1, 2, 5, DEFAULT_REDIRECT_LIMIT])
def test_redirect_loop_ends_where_requests_ends(limit: int) -> None:
    session = ScriptedSession()
    session.max_redirects = limit
    theirs = requests.Request("GET", "http://a.test/").prepare()
    with pytest.raises(requests.TooManyRedirects) as their_error:
        list(session.resolve_redirects(their_response(theirs, 302, "/hop0"), theirs))

    request = Request("GET", "http://a.test/").prepare()
    response = FakeResponse(request, 302, "/hop0")
    history: list[FakeResponse] = []
    urls = []
    with pytest.raises(TooManyRedirects) as our_error:
        while (
            hop := next_request(request, response, max_redirects=limit, history=history)
        ) is not None:
            history.append(response)
            urls.append(hop.url)
            request = hop
            response = FakeResponse(request, 302, f"/hop{len(history)}")
    assert urls == [sent.url for sent in session.sent]
    assert len(urls) == limit
    assert str(our_error.value) == str(their_error.value)
    their_last = their_error.value.response
    assert their_last is not None
    assert len(our_error.value.response.history) == len(their_last.history) == limit


def test_too_many_redirects_matches_requests_quirk_with_zero_limit() -> None:
    ours, theirs = prepare_both("GET", "http://a.test/")
    session = their_session()
    session.max_redirects = 0
    with pytest.raises(requests.TooManyRedirects, match=r"^Exceeded 0 redirects\.$"):
        next(
            session.resolve_redirects(their_response(theirs, 302, "/"), theirs, yield_requests=True)
        )
    with pytest.raises(TooManyRedirects, match=r"^Exceeded 0 redirects\.$"):
        next_request(ours, FakeResponse(ours, 302, "/"), max_redirects=0)


def test_default_limit() -> None:
    assert DEFAULT_REDIRECT_LIMIT == requests.Session().max_redirects == 30


@pytest.mark.parametrize(
    "location", ["ftp://a.test/file", "file:///etc/passwd", "javascript:alert(1)", "data:,x"]
)
def test_other_schemes_are_refused(location: str) -> None:
    prepared = Request("GET", "http://a.test/").prepare()
    response = FakeResponse(prepared, 302, location)
    with pytest.raises(InvalidSchema, match=r"^No connection adapters were found for '"):
        next_request(prepared, response)
    hop = next_request(prepared, response, schemes=None)
    assert hop is not None
    assert hop.url is not None
    assert not hop.url.startswith("http")


def test_custom_schemes() -> None:
    prepared = Request("GET", "http://a.test/").prepare()
    response = FakeResponse(prepared, 302, "ftp://a.test/f")
    hop = next_request(prepared, response, schemes=("http", "https", "ftp"))
    assert hop is not None
    assert hop.url == "ftp://a.test/f"
    with pytest.raises(InvalidSchema):
        next_request(prepared, FakeResponse(prepared, 302, "https://a.test/"), schemes=("http",))


# --- bodies on 307/308 -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [307, 308])
def test_file_body_is_rewound(status: int) -> None:
    body = io.BytesIO(b"0123456789")
    body.seek(2)
    prepared = Request("POST", "http://a.test/", data=body).prepare()
    assert prepared._body_position == 2
    body.read()
    hop = next_request(prepared, FakeResponse(prepared, status, "/again"))
    assert hop is not None
    assert hop.body is body
    assert body.tell() == 2
    assert hop.headers["Content-Length"] == "8"


def test_file_body_is_dropped_on_302() -> None:
    body = io.BytesIO(b"data")
    prepared = Request("POST", "http://a.test/", data=body).prepare()
    body.read()
    hop = next_request(prepared, FakeResponse(prepared, 302, "/again"))
    assert hop is not None
    assert hop.body is None
    assert (hop.method, body.tell()) == ("GET", 4)
    assert not {"Content-Length", "Content-Type", "Transfer-Encoding"} & set(hop.headers)


def test_body_that_cannot_seek_back_raises() -> None:
    prepared = Request("POST", "http://a.test/", data=io.BytesIO(b"data")).prepare()
    prepared._body_position = object()
    with pytest.raises(
        UnrewindableBodyError, match=r"^Unable to rewind request body for redirect\.$"
    ):
        next_request(prepared, FakeResponse(prepared, 307, "/again"))


def test_generator_body_is_kept_as_requests_keeps_it() -> None:
    def chunks() -> Any:
        yield b"a"

    generator = chunks()
    prepared = Request("POST", "http://a.test/", data=generator).prepare()
    hop = next_request(prepared, FakeResponse(prepared, 307, "/again"))
    assert hop is not None
    assert hop.body is generator
    assert hop.headers["Transfer-Encoding"] == "chunked"


def test_multipart_body_is_rewound_before_the_hop(tmp_path: Path) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"file contents")
    with upload.open("rb") as handle:
        prepared = Request("POST", "http://a.test/", files={"f": handle}).prepare()
        assert isinstance(prepared.body, BodyStream)
        first = b"".join(prepared.body)
        hop = next_request(prepared, FakeResponse(prepared, 307, "/again"))
        assert hop is not None
        assert hop.body is prepared.body
        assert b"".join(hop.body) == first
        assert b"file contents" in first


# --- next_hop: proxies for the next request ----------------------------------------------------


def test_next_hop_gives_the_proxies_for_the_new_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3129")
    monkeypatch.setenv("HTTP_PROXY", "http://pu:pp@127.0.0.1:3128")
    prepared = Request("GET", "https://a.test/").prepare()
    explicit = {"https": "http://127.0.0.1:9999"}
    hop = next_hop(prepared, FakeResponse(prepared, 302, "http://a.test/x"), proxies=explicit)
    assert isinstance(hop, Hop)
    request, proxies = hop
    assert proxies == {"https": "http://127.0.0.1:9999", "http": "http://pu:pp@127.0.0.1:3128"}
    assert explicit == {"https": "http://127.0.0.1:9999"}
    assert request.headers["Proxy-Authorization"] == "Basic cHU6cHA="
    untrusted = next_hop(
        prepared, FakeResponse(prepared, 302, "http://a.test/x"), proxies=explicit, trust_env=False
    )
    assert untrusted is not None
    assert untrusted.proxies == explicit
    assert "Proxy-Authorization" not in untrusted.request.headers


def test_a_chain_of_hops() -> None:
    """Three hops through a 303, a 307 and a 302, as a session drives them."""
    first = Request("POST", "http://a.test/one#top", data={"k": "v"}, auth=("u", "p")).prepare()
    steps = [(303, "/two"), (307, "http://a.test:80/three"), (302, "http://b.test/four")]
    request, history = first, list[FakeResponse]()
    for status, location in steps:
        response = FakeResponse(request, status, location, (f"step{status}=1",))
        hop = next_request(request, response, history=history)
        assert hop is not None
        history.append(response)
        request = hop
    assert request.url == "http://b.test/four#top"
    assert request.method == "GET"
    assert "Authorization" not in request.headers
    assert "Cookie" not in request.headers
    assert [len(response.history) for response in history] == [0, 1, 2]
    assert history[1].request.headers["Authorization"].startswith("Basic ")
    assert history[2].request.headers["Cookie"] == "step303=1; step307=1"


def test_module_exports() -> None:
    assert sorted(redirects.__all__) == sorted(
        [
            "DEFAULT_REDIRECT_LIMIT",
            "Hop",
            "get_redirect_target",
            "next_hop",
            "next_request",
            "rebuild_auth",
            "rebuild_method",
            "rebuild_proxies",
            "should_strip_auth",
        ]
    )
