"""A drop-in for `requests`: `import requests_async.sync as requests`.

The functions, classes and submodules carry requests' names; the implementation is
requests_async's sync twin (generated from the async code) on httpcore's SyncConnectionPool.

```python
import requests_async.sync as requests

response = requests.get("http://127.0.0.1:8000/", timeout=5)
response.raise_for_status()
```
"""

from requests_async import __version__

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
    URLRequired,
)
from .models import PreparedRequest, Request, Response
from .sessions import Session, session
from .status_codes import codes

__all__ = [
    "ConnectTimeout",
    "ConnectionError",
    "FileModeWarning",
    "HTTPError",
    "JSONDecodeError",
    "PreparedRequest",
    "ReadTimeout",
    "Request",
    "RequestException",
    "RequestsDependencyWarning",
    "Response",
    "Session",
    "Timeout",
    "TooManyRedirects",
    "URLRequired",
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
