"""requests_async: the requests API on httpcore, async first, with a sync drop-in twin.

```python
import requests_async

response = await requests_async.get("http://127.0.0.1:8000/")
async with requests_async.Session() as session:
    response = await session.post("http://127.0.0.1:8000/echo", json={"a": 1})
```

Code written for requests uses the sync twin: `import requests_async.sync as requests`.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from ._async.adapters import BaseAdapter, HTTPAdapter
from ._async.api import delete, get, head, options, patch, post, put, request
from ._async.response import Response
from ._async.sessions import Session, session
from ._async.transports import MockTransport, mock_response
from ._lazy import lazy_names
from ._transports import AppProtocolError, LifespanFailed
from .exceptions import (
    ConnectionError,
    ConnectTimeout,
    FileModeWarning,
    HTTPError,
    JSONDecodeError,
    ReadTimeout,
    RequestException,
    Timeout,
    TooManyRedirects,
    TotalTimeout,
    URLRequired,
)
from .models import PreparedRequest, Request
from .retries import Retry
from .status_codes import codes

if TYPE_CHECKING:
    from ._async.transport_asgi import ASGISession, ASGITransport

__all__ = [
    "ASGISession",
    "ASGITransport",
    "AppProtocolError",
    "BaseAdapter",
    "ConnectTimeout",
    "ConnectionError",
    "FileModeWarning",
    "HTTPAdapter",
    "HTTPError",
    "JSONDecodeError",
    "LifespanFailed",
    "MockTransport",
    "PreparedRequest",
    "ReadTimeout",
    "Request",
    "RequestException",
    "Response",
    "Retry",
    "Session",
    "Timeout",
    "TooManyRedirects",
    "TotalTimeout",
    "URLRequired",
    "__version__",
    "codes",
    "delete",
    "get",
    "head",
    "mock_response",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "session",
]


# The ASGI transport runs apps on asyncio: it (and asyncio) is imported on first use, so that
# importing this package loads no event loop.
__getattr__ = lazy_names(
    globals(),
    {
        "ASGISession": "requests_async._async.transport_asgi",
        "ASGITransport": "requests_async._async.transport_asgi",
    },
)
