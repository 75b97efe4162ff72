"""requests_async.sync, our drop-in for requests, measured by the requests client's own code."""

from __future__ import annotations

import requests_async.sync

from ._harness import main
from .requests import workloads_for

if __name__ == "__main__":
    main(workloads_for(requests_async.sync, "import requests_async.sync"))
