"""`flavor`: one test body drives the async Session (on an event loop of its own) and the sync one.

`flavor(value)` awaits `value` on the test's loop when it is awaitable and returns it as is
otherwise, so `flavor(session.get(url))` works with both Session classes; `flavor.ns` is
`requests_async` or `requests_async.sync`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

import requests_async
import requests_async.sync
from tests.transports.apps import EVENTS


class Flavor:
    def __init__(self, ns: Any, runner: asyncio.Runner | None) -> None:
        self.ns = ns
        self.runner = runner
        self.is_async = runner is not None

    def __call__(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            assert self.runner is not None
            return self.runner.run(_wrap(value))
        return value

    def list(self, iterator: Any) -> list[Any]:
        """All items of an iterator or async iterator."""
        if hasattr(iterator, "__aiter__"):
            return self(_collect(iterator))
        return list(iterator)

    def next(self, iterator: Any) -> Any:
        if hasattr(iterator, "__anext__"):
            return self(iterator.__anext__())
        return next(iterator)

    def enter(self, manager: Any) -> Any:
        return self(manager.__aenter__() if self.is_async else manager.__enter__())

    def exit(self, manager: Any) -> Any:
        method = manager.__aexit__ if self.is_async else manager.__exit__
        return self(method(None, None, None))


async def _wrap(awaitable: Any) -> Any:
    return await awaitable


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


@pytest.fixture(params=["async", "sync"])
def flavor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flavor]:
    if request.param == "async":
        with asyncio.Runner() as runner:
            yield Flavor(requests_async, runner)
        return
    # Each sync ASGI transport runs its app on a thread until closed: close them all.
    made: list[Any] = []
    original = requests_async.sync.ASGITransport.__init__

    def recording(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(requests_async.sync.ASGITransport, "__init__", recording)
    yield Flavor(requests_async.sync, None)
    for transport in made:
        transport.close()


@pytest.fixture(autouse=True)
def events() -> Iterator[list[str]]:
    """The apps' event log, empty at the start of each test."""
    EVENTS.seen.clear()
    yield EVENTS.seen
    EVENTS.seen.clear()
