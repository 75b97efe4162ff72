"""requests_async.utils against requests.utils: the same inputs give the same answers."""

from __future__ import annotations

import io
import netrc
import os
import socket
import urllib.request
from collections import OrderedDict
from http.cookiejar import CookieJar
from types import SimpleNamespace
from typing import Any, cast

import pytest
import requests
import requests.exceptions
import requests.utils

import httpcore._decoders
import requests_async
from requests_async import utils
from requests_async.cookies import RequestsCookieJar
from requests_async.exceptions import FileModeWarning, InvalidHeader, InvalidURL
from requests_async.structures import CaseInsensitiveDict


def same(name, *args, **kwargs):
    """Call `name` in both modules and return our result once it equals requests'."""
    ours = getattr(utils, name)(*args, **kwargs)
    theirs = getattr(requests.utils, name)(*args, **kwargs)
    assert ours == theirs
    return ours


def same_error(name, ours_cls, theirs_cls, *args):
    with pytest.raises(ours_cls) as ours:
        getattr(utils, name)(*args)
    with pytest.raises(theirs_cls) as theirs:
        getattr(requests.utils, name)(*args)
    assert str(ours.value) == str(theirs.value)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name in (
            "REQUEST_METHOD",
            "NETRC",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "SSL_CERT_FILE",
        ):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def test_public_names_resolve():
    assert all(hasattr(utils, name) for name in utils.__all__)
    assert utils.__all__ == sorted(utils.__all__, key=lambda name: (not name.isupper(), name))


def test_constants():
    assert utils.DEFAULT_CA_BUNDLE_PATH == requests.utils.DEFAULT_CA_BUNDLE_PATH
    assert utils.DEFAULT_PORTS == requests.utils.DEFAULT_PORTS
    assert utils.NETRC_FILES == requests.utils.NETRC_FILES
    assert utils.UNRESERVED_SET == requests.utils.UNRESERVED_SET
    accept_encoding = httpcore._decoders.SUPPORTED_ENCODINGS.decode()
    assert accept_encoding == utils.DEFAULT_ACCEPT_ENCODING


# Headers ----------------------------------------------------------------------


def test_default_headers():
    version = requests_async.__version__
    assert utils.default_user_agent() == f"requests-async/{version}"
    assert utils.default_user_agent("x") == f"x/{version}"
    ours = utils.default_headers()
    theirs = requests.utils.default_headers()
    assert list(ours) == list(theirs)
    assert ours["user-agent"] == f"requests-async/{version}"
    assert ours["Accept"] == "*/*" and ours["Connection"] == "keep-alive"
    assert ours["Accept-Encoding"] == utils.DEFAULT_ACCEPT_ENCODING
    assert set(ours["Accept-Encoding"].split(", ")) <= {"gzip", "deflate", "br", "zstd"}


@pytest.mark.parametrize(
    "header",
    [
        ("X-Ok", "yes"),
        ("X-Ok", ""),
        ("X-Ok", "a  b\t"),
        ("X-Ok\t", "v"),
        (b"X-Ok", b"yes"),
        (b"X-Ok", b""),
        ("X-Ok", b"yes"),
    ],
)
def test_valid_headers(header):
    # Both accept the pair: neither raises.
    utils.check_header_validity(header)
    requests.utils.check_header_validity(header)


@pytest.mark.parametrize(
    "header",
    [
        (" X", "v"),
        ("X:", "v"),
        (":X", "v"),
        ("", "v"),
        ("X\r\n", "v"),
        ("X", " leading"),
        ("X", "\tleading"),
        ("X", "a\r\nInjected: yes"),
        ("X", "a\nb"),
        ("X", "trailing\r"),
        (b" X", b"v"),
        (b"X", b"a\nb"),
        ("X", 1),
        (1, "v"),
        ("X", None),
    ],
)
def test_invalid_headers(header):
    same_error("check_header_validity", InvalidHeader, requests.exceptions.InvalidHeader, header)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "token",
        'token, "quoted value"',
        'a, "b, c", d',
        '"with \\"escape\\""',
        "a,,b",
        'mixed"quote, x',
    ],
)
def test_parse_list_header(value):
    same("parse_list_header", value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        'foo="is a fish", bar="as well"',
        "key_without_value",
        'realm="me@h", nonce="abc", qop="auth,auth-int", algorithm=MD5, stale=FALSE',
        'a="x=y", b=',
        'name="C:\\\\dir\\\\file"',
    ],
)
def test_parse_dict_header(value):
    same("parse_dict_header", value)


@pytest.mark.parametrize(
    ("value", "is_filename"),
    [
        ("", False),
        ("plain", False),
        ('"quoted"', False),
        ('"a\\\\b \\"c\\""', False),
        ('"\\\\\\\\server\\\\share"', True),
        ('"\\\\\\\\server\\\\share"', False),
        ('"C:\\\\file"', True),
        ('"', False),
    ],
)
def test_unquote_header_value(value, is_filename):
    same("unquote_header_value", value, is_filename)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        '<http://h/2>; rel="next"',
        '<http://h/a>; rel=front; type="image/jpeg",<http://h/b>; rel=back;type="image/jpeg"',
        "<http://h/a>, <http://h/b>; rel=x",
        "<http://h/a>;",
        "<http://h/a>; rel=next; title=a=b; after=lost",
        "<http://h/a>; rel; type=x",
        "'<http://h/a>'",
    ],
)
def test_parse_header_links(value):
    same("parse_header_links", value)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/html",
        "text/html; charset=UTF-8",
        'text/html; charset="utf-8"',
        "text/plain; CHARSET='latin-1'",
        "application/json",
        "application/json; charset=utf-16",
        "application/octet-stream",
        "application/xml; foo=bar",
        "image/png; charset",
        "multipart/form-data; boundary=x",
        "application/vnd.api+json",
        "application/javascript",
    ],
)
def test_get_encoding_from_headers(content_type):
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    if content_type is not None:
        headers["Content-Type"] = content_type
    same("get_encoding_from_headers", headers)


def test_get_encodings_from_content_is_deprecated():
    html = '<meta charset="utf-8"><meta content="text/html;charset=latin-1">'
    xml = '<?xml version="1.0" encoding="UTF-16"?>'
    for content in (html, xml, "none"):
        with pytest.warns(DeprecationWarning, match="get_encodings_from_content"):
            ours = utils.get_encodings_from_content(content)
        with pytest.warns(DeprecationWarning):
            assert ours == requests.utils.get_encodings_from_content(content)


JSON_SAMPLES = ['{"a": 1}', "[1]", "12", '"x"']
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
ENCODINGS += ["utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("sample", JSON_SAMPLES)
def test_guess_json_utf(sample, encoding):
    data = sample.encode(encoding)
    guessed = same("guess_json_utf", data)
    assert data.decode(guessed) == sample


@pytest.mark.parametrize(
    "data", [b"", b"\0", b"\0a\0\0", b"a\0\0b", b"\0\0a\0", b"\0a\0b\0", b"\0\0\0\0"]
)
def test_guess_json_utf_odd_bytes(data):
    same("guess_json_utf", data)


# Key/value collections ----------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, {"a": 1}, [("a", 1), ("b", 2)], (("a", 1),), OrderedDict(b=2)]
)
def test_key_val_lists(value):
    same("to_key_val_list", value)
    assert same("from_key_val_list", value) == (None if value is None else OrderedDict(value))
    assert list(utils.dict_to_sequence(value or {})) == list(
        requests.utils.dict_to_sequence(value or {})
    )


@pytest.mark.parametrize("value", ["string", b"bytes", True, 3])
def test_key_val_lists_refuse_scalars(value):
    same_error("to_key_val_list", ValueError, ValueError, value)
    same_error("from_key_val_list", ValueError, ValueError, value)


def test_cookie_dict_helpers():
    jar = RequestsCookieJar()
    assert utils.add_dict_to_cookiejar(jar, {"a": "1", "b": "2"}) is jar
    assert utils.dict_from_cookiejar(jar) == {"a": "1", "b": "2"}
    plain = CookieJar()
    utils.add_dict_to_cookiejar(plain, {"c": "3"})
    assert utils.dict_from_cookiejar(plain) == requests.utils.dict_from_cookiejar(plain)
    assert utils.dict_from_cookiejar(plain) == {"c": "3"}


# Bodies -----------------------------------------------------------------------


class WithLen:
    len = 12


class Unmeasurable:
    pass


class NoDescriptor(io.BytesIO):
    def fileno(self):
        raise AttributeError("no descriptor")


class BrokenTell(io.BytesIO):
    def tell(self):
        raise OSError("cannot tell")


class BrokenSeek:
    def tell(self):
        return 0

    def seek(self, *args):
        raise OSError("cannot seek")


def partially_read(data, count):
    stream = io.BytesIO(data)
    stream.read(count)
    return stream


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", 0),
        ("ascii", 5),
        ("é€", 5),
        (b"bytes", 5),
        (bytearray(b"abc"), 3),
        (io.BytesIO(b"0123456789"), 10),
        (partially_read(b"0123456789", 4), 6),
        (partially_read(b"0123", 9), 0),
        (io.StringIO("abc"), 3),
        (WithLen(), 12),
        (Unmeasurable(), 0),
        (NoDescriptor(b"abcd"), 4),
        (BrokenSeek(), 0),
        (iter([b"a"]), 0),
        (None, 0),
    ],
)
def test_super_len(body, expected):
    assert utils.super_len(body) == expected
    assert requests.utils.super_len(body) == expected


def test_super_len_when_tell_fails():
    assert utils.super_len(BrokenTell(b"abc")) == 0
    assert requests.utils.super_len(BrokenTell(b"abc")) == 0

    class Measured(BrokenTell):
        len = 5

        def __getattribute__(self, name):
            if name == "__len__":
                raise AttributeError(name)
            return super().__getattribute__(name)

    assert utils.super_len(Measured()) == requests.utils.super_len(Measured()) == 0


def test_super_len_of_real_files(tmp_path):
    path = tmp_path / "body.bin"
    path.write_bytes(b"x" * 100)
    with path.open("rb") as file:
        file.read(30)
        assert utils.super_len(file) == requests.utils.super_len(file) == 70
        assert file.tell() == 30
    with path.open("r") as text:
        with pytest.warns(FileModeWarning, match="text mode"):
            assert utils.super_len(text) == 100
        with pytest.warns(requests.exceptions.FileModeWarning):
            assert requests.utils.super_len(text) == 100


@pytest.mark.parametrize(
    "name",
    [None, "", "/tmp/dir/file.txt", "file.txt", "<stdin>", "<fd>x", b"/a/b.bin", 3],
)
def test_guess_filename(name):
    obj = SimpleNamespace()
    if name is not None:
        obj.name = name
    same("guess_filename", obj)


@pytest.mark.parametrize("text", ["", "abcdefg", b"abcdefg"])
@pytest.mark.parametrize("length", [None, -1, 0, 1, 3, 7, 100])
def test_iter_slices(text, length):
    ours = list(utils.iter_slices(text, length))
    assert ours == list(requests.utils.iter_slices(text, length))
    assert text[:0].join(ours) == text


@pytest.mark.parametrize(
    ("value", "encoding", "expected"),
    [("abc", "ascii", "abc"), (b"abc", "ascii", "abc"), (b"\xc3\xa9", "utf-8", "é")],
)
def test_to_native_string(value, encoding, expected):
    assert same("to_native_string", value, encoding) == expected


# URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "http://h/",
        "http://h/%41%62%7e%2D%5f%2e",
        "http://h/%2F%3f%25%20",
        "http://h/%e2%82%ac",
        "http://h/100%",
        "http://h/%4",
        "http://h/%",
        "http://h/a b?c=d e#f g",
        "http://h/ü?q=ß",
        "http://h/%%41",
    ],
)
def test_requote_and_unquote_unreserved(uri):
    same("unquote_unreserved", uri)
    same("requote_uri", uri)


@pytest.mark.parametrize("uri", ["http://h/%zz", "http://h/%4g", "http://h/%x1/ok"])
def test_invalid_percent_escape(uri):
    same_error("unquote_unreserved", InvalidURL, requests.exceptions.InvalidURL, uri)
    assert same("requote_uri", uri).startswith("http://h/%25")


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@host/",
        "http://us%40er:p%3Ass@host:80/p",
        "http://user@host/",
        "http://:pass@host/",
        "http://host/",
        "http://user:@host/",
    ],
)
def test_get_auth_from_url(url):
    same("get_auth_from_url", url)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@host/path?q=1#frag",
        "http://host/path#frag",
        "host/path#frag",
        "user@host/path",
        "http://a@b@host/",
        "http://host/;params?q",
    ],
)
def test_urldefragauth(url):
    same("urldefragauth", url)


@pytest.mark.parametrize(
    "url",
    [
        "example.com",
        "example.com:3128",
        "127.0.0.1:3128",
        "localhost",
        "localhost:3128",
        "user:pw@x.com:8080",
        "mailto:a@b",
        "http:x.com",
        "http://x.com",
        "HTTP://X.COM/Path",
        "//x.com/p",
        "x.com/path?q=1#f",
        "http://user:pw@X.com:080/",
        "socks5://User@H:1080",
        "https://x.com",
        "/path",
        "",
        "[::1]:8080",
        "http://[::1]:0080/",
        "http://x.com?q",
        "http://x.com:/p",
        "a:",
    ],
)
def test_prepend_scheme_if_needed(url):
    same("prepend_scheme_if_needed", url, "http")


# IPv4 networks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["127.0.0.1", "10.1", "0x7f.1", "255.255.255.255", "256.0.0.1", "::1", "host", "", "1.2.3.4/8"],
)
def test_is_ipv4_address(value):
    same("is_ipv4_address", value)


@pytest.mark.parametrize(
    "value",
    [
        "10.0.0.0/8",
        "10.0.0.0/0",
        "10.0.0.0/1",
        "10.0.0.0/32",
        "10.0.0.0/33",
        "10.0.0.0/x",
        "10.0.0.0",
        "10.0.0.0/8/8",
        "host/8",
        "/8",
    ],
)
def test_is_valid_cidr(value):
    same("is_valid_cidr", value)


@pytest.mark.parametrize("mask", [0, 1, 8, 20, 24, 31, 32])
def test_dotted_netmask(mask):
    same("dotted_netmask", mask)


@pytest.mark.parametrize(
    ("ip", "net"),
    [
        ("192.168.1.1", "192.168.1.0/24"),
        ("192.168.1.1", "192.168.100.0/24"),
        ("10.255.0.1", "10.0.0.0/8"),
        ("11.0.0.1", "10.0.0.0/8"),
        ("1.2.3.4", "0.0.0.0/0"),
        ("1.2.3.4", "1.2.3.4/32"),
        ("1.2.3.5", "1.2.3.4/32"),
        ("1.2.3.5", "1.2.3.4/31"),
    ],
)
def test_address_in_network(ip, net):
    same("address_in_network", ip, net)


# Proxies from the environment ---------------------------------------------------

BYPASS_URLS = [
    "http://example.com/",
    "http://EXAMPLE.com:8080/path",
    "https://sub.example.com/",
    "http://notexample.com/",
    "http://example.com.evil.net/",
    "http://localhost:5000/",
    "http://127.0.0.1/",
    "http://192.168.0.5:8080/",
    "http://192.168.1.5/",
    "http://10.1.2.3/",
    "http://[::1]:8080/",
    "http://other.org/",
    "file:///etc/hosts",
    "http:///nohost",
]

NO_PROXY_VALUES = [
    None,
    "",
    "*",
    "example.com",
    ".example.com",
    "EXAMPLE.COM",
    "example.com:8080",
    " example.com , localhost:5000 ",
    "localhost",
    "127.0.0.1",
    "192.168.0.0/24",
    "192.168.0.5",
    "10.0.0.0/8,other.org",
    "::1",
    "*,other.org",
    "notacidr/99",
    ",,",
]


def set_env(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("no_proxy", NO_PROXY_VALUES)
@pytest.mark.parametrize("url", BYPASS_URLS)
def test_should_bypass_with_no_proxy_argument(monkeypatch, url, no_proxy):
    set_env(monkeypatch, {"http_proxy": "http://proxy:3128", "NO_PROXY": "other.org"})
    same("should_bypass_proxies", url, no_proxy=no_proxy)
    same("get_environ_proxies", url, no_proxy=no_proxy)
    assert os.environ.get("no_proxy") is None


@pytest.mark.parametrize("variable", ["no_proxy", "NO_PROXY", "No_Proxy"])
@pytest.mark.parametrize("no_proxy", NO_PROXY_VALUES[1:])
@pytest.mark.parametrize("url", BYPASS_URLS)
def test_should_bypass_with_environment(monkeypatch, url, no_proxy, variable):
    set_env(monkeypatch, {"HTTPS_PROXY": "http://proxy:3128", variable: no_proxy})
    same("should_bypass_proxies", url, no_proxy=None)
    same("get_environ_proxies", url)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:2"},
        {"HTTP_PROXY": "http://upper:2"},
        {"HTTP_PROXY": "http://upper:2", "REQUEST_METHOD": "GET"},
        {"http_proxy": "http://lower:1", "REQUEST_METHOD": "GET"},
        {"HTTPS_PROXY": "http://s:3", "ALL_PROXY": "socks5://all:4"},
        {"all_proxy": "http://all:4", "no_proxy": "example.com"},
        {"http_proxy": "", "HTTP_PROXY": "http://upper:2"},
        {"no_proxy": "a.com", "NO_PROXY": "example.com", "http_proxy": "http://p:1"},
        {"no_proxy": "", "NO_PROXY": "example.com", "http_proxy": "http://p:1"},
        {"ftp_proxy": "http://f:5"},
    ],
)
@pytest.mark.parametrize("url", ["http://example.com/", "https://example.com/", "ftp://x/"])
def test_environment_proxies(monkeypatch, env, url):
    set_env(monkeypatch, env)
    same("should_bypass_proxies", url, no_proxy=None)
    same("get_environ_proxies", url)


class FakeRequest:
    def __init__(self, url):
        self.url = url


@pytest.mark.parametrize(
    "proxies",
    [
        None,
        {},
        {"http": "http://explicit:9"},
        {"https": "http://explicit:9"},
        {"no_proxy": "example.com"},
        {"no_proxy": "other.org"},
        {"all": "http://explicit-all:9"},
    ],
)
@pytest.mark.parametrize("trust_env", [True, False])
@pytest.mark.parametrize(
    "url", ["http://example.com/", "https://example.com/", "http://other.org/", "ftp://f/"]
)
@pytest.mark.parametrize(
    "env",
    [
        {"http_proxy": "http://env:1", "ALL_PROXY": "http://env-all:2", "no_proxy": "other.org"},
        {"HTTP_PROXY": "http://env:1"},
    ],
)
def test_resolve_proxies(monkeypatch, proxies, trust_env, url, env):
    set_env(monkeypatch, env)
    given = None if proxies is None else dict(proxies)
    ours = utils.resolve_proxies(FakeRequest(url), given, trust_env)
    theirs = requests.utils.resolve_proxies(cast(Any, FakeRequest(url)), given, trust_env)
    assert ours == theirs
    assert given == proxies


SELECT_PROXIES = {
    "http": "http://scheme",
    "http://special.host": "http://scheme-host",
    "all://every.host": "http://all-host",
    "all": "http://all",
}


@pytest.mark.parametrize(
    "url",
    [
        "http://any.host/",
        "http://special.host:81/",
        "https://every.host/",
        "https://any.host/",
        "ftp://special.host/",
        "http:///path",
        "other:",
    ],
)
@pytest.mark.parametrize("proxies", [None, {}, SELECT_PROXIES, {"https": "http://s"}])
def test_select_proxy(url, proxies):
    same("select_proxy", url, proxies)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:2"},
        {"HTTPS_PROXY": "http://upper:3", "Https_Proxy": "http://mixed:4"},
        {"Ftp_Proxy": "http://mixed:5", "ALL_PROXY": "socks5://all:6", "no_proxy": "a,b"},
        {"HTTPS_PROXY": "http://upper:3", "https_proxy": ""},
        {"HTTP_PROXY": "http://cgi:7", "REQUEST_METHOD": "GET"},
        {"HTTP_PROXY": "http://cgi:7", "http_proxy": "http://lower:8", "REQUEST_METHOD": "GET"},
        {"HTTP_proxy": "http://odd:9", "PATH_EXTRA_PROXY": ""},
    ],
)
@pytest.mark.parametrize("raw_environment", [True, False])
def test_environment_proxies_read_as_urllib_reads_them(monkeypatch, env, raw_environment):
    # Without a bytes environment (Windows), the names are read through os.environ.
    monkeypatch.setattr(os, "supports_bytes_environ", raw_environment)
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)
    set_env(monkeypatch, env)
    assert utils._environ_proxies() == urllib.request.getproxies_environment()


def test_platform_settings_apply_only_without_proxy_variables(monkeypatch):
    # macOS and Windows fall back to system settings (urllib's getproxies, proxy_bypass).
    monkeypatch.setattr(utils, "_PLATFORM_PROXY_SETTINGS", True)
    monkeypatch.setattr(utils, "getproxies", lambda: {"http": "http://system:1"})
    monkeypatch.setattr(utils, "proxy_bypass", lambda host: host == "direct.example")
    assert utils.get_environ_proxies("http://h/") == {"http": "http://system:1"}
    assert utils.should_bypass_proxies("http://direct.example/", no_proxy=None) is True
    assert utils.should_bypass_proxies("http://other.example/", no_proxy=None) is False
    monkeypatch.setenv("http_proxy", "http://env:2")
    assert utils.get_environ_proxies("http://h/") == {"http": "http://env:2"}


@pytest.mark.parametrize("error", [TypeError("bad"), socket.gaierror("dns")])
def test_platform_bypass_errors_mean_no_bypass(monkeypatch, error):
    def broken(*args):
        raise error

    monkeypatch.setattr(utils, "_PLATFORM_PROXY_SETTINGS", True)
    monkeypatch.setattr(utils, "proxy_bypass", broken)
    assert utils.should_bypass_proxies("http://h/", no_proxy=None) is False
    monkeypatch.setattr("urllib.request.proxy_bypass_environment", broken)
    monkeypatch.setenv("http_proxy", "http://p:1")
    assert utils.should_bypass_proxies("http://h/", no_proxy="x") is False


# netrc ------------------------------------------------------------------------

NETRC = """\
machine example.com login alice password secret
machine acct.example account bob password pw2
machine nopass.example login carol
machine empty.example login "" password ""
default login anyone password anything
"""


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/path",
        "http://user@EXAMPLE.com:8080/",
        "https://acct.example/",
        "http://nopass.example/",
        "http://empty.example/",
        "http://unknown.example/",
        b"http://example.com/",
        "not a url",
    ],
)
@pytest.mark.parametrize("where", ["NETRC", ".netrc", "_netrc"])
def test_get_netrc_auth(monkeypatch, clean_environment, tmp_path, url, where):
    if where == "NETRC":
        path = tmp_path / "custom-netrc"
        monkeypatch.setenv("NETRC", str(path))
    else:
        path = clean_environment / where
    path.write_text(NETRC)
    path.chmod(0o600)
    same("get_netrc_auth", url)


def test_netrc_without_default_entry(monkeypatch, tmp_path):
    path = tmp_path / "netrc"
    path.write_text("machine example.com login alice password secret\n")
    monkeypatch.setenv("NETRC", str(path))
    assert same("get_netrc_auth", "http://example.com/") == ("alice", "secret")
    assert same("get_netrc_auth", "http://other.com/") is None


def test_no_netrc_file(monkeypatch, tmp_path):
    assert same("get_netrc_auth", "http://example.com/") is None
    monkeypatch.setenv("NETRC", str(tmp_path / "missing"))
    assert same("get_netrc_auth", "http://example.com/") is None


def test_netrc_precedence(monkeypatch, clean_environment, tmp_path):
    (clean_environment / ".netrc").write_text("default login home password 1\n")
    (clean_environment / "_netrc").write_text("default login underscore password 2\n")
    assert same("get_netrc_auth", "http://h/") == ("home", "1")
    (tmp_path / "env").write_text("default login env password 3\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "env"))
    assert same("get_netrc_auth", "http://h/") == ("env", "3")


@pytest.mark.parametrize("content", ["machine", "machine h login x password y bogus-token"])
def test_malformed_netrc(monkeypatch, tmp_path, content):
    path = tmp_path / "netrc"
    path.write_text(content)
    monkeypatch.setenv("NETRC", str(path))
    assert same("get_netrc_auth", "http://h/") is None
    same_error("get_netrc_auth", netrc.NetrcParseError, netrc.NetrcParseError, "http://h/", True)


def test_unreadable_netrc(monkeypatch, tmp_path):
    monkeypatch.setenv("NETRC", str(tmp_path))
    assert same("get_netrc_auth", "http://h/") is None
    same_error("get_netrc_auth", OSError, OSError, "http://h/", True)


# CA bundles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"REQUESTS_CA_BUNDLE": "/r.pem"}, "/r.pem"),
        ({"CURL_CA_BUNDLE": "/c.pem"}, "/c.pem"),
        ({"REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem"}, "/r.pem"),
        ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "/c.pem"}, "/c.pem"),
        ({"CURL_CA_BUNDLE": ""}, None),
    ],
)
def test_ca_bundle_matches_requests(monkeypatch, env, expected):
    set_env(monkeypatch, env)
    assert utils.get_ca_bundle_from_env() == expected
    settings = requests.Session().merge_environment_settings("http://h/", {}, None, True, None)
    assert settings["verify"] == (expected or True)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SSL_CERT_FILE": "/s.pem"}, "/s.pem"),
        ({"SSL_CERT_FILE": "/s.pem", "CURL_CA_BUNDLE": "/c.pem"}, "/c.pem"),
        ({"SSL_CERT_FILE": "/s.pem", "REQUESTS_CA_BUNDLE": "/r.pem"}, "/r.pem"),
        ({"SSL_CERT_FILE": ""}, None),
    ],
)
def test_ssl_cert_file_comes_last(monkeypatch, env, expected):
    # requests leaves SSL_CERT_FILE to OpenSSL, which its certifi default never consults.
    set_env(monkeypatch, env)
    assert utils.get_ca_bundle_from_env() == expected
