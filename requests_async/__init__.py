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

from ._async.adapters import BaseAdapter, HTTPAdapter
from ._async.api import delete, get, head, options, patch, post, put, request
from ._async.response import Response
from ._async.sessions import Session, session
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
    URLRequired,
)
from .models import PreparedRequest, Request
from .retries import Retry
from .status_codes import codes

__all__ = [
    "BaseAdapter",
    "ConnectTimeout",
    "ConnectionError",
    "FileModeWarning",
    "HTTPAdapter",
    "HTTPError",
    "JSONDecodeError",
    "PreparedRequest",
    "ReadTimeout",
    "Request",
    "RequestException",
    "Response",
    "Retry",
    "Session",
    "Timeout",
    "TooManyRedirects",
    "URLRequired",
    "__version__",
    "codes",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "session",
]
