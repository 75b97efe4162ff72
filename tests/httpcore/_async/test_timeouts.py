"""Each timeout raises its own exception, against loopback servers that stall."""

from __future__ import annotations

import threading

import pytest

import httpcore


async def test_connect_timeout(full_backlog_listener):
    host, port = full_backlog_listener
    timeout = httpcore.TimeoutConfig(5.0, connect_timeout=0.1)
    async with httpcore.ConnectionPool(timeout=timeout) as http:
        with pytest.raises(httpcore.ConnectTimeout):
            await http.request("GET", f"http://{host}:{port}/")
        assert http.num_active_connections == 0


async def test_read_timeout_waiting_for_the_head(server):
    async with httpcore.ConnectionPool(timeout=httpcore.TimeoutConfig(read_timeout=0.1)) as http:
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", server.url + "/hang_headers")
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0


async def test_read_timeout_in_the_body(server):
    async with httpcore.ConnectionPool(timeout=httpcore.TimeoutConfig(read_timeout=0.1)) as http:
        response = await http.request("GET", server.url + "/hang_body", stream=True)
        with pytest.raises(httpcore.ReadTimeout):
            await response.read()
        assert http.num_active_connections == 0


async def test_per_request_timeout(server):
    async with httpcore.ConnectionPool(timeout=None) as http:
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", server.url + "/hang_headers", timeout=0.1)
        with pytest.raises(httpcore.ReadTimeout):
            await http.request(
                "GET", server.url + "/hang_headers", timeout=httpcore.TimeoutConfig(0.1)
            )


async def test_write_timeout(raw_server):
    done = threading.Event()

    def never_read(conn):
        done.wait(10)

    stalled = raw_server(never_read)
    timeout = httpcore.TimeoutConfig(5.0, write_timeout=0.1)
    try:
        async with httpcore.ConnectionPool(timeout=timeout) as http:
            with pytest.raises(httpcore.WriteTimeout):
                await http.request("POST", stalled.url + "/", body=b"x" * 64_000_000)
            assert http.num_active_connections == 0
    finally:
        done.set()


async def test_one_number_sets_every_timeout():
    config = httpcore.TimeoutConfig(3)
    assert config.as_tuple() == (3, 3, 3, 3)
    async with httpcore.ConnectionPool(timeout=2.5) as http:
        assert http.timeout == httpcore.TimeoutConfig(2.5)
