"""One exchange: build the session and request, send it, print or save the response."""

from __future__ import annotations

import contextlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpcore
from requests_async._sync.adapters import TimeoutTypes, _timeout_config
from requests_async.sync import Request, Response, Session
from requests_async.sync.adapters import HTTPAdapter
from requests_async.sync.auth import HTTPBasicAuth, HTTPDigestAuth

from . import _download
from ._args import Options
from ._output import Printer, choose_style, request_head, response_head
from ._status import ExitStatus, http_status

JSON_ACCEPT = "application/json, */*;q=0.5"


@dataclass
class Streams:
    """Where the client reads and writes: binary stdin and stdout, text stderr, and
    whether stdout and stderr are terminals."""

    stdin: IO[bytes]
    stdout: IO[bytes]
    stderr: IO[str]
    stdout_is_terminal: bool
    stderr_is_terminal: bool
    environ: dict[str, str]


@dataclass
class Parts:
    """What to print: request head and body, response heads and body, redirect hops."""

    request_head: bool
    request_body: bool
    response_head: bool
    response_body: bool
    hops: bool


def choose_parts(options: Options, terminal: bool) -> Parts:
    """Terminals get the response head and body, pipes the body; `-v` adds the requests."""
    heads, bodies = options.only != "body", options.only != "headers"
    # A download keeps the terminal for its progress: heads only when asked for.
    by_default = terminal and not options.download
    return Parts(
        request_head=options.verbose and heads,
        request_body=options.verbose and bodies,
        response_head=heads and (options.verbose or options.only == "headers" or by_default),
        response_body=bodies and not options.download,
        hops=options.verbose,
    )


def _has_header(headers: dict[str, str | None], name: str) -> bool:
    return any(key.lower() == name for key in headers)


def _headers(options: Options) -> dict[str, str | None]:
    headers = dict(options.headers)
    if (options.json_mode or options.json is not None) and not _has_header(headers, "accept"):
        headers["Accept"] = JSON_ACCEPT
    raw_body = (options.json_mode and options.data is not None) or options.data_path
    if raw_body and not _has_header(headers, "content-type"):
        guessed = mimetypes.guess_type(options.data_path or "")[0]
        headers["Content-Type"] = "application/json" if options.json_mode else guessed
    if options.download and not _has_header(headers, "accept-encoding"):
        # Byte ranges count bytes of the representation as sent (RFC 9110 section 14.1); a
        # content coding chosen anew for each request would shift them, so ask for none.
        headers["Accept-Encoding"] = "identity"
    return headers


def _open(stack: contextlib.ExitStack, path: str, mode: str) -> IO[bytes]:
    file: IO[bytes] = open(path, mode)  # noqa: SIM115 (the stack closes it)
    return stack.enter_context(file)


def _body(options: Options, stack: contextlib.ExitStack, stdin: IO[bytes]) -> dict[str, Any]:
    data: Any = options.form or options.data
    if options.data_path == "-":
        data = stdin.read()
    elif options.data_path:
        data = _open(stack, options.data_path, "rb")
    files = [
        (name, (os.path.basename(path), _open(stack, path, "rb"))) for name, path in options.files
    ]
    return {"data": data or {}, "json": options.json, "files": files or None}


def _auth(options: Options) -> Any:
    if options.auth is None:
        return None
    auth_class = HTTPDigestAuth if options.auth_type == "digest" else HTTPBasicAuth
    return auth_class(*options.auth)


def _session(options: Options, stack: contextlib.ExitStack) -> Session:
    session = stack.enter_context(Session())
    session.max_redirects = options.max_redirects
    if options.http2:
        session.mount("https://", HTTPAdapter(http2=True))
    return session


def run(options: Options, streams: Streams, prog: str) -> int:
    """Send the request `options` describe and print (or save) the response; return the
    exit status. Errors propagate to the caller, which reports them."""
    with contextlib.ExitStack() as stack:
        session = _session(options, stack)
        headers = _headers(options)
        resume_from = 0
        if options.resume:
            assert options.output is not None, "parse_args checks --continue"
            resume_from = _download.plan_resume(Path(options.output))
            if resume_from:
                headers["Range"] = f"bytes={resume_from}-"
        request = Request(
            method=options.method,
            url=options.url,
            headers=headers,
            params=options.params,
            auth=_auth(options),
            **_body(options, stack, streams.stdin),
        )
        prepared = session.prepare_request(request)
        printer, parts = _printer(options, streams, stack)
        if parts.request_head or parts.request_body:
            _print_request(printer, prepared, parts)
            printer.flush()
        settings = session.merge_environment_settings(
            prepared.url, options.proxies, True, options.verify, options.cert
        )
        response = session.send(
            prepared, timeout=_timeouts(options), allow_redirects=options.follow, **settings
        )
        stack.callback(response.close)
        _print_hops(printer, response, parts)
        if options.download:
            return _save(options, response, streams, resume_from, prog)
        if parts.response_body:
            _print_body(printer, response)
        printer.flush()
        return _check(options, response, streams, prog)


def _printer(
    options: Options, streams: Streams, stack: contextlib.ExitStack
) -> tuple[Printer, Parts]:
    stream, terminal = streams.stdout, streams.stdout_is_terminal
    if options.output is not None and not options.download:
        stream, terminal = _open(stack, options.output, "wb"), False
    colours, formatting = choose_style(options.pretty, terminal, streams.environ)
    printer = Printer(stream, terminal=terminal, colours=colours, formatting=formatting)
    return printer, choose_parts(options, terminal)


def _print_request(printer: Printer, prepared: Any, parts: Parts) -> None:
    if parts.request_head:
        printer.text(request_head(prepared, colours=printer.colours))
    body = prepared.body
    if not parts.request_body or not body:
        return
    if isinstance(body, (bytes, str)):
        content = body if isinstance(body, bytes) else body.encode("utf-8")
        content_type = prepared.headers.get("content-type", "")
        printer.body(content, content.decode("utf-8", errors="replace"), content_type)
    else:
        printer.text("(body streamed from a file, not shown)\n")


def _print_hops(printer: Printer, response: Response, parts: Parts) -> None:
    """The redirects and auth challenges before the final response, then its head."""
    hops = [*response.history, response] if parts.hops else [response]
    for index, hop in enumerate(hops):
        if index and parts.request_head:
            printer.text(request_head(hop.request, colours=printer.colours))
        if parts.response_head:
            printer.text(response_head(hop, colours=printer.colours))
    printer.flush()


def _print_body(printer: Printer, response: Response) -> None:
    if printer.terminal or printer.colours or printer.formatting:
        content = response.read()
        printer.body(content, response.text, response.headers.get("content-type", ""))
    else:
        printer.chunks(response.iter_content(chunk_size=None))


def _check(options: Options, response: Response, streams: Streams, prog: str) -> int:
    status = http_status(response.status_code)
    if not options.check_status or status == ExitStatus.OK:
        return ExitStatus.OK
    streams.stderr.write(f"{prog}: warning: HTTP {response.status_code} {response.reason}\n")
    return status


def _save(
    options: Options, response: Response, streams: Streams, resume_from: int, prog: str
) -> int:
    say = streams.stderr.write
    if resume_from and _download.is_already_complete(response, resume_from):
        say(f"{options.output} is already complete ({_download.format_size(resume_from)})\n")
        return ExitStatus.OK
    if not 200 <= response.status_code < 300:
        say(f"{prog}: error: HTTP {response.status_code} {response.reason}: nothing saved\n")
        return http_status(response.status_code) or ExitStatus.ERROR
    offset, total = _download.start_offset(response, resume_from)
    if options.output is not None:
        path = Path(options.output)
    else:
        path = _download.unused_path(_download.suggest_filename(response), Path.cwd())
    if resume_from and not offset:
        say("the server sent the whole file again: starting over\n")
    say(_download.announce(path, offset, total) + "\n")
    bar = streams.stderr if streams.stderr_is_terminal else None
    progress = _download.Progress(bar, total=total, start=offset)
    try:
        done = _download.save(response, path, offset, progress)
    except Exception:
        say(f"{path} has {progress.done} bytes: resume with --continue -o {path}\n")
        raise
    took = progress.elapsed
    rate = _download.format_size(progress.speed)
    say(f"Done: {_download.format_size(done)} in {took:.1f}s ({rate}/s)\n")
    return ExitStatus.OK


def _timeouts(options: Options) -> TimeoutTypes:
    """`--timeout` as requests takes it, with `--max-time` as its total timeout."""
    if options.max_time is None:
        return options.timeout
    return httpcore.TimeoutConfig(_timeout_config(options.timeout), total_timeout=options.max_time)
