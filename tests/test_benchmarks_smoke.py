"""The benchmark harness in quick mode: our client and the two floors against a real nginx.

Correctness of the harness and of each client's data, not timing. The peers need their own
venvs (downloads), so they are left to `scripts/bench --quick`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from benchmarks import report, run
from benchmarks.clients import _harness
from benchmarks.server import SMALL_BODY, NginxServer, check_upload_is_consumed, find_nginx
from benchmarks.suite import WORKLOADS, select_clients

CLIENTS = select_clients("floor_sync,floor_async,ours")
PYTHONS = {"bench": sys.executable, "ours": sys.executable}
BY_NAME = {w.name: w for w in WORKLOADS}


@pytest.fixture(scope="module")
def server() -> Iterator[NginxServer]:
    # Fails, never skips, without nginx: .ci/run installs it.
    find_nginx()
    sizes = sorted({w.quick_size for w in WORKLOADS if w.quick_size})
    with NginxServer(body_sizes=sizes) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def runs(server: NginxServer) -> run.Runs:
    return run.run_suite(WORKLOADS, CLIENTS, PYTHONS, server, rounds=1, seconds=0.05, quick=True)


def test_upload_endpoint_reads_the_whole_body(server: NginxServer) -> None:
    check_upload_is_consumed(server.ports["http"], 16 << 20)


def test_every_client_runs_every_workload_it_implements(runs: run.Runs) -> None:
    assert runs.failures == []
    measured = set(runs.results)
    assert {w for w, c in measured if c == "floor_sync"} == {
        "A", "C-sync", "D-sync", "import", "memory"
    }  # fmt: skip
    assert {w for w, c in measured if c == "floor_async"} == {
        "A'", "B", "C-async", "D-async", "E-h1", "import", "memory"
    }  # fmt: skip
    ours = {w for w, c in measured if c == "ours"}
    assert ours >= {"A", "A'", "B", "C-sync", "C-async", "D-sync", "D-async", "E-h1"}
    assert ours >= {"import", "memory", "create"}
    # Every workload planned for ours is measured or said to be missing, never dropped.
    for workload in WORKLOADS:
        key = (workload.name, "ours")
        assert key in runs.results or runs.missing[key] == "not yet available"


def test_results_have_the_json_shape_and_the_data_sent(runs: run.Runs) -> None:
    for (name, client), results in runs.results.items():
        workload = BY_NAME[name]
        assert len(results) == 1, (name, client)
        result = results[0]
        assert set(result) == {"ops", "seconds", "cpu", "bytes"}
        assert result["ops"] >= 1 and result["cpu"] >= 0
        # An import time is a difference of two timings: 0 when within the noise.
        assert result["seconds"] >= 0 if name == "import" else result["seconds"] > 0
        if workload.path == "/small" and name != "memory":
            assert result["bytes"] == result["ops"] * len(SMALL_BODY), (name, client)
        elif workload.size:
            assert result["bytes"] == result["ops"] * workload.quick_size, (name, client)
        elif name == "memory":
            assert result["ops"] == workload.quick_concurrency


def test_a_wrong_response_fails_the_measurement(server: NginxServer) -> None:
    with run.client_dir() as cwd:
        for client in CLIENTS:
            download = BY_NAME["C-sync" if client.name != "floor_async" else "C-async"]
            argv = run.command(sys.executable, client, download, server, True, 0.05)
            # The server sends 1 MiB; the client is told to expect 2 MiB.
            argv[argv.index("--size") + 1] = str(2 << 20)
            with pytest.raises(RuntimeError, match="check failed: expected 200 and 2097152"):
                run.measure(argv, cwd, 0.05)


def test_the_table_has_a_row_per_measurement(runs: run.Runs) -> None:
    table = report.table(WORKLOADS, CLIENTS, runs.results, runs.missing)
    lines = table.splitlines()
    assert lines[0].startswith("| workload | client | result (median) |")
    assert len(lines) == 2 + len(runs.results) + len(runs.missing)
    assert "| **A** sync, sequential small GETs" in table
    assert "≤ 100 µs: " in table


def test_checks_reject_what_the_server_did_not_send() -> None:
    with pytest.raises(_harness.CheckFailed):
        _harness.check_small(200, b"hello, world")
    with pytest.raises(_harness.CheckFailed):
        _harness.check_small(404, SMALL_BODY)
    upload = _harness.Upload(200_000)
    next(upload.chunks())
    with pytest.raises(_harness.CheckFailed, match="after 65536 bytes"):
        upload.check(200, b"ok\n")
    assert _harness.check_length(200, 10, 10) == 10
