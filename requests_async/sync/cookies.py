"""`requests.cookies` for drop-in code: the names of requests_async.cookies."""

from requests_async.cookies import *  # noqa: F403
