"""The benchmark runner: `python -m benchmarks.run` (or `scripts/bench`, which sets up its venv).

Starts nginx, then for each round, each workload, each client (the order rotating from round
to round), runs `python -m benchmarks.clients.<client> <workload> ...` in the client's venv and
collects its JSON line. Then writes the table (and the plot) into `docs/benchmarks.md`.

Options: `--quick` (tiny sizes and durations, one round: checks the harness and every
client's data, not timing), `--only A,C` (workload names or letters), `--clients ours,aiohttp`,
`--rounds`, `--seconds`, `--output`, `--no-plot`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import report, venvs
from .server import NginxServer, check_upload_is_consumed
from .suite import Client, Workload, select_clients, select_workloads

CLIENTS_DIR = os.path.join(venvs.HERE, "clients")
# Variables that would make a client trust another CA or go through a proxy.
_UNWANTED_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


@dataclass
class Runs:
    """Per workload and client: one JSON result per round, and the reason for a missing row."""

    results: dict[tuple[str, str], list[dict[str, float]]] = field(default_factory=dict)
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def client_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key not in _UNWANTED_ENV and not key.lower().endswith("_proxy")
    }


@contextlib.contextmanager
def client_dir() -> Iterator[str]:
    """A temporary directory holding only a `benchmarks` link, to run the clients from.

    Run from the checkout, `python -m` would put the checkout first on sys.path, and with it
    this project's httpcore in front of the PyPI httpcore that httpx needs.
    """
    with tempfile.TemporaryDirectory(prefix="bench-clients-") as path:
        os.symlink(venvs.HERE, os.path.join(path, "benchmarks"))
        yield path


def supported(python: str, client: Client, cwd: str) -> set[str]:
    """The workloads `client`'s module implements (none if the module does not exist)."""
    if not os.path.exists(os.path.join(CLIENTS_DIR, f"{client.name}.py")):
        return set()
    argv = [python, "-m", f"benchmarks.clients.{client.name}", "--list"]
    out = subprocess.run(argv, cwd=cwd, env=client_env(), capture_output=True, check=True)
    return set(json.loads(out.stdout))


def command(
    python: str,
    client: Client,
    workload: Workload,
    server: NginxServer,
    quick: bool,
    seconds: float,
) -> list[str]:
    size = workload.quick_size if quick else workload.size
    argv = [python, "-m", f"benchmarks.clients.{client.name}", workload.name]
    argv += ["--seconds", str(seconds), "--size", str(size)]
    argv += ["--concurrency", str(workload.quick_concurrency if quick else workload.concurrency)]
    if workload.port is not None:
        argv += ["--url", server.url(workload.port, workload.path.format(size=size))]
    if workload.port == "https":
        argv += ["--ca", server.ca_file]
    return argv


def measure(argv: list[str], cwd: str, seconds: float) -> dict[str, float]:
    """Run one measurement; return its JSON result, or raise `RuntimeError` with its stderr."""
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=client_env(), capture_output=True, timeout=120 + 30 * seconds
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"timed out after {exc.timeout:.0f} s") from exc
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["(no output)"]
        raise RuntimeError(f"exit {done.returncode}: {lines[-1]}")
    result = json.loads(done.stdout)
    if set(result) != {"ops", "seconds", "cpu", "bytes"} or result["ops"] <= 0:
        raise RuntimeError(f"malformed result {result!r}")
    return {key: float(value) for key, value in result.items()}


def run_suite(
    workloads: list[Workload],
    clients: list[Client],
    pythons: dict[str, str],
    server: NginxServer,
    *,
    rounds: int,
    seconds: float,
    quick: bool,
) -> Runs:
    """Measure every (workload, client) pair `rounds` times, interleaving the clients."""
    runs = Runs()
    with client_dir() as cwd:
        implemented: dict[str, set[str]] = {}
        for client in clients:
            try:
                implemented[client.name] = supported(pythons[client.venv], client, cwd)
            except subprocess.CalledProcessError as exc:
                reason = exc.stderr.decode(errors="replace").strip().splitlines()[-1:]
                runs.failures.append(f"{client.name} --list: {reason}")
                implemented[client.name] = set()
        plan: dict[str, list[Client]] = {}
        for workload in workloads:
            plan[workload.name] = []
            for client in clients:
                if workload.name in implemented[client.name]:
                    plan[workload.name].append(client)
                elif workload.name in client.planned:
                    runs.missing[(workload.name, client.name)] = "not yet available"
        for round_ in range(rounds):
            for workload in workloads:
                order = plan[workload.name]
                shift = round_ % len(order) if order else 0
                for client in order[shift:] + order[:shift]:
                    _measure_one(runs, workload, client, pythons, server, cwd, quick, seconds)
    return runs


def _measure_one(
    runs: Runs,
    workload: Workload,
    client: Client,
    pythons: dict[str, str],
    server: NginxServer,
    cwd: str,
    quick: bool,
    seconds: float,
) -> None:
    key = (workload.name, client.name)
    if key in runs.missing:
        return
    argv = command(pythons[client.venv], client, workload, server, quick, seconds)
    try:
        result = measure(argv, cwd, seconds)
    except RuntimeError as exc:
        runs.missing[key] = f"failed: {exc}"
        runs.failures.append(f"{workload.name} {client.name}: {exc}")
        runs.results.pop(key, None)
        print(f"  {workload.name:8} {client.name:20} FAILED {exc}", file=sys.stderr, flush=True)
        return
    runs.results.setdefault(key, []).append(result)
    figure = report.figure(workload, result)
    print(
        f"  {workload.name:8} {client.name:20} {report.format_figure(workload, figure)}",
        file=sys.stderr,
        flush=True,
    )


def machine() -> dict[str, str]:
    """What the table was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as file:
            names = [
                line.split(":", 1)[1].strip() for line in file if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "nginx": nginx.stderr.strip().removeprefix("nginx version: "),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny run: correctness only")
    parser.add_argument("--only", help="workloads, comma-separated (names or letters)")
    parser.add_argument("--clients", help="clients, comma-separated")
    parser.add_argument("--rounds", type=int, help="alternating runs per figure (default 3)")
    parser.add_argument("--seconds", type=float, help="seconds per run (default 2)")
    parser.add_argument("--output", help="Markdown page to update (default: docs/benchmarks.md "
                        "for a full run, none otherwise)")  # fmt: skip
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    workloads = select_workloads(args.only)
    clients = select_clients(args.clients)
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (0.1 if args.quick else 2.0)
    partial = args.quick or args.only or args.clients or args.rounds or args.seconds
    output = args.output or (None if partial else os.path.join(venvs.ROOT, "docs", "benchmarks.md"))
    pythons = {"bench": sys.executable}
    for name in sorted({c.venv for c in clients} - {"bench"}):
        pythons[name] = venvs.ensure(name)
    sizes = sorted({w.quick_size if args.quick else w.size for w in workloads if w.size})
    with NginxServer(body_sizes=sizes or [1]) as server:
        check_upload_is_consumed(server.ports["http"], 8 << 20)
        info = machine()
        runs = run_suite(
            workloads, clients, pythons, server, rounds=rounds, seconds=seconds, quick=args.quick
        )
    table = report.table(workloads, clients, runs.results, runs.missing)
    print(table)
    if output:
        plot = None
        if not args.no_plot:
            plot = os.path.splitext(output)[0] + ".png"
            report.plot(workloads, clients, runs.results, plot)
        report.update_page(output, table, info, rounds, seconds, plot)
        print(f"wrote {output}", file=sys.stderr)
    for failure in runs.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if runs.failures else 0


if __name__ == "__main__":
    sys.exit(main())
