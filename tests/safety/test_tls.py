"""TLS without surprises: verification is on by default, and `verify=False` given for one
request never lets another request use an unverified connection."""

from __future__ import annotations

import httpcore
from tests.safety.conftest import raises
from tests.safety.hostile import response, send

OK = {"/": send(response(b"secret data"))}


async def test_unknown_issuer_is_refused_by_default(client, hostile, tls_server_context):
    server = hostile(OK, ssl_context=tls_server_context)
    with raises(client, httpcore.CertificateError):
        await client.fetch(server.url + "/")
    assert server.requests == []


async def test_wrong_host_name_is_refused(
    make_client, kind_any, hostile, wrong_name_tls_context, ca_file
):
    client = make_client(kind_any, verify=str(ca_file))
    server = hostile(OK, ssl_context=wrong_name_tls_context)
    with raises(client, httpcore.CertificateError):
        await client.fetch(server.url + "/")
    assert server.requests == []


async def test_unverified_request_does_not_leak_into_the_next(
    session_client, hostile, tls_server_context
):
    server = hostile(OK, ssl_context=tls_server_context)
    unverified = await session_client.fetch(server.url + "/", verify=False)
    assert unverified.body == b"secret data"
    # The pooled unverified connection is idle and would be reusable: it must not be used.
    with raises(session_client, httpcore.CertificateError):
        await session_client.fetch(server.url + "/")
    assert len(server.requests) == 1
    again = await session_client.fetch(server.url + "/", verify=False)
    assert again.body == b"secret data"
