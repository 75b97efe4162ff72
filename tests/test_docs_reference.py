"""The API reference pages: every public name has a docstring that opens with a summary, and
the docstrings reach the site whole, their examples included (they run in the test suite:
tests/test_docstring_examples.py)."""

from __future__ import annotations

import griffe
import pytest
import yaml

import httpcore
import requests_async
from tests.docs_support import ROOT


@pytest.fixture(scope="module", params=["httpcore", "requests_async"])
def package(request):
    return request.param, griffe.load(request.param)


def test_every_public_name_has_a_summary(package):
    name, loaded = package
    module = {"httpcore": httpcore, "requests_async": requests_async}[name]
    for public in module.__all__:
        if loaded[public].is_attribute:
            continue  # __version__, and requests' `codes` table
        docstring = loaded[public].docstring
        assert docstring is not None, f"{name}.{public} has no docstring"
        summary = docstring.value.strip().splitlines()[0]
        assert summary and not summary.startswith("```"), f"{name}.{public} opens with code"


def test_examples_are_not_stripped_from_the_reference(package):
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (mkdocstrings,) = [p["mkdocstrings"] for p in config["plugins"] if "mkdocstrings" in p]
    options = mkdocstrings["handlers"]["python"]["options"]
    assert "extensions" not in options
    name, loaded = package
    with_examples = [
        public
        for public in {"httpcore": httpcore, "requests_async": requests_async}[name].__all__
        if not loaded[public].is_attribute
        and "```python" in (loaded[public].docstring or griffe.Docstring("")).value
    ]
    assert with_examples
