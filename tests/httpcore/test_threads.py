"""The sync pool shared by many threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpcore


def test_threads_share_the_hard_limit(server):
    limits = httpcore.PoolLimits(soft_limit=3, hard_limit=3)
    lock = threading.Lock()
    peak = 0
    with httpcore.SyncConnectionPool(limits=limits) as http:

        def one(_):
            nonlocal peak
            response = http.request("GET", server.url + "/client", stream=True)
            with lock:
                peak = max(peak, http.num_active_connections)
            return response.read()

        with ThreadPoolExecutor(max_workers=8) as executor:
            clients = list(executor.map(one, range(100)))
        assert peak <= 3
        assert len(set(clients)) <= 3
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections <= 3


def test_pool_timeout_across_threads(server):
    limits = httpcore.PoolLimits(hard_limit=1)
    timeout = httpcore.TimeoutConfig(5.0, pool_timeout=0.05)
    with httpcore.SyncConnectionPool(timeout=timeout, limits=limits) as http:
        held = http.request("GET", server.url + "/", stream=True)
        errors = []

        def blocked():
            try:
                http.request("GET", server.url + "/")
            except httpcore.PoolTimeout as exc:
                errors.append(exc)

        thread = threading.Thread(target=blocked)
        thread.start()
        thread.join()
        assert len(errors) == 1
        held.read()
        assert http.num_active_connections == 0
