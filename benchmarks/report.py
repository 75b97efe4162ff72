"""Figures, ratios and targets from the runs; the Markdown table, the plot, the docs page."""

from __future__ import annotations

import importlib
import os
import re
import statistics
from collections.abc import Sequence
from typing import Any

from .suite import REFERENCE, TARGETS, Client, Target, Workload

Result = dict[str, float]
Results = dict[tuple[str, str], list[Result]]

TIMES = "\N{MULTIPLICATION SIGN}"
BEGIN = "<!-- results: begin (written by scripts/bench) -->"
END = "<!-- results: end -->"


def figure(workload: Workload, result: Result) -> float:
    """One run's figure, in the workload's metric."""
    ops, seconds = result["ops"], result["seconds"]
    if workload.metric == "req/s":
        return ops / seconds
    if workload.metric == "MB/s":
        return result["bytes"] / seconds / 1e6
    if workload.metric == "ms":
        return seconds * 1e3
    if workload.metric == "KiB/conn":
        return result["bytes"] / ops / 1024
    return seconds / ops * 1e6


def format_figure(workload: Workload, value: float) -> str:
    if workload.metric in ("req/s", "MB/s"):
        return f"{value:,.0f} {workload.metric}"
    return f"{value:,.1f} {workload.metric}"


def format_seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:,.0f} µs"
    if value < 1:
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.2f} s"


def median_figure(workload: Workload, runs: Sequence[Result]) -> float:
    return statistics.median(figure(workload, run) for run in runs)


def ratio(workload: Workload, ours: Sequence[Result], peer: Sequence[Result]) -> float | None:
    """The median over rounds of ours ÷ peer, each pair measured in the same round.

    None when no round has both figures, or the peer's figure is zero.
    """
    pairs = [(figure(workload, a), figure(workload, b)) for a, b in zip(ours, peer, strict=False)]
    ratios = [a / b for a, b in pairs if b]
    return statistics.median(ratios) if ratios else None


def format_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}{TIMES}"


def _target_cell(
    target: Target, workload: Workload, results: Results, labels: dict[str, str]
) -> str:
    op = "≥" if target.op == ">=" else "≤"
    mine = results.get((workload.name, target.client))
    who = "" if target.client == REFERENCE else f"{labels[target.client]} "
    if target.peer is None:
        goal = f"{who}{op} {target.value:g} {workload.metric}"
        if not mine:
            return f"{goal}: not yet available"
        value: float | None = median_figure(workload, mine)
        shown = format_figure(workload, median_figure(workload, mine))
    else:
        goal = f"{who}{op} {target.value:g}{TIMES}"
        theirs = results.get((workload.name, target.peer))
        if not mine or not theirs:
            return f"{goal}: not yet available" if not mine else f"{goal}: peer missing"
        value = ratio(workload, mine, theirs)
        shown = format_ratio(value)
    if value is None:
        return f"{goal}: no ratio"
    met = value >= target.value if target.op == ">=" else value <= target.value
    return f"{goal}: {'met' if met else '**not met**'} ({shown})"


def table(
    workloads: list[Workload],
    clients: list[Client],
    results: Results,
    missing: dict[tuple[str, str], str],
) -> str:
    """The Markdown table: a row per workload and client, with ratios and targets."""
    labels = {c.name: c.label for c in clients}
    lines = [
        "| workload | client | result (median) | CPU per request | ours ÷ client | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for workload in workloads:
        first = f"**{workload.name}** {workload.title}"
        ours = results.get((workload.name, REFERENCE))
        for client in clients:
            key = (workload.name, client.name)
            if key not in results and key not in missing:
                continue
            targets = [
                _target_cell(t, workload, results, labels)
                for t in TARGETS
                if t.workload == workload.name
                and t.client in labels
                and (t.peer == client.name or (t.peer is None and t.client == client.name))
            ]
            cells = [first, labels[client.name]]
            runs = results.get(key)
            if runs is None:
                cells += [missing[key], "", ""]
            else:
                cpu = statistics.median(run["cpu"] / run["ops"] for run in runs)
                cells += [
                    format_figure(workload, median_figure(workload, runs)),
                    format_seconds(cpu),
                ]
                same = client.name == REFERENCE or not ours
                cells.append("" if same else format_ratio(ratio(workload, ours or [], runs)))
            cells.append("; ".join(targets))
            lines.append("| " + " | ".join(cells) + " |")
            first = ""
    return "\n".join(lines)


def plot(workloads: list[Workload], clients: list[Client], results: Results, path: str) -> None:
    """Draw one panel of horizontal bars per workload into the PNG at `path`."""
    # Imported here: only the runner's venv has matplotlib, and the smoke test draws no plot.
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    plt: Any = importlib.import_module("matplotlib.pyplot")

    shown = [w for w in workloads if any((w.name, c.name) in results for c in clients)]
    columns = 3
    rows = max(1, -(-len(shown) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(15, 3.2 * rows), squeeze=False)
    colours = {"ours": "tab:red", "peer": "tab:blue", "floor": "tab:gray"}
    for axis, workload in zip(axes.flat, shown, strict=False):
        present = [c for c in clients if (workload.name, c.name) in results]
        values = [median_figure(workload, results[(workload.name, c.name)]) for c in present]
        axis.barh([c.label for c in present], values, color=[colours[c.kind] for c in present])
        axis.invert_yaxis()
        better = "higher" if workload.higher_is_better else "lower"
        axis.set_title(f"{workload.name}: {workload.metric} ({better} is better)", fontsize=10)
        axis.tick_params(labelsize=8)
    for axis in list(axes.flat)[len(shown) :]:
        axis.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def update_page(
    path: str, table_md: str, info: dict[str, str], rounds: int, seconds: float, png: str | None
) -> None:
    """Replace the generated part of the docs page (between the two markers)."""
    with open(path, encoding="utf-8") as file:
        page = file.read()
    if BEGIN not in page or END not in page:
        raise ValueError(f"{path} lacks the markers {BEGIN!r} and {END!r}")
    machine = ", ".join(f"{key} {value}" for key, value in info.items())
    parts = [
        BEGIN,
        "",
        f"Measured on: {machine}.",
        "",
        f"Each figure is the median of {rounds} runs of {seconds:g} s.",
        "",
        table_md,
        "",
    ]
    if png:
        parts += [f"![The figures above, one panel per workload]({os.path.basename(png)})", ""]
    generated = "\n".join(parts) + END
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    with open(path, "w", encoding="utf-8") as file:
        file.write(pattern.sub(lambda _: generated, page))
