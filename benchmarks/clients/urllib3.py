"""urllib3, sync: a `PoolManager` sized for the workload."""

from __future__ import annotations

from typing import Any

from ._harness import (
    Config,
    MemoryProbe,
    Result,
    Upload,
    check_length,
    check_small,
    import_workload,
    main,
    peer,
    run_sync,
)

urllib3 = peer("urllib3")

READ_SIZE = 65536


def _pool(config: Config) -> Any:
    return urllib3.PoolManager(maxsize=max(config.concurrency, 1), ca_certs=config.ca)


def small(config: Config) -> Result:
    with _pool(config) as pool:

        def once() -> int:
            response = pool.request("GET", config.url)
            return check_small(response.status, response.data)

        return run_sync(config, once)


def download(config: Config) -> Result:
    with _pool(config) as pool:

        def once() -> int:
            response = pool.request("GET", config.url, preload_content=False)
            received = sum(len(chunk) for chunk in response.stream(READ_SIZE))
            response.release_conn()
            return check_length(response.status, received, config.size)

        return run_sync(config, once)


def upload(config: Config) -> Result:
    with _pool(config) as pool:

        def once() -> int:
            body = Upload(config.size)
            response = pool.request("POST", config.url, body=body.chunks())
            return body.check(response.status, response.data)

        return run_sync(config, once)


def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    with _pool(config) as warm_up:
        response = warm_up.request("GET", config.url)
        check_small(response.status, response.data)
    probe.start()
    pool = _pool(config)
    responses = [
        pool.request("GET", config.url, preload_content=False) for _ in range(config.concurrency)
    ]
    for response in responses:
        check_small(response.status, response.data)
        response.release_conn()
    return probe.result()


def create(config: Config) -> Result:
    def once() -> int:
        urllib3.PoolManager().clear()
        return 0

    return run_sync(config, once)


WORKLOADS = {
    "A": small,
    "C-sync": download,
    "D-sync": upload,
    "import": import_workload("import urllib3"),
    "memory": memory,
    "create": create,
}

if __name__ == "__main__":
    main(WORKLOADS)
