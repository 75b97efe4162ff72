"""Credentials stay home: nothing secret follows a redirect to another origin.

Origin A redirects to B, which differs by port (another server), by host name only (the same
server as `localhost` instead of `127.0.0.1`) or by scheme (https to http). What B received
is recorded; none of A's secrets may be in it. Same-origin redirects keep them, which shows
the tests can see a leak.
"""

from __future__ import annotations

import pytest

import requests_async
from requests_async.auth import HTTPDigestAuth
from tests.safety.hostile import response, send

SECRETS = (b"authorization:", b"proxy-authorization:", b"cookie:")
DIGEST = b'digest realm="a", nonce="n", qop="auth"'


def redirect_to(location: str, status: int = 302, extra: tuple = ()) -> bytes:
    return response(status=status, headers=[(b"location", location.encode()), *extra])


def has_credentials(request: bytes) -> bool:
    return b"\r\nauthorization:" in request.lower()


def challenge(conn, request):
    """B: ask for Digest credentials, as a hostile origin fishing for them would."""
    if has_credentials(request):
        conn.send(response(b"got credentials"))
    else:
        conn.send(response(status=401, headers=[(b"www-authenticate", DIGEST)]))
    return True


def secrets_in(request: bytes) -> list[bytes]:
    lines = request.lower().split(b"\r\n")
    return [line for line in lines if line.startswith(SECRETS)]


ARGUMENTS = {
    "basic-auth": lambda: {"auth": ("user", "secret")},
    "authorization-header": lambda: {"headers": {"Authorization": "Bearer secret"}},
    "proxy-authorization-header": lambda: {"headers": {"Proxy-Authorization": "Basic secret"}},
    "cookie-header": lambda: {"headers": {"Cookie": "sid=secret"}},
    "digest-auth": lambda: {"auth": HTTPDigestAuth("user", "secret")},
}


@pytest.fixture
def target(hostile):
    return hostile({"/landing": challenge})


def as_localhost(request: bytes) -> str:
    """The URL of /landing on the server that got `request`, named `localhost`."""
    host = next(line for line in request.split(b"\r\n") if line.lower().startswith(b"host:"))
    return f"http://localhost:{host.rpartition(b':')[2].decode()}/landing"


def redirecting(change: str, target, *, digest: bool):
    """A: redirect to B (after a Digest exchange first, for Digest credentials)."""

    def script(conn, request):
        if digest and not has_credentials(request):
            return challenge(conn, request)
        location = f"{target.url}/landing" if change == "port" else as_localhost(request)
        conn.send(redirect_to(location))
        return True

    return script


@pytest.mark.parametrize("change", ["port", "host"])
@pytest.mark.parametrize("argument", sorted(ARGUMENTS))
async def test_secrets_do_not_cross_origins(session_client, hostile, target, change, argument):
    script = redirecting(change, target, digest=argument == "digest-auth")
    origin = hostile({"/start": script, "/landing": challenge})
    result = await session_client.fetch(origin.url + "/start", **ARGUMENTS[argument]())
    landed = (target if change == "port" else origin).requests_to("/landing")
    assert landed, "the redirect was not followed"
    assert all(not secrets_in(request) for request in landed), landed
    # B's own challenge went unanswered: the credentials were for A.
    assert result.status == 401


async def test_secrets_do_not_cross_from_https_to_http(
    make_client, session_client, hostile, target, tls_server_context, ca_file
):
    client = make_client(session_client.kind, verify=str(ca_file))
    origin = hostile(
        {
            "/start": send(
                redirect_to(f"{target.url}/landing", extra=((b"set-cookie", b"s=1; Secure"),))
            )
        },
        ssl_context=tls_server_context,
    )
    await client.fetch(origin.url + "/start", auth=("user", "secret"), headers={"Cookie": "a=1"})
    landed = target.requests_to("/landing")
    assert landed and all(not secrets_in(request) for request in landed), landed
    assert origin.requests_to("/start")[0].lower().count(b"authorization: basic") == 1


async def test_same_origin_redirect_keeps_credentials(session_client, hostile):
    server = hostile({"/start": send(redirect_to("/landing")), "/landing": challenge})
    result = await session_client.fetch(server.url + "/start", auth=("user", "secret"))
    assert result.body == b"got credentials"


async def test_cookies_set_for_a_host_stay_with_it(session_client, hostile, target):
    cookies = ((b"set-cookie", b"mine=1"), (b"set-cookie", b"evil=1; Domain=localhost"))
    origin = hostile(
        {"/start": send(redirect_to(f"http://localhost:{target.port}/landing", extra=cookies))}
    )
    await session_client.fetch(origin.url + "/start")
    assert not secrets_in(target.requests_to("/landing")[0])
    assert "evil" not in session_client._client.cookies


@pytest.fixture
def netrc(tmp_path, monkeypatch):
    path = tmp_path / "netrc"
    path.write_text("machine localhost\nlogin netuser\npassword netpass\n")
    monkeypatch.setenv("NETRC", str(path))


async def test_netrc_credentials_go_only_to_their_host(session_client, hostile, target, netrc):
    origin = hostile({"/start": send(redirect_to(f"http://localhost:{target.port}/landing"))})
    result = await session_client.fetch(origin.url + "/start")
    assert not secrets_in(origin.requests_to("/start")[0])
    # localhost has a netrc entry of its own: its credentials, and only there.
    assert result.body == b"got credentials"
    sent = target.requests_to("/landing")[0].lower()
    assert b"authorization: basic bmv0dxnlcjpuzxrwyxnz" in sent


@pytest.mark.parametrize("status", [307, 308])
async def test_used_up_body_is_not_resent_empty(session_client, hostile, status):
    server = hostile({"/upload": send(redirect_to("/again", status)), "/again": send(response())})

    def chunks():
        yield b"part one, "
        yield b"part two"

    with pytest.raises(requests_async.exceptions.UnrewindableBodyError, match=f"{status} redirect"):
        await session_client.fetch(server.url + "/upload", "POST", body=chunks())
    assert server.requests_to("/upload")[0].endswith(b"part two\r\n0\r\n\r\n")
    assert server.requests_to("/again") == []


async def test_replayable_body_is_resent_whole(session_client, hostile):
    server = hostile({"/upload": send(redirect_to("/again", 307)), "/again": send(response())})
    await session_client.fetch(server.url + "/upload", "POST", body=b"the whole body")
    assert server.requests_to("/again")[0].endswith(b"\r\n\r\nthe whole body")


async def test_used_up_body_without_following(session_client, hostile):
    server = hostile({"/upload": send(redirect_to("/again", 307))})
    result = await session_client.fetch(
        server.url + "/upload", "POST", body=iter([b"data"]), allow_redirects=False
    )
    assert result.status == 307
