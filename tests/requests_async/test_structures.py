"""CaseInsensitiveDict and LookupDict, side by side with requests' own."""

from __future__ import annotations

import pickle
from collections.abc import MutableMapping

import pytest
import requests.structures

from requests_async.structures import CaseInsensitiveDict, LookupDict

BOTH = [CaseInsensitiveDict, requests.structures.CaseInsensitiveDict]


@pytest.mark.parametrize("cls", BOTH)
def test_lookups_ignore_case_and_keep_the_last_key(cls):
    headers = cls({"Content-Type": "text/html"}, Accept="*/*")
    assert headers["content-type"] == headers["CONTENT-TYPE"] == "text/html"
    assert "ACCEPT" in headers
    assert "missing" not in headers
    headers["content-TYPE"] = "application/json"
    assert list(headers) == ["content-TYPE", "Accept"]
    assert list(headers.items()) == [("content-TYPE", "application/json"), ("Accept", "*/*")]
    assert list(headers.lower_items()) == [("content-type", "application/json"), ("accept", "*/*")]
    assert len(headers) == 2
    del headers["ACCEPT"]
    assert list(headers) == ["content-TYPE"]
    with pytest.raises(KeyError):
        headers["accept"]
    with pytest.raises(KeyError):
        del headers["accept"]
    assert headers.get("nope", "default") == "default"


@pytest.mark.parametrize(
    "data",
    [None, {}, {"A": "1"}, [("A", "1"), ("b", "2")], CaseInsensitiveDict({"X": "y"})],
)
def test_construction_matches_requests(data):
    ours = CaseInsensitiveDict(data)
    theirs = requests.structures.CaseInsensitiveDict(data)
    assert list(ours.items()) == list(theirs.items())
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    ("other", "equal"),
    [
        ({"accept": "a", "HOST": "h"}, True),
        ({"Accept": "a"}, False),
        ({"Accept": "A", "Host": "h"}, False),
        (CaseInsensitiveDict({"ACCEPT": "a", "host": "h"}), True),
        ([("Accept", "a"), ("Host", "h")], False),
        ("Accept", False),
        (None, False),
    ],
)
def test_equality_matches_requests(other, equal):
    ours = CaseInsensitiveDict({"Accept": "a", "Host": "h"})
    theirs = requests.structures.CaseInsensitiveDict({"Accept": "a", "Host": "h"})
    assert (ours == other) is (theirs == other) is equal
    assert (ours != other) is (not equal)


def test_comparison_with_a_non_mapping_is_not_implemented():
    assert CaseInsensitiveDict().__eq__(3) is NotImplemented


def test_copy_is_independent_and_keeps_case():
    original = CaseInsensitiveDict({"X-Token": "1"})
    copy = original.copy()
    copy["x-token"] = "2"
    assert isinstance(copy, CaseInsensitiveDict)
    assert original["X-TOKEN"] == "1"
    assert list(copy.items()) == [("x-token", "2")]
    assert list(original.copy().items()) == [("X-Token", "1")]


def test_mapping_protocol_and_pickling():
    headers = CaseInsensitiveDict({"A": "1"})
    assert isinstance(headers, MutableMapping)
    headers.update({"a": "2"}, B="3")
    headers.setdefault("C", "4")
    assert headers.pop("b") == "3"
    assert dict(headers) == {"a": "2", "C": "4"}
    assert pickle.loads(pickle.dumps(headers)) == headers
    with pytest.raises(TypeError):
        hash(headers)
    assert repr(headers) == "{'a': '2', 'C': '4'}"


@pytest.mark.parametrize("cls", [LookupDict, requests.structures.LookupDict])
def test_lookup_dict(cls):
    table = cls(name="colours")
    table.red = 1
    assert repr(table) == "<lookup 'colours'>"
    assert table.name == "colours"
    assert table.red == table["red"] == table.get("red") == 1
    assert table["blue"] is None
    assert table.get("blue") is None
    assert table.get("blue", 7) == 7
    assert dict(table) == {}
    with pytest.raises(AttributeError, match=r"^'LookupDict' object has no attribute 'blue'$"):
        table.blue  # noqa: B018


def test_lookup_dict_default_name():
    assert repr(LookupDict()) == repr(requests.structures.LookupDict()) == "<lookup 'None'>"
