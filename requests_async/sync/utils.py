"""`requests.utils` for drop-in code: the names of requests_async.utils."""

from requests_async.utils import *  # noqa: F403
