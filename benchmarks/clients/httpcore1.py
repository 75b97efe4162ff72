"""PyPI's httpcore 1.x (the core under httpx), sync and async, HTTP/1.1 and HTTP/2.

It shares its import name with this project's httpcore, so it lives in httpx's venv and is
imported by name at run time (a type checker here would see ours).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from ._harness import (
    Config,
    MemoryProbe,
    Result,
    Upload,
    check_length,
    check_small,
    check_sockets,
    check_version,
    fail,
    import_workload,
    main,
    open_sockets,
    peer,
    run_async,
    run_sync,
)

httpcore = peer("httpcore")
if not httpcore.__version__.startswith("1."):
    fail(f"expected PyPI's httpcore 1.x, imported {httpcore.__file__}")

CHUNKED = [(b"Transfer-Encoding", b"chunked")]


def _options(config: Config, **protocols: bool) -> dict[str, Any]:
    size = max(config.concurrency, 1)
    context = ssl.create_default_context(cafile=config.ca) if config.ca else None
    return {
        "ssl_context": context,
        "max_connections": size,
        "max_keepalive_connections": size,
        **protocols,
    }


def small_sync(config: Config) -> Result:
    with httpcore.ConnectionPool(**_options(config)) as pool:

        def once() -> int:
            response = pool.request("GET", config.url)
            return check_small(response.status, response.content)

        return run_sync(config, once)


def download_sync(config: Config) -> Result:
    with httpcore.ConnectionPool(**_options(config)) as pool:

        def once() -> int:
            with pool.stream("GET", config.url) as response:
                received = sum(len(chunk) for chunk in response.iter_stream())
            return check_length(response.status, received, config.size)

        return run_sync(config, once)


def upload_sync(config: Config) -> Result:
    with httpcore.ConnectionPool(**_options(config)) as pool:

        def once() -> int:
            body = Upload(config.size)
            response = pool.request("POST", config.url, headers=CHUNKED, content=body.chunks())
            return body.check(response.status, response.content)

        return run_sync(config, once)


async def _small_async(config: Config, version: bytes, **protocols: bool) -> Result:
    sockets = open_sockets()
    async with httpcore.AsyncConnectionPool(**_options(config, **protocols)) as pool:

        async def once() -> int:
            response = await pool.request("GET", config.url)
            check_version(response.extensions["http_version"], version)
            return check_small(response.status, response.content)

        await once()
        result = await run_async(config, once)
        # One HTTP/2 connection carries every stream; HTTP/1.1 needs one per request in flight.
        check_sockets(sockets, 1, 1 if version == b"HTTP/2" else config.concurrency)
        return result


async def small_async(config: Config) -> Result:
    return await _small_async(config, b"HTTP/1.1")


async def small_h2(config: Config) -> Result:
    return await _small_async(config, b"HTTP/2", http2=True)


async def small_h2c(config: Config) -> Result:
    # RFC 9113 section 3.3: HTTP/2 over cleartext TCP only with prior knowledge.
    return await _small_async(config, b"HTTP/2", http1=False, http2=True)


async def download_async(config: Config) -> Result:
    async with httpcore.AsyncConnectionPool(**_options(config)) as pool:

        async def once() -> int:
            received = 0
            async with pool.stream("GET", config.url) as response:
                async for chunk in response.aiter_stream():
                    received += len(chunk)
            return check_length(response.status, received, config.size)

        return await run_async(config, once)


async def upload_async(config: Config) -> Result:
    async with httpcore.AsyncConnectionPool(**_options(config)) as pool:

        async def once() -> int:
            body = Upload(config.size)
            response = await pool.request(
                "POST", config.url, headers=CHUNKED, content=body.achunks()
            )
            return body.check(response.status, response.content)

        return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    async with httpcore.AsyncConnectionPool(**_options(config)) as warm_up:
        response = await warm_up.request("GET", config.url)
        check_small(response.status, response.content)
    probe.start()
    pool = httpcore.AsyncConnectionPool(**_options(config))
    requests = [pool.request("GET", config.url) for _ in range(config.concurrency)]
    for response in await asyncio.gather(*requests):
        check_small(response.status, response.content)
    result = probe.result()
    await pool.aclose()
    return result


def create(config: Config) -> Result:
    def once() -> int:
        httpcore.ConnectionPool().close()
        return 0

    return run_sync(config, once)


WORKLOADS = {
    "A": small_sync,
    "A'": small_async,
    "B": small_async,
    "C-sync": download_sync,
    "C-async": download_async,
    "D-sync": upload_sync,
    "D-async": upload_async,
    "E-h2": small_h2,
    "E-h1": small_async,
    "E'": small_h2c,
    "import": import_workload("import httpcore"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
