"""`WSGITransport`: the sync Session calls a WSGI application (Flask, Django...) in-process.

WSGI is synchronous, so there is one flavor: mount it on `requests_async.sync.Session`.

```python
from flask import Flask

flask_app = Flask(__name__)
flask_app.add_url_rule("/", view_func=lambda: "Hello from Flask")

with requests_async.sync.Session() as session:
    session.mount("http://testserver/", WSGITransport(flask_app))
    assert session.get("http://testserver/").text == "Hello from Flask"
```
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeAlias

import httpcore

from ._sync.adapters import BaseAdapter, TimeoutTypes, _core_body, _timeout_config
from ._sync.response import SyncResponse
from ._sync.transports import attach, make_response
from ._transports import AppProtocolError, HeaderPairs, wsgi_environ, wsgi_headers, wsgi_status
from .models import PreparedRequest

ExcInfo: TypeAlias = tuple[type[BaseException], BaseException, TracebackType | None]
StartResponse: TypeAlias = Callable[..., Callable[[bytes], None]]
WSGIApp: TypeAlias = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class WSGIInput:
    """`wsgi.input`: the request body, read from its source only as the app asks for it."""

    def __init__(self, body: bytes | Iterable[bytes] | AsyncIterable[bytes]) -> None:
        self._chunks: Iterator[bytes | str]
        if isinstance(body, bytes):
            self._buffer, self._chunks = body, iter(())
        elif isinstance(body, Iterable):
            self._buffer, self._chunks = b"", iter(body)
        else:
            raise TypeError("the WSGI transport cannot send an async iterable request body")
        self._done = False

    def _pull(self) -> bool:
        """Add the next piece of the body to the buffer; False at the end of the body."""
        chunk = next(self._chunks, None)
        if chunk is None:
            self._done = True
            return False
        self._buffer += chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
        return True

    def _take(self, size: int) -> bytes:
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all that is left when negative or None); b"" at the end."""
        limit = -1 if size is None else size
        while (limit < 0 or len(self._buffer) < limit) and self._pull():
            pass
        return self._take(len(self._buffer) if limit < 0 else limit)

    def readline(self, size: int | None = -1) -> bytes:
        """The next line, with its b"\\n", or at most `size` bytes of it."""
        limit = -1 if size is None else size
        while (
            b"\n" not in self._buffer and (limit < 0 or len(self._buffer) < limit) and self._pull()
        ):
            pass
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        return self._take(end if limit < 0 else min(end, limit))

    def readlines(self, hint: int = -1) -> list[bytes]:
        """The remaining lines, or (with `hint`) lines until they total at least `hint` bytes."""
        lines: list[bytes] = []
        total = 0
        while hint < 0 or total < hint:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


class _StartResponse:
    """The `start_response` callable of one call (PEP 3333), with its `write()`."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.status: tuple[int, str] | None = None
        self.headers: HeaderPairs = []
        self.sent = False
        self.written: list[bytes] = []

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            if self.sent:
                # PEP 3333: too late to change the response, so the app's error is raised.
                raise exc_info[1].with_traceback(exc_info[2])
        elif self.status is not None:
            raise AppProtocolError(
                f"WSGI app {self.app!r} called start_response() twice without exc_info"
            )
        self.status = wsgi_status(status, self.app)
        self.headers = wsgi_headers(headers, self.app)
        return self.write

    def write(self, data: bytes) -> None:
        if self.status is None:
            raise AppProtocolError(f"WSGI app {self.app!r} called write() before start_response()")
        self.written.append(_checked(data, self.app))

    def take_written(self) -> list[bytes]:
        written, self.written = self.written, []
        return written


def _checked(chunk: object, app: object) -> bytes:
    if not isinstance(chunk, bytes):
        raise AppProtocolError(
            f"WSGI app {app!r} produced a body piece of type {type(chunk).__name__}: "
            "it must be bytes"
        )
    return chunk


class _AppResponse(httpcore.SyncResponse):
    """A response fed by a WSGI iterable; closing it calls the iterable's close()."""

    def __init__(self, result: Iterable[bytes], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._result: Iterable[bytes] | None = result

    def close(self) -> None:
        super().close()
        result, self._result = self._result, None
        _close(result)


def _close(result: object) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class WSGITransport(BaseAdapter):
    """An adapter for the sync Session that calls a WSGI application instead of a server.

    Arguments: `app`, the WSGI application; `raise_app_exceptions`, raise an exception the
    app raised (the default), else answer a 500 when it raised before its response started;
    `script_name`, the `SCRIPT_NAME` the app is mounted at; `remote_addr`, the client
    address it sees. The request body streams in through `wsgi.input`, the response body
    out of the app's iterable, whose `close()` is called when the response is closed.
    The app runs in the calling thread, so timeouts cannot interrupt it. Protocol errors
    raise `AppProtocolError`.

    ```python
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"path " + environ["PATH_INFO"].encode()]

    session = requests_async.sync.Session()
    session.mount("http://testserver/", WSGITransport(app))
    assert session.get("http://testserver/items").text == "path /items"
    ```
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        raise_app_exceptions: bool = True,
        script_name: str = "",
        remote_addr: str = "127.0.0.1",
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.script_name = script_name
        self.remote_addr = remote_addr

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutTypes = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> SyncResponse:
        """Call the app with `request`; return once its first body piece is known."""
        # Checked as the network adapter checks it, though nothing here can time out.
        _timeout_config(timeout)
        environ = wsgi_environ(
            request,
            WSGIInput(_core_body(request.body)),
            script_name=self.script_name,
            remote_addr=self.remote_addr,
            multithread=True,
        )
        start = _StartResponse(self.app)
        core = self._call(environ, start)
        response = attach(self, request, make_response(core))
        if not stream:
            response.read()
            response.close()
        return response

    def _call(self, environ: dict[str, Any], start: _StartResponse) -> httpcore.SyncResponse:
        result: Iterable[bytes] | None = None
        try:
            result = self.app(environ, start)
            chunks = iter(result)
            # PEP 3333: nothing is sent before the first non-empty piece (or the end), so
            # start_response() may still be called again with exc_info until then.
            first = b""
            for chunk in chunks:
                first = _checked(chunk, self.app)
                if first:
                    break
            if start.status is None:
                raise AppProtocolError(
                    f"WSGI app {self.app!r} returned without calling start_response()"
                )
        except Exception as exc:
            _close(result)
            if self.raise_app_exceptions or isinstance(exc, AppProtocolError):
                raise
            return httpcore.SyncResponse(
                500,
                reason="Internal Server Error",
                headers=[(b"content-length", b"0")],
                stream=iter(()),
            )
        start.sent = True
        code, reason = start.status
        assert result is not None
        body = self._body(first, chunks, start)
        return _AppResponse(
            result, status_code=code, reason=reason, headers=start.headers, stream=body
        )

    def _body(
        self, first: bytes, chunks: Iterator[bytes], start: _StartResponse
    ) -> Iterator[bytes]:
        yield from start.take_written()
        if first:
            yield first
        try:
            for chunk in chunks:
                yield from start.take_written()
                checked = _checked(chunk, self.app)
                if checked:
                    yield checked
        except Exception as exc:
            if self.raise_app_exceptions or isinstance(exc, AppProtocolError):
                raise
            # As a server would: the response ends where the app failed.
            return
        yield from start.take_written()

    def close(self) -> None:
        """Nothing to release."""
