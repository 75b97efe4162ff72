"""The command-line client: `python -m requests_async [OPTIONS] [METHOD] URL [ITEM ...]`.

Built on `requests_async.sync`: one Session per run, with the request items (`Header:value`,
`name=value`, `name:=json`, `name==value`, `field@file`, `@file`) and options turned into
the arguments of a request. Heads and bodies go to stdout, coloured and pretty-printed on a
terminal; errors go to stderr as one line, and the exit status (`ExitStatus`) says what
went wrong.

```python
from requests_async.cli import main

status = main(["--check-status", "http://example.org/"])
```
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence

import httpcore

from ._args import parse_args
from ._download import DownloadError
from ._run import Streams, run
from ._status import ExitStatus, classify

__all__ = ["ExitStatus", "main"]


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command-line client and return its exit status (it never raises SystemExit).

    Arguments: `argv`, the arguments after the program name (default: `sys.argv[1:]`);
    `prog`, the name shown in help and error messages (default: that of `sys.argv[0]`).

    Example: `sys.exit(main(["-v", "POST", "example.org/post", "name=duo"]))`
    """
    prog = prog or os.path.basename(sys.argv[0]) or "requests_async"
    try:
        options = parse_args(sys.argv[1:] if argv is None else argv, prog)
    except SystemExit as exc:
        # argparse exits 0 after --help or --version, 2 after a usage error.
        return int(exc.code or 0)
    sys.stdout.flush()
    streams = Streams(
        # Python sets sys.stdin to None when descriptor 0 is closed (`<&-`).
        stdin=sys.stdin.buffer if sys.stdin is not None else io.BytesIO(),
        stdout=sys.stdout.buffer,
        stderr=sys.stderr,
        stdout_is_terminal=sys.stdout.isatty(),
        stderr_is_terminal=sys.stderr.isatty(),
        environ=dict(os.environ),
    )
    try:
        return run(options, streams, prog)
    except KeyboardInterrupt:
        streams.stderr.write(f"\n{prog}: interrupted\n")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        return ExitStatus.ERROR
    except (OSError, httpcore.HTTPCoreError, DownloadError) as exc:
        status, message = classify(exc)
        streams.stderr.write(f"{prog}: error: {message}\n")
        return status


def _discard_stdout() -> None:
    """Point stdout at the null device once its reader has gone (as with `| head`), so
    that the flush at interpreter exit does not fail again."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
