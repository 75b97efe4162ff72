"""niquests, sync and async; HTTP/2 through its multiplexed mode (64 lazy responses, gathered)."""

from __future__ import annotations

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
    run_batches,
    run_sync,
)

niquests = peer("niquests")

READ_SIZE = 65536
HTTP11 = {"disable_http2": True, "disable_http3": True}


def _options(config: Config, **protocols: bool) -> dict[str, Any]:
    size = max(config.concurrency, 1)
    options: dict[str, Any] = {"pool_connections": 1, "pool_maxsize": size, **protocols}
    if config.ca:
        options["verify"] = config.ca
    return options


def small_sync(config: Config) -> Result:
    with niquests.Session(**_options(config, **HTTP11)) as session:

        def once() -> int:
            response = session.get(config.url)
            check_version(response.http_version, 11)
            return check_small(response.status_code, response.content)

        return run_sync(config, once)


def download_sync(config: Config) -> Result:
    with niquests.Session(**_options(config, **HTTP11)) as session:

        def once() -> int:
            response = session.get(config.url, stream=True)
            received = sum(len(chunk) for chunk in response.iter_content(READ_SIZE))
            return check_length(response.status_code, received, config.size)

        return run_sync(config, once)


def upload_sync(config: Config) -> Result:
    with niquests.Session(**_options(config, **HTTP11)) as session:

        def once() -> int:
            body = Upload(config.size)
            response = session.post(config.url, data=body.chunks())
            return body.check(response.status_code, response.content)

        return run_sync(config, once)


def _multiplexed(config: Config, **protocols: bool) -> Result:
    sockets = open_sockets()
    options = _options(config, multiplexed=True, disable_http3=True, **protocols)
    with niquests.Session(**options) as session:

        def batch() -> int:
            responses = [session.get(config.url) for _ in range(config.concurrency)]
            session.gather(*responses)
            received = 0
            for response in responses:
                check_version(response.http_version, 20)
                received += check_small(response.status_code, response.content)
            return received

        result = run_batches(config, batch)
        check_sockets(sockets, 1)
        return result


def small_h2(config: Config) -> Result:
    return _multiplexed(config)


def small_h2c(config: Config) -> Result:
    # RFC 9113 section 3.3: HTTP/2 over cleartext TCP only with prior knowledge.
    return _multiplexed(config, disable_http1=True)


async def small_async(config: Config) -> Result:
    sockets = open_sockets()
    async with niquests.AsyncSession(**_options(config, **HTTP11)) as session:

        async def once() -> int:
            response = await session.get(config.url)
            check_version(response.http_version, 11)
            return check_small(response.status_code, response.content)

        result = await run_async(config, once)
        check_sockets(sockets, 1, config.concurrency)
        return result


async def download_async(config: Config) -> Result:
    async with niquests.AsyncSession(**_options(config, **HTTP11)) as session:

        async def once() -> int:
            response = await session.get(config.url, stream=True)
            received = 0
            async for chunk in await response.iter_content(READ_SIZE):
                received += len(chunk)
            return check_length(response.status_code, received, config.size)

        return await run_async(config, once)


async def upload_async(config: Config) -> Result:
    async with niquests.AsyncSession(**_options(config, **HTTP11)) as session:

        async def once() -> int:
            body = Upload(config.size)
            response = await session.post(config.url, data=body.achunks())
            return body.check(response.status_code, response.content)

        return await run_async(config, once)


def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    with niquests.Session(**_options(config, **HTTP11)) as warm_up:
        response = warm_up.get(config.url)
        check_small(response.status_code, response.content)
    probe.start()
    session = niquests.Session(**_options(config, **HTTP11))
    responses = [session.get(config.url, stream=True) for _ in range(config.concurrency)]
    for response in responses:
        check_small(response.status_code, response.content)
    return probe.result()


def create(config: Config) -> Result:
    def once() -> int:
        niquests.Session().close()
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
    "import": import_workload("import niquests"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
