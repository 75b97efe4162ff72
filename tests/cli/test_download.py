"""`--download`: naming, progress, Range resume (206), restarts (200), and failures."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest

from requests_async.cli._download import (
    DownloadError,
    Progress,
    announce,
    content_range,
    format_duration,
    format_size,
    is_already_complete,
    render_progress,
    start_offset,
    suggest_filename,
    unused_path,
)
from requests_async.structures import CaseInsensitiveDict
from tests.servers import pattern

SIZE = 300_000


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KiB"),
        (5 * 2**20, "5.0 MiB"),
        (3 * 2**30, "3.0 GiB"),
        (2 * 2**40, "2.0 TiB"),
    ],
)
def test_sizes_use_binary_units(size, text):
    assert format_size(size) == text


def test_durations():
    assert (format_duration(None), format_duration(2.4), format_duration(3725)) == (
        "-:--:--",
        "0:00:02",
        "1:02:05",
    )


def test_progress_lines():
    assert render_progress(512, 1024, 256.0) == (
        " 50% [############------------] 512 B / 1.0 KiB  256 B/s  ETA 0:00:02"
    )
    assert render_progress(2048, 1024, 0.0).startswith("100% [" + "#" * 24 + "]")
    assert render_progress(2048, 1024, 0.0).endswith("ETA -:--:--")
    assert render_progress(1536, None, 1024.0) == "1.5 KiB  1.0 KiB/s"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_is_redrawn_at_most_every_tenth_of_a_second():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, total=1000, start=200, clock=clock)
    progress.update(100)
    clock.now += 0.0625
    progress.update(100)
    clock.now += 0.0625
    progress.update(100)
    clock.now += 0.875
    progress.finish()
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 3
    assert frames[0].startswith(" 30% [")
    assert frames[1].startswith(" 50% [")
    # 300 bytes in this run (not the 200 resumed) over 1 s; 500 left.
    assert (
        frames[2]
        == " 50% [" + "#" * 12 + "-" * 12 + "] 500 B / 1000 B  300 B/s  ETA 0:00:02\x1b[K\n"
    )
    assert (progress.done, progress.speed, progress.elapsed) == (500, 300.0, 1.0)


def test_without_a_stream_nothing_is_drawn():
    progress = Progress(None, total=None, start=0, clock=Clock())
    progress.update(10)
    progress.finish()
    assert (progress.done, progress.speed) == (10, 0.0)


def test_announcements(tmp_path):
    path = tmp_path / "a.iso"
    assert announce(path, 0, 2048) == f"Saving 2.0 KiB to {path}"
    assert announce(path, 0, None) == f"Saving to {path}"
    assert announce(path, 10, 2048) == f"Resuming {path} from byte 10 of 2.0 KiB"
    assert announce(path, 10, None) == f"Resuming {path} from byte 10"


def test_content_range():
    assert content_range("bytes 100-199/200") == (100, 200)
    assert content_range(" Bytes 0-9/* ") == (0, None)
    with pytest.raises(DownloadError, match="unreadable Content-Range"):
        content_range("bytes */200")


def reply(status=200, url="http://example.org/", **headers):
    return SimpleNamespace(status_code=status, url=url, headers=CaseInsensitiveDict(headers))


def test_start_offsets():
    assert start_offset(reply(206, **{"content-range": "bytes 10-19/20"}), 10) == (10, 20)
    assert start_offset(reply(200, **{"content-length": "20"}), 10) == (0, 20)
    assert start_offset(reply(200), 0) == (0, None)
    with pytest.raises(DownloadError, match="resumed at byte 0, but the file has 10 bytes"):
        start_offset(reply(206, **{"content-range": "bytes 0-19/20"}), 10)


def test_only_a_416_for_the_same_length_means_complete():
    assert is_already_complete(reply(416, **{"content-range": "bytes */20"}), 20)
    assert not is_already_complete(reply(416, **{"content-range": "bytes */30"}), 20)
    assert not is_already_complete(reply(416), 20)
    assert not is_already_complete(reply(200, **{"content-range": "bytes */20"}), 20)


@pytest.mark.parametrize(
    ("url", "disposition", "name"),
    [
        ("http://example.org/a/b.iso", "", "b.iso"),
        ("http://example.org/a/b%20c.iso?x=1", "", "b c.iso"),
        ("http://example.org/", "", "download"),
        ("http://example.org/..", "", "download"),
        ("http://example.org/a%00b%0A.txt", "", "ab.txt"),
        ("http://example.org/x", 'attachment; filename="report.pdf"', "report.pdf"),
        ("http://example.org/x", "attachment; filename*=UTF-8''na%C3%AFve.txt", "naïve.txt"),
        ("http://example.org/x", 'attachment; filename="../../etc/.passwd"', "passwd"),
        ("http://example.org/x", 'attachment; filename="..\\\\evil.bat"', "evil.bat"),
        ("http://example.org/x", "attachment", "x"),
    ],
)
def test_file_names_never_leave_the_directory(url, disposition, name):
    headers = {"content-disposition": disposition} if disposition else {}
    assert suggest_filename(reply(url=url, **headers)) == name


def test_existing_files_are_not_overwritten(tmp_path):
    assert unused_path("a.txt", tmp_path) == tmp_path / "a.txt"
    (tmp_path / "a.txt").touch()
    (tmp_path / "a-1.txt").touch()
    assert unused_path("a.txt", tmp_path) == tmp_path / "a-2.txt"
    (tmp_path / "plain").touch()
    assert unused_path("plain", tmp_path) == tmp_path / "plain-1"


# Against servers -------------------------------------------------------------------


def test_a_download_streams_to_the_named_file(cli, ranges_server, tmp_path):
    target = tmp_path / "out.bin"
    result = cli("--download", "-o", str(target), f"{ranges_server.url}/file/{SIZE}")
    assert result.status == 0
    assert (result.stdout, target.read_bytes()) == (b"", pattern(SIZE))
    lines = result.stderr.splitlines()
    assert lines[0] == f"Saving 293.0 KiB to {target}"
    assert re.fullmatch(r"Done: 293\.0 KiB in \d+\.\ds \(.+/s\)", lines[1])
    assert len(lines) == 2


def test_without_output_the_name_comes_from_the_response(cli, ranges_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"{ranges_server.url}/file/10"
    assert cli("--download", url).status == 0
    assert cli("--download", url).status == 0
    assert cli("--download", url + "?filename=../up/report.bin").status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["10", "10-1", "report.bin"]
    assert (tmp_path / "10-1").read_bytes() == pattern(10)


def test_continue_resumes_with_range(cli, ranges_server, tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(pattern(100_000))
    url = f"{ranges_server.url}/file/{SIZE}"
    result = cli("--download", "--continue", "-o", str(target), url, "-v", "--headers")
    assert result.status == 0
    assert target.read_bytes() == pattern(SIZE)
    assert "Range: bytes=100000-" in result.text
    assert "content-range: bytes 100000-299999/300000" in result.text
    assert result.stderr.splitlines()[0] == f"Resuming {target} from byte 100000 of 293.0 KiB"


def test_continue_without_a_file_downloads_it_all(cli, ranges_server, tmp_path):
    target = tmp_path / "new.bin"
    result = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/file/{SIZE}", "-v")
    assert result.status == 0
    assert "Range:" not in result.text
    assert "Accept-Encoding: identity" in result.text
    assert target.read_bytes() == pattern(SIZE)


def test_a_server_ignoring_range_restarts_the_file(cli, ranges_server, tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"stale bytes that are not the pattern" * 5000)
    result = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/whole/{SIZE}")
    assert result.status == 0
    assert target.read_bytes() == pattern(SIZE)
    assert "the server sent the whole file again: starting over" in result.stderr


def test_a_complete_file_is_left_alone(cli, ranges_server, tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(pattern(1000))
    result = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/file/1000")
    assert result.status == 0
    assert result.stderr == f"{target} is already complete (1000 B)\n"
    assert target.read_bytes() == pattern(1000)


def test_a_416_for_another_length_is_a_client_error(cli, ranges_server, tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(pattern(2000))
    result = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/file/1000")
    assert result.status == 4
    assert "HTTP 416 Requested Range Not Satisfiable: nothing saved" in result.stderr
    assert target.read_bytes() == pattern(2000)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("wrong_start", "the server resumed at byte 0, but the file has 10 bytes"),
        ("bad_range", "the server resumed with an unreadable Content-Range: 'pages 1-2'"),
        (
            "encoded_part",
            "the server encoded the rest of the file: download it again without --continue",
        ),
    ],
)
def test_a_resume_that_does_not_fit_changes_nothing(cli, ranges_server, tmp_path, path, message):
    target = tmp_path / "out.bin"
    target.write_bytes(pattern(10))
    result = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/{path}/100")
    assert result.status == 1
    assert result.stderr == f"duohttp: error: download failed: {message}\n"
    assert target.read_bytes() == pattern(10)


def test_an_error_status_saves_nothing(cli, server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("--download", f"{server.url}/status/503")
    assert result.status == 5
    assert result.stderr == "duohttp: error: HTTP 503 Service Unavailable: nothing saved\n"
    assert list(tmp_path.iterdir()) == []


def test_an_encoded_body_is_saved_decoded(cli, server, tmp_path):
    target = tmp_path / "out.bin"
    result = cli("--download", "-o", str(target), f"{server.url}/encoded/gzip?size={SIZE}")
    assert result.status == 0
    assert target.read_bytes() == pattern(SIZE)
    # Content-Length counts the gzip stream, not the file: the size is unknown.
    assert result.stderr.startswith(f"Saving to {target}\n")


def test_an_unknown_length_downloads_without_a_total(cli, server, tmp_path):
    target = tmp_path / "out.bin"
    result = cli("--download", "-o", str(target), f"{server.url}/stream/{SIZE}", stderr_tty=True)
    assert result.status == 0
    assert target.read_bytes() == pattern(SIZE)
    assert result.stderr.startswith(f"Saving to {target}\n\r")
    assert "%" not in result.stderr


def test_an_interrupted_download_resumes(cli, raw_server, ranges_server, tmp_path):
    def cut_short(conn):
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % SIZE + pattern(40_000))
        conn.close()

    cutting = raw_server(cut_short)
    target = tmp_path / "out.bin"
    first = cli("--download", "-o", str(target), f"{cutting.url}/file", stderr_tty=True)
    assert first.status == 7
    lines = first.stderr.rstrip("\n").split("\n")
    assert lines[-2] == f"{target} has 40000 bytes: resume with --continue -o {target}"
    assert lines[-1].startswith("duohttp: error: connection error: ")
    # The bar ended its line before the messages.
    assert lines[-4] == f"Saving 293.0 KiB to {target}"
    assert lines[-3].startswith("\r 13% [###---") and lines[-3].endswith("\x1b[K")
    assert target.read_bytes() == pattern(40_000)
    second = cli("--download", "-c", "-o", str(target), f"{ranges_server.url}/file/{SIZE}")
    assert second.status == 0
    assert target.read_bytes() == pattern(SIZE)


def test_a_timeout_mid_body_is_a_timeout(cli, server, tmp_path):
    target = tmp_path / "out.bin"
    result = cli("--download", "--timeout", "0.2", "-o", str(target), f"{server.url}/hang_body")
    assert result.status == 8
    assert result.stderr.splitlines()[-1].startswith("duohttp: error: timed out: ")
    assert target.read_bytes() == b"partial"
