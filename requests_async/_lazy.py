"""Names a package imports on first use (PEP 562), for what would load asyncio at import."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(namespace: dict[str, Any], names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` importing each of `names` (name -> module) on first use.

    The value is stored in `namespace` (the module's globals), so later lookups are plain.

    ```python
    __getattr__ = lazy_names(globals(), {"ASGITransport": "requests_async._async.transport_asgi"})
    ```
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
