"""Transports without a network: `MockTransport` answers with a handler, `mock_response` builds
the answers; both give real Responses whose bodies stream as from a server.

```python
session.mount("http://api.test/", MockTransport(lambda request: mock_response(json={"a": 1})))
```
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpcore

from .._transports import HeadersArgument, describe_wrong_return, mock_body, mock_headers
from .._transports import reason_phrase as _reason_phrase
from ..cookies import extract_cookies_to_jar
from ..exceptions import map_core_exceptions
from ..models import PreparedRequest
from ..utils import get_encoding_from_headers
from .adapters import BaseAdapter, TimeoutTypes, _compat_headers, _core_headers
from .response import RawStream, Response

Handler = Callable[[PreparedRequest], Response | Awaitable[Response]]
# How the errors name the response type a handler must return, in this flavor.
_EXPECTED = (
    "requests_async.sync.Response (requests_async.sync.mock_response() builds one)"
    if Response.__name__.startswith("Sync")
    else "requests_async.Response (requests_async.mock_response() builds one)"
)


async def chunks_of(source: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    """Yield the pieces of a body given as an iterable (or, async flavor, async iterable)."""
    if isinstance(source, AsyncIterable):  # unasync: remove
        async for chunk in source:  # unasync: remove
            yield chunk  # unasync: remove
        return  # unasync: remove
    for chunk in source:
        yield chunk


def make_response(core: httpcore.Response) -> Response:
    """A Response around an httpcore response whose body has not been read yet."""
    response = Response()
    response.status_code = core.status_code
    response.reason = core.reason
    response.headers = _compat_headers(core.headers)
    response.encoding = get_encoding_from_headers(response.headers)
    response.raw = RawStream(core)
    return response


def attach(adapter: BaseAdapter, request: PreparedRequest, response: Response) -> Response:
    """Make `response` the answer to `request` through `adapter`, as HTTPAdapter does.

    A Response built by hand (`_content` set, no `raw`) gets a body stream holding its
    content, so that the session reads it, and takes its cookies, as from any other.
    """
    response.request = request
    response.url = response.url or (request.url or "")
    response.connection = adapter
    if not response.reason:
        response.reason = _reason_phrase(response.status_code)
    if response.raw is None:
        content, response._content = response._content or b"", None
        response.raw = RawStream(
            httpcore.Response(
                response.status_code,
                reason=response.reason,
                headers=_core_headers(response.headers),
                stream=chunks_of([content]),
            )
        )
    extract_cookies_to_jar(response.cookies, request, response.raw.headers)
    if response.encoding is None:
        response.encoding = get_encoding_from_headers(response.headers)
    return response


def mock_response(
    status_code: int = 200,
    *,
    content: bytes | None = None,
    text: str | None = None,
    json: Any = None,
    stream: AsyncIterable[bytes] | Iterable[bytes] | None = None,
    headers: HeadersArgument = None,
    reason: str | None = None,
) -> Response:
    """Build a Response for a `MockTransport` handler (or any test) to return.

    Arguments: `status_code`; the body as one of `content` (bytes), `text` (sent as UTF-8,
    `text/plain`), `json` (any JSON value, `application/json`) or `stream` (an iterable of
    bytes, or in the async flavor an async iterable, read as the response is read);
    `headers`, a mapping or `(name, value)` pairs that override the defaults; `reason`,
    the reason phrase (the standard one by default). Content-Length is set unless the body
    streams or `headers` give the framing.

    ```python
    response = mock_response(201, json={"id": 7}, headers={"location": "/items/7"})
    ```
    """
    body, defaults = mock_body(status_code, content, text, json)
    if stream is not None:
        if content is not None or text is not None or json is not None:
            raise TypeError("give either stream or one of content, text and json, not both")
        source: AsyncIterable[bytes] | Iterable[bytes] = stream
        length = None
    else:
        source, length = [body] if body else [], len(body)
    core = httpcore.Response(
        status_code,
        reason=_reason_phrase(status_code) if reason is None else reason,
        headers=mock_headers(defaults, headers, length),
        stream=chunks_of(source),
    )
    return make_response(core)


class MockTransport(BaseAdapter):
    """An adapter that answers every request with `handler(request)`, without any I/O.

    Arguments: `handler`, called with the `PreparedRequest`; it returns a Response (see
    `mock_response`) or raises, as a server or the network would (an `httpcore` exception
    becomes the requests exception that the real adapter raises). In the async flavor the
    handler may be a coroutine function. Mount it for the URLs it serves, so that the
    session's redirects, cookies, auth and hooks apply as usual.

    ```python
    def handler(request):
        return mock_response(json={"path": request.path_url})

    session.mount("https://api.example.com/", MockTransport(handler))
    ```
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[PreparedRequest] = []

    async def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutTypes = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        """Record `request` (in `requests`), call the handler and return its response."""
        self.requests.append(request)
        with map_core_exceptions(request):
            result = self.handler(request)
            if isinstance(result, Awaitable):  # unasync: remove
                result = await result  # unasync: remove
        if not isinstance(result, Response):
            raise describe_wrong_return(self.handler, result, _EXPECTED)
        response = attach(self, request, result)
        if not stream:
            await response.read()
            await response.close()
        return response

    async def close(self) -> None:
        """Nothing to release."""
