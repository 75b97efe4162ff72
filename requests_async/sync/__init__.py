"""A drop-in for `requests`: `import requests_async.sync as requests`.

The functions, classes and submodules carry requests' names; the implementation is
requests_async's sync twin (generated from the async code) on httpcore's SyncConnectionPool.

```python
import requests_async.sync as requests

response = requests.get("http://127.0.0.1:8000/", timeout=5)
response.raise_for_status()
```
"""

from typing import TYPE_CHECKING

from requests_async import __version__
from requests_async._lazy import lazy_names
from requests_async._sync.transports import MockTransport, mock_response
from requests_async._transports import AppProtocolError, LifespanFailed
from requests_async._wsgi import WSGITransport

from . import (
    adapters,
    api,
    auth,
    certs,
    compat,
    cookies,
    exceptions,
    hooks,
    models,
    retries,
    sessions,
    status_codes,
    structures,
    utils,
)
from .api import delete, get, head, options, patch, post, put, request
from .exceptions import (
    ConnectionError,
    ConnectTimeout,
    FileModeWarning,
    HTTPError,
    JSONDecodeError,
    ReadTimeout,
    RequestException,
    RequestsDependencyWarning,
    Timeout,
    TooManyRedirects,
    TotalTimeout,
    URLRequired,
)
from .models import PreparedRequest, Request, Response
from .sessions import Session, session
from .status_codes import codes

if TYPE_CHECKING:
    from requests_async._sync.transport_asgi import ASGISession, ASGITransport

__all__ = [
    "ASGISession",
    "ASGITransport",
    "AppProtocolError",
    "ConnectTimeout",
    "ConnectionError",
    "FileModeWarning",
    "HTTPError",
    "JSONDecodeError",
    "LifespanFailed",
    "MockTransport",
    "PreparedRequest",
    "ReadTimeout",
    "Request",
    "RequestException",
    "RequestsDependencyWarning",
    "Response",
    "Session",
    "Timeout",
    "TooManyRedirects",
    "TotalTimeout",
    "URLRequired",
    "WSGITransport",
    "__version__",
    "adapters",
    "api",
    "auth",
    "certs",
    "codes",
    "compat",
    "cookies",
    "delete",
    "exceptions",
    "get",
    "head",
    "hooks",
    "mock_response",
    "models",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "retries",
    "session",
    "sessions",
    "status_codes",
    "structures",
    "utils",
]


# The ASGI transport runs apps on asyncio: it (and asyncio) is imported on first use, so that
# importing this package loads no event loop.
__getattr__ = lazy_names(
    globals(),
    {
        "ASGISession": "requests_async._sync.transport_asgi",
        "ASGITransport": "requests_async._sync.transport_asgi",
    },
)
