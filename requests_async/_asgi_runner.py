"""Where ASGI applications run for the ASGI transport: written once per flavor, like backends.

`AsyncAppRunner` runs each call of the app as a task of the caller's event loop.
`SyncAppRunner` (for the sync Session) runs them in an event loop of its own, on a thread
that lives until `close()`, so that lifespan state and background tasks outlive one request.
A call's methods have the same names in both flavors; the sync ones block.

```python
runner = AsyncAppRunner()
scope = {"type": "http", "method": "GET", "path": "/items", "headers": []}
call = await runner.start(app, scope, b"")
message = await call.next_message(timeout=5)
assert message["type"] == "http.response.start"
await runner.close()
```
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterable, AsyncIterator, Coroutine, Iterable, Iterator
from typing import Any, TypeVar

import httpcore

from ._transports import ASGIApp, Message

T = TypeVar("T")
Body = bytes | Iterable[bytes] | AsyncIterable[bytes] | None


class AsyncAppCall:
    """One call of an ASGI app, running as a task: what it sends is read with next_message().

    `body` is the request body, read by the app through `receive()` as `http.request`
    messages; `None` (lifespan) means that `receive()` waits for pushed messages only. Once
    the body is read, `receive()` waits for pushed messages (`http.disconnect`).
    """

    def __init__(self, app: ASGIApp, scope: Message, body: Body) -> None:
        self.error: Exception | None = None
        self.disconnected = False
        self._app = app
        self._scope = scope
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        # One message in flight: an app that sends without pause waits for the reader.
        self._outbox: asyncio.Queue[Message | None] = asyncio.Queue(maxsize=1)
        self._chunks: Iterator[bytes] | AsyncIterator[bytes] | None = None
        self._last_body: bytes | None = None
        if isinstance(body, bytes):
            self._last_body = body
        elif isinstance(body, AsyncIterable):
            self._chunks = body.__aiter__()
        elif body is not None:
            self._chunks = iter(body)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._receive, self._send)
        except Exception as exc:
            self.error = exc
        if not self.disconnected:
            # The end of the call, read by next_message() as None.
            await self._outbox.put(None)

    async def _receive(self) -> Message:
        if self._chunks is not None:
            chunk = await self._next_chunk(self._chunks)
            if chunk is not None:
                return {"type": "http.request", "body": chunk, "more_body": True}
            self._chunks = None
            self._last_body = b""
        if self._last_body is not None:
            body, self._last_body = self._last_body, None
            return {"type": "http.request", "body": body, "more_body": False}
        return await self._inbox.get()

    @staticmethod
    async def _next_chunk(chunks: Iterator[bytes] | AsyncIterator[bytes]) -> bytes | None:
        if isinstance(chunks, AsyncIterator):
            return await anext(chunks, None)
        return next(chunks, None)

    async def _send(self, message: Message) -> None:
        if self.disconnected:
            # ASGI 2.4: sending on a connection the client closed raises OSError.
            raise OSError("the client closed the response")
        await self._outbox.put(message)

    async def next_message(self, timeout: float | None) -> Message | None:
        """The next message the app sent, or None once it returned (see `error`).

        Raises `httpcore.ReadTimeout` when nothing arrives within `timeout` seconds.
        """
        try:
            return await asyncio.wait_for(self._outbox.get(), timeout)
        except TimeoutError:
            raise httpcore.ReadTimeout(
                f"the ASGI app sent nothing within {timeout} seconds"
            ) from None

    async def push(self, message: Message) -> None:
        """Hand `message` to the app's next `receive()` call."""
        self._inbox.put_nowait(message)

    async def cancel(self) -> None:
        """Stop the app if it still runs, and wait until it has."""
        self.disconnected = True
        if not self._task.done():
            self._task.cancel()
            # wait() does not raise the task's CancelledError, so a cancellation of the
            # caller itself still propagates.
            await asyncio.wait((self._task,))


class AsyncAppRunner:
    """Starts calls of ASGI apps in the running event loop; close() stops those still running."""

    def __init__(self) -> None:
        self._calls: set[AsyncAppCall] = set()

    async def start(self, app: ASGIApp, scope: Message, body: Body) -> AsyncAppCall:
        call = AsyncAppCall(app, scope, body)
        self._calls.add(call)
        call._task.add_done_callback(lambda _: self._calls.discard(call))
        return call

    async def close(self) -> None:
        """Cancel the calls still running (responses left open) and wait for them to end."""
        for call in list(self._calls):
            await call.cancel()


async def _start(app: ASGIApp, scope: Message, body: Body) -> AsyncAppCall:
    return AsyncAppCall(app, scope, body)


class SyncAppCall:
    """A call of an ASGI app that runs in a `SyncAppRunner`'s loop; methods block."""

    def __init__(self, runner: SyncAppRunner, call: AsyncAppCall) -> None:
        self._runner = runner
        self._call = call

    @property
    def error(self) -> Exception | None:
        return self._call.error

    def next_message(self, timeout: float | None) -> Message | None:
        return self._runner.run(self._call.next_message(timeout))

    def push(self, message: Message) -> None:
        self._runner.run(self._call.push(message))

    def cancel(self) -> None:
        self._runner.run(self._call.cancel())


class SyncAppRunner:
    """Runs ASGI apps for sync callers, in an event loop on a thread of its own.

    The thread starts with the first call and stops in `close()`, which cancels what still
    runs there. Calls may come from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="requests_async ASGI app", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` in the app loop and return its result (or raise its exception)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._running_loop()).result()

    def start(self, app: ASGIApp, scope: Message, body: Body) -> SyncAppCall:
        return SyncAppCall(self, self.run(_start(app, scope, body)))

    def close(self) -> None:
        """Cancel the app calls still running and stop the loop thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


async def _cancel_all() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)
    await asyncio.get_running_loop().shutdown_asyncgens()
