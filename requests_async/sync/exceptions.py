"""`requests.exceptions` for drop-in code: the names of requests_async.exceptions."""

from requests_async.exceptions import *  # noqa: F403
