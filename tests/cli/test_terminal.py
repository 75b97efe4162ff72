"""`python -m requests_async` as a real process: colours and the progress bar in a
pseudo-terminal, raw bytes through a pipe, and exit statuses."""

from __future__ import annotations

import errno
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from requests_async.cli._output import paint
from tests.servers import pattern

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0
ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "requests_async", *args]


def environment(**changes: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "NO_COLOR"}
    return {**env, **changes}


def read_terminal(master: int, process: subprocess.Popen[bytes]) -> bytes:
    """Everything the process writes to the terminal, until it closes its side."""
    chunks: list[bytes] = []
    ends_at = time.monotonic() + DEADLINE
    while True:
        ready, _, _ = select.select([master], [], [], max(ends_at - time.monotonic(), 0))
        if not ready:
            process.kill()
            raise AssertionError(f"no end of output within {DEADLINE}s: {b''.join(chunks)!r}")
        try:
            data = os.read(master, 65536)
        except OSError as exc:
            # Linux reports EIO on the master once every slave descriptor is closed.
            assert exc.errno == errno.EIO
            break
        if not data:
            break
        chunks.append(data)
    # The terminal's output processing (ONLCR) turns each \n into \r\n.
    return b"".join(chunks).replace(b"\r\n", b"\n")


def run_in_terminal(args: list[str], stream: str, env: dict[str, str] | None = None):
    """Run with `stream` ("stdout" or "stderr") on a pseudo-terminal; the other one piped.

    Returns `(exit status, terminal bytes, piped bytes)`.
    """
    master, slave = os.openpty()
    pipes: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: slave}
    try:
        with subprocess.Popen(
            args, stdin=subprocess.DEVNULL, cwd=ROOT, env=env or environment(), **pipes
        ) as process:
            os.close(slave)
            slave = -1
            shown = read_terminal(master, process)
            other = process.stderr if stream == "stdout" else process.stdout
            assert other is not None
            piped = other.read()
            status = process.wait(DEADLINE)
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    return status, shown, piped


def test_a_terminal_gets_colours_and_indented_json(httpbin):
    status, shown, errors = run_in_terminal(command(f"{httpbin.url}/json"), "stdout")
    assert (status, errors) == (0, b"")
    text = shown.decode()
    assert text.startswith(paint("HTTP/1.1", "version") + " " + paint("200 OK", "2xx") + "\n")
    assert paint("content-type", "name") + ": application/json\n" in text
    assert "\n\n{\n    " + paint('"slideshow"', "key") + ": {\n" in text
    assert paint('"Yours Truly"', "string") in text
    assert text.endswith("}\n")


def test_no_color_in_a_terminal(httpbin):
    args = command(f"{httpbin.url}/json")
    status, shown, _ = run_in_terminal(args, "stdout", environment(NO_COLOR="1"))
    assert status == 0
    assert b"\x1b[" not in shown
    assert shown.startswith(b"HTTP/1.1 200 OK\n")
    assert b'\n\n{\n    "slideshow": {\n        "author": "Yours Truly",' in shown


def test_a_pipe_gets_the_body_as_sent(server):
    result = subprocess.run(
        command(f"{server.url}/bytes/300000"),
        capture_output=True,
        cwd=ROOT,
        env=environment(),
        timeout=DEADLINE,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, pattern(300_000), b"")


def test_the_progress_bar_draws_on_a_terminal(server, tmp_path):
    target = tmp_path / "big.bin"
    size = 8 * 2**20
    args = command("--download", "-o", str(target), f"{server.url}/bytes/{size}")
    status, shown, stdout = run_in_terminal(args, "stderr")
    assert (status, stdout) == (0, b"")
    assert target.read_bytes() == pattern(size)
    lines = shown.decode().split("\n")
    assert lines[0] == f"Saving 8.0 MiB to {target}"
    frames = lines[1].split("\r")[1:]
    # The first frame may come before any time has passed, with no speed or ETA yet.
    assert frames, "the bar was never drawn"
    for frame in frames:
        assert re.fullmatch(
            r"[ \d]{3}% \[[#-]{24}\] [\d.]+ [KMG]?i?B / 8\.0 MiB  [\d.]+ [KMG]?i?B/s  "
            r"ETA (\d:\d\d:\d\d|-:--:--)\x1b\[K",
            frame,
        ), frame
    assert frames[-1].startswith("100% [" + "#" * 24 + "] 8.0 MiB / 8.0 MiB  ")
    assert re.fullmatch(r"Done: 8\.0 MiB in \d+\.\ds \(.+/s\)", lines[2])
    assert lines[3:] == [""]


def test_no_bar_when_stderr_is_not_a_terminal(server, tmp_path):
    target = tmp_path / "big.bin"
    result = subprocess.run(
        command("--download", "-o", str(target), f"{server.url}/bytes/100000"),
        capture_output=True,
        cwd=ROOT,
        env=environment(),
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 0
    assert b"\r" not in result.stderr and not ANSI.search(result.stderr)
    assert result.stderr.startswith(f"Saving 97.7 KiB to {target}\nDone: ".encode())


def test_an_error_is_one_line_and_a_status(tmp_path):
    result = subprocess.run(
        command("--check-status", "127.0.0.1:1/"),
        capture_output=True,
        cwd=ROOT,
        env=environment(),
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 7
    assert result.stdout == b""
    assert result.stderr.startswith(b"python -m requests_async: error: connection error: ")
    assert result.stderr.count(b"\n") == 1


def test_a_reader_that_goes_away_ends_the_run_quietly(server):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            command(f"{server.url}/bytes/300000"),
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=environment(),
            timeout=DEADLINE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, b"")


def test_usage_names_the_module():
    result = subprocess.run(
        command("--help"),
        capture_output=True,
        cwd=ROOT,
        env=environment(),
        timeout=DEADLINE,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith(b"usage: python -m requests_async [OPTIONS] [METHOD] URL")
