"""Observability without I/O: trace events, the `httpcore` logger, and what log lines show.

Log lines name the method, the request target as sent (never userinfo: it is not part of a
target, RFC 9112 section 3.2), origins and protocol versions; never a header value, so no
credential or cookie reaches a log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ._models import Origin, Request

logger = logging.getLogger("httpcore")
# NamedTuples rather than dataclasses: `dataclasses` imports `inspect`, which costs
# milliseconds at `import httpcore`.

# Bound once: checked at the start of every request, so that logging costs nothing when off.
is_debug_enabled = logger.isEnabledFor


class TraceEvent(NamedTuple):
    """One stage of a request, as passed to a trace hook (immutable).

    * `name`: the stage, such as `"connection.tcp.complete"` (the observability page lists them).
    * `timestamp`: `time.monotonic()` when the stage was reached.
    * `request`: the `Request` being sent.
    * `info`: details of the stage, such as `status_code` or `tls_version`.

    ```python
    def hook(event: httpcore.TraceEvent) -> None:
        print(f"{event.timestamp:.6f} {event.name} {dict(event.info)}")
    ```
    """

    name: str
    timestamp: float
    request: Request
    info: Mapping[str, Any]


class OriginStats(NamedTuple):
    """What a pool holds for one origin, at the moment `stats()` was called (immutable).

    * `active`: open connections in use by requests (an HTTP/2 one counts once).
    * `idle`: keep-alive connections waiting for reuse.
    * `waiting`: requests waiting for a connection (limits reached, or ALPN still unknown).
    * `http_versions`: the versions of those connections (`{"HTTP/1.1"}`, `{"HTTP/2"}`...).

    ```python
    async with httpcore.ConnectionPool() as pool:
        await pool.request("GET", "http://127.0.0.1:8000/")
        stats = pool.stats()[httpcore.Origin("http", "127.0.0.1", 8000)]
    assert stats.idle == 1 and stats.http_versions == {"HTTP/1.1"}
    ```
    """

    active: int
    idle: int
    waiting: int
    http_versions: frozenset[str]


# The `info` of stages that have nothing to add.
NO_INFO: Mapping[str, Any] = MappingProxyType({})

# A callable taking a `TraceEvent`; async pools also await what it returns, if awaitable.
TraceHook = Callable[[TraceEvent], object]


def origin_text(origin: Origin) -> str:
    """An origin as a log line shows it: `https://example.com:443`."""
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{origin.scheme}://{host}:{origin.port}"


def _target(request: Request) -> str:
    return request.url.target.decode("ascii", "replace")


def log_event(name: str, request: Request, info: Mapping[str, Any]) -> None:
    """Write the DEBUG line for a stage of `request`, for the stages that have one."""
    if name == "request.headers.sent":
        method = request.method.decode("ascii", "replace")
        logger.debug("request sent: %s %s (%s)", method, _target(request), info["http_version"])
    elif name == "response.headers.received":
        status, version = info["status_code"], info["http_version"]
        logger.debug("response headers received: %s %s", version, status)
    elif name == "connection.reused":
        origin = origin_text(info["origin"])
        logger.debug("connection reused: %s (%s)", origin, info["http_version"])
    elif name == "request.failed":
        error = info["error"]
        logger.debug("request failed: %s: %s", type(error).__name__, error)


def log_opened(
    origin: Origin, proxy: str | None, http_version: str, tls_version: str | None
) -> None:
    """Write the DEBUG line for a new connection."""
    via = "" if proxy is None else f" via {proxy}"
    tls = "" if tls_version is None else f", {tls_version}"
    logger.debug("connection opened: %s%s (%s%s)", origin_text(origin), via, http_version, tls)


def log_closed(origin: Origin, reason: str) -> None:
    """Write the DEBUG line for a connection closed, and why."""
    logger.debug("connection closed: %s (%s)", origin_text(origin), reason)
