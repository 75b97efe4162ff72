"""requests_async.cookies: the jar's dict API, http.cookiejar's rules, and parity with requests."""

from __future__ import annotations

import copy
import io
import pickle
import time
from http.client import parse_headers
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from http.cookies import SimpleCookie
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import requests
import requests.cookies

from requests_async import cookies
from requests_async.cookies import (
    CookieConflictError,
    MockRequest,
    MockResponse,
    RequestsCookieJar,
    _copy_cookie_jar,
    cookiejar_from_dict,
    create_cookie,
    extract_cookies_to_jar,
    get_cookie_header,
    merge_cookies,
    morsel_to_cookie,
    remove_cookie_by_name,
)
from requests_async.structures import CaseInsensitiveDict


class FakeRequest:
    """The two attributes the cookie helpers read from a PreparedRequest."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(headers or {})


def summary(cookie: Cookie) -> tuple[Any, ...]:
    return (cookie.name, cookie.value, cookie.domain, cookie.path, cookie.secure, cookie.expires)


def jar_summary(jar: CookieJar) -> list[tuple[Any, ...]]:
    return sorted(summary(cookie) for cookie in jar)


# --- differential: the same operations on requests' jar and ours ------------------------------

OPERATIONS: dict[str, list[tuple[Any, ...]]] = {
    "plain names": [
        ("setitem", "a", "1"),
        ("setitem", "b", "2"),
        ("getitem", "a"),
        ("get", "missing"),
        ("get", "missing", "fallback"),
        ("contains", "a"),
        ("contains", "zz"),
        ("len",),
        ("setitem", "a", "3"),
        ("getitem", "a"),
        ("delitem", "b"),
        ("contains", "b"),
        ("getitem", "b"),
    ],
    "same name in two domains": [
        ("set", "token", "x", {"domain": "a.test", "path": "/"}),
        ("set", "token", "y", {"domain": "b.test", "path": "/"}),
        ("getitem", "token"),
        ("get", "token"),
        ("get", "token", None, {"domain": "b.test"}),
        ("contains", "token"),
        ("find", "token"),
        ("find", "token", {"domain": "b.test"}),
        ("find", "nothing"),
        ("domains",),
        ("paths",),
        ("multiple",),
        ("dict", {"domain": "a.test"}),
        ("dict", {"domain": "a.test", "path": "/x"}),
        ("set", "token", None, {"domain": "a.test"}),
        ("getitem", "token"),
    ],
    "same name in two paths": [
        ("set", "s", "root", {"domain": "c.test", "path": "/"}),
        ("set", "s", "api", {"domain": "c.test", "path": "/api"}),
        ("set", "t", "other", {"domain": "c.test", "path": "/api"}),
        ("get", "s", None, {"path": "/api"}),
        ("get", "s", None, {"domain": "c.test"}),
        ("paths",),
        ("domains",),
        ("multiple",),
        ("dict", {"path": "/api"}),
        ("dict", {}),
        ("set", "s", None, {"path": "/api"}),
        ("items",),
    ],
    "one cookie per domain": [
        ("set", "a", "1", {"domain": "one.test"}),
        ("set", "b", "2", {"domain": "two.test"}),
        ("multiple",),
        ("domains",),
    ],
    "quoted values and morsels": [
        ("set", "q", '"a\\"b"', {}),
        ("getitem", "q"),
        ("set", "plain", '"quoted"', {}),
        ("getitem", "plain"),
        ("morsel", "m=v; Path=/m; Domain=m.test; Secure; HttpOnly"),
        ("get", "m", None, {"domain": "m.test"}),
        ("items",),
    ],
    "bad keywords and updates": [
        ("set", "bad", "1", {"colour": "red"}),
        ("update", {"u": "1", "v": "2"}),
        ("update_jar", [("w", "3", "w.test")]),
        ("keys",),
        ("values",),
        ("items",),
        ("copy",),
        ("setdefault", "u", "9"),
        ("setdefault", "new", "9"),
        ("pop", "v"),
        ("eq", {"u": "1", "w": "3", "new": "9"}),
        ("clear",),
        ("len",),
    ],
}


def run_operations(module: ModuleType, operations: list[tuple[Any, ...]]) -> list[Any]:
    jar = module.RequestsCookieJar()
    return [apply(module, jar, operation) for operation in operations]


def apply(module: ModuleType, jar: Any, operation: tuple[Any, ...]) -> Any:
    try:
        return _apply(module, jar, operation)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def _apply(module: ModuleType, jar: Any, operation: tuple[Any, ...]) -> Any:
    kind, *args = operation
    simple = {
        "getitem": lambda: jar[args[0]],
        "contains": lambda: args[0] in jar,
        "len": lambda: len(jar),
        "domains": jar.list_domains,
        "paths": jar.list_paths,
        "multiple": jar.multiple_domains,
        "keys": lambda: sorted(jar.keys()),
        "values": lambda: sorted(jar.values()),
        "items": lambda: sorted(jar.items()),
        "copy": lambda: jar_summary(jar.copy()),
        "setdefault": lambda: jar.setdefault(args[0], args[1]),
        "pop": lambda: jar.pop(args[0]),
        "eq": lambda: jar == args[0],
        "clear": jar.clear,
    }
    if kind in simple:
        return simple[kind]()
    if kind == "setitem":
        jar[args[0]] = args[1]
        return None
    if kind == "delitem":
        del jar[args[0]]
        return None
    if kind == "get":
        return jar.get(args[0], *args[1:2], **(args[2] if len(args) > 2 else {}))
    if kind == "find":
        return jar._find(args[0], **(args[1] if len(args) > 1 else {}))
    if kind == "dict":
        return jar.get_dict(**args[0])
    if kind == "set":
        made = jar.set(args[0], args[1], **args[2])
        return None if made is None else summary(made)
    if kind == "morsel":
        morsel = next(iter(SimpleCookie(args[0]).values()))
        return summary(jar.set(morsel.key, morsel))
    if kind == "update":
        jar.update(args[0])
        return None
    assert kind == "update_jar"
    other = CookieJar()
    for name, value, domain in args[0]:
        other.set_cookie(module.create_cookie(name, value, domain=domain))
    jar.update(other)
    return None


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_jar_operations_match_requests(name: str) -> None:
    ours = run_operations(cookies, OPERATIONS[name])
    theirs = run_operations(requests.cookies, OPERATIONS[name])
    assert ours == theirs
    assert any(result is not None for result in ours)


# --- differential: Set-Cookie handling and the Cookie header ----------------------------------

# (URL of the response, its Set-Cookie lines, the URLs then asked for a Cookie header)
EXCHANGES: list[tuple[str, list[str], list[str]]] = [
    (
        "http://www.example.test/a/b",
        ["plain=1", "rooted=2; Path=/", "deep=3; Path=/a/b/c"],
        ["http://www.example.test/a/x", "http://www.example.test/", "http://other.test/a/x"],
    ),
    (
        "http://www.example.test/",
        ["wide=1; Domain=.example.test", "narrow=2"],
        ["http://api.example.test/", "http://www.example.test/", "http://example.test/"],
    ),
    (
        "http://attacker.test/",
        ["planted=1; Domain=victim.test", "planted2=1; Domain=.victim.test", "own=1"],
        ["http://victim.test/", "http://attacker.test/"],
    ),
    (
        "http://www.example.test/",
        ["sup=1; Domain=.test", "sib=1; Domain=other.example.test"],
        ["http://www.example.test/", "http://other.example.test/"],
    ),
    (
        "https://secure.test/",
        ["s=1; Secure", "p=2", "h=3; HttpOnly"],
        ["https://secure.test/", "http://secure.test/"],
    ),
    (
        "http://secure.test/",
        ["s=1; Secure"],
        ["https://secure.test/", "http://secure.test/"],
    ),
    (
        "http://paths.test/docs/",
        ["d=1; Path=/docs", "dd=2; Path=/docsextra", 'q="quoted value"; Path=/'],
        ["http://paths.test/docs/x", "http://paths.test/docsextra", "http://paths.test/doc"],
    ),
    (
        "http://expiry.test/",
        [
            "gone=1; Max-Age=0",
            "old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            "kept=1; Max-Age=3600",
        ],
        ["http://expiry.test/"],
    ),
    (
        "http://127.0.0.1:8000/",
        ["ip=1", "ipdomain=1; Domain=127.0.0.1"],
        ["http://127.0.0.1:8000/", "http://127.0.0.1:9000/x", "http://localhost/"],
    ),
    (
        "http://ports.test:8080/p",
        ["a=1", 'b=2; Port="8080"'],
        ["http://ports.test:8080/", "http://ports.test:9090/"],
    ),
]


def message(lines: list[str]) -> Any:
    raw = "".join(f"Set-Cookie: {line}\r\n" for line in lines) + "\r\n"
    return parse_headers(io.BytesIO(raw.encode("latin-1")))


def requests_exchange(url: str, lines: list[str], asked: list[str]) -> tuple[Any, ...]:
    jar = requests.cookies.RequestsCookieJar()
    raw = SimpleNamespace(_original_response=SimpleNamespace(msg=message(lines)))
    requests.cookies.extract_cookies_to_jar(jar, requests.Request("GET", url).prepare(), raw)
    headers = [
        requests.cookies.get_cookie_header(jar, requests.Request("GET", target).prepare())
        for target in asked
    ]
    return jar_summary(jar), headers


def our_exchange(url: str, lines: list[str], asked: list[str], source: Any) -> tuple[Any, ...]:
    jar = RequestsCookieJar()
    extract_cookies_to_jar(jar, FakeRequest(url), source)
    headers = [get_cookie_header(jar, FakeRequest(target)) for target in asked]
    return jar_summary(jar), headers


SOURCES = {
    "message": message,
    "str pairs": lambda lines: [("Set-Cookie", line) for line in lines],
    "byte pairs": lambda lines: [(b"set-cookie", line.encode("latin-1")) for line in lines],
    "object with headers": lambda lines: SimpleNamespace(
        headers=[(b"content-type", b"text/plain")] + [(b"Set-Cookie", x.encode()) for x in lines]
    ),
    "urllib3-like": lambda lines: SimpleNamespace(
        _original_response=SimpleNamespace(msg=message(lines))
    ),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize(("url", "lines", "asked"), EXCHANGES)
def test_exchanges_match_requests(source: str, url: str, lines: list[str], asked: list[str]):
    theirs = requests_exchange(url, lines, asked)
    assert our_exchange(url, lines, asked, SOURCES[source](lines)) == theirs


def test_hostile_set_cookie_for_another_domain_is_ignored() -> None:
    jar = RequestsCookieJar()
    lines = [("Set-Cookie", "sid=evil; Domain=bank.test; Path=/")]
    extract_cookies_to_jar(jar, FakeRequest("http://attacker.test/"), lines)
    assert list(jar) == []
    assert get_cookie_header(jar, FakeRequest("http://bank.test/")) is None


def test_secure_cookie_is_sent_over_https_only() -> None:
    jar = RequestsCookieJar()
    extract_cookies_to_jar(jar, FakeRequest("https://shop.test/"), [("Set-Cookie", "s=1; Secure")])
    assert get_cookie_header(jar, FakeRequest("https://shop.test/cart")) == "s=1"
    assert get_cookie_header(jar, FakeRequest("http://shop.test/cart")) is None


def test_path_rules() -> None:
    jar = RequestsCookieJar()
    lines = [("Set-Cookie", "api=1; Path=/api"), ("Set-Cookie", "implicit=2")]
    extract_cookies_to_jar(jar, FakeRequest("http://site.test/docs/page"), lines)
    assert {cookie.name: cookie.path for cookie in jar} == {"api": "/api", "implicit": "/docs"}
    assert get_cookie_header(jar, FakeRequest("http://site.test/api/v1")) == "api=1"
    assert get_cookie_header(jar, FakeRequest("http://site.test/docs/x")) == "implicit=2"
    assert get_cookie_header(jar, FakeRequest("http://site.test/")) is None


def test_url_argument_overrides_the_request_url() -> None:
    jar = RequestsCookieJar()
    lines = [("Set-Cookie", "a=1")]
    extract_cookies_to_jar(jar, FakeRequest("http://first.test/"), lines, "http://final.test/x/y")
    assert [(cookie.domain, cookie.path) for cookie in jar] == [("final.test", "/x")]


def test_mapping_headers_and_missing_headers() -> None:
    jar = RequestsCookieJar()
    request = FakeRequest("http://map.test/")
    extract_cookies_to_jar(jar, request, CaseInsensitiveDict({"Set-Cookie": "m=1"}))
    extract_cookies_to_jar(jar, request, None)
    extract_cookies_to_jar(jar, request, SimpleNamespace(_original_response=None))
    extract_cookies_to_jar(jar, request, [("Content-Type", "text/html")])
    assert jar_summary(jar) == [("m", "1", "map.test", "/", False, None)]


def test_existing_cookie_header_is_left_alone() -> None:
    jar = cookiejar_from_dict({"jar": "1"})
    request = FakeRequest("http://h.test/", {"Cookie": "mine=1"})
    assert get_cookie_header(jar, request) is None
    assert get_cookie_header(jar, FakeRequest("http://h.test/")) == "jar=1"


def test_host_header_names_the_cookie_domain() -> None:
    jar = RequestsCookieJar()
    request = FakeRequest("http://10.0.0.1/app", {"Host": "named.test"})
    extract_cookies_to_jar(jar, request, [("Set-Cookie", "a=1")])
    assert [cookie.domain for cookie in jar] == ["named.test"]
    assert get_cookie_header(jar, FakeRequest("http://10.0.0.1/", {"Host": "named.test"})) == "a=1"


# --- the request and response adapters ---------------------------------------------------------


def test_mock_request_mirrors_requests() -> None:
    ours = MockRequest(FakeRequest("https://u.test:8443/p?q=1", {"Accept": "x"}))
    theirs = requests.cookies.MockRequest(
        requests.Request("GET", "https://u.test:8443/p?q=1", headers={"Accept": "x"}).prepare()
    )
    for mock in (ours, theirs):
        mock.add_unredirected_header("Cookie", "c=1")
    for name in ("get_type", "get_host", "get_origin_req_host", "get_full_url", "is_unverifiable"):
        assert getattr(ours, name)() == getattr(theirs, name)()
    for name in ("type", "host", "origin_req_host", "unverifiable"):
        assert getattr(ours, name) == getattr(theirs, name)
    for header in ("Accept", "Cookie", "Missing"):
        assert ours.has_header(header) == theirs.has_header(header)
        assert ours.get_header(header, "d") == theirs.get_header(header, "d")
    assert ours.get_new_headers() == theirs.get_new_headers() == {"Cookie": "c=1"}
    with pytest.raises(NotImplementedError) as ours_error:
        ours.add_header("Cookie", "x")
    with pytest.raises(NotImplementedError) as theirs_error:
        theirs.add_header("Cookie", "x")
    assert str(ours_error.value) == str(theirs_error.value)


def test_mock_request_with_host_header() -> None:
    mock = MockRequest(FakeRequest("http://1.2.3.4:81/a;p?q#f", {"Host": "name.test"}))
    assert mock.get_full_url() == "http://name.test/a;p?q#f"
    assert mock.get_host() == "1.2.3.4:81"


def test_mock_request_without_url() -> None:
    request = FakeRequest("")
    request.url = None  # type: ignore[assignment]
    assert MockRequest(request).get_full_url() == ""


def test_mock_response() -> None:
    headers = message(["a=1", "b=2"])
    mock = MockResponse(headers)
    assert mock.info() is headers
    assert mock.getheaders("Set-Cookie") == ["a=1", "b=2"]
    assert mock.getheaders("X-Missing") == []


# --- the dict interface, pickling and copies ---------------------------------------------------


def test_dict_interface() -> None:
    jar = RequestsCookieJar()
    jar["a"] = "1"
    jar.set("b", "2", domain="b.test", path="/p")
    assert list(jar.iterkeys()) == ["a", "b"]
    assert list(jar.itervalues()) == ["1", "2"]
    assert list(jar.iteritems()) == [("a", "1"), ("b", "2")]
    assert dict(jar) == {"a": "1", "b": "2"}
    assert [cookie.name for cookie in jar] == ["a", "b"]
    jar.update(c="3")
    assert jar["c"] == "3"
    assert jar.set("a", None) is None
    assert "a" not in jar
    with pytest.raises(KeyError, match="name='a', domain=None, path=None"):
        jar["a"]


def test_conflicts() -> None:
    jar = RequestsCookieJar()
    jar.set("dup", "1", domain="one.test")
    jar.set("dup", "2", domain="two.test")
    with pytest.raises(CookieConflictError, match="There are multiple cookies with name, 'dup'"):
        jar["dup"]
    with pytest.raises(CookieConflictError):
        jar.get("dup")
    assert "dup" in jar
    assert jar._find("dup") == "1"
    assert jar.get("dup", domain="two.test") == "2"
    assert issubclass(CookieConflictError, RuntimeError)


def test_remove_cookie_by_name_on_a_plain_jar() -> None:
    jar = CookieJar()
    for domain, path in [("a.test", "/"), ("a.test", "/x"), ("b.test", "/")]:
        jar.set_cookie(create_cookie("n", "v", domain=domain, path=path))
    jar.set_cookie(create_cookie("other", "v", domain="a.test"))
    remove_cookie_by_name(jar, "n", domain="a.test", path="/x")
    remaining = sorted((cookie.name, cookie.domain, cookie.path) for cookie in jar)
    assert remaining == [("n", "a.test", "/"), ("n", "b.test", "/"), ("other", "a.test", "/")]
    remove_cookie_by_name(jar, "n", domain="b.test")
    assert len(jar) == 2
    remove_cookie_by_name(jar, "n")
    assert [cookie.name for cookie in jar] == ["other"]


def test_pickling_keeps_cookies_and_policy() -> None:
    policy = DefaultCookiePolicy(blocked_domains=["blocked.test"])
    jar = RequestsCookieJar(policy)
    jar.set("a", "1", domain="a.test", secure=True)
    restored = pickle.loads(pickle.dumps(jar))
    assert jar_summary(restored) == jar_summary(jar)
    assert restored.get_policy().blocked_domains() == ("blocked.test",)
    restored.set("b", "2")
    assert sorted(restored.keys()) == ["a", "b"]


def test_setstate_keeps_an_existing_lock() -> None:
    jar = RequestsCookieJar()
    lock = jar._cookies_lock
    state = cookiejar_from_dict({"x": "1"}).__getstate__()
    jar.__setstate__(state)
    assert jar._cookies_lock is lock
    assert jar["x"] == "1"
    assert "_cookies_lock" not in state


def test_copy_is_independent_and_keeps_policy() -> None:
    policy = DefaultCookiePolicy()
    jar = RequestsCookieJar()
    jar.set_policy(policy)
    jar["a"] = "1"
    duplicate = jar.copy()
    duplicate["a"] = "2"
    assert jar["a"] == "1"
    assert duplicate.get_policy() is policy
    assert isinstance(duplicate, RequestsCookieJar)


def test_copy_cookie_jar() -> None:
    assert _copy_cookie_jar(None) is None
    ours = cookiejar_from_dict({"a": "1"})
    copied = _copy_cookie_jar(ours)
    assert isinstance(copied, RequestsCookieJar)
    assert copied is not ours
    assert jar_summary(copied) == jar_summary(ours)
    plain = cookiejar_from_dict({"a": "1"}, CookieJar())
    plain_copy = _copy_cookie_jar(plain)
    assert type(plain_copy) is CookieJar
    assert plain_copy is not None
    plain_copy.set_cookie(create_cookie("b", "2"))
    assert jar_summary(plain) == [("a", "1", "", "/", False, None)]
    assert len(jar_summary(plain_copy)) == 2
    assert next(iter(plain_copy)) is not next(iter(plain))


# --- cookie construction -----------------------------------------------------------------------


def test_create_cookie_matches_requests() -> None:
    kwargs: dict[str, Any] = {"domain": ".d.test", "path": "/p", "port": "81", "secure": True}
    ours, theirs = (
        create_cookie("n", "v", **kwargs),
        requests.cookies.create_cookie("n", "v", **kwargs),
    )
    assert vars(ours) == vars(theirs)
    assert ours.domain_initial_dot and ours.port_specified and ours.path_specified
    bare = create_cookie("n", "v")
    assert vars(bare) == vars(requests.cookies.create_cookie("n", "v"))
    assert not bare.domain_specified
    bare._rest["HttpOnly"] = "changed"  # type: ignore[attr-defined]
    assert create_cookie("m", "v")._rest == {"HttpOnly": None}  # type: ignore[attr-defined]


def test_create_cookie_rejects_unknown_keywords() -> None:
    with pytest.raises(TypeError, match=r"create_cookie\(\) got unexpected keyword arguments"):
        create_cookie("n", "v", flavour="mint")


@pytest.mark.parametrize(
    "text",
    [
        "a=1",
        "a=1; Max-Age=120; Path=/m; Domain=m.test; Secure; HttpOnly; Comment=hi; Version=1",
        "a=1; Expires=Wed, 21-Oct-2037 07:28:00 GMT",
    ],
)
def test_morsel_to_cookie_matches_requests(text: str) -> None:
    morsel = next(iter(SimpleCookie(text).values()))
    ours, theirs = morsel_to_cookie(morsel), requests.cookies.morsel_to_cookie(morsel)
    ours_fields, theirs_fields = vars(ours), vars(theirs)
    ours_expires, theirs_expires = ours_fields.pop("expires"), theirs_fields.pop("expires")
    assert ours_fields == theirs_fields
    # Max-Age counts from the clock at conversion time.
    assert (ours_expires is None) == (theirs_expires is None)
    if ours_expires is not None:
        assert abs(ours_expires - theirs_expires) <= 1
        assert ours_expires > time.time()


def test_morsel_with_bad_max_age() -> None:
    morsel = next(iter(SimpleCookie("a=1").values()))
    morsel["max-age"] = "soon"
    with pytest.raises(TypeError, match="max-age: soon must be integer"):
        morsel_to_cookie(morsel)


# --- building and merging jars -----------------------------------------------------------------


def test_cookiejar_from_dict() -> None:
    jar = cookiejar_from_dict({"a": "1", "b": "2"})
    assert isinstance(jar, RequestsCookieJar)
    assert dict(jar) == {"a": "1", "b": "2"}
    assert cookiejar_from_dict({"a": "9", "c": "3"}, jar, overwrite=False) is jar
    assert dict(jar) == {"a": "1", "b": "2", "c": "3"}
    cookiejar_from_dict({"a": "9"}, jar)
    assert jar["a"] == "9"
    assert len(cookiejar_from_dict(None)) == 0


def test_merge_cookies() -> None:
    with pytest.raises(ValueError, match="You can only merge into CookieJar"):
        merge_cookies({}, {"a": "1"})  # type: ignore[arg-type]
    jar = cookiejar_from_dict({"a": "1"})
    assert merge_cookies(jar, {"a": "2", "b": "2"}) is jar
    assert dict(jar) == {"a": "1", "b": "2"}
    merge_cookies(jar, cookiejar_from_dict({"a": "3"}))
    assert jar["a"] == "3"
    assert merge_cookies(jar, None) is jar
    plain = CookieJar()
    merge_cookies(plain, cookiejar_from_dict({"p": "1"}))
    assert [(cookie.name, cookie.value) for cookie in plain] == [("p", "1")]


def test_merge_cookies_matches_requests() -> None:
    def run(module: ModuleType) -> list[Any]:
        jar = module.cookiejar_from_dict({"a": "1", "b": "2"})
        module.merge_cookies(jar, {"a": "x", "c": "3"})
        other = module.RequestsCookieJar()
        other.set("b", "y", domain="", path="/")
        other.set("d", "4", domain="d.test")
        module.merge_cookies(jar, other)
        return jar_summary(jar)

    assert run(cookies) == run(requests.cookies)


def test_update_copies_cookies_from_another_jar() -> None:
    source = CookieJar()
    original = create_cookie("a", "1")
    source.set_cookie(original)
    jar = RequestsCookieJar()
    jar.update(source)
    stored = next(iter(jar))
    assert stored is not original
    assert summary(stored) == summary(original)


def test_shallow_copy_gets_its_own_lock() -> None:
    jar = cookiejar_from_dict({"a": "1"})
    clone = copy.copy(jar)
    assert clone._cookies_lock is not jar._cookies_lock
    assert clone["a"] == "1"
