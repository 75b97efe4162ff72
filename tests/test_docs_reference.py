"""The API reference pages: every public name is documented, and no docstring example (which
the test suite does not run) reaches the site."""

from __future__ import annotations

import griffe
import pytest

import httpcore
import requests_async
from scripts.docs_reference import WithoutExamples


@pytest.fixture(scope="module", params=["httpcore", "requests_async"])
def package(request):
    return request.param, griffe.load(
        request.param, extensions=griffe.load_extensions(WithoutExamples)
    )


def test_every_public_name_has_a_docstring_without_code(package):
    name, loaded = package
    module = {"httpcore": httpcore, "requests_async": requests_async}[name]
    for public in module.__all__:
        if loaded[public].is_attribute:
            continue  # __version__, and requests' `codes` table
        docstring = loaded[public].docstring
        assert docstring is not None, f"{name}.{public} has no docstring"
        assert "```" not in docstring.value, f"{name}.{public}"
        assert docstring.value.strip(), f"{name}.{public} is only an example"


def test_fences_are_removed_with_their_content():
    extension = WithoutExamples()
    obj = griffe.Function(
        "f", docstring=griffe.Docstring("Summary.\n\n```python\nf()\n```\n\nMore.")
    )
    extension.on_instance(obj=obj)
    assert obj.docstring is not None
    assert obj.docstring.value == "Summary.\n\n\nMore."
