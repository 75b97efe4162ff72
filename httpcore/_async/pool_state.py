"""The pool's bookkeeping: which connection a request uses, free slots, waiters, keep-alive.

Everything here runs under the pool's lock and does no I/O: a request takes a decision (a
plan) from `_checkout`, and `ConnectionPool` does the I/O after it.
"""

from __future__ import annotations

import collections
import logging
from typing import TYPE_CHECKING

from .._backends.asyncio import AsyncBackend, AsyncEvent
from .._config import PoolLimits
from .._exceptions import HTTPCoreError, PoolClosed
from .._models import Origin
from .._trace import OriginStats, is_debug_enabled, log_closed
from .http11 import AsyncHTTP11Connection

if TYPE_CHECKING:
    from .connection import AsyncConnection
    from .http2 import AsyncHTTP2Connection


class PendingConnection:
    """A connection being opened to an origin that may speak HTTP/2.

    Requests for the origin wait for it rather than open connections of their own: if ALPN
    picks h2 they share it; if it picks http/1.1 they open their own.
    """

    __slots__ = ("error", "event")

    def __init__(self, event: AsyncEvent) -> None:
        self.event = event
        self.error: BaseException | None = None


class AsyncPoolState:
    """The pool's connections and waiters, changed only with `_lock` held.

    Methods that take the lock themselves say so; the others are called with it held.
    """

    def __init__(self, backend: AsyncBackend, limits: PoolLimits, http2_schemes: frozenset[str]):
        self._backend = backend
        self.limits = limits
        # Schemes whose connections may turn out to be HTTP/2.
        self._http2_schemes = http2_schemes
        self._lock = self._backend.create_lock()
        self._idle: dict[Origin, list[AsyncConnection]] = {}
        self._num_idle = 0
        self._num_active = 0
        self._active: set[AsyncConnection] = set()
        # HTTP/2 connections with streams in flight, per origin: where new streams go.
        self._multiplexed: dict[Origin, list[AsyncHTTP2Connection]] = {}
        self._pending: dict[Origin, PendingConnection] = {}
        # Origins whose last new connection negotiated HTTP/1.1: they connect in parallel.
        self._http11_origins: set[Origin] = set()
        self._waiters: collections.deque[AsyncEvent] = collections.deque()
        # The origin each waiter wants, for waiters a freed HTTP/2 stream could serve.
        self._waiter_origins: dict[AsyncEvent, Origin] = {}
        self._abandoned: collections.deque[AsyncHTTP11Connection] = collections.deque()
        self._abandoned_streams: collections.deque[tuple[AsyncHTTP2Connection, int]] = (
            collections.deque()
        )
        # Requests waiting for a connection, per origin: for stats() only.
        self._num_waiting: dict[Origin, int] = {}
        self._closed = False
        self._next_sweep = 0.0

    def _close(self, connection: AsyncConnection, reason: str) -> None:
        if is_debug_enabled(logging.DEBUG):
            log_closed(connection.origin, reason)
        connection.close()

    def stats(self) -> dict[Origin, OriginStats]:
        """Connections and waiting requests, per origin; consistent, as taken under the lock.

        ```python
        for origin, stats in pool.stats().items():
            print(origin.host, stats.active, stats.idle, stats.waiting)
        ```
        """
        with self._lock:
            # copy() is atomic: the garbage collector may append to these meanwhile.
            abandoned: set[object] = set(self._abandoned.copy())
            abandoned.update(shared for shared, _ in self._abandoned_streams.copy())
            active = [c for c in self._active if c not in abandoned]
            idle = [c for connections in self._idle.values() for c in connections]
            origins = {c.origin for c in active} | set(self._idle) | set(self._num_waiting)
            return {
                origin: OriginStats(
                    active=sum(1 for c in active if c.origin == origin),
                    idle=len(self._idle.get(origin, ())),
                    waiting=self._num_waiting.get(origin, 0),
                    http_versions=frozenset(
                        c.http_version for c in (*active, *idle) if c.origin == origin
                    ),
                )
                for origin in origins
            }

    def _count_waiting(self, origin: Origin, change: int) -> None:
        with self._lock:
            count = self._num_waiting.get(origin, 0) + change
            if count:
                self._num_waiting[origin] = count
            else:
                del self._num_waiting[origin]

    def _register(
        self, connection: AsyncConnection, origin: Origin, pending: PendingConnection | None
    ) -> None:
        """Count in a connection just opened, and wake the requests waiting for it."""
        with self._lock:
            if self._closed:
                self._close(connection, "pool closed")
                raise PoolClosed("the connection pool was closed")
            self._active.add(connection)
            if connection.multiplexed:
                connection.reserve()
                self._multiplexed.setdefault(origin, []).append(connection)
                self._http11_origins.discard(origin)
            elif pending is not None:
                self._http11_origins.add(origin)
            if pending is not None:
                self._resolve(origin, pending, None)

    def _resolve(
        self, origin: Origin, pending: PendingConnection, error: BaseException | None
    ) -> None:
        """Wake the requests waiting for a new connection to `origin` (call with the lock held)."""
        # Only close() (which empties the table) resolves a pending besides its connector.
        self._pending.pop(origin, None)
        # Waiters share a failure; after a cancellation one of them connects instead.
        pending.error = error if isinstance(error, HTTPCoreError) else None
        pending.event.set()
        # Requests queued for a slot may fit on the new connection.
        self._wake_origin(origin, every=True)

    def _checkout(
        self, origin: Origin, *, front: bool
    ) -> tuple[bool, AsyncConnection | None, AsyncEvent | None, PendingConnection | None]:
        """Decide, under the lock, what a request does next.

        Returns `(granted, connection, waiter, pending)`: granted with a connection to use,
        or with None (a slot for a new connection, and the `PendingConnection` to resolve
        once connected); or not granted, with an event to wait for (a free slot) or a
        `PendingConnection` to wait for.
        """
        with self._lock:
            if self._closed:
                raise PoolClosed("the connection pool is closed")
            if self._abandoned or self._abandoned_streams:
                self._reclaim_abandoned()
            now = self._backend.monotonic()
            if now >= self._next_sweep:
                self._sweep(now)
            http2 = origin.scheme in self._http2_schemes
            if http2:
                for shared in self._multiplexed.get(origin, ()):
                    if shared.has_capacity():
                        shared.reserve()
                        return True, shared, None, None
            if origin in self._idle:
                connection = self._take_idle(origin, now)
                if connection is not None:
                    return True, connection, None, None
            # While a new connection's ALPN is unknown, others wait for it (see PendingConnection).
            negotiates = http2 and origin not in self._http11_origins
            if negotiates and origin in self._pending:
                return False, None, None, self._pending[origin]
            hard_limit = self.limits.hard_limit
            if hard_limit is None or self._num_active + self._num_idle < hard_limit:
                self._num_active += 1
                return True, None, None, self._new_pending(origin) if negotiates else None
            if self._num_idle:
                self._evict_oldest_idle()
                self._num_active += 1
                return True, None, None, self._new_pending(origin) if negotiates else None
            waiter = self._backend.create_event()
            if front:
                self._waiters.appendleft(waiter)
            else:
                self._waiters.append(waiter)
            if http2:
                self._waiter_origins[waiter] = origin
            return False, None, waiter, None

    def _take_idle(self, origin: Origin, now: float) -> AsyncConnection | None:
        """The most recently used idle connection to `origin` still fit for use, if any."""
        idle = self._idle[origin]
        while idle:
            connection = idle.pop()
            self._num_idle -= 1
            if self._has_expired(connection, now):
                self._close(connection, "keep-alive expired")
                continue
            if connection.is_stale():
                self._close(connection, "closed by the server")
                continue
            self._num_active += 1
            self._active.add(connection)
            if not idle:
                del self._idle[origin]
            if connection.multiplexed:
                connection.reserve()
                self._multiplexed.setdefault(origin, []).append(connection)
            return connection
        del self._idle[origin]
        return None

    def _new_pending(self, origin: Origin) -> PendingConnection:
        pending = self._pending[origin] = PendingConnection(self._backend.create_event())
        return pending

    def _response_closed(self, connection: AsyncHTTP11Connection, abandoned: bool) -> None:
        if abandoned:
            # Called by the garbage collector: deque.append is atomic and takes no lock.
            self._abandoned.append(connection)
        else:
            self._release(connection)

    def _stream_closed(
        self, connection: AsyncHTTP2Connection, stream_id: int, abandoned: bool
    ) -> None:
        if abandoned:
            # As in _response_closed: the stream is reset on the pool's next operation.
            self._abandoned_streams.append((connection, stream_id))
        else:
            connection.close_stream(stream_id)
            self._release_stream(connection)

    def _reclaim_abandoned(self) -> None:
        """Take back what responses dropped unclosed held (call with the lock held)."""
        while self._abandoned:
            connection = self._abandoned.popleft()
            self._num_active -= 1
            self._active.discard(connection)
            self._close(connection, "response dropped unclosed")
            self._wake_one()
        while self._abandoned_streams:
            shared, stream_id = self._abandoned_streams.popleft()
            shared.close_stream(stream_id)
            self._return_stream(shared)

    def _release(self, connection: AsyncHTTP11Connection | None, discard: bool = False) -> None:
        """Give back a slot: keep `connection` for reuse if it can be, else close it."""
        with self._lock:
            if self._abandoned or self._abandoned_streams:
                self._reclaim_abandoned()
            self._num_active -= 1
            if connection is not None:
                self._active.discard(connection)
                reason = self._reason_to_close(connection, discard)
                if reason is not None:
                    self._close(connection, reason)
                else:
                    connection.idle_since = self._backend.monotonic()
                    self._idle.setdefault(connection.origin, []).append(connection)
                    self._num_idle += 1
            self._wake_one()

    def _reason_to_close(self, connection: AsyncConnection, discard: bool) -> str | None:
        """Why a connection given back must be closed, or None to keep it alive."""
        if discard:
            return "error"
        if self._closed:
            return "pool closed"
        if connection.multiplexed:
            if connection.is_stale():
                return "closed by the server"
        elif not connection.is_idle():
            if connection.is_closed():
                # RFC 9112 section 9.6: `Connection: close`, or an HTTP/1.0 server.
                return "closed after the response"
            return "response not read to the end"
        if self._num_idle >= self.limits.soft_limit:
            return "keep-alive limit reached"
        if self.limits.keepalive_expiry == 0:
            return "keep-alive disabled"
        return None

    def _release_stream(self, connection: AsyncHTTP2Connection) -> None:
        """Give back a stream of an HTTP/2 connection."""
        with self._lock:
            if self._abandoned or self._abandoned_streams:
                self._reclaim_abandoned()
            self._return_stream(connection)

    def _return_stream(self, connection: AsyncHTTP2Connection) -> None:
        """A stream is done with; a connection left without streams is idle (lock held)."""
        connection.release()
        origin = connection.origin
        if not connection.is_idle():
            if connection.has_capacity():
                self._wake_origin(origin, every=False)
            return
        self._num_active -= 1
        self._active.discard(connection)
        shared = self._multiplexed[origin]
        shared.remove(connection)
        if not shared:
            del self._multiplexed[origin]
        reason = self._reason_to_close(connection, False)
        if reason is not None:
            self._close(connection, reason)
        else:
            connection.idle_since = self._backend.monotonic()
            self._idle.setdefault(origin, []).append(connection)
            self._num_idle += 1
        self._wake_one()

    def _wake_one(self) -> None:
        # Waiters are set only here, by _wake_origin (both after leaving the queue) and by
        # close() (which empties it).
        if self._waiters:
            waiter = self._waiters.popleft()
            if self._waiter_origins:
                self._waiter_origins.pop(waiter, None)
            waiter.set()

    def _wake_origin(self, origin: Origin, *, every: bool) -> None:
        """Wake waiters for `origin` that an HTTP/2 connection now has room for."""
        if not self._waiter_origins:
            return
        for waiter in [w for w in self._waiters if self._waiter_origins.get(w) == origin]:
            self._waiters.remove(waiter)
            del self._waiter_origins[waiter]
            waiter.set()
            if not every:
                return

    def _abandon(self, waiter: AsyncEvent) -> None:
        """A waiter gives up (timeout or cancellation); pass on a wake-up it may have taken."""
        with self._lock:
            self._waiter_origins.pop(waiter, None)
            try:
                self._waiters.remove(waiter)
            except ValueError:
                # Out of the queue means woken (or the pool closed, and waking is harmless).
                self._wake_one()

    def _has_expired(self, connection: AsyncConnection, now: float) -> bool:
        expiry = self.limits.keepalive_expiry
        return expiry is not None and now - connection.idle_since >= expiry

    def _sweep(self, now: float) -> None:
        """Close idle connections past their keep-alive expiry (at most about once a second)."""
        self._next_sweep = now + 1.0
        for origin, connections in list(self._idle.items()):
            keep = []
            for connection in connections:
                if self._has_expired(connection, now):
                    self._close(connection, "keep-alive expired")
                    self._num_idle -= 1
                else:
                    keep.append(connection)
            if keep:
                self._idle[origin] = keep
            else:
                del self._idle[origin]

    def _evict_oldest_idle(self) -> None:
        # Lists in _idle are never empty, oldest first.
        origin = min(self._idle, key=lambda o: self._idle[o][0].idle_since)
        connections = self._idle[origin]
        self._close(connections.pop(0), "evicted for a new connection")
        self._num_idle -= 1
        if not connections:
            del self._idle[origin]

    def _shut(self) -> tuple[list[AsyncConnection], list[AsyncEvent]]:
        """Mark the pool closed; return every connection to close and every waiter to wake."""
        with self._lock:
            self._closed = True
            self._reclaim_abandoned()
            connections = [c for conns in self._idle.values() for c in conns]
            connections.extend(self._active)
            self._idle.clear()
            self._num_idle = 0
            waiters = list(self._waiters)
            self._waiters.clear()
            self._waiter_origins.clear()
            for origin, pending in list(self._pending.items()):
                self._resolve(origin, pending, PoolClosed("the connection pool was closed"))
        return connections, waiters
