"""Printing messages: request and response heads, bodies, JSON pretty-printed and coloured.

Only ANSI escape sequences from the standard SGR set are used, so any terminal shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any
from urllib.parse import urlsplit

_RESET = "\x1b[0m"
STYLES = {
    "method": "\x1b[1;32m",
    "target": "\x1b[36m",
    "version": "\x1b[34m",
    "1xx": "\x1b[1;34m",
    "2xx": "\x1b[1;32m",
    "3xx": "\x1b[1;33m",
    "4xx": "\x1b[1;31m",
    "5xx": "\x1b[1;31m",
    "name": "\x1b[36m",
    "key": "\x1b[1;34m",
    "string": "\x1b[32m",
    "number": "\x1b[36m",
    "literal": "\x1b[35m",
}
_JSON_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<colon>\s*:)?'
    r"|(?P<literal>true|false|null|NaN|-?Infinity)"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
)
BINARY_NOTE = "binary body ({size} bytes) not shown on a terminal: use --output FILE or --download"


def choose_style(pretty: str, terminal: bool, environ: Mapping[str, str]) -> tuple[bool, bool]:
    """Return `(colours, formatting)` for a `--pretty` choice.

    `auto` colours and formats for a terminal, unless `NO_COLOR` is set to anything but an
    empty string (https://no-color.org), and leaves piped output as it came.

    Example: `choose_style("auto", False, {}) == (False, False)`
    """
    if pretty == "auto":
        return terminal and not environ.get("NO_COLOR"), terminal
    return pretty in ("all", "colors"), pretty in ("all", "format")


def paint(text: str, style: str) -> str:
    """Wrap `text` in the ANSI colour of `style` (a key of `STYLES`).

    Example: `paint("200", "2xx") == "\\x1b[1;32m200\\x1b[0m"`
    """
    return f"{STYLES[style]}{text}{_RESET}"


def highlight_json(text: str) -> str:
    """Colour the keys, strings, numbers and literals of a JSON document.

    Example: `highlight_json('{"a": 1}')` paints `"a"` as a key and `1` as a number.
    """

    def token(match: re.Match[str]) -> str:
        if match["string"] is not None:
            style = "key" if match["colon"] else "string"
            return paint(match["string"], style) + (match["colon"] or "")
        kind = "literal" if match["literal"] is not None else "number"
        return paint(match[0], kind)

    return _JSON_TOKEN.sub(token, text)


def is_json_type(content_type: str) -> bool:
    """Whether a Content-Type names JSON (`application/json`, `text/json`, `...+json`).

    Example: `is_json_type("application/problem+json; charset=utf-8") is True`
    """
    media = content_type.partition(";")[0].strip().lower()
    return media in ("application/json", "text/json") or media.endswith("+json")


def render_text(text: str, content_type: str, *, colours: bool, formatting: bool) -> str:
    """A text body as shown: JSON re-indented with `formatting`, highlighted with `colours`.

    A body that claims to be JSON but does not parse is shown as it came.

    Example: `render_text('{"a":1}', "application/json", colours=False, formatting=True)`
    """
    if not is_json_type(content_type) or not (colours or formatting):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text
    if formatting:
        text = json.dumps(document, indent=4, ensure_ascii=False)
    return highlight_json(text) if colours else text


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def request_head(prepared: Any, *, colours: bool) -> str:
    """The head of a prepared request: `METHOD target`, then `Host` and its headers.

    Example: `request_head(session.prepare_request(request), colours=False)`
    """
    method, target = prepared.method, prepared.path_url
    if colours:
        method, target = paint(method, "method"), paint(target, "target")
    headers = [(_text(name), _text(value)) for name, value in prepared.headers.items()]
    if not any(name.lower() == "host" for name, _ in headers):
        # httpcore adds Host from the URL (RFC 9110 section 7.2), without any userinfo.
        headers.insert(0, ("Host", urlsplit(prepared.url).netloc.rpartition("@")[2]))
    return _head(f"{method} {target}", headers, colours)


def response_head(response: Any, *, colours: bool) -> str:
    """The head of a response: `HTTP/1.1 200 OK`, then its headers as received.

    Example: `response_head(session.get(url), colours=True)`
    """
    raw = response.raw
    version, status = raw.http_version, f"{response.status_code} {response.reason}".rstrip()
    if colours:
        version = paint(version, "version")
        status = paint(status, f"{response.status_code // 100}xx")
    headers = [(_text(name), _text(value)) for name, value in raw.headers]
    return _head(f"{version} {status}", headers, colours)


def _head(first: str, headers: list[tuple[str, str]], colours: bool) -> str:
    lines = [first]
    for name, value in headers:
        lines.append(f"{paint(name, 'name') if colours else name}: {value}")
    return "\n".join(lines) + "\n"


class Printer:
    """Writes heads and bodies to a binary stream, a blank line between two of them.

    Arguments: `stream`; `terminal` (a person reads it: binary bodies are left out and a
    body ends with a line break); `colours`, `formatting` (see `choose_style`).

    Example: `Printer(sys.stdout.buffer, terminal=True, colours=True, formatting=True)`
    """

    def __init__(
        self, stream: IO[bytes], *, terminal: bool, colours: bool, formatting: bool
    ) -> None:
        self.stream = stream
        self.terminal = terminal
        self.colours = colours
        self.formatting = formatting
        self._sections = 0
        self._at_line_start = True

    def _start_section(self) -> None:
        if not self._at_line_start:
            self.stream.write(b"\n")
        if self._sections:
            self.stream.write(b"\n")
        self._sections += 1
        self._at_line_start = True

    def _write(self, data: bytes) -> None:
        if data:
            self.stream.write(data)
            self._at_line_start = data.endswith(b"\n")

    def text(self, text: str) -> None:
        """Write a section of text (a head, a note), UTF-8 encoded."""
        self._start_section()
        self._write(text.encode("utf-8", errors="replace"))

    def body(self, content: bytes, text: str, content_type: str) -> None:
        """Write a whole body: raw bytes unless it is shown on a terminal or restyled.

        Arguments: the body as bytes, the same decoded to text, its Content-Type.
        """
        if not content:
            return
        if self.terminal and b"\x00" in content:
            self.text(BINARY_NOTE.format(size=len(content)) + "\n")
            return
        self._start_section()
        if not (self.terminal or self.colours or self.formatting):
            self._write(content)
            return
        shown = render_text(text, content_type, colours=self.colours, formatting=self.formatting)
        if self.terminal and not shown.endswith("\n"):
            shown += "\n"
        self._write(shown.encode("utf-8", errors="replace"))

    def chunks(self, chunks: Iterable[bytes]) -> None:
        """Write a body as it arrives, unchanged (for output that is not restyled)."""
        started = False
        for chunk in chunks:
            if chunk and not started:
                self._start_section()
                started = True
            self._write(chunk)

    def flush(self) -> None:
        """Flush the stream."""
        self.stream.flush()
