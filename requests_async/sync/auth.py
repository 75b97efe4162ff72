"""`requests.auth` for drop-in code: the names of requests_async.auth."""

from requests_async.auth import *  # noqa: F403
