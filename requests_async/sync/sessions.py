"""`requests.sessions` for drop-in code."""

from requests_async._sync.sessions import Session, merge_hooks, merge_setting, session

__all__ = ["Session", "merge_hooks", "merge_setting", "session"]
