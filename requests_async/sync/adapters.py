"""`requests.adapters` for drop-in code."""

from requests_async._sync.adapters import (
    DEFAULT_POOLBLOCK,
    DEFAULT_POOLSIZE,
    DEFAULT_RETRIES,
    BaseAdapter,
    HTTPAdapter,
)
from requests_async.retries import Retry

__all__ = [
    "DEFAULT_POOLBLOCK",
    "DEFAULT_POOLSIZE",
    "DEFAULT_RETRIES",
    "BaseAdapter",
    "HTTPAdapter",
    "Retry",
]
