"""aiohttp, async: a `ClientSession` over a `TCPConnector` sized for the workload."""

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
    import_workload,
    main,
    open_sockets,
    peer,
    run_async,
)

aiohttp = peer("aiohttp")

READ_SIZE = 65536


def _session(config: Config) -> Any:
    context = ssl.create_default_context(cafile=config.ca) if config.ca else True
    connector = aiohttp.TCPConnector(limit=max(config.concurrency, 1), ssl=context)
    return aiohttp.ClientSession(connector=connector)


async def small(config: Config) -> Result:
    sockets = open_sockets()
    async with _session(config) as session:

        async def once() -> int:
            async with session.get(config.url) as response:
                return check_small(response.status, await response.read())

        result = await run_async(config, once)
        check_sockets(sockets, 1, config.concurrency)
        return result


async def download(config: Config) -> Result:
    async with _session(config) as session:

        async def once() -> int:
            received = 0
            async with session.get(config.url) as response:
                async for chunk in response.content.iter_chunked(READ_SIZE):
                    received += len(chunk)
            return check_length(response.status, received, config.size)

        return await run_async(config, once)


async def upload(config: Config) -> Result:
    async with _session(config) as session:

        async def once() -> int:
            body = Upload(config.size)
            async with session.post(config.url, data=body.achunks()) as response:
                return body.check(response.status, await response.read())

        return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    async with _session(config) as warm_up, warm_up.get(config.url) as response:
        check_small(response.status, await response.read())
    probe.start()
    session = _session(config)

    async def get() -> None:
        async with session.get(config.url) as response:
            check_small(response.status, await response.read())

    await asyncio.gather(*(get() for _ in range(config.concurrency)))
    result = probe.result()
    await session.close()
    return result


async def create(config: Config) -> Result:
    async def once() -> int:
        await aiohttp.ClientSession().close()
        return 0

    return await run_async(config, once)


WORKLOADS = {
    "A'": small,
    "B": small,
    "C-async": download,
    "D-async": upload,
    "E-h1": small,
    "import": import_workload("import aiohttp"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
