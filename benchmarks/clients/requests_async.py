"""requests_async, async: an `async with Session()` with one adapter sized for the workload."""

from __future__ import annotations

import asyncio

import requests_async

from ._harness import (
    Config,
    MemoryProbe,
    Result,
    Upload,
    check_length,
    check_small,
    check_version,
    import_workload,
    main,
    run_async,
    run_sync,
)

READ_SIZE = 65536


def _session(
    config: Config, *, http2: bool = False, prior_knowledge: bool = False
) -> requests_async.Session:
    session = requests_async.Session()
    size = max(config.concurrency, 1)
    adapter = requests_async.HTTPAdapter(
        pool_connections=1, pool_maxsize=size, http2=http2, http2_prior_knowledge=prior_knowledge
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if config.ca:
        session.verify = config.ca
    return session


async def small(config: Config) -> Result:
    async with _session(config) as session:

        async def once() -> int:
            response = await session.get(config.url)
            return check_small(response.status_code, response.content)

        return await run_async(config, once)


async def _small_version(
    config: Config, version: str, *, http2: bool = False, prior_knowledge: bool = False
) -> Result:
    async with _session(config, http2=http2, prior_knowledge=prior_knowledge) as session:

        async def once() -> int:
            response = await session.get(config.url)
            check_version(response.raw and response.raw.http_version, version)
            return check_small(response.status_code, response.content)

        return await run_async(config, once)


async def small_h2(config: Config) -> Result:
    return await _small_version(config, "HTTP/2", http2=True)


async def small_h1(config: Config) -> Result:
    return await _small_version(config, "HTTP/1.1")


async def small_h2c(config: Config) -> Result:
    return await _small_version(config, "HTTP/2", prior_knowledge=True)


async def download(config: Config) -> Result:
    async with _session(config) as session:

        async def once() -> int:
            response = await session.get(config.url, stream=True)
            received = 0
            async for chunk in response.iter_content(READ_SIZE):
                received += len(chunk)
            return check_length(response.status_code, received, config.size)

        return await run_async(config, once)


async def upload(config: Config) -> Result:
    async with _session(config) as session:

        async def once() -> int:
            body = Upload(config.size)
            response = await session.post(config.url, data=body.achunks())
            return body.check(response.status_code, response.content)

        return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    async with _session(config) as warm_up:
        response = await warm_up.get(config.url)
        check_small(response.status_code, response.content)
    probe.start()
    session = _session(config)
    requests = (session.get(config.url) for _ in range(config.concurrency))
    for response in await asyncio.gather(*requests):
        check_small(response.status_code, response.content)
    result = probe.result()
    await session.close()
    return result


def create(config: Config) -> Result:
    def once() -> int:
        requests_async.Session()
        return 0

    return run_sync(config, once)


WORKLOADS = {
    "A'": small,
    "B": small,
    "C-async": download,
    "D-async": upload,
    "E-h2": small_h2,
    "E-h1": small_h1,
    "E'": small_h2c,
    "import": import_workload("import requests_async"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
