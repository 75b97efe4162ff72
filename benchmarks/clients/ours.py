"""Ours: httpcore from this checkout, `SyncConnectionPool` and `ConnectionPool`."""

from __future__ import annotations

import asyncio

import httpcore

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
    run_async,
    run_sync,
)


def _check_ours() -> None:
    # PyPI's httpcore has the same import name (see README); measure the right one.
    if not hasattr(httpcore, "SyncConnectionPool"):
        fail(f"imported {httpcore.__file__}, not this checkout's httpcore")


def _settings(config: Config) -> tuple[httpcore.SSLConfig, httpcore.PoolLimits]:
    _check_ours()
    ssl = httpcore.SSLConfig(verify=config.ca) if config.ca else httpcore.SSLConfig()
    connections = max(config.concurrency, 1)
    return ssl, httpcore.PoolLimits(soft_limit=connections, hard_limit=connections)


def _sync_pool(config: Config) -> httpcore.SyncConnectionPool:
    ssl, limits = _settings(config)
    return httpcore.SyncConnectionPool(ssl, limits=limits)


def _async_pool(
    config: Config, *, http2: bool = False, http2_prior_knowledge: bool = False
) -> httpcore.ConnectionPool:
    ssl, limits = _settings(config)
    return httpcore.ConnectionPool(
        ssl, limits=limits, http2=http2, http2_prior_knowledge=http2_prior_knowledge
    )


def small_sync(config: Config) -> Result:
    with _sync_pool(config) as pool:

        def once() -> int:
            response = pool.request("GET", config.url)
            return check_small(response.status_code, response.body)

        return run_sync(config, once)


def download_sync(config: Config) -> Result:
    with _sync_pool(config) as pool:

        def once() -> int:
            response = pool.request("GET", config.url, stream=True)
            received = sum(len(chunk) for chunk in response.stream())
            return check_length(response.status_code, received, config.size)

        return run_sync(config, once)


def upload_sync(config: Config) -> Result:
    with _sync_pool(config) as pool:

        def once() -> int:
            body = Upload(config.size)
            response = pool.request("POST", config.url, body=body.chunks())
            return body.check(response.status_code, response.body)

        return run_sync(config, once)


async def _small_async(
    config: Config, version: str, *, http2: bool = False, http2_prior_knowledge: bool = False
) -> Result:
    sockets = open_sockets()
    async with _async_pool(
        config, http2=http2, http2_prior_knowledge=http2_prior_knowledge
    ) as pool:

        async def once() -> int:
            response = await pool.request("GET", config.url)
            check_version(response.http_version, version)
            return check_small(response.status_code, response.body)

        result = await run_async(config, once)
        # One HTTP/2 connection carries every stream; HTTP/1.1 needs one per request in flight.
        check_sockets(sockets, 1, 1 if version == "HTTP/2" else config.concurrency)
        return result


async def small_async(config: Config) -> Result:
    return await _small_async(config, "HTTP/1.1")


async def small_h2(config: Config) -> Result:
    return await _small_async(config, "HTTP/2", http2=True)


async def small_h2c(config: Config) -> Result:
    return await _small_async(config, "HTTP/2", http2_prior_knowledge=True)


async def download_async(config: Config) -> Result:
    async with _async_pool(config) as pool:

        async def once() -> int:
            response = await pool.request("GET", config.url, stream=True)
            received = 0
            async for chunk in response.stream():
                received += len(chunk)
            return check_length(response.status_code, received, config.size)

        return await run_async(config, once)


async def upload_async(config: Config) -> Result:
    async with _async_pool(config) as pool:

        async def once() -> int:
            body = Upload(config.size)
            response = await pool.request("POST", config.url, body=body.achunks())
            return body.check(response.status_code, response.body)

        return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    async with _async_pool(config) as warm_up:
        response = await warm_up.request("GET", config.url)
        check_small(response.status_code, response.body)
    probe.start()
    pool = _async_pool(config)
    requests = (pool.request("GET", config.url) for _ in range(config.concurrency))
    for response in await asyncio.gather(*requests):
        check_small(response.status_code, response.body)
    if pool.num_keepalive_connections != config.concurrency:
        fail(f"{pool.num_keepalive_connections} idle connections, not {config.concurrency}")
    result = probe.result()
    await pool.close()
    return result


def create(config: Config) -> Result:
    """Create and close pools: the cost of `SyncConnectionPool()` with default settings."""
    _check_ours()

    def once() -> int:
        httpcore.SyncConnectionPool().close()
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
