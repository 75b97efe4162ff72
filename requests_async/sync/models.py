"""`requests.models` for drop-in code: requests_async's models with the sync Response."""

from requests_async._sync.response import SyncResponse as Response
from requests_async.models import *  # noqa: F403
from requests_async.models import PreparedRequest, Request

__all__ = ["PreparedRequest", "Request", "Response"]
