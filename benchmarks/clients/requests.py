"""requests, sync: a `Session` with one adapter sized for the workload.

The same code measures requests_async.sync, the drop-in (see requests_async_sync.py).
"""

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

READ_SIZE = 65536


def workloads_for(requests: Any, import_statement: str) -> dict[str, Any]:
    """The workloads of a requests-compatible module `requests`."""

    def _session(config: Config) -> Any:
        session = requests.Session()
        size = max(config.concurrency, 1)
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        if config.ca:
            session.verify = config.ca
        return session

    def small(config: Config) -> Result:
        with _session(config) as session:

            def once() -> int:
                response = session.get(config.url)
                return check_small(response.status_code, response.content)

            return run_sync(config, once)

    def download(config: Config) -> Result:
        with _session(config) as session:

            def once() -> int:
                response = session.get(config.url, stream=True)
                received = sum(len(chunk) for chunk in response.iter_content(READ_SIZE))
                return check_length(response.status_code, received, config.size)

            return run_sync(config, once)

    def upload(config: Config) -> Result:
        with _session(config) as session:

            def once() -> int:
                body = Upload(config.size)
                response = session.post(config.url, data=body.chunks())
                return body.check(response.status_code, response.content)

            return run_sync(config, once)

    def memory(config: Config) -> Result:
        probe = MemoryProbe(config.concurrency)
        with _session(config) as warm_up:
            response = warm_up.get(config.url)
            check_small(response.status_code, response.content)
        probe.start()
        session = _session(config)
        responses = [session.get(config.url, stream=True) for _ in range(config.concurrency)]
        for response in responses:
            check_small(response.status_code, response.content)
        return probe.result()

    def create(config: Config) -> Result:
        def once() -> int:
            requests.Session().close()
            return 0

        return run_sync(config, once)

    return {
        "A": small,
        "C-sync": download,
        "D-sync": upload,
        "import": import_workload(import_statement),
        "memory": memory,
        "create": create,
    }


if __name__ == "__main__":
    main(workloads_for(peer("requests"), "import requests"))
