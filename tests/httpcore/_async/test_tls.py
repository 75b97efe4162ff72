"""TLS: verification, hostname checks, SNI, custom CAs, client certificates."""

from __future__ import annotations

import pytest

import httpcore


async def test_https_with_custom_ca_file(https_server, ca_file):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file)) as http:
        response = await http.request("GET", https_server.url + "/")
        assert response.body == b"Hello, world"
        # The TLS connection is kept alive and reused.
        await http.request("GET", https_server.url + "/")
        assert http.num_keepalive_connections == 1


async def test_https_by_hostname(https_server, ca_file):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file)) as http:
        response = await http.request("GET", https_server.localhost_url + "/")
    assert response.status_code == 200


async def test_https_with_ca_directory(https_server, ca_dir):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_dir)) as http:
        response = await http.request("GET", https_server.url + "/")
    assert response.status_code == 200


async def test_default_verification_rejects_an_unknown_ca(https_server):
    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.CertificateError):
            await http.request("GET", https_server.url + "/")
        assert http.num_active_connections == 0


async def test_certificate_for_another_name_is_rejected(wrong_name_https_server, ca_file):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file)) as http:
        with pytest.raises(httpcore.CertificateError, match=r"(?i)mismatch|match"):
            await http.request("GET", wrong_name_https_server.url + "/")


async def test_verify_false_accepts_anything(wrong_name_https_server):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=False)) as http:
        response = await http.request("GET", wrong_name_https_server.url + "/")
    assert response.status_code == 200


async def test_client_certificate(client_cert_https_server, ca_file, client_cert_file):
    config = httpcore.SSLConfig(verify=ca_file, cert=client_cert_file)
    async with httpcore.ConnectionPool(ssl=config) as http:
        response = await http.request("GET", client_cert_https_server.url + "/")
    assert response.status_code == 200


async def test_missing_client_certificate_fails(client_cert_https_server, ca_file):
    async with httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify=ca_file)) as http:
        # TLS 1.3 reports the server's refusal after the handshake, on the first read.
        with pytest.raises((httpcore.TLSError, httpcore.ReadError, httpcore.ConnectionClosed)):
            await http.request("GET", client_cert_https_server.url + "/")
        assert http.num_active_connections == 0
