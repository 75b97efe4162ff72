"""`ASGITransport` sends requests to an ASGI application in-process; `ASGISession` is a test
client for one app. Bodies stream both ways, as through a server.

```python
async with ASGISession(app) as client:
    response = await client.get("/items")
```
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal

import httpcore

from .._asgi_runner import AsyncAppCall, AsyncAppRunner
from .._transports import (
    AppProtocolError,
    ASGIApp,
    LifespanFailed,
    asgi_scope,
    join_base_url,
    lifespan_scope,
    message_type,
    response_body,
    response_start,
)
from ..exceptions import map_core_exceptions
from ..models import PreparedRequest
from .adapters import BaseAdapter, TimeoutTypes, _core_body, _timeout_config
from .response import Response
from .sessions import Session
from .transports import attach, chunks_of, make_response


class _AppResponse(httpcore.Response):
    """An httpcore response fed by an app call; closing it stops the app if it still runs."""

    def __init__(self, call: AsyncAppCall, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._call = call

    async def close(self) -> None:
        await super().close()
        await self._call.cancel()


class ASGITransport(BaseAdapter):
    """An adapter that calls an ASGI application (Starlette, FastAPI...) instead of a server.

    Arguments: `app`, the ASGI 3 application; `raise_app_exceptions`, raise an exception
    the app raised to the caller (the default), else answer a 500 when the app raised
    before its response started; `root_path`, the ASGI `root_path`; `client`, the
    `(host, port)` the app sees as the peer. The response arrives as the app sends it; the
    read timeout applies to each wait for the app. Protocol errors raise `AppProtocolError`.

    ```python
    session.mount("http://testserver/", ASGITransport(app))
    ```
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client
        self.state: dict[str, Any] = {}
        self._runner = AsyncAppRunner()
        self._lifespan: AsyncAppCall | None = None

    async def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutTypes = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        """Call the app with `request`; return once it has started its response."""
        read_timeout = _timeout_config(timeout).read_timeout
        scope = asgi_scope(request, root_path=self.root_path, client=self.client, state=self.state)
        call = await self._runner.start(self.app, scope, _core_body(request.body))
        try:
            with map_core_exceptions(request):
                start = await call.next_message(read_timeout)
            core: httpcore.Response
            if start is None:
                core = self._failed(call)
            else:
                status, reason, headers = response_start(start, self.app)
                chunks = self._body(call, read_timeout)
                core = _AppResponse(
                    call, status_code=status, reason=reason, headers=headers, stream=chunks
                )
        except BaseException:
            await call.cancel()
            raise
        response = attach(self, request, make_response(core))
        if not stream:
            await response.read()
            await response.close()
        return response

    def _failed(self, call: AsyncAppCall) -> httpcore.Response:
        """The answer when the app returned without starting a response."""
        if call.error is None:
            raise AppProtocolError(
                f"ASGI app {self.app!r} returned without sending 'http.response.start'"
            )
        if self.raise_app_exceptions or isinstance(call.error, AppProtocolError):
            raise call.error
        return httpcore.Response(
            500,
            reason="Internal Server Error",
            headers=[(b"content-length", b"0")],
            stream=chunks_of([]),
        )

    async def _body(self, call: AsyncAppCall, timeout: float | None) -> AsyncIterator[bytes]:
        more = True
        while more:
            message = await call.next_message(timeout)
            if message is None:
                self._raise_ended(call, "returned before its response body was complete")
                return
            chunk, more = response_body(message, self.app)
            if chunk:
                yield chunk
        # ASGI: once the response is complete, receive() reports the client as gone.
        await call.push({"type": "http.disconnect"})
        message = await call.next_message(timeout)
        if message is not None:
            raise AppProtocolError(
                f"ASGI app {self.app!r} sent {message_type(message, self.app)!r} after "
                "its response was complete"
            )
        self._raise_ended(call, None)

    def _raise_ended(self, call: AsyncAppCall, problem: str | None) -> None:
        """Raise what the app raised (unless told not to); a bare early return is an error."""
        error = call.error
        if error is not None and (self.raise_app_exceptions or isinstance(error, AppProtocolError)):
            raise error
        if error is None and problem is not None:
            raise AppProtocolError(f"ASGI app {self.app!r} {problem}")

    async def startup(self, *, required: bool = True, timeout: float | None = None) -> bool:
        """Run the app's lifespan startup; False if the app has no lifespan (and not required).

        Raises `LifespanFailed` if startup failed (or lifespan is unsupported but required).
        """
        call = await self._runner.start(self.app, lifespan_scope(self.state), None)
        await call.push({"type": "lifespan.startup"})
        try:
            message = await call.next_message(timeout)
            if message is None:
                if required:
                    raise LifespanFailed(
                        f"ASGI app {self.app!r} does not support lifespan"
                    ) from call.error
                return False
            self._check_lifespan(message, "startup")
        except BaseException:
            await call.cancel()
            raise
        self._lifespan = call
        return True

    async def shutdown(self, *, timeout: float | None = None) -> None:
        """Run the app's lifespan shutdown, if startup ran; raise `LifespanFailed` if it fails."""
        call, self._lifespan = self._lifespan, None
        if call is None:
            return
        try:
            await call.push({"type": "lifespan.shutdown"})
            message = await call.next_message(timeout)
            if message is None:
                raise LifespanFailed(
                    f"ASGI app {self.app!r} ended its lifespan before shutdown"
                ) from call.error
            self._check_lifespan(message, "shutdown")
            await call.next_message(timeout)
        finally:
            await call.cancel()

    def _check_lifespan(self, message: Any, phase: str) -> None:
        kind = message_type(message, self.app)
        if kind == f"lifespan.{phase}.failed":
            detail = message.get("message", "")
            raise LifespanFailed(f"ASGI app {self.app!r} failed its lifespan {phase}: {detail}")
        if kind != f"lifespan.{phase}.complete":
            raise AppProtocolError(
                f"ASGI app {self.app!r} sent {kind!r} in answer to 'lifespan.{phase}'"
            )

    async def close(self) -> None:
        """Stop the app calls still running (and, in the sync flavor, the app's loop)."""
        lifespan, self._lifespan = self._lifespan, None
        if lifespan is not None:
            await lifespan.cancel()
        await self._runner.close()


class ASGISession(Session):
    """A Session that sends every request to one ASGI app: a test client.

    Arguments: `app`; `base_url`, against which relative URLs are resolved; `lifespan`:
    `"auto"` (the default) runs the app's lifespan startup and shutdown around
    `async with` when the app supports it, `True` requires it, `False` skips it; the
    other arguments are `ASGITransport`'s. Environment settings (proxies, netrc, CA
    bundles) are not read: no request leaves the process.

    ```python
    async with ASGISession(app) as client:
        response = await client.post("/items", json={"name": "x"})
        assert response.status_code == 201
    ```
    """

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        *,
        lifespan: bool | Literal["auto"] = "auto",
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
    ) -> None:
        super().__init__()
        self.base_url = base_url
        self.lifespan = lifespan
        self.trust_env = False
        self.transport = ASGITransport(
            app, raise_app_exceptions=raise_app_exceptions, root_path=root_path, client=client
        )
        self.adapters.clear()
        self.mount("https://", self.transport)
        self.mount("http://", self.transport)

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        """As `Session.request`, with `url` resolved against `base_url`."""
        return await super().request(method, join_base_url(self.base_url, url), *args, **kwargs)

    async def __aenter__(self) -> ASGISession:
        if self.lifespan is not False:
            await self.transport.startup(required=self.lifespan is True)
        return self

    async def __aexit__(self, *args: object) -> None:
        try:
            await self.transport.shutdown()
        finally:
            await self.close()
