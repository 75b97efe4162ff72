"""The few behaviours in which the async and sync Response must differ, written once each.

The async code names `AsyncFlavor`; scripts/unasync turns that name into `SyncFlavor` in the
generated sync code, like every `Async*` name.
"""

from __future__ import annotations

from typing import Any

from .exceptions import ContentNotRead


class AsyncFlavor:
    @staticmethod
    def unread_content(response: Any) -> bytes:
        """`content` of a streamed response that was not read: an await is needed first."""
        raise ContentNotRead(response=response)


class SyncFlavor:
    @staticmethod
    def unread_content(response: Any) -> bytes:
        """`content` of a streamed response that was not read: read it now, as requests does."""
        content: bytes = response.read()
        return content
