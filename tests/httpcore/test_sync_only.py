"""Behaviour only the sync pool has."""

from __future__ import annotations

import pytest

import httpcore


def test_async_iterable_body_is_rejected_before_connecting(raw_server):
    server = raw_server(lambda conn: conn.close())

    async def body():
        yield b"async only"

    with httpcore.SyncConnectionPool() as http:
        chunks = body()
        with pytest.raises(
            TypeError, match=r"SyncConnectionPool cannot send a async_generator body"
        ):
            http.request("POST", server.url + "/", body=chunks)
        assert http.num_active_connections == 0
    assert server.connections == 0
