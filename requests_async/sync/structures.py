"""`requests.structures` for drop-in code: the names of requests_async.structures."""

from requests_async.structures import *  # noqa: F403
