"""`import requests_async.sync as requests`: code written for requests runs unchanged."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys

import pytest
import requests as real_requests

import requests_async.sync as requests
from requests_async.sync.adapters import HTTPAdapter
from requests_async.sync.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from requests_async.sync.compat import urljoin, urlparse
from requests_async.sync.cookies import RequestsCookieJar, cookiejar_from_dict
from requests_async.sync.exceptions import ConnectionError, HTTPError, RequestException
from requests_async.sync.models import PreparedRequest, Request, Response
from requests_async.sync.sessions import Session
from requests_async.sync.status_codes import codes
from requests_async.sync.structures import CaseInsensitiveDict
from requests_async.sync.utils import quote, requote_uri, unquote

SUBMODULES = [
    "adapters",
    "api",
    "auth",
    "certs",
    "compat",
    "cookies",
    "exceptions",
    "hooks",
    "models",
    "sessions",
    "status_codes",
    "structures",
    "utils",
]

# The names of requests' namespaces that drop-in code uses, all of which we provide.
TOP_LEVEL = [
    "ConnectTimeout",
    "ConnectionError",
    "FileModeWarning",
    "HTTPError",
    "JSONDecodeError",
    "PreparedRequest",
    "ReadTimeout",
    "Request",
    "RequestException",
    "RequestsDependencyWarning",
    "Response",
    "Session",
    "Timeout",
    "TooManyRedirects",
    "URLRequired",
    "codes",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "session",
    *SUBMODULES,
]


def fetch_json(url, **params):
    """A typical requests helper, unchanged."""
    response = requests.get(url, params=params, timeout=5)
    response.raise_for_status()
    return response.json()


class TokenAuth(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def test_the_names_requests_has():
    for name in TOP_LEVEL:
        assert hasattr(real_requests, name), name
        assert hasattr(requests, name), name
    for name in SUBMODULES:
        ours = importlib.import_module(f"requests_async.sync.{name}")
        assert getattr(requests, name) is ours
    # Every exception class requests defines itself (not the urllib3 and json aliases).
    for name, value in vars(real_requests.exceptions).items():
        if isinstance(value, type) and value.__module__ == "requests.exceptions":
            assert issubclass(getattr(requests.exceptions, name), BaseException), name
    for name in ("ok", "not_found", "teapot", "OK", "temporary_redirect"):
        assert getattr(requests.codes, name) == getattr(real_requests.codes, name)


def test_typical_code(httpbin):
    assert fetch_json(httpbin.url + "/get", q="1")["args"] == {"q": "1"}
    r = requests.post(httpbin.url + "/post", json={"k": [1, 2]})
    assert r.status_code == requests.codes.ok
    assert r.json()["json"] == {"k": [1, 2]}
    assert isinstance(r, requests.Response)
    assert isinstance(r, requests.models.Response)
    assert isinstance(r.headers, requests.structures.CaseInsensitiveDict)
    with pytest.raises(requests.exceptions.HTTPError) as info:
        fetch_json(httpbin.url + "/status/404")
    assert info.value.response.status_code == requests.codes["not_found"]
    try:
        requests.get(httpbin.url + "/status/500").raise_for_status()
    except requests.RequestException as exc:
        assert "500 Server Error" in str(exc)
    else:
        raise AssertionError("raise_for_status() did not raise")


def test_sessions_adapters_and_auth(httpbin):
    with requests.Session() as s:
        s.headers.update({"X-Client": "dropin"})
        s.mount("http://", requests.adapters.HTTPAdapter(max_retries=3))
        s.auth = requests.auth.HTTPBasicAuth("user", "pass")
        r = s.get(httpbin.url + "/basic-auth/user/pass")
        assert r.json() == {"authenticated": True, "user": "user"}
        r = s.get(httpbin.url + "/headers", auth=TokenAuth("t0k"))
        assert r.json()["headers"]["Authorization"] == "Bearer t0k"
        assert r.json()["headers"]["X-Client"] == "dropin"
        prepared = requests.Request("GET", httpbin.url + "/get", params={"p": "1"}).prepare()
        assert isinstance(prepared, requests.PreparedRequest)
        assert s.send(prepared).json()["args"] == {"p": "1"}
        r = s.get(httpbin.url + "/digest-auth/auth/u/p", auth=HTTPDigestAuth("u", "p"))
        assert r.status_code == 200


def test_cookies_and_structures(httpbin):
    jar = requests.cookies.RequestsCookieJar()
    jar.set("a", "1", domain="127.0.0.1", path="/")
    r = requests.get(httpbin.url + "/cookies", cookies=jar)
    assert r.json() == {"cookies": {"a": "1"}}
    r = requests.get(httpbin.url + "/cookies", cookies=cookiejar_from_dict({"b": "2"}))
    assert r.json() == {"cookies": {"b": "2"}}
    headers = requests.structures.CaseInsensitiveDict({"Content-Type": "x"})
    assert headers["content-type"] == "x"
    assert requests.utils.quote("a b") == "a%20b"
    assert requests.utils.unquote("a%20b") == "a b"
    assert requests.utils.requote_uri("http://h/a b") == "http://h/a%20b"
    assert requests.compat.urljoin("http://h/a/", "b") == "http://h/a/b"
    assert requests.certs.where().endswith(".pem")
    assert requests.hooks.default_hooks() == {"response": []}


def test_connection_errors_are_requests_exceptions():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert isinstance(info.value, requests.RequestException)
    assert isinstance(info.value, OSError)


def test_submodule_imports_are_the_same_objects():
    assert HTTPAdapter is requests.adapters.HTTPAdapter
    assert (AuthBase, HTTPBasicAuth, HTTPDigestAuth) == (
        requests.auth.AuthBase,
        requests.auth.HTTPBasicAuth,
        requests.auth.HTTPDigestAuth,
    )
    assert RequestsCookieJar is requests.cookies.RequestsCookieJar
    assert (ConnectionError, HTTPError, RequestException) == (
        requests.ConnectionError,
        requests.HTTPError,
        requests.RequestException,
    )
    assert (PreparedRequest, Request, Response) == (
        requests.PreparedRequest,
        requests.Request,
        requests.Response,
    )
    assert Session is requests.Session is requests.sessions.Session
    assert codes is requests.codes
    assert CaseInsensitiveDict is requests.structures.CaseInsensitiveDict
    assert (quote, unquote, requote_uri) == (
        requests.utils.quote,
        requests.utils.unquote,
        requests.utils.requote_uri,
    )
    assert urljoin("http://h/", "x") == "http://h/x"
    assert urlparse("http://h/x").path == "/x"
    assert requests.api.get is requests.get
    assert requests.adapters.DEFAULT_POOL_TIMEOUT is None


@pytest.mark.parametrize("module", ["requests_async", "requests_async.sync"])
def test_the_real_requests_is_never_imported(module):
    code = (
        f"import sys, {module}\n"
        "import requests_async.sync.adapters, requests_async.sync.compat\n"
        "leaked = sorted(m for m in sys.modules if m == 'requests' or m.startswith('requests.')"
        " or m == 'urllib3' or m.startswith('urllib3.'))\n"
        "print(leaked)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
