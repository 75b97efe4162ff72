"""`requests.status_codes` for drop-in code: the names of requests_async.status_codes."""

from requests_async.status_codes import *  # noqa: F403
