"""httpx, sync and async, HTTP/2 with its `http2` extra (over PyPI's httpcore 1.x)."""

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
    import_workload,
    main,
    open_sockets,
    peer,
    run_async,
    run_sync,
)

httpx = peer("httpx")


def _options(config: Config, **protocols: bool) -> dict[str, Any]:
    size = max(config.concurrency, 1)
    verify = ssl.create_default_context(cafile=config.ca) if config.ca else True
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    return {"limits": limits, "verify": verify, **protocols}


def small_sync(config: Config) -> Result:
    with httpx.Client(**_options(config)) as client:

        def once() -> int:
            response = client.get(config.url)
            return check_small(response.status_code, response.content)

        return run_sync(config, once)


def download_sync(config: Config) -> Result:
    with httpx.Client(**_options(config)) as client:

        def once() -> int:
            with client.stream("GET", config.url) as response:
                received = sum(len(chunk) for chunk in response.iter_bytes())
            return check_length(response.status_code, received, config.size)

        return run_sync(config, once)


def upload_sync(config: Config) -> Result:
    with httpx.Client(**_options(config)) as client:

        def once() -> int:
            body = Upload(config.size)
            response = client.post(config.url, content=body.chunks())
            return body.check(response.status_code, response.content)

        return run_sync(config, once)


async def _small_async(config: Config, version: str, **protocols: bool) -> Result:
    sockets = open_sockets()
    async with httpx.AsyncClient(**_options(config, **protocols)) as client:

        async def once() -> int:
            response = await client.get(config.url)
            check_version(response.http_version, version)
            return check_small(response.status_code, response.content)

        await once()
        result = await run_async(config, once)
        # One HTTP/2 connection carries every stream; HTTP/1.1 needs one per request in flight.
        check_sockets(sockets, 1, 1 if version == "HTTP/2" else config.concurrency)
        return result


async def small_async(config: Config) -> Result:
    return await _small_async(config, "HTTP/1.1")


async def small_h2(config: Config) -> Result:
    return await _small_async(config, "HTTP/2", http2=True)


async def small_h2c(config: Config) -> Result:
    # RFC 9113 section 3.3: HTTP/2 over cleartext TCP only with prior knowledge.
    return await _small_async(config, "HTTP/2", http1=False, http2=True)


async def download_async(config: Config) -> Result:
    async with httpx.AsyncClient(**_options(config)) as client:

        async def once() -> int:
            received = 0
            async with client.stream("GET", config.url) as response:
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
            return check_length(response.status_code, received, config.size)

        return await run_async(config, once)


async def upload_async(config: Config) -> Result:
    async with httpx.AsyncClient(**_options(config)) as client:

        async def once() -> int:
            body = Upload(config.size)
            response = await client.post(config.url, content=body.achunks())
            return body.check(response.status_code, response.content)

        return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    async with httpx.AsyncClient(**_options(config)) as warm_up:
        response = await warm_up.get(config.url)
        check_small(response.status_code, response.content)
    probe.start()
    client = httpx.AsyncClient(**_options(config))
    responses = [client.get(config.url) for _ in range(config.concurrency)]
    for response in await asyncio.gather(*responses):
        check_small(response.status_code, response.content)
    result = probe.result()
    await client.aclose()
    return result


def create(config: Config) -> Result:
    def once() -> int:
        httpx.Client().close()
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
    "import": import_workload("import httpx"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
