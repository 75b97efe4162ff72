"""Importing requests_async (async or sync) loads no event loop: the ASGI transport, which
needs asyncio, is imported on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import requests_async
import requests_async.sync
from requests_async._async import transport_asgi as async_asgi
from requests_async._sync import transport_asgi as sync_asgi


def test_import_loads_no_event_loop():
    code = (
        "import sys, requests_async, requests_async.sync\n"
        "assert 'asyncio' not in sys.modules, 'asyncio loaded by import requests_async'\n"
        "assert 'inspect' not in sys.modules, 'inspect loaded by import requests_async'\n"
        "requests_async.sync.ASGITransport\n"
        "assert 'asyncio' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "package, module", [(requests_async, async_asgi), (requests_async.sync, sync_asgi)]
)
def test_lazy_names_resolve_and_unknown_names_fail(package, module):
    assert package.ASGITransport is module.ASGITransport
    assert package.ASGISession is module.ASGISession
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        package.nope  # noqa: B018
