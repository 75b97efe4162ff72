"""Find, classify and check the fenced Python blocks of README.md and docs/*.md.

A block is one of three kinds (see `classify`):

* `template`: a signature with placeholders, such as `http.request(method, url, [headers])`.
  Checked by `check_template`, never run.
* `gateway`: the ASGI gateway server (it defines `class GatewayServer`). Compared with
  `examples/gateway.py` by `same_class` and driven in-process by `call_asgi`.
* `run`: everything else, executed by `run_block`.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import inspect
import io
import re
import ssl
import tokenize
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

import httpcore
from httpcore._backends.asyncio import AsyncBackend
from httpcore._backends.sync import SyncBackend

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
TEMPLATE, GATEWAY, RUN = "template", "gateway", "run"
GATEWAY_CLASS = "GatewayServer"


@dataclass(frozen=True)
class Fence:
    """A fenced code block: its page, the line of its first code line, language and code."""

    path: Path
    line: int
    language: str
    source: str

    @property
    def where(self) -> str:
        return f"{_display(self.path)}:{self.line}"


def _display(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def fences(path: Path) -> Iterator[Fence]:
    """Yield every fenced code block of a Markdown file, dedented, in order."""
    return fences_in(path, path.read_text(encoding="utf-8"))


def fences_in(path: Path, text: str, first_line: int = 1) -> Iterator[Fence]:
    """Yield every fenced code block of `text`, found at line `first_line` of `path`."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE_RE.match(lines[index])
        index += 1
        if opening is None:
            continue
        indent, fence = opening["indent"], opening["fence"]
        start = index
        while index < len(lines):
            closing = _FENCE_RE.match(lines[index])
            if (
                closing is not None
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"]
            ):
                break
            index += 1
        else:
            raise ValueError(f"{_display(path)}:{start + first_line - 1}: unclosed code fence")
        body = [
            line[len(indent) :] if line.startswith(indent) else line for line in lines[start:index]
        ]
        language = opening["info"].split()[0] if opening["info"] else ""
        yield Fence(path, start + first_line, language, "\n".join(body) + "\n")
        index += 1


def python_blocks(path: Path) -> list[Fence]:
    """Return the ```python blocks of a page; any other spelling of Python is an error."""
    return python_fences(fences(path))


def python_fences(found: Iterable[Fence]) -> list[Fence]:
    """Keep the ```python fences; any other spelling of Python is an error."""
    blocks = []
    for fence in found:
        if fence.language == "python":
            blocks.append(fence)
        elif fence.language.lower().startswith(("py", "{.py")):
            raise ValueError(f"{fence.where}: write ```python, not ```{fence.language}")
    return blocks


def parse(block: Fence) -> ast.Module:
    tree = compile(
        block.source, block.where, "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    assert isinstance(tree, ast.Module)
    return tree


def _bracketed(node: ast.expr) -> str | None:
    """The name in a one-name list `[name]`: a template's optional argument."""
    if isinstance(node, ast.List) and len(node.elts) == 1 and isinstance(node.elts[0], ast.Name):
        return node.elts[0].id
    return None


def classify(block: Fence) -> str:
    """Return TEMPLATE, GATEWAY or RUN for a block (it must parse)."""
    tree = parse(block)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == GATEWAY_CLASS:
            return GATEWAY
        if isinstance(node, ast.Call) and any(_bracketed(arg) for arg in node.args):
            return TEMPLATE
    return RUN


# Templates ----------------------------------------------------------------------


def _bindings(tree: ast.Module) -> dict[str, ast.Call]:
    """Names the template binds to the result of a call (`x = f()`, `with f() as x`)."""
    bound: dict[str, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.value
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                var, expr = item.optional_vars, item.context_expr
                if isinstance(var, ast.Name) and isinstance(expr, ast.Call):
                    bound[var.id] = expr
    return bound


def _resolve(
    func: ast.expr, bound: dict[str, ast.Call], depth: int = 0
) -> tuple[Callable[..., Any], bool]:
    """The API object a template calls, and whether it is called on an instance.

    The callee is `httpcore.X`, or a method of an object bound to such a call.
    """
    if depth > 5:
        raise AssertionError("template bindings are circular")
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        raise AssertionError(f"template calls {ast.unparse(func)}, which is not httpcore's API")
    owner_name = func.value.id
    owner: Any
    if owner_name == "httpcore":
        owner, via_instance = httpcore, False
    elif owner_name in bound:
        owner, _ = _resolve(bound[owner_name].func, bound, depth + 1)
        assert inspect.isclass(owner), f"{owner_name} is not an instance of an httpcore class"
        via_instance = True
    else:
        raise AssertionError(f"template uses {owner_name!r}, bound to no httpcore call")
    assert hasattr(owner, func.attr), f"{owner_name}.{func.attr} does not exist"
    return getattr(owner, func.attr), via_instance


def _parameters(target: Callable[..., Any], via_instance: bool) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(target).parameters.values())
    return parameters[1:] if via_instance else parameters


def check_template(block: Fence) -> list[str]:
    """Check a signature template against the API; return the calls it names.

    Every call must be `httpcore.<name>(...)` or a method of an object such a call made.
    A positional argument is a bare name or a bracketed `[name]`; it must be the name of
    the parameter in that position, bracketed exactly when the parameter has a default.
    A keyword argument must name a parameter.
    """
    tree = parse(block)
    bound = _bindings(tree)
    checked = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target, via_instance = _resolve(node.func, bound)
        parameters = _parameters(target, via_instance)
        call = ast.unparse(node)
        assert len(node.args) <= len(parameters), f"{call}: too many arguments"
        for arg, parameter in zip(node.args, parameters, strict=False):
            optional = _bracketed(arg)
            name = optional or (arg.id if isinstance(arg, ast.Name) else None)
            assert name == parameter.name, f"{call}: {name!r} is not {parameter.name!r}"
            has_default = parameter.default is not inspect.Parameter.empty
            assert (optional is not None) == has_default, (
                f"{call}: [{name}] must be bracketed exactly when it is optional"
            )
        names = {parameter.name for parameter in parameters}
        for keyword in node.keywords:
            assert keyword.arg in names, f"{call}: no parameter {keyword.arg!r}"
        checked.append(call)
    assert checked, f"{block.where}: a template names no call"
    return checked


# Running --------------------------------------------------------------------------


# A block's last statement, when it is a bare expression, is assigned to this name.
RESULT = "__example_result__"


def compile_block(block: Fence) -> Any:
    """Compile a block so that tracebacks show the page's own line numbers.

    A final bare expression becomes an assignment to `RESULT`, so that its value can be
    checked (a docstring's `f(x) == y` line).
    """
    padded = "\n" * (block.line - 1) + block.source
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(padded, str(block.path), "exec", ast.PyCF_ONLY_AST | flags)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        target = ast.Name(RESULT, ast.Store())
        tree.body[-1] = ast.copy_location(ast.Assign([target], last.value), last)
        ast.fix_missing_locations(tree)
    return compile(tree, str(block.path), "exec", flags)


def run_block(
    block: Fence,
    namespace: dict[str, Any],
    run_coroutine: Callable[[Coroutine[Any, Any, Any]], Any],
) -> Any:
    """Execute a block in `namespace`; a block with top-level await runs as a coroutine.

    Returns the value of the block's final bare expression (None without one).
    """
    namespace.pop(RESULT, None)
    result = eval(compile_block(block), namespace)
    if inspect.iscoroutine(result):
        run_coroutine(result)
    return namespace.pop(RESULT, None)


# Loopback -------------------------------------------------------------------------

# Hosts served by httpbin (on loopback) rather than by the test app.
HTTPBIN_HOSTS = {"httpbin.org"}
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


class Loopback(Protocol):
    """A loopback server fixture: where to connect."""

    host: str
    port: int


def route_connects(
    monkeypatch: pytest.MonkeyPatch,
    server: Loopback,
    httpbin: Loopback,
    tls_server: Loopback | None = None,
    streams: list[Any] | None = None,
) -> list[tuple[str, int, str]]:
    """Send every connect to a loopback server; return the list of `(host, port, peer address)`.

    `httpbin.org` goes to `httpbin`, other hosts to `server`. With a `tls_server` (whose
    certificate must name the hosts asked for), TLS connects and plain connects to port 443
    (where TLS is started later) go to it; without one, a TLS connect fails the test. Every
    stream opened is appended to `streams` when given.
    """
    assert server.host == httpbin.host == "127.0.0.1"
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    made: list[tuple[str, int, str]] = []
    async_connect, sync_connect = AsyncBackend.connect_tcp, SyncBackend.connect_tcp

    def target(host: str, port: int, ssl_context: ssl.SSLContext | None) -> Loopback:
        if tls_server is not None and (ssl_context is not None or port == 443):
            return tls_server
        assert ssl_context is None, f"https://{host}: doc blocks run against plain HTTP"
        return httpbin if host in HTTPBIN_HOSTS else server

    def record(host: str, port: int, stream: Any) -> Any:
        peer = stream.get_extra_info("peername")
        made.append((host, port, peer[0]))
        if streams is not None:
            streams.append(stream)
        return stream

    async def connect_async(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
        to = target(host, port, ssl_context)
        tls = {"ssl_context": ssl_context, "server_hostname": server_hostname}
        stream = await async_connect(self, to.host, to.port, timeout=timeout, **tls)
        return record(host, port, stream)

    def connect_sync(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
        to = target(host, port, ssl_context)
        tls = {"ssl_context": ssl_context, "server_hostname": server_hostname}
        stream = sync_connect(self, to.host, to.port, timeout=timeout, **tls)
        return record(host, port, stream)

    monkeypatch.setattr(AsyncBackend, "connect_tcp", connect_async)
    monkeypatch.setattr(SyncBackend, "connect_tcp", connect_sync)
    return made


def record_pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every pool created from now on, until monkeypatch undoes it."""
    made: list[Any] = []

    def recording(original):
        @functools.wraps(original)
        def init(self, *args, **kwargs):
            original(self, *args, **kwargs)
            made.append(self)

        return init

    for cls in (httpcore.ConnectionPool, httpcore.SyncConnectionPool):
        monkeypatch.setattr(cls, "__init__", recording(cls.__init__))
    return made


def close_pools(pools: list[Any], runner: asyncio.Runner) -> None:
    """Close the pools left open (async ones on `runner`)."""
    for pool in pools:
        if pool.is_closed:
            continue
        if isinstance(pool, httpcore.ConnectionPool):
            runner.run(pool.close())
        else:
            pool.close()


# The gateway ----------------------------------------------------------------------


def _class_def(source: str, name: str) -> ast.ClassDef:
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"no class {name} in the source")


def _comments(source: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    # str.split() also splits on the no-break space the seed README has in one comment.
    return [" ".join(token.string.split()) for token in tokens if token.type == tokenize.COMMENT]


def same_class(first: str, second: str, name: str) -> bool:
    """Whether two sources define class `name` with the same code and comments.

    Layout, quote style, trailing commas and the kind of whitespace inside comments are
    ignored (the example file is formatted by ruff, the README keeps its original layout);
    names, literals, docstrings, the order of statements and the comments' words are not.
    """
    a, b = _class_def(first, name), _class_def(second, name)
    first_lines = first.splitlines()[a.lineno - 1 : a.end_lineno]
    second_lines = second.splitlines()[b.lineno - 1 : b.end_lineno]
    return ast.dump(a) == ast.dump(b) and _comments("\n".join(first_lines)) == _comments(
        "\n".join(second_lines)
    )


async def call_asgi(
    app: Callable[..., Awaitable[None]],
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body_messages: list[bytes],
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Call an ASGI app once, as a server would; return status, headers and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    incoming = [
        {"type": "http.request", "body": part, "more_body": index < len(body_messages) - 1}
        for index, part in enumerate(body_messages or [b""])
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, *parts = sent
    assert start["type"] == "http.response.start"
    assert all(part["type"] == "http.response.body" for part in parts)
    assert [part.get("more_body", False) for part in parts][-1] is False
    return start["status"], start["headers"], b"".join(part["body"] for part in parts)
