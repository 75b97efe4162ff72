"""`requests.api` for drop-in code."""

from requests_async._sync.api import delete, get, head, options, patch, post, put, request

__all__ = ["delete", "get", "head", "options", "patch", "post", "put", "request"]
