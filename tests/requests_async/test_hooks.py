"""default_hooks() and dispatch_hook(), compared with requests'."""

from __future__ import annotations

from typing import Any

import pytest
import requests.hooks

from requests_async.hooks import HOOKS, default_hooks, dispatch_hook


def test_default_hooks_are_fresh():
    first = default_hooks()
    assert first == requests.hooks.default_hooks() == {"response": []}
    first["response"].append(print)
    assert default_hooks() == {"response": []}
    assert HOOKS == requests.hooks.HOOKS


def add(suffix):
    def hook(data, **kwargs):
        return data + suffix + "".join(f"[{k}={v}]" for k, v in sorted(kwargs.items()))

    return hook


def ignore(data, **kwargs):
    return None


@pytest.mark.parametrize(
    ("hooks", "expected"),
    [
        (None, "r"),
        ({}, "r"),
        ({"other": [add("!")]}, "r"),
        ({"response": []}, "r"),
        ({"response": None}, "r"),
        ({"response": add("1")}, "r1[x=2]"),
        ({"response": [add("1"), add("2")]}, "r1[x=2]2[x=2]"),
        ({"response": [ignore, add("1"), ignore]}, "r1[x=2]"),
        ({"response": (add("a"),)}, "ra[x=2]"),
    ],
)
def test_dispatch_matches_requests(hooks, expected):
    data: Any = "r"
    assert dispatch_hook("response", hooks, data, x=2) == expected
    assert requests.hooks.dispatch_hook("response", hooks, data, x=2) == expected


def test_hook_sees_the_previous_result():
    seen = []

    def record(data):
        seen.append(data)
        return data * 2

    assert dispatch_hook("response", {"response": [record, record]}, 3) == 12
    assert seen == [3, 6]
