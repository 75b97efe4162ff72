"""Loopback servers for the tests: uvicorn with the test ASGI app, raw TCP, full backlog."""

from __future__ import annotations

from .app import ENCODED_BODY, HELLO, app, encode, pattern, pattern_range
from .backlog import FullBacklogListener
from .raw import RawConnection, RawServer
from .tls import make_ca_dir, subject_hash, write_ca_file, write_leaf_file
from .uvicorn_thread import TLSExtensionH11Protocol, UvicornThread

__all__ = [
    "ENCODED_BODY",
    "HELLO",
    "FullBacklogListener",
    "RawConnection",
    "RawServer",
    "TLSExtensionH11Protocol",
    "UvicornThread",
    "app",
    "encode",
    "make_ca_dir",
    "pattern",
    "pattern_range",
    "subject_hash",
    "write_ca_file",
    "write_leaf_file",
]
