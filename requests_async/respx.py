"""respx for requests_async: `respx.mock(using="requests_async")` routes the requests of both
Session flavors through respx's routes (patterns, side effects, call history, pass-through).

Importing this module registers the mocker named `"requests_async"` with respx; import it
once before the mocks start (a `conftest.py` is a good place). It needs `respx` and `httpx`,
installed without PyPI's `httpcore` (`pip install --no-deps respx httpx anyio`), whose import
name is this project's.

```python
import respx

import requests_async.respx  # registers the "requests_async" mocker

with respx.mock(using="requests_async") as router:
    router.get("https://api.example.com/items").respond(json=[1, 2])
    assert requests_async.sync.get("https://api.example.com/items").json() == [1, 2]
```

The network adapter (`HTTPAdapter.send`) is what gets patched, so transports without a
network (`MockTransport`, `ASGITransport`, `WSGITransport`) still answer for their mounts.
An exception class given as a side effect is raised as is, except httpx's transport errors,
which become the requests exceptions the real adapter raises.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import httpx
from respx.mocks import Mocker
from respx.models import PassThrough

import httpcore
from httpcore._mock import read_body, read_body_sync

from ._async import transports as async_transports
from ._async.adapters import _core_body
from ._async.response import Response
from ._sync import transports as sync_transports
from ._sync.response import SyncResponse
from .exceptions import (
    ConnectionError,
    ConnectTimeout,
    ProxyError,
    ReadTimeout,
    RequestException,
    Timeout,
)
from .models import PreparedRequest

__all__ = ["RequestsAsyncMocker"]

# Most specific first: the first class the httpx error is an instance of wins.
HTTPX_TO_COMPAT: tuple[tuple[type[Exception], type[RequestException]], ...] = (
    (httpx.ConnectTimeout, ConnectTimeout),
    (httpx.ReadTimeout, ReadTimeout),
    (httpx.TimeoutException, Timeout),
    (httpx.ProxyError, ProxyError),
    (httpx.TransportError, ConnectionError),
)


@contextlib.contextmanager
def _map_httpx_exceptions(request: PreparedRequest) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        target = next(compat for cls, compat in HTTPX_TO_COMPAT if isinstance(exc, cls))
        raise target(exc, request=request) from exc


def _to_httpx(request: PreparedRequest, body: bytes) -> httpx.Request:
    """The httpx request respx's routes match against."""
    assert request.method is not None and request.url is not None
    headers = [(name, value) for name, value in request.headers.items()]
    return httpx.Request(request.method, request.url, headers=headers, content=body)


def _with_body(request: PreparedRequest, body: bytes) -> PreparedRequest:
    """`request` with its body as bytes: a passed-through request sends what was matched."""
    if request.body is None or isinstance(request.body, (bytes, str)):
        return request
    sent = request.copy()
    sent.body = body
    sent._body_position = None
    return sent


def _core_headers(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    return [(name.lower(), value) for name, value in response.headers.raw]


def _async_send(spec: Callable[..., Any]) -> Callable[..., Any]:
    async def send(
        self: Any,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        body = await read_body(_core_body(request.body))
        sent = _with_body(request, body)
        try:
            with _map_httpx_exceptions(sent):
                # respx's handlers carry no annotations.
                answer = await RequestsAsyncMocker.async_handler(  # type: ignore[no-untyped-call]
                    _to_httpx(sent, body)
                )
        except PassThrough:
            response: Response = await spec(self, sent, stream, timeout, verify, cert, proxies)
            return response
        core = httpcore.Response(
            answer.status_code,
            reason=answer.reason_phrase,
            headers=_core_headers(answer),
            stream=async_transports.chunks_of(answer.stream),
        )
        response = async_transports.attach(self, sent, async_transports.make_response(core))
        if not stream:
            await response.read()
            await response.close()
        return response

    return send


def _sync_send(spec: Callable[..., Any]) -> Callable[..., Any]:
    def send(
        self: Any,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> SyncResponse:
        body = read_body_sync(
            _core_body(request.body), "the sync Session cannot send an async iterable body"
        )
        sent = _with_body(request, body)
        try:
            with _map_httpx_exceptions(sent):
                # respx's handlers carry no annotations.
                answer = RequestsAsyncMocker.handler(  # type: ignore[no-untyped-call]
                    _to_httpx(sent, body)
                )
        except PassThrough:
            response: SyncResponse = spec(self, sent, stream, timeout, verify, cert, proxies)
            return response
        if not isinstance(answer.stream, httpx.SyncByteStream):
            raise TypeError(
                f"respx answered with {answer!r}, whose body is async: the sync Session "
                "needs an httpx.Response with bytes content or a sync stream"
            )
        core = httpcore.SyncResponse(
            answer.status_code,
            reason=answer.reason_phrase,
            headers=_core_headers(answer),
            stream=sync_transports.chunks_of(answer.stream),
        )
        response = sync_transports.attach(self, sent, sync_transports.make_response(core))
        if not stream:
            response.read()
            response.close()
        return response

    return send


class RequestsAsyncMocker(Mocker):
    """The respx mocker for requests_async: patches both flavors' `HTTPAdapter.send`."""

    name: ClassVar[str] = "requests_async"
    targets: ClassVar[list[str]] = [
        "requests_async._async.adapters.HTTPAdapter",
        "requests_async._sync.adapters.HTTPAdapter",
    ]
    target_methods: ClassVar[list[str]] = ["send"]

    @classmethod
    def mock(cls, spec: Callable[..., Any]) -> Callable[..., Any]:
        """The replacement of the adapter method `spec` (called by respx's start())."""
        if inspect.iscoroutinefunction(spec):
            return _async_send(spec)
        return _sync_send(spec)
