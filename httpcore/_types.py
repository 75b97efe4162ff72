"""Type aliases shared by the httpcore modules."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import Union

HeaderName = Union[str, bytes]
HeaderValue = Union[str, bytes]
HeaderTypes = Union[
    Mapping[HeaderName, HeaderValue],
    Sequence[tuple[HeaderName, HeaderValue]],
    None,
]
Headers = list[tuple[bytes, bytes]]
BodyTypes = Union[bytes, Iterable[bytes], AsyncIterable[bytes], None]
