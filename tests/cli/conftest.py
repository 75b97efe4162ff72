"""Fixtures for the command-line client: an in-process runner and a server of byte ranges."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from requests_async.cli import main
from tests.cli.ranges_app import app as ranges_app
from tests.servers import UvicornThread


class FakeStream(io.TextIOWrapper):
    """A text stream over bytes in memory that says whether it is a terminal."""

    def __init__(self, terminal: bool = False, raw: io.BytesIO | None = None) -> None:
        super().__init__(raw or io.BytesIO(), encoding="utf-8", write_through=True)
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal

    def data(self) -> bytes:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue()


@dataclass
class Result:
    status: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8")


Run = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch) -> Run:
    """`cli(*argv, stdout_tty=, stderr_tty=, stdin=, prog=)`: run `main` in-process and
    capture its I/O."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(
        *argv: str,
        stdout_tty: bool = False,
        stderr_tty: bool = False,
        stdin: bytes = b"",
        prog: str = "duohttp",
    ) -> Result:
        stdout, stderr = FakeStream(stdout_tty), FakeStream(stderr_tty)
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setattr(sys, "stderr", stderr)
        monkeypatch.setattr(sys, "stdin", FakeStream(raw=io.BytesIO(stdin)))
        status = main(list(argv), prog=prog)
        return Result(status, stdout.data(), stderr.data().decode("utf-8"))

    return run


@pytest.fixture(scope="session")
def ranges_server() -> Iterator[UvicornThread]:
    """uvicorn serving `tests/cli/ranges_app.py` (byte ranges) on 127.0.0.1."""
    with UvicornThread(ranges_app) as running:
        yield running
