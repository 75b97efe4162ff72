"""Every ```python block in the docstrings of httpcore and requests_async runs here.

The modules are found with `pkgutil` (private ones and the generated `_sync` twins included:
unasync rewrites their examples, dropping `await` and `async`, so they differ from the
`_async` ones and run with sync objects). The docstrings of each module, class, function and
method, nested ones too, are read from the source (as the API reference reads them), and a
test checks that `inspect` finds no other example at run time. Each block is one test, named
by the qualified name of its docstring (`#2` for a docstring's second block).

Conventions for the blocks:

* A block runs in a copy of its module's globals, so it may use the module's private names,
  with `__name__` the module's name. Top-level `await`, `async with` and `async for` are
  allowed (`ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`); such a block runs on an event loop of its own.
  The working directory is a fresh temporary one, so a block may write files.
* A block may use these standard names without defining them; each is bound only when the
  block reads it and never assigns it, and then takes precedence over a module global of the
  same name. The objects are async ones (`ConnectionPool`, `requests_async.Session`...),
  except in the sync twins (modules under `_sync` or `requests_async.sync`), which get the
  sync ones:
  - `httpcore`, `requests_async`: the packages.
  - `url`: `"http://example.com/"`.
  - `pool`, `http`: a new connection pool.
  - `session`: a new Session; `response`: the answer to `session.get(url)`, content read.
  - `prepared`: a `PreparedRequest` for `GET url`.
  - `app`: a small ASGI app: `GET /items` answers a JSON list, `POST /items` answers 201 with
    the JSON it was sent, anything else 404; it supports the lifespan protocol.
  - `backend`, `origin`, `ssl`, `context`, `limits`, `stream`, for httpcore's connection
    functions: a backend, `Origin("https", "example.com", 443)`, an `SSLConfig` and an
    `ssl.SSLContext` that trust the test CA, the default `ProtocolLimits`, and a plain TCP
    stream to `example.com:443`.
* Every TCP connect goes to a loopback server whatever host the block names, as in
  `tests/test_docs.py`: `httpbin.org` to httpbin, other hosts to the test app (`GET /` is
  `Hello, world`); a TLS connect goes to a uvicorn serving the test app over TLS with a
  certificate for `example.com` from the test CA. Every connection's peer must be 127.0.0.1.
* A block whose last statement is a bare expression that evaluates to a bool must give
  True, so `f(x) == y` lines are checked; other final values are not looked at.
* After a block, the httpcore and requests_async objects it left in its namespace are
  closed (responses, sessions, pools, connections, streams), then any pool still open.

No block is skipped: a block that raises fails its test.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import httpcore
import requests_async
from tests.docs_support import (
    Fence,
    close_pools,
    fences_in,
    python_fences,
    record_pools,
    route_connects,
    run_block,
)
from tests.servers import UvicornThread, write_leaf_file
from tests.servers.app import app as loopback_app

PACKAGES = (httpcore, requests_async)
EXAMPLE_HOST = "example.com"


def _cannot_import(name: str) -> None:
    raise ImportError(f"cannot import {name}")


def module_names() -> list[str]:
    """Every module of both packages, private ones included."""
    names = []
    for package in PACKAGES:
        prefix = f"{package.__name__}."
        names.append(package.__name__)
        found = pkgutil.walk_packages(package.__path__, prefix, onerror=_cannot_import)
        names += [info.name for info in found]
    return sorted(names)


_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring_node(node: ast.AST) -> ast.Constant | None:
    """The string literal that is the docstring of a module, class or function."""
    if not isinstance(node, (ast.Module, *_DEFINITIONS)) or not node.body:
        return None
    first = node.body[0]
    if not isinstance(first, ast.Expr) or not isinstance(first.value, ast.Constant):
        return None
    return first.value if isinstance(first.value.value, str) else None


def docstrings(module: ModuleType) -> Iterator[tuple[str, Fence]]:
    """Yield `(qualified name, block)` for the ```python blocks of a module's docstrings."""
    path = Path(inspect.getfile(module))
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, qualname: str) -> Iterator[tuple[str, Fence]]:
        doc = _docstring_node(node)
        if doc is not None:
            for block in python_fences(fences_in(path, doc.value, doc.lineno)):
                yield qualname, block
        for child in ast.iter_child_nodes(node):
            name = f"{qualname}.{child.name}" if isinstance(child, _DEFINITIONS) else qualname
            yield from visit(child, name)

    yield from visit(tree, module.__name__)


@dataclass(frozen=True)
class Example:
    module: str
    qualname: str
    block: Fence

    @property
    def is_sync(self) -> bool:
        return bool({"_sync", "sync"} & set(self.module.split(".")))


def collect() -> list[tuple[str, Example]]:
    found: list[tuple[str, Example]] = []
    for name in module_names():
        counts: dict[str, int] = {}
        for qualname, block in docstrings(importlib.import_module(name)):
            counts[qualname] = counts.get(qualname, 0) + 1
            test_id = qualname if counts[qualname] == 1 else f"{qualname}#{counts[qualname]}"
            found.append((test_id, Example(name, qualname, block)))
    return found


EXAMPLES = collect()


# Standard names -----------------------------------------------------------------------


async def items_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The `app` of the examples: a list of items, with lifespan support."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if scope["path"] != "/items":
        status, content = 404, b"null"
    elif scope["method"] == "POST":
        status, content = 201, json.dumps(json.loads(body)).encode()
    else:
        status, content = 200, b"[]"
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class StandardNames:
    """Makes the standard names a block reads, in its flavor; `made` holds them by name."""

    def __init__(self, example: Example, ca_file: Path) -> None:
        self.sync = example.is_sync
        self.ca_file = ca_file
        self.made: dict[str, Any] = {}

    async def get(self, name: str) -> Any:
        if name not in self.made:
            self.made[name] = await getattr(self, f"make_{name}")()
        return self.made[name]

    async def make_httpcore(self) -> Any:
        return httpcore

    async def make_requests_async(self) -> Any:
        return requests_async

    async def make_url(self) -> str:
        return f"http://{EXAMPLE_HOST}/"

    async def make_pool(self) -> Any:
        return httpcore.SyncConnectionPool() if self.sync else httpcore.ConnectionPool()

    async def make_http(self) -> Any:
        return await self.get("pool")

    async def make_session(self) -> Any:
        return requests_async.sync.Session() if self.sync else requests_async.Session()

    async def make_response(self) -> Any:
        session, url = await self.get("session"), await self.get("url")
        return session.get(url) if self.sync else await session.get(url)

    async def make_prepared(self) -> Any:
        return requests_async.Request("GET", await self.get("url")).prepare()

    async def make_app(self) -> Any:
        return items_app

    async def make_backend(self) -> Any:
        from httpcore._backends.asyncio import AsyncBackend
        from httpcore._backends.sync import SyncBackend

        return SyncBackend() if self.sync else AsyncBackend()

    async def make_origin(self) -> Any:
        return httpcore.Origin("https", EXAMPLE_HOST, 443)

    async def make_ssl(self) -> Any:
        return httpcore.SSLConfig(verify=str(self.ca_file))

    async def make_context(self) -> Any:
        return (await self.get("ssl")).load_ssl_context()

    async def make_limits(self) -> Any:
        return httpcore.ProtocolLimits()

    async def make_stream(self) -> Any:
        backend = await self.get("backend")
        stream = backend.connect_tcp(EXAMPLE_HOST, 443, timeout=5.0)
        return stream if self.sync else await stream


STANDARD = sorted(name[len("make_") :] for name in vars(StandardNames) if name.startswith("make_"))


def free_names(block: Fence) -> set[str]:
    """The names a block reads before it binds them.

    Reads and bindings are taken in source order, except that an assignment binds its
    targets after its value is read (`stream = f(stream)` reads `stream` first).
    """
    tree = ast.parse(block.source)  # top-level await parses; only compiling rejects it
    assigned: dict[int, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            for target in targets:
                assigned.update((id(name), end) for name in ast.walk(target))
    events: list[tuple[tuple[int, int], bool, str]] = []
    for node in ast.walk(tree):
        where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if isinstance(node, ast.Name):
            is_read = isinstance(node.ctx, ast.Load)
            events.append((where if is_read else assigned.get(id(node), where), is_read, node.id))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            events += [(where, False, (a.asname or a.name).split(".")[0]) for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            events.append((where, False, node.name))
    free: set[str] = set()
    bound: set[str] = set()
    # At one position a read sorts first (True > False, so reverse the flag).
    for _, is_read, name in sorted(events, key=lambda event: (event[0], not event[1])):
        if is_read and name not in bound:
            free.add(name)
        elif not is_read:
            bound.add(name)
    return free


async def close_all(values: list[Any]) -> None:
    """Close the httpcore and requests_async objects among `values`, last made first."""
    for value in reversed(values):
        if not type(value).__module__.startswith(("httpcore", "requests_async")):
            continue
        close = getattr(value, "close", None)
        if callable(close):
            result = close()
            if inspect.isawaitable(result):
                await result


# Fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_tls_server(ca, tls_dir) -> Iterator[UvicornThread]:
    """uvicorn over TLS, with a certificate for `example.com` from the test CA."""
    certfile = write_leaf_file(ca, tls_dir / "docstring-examples.pem", EXAMPLE_HOST)
    with UvicornThread(loopback_app, certfile=certfile) as running:
        yield running


@pytest.fixture
def connects(monkeypatch, server, httpbin, example_tls_server) -> tuple[list[Any], list[Any]]:
    """Every connect goes to loopback: `(host, port, peer)` records, and the streams."""
    streams: list[Any] = []
    made = route_connects(monkeypatch, server, httpbin, example_tls_server, streams)
    return made, streams


@pytest.fixture
def pools(monkeypatch) -> list[Any]:
    return record_pools(monkeypatch)


# Tests --------------------------------------------------------------------------------


def run_example(example: Example, runner: asyncio.Runner, ca_file: Path, made: list[Any]) -> Any:
    """Run one block and return its final value; what it made is added to `made`."""
    module_globals = vars(sys.modules[example.module])
    namespace = dict(module_globals)
    names = StandardNames(example, ca_file)
    try:
        for name in sorted(free_names(example.block) & set(STANDARD)):
            namespace[name] = runner.run(names.get(name))
        return run_block(example.block, namespace, runner.run)
    finally:
        made += names.made.values()
        made += [
            value
            for name, value in namespace.items()
            if module_globals.get(name) is not value and names.made.get(name) is not value
        ]


@pytest.mark.parametrize("example", [e for _, e in EXAMPLES], ids=[i for i, _ in EXAMPLES])
def test_docstring_example_runs(example, connects, pools, ca_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    records, streams = connects
    made: list[Any] = []
    with asyncio.Runner() as runner:
        try:
            result = run_example(example, runner, ca_file, made)
        except Exception as exc:
            raise AssertionError(f"{example.block.where}: {example.qualname}: {exc!r}") from exc
        finally:
            runner.run(close_all(made))
            close_pools(pools, runner)
            for stream in streams:
                stream.close()
    if isinstance(result, bool):
        assert result, f"{example.block.where}: the last line of {example.qualname} is False"
    assert all(peer == "127.0.0.1" for _, _, peer in records), records


def runtime_docstrings(module: ModuleType) -> Iterator[tuple[str, str]]:
    """`(qualified name, docstring)` of a module and of what `inspect` finds defined in it."""
    if module.__doc__:
        yield module.__name__, module.__doc__
    pending = [
        obj
        for obj in vars(module).values()
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ == module.__name__
    ]
    while pending:
        obj = pending.pop()
        if obj.__doc__:
            yield f"{module.__name__}.{obj.__qualname__}", obj.__doc__
        if inspect.isclass(obj):
            for member in vars(obj).values():
                function = member.fget if isinstance(member, property) else member
                function = getattr(function, "__func__", function)  # static and class methods
                if inspect.isclass(function) or inspect.isfunction(function):
                    pending.append(function)


def test_inspect_finds_no_other_example():
    collected = {(example.module, example.block.source) for _, example in EXAMPLES}
    missed = []
    for name in module_names():
        module = sys.modules[name]
        for qualname, doc in runtime_docstrings(module):
            path = Path(inspect.getfile(module))
            for block in python_fences(fences_in(path, inspect.cleandoc(doc))):
                if (name, block.source) not in collected:
                    missed.append(qualname)
    assert not missed
    assert len(EXAMPLES) > 100


def test_sync_twins_have_examples_of_their_own():
    """The generated `_sync` modules are not skipped: unasync rewrote their examples."""

    def sources(package: str) -> set[str]:
        return {e.block.source for _, e in EXAMPLES if package in e.module.split(".")}

    generated, written = sources("_sync"), sources("_async")
    assert generated - written
    assert all(e.is_sync for _, e in EXAMPLES if "_sync" in e.module.split("."))


def test_free_names_follow_the_order_of_evaluation():
    def free(source: str) -> set[str]:
        return free_names(Fence(Path("x.py"), 1, "python", source))

    assert free("stream = await start_tls(stream, context)\n") == {"start_tls", "stream", "context"}
    assert free("async with Pool() as pool:\n    await pool.request(url)\n") == {"Pool", "url"}
    assert free("import json\nsession = make()\nsession.get(json)\n") == {"make"}
    assert free("def hook(response):\n    return response\n") == {"response"}


def test_a_false_final_line_is_reported():
    block = Fence(Path("x.py"), 1, "python", "value = 2\nvalue == 3\n")
    assert run_block(block, {}, asyncio.run) is False
    awaited = Fence(Path("x.py"), 1, "python", "import asyncio\nawait asyncio.sleep(0, True)\n")
    assert run_block(awaited, {}, asyncio.run) is True
