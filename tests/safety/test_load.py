"""Load with faults: a thousand requests per variant over many concurrent connections, a third
of them meeting a hostile server. Every response is complete and correct or a clear error from
our tree, and afterwards nothing is left behind: file descriptors, pool slots, tasks."""

from __future__ import annotations

import asyncio
import gzip
import os
import random
from concurrent.futures import ThreadPoolExecutor

import httpcore
import requests_async
from tests.safety.clients import Client
from tests.safety.hostile import (
    HostileServer,
    chunked,
    response,
    send_then_close,
    send_then_reset,
)

REQUESTS = 1000
TASKS = 40
THREADS = 16


def expected_body(request: bytes) -> bytes:
    number = request.split(b"?i=", 1)[1].split(b" ", 1)[0]
    return b"response %s;" % number * 50


def good(build):
    def script(conn, request):
        conn.send(build(expected_body(request)))
        return True

    return script


def gzipped(body: bytes) -> bytes:
    return response(gzip.compress(body), headers=[(b"content-encoding", b"gzip")])


def trailing(body: bytes) -> bytes:
    return response(body) + response(b"not an answer to anything")


GOOD = {
    "/ok": good(response),
    "/gzip": good(gzipped),
    "/chunked": good(lambda body: chunked(body[:100], body[100:])),
    "/trailing": good(trailing),
}
FAULTY = {
    "/reset": send_then_reset(b""),
    "/close-mid-body": send_then_close(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"),
    "/garbage": send_then_close(b"garbage\r\n\r\n"),
    "/truncated-gzip": send_then_close(
        response(gzip.compress(b"x" * 5000)[:20], headers=[(b"content-encoding", b"gzip")])
    ),
}
PATHS = [*GOOD] * 2 + [*FAULTY]


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def check(client: Client, path: str, outcome: object, number: int) -> None:
    if path in GOOD:
        assert outcome == b"response %d;" % number * 50, (path, outcome)
    else:
        assert isinstance(outcome, Exception), (path, outcome)
        cause = client.core_error(outcome)
        assert isinstance(cause, httpcore.HTTPCoreError), (path, outcome)


async def run(client: Client, url: str, plan: list[str]) -> list[object]:
    async def one(number: int, path: str) -> object:
        try:
            return (await client.fetch(f"{url}{path}?i={number}")).body
        except (httpcore.HTTPCoreError, requests_async.exceptions.RequestException) as exc:
            return exc

    if client.is_async:
        gate = asyncio.Semaphore(TASKS)

        async def gated(number: int, path: str) -> object:
            async with gate:
                return await one(number, path)

        return list(await asyncio.gather(*(gated(n, p) for n, p in enumerate(plan))))

    def blocking(number: int, path: str) -> object:
        return asyncio.run(one(number, path))

    with ThreadPoolExecutor(THREADS) as executor:
        return list(executor.map(blocking, range(len(plan)), plan))


async def test_load_with_faults(kind_any):
    fds_before = open_fds()
    tasks_before = asyncio.all_tasks()
    plan = random.Random(7).choices(PATHS, k=REQUESTS)
    client = Client(kind_any, timeout=10)
    with HostileServer({**GOOD, **FAULTY}) as server:
        outcomes = await run(client, server.url, plan)
        for number, (path, outcome) in enumerate(zip(plan, outcomes, strict=True)):
            check(client, path, outcome, number)
        active, kept = client.counts()
        assert active == 0
        assert kept <= (TASKS if client.is_async else THREADS)
        assert server.connections > 100  # the faults did close connections
        await client.close()
        assert client.counts() == (0, 0)
    assert asyncio.all_tasks() == tasks_before
    assert open_fds() <= fds_before
