"""A griffe extension for the API reference pages: docstrings without their code examples.

Every example on the documentation site runs in the test suite (`tests/test_docs.py`); the
examples inside docstrings are written for readers of the source and are not all runnable on
their own, so the reference pages show the prose and signatures, and link to the guides,
whose examples run.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_FENCE = re.compile(r"^```.*?^```[ \t]*\n?", re.MULTILINE | re.DOTALL)


class WithoutExamples(griffe.Extension):
    """Drop fenced code blocks from every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _FENCE.sub("", obj.docstring.value).strip()
