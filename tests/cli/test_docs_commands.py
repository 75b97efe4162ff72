"""Every command in docs/cli.md's ```console blocks runs against loopback httpbin.

A block holds `$ command` lines, each followed by what it prints. The command runs in-process
with `httpbin.org` mapped to the `httpbin` fixture, its stdout on a terminal with NO_COLOR set
(the page shows terminal output without colours). The documented lines must appear in the
output in order: a line `...` (indented or not) stands for any lines, and a line ending in
`...` matches any line starting with the rest. `$ echo $?` prints the previous command's
exit status; a command without one must exit 0.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

import pytest

from tests.docs_support import ROOT, fences

PAGE = ROOT / "docs" / "cli.md"
PROG = "python -m requests_async"


@dataclass
class Step:
    command: str
    where: str
    output: list[str] = field(default_factory=list)


def steps() -> list[Step]:
    found: list[Step] = []
    for fence in fences(PAGE):
        if fence.language != "console":
            continue
        lines = fence.source.splitlines()
        assert lines and lines[0].startswith("$ "), f"{fence.where}: starts without a command"
        for offset, line in enumerate(lines):
            if line.startswith("$ "):
                found.append(Step(line[2:], f"{PAGE.name}:{fence.line + offset}"))
            else:
                found[-1].output.append(line)
    return found


def match_in_order(documented: list[str], shown: list[str], where: str) -> None:
    position = 0
    for line in documented:
        expected = line.rstrip()
        if expected.strip() in ("", "..."):
            continue
        prefix = expected[:-3] if expected.endswith("...") else None
        while position < len(shown):
            got = shown[position].rstrip()
            position += 1
            if got == expected or (prefix is not None and got.startswith(prefix)):
                break
        else:
            output = "\n".join(shown)
            raise AssertionError(f"{where}: {line!r} is missing, or out of order, in:\n{output}")


def test_the_page_documents_commands():
    commands = [step.command for step in steps()]
    assert len(commands) >= 10
    assert all(c.startswith(f"{PROG} ") or c == "echo $?" for c in commands), commands


def test_the_matcher_notices_missing_and_reordered_lines():
    match_in_order(["a", "...", "c...", "  ..."], ["a", "b", "cde"], "here")
    with pytest.raises(AssertionError, match="'b' is missing"):
        match_in_order(["a", "b"], ["b", "a"], "here")


def test_documented_commands_run(cli, httpbin, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    host = f"{httpbin.host}:{httpbin.port}"
    documented = steps()
    for index, step in enumerate(documented):
        args = shlex.split(step.command)
        if args == ["echo", "$?"]:
            continue
        monkeypatch.setenv("NO_COLOR", "1")
        argv = [arg.replace("httpbin.org", host) for arg in args[3:]]
        result = cli(*argv, stdout_tty=True, prog=PROG)
        shown = (result.text + result.stderr).replace(host, "httpbin.org").splitlines()
        match_in_order(step.output, shown, step.where)
        following = documented[index + 1] if index + 1 < len(documented) else None
        expected = 0
        if following is not None and following.command == "echo $?":
            expected = int(following.output[0])
        assert result.status == expected, f"{step.where}: exit status {result.status}"
