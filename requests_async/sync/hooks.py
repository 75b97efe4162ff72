"""`requests.hooks` for drop-in code: the names of requests_async.hooks."""

from requests_async.hooks import *  # noqa: F403
