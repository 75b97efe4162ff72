"""Trace hooks by flavor: plain hooks on async pools, async hooks refused by sync pools."""

from __future__ import annotations

import pytest

import httpcore


async def test_an_async_pool_calls_plain_hooks(server):
    names = []
    async with httpcore.ConnectionPool(trace=lambda event: names.append(event.name)) as http:
        await http.request("GET", server.url + "/")
    assert names[-1] == "connection.released"


def test_a_sync_pool_refuses_async_hooks(server):
    async def hook(event):
        pass

    with httpcore.SyncConnectionPool(trace=hook) as http:
        with pytest.raises(TypeError, match="plain function"):
            http.request("GET", server.url + "/")
        assert http.num_active_connections == 0


def test_trace_event_fields():
    request = httpcore.Request("GET", "http://127.0.0.1/")
    event = httpcore.TraceEvent("request.body.sent", 1.5, request, {})
    assert (event.name, event.timestamp, event.request, event.info) == (
        "request.body.sent",
        1.5,
        request,
        {},
    )
    assert not hasattr(event, "__dict__")
