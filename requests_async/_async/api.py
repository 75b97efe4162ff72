"""The module-level functions: each makes one request in a Session of its own."""

from __future__ import annotations

from typing import Any

from .response import Response
from .sessions import Session


async def request(method: str, url: str, **kwargs: Any) -> Response:
    """Send a request, as `requests.request(method, url, **kwargs)`.

    ```python
    response = await request("GET", "http://127.0.0.1:8000/")
    ```
    """
    session = Session()
    try:
        response = await session.request(method=method, url=url, **kwargs)
    except BaseException:
        await session.close()
        raise
    if response._content is None:
        # A streamed response still uses the session's connection: close both together.
        response._owning_session = session
    else:
        await session.close()
    return response


async def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    """Send a GET request (redirects followed)."""
    return await request("get", url, params=params, **kwargs)


async def options(url: str, **kwargs: Any) -> Response:
    """Send an OPTIONS request."""
    return await request("options", url, **kwargs)


async def head(url: str, **kwargs: Any) -> Response:
    """Send a HEAD request (redirects not followed unless `allow_redirects=True`)."""
    kwargs.setdefault("allow_redirects", False)
    return await request("head", url, **kwargs)


async def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    """Send a POST request."""
    return await request("post", url, data=data, json=json, **kwargs)


async def put(url: str, data: Any = None, **kwargs: Any) -> Response:
    """Send a PUT request."""
    return await request("put", url, data=data, **kwargs)


async def patch(url: str, data: Any = None, **kwargs: Any) -> Response:
    """Send a PATCH request."""
    return await request("patch", url, data=data, **kwargs)


async def delete(url: str, **kwargs: Any) -> Response:
    """Send a DELETE request."""
    return await request("delete", url, **kwargs)
