"""The four ways to make a request behind one interface, for the safety suite.

Every attack runs through each variant: httpcore's `ConnectionPool` and `SyncConnectionPool`,
and requests_async's async `Session` and `requests_async.sync.Session`. The sync variants
block the caller's event loop while they run; the hostile servers live in threads of their own.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import httpcore
import requests_async
import requests_async.sync as requests

KINDS = ("core-async", "core-sync", "requests-async", "requests-sync")
CORE_KINDS = KINDS[:2]
REQUESTS_KINDS = KINDS[2:]
TIMEOUT = 5.0


class Result(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


class Streamed(NamedTuple):
    status: int
    size: int
    largest_chunk: int


class Client:
    """One variant: `fetch()` reads a whole response, `stream()` consumes it chunk by chunk.

    `timeout` applies to every request (connect, read and write); `pool_options` go to the
    httpcore pools. `counts()` gives the connections in use and kept alive, over every pool
    of the variant.
    """

    def __init__(
        self,
        kind: str,
        *,
        timeout: float | httpcore.TimeoutConfig = TIMEOUT,
        verify: Any = True,
        **pool_options: Any,
    ) -> None:
        self.kind = kind
        self.timeout = timeout
        self.is_requests = kind.startswith("requests")
        self.is_async = kind.endswith("async")
        ssl = httpcore.SSLConfig(verify=verify)
        if kind == "core-async":
            self._client: Any = httpcore.ConnectionPool(ssl=ssl, timeout=timeout, **pool_options)
        elif kind == "core-sync":
            self._client = httpcore.SyncConnectionPool(ssl=ssl, timeout=timeout, **pool_options)
        else:
            module = requests_async if self.is_async else requests
            self._client = module.Session()
            self._client.verify = verify
            if "protocol_limits" in pool_options:
                adapters = requests_async if self.is_async else requests.adapters
                adapter = adapters.HTTPAdapter(**pool_options)
                for prefix in ("http://", "https://"):
                    self._client.mount(prefix, adapter)

    def __repr__(self) -> str:
        return f"<Client {self.kind}>"

    async def _call(self, value: Any) -> Any:
        return await value if self.is_async else value

    async def fetch(
        self, url: str, method: str = "GET", *, headers: Any = None, body: Any = None, **extra: Any
    ) -> Result:
        """Send a request and read its body; `extra` goes to requests_async (auth=...)."""
        if self.is_requests:
            response = await self._call(
                self._client.request(
                    method, url, headers=headers, data=body, timeout=self.timeout, **extra
                )
            )
            fields = {name.lower(): value for name, value in response.headers.items()}
            return Result(response.status_code, fields, response.content)
        response = await self._call(
            self._client.request(method, url, headers=headers, body=body or b"", **extra)
        )
        fields = {name.decode(): value.decode("latin-1") for name, value in response.headers}
        return Result(response.status_code, fields, response.body)

    async def stream(self, url: str) -> Streamed:
        """GET `url` and consume the decoded body chunk by chunk, keeping only sizes."""
        size = largest = 0
        if self.is_requests:
            response = await self._call(self._client.get(url, stream=True, timeout=self.timeout))
            chunks = response.iter_content(None)
        else:
            response = await self._call(self._client.request("GET", url, stream=True))
            chunks = response.stream()
        try:
            if self.is_async:
                async for chunk in chunks:
                    size += len(chunk)
                    largest = max(largest, len(chunk))
            else:
                for chunk in chunks:
                    size += len(chunk)
                    largest = max(largest, len(chunk))
        finally:
            await self._call(response.close())
        return Streamed(response.status_code, size, largest)

    def pools(self) -> list[Any]:
        if not self.is_requests:
            return [self._client]
        return [
            pool for adapter in self._client.adapters.values() for pool in adapter._pools.values()
        ]

    def counts(self) -> tuple[int, int]:
        """(connections in use, connections kept alive), over all pools of the variant."""
        pools = self.pools()
        return (
            sum(pool.num_active_connections for pool in pools),
            sum(pool.num_keepalive_connections for pool in pools),
        )

    def core_error(self, exc: BaseException) -> BaseException:
        """The httpcore exception behind `exc`: requests_async chains it as the cause."""
        if self.is_requests:
            assert isinstance(exc, requests_async.exceptions.RequestException), repr(exc)
            assert exc.__cause__ is not None, repr(exc)
            return exc.__cause__
        return exc

    async def close(self) -> None:
        await self._call(self._client.close())
