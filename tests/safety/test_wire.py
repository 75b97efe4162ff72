"""Nothing ambiguous on the wire: what we send frames itself one way only, and nothing a caller
passes can inject CR, LF or NUL into the request line or a header."""

from __future__ import annotations

import pytest

import httpcore
import requests_async
from tests.safety.hostile import response, send

OK = {"/": send(response(b"ok")), "/a": send(response(b"ok"))}


def framing(request: bytes) -> tuple[list[bytes], bytes]:
    """The framing header lines of a raw request, and its body as the server read it."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line.lower() for line in head.split(b"\r\n")[1:]]
    return [
        line for line in lines if line.startswith((b"content-length:", b"transfer-encoding:"))
    ], body


def assert_unambiguous(request: bytes) -> None:
    head = request.partition(b"\r\n\r\n")[0]
    assert b"\0" not in head and b"\r" not in head.replace(b"\r\n", b"")
    assert b"\n" not in head.replace(b"\r\n", b"")
    lines, body = framing(request)
    names = {line.partition(b":")[0] for line in lines}
    assert len(lines) <= 1 and names != {b"content-length", b"transfer-encoding"}
    if lines and lines[0].startswith(b"content-length"):
        assert int(lines[0].partition(b":")[2]) == len(body)


def chunks():
    yield b"one "
    yield b""
    yield b"two"


BODIES = {
    "bytes": b"a body",
    "empty": b"",
    "iterator": "chunks",
}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("body", sorted(BODIES))
async def test_automatic_framing_is_unambiguous(client, hostile, method, body):
    server = hostile(OK)
    value = chunks() if BODIES[body] == "chunks" else BODIES[body]
    assert (await client.fetch(server.url + "/", method, body=value)).body == b"ok"
    (request,) = server.requests
    assert_unambiguous(request)
    lines, sent = framing(request)
    if lines == [b"transfer-encoding: chunked"]:
        sent = dechunk(sent)
    assert sent == (b"one two" if body == "iterator" else BODIES[body])


def dechunk(data: bytes) -> bytes:
    parts = []
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            assert data == b"\r\n"
            return b"".join(parts)
        parts.append(data[:size])
        assert data[size : size + 2] == b"\r\n"
        data = data[size + 2 :]


INJECTIONS = {
    "header-value-crlf": {"headers": {"X-Test": "a\r\nInjected: 1"}},
    "header-value-lf": {"headers": {"X-Test": "a\nInjected: 1"}},
    "header-value-nul": {"headers": {"X-Test": "a\0b"}},
    "header-name-crlf": {"headers": {"X-Test\r\nInjected": "1"}},
    "header-name-colon": {"headers": {"X-Test: a": "1"}},
    "host-crlf": {"headers": {"Host": "example.com\r\nInjected: 1"}},
    "method-space": {"method": "GET / HTTP/1.1\r\nInjected: 1\r\n\r\nGET"},
    "method-crlf": {"method": "GET\r\n"},
    "method-nul": {"method": "G\0ET"},
    "both-framings": {"headers": {"Content-Length": "6", "Transfer-Encoding": "chunked"}},
    "unknown-transfer-coding": {"headers": {"Transfer-Encoding": "gzip"}},
    "two-content-lengths": {"headers": {"Content-Length": "6, 7"}},
    "content-length-not-a-number": {"headers": {"Content-Length": "+6"}},
}


FRAMING_CASES = {
    "both-framings",
    "unknown-transfer-coding",
    "two-content-lengths",
    "content-length-not-a-number",
}


def family(client):
    """Where a refusal comes from: httpcore's tree, or requests_async's."""
    if client.is_requests:
        return requests_async.exceptions.RequestException
    return httpcore.HTTPCoreError


@pytest.mark.parametrize("case", sorted(INJECTIONS))
async def test_injection_is_refused_or_corrected(client, hostile, case):
    server = hostile(OK)
    options = dict(INJECTIONS[case])
    method = options.get("method", "POST")
    try:
        await client.fetch(server.url + "/", method, headers=options.get("headers"), body=b"a body")
    except ValueError as exc:
        assert isinstance(exc, family(client))
        assert server.requests == [] and server.connections == 0
    else:
        # requests_async frames a bytes body itself, as requests does, replacing the caller's
        # Content-Length; httpcore sends the caller's headers as given, so it must refuse.
        assert client.is_requests and case in FRAMING_CASES
        (request,) = server.requests
        assert_unambiguous(request)
        assert framing(request)[1] == b"a body"


@pytest.mark.parametrize("target", ["/a b", "/a\r\nInjected: 1", "/a\nb", "/a\0b", "/a\tb"])
async def test_target_never_carries_raw_controls(client, hostile, target):
    server = hostile(OK)
    try:
        await client.fetch(server.url + target)
    except ValueError as exc:
        assert isinstance(exc, family(client))
        assert server.requests == []
    else:
        (request,) = server.requests
        assert_unambiguous(request)
        assert request.startswith(b"GET /a%")


async def test_declared_length_is_never_broken(client, hostile):
    """An iterator body shorter or longer than the caller's Content-Length is an error."""
    server = hostile(OK)
    for pieces in ([b"abc"], [b"abcdef", b"gh"]):
        with pytest.raises(ValueError):
            await client.fetch(
                server.url + "/", "POST", headers={"Content-Length": "6"}, body=iter(pieces)
            )
    assert all(len(framing(r)[1]) == 6 for r in server.requests)
    assert client.counts() == (0, 0)
