"""Tests for scripts/unasync, the generator of the sync twin."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "unasync"


def _load() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("unasync_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader("unasync_script", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


unasync = _load()


def convert(source: str) -> str:
    return unasync.convert(textwrap.dedent(source), "x.py")


def same(source: str) -> str:
    return textwrap.dedent(source)


def test_async_def_and_await() -> None:
    got = convert("""
        async def fetch(pool):
            response = await pool.request("GET", url)
            return (await response.read()).upper()
    """)
    assert got == same("""
        def fetch(pool):
            response = pool.request("GET", url)
            return (response.read()).upper()
    """)


def test_async_with_and_async_for() -> None:
    got = convert("""
        async def f():
            async with lock, other as o:
                async for part in stream:
                    pass
            return [x async for x in parts]
    """)
    assert got == same("""
        def f():
            with lock, other as o:
                for part in stream:
                    pass
            return [x for x in parts]
    """)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("__aenter__", "__enter__"),
        ("__aexit__", "__exit__"),
        ("__aiter__", "__iter__"),
        ("__anext__", "__next__"),
        ("aclose", "close"),
        ("anext", "next"),
        ("aiter", "iter"),
        ("StopAsyncIteration", "StopIteration"),
        ("AsyncIterator", "Iterator"),
        ("AsyncIterable", "Iterable"),
        ("ConnectionPool", "SyncConnectionPool"),
        ("Response", "SyncResponse"),
        ("AsyncBackend", "SyncBackend"),
        ("AsyncStream", "SyncStream"),
        ("AsyncHTTP11Connection", "SyncHTTP11Connection"),
        ("AsyncExitStack", "ExitStack"),
    ],
)
def test_renamed_names(name: str, expected: str) -> None:
    assert convert(f"x = {name}\n") == f"x = {expected}\n"
    assert convert(f"x = obj.{name}\n") == f"x = obj.{expected}\n"


@pytest.mark.parametrize(
    "name", ["ResponseClosed", "response", "Asyncio", "Async", "ConnectionPoolX", "my_aclose"]
)
def test_other_names_are_kept(name: str) -> None:
    assert convert(f"x = {name}\n") == f"x = {name}\n"


def test_foreign_module_attributes_are_kept() -> None:
    source = "from h11 import Response\nevent = h11.Response(status_code=200)\n"
    assert convert(source) == source


def test_module_paths() -> None:
    got = convert("""
        from httpcore._async.pool import ConnectionPool
        from ._async import connection
        from .._backends.asyncio import AsyncBackend
    """)
    assert got == same("""
        from httpcore._sync.pool import SyncConnectionPool
        from ._sync import connection
        from .._backends.sync import SyncBackend
    """)


def test_string_literals_are_kept() -> None:
    source = 'x = "async with await ConnectionPool Response aclose"\ny = f"{Response}"\n'
    assert convert(source) == source


def test_docstrings_and_comments_are_converted() -> None:
    got = convert('''
        async def f():
            """Use `async with ConnectionPool()` and `await pool.aclose()`."""
            await g()  # the AsyncStream of a Response, see httpcore/_async/pool.py
    ''')
    assert got == same('''
        def f():
            """Use `with SyncConnectionPool()` and `pool.close()`."""
            g()  # the SyncStream of a SyncResponse, see httpcore/_sync/pool.py
    ''')


def test_prose_await_without_call_is_kept() -> None:
    source = "# callers await the answer; h11.Response is h11's\n"
    assert convert(source) == source


def test_remove_marker_drops_the_logical_line() -> None:
    got = convert("""
        async def f():
            await asyncio.sleep(0)  # unasync: remove
            await call(  # unasync: remove
                1,
            )
            return 1
    """)
    assert got == same("""
        def f():
            return 1
    """)


def test_remove_marker_on_a_line_of_its_own_is_an_error() -> None:
    with pytest.raises(unasync.UnasyncError, match="must end a line of code"):
        convert("# unasync: remove\nx = 1\n")


def test_import_asyncio_is_an_error() -> None:
    with pytest.raises(unasync.UnasyncError, match=r"x\.py:2: asyncio cannot appear"):
        convert("x = 1\nimport asyncio\n")


def test_import_asyncio_may_be_removed() -> None:
    assert convert("import asyncio  # unasync: remove\nx = 1\n") == "x = 1\n"


def test_async_generator_is_an_error() -> None:
    with pytest.raises(unasync.UnasyncError, match="AsyncGenerator"):
        convert("from collections.abc import AsyncGenerator\n")


def test_output_that_does_not_compile_is_an_error() -> None:
    with pytest.raises(unasync.UnasyncError, match="does not compile"):
        convert("if x:\n    await y  # unasync: remove\n")


def test_generate_adds_header_and_formats(tmp_path: Path) -> None:
    source = (
        "from collections.abc import AsyncIterator, Iterator\nimport os\nx: AsyncIterator[int]\n"
    )
    got = unasync.generate(source, "httpcore/_async/a.py", tmp_path / "a.py")
    assert got == (
        "# Generated by scripts/unasync from httpcore/_async/a.py. Do not edit.\n"
        "from collections.abc import Iterator\n"
        "\n"
        "x: Iterator[int]\n"
    )


def test_main_writes_checks_and_deletes_stale_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_dir = tmp_path / "httpcore" / "_async"
    target_dir = tmp_path / "httpcore" / "_sync"
    source_dir.mkdir(parents=True)
    (source_dir / "a.py").write_text("async def f():\n    await g()\n")
    target_dir.mkdir()
    (target_dir / "handwritten.py").write_text("x = 1\n")
    assert unasync.main(["--check"], root=tmp_path) == 1
    assert "+++ httpcore/_sync/a.py" in capsys.readouterr().out
    assert unasync.main([], root=tmp_path) == 0
    assert (target_dir / "a.py").read_text().endswith("def f():\n    g()\n")
    assert unasync.main(["--check"], root=tmp_path) == 0
    (source_dir / "a.py").unlink()
    assert unasync.main(["--check"], root=tmp_path) == 1
    assert "+++ /dev/null" in capsys.readouterr().out
    assert unasync.main([], root=tmp_path) == 0
    assert not (target_dir / "a.py").exists()
    assert (target_dir / "handwritten.py").exists()
