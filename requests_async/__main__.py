"""`python -m requests_async`: the command-line client (see `requests_async.cli`)."""

from __future__ import annotations

import sys

from requests_async.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m requests_async"))
