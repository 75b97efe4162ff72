"""Type aliases shared by the httpcore modules."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import TypeAlias

HeaderName: TypeAlias = str | bytes
HeaderValue: TypeAlias = str | bytes
HeaderTypes: TypeAlias = (
    Mapping[HeaderName, HeaderValue] | Sequence[tuple[HeaderName, HeaderValue]] | None
)
Headers: TypeAlias = list[tuple[bytes, bytes]]
BodyTypes: TypeAlias = bytes | Iterable[bytes] | AsyncIterable[bytes] | None
