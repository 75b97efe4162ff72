"""`import httpcore` stays cheap: the async classes (and asyncio) load on first use."""

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


def test_async_names_resolve_and_unknown_names_fail():
    from httpcore._async.pool import ConnectionPool
    from httpcore._async.response import Response

    assert httpcore.ConnectionPool is ConnectionPool
    assert httpcore.Response is Response
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        httpcore.nope  # noqa: B018
