"""`requests.adapters` for drop-in code."""

from requests_async._sync.adapters import (
    DEFAULT_POOLBLOCK,
    DEFAULT_POOLSIZE,
    DEFAULT_RETRIES,
    BaseAdapter,
    HTTPAdapter,
)
from requests_async.retries import Retry

#: requests waits for a free pooled connection without limit (with `pool_block`).
DEFAULT_POOL_TIMEOUT = None

__all__ = [
    "DEFAULT_POOLBLOCK",
    "DEFAULT_POOLSIZE",
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_RETRIES",
    "BaseAdapter",
    "HTTPAdapter",
    "Retry",
]
