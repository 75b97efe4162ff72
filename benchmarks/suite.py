"""What the suite measures: the workloads, the clients, and the targets (issue 3).

A new client (requests_async, say) is a module in `benchmarks/clients/` plus an entry in
`CLIENTS`; until its module exists, or while it lacks a planned workload, the table shows
"not yet available" in that row.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Workload:
    """One workload: the endpoint, sizes (full run, quick run) and how its figure reads.

    `metric` is one of `req/s`, `MB/s` (higher is better), `ms` (import time), `KiB/conn`
    (memory per idle connection), `µs` (creating a client) (lower is better).
    """

    name: str
    title: str
    port: str | None
    path: str
    metric: str
    size: int = 0
    quick_size: int = 0
    concurrency: int = 1
    quick_concurrency: int = 1

    @property
    def group(self) -> str:
        """The issue's letter: `C` for `C-sync` and `C-async`."""
        return self.name.split("-")[0]

    @property
    def higher_is_better(self) -> bool:
        return self.metric in ("req/s", "MB/s")


def _small(name: str, title: str, port: str = "http", concurrency: int = 1) -> Workload:
    return Workload(name, title, port, "/small", "req/s", 0, 0, concurrency, concurrency)


WORKLOADS = [
    _small("A", "sync, sequential small GETs on one keep-alive connection"),
    _small("A'", "async, small GETs, one in flight"),
    _small("B", "async, small GETs, 64 in flight", concurrency=64),
    Workload("C-sync", "1 GiB download, sync", "http", "/data/{size}", "MB/s", GiB, MiB),
    Workload("C-async", "1 GiB download, async", "http", "/data/{size}", "MB/s", GiB, MiB),
    Workload("D-sync", "256 MiB chunked upload from a generator, sync", "http", "/upload",
             "MB/s", 256 * MiB, MiB),
    Workload("D-async", "256 MiB chunked upload from a generator, async", "http", "/upload",
             "MB/s", 256 * MiB, MiB),
    _small("E-h2", "HTTP/2 over TLS, 64 streams on one connection", "https", 64),
    _small("E-h1", "HTTP/1.1 over TLS, 64 connections", "https", 64),
    _small("E'", "HTTP/2 cleartext (prior knowledge), 64 streams", "h2c", 64),
    Workload("import", "import time (best of N, minus a bare interpreter)", None, "", "ms"),
    Workload("memory", "memory per idle keep-alive connection (200 open)", "http", "/small",
             "KiB/conn", 0, 0, 200, 20),
    Workload("create", "creating and closing a client with default settings", None, "", "µs"),
]  # fmt: skip

ALL = tuple(w.name for w in WORKLOADS)
SYNC = ("A", "C-sync", "D-sync", "import", "memory", "create")
ASYNC = ("A'", "B", "C-async", "D-async", "E-h2", "E-h1", "E'", "import", "memory", "create")


@dataclass(frozen=True)
class Client:
    """A client: its module in `benchmarks/clients/`, the venv it runs in, and its role.

    `kind` is `ours`, `peer` or `floor`. `planned` lists the workloads whose rows the table
    shows even before the module implements them.
    """

    name: str
    label: str
    venv: str
    kind: str
    planned: tuple[str, ...] = ()


CLIENTS = [
    Client("floor_sync", "floor: raw socket", "bench", "floor"),
    Client("floor_async", "floor: asyncio Protocol", "bench", "floor"),
    Client("ours", "ours: httpcore", "ours", "ours", ALL),
    Client("requests_async", "ours: requests_async", "ours", "ours", ASYNC),
    Client("requests_async_sync", "ours: requests_async.sync", "ours", "ours", SYNC),
    Client("requests", "requests", "requests", "peer"),
    Client("urllib3", "urllib3", "urllib3", "peer"),
    Client("httpx", "httpx", "httpx", "peer"),
    Client("httpcore1", "httpcore 1.x (PyPI)", "httpx", "peer"),
    Client("aiohttp", "aiohttp", "aiohttp", "peer"),
    Client("niquests", "niquests", "niquests", "peer"),
]

# The figure that every ratio in the table divides: ours through httpcore.
REFERENCE = "ours"


@dataclass(frozen=True)
class Target:
    """`client`'s figure divided by `peer`'s must be `>=` or `<=` `value`.

    With `peer=None`, the client's own figure is compared with `value` (in the metric's unit).
    """

    workload: str
    client: str
    peer: str | None
    op: str
    value: float


TARGETS = [
    Target("A", "ours", "urllib3", ">=", 2.5),
    Target("A", "requests_async_sync", "requests", ">=", 3.0),
    Target("A'", "ours", "aiohttp", ">=", 1.5),
    Target("A'", "requests_async", "aiohttp", ">=", 1.2),
    Target("B", "ours", "aiohttp", ">=", 1.5),
    Target("B", "requests_async", "aiohttp", ">=", 1.2),
    Target("C-sync", "ours", "floor_sync", ">=", 0.9),
    Target("C-async", "ours", "aiohttp", ">=", 2.0),
    Target("D-sync", "ours", "requests", ">=", 1.0),
    Target("D-async", "ours", "aiohttp", ">=", 1.0),
    Target("E-h2", "ours", "httpcore1", ">=", 2.0),
    Target("E-h2", "ours", "httpx", ">=", 3.0),
    Target("E'", "ours", "httpcore1", ">=", 2.0),
    Target("E'", "ours", "httpx", ">=", 3.0),
    Target("import", "ours", "httpx", "<=", 0.6),
    Target("import", "requests_async", "httpx", "<=", 0.6),
    Target("create", "ours", None, "<=", 100.0),
    Target("create", "requests_async", None, "<=", 100.0),
]


def select_workloads(only: str | None) -> list[Workload]:
    """The workloads named in `only` (comma-separated names or letters), or all."""
    if not only:
        return list(WORKLOADS)
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    chosen = [w for w in WORKLOADS if w.name in wanted or w.group in wanted]
    unknown = wanted - {w.name for w in chosen} - {w.group for w in chosen}
    if unknown:
        raise ValueError(f"unknown workloads: {', '.join(sorted(unknown))}")
    return chosen


def select_clients(names: str | None) -> list[Client]:
    """The clients named in `names` (comma-separated), or all."""
    if not names:
        return list(CLIENTS)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = {client.name: client for client in CLIENTS}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown clients: {', '.join(unknown)}")
    return [client for client in CLIENTS if client.name in wanted]
