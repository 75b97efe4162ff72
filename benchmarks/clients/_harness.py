"""What every client module shares: the command line, the clock, the data checks, the JSON line.

A client module maps workload names to functions taking a `Config` and returning a `Result`
(sync or async), and hands that mapping to `main()`:

```python
WORKLOADS = {"A": small_sync, "import": import_workload("httpx")}
if __name__ == "__main__":
    main(WORKLOADS)
```

Run as `python -m benchmarks.clients.<name> <workload> --url URL --seconds 2`, it prints one
JSON object: `ops`, `seconds` (wall), `cpu` (user + system, this process), `bytes`.
`--list` prints the workload names it implements.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import inspect
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

SMALL_BODY = b"hello, world\n"
# Transfers this large skip the warm-up: opening a connection is noise next to them.
WARM_UP_LIMIT = 8 << 20
UPLOAD_REPLY = b"ok\n"
UPLOAD_CHUNK = b"\x00" * 65536


class CheckFailed(Exception):
    """A client returned something other than what the server sent."""


@dataclass(frozen=True)
class Config:
    """One measurement's parameters, from the command line.

    `size` is the body size of a download or an upload; `concurrency` the requests in flight
    (or, for the memory workload, the connections to open); `ca` a CA file for TLS.
    """

    workload: str
    url: str
    seconds: float
    size: int
    concurrency: int
    ca: str | None


@dataclass
class Result:
    ops: int
    seconds: float
    cpu: float
    bytes: int


def peer(name: str) -> Any:
    """Import a peer library by name.

    Peers live only in their own venvs (PyPI's httpcore even shares this project's import
    name), so a type checker run on this checkout cannot see them: they are typed `Any`.
    """
    return importlib.import_module(name)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Counts operations for `seconds` of wall time and the CPU time spent meanwhile."""

    def __init__(self, seconds: float) -> None:
        self.ops = 0
        self.bytes = 0
        self._wall = time.perf_counter()
        self._cpu = cpu_seconds()
        self._deadline = self._wall + seconds

    def running(self) -> bool:
        return time.perf_counter() < self._deadline

    def add(self, nbytes: int, ops: int = 1) -> None:
        self.ops += ops
        self.bytes += nbytes

    def result(self) -> Result:
        wall = time.perf_counter() - self._wall
        return Result(self.ops, wall, cpu_seconds() - self._cpu, self.bytes)


def fail(message: str) -> NoReturn:
    raise CheckFailed(message)


def check_small(status: int, body: bytes) -> int:
    """Check a `/small` response; return its body length."""
    if status != 200 or body != SMALL_BODY:
        fail(f"expected 200 {SMALL_BODY!r}, got {status} {body[:100]!r}")
    return len(body)


def check_length(status: int, received: int, expected: int) -> int:
    """Check a download's status and byte count; return the byte count."""
    if status != 200 or received != expected:
        fail(f"expected 200 and {expected} bytes, got {status} and {received} bytes")
    return received


def check_version(version: object, expected: object) -> None:
    if version != expected:
        fail(f"expected protocol {expected!r}, got {version!r}")


class Upload:
    """A request body of `size` bytes from a generator, counting what the client pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sent = 0

    def chunks(self) -> Iterator[bytes]:
        remaining = self.size
        while remaining > 0:
            chunk = UPLOAD_CHUNK if remaining >= len(UPLOAD_CHUNK) else UPLOAD_CHUNK[:remaining]
            remaining -= len(chunk)
            self.sent += len(chunk)
            yield chunk

    async def achunks(self) -> Any:
        for chunk in self.chunks():
            yield chunk

    def check(self, status: int, body: bytes) -> int:
        """Check the reply and that the whole body was taken from the generator."""
        if status != 200 or body != UPLOAD_REPLY or self.sent != self.size:
            fail(
                f"expected 200 {UPLOAD_REPLY!r} after {self.size} bytes, "
                f"got {status} {body[:100]!r} after {self.sent} bytes"
            )
        return self.sent


def run_sync(config: Config, once: Callable[[], int]) -> Result:
    """Call `once` (one checked request, returning its byte count) for `config.seconds`."""
    if config.size < WARM_UP_LIMIT:
        once()
    clock = Clock(config.seconds)
    while clock.running():
        clock.add(once())
    return clock.result()


async def run_async(config: Config, once: Callable[[], Awaitable[int]]) -> Result:
    """Keep `config.concurrency` calls of `once` in flight for `config.seconds`.

    A first wave of `concurrency` calls opens the connections before the clock starts.
    """
    if config.size < WARM_UP_LIMIT:
        await asyncio.gather(*(once() for _ in range(config.concurrency)))
    clock = Clock(config.seconds)

    async def worker() -> None:
        while clock.running():
            clock.add(await once())

    await asyncio.gather(*(worker() for _ in range(config.concurrency)))
    return clock.result()


def run_batches(config: Config, batch: Callable[[], int]) -> Result:
    """Call `batch` (`config.concurrency` checked requests at once) for `config.seconds`."""
    batch()
    clock = Clock(config.seconds)
    while clock.running():
        clock.add(batch(), ops=config.concurrency)
    return clock.result()


def rss_bytes() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def check_sockets(before: int, low: int, high: int | None = None) -> None:
    """Check that `low` (to `high`) sockets were opened since `open_sockets()` gave `before`."""
    opened = open_sockets() - before
    if not low <= opened <= (low if high is None else high):
        fail(f"expected {low} to {high or low} open connections, found {opened}")


class MemoryProbe:
    """Resident memory and open sockets before and after `n` idle connections were opened.

    Create it before the warm-up (it counts the sockets open then), call `start()` after the
    warm-up, open the connections, and call `result()`.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._sockets = open_sockets()
        self._rss = 0
        self._clock = Clock(0)

    def start(self) -> None:
        gc.collect()
        self._rss = rss_bytes()
        self._clock = Clock(0)

    def result(self) -> Result:
        """Check that exactly `n` more sockets are open, and return the memory they cost."""
        gc.collect()
        rss = rss_bytes()
        timing = self._clock.result()
        check_sockets(self._sockets, self.n)
        return Result(self.n, timing.seconds, timing.cpu, rss - self._rss)


def _child_times(argv: list[str]) -> tuple[float, float]:
    """Run `argv` to completion: (wall seconds, user + system CPU seconds of the child)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        fail(f"{argv} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def import_workload(statement: str) -> Callable[[Config], Result]:
    """A workload timing `python -c <statement>` against a bare `python -c pass`.

    Runs pairs for `seconds` (at least 3 pairs), keeps the best of each, and returns their
    difference as `seconds` and `cpu` (one op).
    """

    def measure(config: Config) -> Result:
        bare, full = [sys.executable, "-c", "pass"], [sys.executable, "-c", statement]
        best_bare = best_full = (float("inf"), float("inf"))
        deadline = time.perf_counter() + config.seconds
        pairs = 0
        while pairs < 3 or time.perf_counter() < deadline:
            best_bare = min(best_bare, _child_times(bare))
            best_full = min(best_full, _child_times(full))
            pairs += 1
        # An import cheaper than the noise (a stdlib module the interpreter already loaded)
        # reads as 0, never as negative time.
        wall = max(0.0, best_full[0] - best_bare[0])
        cpu = max(0.0, best_full[1] - best_bare[1])
        return Result(1, wall, cpu, 0)

    return measure


def _parse(argv: list[str], names: list[str]) -> Config | None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", nargs="?", choices=names)
    parser.add_argument("--list", action="store_true", help="print the workloads and exit")
    parser.add_argument("--url", default="")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--ca", default=None)
    args = parser.parse_args(argv)
    if args.list or args.workload is None:
        return None
    return Config(args.workload, args.url, args.seconds, args.size, args.concurrency, args.ca)


def main(workloads: dict[str, Callable[[Config], Any]], argv: list[str] | None = None) -> None:
    """Run the workload named on the command line and print its `Result` as JSON."""
    config = _parse(sys.argv[1:] if argv is None else argv, list(workloads))
    if config is None:
        print(json.dumps(list(workloads)))
        return
    function = workloads[config.workload]
    try:
        if inspect.iscoroutinefunction(function):
            result = asyncio.run(function(config))
        else:
            result = function(config)
    except CheckFailed as exc:
        print(f"check failed: {exc}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(asdict(result)))
