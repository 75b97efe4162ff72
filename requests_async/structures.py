"""requests' data structures: `CaseInsensitiveDict` (headers) and `LookupDict` (status codes)."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar, overload

_VT = TypeVar("_VT")
_D = TypeVar("_D")


class CaseInsensitiveDict(MutableMapping[str, _VT]):
    """A `dict`-like mapping of str keys whose lookups ignore case, as HTTP header names do.

    It remembers the case of the key last set: iteration, `keys()` and `items()` give it back,
    while lookups, `in` and equality ignore case. `lower_items()` gives lower-cased keys.

    Arguments: a mapping or an iterable of `(key, value)` pairs, and keyword items.

    ```python
    headers = CaseInsensitiveDict({"Content-Type": "text/html"})
    assert headers["content-type"] == "text/html"
    assert list(headers) == ["Content-Type"]
    ```
    """

    def __init__(
        self,
        data: Mapping[str, _VT] | Iterable[tuple[str, _VT]] | None = None,
        **kwargs: _VT,
    ) -> None:
        # lower-cased key -> (key as last set, value); dicts keep insertion order.
        self._store: dict[str, tuple[str, _VT]] = {}
        # Headers are copied several times per request: dicts and our own kind take a short
        # way (MutableMapping.update looks every key up again).
        if isinstance(data, CaseInsensitiveDict):
            self._store.update(data._store)
        elif type(data) is dict:
            for key, value in data.items():
                self._store[key.lower()] = (key, value)
        elif data is not None:
            self.update(data)
        if kwargs:
            self.update(kwargs)

    def __setitem__(self, key: str, value: _VT) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> _VT:
        return self._store[key.lower()][1]

    # get() and `in` answer from the store: Mapping's versions go through __getitem__ and a
    # KeyError for every absent header, and headers are looked up several times per request.
    @overload
    def get(self, key: str, default: None = None) -> _VT | None: ...
    @overload
    def get(self, key: str, default: _VT | _D) -> _VT | _D: ...
    def get(self, key: str, default: Any = None) -> Any:
        found = self._store.get(key.lower())
        return default if found is None else found[1]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._store

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (cased for cased, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def items(self) -> ItemsView[str, _VT]:
        return _Items(self)

    @classmethod
    def from_fields(cls, fields: Iterable[tuple[str, str]]) -> CaseInsensitiveDict[str]:
        """Header fields as one mapping: a repeated field's values joined with ", ".

        RFC 9110 section 5.3 lets a recipient combine field lines so (Set-Cookie aside, which
        is read from the raw fields). The first spelling of a name is kept.

        ```python
        CaseInsensitiveDict.from_fields([("Via", "a"), ("via", "b")]) == {"Via": "a, b"}
        ```
        """
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        store = headers._store
        for key, text in fields:
            lower = key.lower()
            seen = store.get(lower)
            store[lower] = (key, text) if seen is None else (seen[0], seen[1] + ", " + text)
        return headers

    def lower_items(self) -> Iterator[tuple[str, _VT]]:
        """Iterate over `(lower-cased key, value)` pairs."""
        return ((lower, pair[1]) for lower, pair in self._store.items())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        theirs: CaseInsensitiveDict[Any] = CaseInsensitiveDict(other)
        return dict(self.lower_items()) == dict(theirs.lower_items())

    def copy(self) -> CaseInsensitiveDict[_VT]:
        """Return a shallow copy, keeping each key's case."""
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self) -> str:
        return str(dict(self.items()))


class _Items(ItemsView[str, _VT]):
    """`CaseInsensitiveDict.items()`: read from the store, without a lookup per key."""

    _mapping: CaseInsensitiveDict[_VT]

    def __iter__(self) -> Iterator[tuple[str, _VT]]:
        return iter(self._mapping._store.values())


class LookupDict(dict[str, _VT]):
    """A named lookup table read through attributes; missing keys read as `None`.

    Values are set as attributes; `table[key]` and `table.get(key)` read them back, giving
    `None` (or the default) for names never set. The `dict` itself stays empty, as in requests.

    Arguments: `name`, shown by `repr`.

    ```python
    table = LookupDict(name="colours")
    table.red = 1
    assert table["red"] == 1 and table["blue"] is None
    ```
    """

    def __init__(self, name: Any = None) -> None:
        self.name = name
        super().__init__()

    def __repr__(self) -> str:
        return f"<lookup '{self.name}'>"

    def __getattr__(self, key: str) -> _VT:
        # Only called when normal lookup failed: the name was never set.
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{key}'")

    def __getitem__(self, key: str) -> _VT | None:  # type: ignore[override]  # None when missing
        return self.__dict__.get(key, None)

    @overload
    def get(self, key: str, default: None = None) -> _VT | None: ...

    @overload
    def get(self, key: str, default: _D | _VT) -> _D | _VT: ...

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value set for `key`, or `default`."""
        return self.__dict__.get(key, default)
