"""Every ```python block of README.md and docs/*.md runs here, against a loopback server.

Conventions for the blocks:

* The blocks of one page share one namespace and run in page order, so a block may use what
  an earlier block of its page defined or imported. The namespace starts with
  `__name__ == "__main__"`, and with `method = "GET"` and `url = "http://example.com/"`:
  the README's usage blocks use these two names as stand-ins for any method and URL.
* Top-level `await`, `async with` and `async for` are allowed: such a block is compiled with
  `ast.PyCF_ALLOW_TOP_LEVEL_AWAIT` and its coroutine runs on the page's event loop (one loop
  per page, so async pools may be shared between blocks). Other blocks run as plain code.
* Blocks name public hosts (`http://example.com`). Every TCP connect, async or sync, goes to
  the `server` fixture on 127.0.0.1 instead, whatever host and port the URL names; the Host
  header still names the URL's host, and the test app answers `GET /` with `Hello, world`
  whatever the host. Connects to `httpbin.org` go to the `httpbin` fixture (httpbin on
  127.0.0.1), so requests_async's examples can use its endpoints (`/get`, `/post`,
  `/cookies/set`, `/digest-auth/...`); it cannot read chunked request bodies. The test
  asserts that every connection's peer is 127.0.0.1. Blocks make no https requests: the
  loopback servers speak plain HTTP. Proxy variables are removed from the environment while
  the blocks run, so that a proxy set for the test run does not reroute requests_async.
* Each block is one of three kinds (`tests/docs_support.py`):
  - a signature template: some call has an argument written `[name]`, a placeholder for an
    optional argument. It is parsed, not run. Each call must be httpcore's API
    (`httpcore.X(...)` or a method of an object such a call made), each positional argument
    must be named as the parameter in its position and be bracketed exactly when that
    parameter is optional, and each keyword must name a parameter.
  - the gateway: a block defining `class GatewayServer`. Its class must equal the class in
    `examples/gateway.py` (code, docstrings and comments; layout, quote style and trailing
    commas aside). The block runs, and its `app` is called in-process, forwarding to the
    loopback server.
  - anything else runs, and must not raise.
  So a block that neither runs nor is a valid template fails its page's test, as does a
  fence spelled `py` or `python3`, or a fence without a language.
* Pools created by a page's blocks are closed after the page, so blocks may leave them open.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from typing import Any

import pytest

import httpcore
from tests.docs_support import (
    GATEWAY,
    GATEWAY_CLASS,
    PAGES,
    ROOT,
    TEMPLATE,
    Fence,
    call_asgi,
    check_template,
    classify,
    close_pools,
    fences,
    python_blocks,
    record_pools,
    route_connects,
    run_block,
    same_class,
)

PLACEHOLDERS = {"method": "GET", "url": "http://example.com/"}
EXPECTED_PAGES = {
    "README.md",
    *(
        f"docs/{name}.md"
        for name in (
            "index",
            "quickstart",
            "pools",
            "streaming",
            "tls",
            "timeouts",
            "exceptions",
            "gateway",
            "http2",
            "requests_async",
            "compatibility",
            "migrating",
            "benchmarks",
            "changelog",
            "cli",
            "proxies",
            "testing",
            "observability",
            "security",
        )
    ),
}


def page_id(page: Any) -> str:
    return str(page.relative_to(ROOT))


@pytest.fixture
def connects(monkeypatch, server, httpbin) -> list[tuple[str, int, str]]:
    """Send every connect to a loopback server; record `(host, port, peer address)`."""
    return route_connects(monkeypatch, server, httpbin)


@pytest.fixture
def pools(monkeypatch) -> list[Any]:
    """Record every pool created while the test runs."""
    return record_pools(monkeypatch)


def example_source() -> str:
    return inspect.getsource(importlib.import_module("examples.gateway"))


def run_gateway(block: Fence, runner: asyncio.Runner) -> None:
    """Check the block's class against examples/gateway.py, then drive its `app`."""
    assert same_class(block.source, example_source(), GATEWAY_CLASS), (
        f"{block.where}: {GATEWAY_CLASS} differs from the one in examples/gateway.py"
    )
    namespace: dict[str, Any] = {"__name__": "gateway"}
    run_block(block, namespace, runner.run)
    app = namespace["app"]
    host = [(b"host", b"gateway.test")]

    status, _, body = runner.run(call_asgi(app, "GET", "/", host, []))
    assert (status, body) == (200, b"Hello, world")

    status, _, body = runner.run(call_asgi(app, "GET", "/echo_headers", host, []))
    upstream_host = httpcore.URL(app.base_url).host_header.decode()
    assert ["host", upstream_host] in json.loads(body)

    chunked = [*host, (b"transfer-encoding", b"chunked")]
    parts = [b"streamed ", b"upload"]
    status, _, body = runner.run(call_asgi(app, "POST", "/echo_body", chunked, parts))
    assert (status, body) == (200, b"streamed upload")


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_python_blocks_run(page, connects, pools):
    blocks = python_blocks(page)
    namespace: dict[str, Any] = {"__name__": "__main__", **PLACEHOLDERS}
    with asyncio.Runner() as runner:
        try:
            for block in blocks:
                kind = classify(block)
                try:
                    if kind == TEMPLATE:
                        check_template(block)
                    elif kind == GATEWAY:
                        run_gateway(block, runner)
                    else:
                        run_block(block, namespace, runner.run)
                except Exception as exc:
                    raise AssertionError(f"{block.where}: {kind} block failed: {exc!r}") from exc
        finally:
            close_pools(pools, runner)
    assert all(pool.is_closed for pool in pools)
    if any(".request(" in block.source for block in blocks if classify(block) != TEMPLATE):
        assert connects, "requests were made, yet no connection was recorded"
    assert all(peer == "127.0.0.1" for _, _, peer in connects), connects


# Pages that document commands and results rather than an API, and the changelog.
WITHOUT_PYTHON = {"docs/benchmarks.md", "docs/changelog.md"}


def test_pages_are_collected():
    assert {page_id(page) for page in PAGES} == EXPECTED_PAGES
    for page in PAGES:
        if page_id(page) in WITHOUT_PYTHON:
            assert not python_blocks(page)
        else:
            assert python_blocks(page), f"{page_id(page)} has no Python example"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_fence_names_its_language(page):
    unnamed = [fence.where for fence in fences(page) if not fence.language]
    assert not unnamed


def test_readme_blocks_are_classified():
    kinds = [classify(block) for block in python_blocks(ROOT / "README.md")]
    assert kinds == ["run", "template", "template", "run", "run", "run", "gateway", "run", "run"]


def test_readme_gateway_class_is_the_example():
    (block,) = [b for b in python_blocks(ROOT / "README.md") if classify(b) == GATEWAY]
    source = example_source()
    assert same_class(block.source, source, GATEWAY_CLASS)
    module = importlib.import_module("examples.gateway")
    assert isinstance(module.app, module.GatewayServer)
    # The comparison sees code and comments, not only layout.
    changed = block.source.replace("b'transfer-encoding'", "b'content-length'")
    assert not same_class(changed, source, GATEWAY_CLASS)
    assert not same_class(block.source.replace("# Standard", "# Plain"), source, GATEWAY_CLASS)


@pytest.mark.parametrize(
    "source",
    [
        "http = httpcore.ConnectionPool([timeout], [ssl])\n",
        "http = httpcore.ConnectionPool(ssl, [timeout])\n",
        "http = httpcore.ConnectionPool([ssl])\nawait http.request(method, [url])\n",
        "http = httpcore.ConnectionPool([ssl])\nawait http.fetch(method, url, [headers])\n",
        "http = httpcore.ConnectionPool([ssl])\nawait http.request(method, url, [headers], x=1)\n",
        "http = httpcore.ConnectionsPool([ssl])\n",
        "http = other.ConnectionPool([ssl])\n",
    ],
)
def test_template_checker_rejects_mismatches(source):
    block = Fence(ROOT / "README.md", 1, "python", source)
    assert classify(block) == TEMPLATE
    with pytest.raises(AssertionError):
        check_template(block)


def test_fences_are_found_with_their_lines(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 1\n```\n\n"
        "!!! note\n    ```python\n    y = 2\n    ```\n\n"
        "~~~py\n~~~\n"
    )
    found = list(fences(page))
    assert [(f.line, f.language, f.source) for f in found[:2]] == [
        (4, "python", "x = 1\n"),
        (9, "python", "y = 2\n"),
    ]
    with pytest.raises(ValueError, match="not ```py"):
        python_blocks(page)
