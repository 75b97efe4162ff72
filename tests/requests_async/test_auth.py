"""Auth: Basic and Digest headers checked against requests' own; the Digest flow driven by hand."""

from __future__ import annotations

import hashlib
import io
import re
import threading
import warnings
from typing import Any

import pytest
import requests
import requests.auth

from requests_async import auth as auth_module
from requests_async.auth import (
    AuthBase,
    HTTPBasicAuth,
    HTTPDigestAuth,
    HTTPProxyAuth,
    _basic_auth_str,
    _parse_challenges,
)
from requests_async.models import PreparedRequest, ResponseMixin
from requests_async.structures import CaseInsensitiveDict

URL = "http://127.0.0.1:8000/dir/index.html"
CNONCE = "0a4f113b"


def prepared(url: str = URL, method: str = "GET", **kwargs: Any) -> PreparedRequest:
    request = PreparedRequest()
    request.prepare(method=method, url=url, **kwargs)
    return request


def response(status: int, headers: dict[str, str] | None = None) -> ResponseMixin:
    result = ResponseMixin()
    result.status_code = status
    result.headers = CaseInsensitiveDict(headers or {})
    return result


def challenge(nonce: str = "n1", realm: str = "me@127.0.0.1", **params: str) -> ResponseMixin:
    fields = [f'realm="{realm}"', f'nonce="{nonce}"'] + [f'{k}="{v}"' for k, v in params.items()]
    return response(401, {"WWW-Authenticate": "Digest " + ", ".join(fields)})


@pytest.fixture
def fixed_cnonce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_module, "_cnonce", lambda: CNONCE)


def digest_fields(header: str) -> dict[str, str]:
    assert header.startswith("Digest ")
    return dict(_parse_challenges(header)[0][1])


# Basic ------------------------------------------------------------------------

BASIC_CASES: list[tuple[Any, Any]] = [
    ("user", "pass"),
    ("", ""),
    ("user:with:colons", "p:w"),
    ("üsér", "pässwörd"),
    ("Mufasa", "Circle of Life" * 20),
    (b"user", b"pass"),
    (b"\xc3\xa9", "\xe9"),
    ("\xff", b"\x00\xff"),
]


@pytest.mark.parametrize(("username", "password"), BASIC_CASES)
def test_basic_auth_str_matches_requests(username: Any, password: Any) -> None:
    expected = requests.auth._basic_auth_str(username, password)
    assert _basic_auth_str(username, password) == expected
    assert expected.startswith("Basic ")


def test_basic_auth_str_refuses_characters_outside_latin1_like_requests() -> None:
    with pytest.raises(UnicodeEncodeError):
        requests.auth._basic_auth_str("€", "x")
    with pytest.raises(UnicodeEncodeError):
        _basic_auth_str("€", "x")


@pytest.mark.parametrize(("username", "password"), [(42, "pw"), ("user", 3.5), (None, None)])
def test_basic_auth_str_converts_other_types_with_requests_warnings(
    username: Any, password: Any
) -> None:
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        expected = requests.auth._basic_auth_str(username, password)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        assert _basic_auth_str(username, password) == expected
    assert [w.category for w in ours] == [w.category for w in theirs]
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert all(w.category is DeprecationWarning for w in ours)


@pytest.mark.parametrize(("username", "password"), BASIC_CASES[:5])
def test_basic_and_proxy_auth_set_the_headers_requests_sets(username: Any, password: Any) -> None:
    for ours, theirs, name in (
        (HTTPBasicAuth, requests.auth.HTTPBasicAuth, "Authorization"),
        (HTTPProxyAuth, requests.auth.HTTPProxyAuth, "Proxy-Authorization"),
    ):
        expected = theirs(username, password)(requests.Request("GET", URL).prepare())
        request = prepared()
        assert ours(username, password)(request) is request
        assert request.headers[name] == expected.headers[name]
        assert list(request.headers).count(name) == 1


def test_basic_auth_equality() -> None:
    assert HTTPBasicAuth("u", "p") == HTTPBasicAuth("u", "p")
    assert HTTPBasicAuth("u", "p") == HTTPDigestAuth("u", "p")
    assert HTTPBasicAuth("u", "p") != HTTPBasicAuth("u", "q")
    assert HTTPBasicAuth("u", "p") != object()
    assert HTTPBasicAuth("u", "p").__ne__(HTTPBasicAuth("u", "p")) is False


def test_default_flow_sends_the_request_once() -> None:
    request = prepared()
    flow = HTTPBasicAuth("user", "pass").auth_flow(request)
    sent = next(flow)
    assert sent is request
    assert sent.headers["Authorization"] == "Basic dXNlcjpwYXNz"
    with pytest.raises(StopIteration):
        flow.send(response(401))


def test_auth_base_must_be_subclassed() -> None:
    with pytest.raises(NotImplementedError, match=r"^Auth hooks must be callable\.$"):
        AuthBase()(prepared())

    class Token(AuthBase):
        def __call__(self, r: PreparedRequest) -> PreparedRequest:
            r.headers["Authorization"] = "Bearer t"
            return r

    flow = Token().auth_flow(prepared())
    assert next(flow).headers["Authorization"] == "Bearer t"


# Digest: headers against requests and RFC 7616 ----------------------------------

ALGORITHMS = [None, "MD5", "md5", "MD5-SESS", "SHA", "SHA-256", "SHA-512"]
QOPS = [None, "auth", "auth,auth-int"]
TARGETS = [
    "http://127.0.0.1:8000/dir/index.html",
    "http://127.0.0.1:8000",
    "http://127.0.0.1:8000/search?q=a%20b&x=1",
]


def requests_digest(
    monkeypatch: pytest.MonkeyPatch, username: str, password: str, chal: dict[str, str]
) -> tuple[HTTPDigestAuth, requests.auth.HTTPDigestAuth]:
    """Ours and requests' auth, primed with `chal`, with requests' cnonce made predictable."""
    monkeypatch.setattr("requests.auth.os.urandom", lambda n: b"\x00" * n)
    monkeypatch.setattr("requests.auth.time.ctime", lambda: "Mon Jan  1 00:00:00 2024")
    theirs = requests.auth.HTTPDigestAuth(username, password)
    theirs.init_per_thread_state()
    theirs._thread_local.chal = dict(chal)
    ours = HTTPDigestAuth(username, password)
    ours.chal = dict(chal)
    return ours, theirs


def requests_cnonce(nc: int, nonce: str) -> str:
    seed = f"{nc}{nonce}".encode() + b"Mon Jan  1 00:00:00 2024" + b"\x00" * 8
    return hashlib.sha1(seed).hexdigest()[:16]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("qop", QOPS)
@pytest.mark.parametrize("url", TARGETS)
@pytest.mark.parametrize("opaque", [None, "5ccc069c403ebaf9f0171e9517f40e41"])
def test_digest_header_matches_requests(
    monkeypatch: pytest.MonkeyPatch, algorithm: Any, qop: Any, url: str, opaque: Any
) -> None:
    chal = {"realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093"}
    for key, value in (("algorithm", algorithm), ("qop", qop), ("opaque", opaque)):
        if value is not None:
            chal[key] = value
    ours, theirs = requests_digest(monkeypatch, "Mufasa", "Circle Of Life", chal)
    for nc, method in enumerate(("GET", "POST", "GET", "PUT", "DELETE", "GET"), start=1):
        cnonce = requests_cnonce(nc, chal["nonce"])
        monkeypatch.setattr(auth_module, "_cnonce", lambda c=cnonce: c)
        expected = theirs.build_digest_header(method, url)
        assert expected is not None
        assert ours.build_digest_header(method, url) == expected
    assert ours.nonce_count == theirs._thread_local.nonce_count == 6


@pytest.mark.usefixtures("fixed_cnonce")
def test_digest_with_non_ascii_credentials_hashes_utf8_like_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chal = {"realm": "r", "nonce": "n", "qop": "auth"}
    ours, theirs = requests_digest(monkeypatch, "Jäsøn", "Sécret", chal)
    monkeypatch.setattr(auth_module, "_cnonce", lambda: requests_cnonce(1, "n"))
    assert ours.build_digest_header("GET", URL) == theirs.build_digest_header("GET", URL)


RFC_7616_CHALLENGE = {
    "realm": "http-auth@example.org",
    "qop": "auth, auth-int",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
}
RFC_7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_digest_response_matches_rfc7616_example(
    monkeypatch: pytest.MonkeyPatch, algorithm: str, expected: str
) -> None:
    # RFC 7616 §3.9.1: the same exchange computed with MD5 and with SHA-256.
    monkeypatch.setattr(auth_module, "_cnonce", lambda: RFC_7616_CNONCE)
    auth = HTTPDigestAuth("Mufasa", "Circle of Life")
    auth.chal = dict(RFC_7616_CHALLENGE, algorithm=algorithm)
    header = auth.build_digest_header("GET", "http://www.example.org/dir/index.html")
    assert header is not None
    fields = digest_fields(header)
    assert fields["response"] == expected
    assert (fields["nc"], fields["qop"], fields["cnonce"]) == ("00000001", "auth", RFC_7616_CNONCE)
    assert fields["opaque"] == RFC_7616_CHALLENGE["opaque"]
    assert fields["uri"] == "/dir/index.html"


@pytest.mark.usefixtures("fixed_cnonce")
@pytest.mark.parametrize(
    ("algorithm", "hashlib_name", "session"),
    [
        ("SHA-512-256", "sha512_256", False),
        ("SHA-512-256-sess", "sha512_256", True),
        ("SHA-256-SESS", "sha256", True),
        ("SHA-sess", "sha1", True),
    ],
)
def test_digest_algorithms_beyond_requests(
    algorithm: str, hashlib_name: str, session: bool
) -> None:
    def h(text: str) -> str:
        return hashlib.new(hashlib_name, text.encode()).hexdigest()

    auth = HTTPDigestAuth("user", "pass")
    auth.chal = {"realm": "r", "nonce": "n", "qop": "auth", "algorithm": algorithm}
    header = auth.build_digest_header("PUT", "http://127.0.0.1/a?b=c")
    assert header is not None
    ha1 = h("user:r:pass")
    if session:
        ha1 = h(f"{ha1}:n:{CNONCE}")
    expected = h(f"{ha1}:n:00000001:{CNONCE}:auth:{h('PUT:/a?b=c')}")
    assert digest_fields(header)["response"] == expected
    assert digest_fields(header)["algorithm"] == algorithm


def test_sha512_256_is_not_answered_without_hashlib_support(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hashlib, "algorithms_available", {"md5", "sha256"})
    auth = HTTPDigestAuth("user", "pass")
    auth.chal = {"realm": "r", "nonce": "n", "algorithm": "SHA-512-256"}
    assert auth.build_digest_header("GET", URL) is None
    auth.chal["algorithm"] = "SHA-256"
    assert auth.build_digest_header("GET", URL) is not None


@pytest.mark.usefixtures("fixed_cnonce")
def test_bytes_credentials_are_hashed_as_given() -> None:
    chal = {"realm": "r", "nonce": "n", "qop": "auth"}
    as_text, as_bytes = HTTPDigestAuth("user", "pass"), HTTPDigestAuth(b"user", b"pass")
    as_text.chal, as_bytes.chal = dict(chal), dict(chal)
    assert as_bytes.build_digest_header("GET", URL) == as_text.build_digest_header("GET", URL)
    latin1 = HTTPDigestAuth(b"\xe9", b"p")
    latin1.chal = dict(chal)
    header = latin1.build_digest_header("GET", URL)
    assert header is not None
    fields = digest_fields(header)
    assert fields["username"] == "é"
    h = hashlib.md5
    ha1 = h(b"\xe9:r:p").hexdigest()
    ha2 = h(b"GET:/dir/index.html").hexdigest()
    expected = h(f"{ha1}:n:00000001:{CNONCE}:auth:{ha2}".encode()).hexdigest()
    assert fields["response"] == expected


@pytest.mark.usefixtures("fixed_cnonce")
def test_quotes_in_values_are_escaped() -> None:
    auth = HTTPDigestAuth('we"ird\\user', "pass")
    auth.chal = {"realm": 'a "quoted" realm', "nonce": "n"}
    header = auth.build_digest_header("GET", URL)
    assert header is not None
    assert 'username="we\\"ird\\\\user"' in header
    assert 'realm="a \\"quoted\\" realm"' in header
    assert digest_fields(header)["username"] == 'we"ird\\user'


@pytest.mark.parametrize(
    "chal",
    [
        {"nonce": "n"},
        {"realm": "r"},
        {"realm": "r", "nonce": "n", "qop": "auth-int"},
        {"realm": "r", "nonce": "n", "algorithm": "SHA3-256"},
        {},
    ],
)
def test_challenges_that_cannot_be_answered(chal: dict[str, str]) -> None:
    auth = HTTPDigestAuth("user", "pass")
    auth.chal = chal
    assert auth.build_digest_header("GET", URL) is None
    assert auth.nonce_count == 0
    request = prepared()
    assert auth(request) is request
    assert "Authorization" not in request.headers


# Digest: the flow ----------------------------------------------------------------


def drive(flow: Any, responses: list[ResponseMixin]) -> tuple[list[PreparedRequest], int]:
    """Send each request the flow yields, answering with the next response; count the answers."""
    sent = [next(flow)]
    for used, answer in enumerate(responses, start=1):
        try:
            sent.append(flow.send(answer))
        except StopIteration:
            return sent, used
    raise AssertionError("the flow asked for more responses than scripted")


@pytest.mark.usefixtures("fixed_cnonce")
def test_digest_flow_answers_a_challenge_and_replays_the_body() -> None:
    body = io.BytesIO(b"payload")
    request = prepared(method="PUT", data=body)
    auth = HTTPDigestAuth("user", "pass")
    sent, used = drive(auth.auth_flow(request), [challenge(opaque="op"), response(200)])
    assert used == 2
    first, second = sent
    assert first is request
    assert "Authorization" not in first.headers
    assert second is not request
    assert second.body is body
    assert (second.method, second.url) == ("PUT", URL)
    fields = digest_fields(second.headers["Authorization"])
    assert fields["nonce"] == "n1"
    assert fields["opaque"] == "op"
    assert fields["uri"] == "/dir/index.html"
    assert "nc" not in fields


@pytest.mark.usefixtures("fixed_cnonce")
def test_digest_flow_counts_nonces_and_answers_up_front_afterwards() -> None:
    auth = HTTPDigestAuth("user", "pass")
    sent, _ = drive(auth.auth_flow(prepared()), [challenge(qop="auth"), response(200)])
    assert digest_fields(sent[1].headers["Authorization"])["nc"] == "00000001"
    # The next request carries credentials at once, with the nonce count moved on.
    sent, used = drive(auth.auth_flow(prepared(URL + "?page=2")), [response(200)])
    assert used == 1
    fields = digest_fields(sent[0].headers["Authorization"])
    assert (fields["nc"], fields["uri"]) == ("00000002", "/dir/index.html?page=2")
    # Credentials computed up front for an expired nonce get one fresh answer, as in requests.
    sent, used = drive(auth.auth_flow(prepared()), [challenge("n2", qop="auth"), response(200)])
    assert used == 2
    fields = digest_fields(sent[1].headers["Authorization"])
    assert (fields["nonce"], fields["nc"]) == ("n2", "00000001")


@pytest.mark.usefixtures("fixed_cnonce")
def test_a_second_401_ends_the_flow() -> None:
    auth = HTTPDigestAuth("user", "wrong")
    sent, used = drive(
        auth.auth_flow(prepared()), [challenge("n1"), challenge("n2"), response(200)]
    )
    assert (len(sent), used) == (2, 2)


@pytest.mark.usefixtures("fixed_cnonce")
def test_a_stale_nonce_earns_one_more_try() -> None:
    auth = HTTPDigestAuth("user", "pass")
    script = [
        challenge("n1", qop="auth"),
        challenge("n2", qop="auth", stale="TRUE"),
        challenge("n3", qop="auth", stale="true"),
        response(200),
    ]
    sent, used = drive(auth.auth_flow(prepared()), script)
    assert (len(sent), used) == (3, 3)
    fields = digest_fields(sent[2].headers["Authorization"])
    assert (fields["nonce"], fields["nc"]) == ("n2", "00000001")


@pytest.mark.parametrize(
    "first",
    [
        response(200),
        response(302, {"Location": "/elsewhere"}),
        response(403, {"WWW-Authenticate": 'Digest realm="r", nonce="n"'}),
        response(401),
        response(401, {"WWW-Authenticate": 'Basic realm="r"'}),
        response(401, {"WWW-Authenticate": 'Digest realm="r", nonce="n", qop="auth-int"'}),
        response(401, {"WWW-Authenticate": 'Digest realm="r", nonce="n", algorithm=SHA3'}),
    ],
)
def test_responses_the_flow_does_not_answer_end_it(first: ResponseMixin) -> None:
    auth = HTTPDigestAuth("user", "pass")
    sent, used = drive(auth.auth_flow(prepared()), [first, response(200)])
    assert (len(sent), used) == (1, 1)


@pytest.mark.usefixtures("fixed_cnonce")
def test_digest_challenge_found_among_others() -> None:
    header = 'Basic realm="b", Newauth abc==, Digest realm="d", nonce="n", qop="auth"'
    auth = HTTPDigestAuth("user", "pass")
    sent, _ = drive(
        auth.auth_flow(prepared()), [response(401, {"WWW-Authenticate": header}), response(200)]
    )
    assert digest_fields(sent[1].headers["Authorization"])["realm"] == "d"


@pytest.mark.usefixtures("fixed_cnonce")
def test_credentials_already_on_the_request_are_sent_as_they_are() -> None:
    auth = HTTPDigestAuth("user", "pass")
    auth.chal = {"realm": "r", "nonce": "n", "qop": "auth"}
    request = prepared()
    auth(request)
    header = request.headers["Authorization"]
    sent, _ = drive(auth.auth_flow(request), [response(200)])
    assert sent[0].headers["Authorization"] == header
    assert auth.nonce_count == 1


def test_nonce_counts_are_unique_across_threads() -> None:
    auth = HTTPDigestAuth("user", "pass")
    auth.chal = {"realm": "r", "nonce": "n", "qop": "auth"}
    seen: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(50):
            header = auth.build_digest_header("GET", URL)
            assert header is not None
            with lock:
                seen.append(digest_fields(header)["nc"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == [f"{n:08x}" for n in range(1, 401)]


def test_digest_equality() -> None:
    assert HTTPDigestAuth("u", "p") == HTTPDigestAuth("u", "p")
    assert HTTPDigestAuth("u", "p") != HTTPDigestAuth("v", "p")
    assert HTTPDigestAuth("u", "p").__ne__(HTTPBasicAuth("u", "p")) is False


def test_cnonce_is_random_hex() -> None:
    values = {auth_module._cnonce() for _ in range(20)}
    assert len(values) == 20
    assert all(re.fullmatch(r"[0-9a-f]{16}", value) for value in values)


# Challenge parsing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("Basic", [("Basic", {})]),
        ('Basic realm="x"', [("Basic", {"realm": "x"})]),
        (
            'Digest Realm="a, b", NONCE=abc , qop="auth,auth-int"',
            [("Digest", {"realm": "a, b", "nonce": "abc", "qop": "auth,auth-int"})],
        ),
        (
            'Bearer, Digest realm="r\\"q\\\\", nonce=""',
            [("Bearer", {}), ("Digest", {"realm": 'r"q\\', "nonce": ""})],
        ),
        ("Newauth abc==, Basic realm=x  ", [("Newauth", {}), ("Basic", {"realm": "x"})]),
        ('realm="orphan", Basic realm="x"', [("Basic", {"realm": "x"})]),
        ('Digest realm="r" nonce="n"', [("Digest", {})]),
        ('Digest realm="unterminated', [("Digest", {})]),
        (", , Basic", [("Basic", {})]),
    ],
)
def test_parse_challenges(header: str, expected: list[tuple[str, dict[str, str]]]) -> None:
    assert _parse_challenges(header) == expected


@pytest.mark.usefixtures("fixed_cnonce")
def test_qop_list_with_spaces_is_answered() -> None:
    # requests splits `qop` on commas without trimming, so it answers nothing here.
    auth = HTTPDigestAuth("user", "pass")
    auth.chal = {"realm": "r", "nonce": "n", "qop": "auth-int, auth"}
    header = auth.build_digest_header("GET", URL)
    assert header is not None
    assert digest_fields(header)["qop"] == "auth"
    theirs = requests.auth.HTTPDigestAuth("user", "pass")
    theirs.init_per_thread_state()
    theirs._thread_local.chal = dict(auth.chal)
    assert theirs.build_digest_header("GET", URL) is None
