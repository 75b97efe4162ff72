"""`--download`: stream a body to a file, with a progress bar, resumable with Range."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

BAR_WIDTH = 24
# Redraw the bar at most this often (seconds): a fast transfer would otherwise spend its
# time writing to the terminal.
REDRAW_INTERVAL = 0.1
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"bytes\s+\*/(\d+)\s*$", re.IGNORECASE)


class DownloadError(Exception):
    """A response that cannot be saved as asked, such as a resume at the wrong offset."""


def format_size(size: float) -> str:
    """A byte count for people, in binary units.

    Example: `format_size(1536) == "1.5 KiB"`
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def format_duration(seconds: float | None) -> str:
    """Seconds as `H:MM:SS`, or `-:--:--` when unknown.

    Example: `format_duration(75) == "0:01:15"`
    """
    if seconds is None:
        return "-:--:--"
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def render_progress(done: int, total: int | None, speed: float) -> str:
    """One line of progress: percentage, bar, size, speed and ETA (size and speed only
    when the total is unknown).

    Arguments: bytes of the file written so far, its full size if known, bytes per second.

    Example: `render_progress(512, 1024, 256.0)` is
    `" 50% [############------------] 512 B / 1.0 KiB  256 B/s  ETA 0:00:02"`
    """
    rate = f"{format_size(speed)}/s"
    if not total:
        return f"{format_size(done)}  {rate}"
    fraction = min(done / total, 1.0)
    filled = int(fraction * BAR_WIDTH)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    eta = (total - done) / speed if speed > 0 else None
    sizes = f"{format_size(done)} / {format_size(total)}"
    return f"{fraction:4.0%} [{bar}] {sizes}  {rate}  ETA {format_duration(eta)}"


class Progress:
    """Counts the bytes written and draws the bar on a terminal stream (or on nothing).

    Arguments: `stream` for the bar (None: no bar); `total` size of the file, if known;
    `start`, bytes already in the file; `clock`, seconds as a float.

    Example:
        progress = Progress(sys.stderr, total=1024, start=0)
        progress.update(512)
        progress.finish()
    """

    def __init__(
        self,
        stream: IO[str] | None,
        *,
        total: int | None,
        start: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total = total
        self.start = self.done = start
        self._clock = clock
        self.started_at = clock()
        self._drawn_at: float | None = None

    @property
    def elapsed(self) -> float:
        return self._clock() - self.started_at

    @property
    def speed(self) -> float:
        """Bytes per second received in this run (a resumed part does not count)."""
        elapsed = self.elapsed
        return (self.done - self.start) / elapsed if elapsed > 0 else 0.0

    def update(self, size: int) -> None:
        self.done += size
        now = self._clock()
        if self._drawn_at is None or now - self._drawn_at >= REDRAW_INTERVAL:
            self._draw(now)

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        if self.stream is not None:
            # \r returns to the line's start, and ESC [K clears what a longer line left.
            self.stream.write("\r" + render_progress(self.done, self.total, self.speed) + "\x1b[K")
            self.stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the bar's line."""
        if self.stream is not None:
            self._draw(self._clock())
            self.stream.write("\n")


def content_range(value: str) -> tuple[int, int | None]:
    """The first byte and the full length of a 206 response's `Content-Range`.

    RFC 9110 section 14.4: `bytes first-last/complete-length`, the length `*` if unknown.
    Raises `DownloadError` for anything else.

    Example: `content_range("bytes 100-199/200") == (100, 200)`
    """
    match = _CONTENT_RANGE.match(value.strip())
    if match is None:
        raise DownloadError(f"the server resumed with an unreadable Content-Range: {value!r}")
    length = match[3]
    return int(match[1]), None if length == "*" else int(length)


def is_already_complete(response: Any, size: int) -> bool:
    """Whether a 416 answer says that a file of `size` bytes is already whole.

    RFC 9110 section 15.5.17: the 416 carries `Content-Range: bytes */length`.
    """
    match = _UNSATISFIED_RANGE.match(response.headers.get("content-range", "").strip())
    return response.status_code == 416 and match is not None and int(match[1]) == size


def suggest_filename(response: Any) -> str:
    """A file name for a response: Content-Disposition's, else the URL's last segment.

    Only the last path component of a name is used, and leading dots and unprintable
    characters are dropped, so a server cannot choose where the file goes, or hide it
    (RFC 6266 section 4.3).

    Example: `suggest_filename(session.get("http://example.org/a/b.iso"))  # "b.iso"`
    """
    message = Message()
    message["content-disposition"] = response.headers.get("content-disposition", "")
    for name in (message.get_filename(), unquote(urlsplit(response.url).path)):
        printable = "".join(char for char in name or "" if char.isprintable())
        safe = os.path.basename(printable.replace("\\", "/")).lstrip(".").strip()
        if safe:
            return safe
    return "download"


def unused_path(name: str, directory: Path) -> Path:
    """`directory / name`, or `name-1`, `name-2`... before the suffix when it exists.

    Example: `unused_path("a.txt", Path("."))  # a-1.txt if a.txt exists`
    """
    path = directory / name
    index = 0
    while path.exists():
        index += 1
        path = directory / f"{Path(name).stem}-{index}{Path(name).suffix}"
    return path


def plan_resume(path: Path) -> int:
    """The size of a partly downloaded file (0 when it does not exist).

    Example: `plan_resume(Path("data.bin"))`
    """
    return path.stat().st_size if path.exists() else 0


def is_encoded(response: Any) -> bool:
    """Whether the body has a content coding (RFC 9110 section 8.4) other than identity."""
    coding: str = response.headers.get("content-encoding", "identity")
    return coding.strip().lower() != "identity"


def start_offset(response: Any, resume_from: int) -> tuple[int, int | None]:
    """Where the body starts in the file, and the file's full size if known.

    A 206 must start exactly where the file ends; a 200 is the whole file again, so the
    download restarts from byte 0. The body is saved decoded: the size of an encoded one
    is unknown, and a range of one cannot be appended, as it counts encoded bytes.
    """
    if response.status_code == 206:
        if is_encoded(response):
            raise DownloadError(
                "the server encoded the rest of the file: download it again without --continue"
            )
        first, total = content_range(response.headers.get("content-range", ""))
        if first != resume_from:
            raise DownloadError(
                f"the server resumed at byte {first}, but the file has {resume_from} bytes"
            )
        return first, total
    length = response.headers.get("content-length", "")
    return 0, int(length) if length.isdigit() and not is_encoded(response) else None


def announce(path: Path, offset: int, total: int | None) -> str:
    """The line that starts a download: the file, where it resumes, and the size if known.

    Example: `announce(Path("a.iso"), 0, 2048) == "Saving 2.0 KiB to a.iso"`
    """
    if offset:
        of = f" of {format_size(total)}" if total else ""
        return f"Resuming {path} from byte {offset}{of}"
    return f"Saving {format_size(total)} to {path}" if total else f"Saving to {path}"


def save(response: Any, path: Path, offset: int, progress: Progress) -> int:
    """Write the body to `path` from `offset`, each piece as it arrives; return the size.

    The file is truncated to `offset` first, so a restart (offset 0) replaces a partial file.
    Pieces are written as they come, so a transfer that breaks leaves every byte received.
    """
    mode = "r+b" if offset else "wb"
    with open(path, mode) as file:
        file.truncate(offset)
        file.seek(offset)
        try:
            for chunk in response.iter_content(chunk_size=None):
                file.write(chunk)
                progress.update(len(chunk))
        finally:
            # Also after a failure, so that an error message starts on a line of its own.
            progress.finish()
    return progress.done
