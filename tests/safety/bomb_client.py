"""Fetch one URL with one client variant and report memory use, as JSON on stdout.

Run by test_bombs.py in a fresh interpreter, so that the peak resident set size measures this
one exchange: `python -m tests.safety.bomb_client KIND MODE URL`, where MODE is `stream`
(consume the decoded body chunk by chunk) or `fetch` (read it whole, following redirects).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

from tests.safety.clients import Client


def peak_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(kind: str, mode: str, url: str) -> dict[str, int]:
    client = Client(kind, timeout=30)
    try:
        baseline = peak_kib()
        if mode == "stream":
            streamed = await client.stream(url)
            outcome = {"status": streamed.status, "size": streamed.size}
            outcome["largest_chunk"] = streamed.largest_chunk
        else:
            result = await client.fetch(url)
            outcome = {"status": result.status, "size": len(result.body)}
    finally:
        await client.close()
    return {**outcome, "baseline_kib": baseline, "peak_kib": peak_kib()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:4]))))
