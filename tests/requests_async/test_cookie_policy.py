"""Cookies for public suffixes are refused (RFC 6265 section 5.3, step 5), with the public
suffix list where http.cookiejar's heuristics let them through."""

from __future__ import annotations

import pickle
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import SimpleNamespace

import pytest

from requests_async._cookie_policy import PublicSuffixPolicy, is_public_suffix
from requests_async.cookies import RequestsCookieJar, extract_cookies_to_jar, get_cookie_header


def request(url: str) -> SimpleNamespace:
    return SimpleNamespace(url=url, headers={})


def stored(url: str, line: str, jar: CookieJar | None = None) -> list[tuple[str, str, bool]]:
    jar = RequestsCookieJar() if jar is None else jar
    extract_cookies_to_jar(jar, request(url), [("Set-Cookie", line)])
    return [(cookie.name, cookie.domain, cookie.domain_specified) for cookie in jar]


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("https://me.github.io/", "a=1; Domain=github.io"),
        ("https://shop.example.co.uk/", "a=1; Domain=.co.uk"),
        ("https://a.b.s3.amazonaws.com/", "a=1; Domain=s3.amazonaws.com"),
        ("http://a.test/", "a=1; Domain=test"),
    ],
)
def test_a_domain_naming_a_public_suffix_is_refused(url, line):
    assert stored(url, line) == []


def test_http_cookiejar_alone_accepts_some_of_them():
    # What the list adds: the stdlib policy lets a cookie for all of github.io through.
    jar = CookieJar(DefaultCookiePolicy())
    assert stored("https://me.github.io/", "a=1; Domain=github.io", jar) != []


@pytest.mark.parametrize(
    ("url", "line", "expected"),
    [
        ("https://me.github.io/", "a=1; Domain=me.github.io", [("a", ".me.github.io", True)]),
        (
            "https://shop.example.co.uk/",
            "a=1; Domain=example.co.uk",
            [("a", ".example.co.uk", True)],
        ),
        ("https://me.github.io/", "a=1", [("a", "me.github.io", False)]),
        # The suffix is the host itself: the cookie stays on that host only.
        ("https://github.io/", "a=1; Domain=github.io", [("a", "github.io", False)]),
    ],
)
def test_registrable_domains_and_host_only_cookies_are_kept(url, line, expected):
    assert stored(url, line) == expected


def test_a_host_only_cookie_on_a_suffix_does_not_reach_its_subdomains():
    jar = RequestsCookieJar()
    stored("https://github.io/", "a=1; Domain=github.io", jar)
    assert get_cookie_header(jar, request("https://github.io/")) == "a=1"
    assert get_cookie_header(jar, request("https://other.github.io/")) is None


def test_jars_use_the_policy_and_keep_it_through_copies_and_pickles():
    jar = RequestsCookieJar()
    assert isinstance(jar.get_policy(), PublicSuffixPolicy)
    assert isinstance(jar.copy().get_policy(), PublicSuffixPolicy)
    assert isinstance(pickle.loads(pickle.dumps(jar)).get_policy(), PublicSuffixPolicy)
    own = DefaultCookiePolicy()
    assert RequestsCookieJar(own).get_policy() is own


def test_is_public_suffix():
    assert is_public_suffix("com") and is_public_suffix(".github.io")
    assert not is_public_suffix("example.com") and not is_public_suffix("Me.GitHub.io")


@pytest.mark.parametrize(
    ("url", "sent_to"),
    [
        ("http://example.com/", {"http://example.com/"}),
        ("http://localhost:8000/", {"http://localhost:8000/", "http://localhost:9000/"}),
    ],
)
def test_host_only_cookies_go_to_their_host_only(url, sent_to):
    # RFC 6265 section 5.4; http.cookiejar (and requests) also send them to subdomains.
    jar = RequestsCookieJar()
    stored(url, "h=1", jar)
    jar.set("everywhere", "2")
    candidates = {
        "http://example.com/",
        "http://www.example.com/",
        "http://localhost:8000/",
        "http://localhost:9000/",
        "http://sub.localhost/",
    }
    for candidate in candidates:
        header = get_cookie_header(jar, request(candidate))
        assert ("h=1" in (header or "")) == (candidate in sent_to), candidate
        assert "everywhere=2" in (header or "")
