"""Idle connections the server closed, and retries on a connection that died."""

from __future__ import annotations

import threading

import pytest

import httpcore

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def test_connection_closed_while_idle_is_not_reused(raw_server):
    closed = threading.Semaphore(0)

    def answer_once_then_close(conn):
        if conn.read_request():
            conn.send(OK)
        conn.close()
        closed.release()

    server = raw_server(answer_once_then_close)
    async with httpcore.ConnectionPool() as http:
        for _ in range(3):
            response = await http.request("POST", server.url + "/", body=b"data")
            assert response.body == b"ok"
            assert http.num_keepalive_connections == 1
            # The server has closed the idle connection before the next request starts.
            assert closed.acquire(timeout=5)
    assert server.connections == 3


def first_connection_dies_on_second_request():
    seen = []

    def handler(conn):
        seen.append(conn)
        if conn.read_request():
            conn.send(OK)
        if len(seen) == 1 and conn.read_request():
            conn.close()  # the second request on the first connection gets no answer
            return
        while conn.read_request():
            conn.send(OK)

    return handler


async def test_idempotent_request_is_retried_once(raw_server):
    server = raw_server(first_connection_dies_on_second_request())
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", server.url + "/")
        response = await http.request("GET", server.url + "/")
        assert response.body == b"ok"
    assert server.connections == 2


async def test_non_idempotent_request_is_not_retried(raw_server):
    server = raw_server(first_connection_dies_on_second_request())
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", server.url + "/")
        with pytest.raises(httpcore.ConnectionClosed):
            await http.request("POST", server.url + "/", body=b"once only")
        assert http.num_active_connections == 0
    assert server.connections == 1


async def test_fresh_connection_is_not_retried(raw_server):
    def no_answer(conn):
        conn.read_request()
        conn.close()

    server = raw_server(no_answer)
    async with httpcore.ConnectionPool() as http:
        with pytest.raises(httpcore.ConnectionClosed):
            await http.request("GET", server.url + "/")
    assert server.connections == 1


async def test_unsolicited_bytes_on_an_idle_connection(raw_server):
    def answer_then_junk(conn):
        conn.read_request()
        conn.send(OK + b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
        while conn.read_request():
            conn.send(OK)

    server = raw_server(answer_then_junk)
    async with httpcore.ConnectionPool() as http:
        await http.request("GET", server.url + "/")
        second = await http.request("GET", server.url + "/")
        assert second.body == b"ok"
