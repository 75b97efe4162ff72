"""The command line: argparse options, request items, and the validated `Options`."""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from requests_async import __version__

DEFAULT_MAX_REDIRECTS = 30
PRETTY_CHOICES = ("auto", "all", "colors", "format", "none")
_KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
# At one position the longest separator wins: `a:=1` is JSON, not the header `a` = `=1`.
_SEPARATORS = {":=": "json", "==": "query", "=": "field", ":": "header", "@": "file"}
_ONE_BODY = "a raw body (@file or --data) cannot be combined with fields or another body"
_ITEM_HELP = "Header:value, name=value, name:=json, name==value, field@file or @file"

_DESCRIPTION = """\
Send one HTTP request and print the response.

Request items:
  Header:value   a request header (Header: alone removes a default header)
  name==value    a query parameter
  name=value     a JSON string field (a form field with --form)
  name:=json     a raw JSON field: name:=42, tags:='["a", "b"]'
  field@path     a file upload (a multipart form)
  @path          the request body read from a file (@- reads stdin)
"""

_EPILOG = """\
exit status: 0 success, 1 other error, 2 usage error, 3/4/5 an HTTP 3xx/4xx/5xx status
with --check-status (or a failed --download), 6 too many redirects, 7 connection error,
8 timeout, 9 TLS error, 10 proxy error, 130 interrupted.
"""


@dataclass(frozen=True)
class Item:
    """One request item: its kind (`header`, `query`, `field`, `json`, `file`, `body`),
    name and value.

    Example: `parse_item("q==duo") == Item("query", "q", "duo")`
    """

    kind: str
    name: str
    value: str


@dataclass
class Options:
    """Everything the command line asked for, validated.

    Body: `json` (a JSON object), `form` (form fields), `files` (`(field, path)` uploads),
    `data` (raw bytes) or `data_path` (a file, `-` for stdin); at most one kind is set.
    """

    method: str
    url: str
    headers: dict[str, str | None] = field(default_factory=dict)
    params: list[tuple[str, str]] = field(default_factory=list)
    json: dict[str, Any] | None = None
    form: list[tuple[str, str]] | None = None
    files: list[tuple[str, str]] = field(default_factory=list)
    data: bytes | None = None
    data_path: str | None = None
    json_mode: bool = False
    auth: tuple[str, str] | None = None
    auth_type: str = "basic"
    http2: bool = False
    proxies: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    max_time: float | None = None
    verify: bool | str = True
    cert: str | tuple[str, str] | None = None
    follow: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    verbose: bool = False
    only: str | None = None
    pretty: str = "auto"
    output: str | None = None
    download: bool = False
    resume: bool = False
    check_status: bool = False


def parse_item(text: str) -> Item:
    """Split a request item at its first separator; a backslash escapes a separator character.

    Arguments: `text`, one command-line argument after the URL. Raises `ValueError` when
    it has no separator, or a name is missing.

    Example: `parse_item("X-Api-Key:abc") == Item("header", "X-Api-Key", "abc")`
    """
    name: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            name.append(text[index + 1])
            index += 2
            continue
        for separator, kind in _SEPARATORS.items():
            if text.startswith(separator, index):
                return _item(kind, "".join(name), text[index + len(separator) :], text)
        name.append(char)
        index += 1
    raise ValueError(f"{text!r} is not a request item ({_ITEM_HELP})")


def _item(kind: str, name: str, value: str, text: str) -> Item:
    if kind == "file" and not name:
        return Item("body", "", value)
    if not name:
        raise ValueError(f"{text!r} has no name before its separator")
    if kind == "header":
        value = value.strip()
    return Item(kind, name, value)


def split_method(positionals: Sequence[str]) -> tuple[str | None, str, list[str]]:
    """Tell `[METHOD] URL [ITEM ...]` apart: a method is a known one or letters in capitals.

    Example: `split_method(["put", "example.org", "a=1"]) == ("PUT", "example.org", ["a=1"])`
    """
    first = positionals[0]
    is_method = first.isascii() and first.isalpha() and first.upper() == first
    if len(positionals) > 1 and (is_method or first.upper() in _KNOWN_METHODS):
        return first.upper(), positionals[1], list(positionals[2:])
    return None, first, list(positionals[1:])


def complete_url(url: str) -> str:
    """Add `http://` to a URL without a scheme; `:8000/path` means localhost.

    Example: `complete_url(":8000/get") == "http://localhost:8000/get"`
    """
    if url.startswith(":"):
        url = "localhost" + url
    if "://" not in url:
        url = "http://" + url
    return url


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The argparse parser of the command line (help text, options and their defaults)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        usage=f"{prog} [OPTIONS] [METHOD] URL [ITEM ...]",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("positionals", nargs="+", metavar="[METHOD] URL [ITEM ...]")
    parser.add_argument("--version", action="version", version=f"requests_async {__version__}")
    _add_body_options(parser)
    _add_connection_options(parser)
    _add_output_options(parser)
    return parser


def _add_body_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("request body")
    kind = group.add_mutually_exclusive_group()
    kind.add_argument("-j", "--json", action="store_true", help="send and accept JSON (default)")
    kind.add_argument("-f", "--form", action="store_true", help="send fields as a form")
    group.add_argument("--data", metavar="TEXT", help="the raw request body (@path: a file)")


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "-a", "--auth", metavar="USER[:PASS]", help="credentials; asks for a missing password"
    )
    group.add_argument(
        "-A",
        "--auth-type",
        choices=("basic", "digest"),
        default="basic",
        help="the scheme of --auth (basic)",
    )
    group.add_argument("--http2", action="store_true", help="offer HTTP/2 to https servers")
    group.add_argument(
        "--proxy", action="append", default=[], metavar="[SCHEME:]URL", help="use a proxy"
    )
    group.add_argument(
        "--timeout", type=_positive_float, metavar="SECONDS", help="connect and read timeout"
    )
    group.add_argument(
        "--max-time",
        type=_positive_float,
        metavar="SECONDS",
        help="deadline for the whole exchange, redirects and body included",
    )
    group.add_argument(
        "--verify",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="check the server certificate",
    )
    group.add_argument("--cacert", metavar="PATH", help="trust the CAs in this file or directory")
    group.add_argument("--cert", metavar="FILE", help="client certificate (PEM)")
    group.add_argument("--cert-key", metavar="FILE", help="key of --cert, if not in it")
    group.add_argument(
        "--follow", action=argparse.BooleanOptionalAction, default=True, help="follow redirects"
    )
    group.add_argument(
        "--max-redirects",
        type=_count,
        default=DEFAULT_MAX_REDIRECTS,
        metavar="N",
        help="redirects to follow at most (30)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("-v", "--verbose", action="store_true", help="print requests and hops too")
    only = group.add_mutually_exclusive_group()
    only.add_argument("--headers", action="store_true", help="print heads only")
    only.add_argument("--body", action="store_true", help="print bodies only")
    group.add_argument(
        "--pretty", choices=PRETTY_CHOICES, default="auto", help="colours and formatting"
    )
    group.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    group.add_argument("--download", action="store_true", help="save the body to a file")
    group.add_argument(
        "-c", "--continue", dest="resume", action="store_true", help="resume a --download -o"
    )
    group.add_argument("--check-status", action="store_true", help="exit 3/4/5 for 3xx-5xx")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a count")
    return int(text)


def parse_args(argv: Sequence[str], prog: str) -> Options:
    """Parse and check a command line; a usage error exits (status 2) through argparse.

    Example: `parse_args(["example.org", "q==1"], "duohttp").params == [("q", "1")]`
    """
    parser = build_parser(prog)
    args = parser.parse_intermixed_args(argv)
    try:
        return _options(args)
    except ValueError as exc:
        parser.error(str(exc))


def _options(args: argparse.Namespace) -> Options:
    method, url, items = split_method(args.positionals)
    options = Options(
        method="",
        url=complete_url(url),
        json_mode=args.json,
        auth_type=args.auth_type,
        http2=args.http2,
        timeout=args.timeout,
        max_time=args.max_time,
        follow=args.follow,
        max_redirects=args.max_redirects,
        verbose=args.verbose,
        only="headers" if args.headers else "body" if args.body else None,
        pretty=args.pretty,
        output=args.output,
        download=args.download,
        resume=args.resume,
        check_status=args.check_status,
    )
    _apply_items(options, [parse_item(text) for text in items], form=args.form)
    _apply_data(options, args.data)
    options.auth = _credentials(args.auth)
    options.proxies = dict(_proxy(value) for value in args.proxy)
    options.verify = _verify(args.verify, args.cacert)
    options.cert = _cert(args.cert, args.cert_key)
    has_body = options.json or options.form or options.files or options.data_path
    options.method = method or ("POST" if has_body or options.data is not None else "GET")
    if options.resume and not (options.download and options.output):
        raise ValueError("--continue needs --download and --output FILE")
    return options


def _apply_items(options: Options, items: list[Item], *, form: bool) -> None:
    fields: list[tuple[str, Any]] = []
    bodies: list[str] = []
    for item in items:
        if item.kind == "header":
            options.headers[item.name] = item.value or None
        elif item.kind == "query":
            options.params.append((item.name, item.value))
        elif item.kind == "json":
            fields.append((item.name, _json_value(item)))
        elif item.kind == "field":
            fields.append((item.name, item.value))
        elif item.kind == "file":
            options.files.append((item.name, _existing_file(item.value)))
        else:
            bodies.append(item.value)
    if bodies and (fields or options.files or len(bodies) > 1):
        raise ValueError(_ONE_BODY)
    for path in bodies:
        _set_body_path(options, path)
    uploads = bool(options.files)
    if form or uploads:
        if options.json_mode:
            raise ValueError("file uploads are sent as a form, not as JSON")
        if any(not isinstance(value, str) for _, value in fields):
            raise ValueError("name:=json fields need a JSON body, not a form")
        options.form = [(name, value) for name, value in fields] if fields else None
    elif fields:
        options.json = dict(fields)


def _json_value(item: Item) -> Any:
    try:
        return json.loads(item.value)
    except ValueError:
        raise ValueError(f"{item.name}:= needs a JSON value, not {item.value!r}") from None


def _apply_data(options: Options, data: str | None) -> None:
    if data is None:
        return
    if data.startswith("@"):
        _set_body_path(options, data[1:])
    else:
        _check_single_body(options)
        options.data = data.encode("utf-8")


def _set_body_path(options: Options, path: str) -> None:
    _check_single_body(options)
    options.data_path = path if path == "-" else _existing_file(path)


def _check_single_body(options: Options) -> None:
    if options.json or options.form or options.files or options.data_path:
        raise ValueError(_ONE_BODY)


def _existing_file(path: str) -> str:
    if not os.path.isfile(path):
        raise ValueError(f"no such file: {path!r}")
    return path


def _credentials(auth: str | None) -> tuple[str, str] | None:
    if auth is None:
        return None
    user, colon, password = auth.partition(":")
    if not colon:
        password = getpass.getpass(f"Password for {user}: ")
    return user, password


def _proxy(value: str) -> tuple[str, str]:
    scheme, _, rest = value.partition(":")
    # A bare URL (`http://proxy:3128`) is the proxy for every scheme.
    if rest.startswith("//") or not rest:
        return "all", value
    return scheme.lower(), rest


def _verify(verify: bool, cacert: str | None) -> bool | str:
    if cacert is None:
        return verify
    if not verify:
        raise ValueError("--cacert and --no-verify contradict each other")
    if not os.path.exists(cacert):
        raise ValueError(f"no such CA file or directory: {cacert!r}")
    return cacert


def _cert(cert: str | None, key: str | None) -> str | tuple[str, str] | None:
    if key is not None and cert is None:
        raise ValueError("--cert-key needs --cert")
    if cert is None:
        return None
    if key is None:
        return _existing_file(cert)
    return _existing_file(cert), _existing_file(key)
