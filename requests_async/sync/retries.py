"""`requests.retries` for drop-in code: the names of requests_async.retries."""

from requests_async.retries import *  # noqa: F403
