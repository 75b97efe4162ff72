"""`import httpcore` stays cheap: the async classes (and asyncio) load on first use, the
HTTP/2 engine with the first HTTP/2 connection."""

from __future__ import annotations

import subprocess
import sys

import pytest

import httpcore


def test_import_does_not_load_asyncio():
    code = (
        "import sys, httpcore\n"
        "assert 'asyncio' not in sys.modules, 'asyncio loaded by import httpcore'\n"
        "httpcore.SyncConnectionPool().close()\n"
        "assert 'asyncio' not in sys.modules\n"
        "httpcore.ConnectionPool\n"
        "assert 'asyncio' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_http2_engine_loads_with_the_first_http2_connection(h2c_server):
    code = (
        "import sys, httpcore\n"
        "engine = 'httpcore._h2engine'\n"
        "with httpcore.SyncConnectionPool(http2=True) as pool:\n"
        "    assert engine not in sys.modules, 'engine loaded before any HTTP/2 connection'\n"
        f"    pool.request('GET', {h2c_server.url!r}).close()\n"
        "    assert engine not in sys.modules, 'engine loaded for an HTTP/1.1 connection'\n"
        "with httpcore.SyncConnectionPool(http2_prior_knowledge=True) as pool:\n"
        f"    response = pool.request('GET', {h2c_server.url!r})\n"
        "    assert response.http_version == 'HTTP/2', response.http_version\n"
        "    assert engine in sys.modules\n"
        "assert 'h2' not in sys.modules and 'hpack' not in sys.modules, 'h2 loaded at run time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_async_names_resolve_and_unknown_names_fail():
    from httpcore._async.pool import ConnectionPool
    from httpcore._async.response import Response

    assert httpcore.ConnectionPool is ConnectionPool
    assert httpcore.Response is Response
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        httpcore.nope  # noqa: B018
