"""Fetch one URL with one client variant and report memory use, as JSON on stdout.

Run by test_bombs.py in a fresh interpreter, so that the peak resident set size measures this
one exchange: `python -m tests.safety.bomb_client KIND MODE URL [RATIO]`, where MODE is
`stream` (consume the decoded body chunk by chunk) or `fetch` (read it whole, following
redirects), and RATIO the `ProtocolLimits.max_decompression_ratio` to use (`none` for no
bound; the default one when left out). An error is reported as the name of the httpcore
exception behind it, with its message.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys

import httpcore
from tests.safety.clients import Client


def peak_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(kind: str, mode: str, url: str, ratio: str = "") -> dict[str, int | str]:
    options = {}
    if ratio:
        bound = None if ratio == "none" else int(ratio)
        options["protocol_limits"] = httpcore.ProtocolLimits(max_decompression_ratio=bound)
    client = Client(kind, timeout=30, **options)
    outcome: dict[str, int | str]
    try:
        baseline = peak_kib()
        if mode == "stream":
            streamed = await client.stream(url)
            outcome = {"status": streamed.status, "size": streamed.size}
            outcome["largest_chunk"] = streamed.largest_chunk
        else:
            result = await client.fetch(url)
            outcome = {"status": result.status, "size": len(result.body)}
    except Exception as exc:
        error = client.core_error(exc)
        outcome = {"error": type(error).__name__, "message": str(error)}
    finally:
        await client.close()
    return {**outcome, "baseline_kib": baseline, "peak_kib": peak_kib()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:5]))))
