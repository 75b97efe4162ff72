"""requests' hook system: callables run on an event's data, each able to replace it.

The only event is `response`: hooks receive the response (and the keywords `send` was given)
and may return a replacement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

HOOKS: list[str] = ["response"]

HookType = Callable[..., Any]
HooksType = Mapping[str, Iterable[HookType] | HookType]

_T = TypeVar("_T")


def default_hooks() -> dict[str, list[HookType]]:
    """Return a fresh hook dictionary: an empty list for each event in `HOOKS`.

    ```python
    assert default_hooks() == {"response": []}
    ```
    """
    return {event: [] for event in HOOKS}


def dispatch_hook(key: str, hooks: HooksType | None, hook_data: _T, **kwargs: Any) -> _T:
    """Run the hooks registered for `key` on `hook_data`, in order; return the final data.

    Arguments: the event name; a mapping of events to a hook or a list of hooks (or `None`);
    the data; keywords passed on to every hook. A hook returning `None` leaves the data as is.

    ```python
    def log_it(response, **kwargs):
        print(response.status_code, kwargs)  # 200 {'timeout': 5}

    response = dispatch_hook("response", {"response": [log_it]}, response, timeout=5)
    ```
    """
    registered = (hooks or {}).get(key)
    if not registered:
        return hook_data
    if callable(registered):
        registered = [registered]
    for hook in registered:
        result = hook(hook_data, **kwargs)
        if result is not None:
            hook_data = result
    return hook_data
