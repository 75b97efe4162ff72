"""requests_async.models: preparation and pure response properties, checked against requests."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import io
import pickle
import random
import sys
import types
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.cookiejar import CookieJar
from typing import Any

import pytest
import requests
import requests.utils
import urllib3.filepost

from requests_async import _multipart
from requests_async import models as ra_models
from requests_async.cookies import RequestsCookieJar, cookiejar_from_dict, create_cookie
from requests_async.exceptions import (
    CONTENT_NOT_READ_MESSAGE,
    ContentNotRead,
    HTTPError,
    InvalidHeader,
    InvalidJSONError,
    InvalidURL,
    JSONDecodeError,
    MissingSchema,
    UnrewindableBodyError,
)
from requests_async.models import (
    REDIRECT_STATI,
    BodyStream,
    PreparedRequest,
    Request,
    ResponseMixin,
    rewind_body,
)
from requests_async.structures import CaseInsensitiveDict

BOUNDARY = "8a7e0bd6b3f64a4f9c1e2d3c4b5a6978"


@pytest.fixture
def fixed_boundary(monkeypatch: pytest.MonkeyPatch) -> str:
    """Both libraries draw the same multipart boundary."""
    monkeypatch.setattr(urllib3.filepost, "choose_boundary", lambda: BOUNDARY)
    monkeypatch.setattr(_multipart, "choose_boundary", lambda: BOUNDARY)
    return BOUNDARY


def outcome(module: Any, method: str = "GET", **kwargs: Any) -> Any:
    """The prepared URL, or the exception's class name and message."""
    try:
        return module.Request(method, **kwargs).prepare().url
    except Exception as exc:
        return (type(exc).__name__, str(exc))


# prepare_url ------------------------------------------------------------------------------

URLS = [
    "http://example.com",
    "HTTP://EXAMPLE.com/Path",
    "https://example.com:443/",
    "http://example.com:0/",
    "http://example.com:/",
    "http://example.com:00080/",
    "http://example.com:65535/",
    "http://example.com:65536/",
    "http://example.com:123456/",
    "http://example.com:port/",
    "http://a:b:c/",
    "   http://example.com/leading-space",
    "http://example.com/trailing ",
    "http://exa mple.com/",
    "http://example.com\t/",
    "http://exa\nmple.com/",
    "http://[::1]:8000/",
    "http://[FE80::1%25eth0]/",
    "http://[fe80::1%eth0]/",
    "http://[fe80::1%25]/",
    "http://[fe80::1%25%0a]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[not-ipv6]/",
    "http://[::1/",
    "http://127.0.0.1:8000/",
    "http://0x7F.1/",
    "http://ñandú.com/",
    "http://ÑANDÚ.com/",
    "http://bücher.example/ünïcode?q=ü#frâg",
    "http://xn--bcher-kva.example/",
    "http://☃.net/",
    "http://a\u200d.example/",
    "http://-ñ.example/",
    "http://ex%41mple.com/",
    "http://ex%2fmple.com/",
    "http://ex%0Ample.com/",
    "http://ex%mple.com/",
    "http://*.example.com/",
    "http://.example.com/",
    "http://user:pass@example.com/",
    "http://us er:p@ss@example.com/",
    "http://us%20er:p%zz@example.com/",
    "http://@example.com/",
    "http://:80/",
    "http:///path",
    "http://",
    "http:example.com",
    "http:/example.com",
    "example.com",
    "example.com/path?q",
    "/relative",
    "",
    "localhost:8000",
    "localhost:8000/path",
    "127.0.0.1:8000",
    "mailto:user@example.com",
    "data:text/plain,hi",
    "ftp://example.com/",
    "file:///etc/passwd",
    "httpx://ñ.example/",
    "httpx://ÑANDÚ.example/Ü",
    "httpx://a\u200d.example/",
    "httpx://*.example/",
    "http+unix://%2Fsock/",
    "httpbin.org:80/x",
    "httpbin.org:99999/x",
    "http-alt:80",
    "http://example.com/a/./b/../c/",
    "http://example.com/a/b/../../../c",
    "http://example.com/..",
    "http://example.com/a/.",
    "http://example.com/./a//b/",
    "http://example.com/%7Euser/%2fx",
    "http://example.com/100%/x%zz",
    "http://example.com/?a=1&b=2",
    "http://example.com/?",
    "http://example.com/#",
    "http://example.com/path#frag#frag2",
    "http://example.com/path?q=a b#f g",
    "http://example.com\\path",
    "http://example.com/é?é=é#é",
    "http://example.com/\u2603?\u2603",
    "http://example.com/%E2%98%83",
    "http://example.com/[brackets]",
    "http://example.com/{braces}|pipe^caret`tick",
    "http://example.com/\ud800",
]


@pytest.mark.parametrize("url", URLS)
def test_prepare_url_matches_requests(url: str) -> None:
    assert outcome(requests, url=url) == outcome(ra_models, url=url)


PARAMS = [
    None,
    {},
    {"a": "1"},
    {"q": "a b&c=d", "empty": ""},
    {"multi": ["1", "2", None], "none": None},
    {"é": "ü", b"k": b"v", "n": 1},
    [("k", "1"), ("k", "2"), ("z", None)],
    (("t", "1"),),
    "a=1&b=2",
    "spaced value=x y",
    b"bytes=1",
    "",
]


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://example.com/p?x=1#frag", "http://example.com/?", "mailto:a@b"],
)
def test_params_merge_like_requests(url: str, params: Any) -> None:
    ours = outcome(ra_models, url=url, params=params)
    assert ours == outcome(requests, url=url, params=params)


def test_params_as_non_ascii_bytes_fail_to_decode_like_requests() -> None:
    with pytest.raises(UnicodeDecodeError):
        requests.Request("GET", "http://a/", params=b"\xc3\xa9").prepare()
    with pytest.raises(UnicodeDecodeError):
        Request("GET", "http://a/", params=b"\xc3\xa9").prepare()


def test_url_given_as_bytes_or_object() -> None:
    class Location:
        def __str__(self) -> str:
            return "http://example.com/obj"

    assert Request("GET", b"http://example.com/b\xc3\xa9").prepare().url == (
        requests.Request("GET", b"http://example.com/b\xc3\xa9").prepare().url
    )
    assert Request("GET", Location()).prepare().url == "http://example.com/obj"


def test_url_messages() -> None:
    with pytest.raises(MissingSchema, match=r"Perhaps you meant https://example\.com/x\?"):
        Request("GET", "example.com/x").prepare()
    with pytest.raises(InvalidURL, match="No host supplied"):
        Request("GET", "http:///x").prepare()
    with pytest.raises(InvalidURL, match="URL has an invalid label"):
        Request("GET", "http://*.example.com/").prepare()
    with pytest.raises(InvalidURL, match="is not a valid IDNA label"):
        Request("GET", "http://-ñ.example/").prepare()


def test_fuzzed_urls_match_requests() -> None:
    pieces = [
        "http", ":", "//", "/", "\\", "?", "#", "@", "%", "%41", "%2f", "%zz", "%0a", "[", "]",
        "::1", "fe80::1", "%25", "a", "B", ".", "..", "ñ", "ß", "☃", " ", "\n", "80", "0",
        "99999", "=", "&", "+", "example.com", "*", "-", "~", "'", '"', "{", "\x7f", "\x00",
        "127.0.0.1", "0x7f.1", "user:pw", "../", "./",
    ]  # fmt: skip
    prefixes = ["http://", "https://", "HTTP://", "", "http:", "http:/", "httpx://"]
    rng = random.Random(4)
    for _ in range(3000):
        url = rng.choice(prefixes) + "".join(rng.choices(pieces, k=rng.randint(0, 8)))
        params = rng.choice([None, {"a": "b c"}, "x=1", [("k", "v")]])
        assert outcome(ra_models, url=url, params=params) == outcome(
            requests, url=url, params=params
        )


def test_idna_without_the_idna_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "idna", None)
    # Python's IDNA 2003 codec: the same for most names, "ß" mapped to "ss".
    assert Request("GET", "http://ñandú.com/").prepare().url == "http://xn--and-6ma2c.com/"
    assert Request("GET", "http://straße.de/").prepare().url == "http://strasse.de/"
    assert Request("GET", "httpx://ñandú.com/").prepare().url == "httpx://xn--and-6ma2c.com/"
    with pytest.raises(InvalidURL, match="is not a valid IDNA label"):
        Request("GET", "http://" + "é" * 70 + ".com/").prepare()


def test_idna_with_the_idna_package_is_idna_2008() -> None:
    assert Request("GET", "http://straße.de/").prepare().url == "http://xn--strae-oqa.de/"


# prepare_method, prepare_headers ----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "Post", b"patch", None])
def test_prepare_method(method: Any) -> None:
    ours = PreparedRequest()
    ours.prepare_method(method)
    theirs = requests.PreparedRequest()
    theirs.prepare_method(method)
    assert ours.method == theirs.method


HEADERS = [
    {"X-A": "1", "x-b": "two words"},
    {b"X-Bytes-Name": "v"},
    {"X-Bytes-Value": b"v"},
    {"X-Latin": b"caf\xe9"},
    {"X-Empty": ""},
    {"X-Trail": "v "},
    {" X-Lead": "v"},
    {"X-Lead": " v"},
    {"X-Tab": "\tv"},
    {"X-Colon:": "v"},
    {"": "v"},
    {"X-CR": "a\rb"},
    {"X-LF": "a\nb"},
    {b"X-CRLF": b"a\r\nb"},
    {"X-Int": 1},
    {"X-None": None},
    {b" bad": b"v"},
]


def _headers_outcome(module: Any, headers: Any) -> Any:
    try:
        prepared = module.Request("GET", "http://a/", headers=headers).prepare()
    except Exception as exc:
        return (type(exc).__name__, str(exc))
    return {
        k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in prepared.headers.items()
    }


@pytest.mark.parametrize("headers", HEADERS)
def test_prepare_headers_matches_requests(headers: Any) -> None:
    # Bytes values are kept as text decoded as ISO-8859-1 (the same bytes on the wire).
    ours = _headers_outcome(ra_models, headers)
    assert ours == _headers_outcome(requests, headers)


def test_prepare_headers_types_and_errors() -> None:
    prepared = Request("GET", "http://a/", headers={b"X-Raw": b"caf\xe9"}).prepare()
    assert isinstance(prepared.headers, CaseInsensitiveDict)
    assert prepared.headers["x-raw"] == "café"
    with pytest.raises(InvalidHeader, match="must be of type str or bytes"):
        Request("GET", "http://a/", headers={"X": 1}).prepare()
    assert PreparedRequest().headers == {}


# prepare_body and Content-Length ------------------------------------------------------------


def _gen() -> Iterator[bytes]:
    yield b"chunk"


BODIES: list[dict[str, Any]] = [
    {},
    {"data": {"a": "1", "b": ["x", "y"], "n": None}},
    {"data": [("k", "1"), ("k", "é")]},
    {"data": (("t", "1"),)},
    {"data": "raw text é"},
    {"data": b"raw bytes"},
    {"data": ""},
    {"data": {}},
    {"json": {"a": [1, 2.5, None, True], "é": "ü"}},
    {"json": []},
    {"json": "text"},
    {"json": {"x": 1}, "data": {"form": "wins"}},
    {"json": {"x": 1}, "data": {}},
    {"data": "x", "headers": {"Content-Type": "text/plain"}},
    {"data": {"a": 1}, "headers": {"content-type": "application/x-custom"}},
    {"json": None},
]


def _body_outcome(module: Any, method: str, spec: dict[str, Any]) -> Any:
    prepared = module.Request(method, "http://example.com/", **spec).prepare()
    return prepared.body, dict(prepared.headers)


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "OPTIONS"])
@pytest.mark.parametrize("spec", BODIES)
def test_prepare_body_matches_requests(method: str, spec: dict[str, Any]) -> None:
    ours = _body_outcome(ra_models, method, spec)
    assert ours == _body_outcome(requests, method, spec)


def test_explicit_content_length_is_kept_for_empty_bodies() -> None:
    prepared = Request("POST", "http://a/", headers={"Content-Length": "5"}).prepare()
    assert prepared.headers["Content-Length"] == "5"


def test_json_rejects_nan_and_unserialisable_values() -> None:
    with pytest.raises(InvalidJSONError) as caught:
        Request("POST", "http://a/", json={"x": float("nan")}).prepare()
    assert isinstance(caught.value.request, PreparedRequest)
    assert "Out of range float values are not JSON compliant" in str(caught.value)
    with pytest.raises(TypeError):
        Request("POST", "http://a/", json={"x": object()}).prepare()


def test_file_body_streams_with_length_and_position() -> None:
    file = io.BytesIO(b"0123456789")
    file.seek(3)
    prepared = Request("POST", "http://a/", data=file).prepare()
    assert prepared.body is file
    assert prepared.headers["Content-Length"] == "7"
    assert "Content-Type" not in prepared.headers
    assert prepared._body_position == 3


class _NoTell(io.BytesIO):
    def tell(self) -> int:
        raise OSError("not seekable")


def test_file_body_whose_tell_fails_is_chunked_and_unrewindable() -> None:
    prepared = Request("POST", "http://a/", data=_NoTell(b"abc")).prepare()
    assert prepared.headers["Transfer-Encoding"] == "chunked"
    assert prepared._body_position is not None
    assert not isinstance(prepared._body_position, int)
    with pytest.raises(UnrewindableBodyError, match="Unable to rewind"):
        rewind_body(prepared)


@pytest.mark.parametrize("make", [_gen, lambda: iter([b"a", b"b"])])
def test_iterables_are_chunked_like_requests(make: Any) -> None:
    ours = Request("POST", "http://a/", data=make()).prepare()
    theirs = requests.Request("POST", "http://a/", data=make()).prepare()
    assert dict(ours.headers) == dict(theirs.headers) == {"Transfer-Encoding": "chunked"}
    assert list(ours.body) == list(theirs.body)  # type: ignore[arg-type]


async def test_async_generators_are_chunked() -> None:
    async def produce() -> AsyncIterator[bytes]:
        yield b"part"

    body = produce()
    prepared = Request("PUT", "http://a/", data=body, json={"ignored": 1}).prepare()
    assert prepared.body is body
    assert dict(prepared.headers) == {"Transfer-Encoding": "chunked"}
    assert [chunk async for chunk in body] == [b"part"]


def test_unmeasurable_iterables_are_chunked_like_requests() -> None:
    class Sized:
        def __iter__(self) -> Iterator[bytes]:
            yield b"x"

        def __bool__(self) -> bool:
            return True

        def __len__(self) -> int:
            raise TypeError("no length")

    ours = Request("POST", "http://a/", data=Sized()).prepare()
    theirs = requests.Request("POST", "http://a/", data=Sized()).prepare()
    assert dict(ours.headers) == dict(theirs.headers) == {"Transfer-Encoding": "chunked"}


def test_readable_without_iter_is_sent_as_is() -> None:
    class Reader:
        def read(self, size: int = -1) -> bytes:
            return b""

    reader = Reader()
    prepared = Request("POST", "http://a/", data=reader).prepare()
    assert prepared.body is reader
    assert dict(prepared.headers) == {}


def test_streams_and_files_are_exclusive() -> None:
    with pytest.raises(NotImplementedError, match="mutually exclusive"):
        Request("POST", "http://a/", data=_gen(), files={"f": b"x"}).prepare()


def test_encode_helpers_match_requests() -> None:
    file = io.BytesIO(b"x")
    data: Any
    for data in ("s", b"b", file, 5, {"a": ["1", None]}, [("k", b"\xff")]):
        ours = PreparedRequest._encode_params(data)
        assert ours == requests.PreparedRequest._encode_params(data)
    for files, data in ((None, {}), ({}, {}), ({"f": b"x"}, "str"), ({"f": b"x"}, b"b")):
        with pytest.raises(ValueError) as theirs:
            requests.PreparedRequest._encode_files(files, data)
        with pytest.raises(ValueError, match=str(theirs.value)):
            PreparedRequest._encode_files(files, data)


# Multipart -------------------------------------------------------------------------------


def _parts(body: bytes, content_type: str) -> list[tuple[Any, ...]]:
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    assert message.is_multipart()
    parts: list[Any] = message.get_payload()  # type: ignore[assignment]
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_param("filename", header="content-disposition"),
            part.get("Content-Type"),
            part.get("X-Custom"),
            part.get_payload(decode=True),
        )
        for part in parts
    ]


def _multipart_cases(tmp_path: Any, stack: contextlib.ExitStack) -> list[dict[str, Any]]:
    named = tmp_path / "report.csv"
    named.write_bytes(b"a,b\n1,2\n")
    big = bytes(range(256)) * 700
    return [
        {"files": {"f": io.BytesIO(b"plain")}},
        {
            "files": {"f": ("a.txt", b"bytes", "text/plain")},
            "data": {"x": "1", "y": ["2", 3], "z": None},
        },
        {"files": [("f", ("a.bin", io.BytesIO(big))), ("g", "text é")], "data": [("d", b"\xff")]},
        {"files": {"f": ("x.json", '{"a": 1}', "application/json", {"X-Custom": "yes"})}},
        {"files": {"f": ("h.txt", b"h", None, {"Content-Type": "dropped", "X-Custom": ""})}},
        {"files": {'q"u\r\no': ('fi"le\r\n.txt', b"q")}, "data": {'na"me': "v"}},
        {"files": {"ü": ("ünï.txt", "ü"), b"bytes-name": (b"b.txt", b"b")}},
        {"files": {"f": (None, b"no filename"), "n": ("n", None), "o": None}},
        {"files": {"f": ("", 12), "g": ("g", bytearray(b"ba")), "t": ("t", True)}},
        {"files": {"named": stack.enter_context(named.open("rb"))}},
        {"files": {"f": ["as-list.txt", b"list"]}, "data": {"é": b"\xc3\xa9"}},
    ]


def test_multipart_bodies_equal_requests(tmp_path: Any, fixed_boundary: str) -> None:
    # Each library gets its own file objects: requests reads them while preparing.
    with contextlib.ExitStack() as stack:
        cases = zip(
            _multipart_cases(tmp_path, stack), _multipart_cases(tmp_path, stack), strict=True
        )
        for spec, same in cases:
            _check_multipart_equal(spec, same)


def _check_multipart_equal(spec: dict[str, Any], same: dict[str, Any]) -> None:
    theirs = requests.Request("POST", "http://a/", **spec).prepare()
    ours = Request("POST", "http://a/", **same).prepare()
    assert isinstance(ours.body, BodyStream)
    sent = b"".join(ours.body)
    assert sent == theirs.body
    assert dict(ours.headers) == dict(theirs.headers)
    assert ours.headers["Content-Length"] == str(len(sent))
    content_type = ours.headers["Content-Type"]
    assert _parts(sent, content_type) == _parts(theirs.body, content_type)


def test_multipart_parses_back_to_the_fields(fixed_boundary: str) -> None:
    spec: dict[str, Any] = {
        "files": {"up": ("up.bin", io.BytesIO(b"\x00\x01" * 40000), "image/png")},
        "data": {"title": "é"},
    }
    prepared = Request("POST", "http://a/", **spec).prepare()
    parts = _parts(b"".join(prepared.body), prepared.headers["Content-Type"])  # type: ignore[arg-type]
    assert parts == [
        ("title", None, None, None, "é".encode()),
        ("up", "up.bin", "image/png", None, b"\x00\x01" * 40000),
    ]
    assert prepared.headers["Content-Type"] == f"multipart/form-data; boundary={BOUNDARY}"


def test_random_boundary() -> None:
    first = Request("POST", "http://a/", files={"f": b"x"}).prepare().body
    second = Request("POST", "http://a/", files={"f": b"x"}).prepare().body
    assert isinstance(first, BodyStream) and isinstance(second, BodyStream)
    assert len(first.boundary) == 32 and first.boundary != second.boundary
    assert repr(first) == f"<BodyStream [{first.content_type}, {first.length} bytes]>"


class _Recorder(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(size)
        return super().read(size)


def test_files_are_read_in_64_kib_chunks_while_iterating() -> None:
    file = _Recorder(b"z" * 200_000)
    body = Request("POST", "http://a/", files={"f": file}).prepare().body
    assert isinstance(body, BodyStream)
    assert file.sizes == []
    chunks = list(body)
    assert file.sizes == [65536] * 5  # four with data, then the empty read at the end
    assert b"z" * 65536 in chunks
    assert max(len(chunk) for chunk in chunks) == 65536
    assert len(b"".join(chunks)) == body.length


def test_bodystream_replays_by_seeking_back() -> None:
    file = io.BytesIO(b"skip-content")
    file.seek(5)
    prepared = Request("POST", "http://a/", files={"f": file}).prepare()
    body = prepared.body
    assert isinstance(body, BodyStream)
    first = b"".join(body)
    assert b"content" in first and b"skip" not in first
    assert b"".join(body) == first
    rewind_body(prepared)
    assert b"".join(body) == first


class _Unseekable:
    def __init__(self, data: bytes) -> None:
        self._file = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)


class _TellOnly(_Unseekable):
    mode = "rb"

    def tell(self) -> int:
        return self._file.tell()


class _SeekFails(_TellOnly):
    def seek(self, offset: int, whence: int = 0) -> int:
        raise OSError("pipe")


def test_unseekable_files_stream_chunked_once() -> None:
    for file in (_Unseekable(b"data"), _NoTell(b"data"), _TellOnly(b"data"), _SeekFails(b"data")):
        prepared = Request("POST", "http://a/", files={"f": file}).prepare()
        body = prepared.body
        assert isinstance(body, BodyStream)
        assert body.length is None
        assert prepared.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in prepared.headers
        assert b"data" in b"".join(body)
        assert repr(body).endswith("unknown length]>")
        with pytest.raises(UnrewindableBodyError) as caught:
            list(body)
        expected = "An error occurred" if isinstance(file, _SeekFails) else "Unable to rewind"
        assert str(caught.value).startswith(expected)


def test_text_and_duck_typed_files() -> None:
    class BinaryDuck(_TellOnly):
        def seek(self, offset: int, whence: int = 0) -> int:
            return self._file.seek(offset, whence)

    class Chunky(_Unseekable):
        def read(self, size: int = -1) -> Any:
            data = self._file.read(size)
            return bytearray(data)

    class TextDuck(BinaryDuck):
        mode = "r"

    text = io.StringIO("ünïcode")
    prepared = Request("POST", "http://a/", files={"t": text, "b": BinaryDuck(b"bin")}).prepare()
    body = prepared.body
    assert isinstance(body, BodyStream)
    assert body.length is None  # the text file's size in bytes is unknown
    sent = b"".join(body)
    assert "ünïcode".encode() in sent and b"bin" in sent
    assert b"".join(body) == sent
    duck = Request("POST", "http://a/", files={"b": BinaryDuck(b"bin")}).prepare()
    assert duck.headers["Content-Length"] == str(len(b"".join(duck.body)))  # type: ignore[arg-type]
    unknown = Request("POST", "http://a/", files={"t": TextDuck(b"x")}).prepare()
    assert "Content-Length" not in unknown.headers
    chunky = Request("POST", "http://a/", files={"c": Chunky(b"arr")}).prepare()
    assert b"arr" in b"".join(chunky.body)  # type: ignore[arg-type]


def test_multipart_rejects_unencodable_contents() -> None:
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'float'"):
        Request("POST", "http://a/", files={"f": ("f", 1.5)}).prepare()


def test_format_param() -> None:
    assert _multipart.format_param("filename", 'a "b"\r\n.txt') == 'filename="a %22b%22%0D%0A.txt"'
    assert _multipart.format_param("name", "é".encode()) == 'name="é"'


# rewind_body -----------------------------------------------------------------------------


def _file_request(body: Any, position: Any) -> tuple[PreparedRequest, requests.PreparedRequest]:
    ours, theirs = PreparedRequest(), requests.PreparedRequest()
    for prepared in (ours, theirs):
        prepared.body = body
        prepared._body_position = position
    return ours, theirs


@pytest.mark.parametrize(
    ("body", "position"),
    [(io.BytesIO(b"abc"), 1), (b"bytes", 0), (io.BytesIO(b"abc"), None), (_SeekFails(b""), 0)],
)
def test_rewind_body_matches_requests(body: Any, position: Any) -> None:
    ours, theirs = _file_request(body, position)
    try:
        requests.utils.rewind_body(theirs)
    except requests.exceptions.UnrewindableBodyError as exc:
        with pytest.raises(UnrewindableBodyError, match=str(exc)):
            rewind_body(ours)
    else:
        body.seek(2)
        rewind_body(ours)
        assert body.tell() == position


# prepare_auth, prepare_cookies, copy, path_url, hooks -----------------------------------


def _auth_header(module: Any, url: str, auth: Any) -> Any:
    try:
        prepared = module.Request("GET", url, auth=auth).prepare()
    except Exception as exc:
        return type(exc).__name__
    return prepared.headers.get("Authorization")


@pytest.mark.parametrize(
    ("url", "auth"),
    [
        ("http://a/", ("user", "pass")),
        ("http://a/", ("üser", "päss")),
        ("http://u%20x:p%40ss@a/", None),
        ("http://u:p@a/", ("explicit", "wins")),
        ("http://u@a/", None),
        ("http://a/", ("only-user",)),
        ("http://a/", ()),
    ],
)
def test_auth_matches_requests(url: str, auth: Any) -> None:
    assert _auth_header(ra_models, url, auth) == _auth_header(requests, url, auth)


def test_callable_auth_changes_the_request_and_length() -> None:
    def sign(prepared: PreparedRequest) -> PreparedRequest:
        prepared.headers["X-Signed"] = "yes"
        prepared.body = b"replaced body"
        return prepared

    prepared = Request("POST", "http://a/", data=b"x", auth=sign).prepare()
    assert prepared.headers["X-Signed"] == "yes"
    assert prepared.headers["Content-Length"] == "13"


@pytest.mark.parametrize(
    ("url", "headers", "cookies"),
    [
        ("http://a/", {}, {"a": "1", "b": "two words"}),
        ("http://a/", {}, None),
        ("http://a/", {}, {}),
        ("http://a/", {"Cookie": "x=y"}, {"a": "1"}),
        ("https://a/p", {"cookie": "lower=1"}, {"a": "1"}),
    ],
)
def test_cookie_header_matches_requests(url: str, headers: Any, cookies: Any) -> None:
    ours = Request("GET", url, headers=headers, cookies=cookies).prepare()
    theirs = requests.Request("GET", url, headers=headers, cookies=cookies).prepare()
    assert ours.headers.get("Cookie") == theirs.headers.get("Cookie")


def test_cookies_header() -> None:
    prepared = Request("GET", "http://a/", cookies={"a": "1", "b": "2"}).prepare()
    assert prepared.headers["Cookie"] == "a=1; b=2"
    assert isinstance(prepared._cookies, RequestsCookieJar)
    jar = CookieJar()
    jar.set_cookie(create_cookie("j", "v"))
    from_jar = Request("GET", "http://a/", cookies=jar).prepare()
    assert from_jar._cookies is jar
    assert from_jar.headers["Cookie"] == "j=v"
    kept = Request("GET", "http://a/", headers={"Cookie": "x=y"}, cookies={"a": "1"}).prepare()
    assert kept.headers["Cookie"] == "x=y"
    assert "Cookie" not in Request("GET", "http://a/").prepare().headers


def test_copy() -> None:
    hooks = {"response": [print]}
    original = Request("POST", "http://a/", data=b"x", cookies={"c": "1"}, hooks=hooks).prepare()
    original._body_position = 4
    copied = original.copy()
    assert (copied.method, copied.url, copied.body) == (original.method, original.url, b"x")
    assert copied.headers == original.headers and copied.headers is not original.headers
    assert copied._cookies is not original._cookies
    assert isinstance(copied._cookies, RequestsCookieJar)
    assert dict(copied._cookies) == {"c": "1"}
    assert copied.hooks is original.hooks
    assert copied._body_position == 4
    assert repr(copied) == "<PreparedRequest [POST]>"
    theirs = requests.Request("POST", "http://a/", data=b"x", cookies={"c": "1"}).prepare().copy()
    assert (theirs.method, theirs.url, theirs.body) == (copied.method, copied.url, copied.body)
    assert dict(theirs.headers) == dict(copied.headers)


@pytest.mark.parametrize(
    "url",
    ["http://a", "http://a/", "http://a/p/q", "http://a/p?x=1&y=2#f", "http://a/?", "http://a/p;x"],
)
def test_path_url_matches_requests(url: str) -> None:
    ours = Request("GET", url).prepare()
    assert ours.path_url == requests.Request("GET", url).prepare().path_url


def test_hooks() -> None:
    def first(response: Any, **kwargs: Any) -> None:
        return None

    def second(response: Any, **kwargs: Any) -> None:
        return None

    request = Request("GET", "http://a/", hooks={"response": [first, "not callable", second]})
    assert request.hooks == {"response": [first, second]}
    assert repr(request) == "<Request [GET]>"
    prepared = request.prepare()
    assert prepared.hooks["response"] == [first, second]
    assert prepared.deregister_hook("response", first) is True
    assert prepared.deregister_hook("response", first) is False
    # Neither callable nor iterable: ignored, as requests does.
    prepared.register_hook("response", 42)  # type: ignore[arg-type]
    assert prepared.hooks["response"] == [second]
    with pytest.raises(ValueError, match='Unsupported event specified, with event name "nope"'):
        Request("GET", "http://a/", hooks={"nope": first})
    theirs = requests.Request("GET", "http://a/", hooks={"response": first}).prepare()
    assert Request("GET", "http://a/", hooks={"response": first}).prepare().hooks == theirs.hooks


def test_request_defaults_match_requests() -> None:
    ours, theirs = Request(), requests.Request()
    for name in ("method", "url", "headers", "files", "data", "json", "params", "auth", "cookies"):
        assert getattr(ours, name) == getattr(theirs, name)
    assert ours.hooks == theirs.hooks == {"response": []}


# ResponseMixin ---------------------------------------------------------------------------


class FakeResponse(ResponseMixin):
    """A response as the adapter leaves it."""

    def __init__(self, content: bytes | None = b"", **attributes: Any) -> None:
        self._content = content
        self._next = None
        self.raw = object()
        self.status_code = 200
        self.headers = CaseInsensitiveDict()
        self.url = "http://example.com/"
        self.reason = "OK"
        self.encoding = None
        self.history = []
        self.cookies = RequestsCookieJar()
        self.elapsed = timedelta(seconds=1)
        self.request = Request("GET", self.url).prepare()
        for name, value in attributes.items():
            setattr(self, name, value)


def pair(content: bytes = b"", **attributes: Any) -> tuple[FakeResponse, requests.Response]:
    ours = FakeResponse(content, **attributes)
    theirs = requests.Response()
    theirs._content = content
    theirs._content_consumed = True
    for name in ("status_code", "url", "reason", "encoding"):
        setattr(theirs, name, getattr(ours, name))
    theirs.headers = requests.structures.CaseInsensitiveDict(dict(ours.headers))
    return ours, theirs


TEXTS = [
    ("é ascii".encode(), None),
    ("naïve café".encode(), None),
    ("naïve café".encode("latin-1"), "ISO-8859-1"),
    ("naïve café".encode(), "utf-8"),
    ("ü".encode(), "no-such-codec"),
    (b"", None),
    ("\u2603 snowman \u2603".encode("utf-16"), None),
]


@pytest.mark.parametrize(("content", "encoding"), TEXTS)
def test_text_and_apparent_encoding_match_requests(content: bytes, encoding: str | None) -> None:
    ours, theirs = pair(content, encoding=encoding)
    assert ours.text == theirs.text
    assert ours.apparent_encoding == theirs.apparent_encoding


def test_text_with_a_non_string_encoding_falls_back() -> None:
    ours, theirs = pair("é".encode(), encoding=5)
    assert ours.text == theirs.text == "é"


JSONS = [
    ('{"a": "é", "n": [1, 2]}', "utf-8", None),
    ('{"a": "é"}', "utf-8-sig", None),
    ('{"a": "é"}', "utf-16", None),
    ('{"a": "é"}', "utf-16-le", None),
    ('{"a": "é"}', "utf-16-be", None),
    ('{"a": "é"}', "utf-32-le", None),
    ('{"a": "é"}', "utf-32-be", None),
    ('{"a": "é"}', "utf-32", None),
    ('{"a": "é"}', "latin-1", None),
    ('{"a": "é"}', "latin-1", "ISO-8859-1"),
    ('{"a": "é"}', "utf-16-le", "utf-16-le"),
    ("12", "utf-8", None),
    ("[]", "utf-16-le", None),
    ('{"a": ', "utf-8", None),
    ('{"a": ', "utf-16-le", None),
    ("not json", "utf-8", None),
    ("", "utf-8", None),
]


def _json_outcome(response: Any, **kwargs: Any) -> Any:
    try:
        return response.json(**kwargs)
    except ValueError as exc:
        assert isinstance(exc, requests.JSONDecodeError | JSONDecodeError)
        return (str(exc), exc.msg, exc.pos)


@pytest.mark.parametrize(("text", "codec", "encoding"), JSONS)
def test_json_matches_requests(text: str, codec: str, encoding: str | None) -> None:
    ours, theirs = pair(text.encode(codec), encoding=encoding)
    assert _json_outcome(ours) == _json_outcome(theirs)


@pytest.mark.parametrize("content", [b"\x00\x00[1]", b"\x00\x00\x00\x00"])
def test_json_of_undetectable_utf_matches_requests(content: bytes) -> None:
    ours, theirs = pair(content)
    assert _json_outcome(ours) == _json_outcome(theirs)


def test_json_errors_and_keywords() -> None:
    response = FakeResponse(b'{"a": 1.5}')
    assert response.json(parse_float=str) == {"a": "1.5"}
    with pytest.raises(JSONDecodeError) as caught:
        FakeResponse(b"{oops").json()
    assert caught.value.response is not None
    assert isinstance(caught.value, InvalidJSONError)


@pytest.mark.parametrize("status", [200, 204, 301, 399, 400, 404, 499, 500, 503, 599, 600])
@pytest.mark.parametrize("reason", ["Not Found", "Ünïcode".encode(), "Caf\xe9".encode("latin-1")])
def test_raise_for_status_matches_requests(status: int, reason: Any) -> None:
    ours, theirs = pair(b"", status_code=status, reason=reason)
    try:
        theirs.raise_for_status()
    except requests.HTTPError as exc:
        with pytest.raises(HTTPError) as caught:
            ours.raise_for_status()
        assert str(caught.value) == str(exc)
        assert caught.value.response is ours
        assert caught.value.request is ours.request
    else:
        ours.raise_for_status()
    assert ours.ok is theirs.ok
    assert bool(ours) is bool(theirs)
    assert repr(ours) == repr(theirs) == f"<Response [{status}]>"


@pytest.mark.parametrize("status", [200, 300, *REDIRECT_STATI, 304])
@pytest.mark.parametrize("headers", [{}, {"Location": "/next"}])
def test_redirect_properties_match_requests(status: int, headers: dict[str, str]) -> None:
    ours, theirs = pair(b"", status_code=status, headers=CaseInsensitiveDict(headers))
    assert ours.is_redirect is theirs.is_redirect
    assert ours.is_permanent_redirect is theirs.is_permanent_redirect


def test_next() -> None:
    response = FakeResponse()
    assert response.next is None
    response._next = Request("GET", "http://a/next").prepare()
    assert response.next is response._next


@pytest.mark.parametrize(
    "link",
    [
        None,
        "",
        '<http://a/2>; rel="next", <http://a/9>; rel="last"',
        "<http://a/style.css>; type=text/css",
        '<http://a/x>; rel=next; title="t"',
    ],
)
def test_links_match_requests(link: str | None) -> None:
    headers = CaseInsensitiveDict({} if link is None else {"Link": link})
    ours, theirs = pair(b"", headers=headers)
    assert ours.links == theirs.links


def test_unread_content_raises_content_not_read() -> None:
    response = FakeResponse(None)
    for use in (lambda: response.content, lambda: response.text, response.json):
        with pytest.raises(ContentNotRead) as caught:
            use()
        assert str(caught.value) == CONTENT_NOT_READ_MESSAGE
        assert caught.value.response is response
    with pytest.raises(ContentNotRead):
        pickle.dumps(response)


def test_pickle_round_trip() -> None:
    response = FakeResponse(
        b'{"ok": true}',
        status_code=201,
        reason="Created",
        encoding="utf-8",
        headers=CaseInsensitiveDict({"Content-Type": "application/json"}),
        cookies=cookiejar_from_dict({"session": "s"}),
        history=[FakeResponse(b"", status_code=302)],
    )
    response._next = response.request
    restored = pickle.loads(pickle.dumps(response))
    assert isinstance(restored, FakeResponse)
    for name in ResponseMixin.__attrs__:
        if name not in ("request", "cookies", "history"):
            assert getattr(restored, name) == getattr(response, name)
    assert restored.request.url == response.request.url
    assert dict(restored.cookies) == {"session": "s"}
    assert restored.history[0].status_code == 302
    assert restored.raw is None and restored.next is None
    assert restored.json() == {"ok": True}
    assert sorted(ResponseMixin.__attrs__) == sorted(requests.Response.__attrs__)


# apparent_encoding: charset_normalizer, else chardet, else a heuristic -------------------------


def test_apparent_encoding_prefers_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("chardet")
    fake.detect = lambda content: {"encoding": "from-chardet"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "chardet", fake)
    assert FakeResponse("café".encode()).apparent_encoding == "utf-8"


def test_apparent_encoding_uses_chardet_without_charset_normalizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bytes] = []

    def detect(content: bytes) -> dict[str, str]:
        seen.append(content)
        return {"encoding": "Windows-1252"}

    fake = types.ModuleType("chardet")
    fake.detect = detect  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)
    monkeypatch.setitem(sys.modules, "chardet", fake)
    response = FakeResponse(b"caf\xe9")
    assert response.apparent_encoding == "Windows-1252"
    assert response.text == "café"
    assert seen == [b"caf\xe9", b"caf\xe9"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"plain ascii", "ascii"),
        (b"", "ascii"),
        ("café".encode(), "utf-8"),
        (b"caf\xe9", "ISO-8859-1"),
        (b"\xef\xbb\xbfbom", "UTF-8-SIG"),
        ("bom".encode("utf-16-le").join([b"\xff\xfe", b""]), "UTF-16"),
        (b"\xfe\xff\x00a", "UTF-16"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff\x00\x00\x00a", "UTF-32"),
    ],
)
def test_apparent_encoding_heuristic_without_detectors(
    monkeypatch: pytest.MonkeyPatch, content: bytes, expected: str
) -> None:
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)
    monkeypatch.setitem(sys.modules, "chardet", None)
    response = FakeResponse(content)
    assert response.apparent_encoding == expected
    assert response.text == content.decode(expected, errors="replace")
