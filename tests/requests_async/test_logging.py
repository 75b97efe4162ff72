"""The "requests_async" logger (redirects, retries) and trace hooks passed through adapters."""

from __future__ import annotations

import logging

import pytest

import requests_async
import requests_async.sync as requests
from tests.servers.proxies import free_port

SECRETS = ["s3cret-userinfo", "s3cret-token", "s3cret-cookie"]
HEADERS = {"Authorization": "Bearer s3cret-token", "Cookie": "id=s3cret-cookie"}


@pytest.fixture
def debug_log(caplog):
    caplog.set_level(logging.DEBUG, logger="requests_async")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    return caplog


def lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "requests_async"]


def assert_no_secrets(caplog):
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage() + repr(record.args)


def test_redirects_are_logged_without_credentials(debug_log, server):
    base = f"http://user:s3cret-userinfo@127.0.0.1:{server.port}"
    with requests.Session() as session:
        response = session.get(base + "/redirect/2", headers=HEADERS)
    assert response.status_code == 200
    plain = f"http://127.0.0.1:{server.port}"
    assert lines(debug_log) == [
        f"redirect followed: 302 {plain}/redirect/2 -> {plain}/redirect/1",
        f"redirect followed: 302 {plain}/redirect/1 -> {plain}/redirect/0",
    ]
    assert_no_secrets(debug_log)


async def test_async_redirects_are_logged(debug_log, server):
    async with requests_async.Session() as session:
        response = await session.get(server.url + "/redirect/1", headers=HEADERS)
    assert response.status_code == 200
    assert lines(debug_log) == [
        f"redirect followed: 302 {server.url}/redirect/1 -> {server.url}/redirect/0"
    ]
    assert_no_secrets(debug_log)


def test_retries_are_logged(debug_log, server):
    retry = requests.adapters.Retry(
        total=1, status_forcelist=[503], backoff_factor=0, raise_on_status=False
    )
    with requests.Session() as session:
        session.mount("http://", requests.adapters.HTTPAdapter(max_retries=retry))
        response = session.get(server.url + "/status/503", headers=HEADERS)
        assert response.status_code == 503
        closed = f"http://user:s3cret-userinfo@127.0.0.1:{free_port()}/"
        with pytest.raises(requests.ConnectionError):
            session.get(closed, headers=HEADERS)
    assert lines(debug_log) == [
        f"retrying GET {server.url}/status/503 after status 503",
        f"retrying GET {closed.replace('user:s3cret-userinfo@', '')} after ConnectionError",
    ]
    assert_no_secrets(debug_log)


async def test_async_retries_are_logged(debug_log, server):
    retry = requests_async.Retry(
        total=1, connect=1, status_forcelist=[503], backoff_factor=0, raise_on_status=False
    )
    async with requests_async.Session() as session:
        session.mount("http://", requests_async.HTTPAdapter(max_retries=retry))
        response = await session.get(server.url + "/status/503")
        assert response.status_code == 503
        closed = f"http://127.0.0.1:{free_port()}/"
        with pytest.raises(requests_async.ConnectionError):
            await session.get(closed)
    assert lines(debug_log) == [
        f"retrying GET {server.url}/status/503 after status 503",
        f"retrying GET {closed} after ConnectionError",
    ]


def test_nothing_is_logged_below_debug(caplog, server):
    caplog.set_level(logging.INFO)
    with requests.Session() as session:
        session.get(server.url + "/redirect/1")
    assert caplog.records == []


def test_an_adapter_passes_its_trace_hook_on(server):
    names = []
    with requests.Session() as session:
        adapter = requests.adapters.HTTPAdapter(trace=lambda event: names.append(event.name))
        session.mount("http://", adapter)
        session.get(server.url + "/")
    assert names[0] == "connection.dns.started"
    assert names[-1] == "connection.released"


async def test_an_async_adapter_passes_its_trace_hook_on(server):
    names = []

    async def hook(event):
        names.append(event.name)

    async with requests_async.Session() as session:
        session.mount("http://", requests_async.HTTPAdapter(trace=hook))
        await session.get(server.url + "/")
    assert "response.headers.received" in names
