"""The client in-process against loopback servers: requests, output, and exit statuses."""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import runpy
import socket
import sys
import time

import pytest

import requests_async.cli
import requests_async.sync as requests
from requests_async.cli import ExitStatus, main
from requests_async.cli._output import BINARY_NOTE, paint
from tests.cli.conftest import FakeStream
from tests.servers import pattern


def sent_headers(result):
    return dict(json.loads(result.stdout))


def test_public_names():
    assert requests_async.cli.__all__ == ["ExitStatus", "main"]


def test_exit_statuses_are_stable():
    assert {status.name: int(status) for status in ExitStatus} == {
        "OK": 0,
        "ERROR": 1,
        "USAGE": 2,
        "HTTP_3XX": 3,
        "HTTP_4XX": 4,
        "HTTP_5XX": 5,
        "TOO_MANY_REDIRECTS": 6,
        "CONNECTION_ERROR": 7,
        "TIMEOUT": 8,
        "TLS_ERROR": 9,
        "PROXY_ERROR": 10,
        "INTERRUPTED": 130,
    }


def test_get_prints_the_body_only_when_piped(cli, server):
    result = cli(f"{server.url}/bytes/100000")
    assert (result.status, result.stdout, result.stderr) == (0, pattern(100_000), "")


def test_a_terminal_gets_the_head_and_the_formatted_body(cli, server):
    result = cli(f"{server.url}/echo_headers", "X-Team:core", stdout_tty=True)
    assert result.status == 0
    head, body = result.text.split("\n\n")
    assert head.startswith(paint("HTTP/1.1", "version") + " " + paint("200 OK", "2xx") + "\n")
    assert paint("content-type", "name") + ": application/json" in head
    assert paint('"x-team"', "string") in body
    assert body.startswith("[\n    [\n        ") and body.endswith("]\n")


def test_no_color_keeps_the_layout_without_colours(cli, server, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = cli(f"{server.url}/echo_headers", stdout_tty=True)
    assert result.status == 0
    assert "\x1b[" not in result.text
    assert result.text.startswith("HTTP/1.1 200 OK\n")
    assert '\n\n[\n    [\n        "host",' in result.text


def test_a_binary_body_is_not_shown_on_a_terminal(cli, server):
    result = cli(f"{server.url}/bytes/10", "--body", stdout_tty=True)
    assert result.text == BINARY_NOTE.format(size=10) + "\n"


def test_explicit_pretty_restyles_piped_output(cli, httpbin):
    result = cli("--pretty=format", f"{httpbin.url}/json")
    assert result.text.startswith('{\n    "slideshow": {\n        "author": "Yours Truly",')
    coloured = cli("--pretty=colors", f"{httpbin.url}/json")
    assert paint('"slideshow"', "key") in coloured.text
    # Colours only: without the escape sequences, the body is as the server sent it.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.text) == cli(f"{httpbin.url}/json").text


def test_query_headers_and_json_fields(cli, httpbin):
    result = cli(
        f"{httpbin.url}/anything", "q==1", "q==2", "X-Team: core", "name=duo", "n:=4", "ok:=true"
    )
    sent = json.loads(result.stdout)
    assert (sent["method"], sent["args"]) == ("POST", {"q": ["1", "2"]})
    assert sent["json"] == {"name": "duo", "n": 4, "ok": True}
    assert sent["headers"]["X-Team"] == "core"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["Accept"] == "application/json, */*;q=0.5"


def test_an_empty_header_item_removes_a_default_header(cli, server):
    headers = sent_headers(cli(f"{server.url}/echo_headers", "User-Agent:", "Accept:text/html"))
    assert "user-agent" not in headers
    assert headers["accept"] == "text/html"
    assert sent_headers(cli(f"{server.url}/echo_headers", "-j", "Accept:x/y"))["accept"] == "x/y"


def test_a_form_with_files(cli, httpbin, tmp_path):
    upload = tmp_path / "notes.txt"
    upload.write_text("file contents")
    sent = json.loads(cli("-f", f"{httpbin.url}/post", "a=1", f"doc@{upload}").stdout)
    assert (sent["form"], sent["files"]) == ({"a": "1"}, {"doc": "file contents"})
    assert sent["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    sent = json.loads(cli("--form", "PUT", f"{httpbin.url}/put", "a=1", "a=2").stdout)
    assert sent["form"] == {"a": ["1", "2"]}
    assert sent["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_raw_bodies_from_files_stdin_and_data(cli, httpbin, tmp_path):
    document = tmp_path / "doc.json"
    document.write_bytes(b'{"from": "file"}')
    sent = json.loads(cli(f"{httpbin.url}/post", f"@{document}").stdout)
    assert (sent["json"], sent["headers"]["Content-Type"]) == ({"from": "file"}, "application/json")
    sent = json.loads(
        cli(f"{httpbin.url}/post", "--data", f"@{document}", "Content-Type:a/b").stdout
    )
    assert (sent["data"], sent["headers"]["Content-Type"]) == ('{"from": "file"}', "a/b")
    sent = json.loads(cli(f"{httpbin.url}/post", "@-", stdin=b"from stdin").stdout)
    assert sent["data"] == "from stdin"
    assert "Content-Type" not in sent["headers"]
    sent = json.loads(cli("-j", "PUT", f"{httpbin.url}/put", "--data", '{"a": 1}').stdout)
    assert (sent["json"], sent["headers"]["Content-Type"]) == ({"a": 1}, "application/json")
    sent = json.loads(cli(f"{httpbin.url}/post", "--data", "plain").stdout)
    assert (sent["data"], "Content-Type" in sent["headers"]) == ("plain", False)


def test_verbose_shows_the_request_and_every_hop(cli, server):
    result = cli("-v", f"{server.url}/redirect/1", "a=1")
    messages = result.text.split("\n\n")
    assert messages[0].startswith("POST /redirect/1\nHost: 127.0.0.1:")
    assert "Content-Type: application/json" in messages[0]
    assert messages[1] == '{"a": "1"}'
    assert messages[2].startswith("HTTP/1.1 302 Found\n")
    # RFC 9110 section 15.4.3: the POST becomes a GET without a body after a 302.
    assert messages[3].startswith("GET /redirect/0\n")
    assert messages[4].startswith("HTTP/1.1 200 OK\n")
    assert messages[5] == "done"


def test_verbose_notes_a_streamed_request_body(cli, server, tmp_path):
    upload = tmp_path / "blob.bin"
    upload.write_bytes(b"x" * 10)
    result = cli("-v", f"{server.url}/echo_body", f"@{upload}")
    assert "\n\n(body streamed from a file, not shown)\n\nHTTP/1.1 200 OK\n" in result.text
    assert result.text.endswith("\n\nxxxxxxxxxx")


def test_verbose_form_bodies_are_text(cli, server):
    result = cli("-v", "--body", "-f", f"{server.url}/echo_body", "a=1", "b=2")
    assert result.text == "a=1&b=2\n\na=1&b=2"


def test_headers_only(cli, server):
    result = cli("--headers", f"{server.url}/bytes/100000")
    assert result.text.startswith("HTTP/1.1 200 OK\n")
    assert result.text.endswith("content-length: 100000\n")
    verbose = cli("-v", "--headers", f"{server.url}/")
    assert verbose.text.startswith("GET /\nHost: ")
    assert verbose.text.count("\n\n") == 1


def test_output_writes_the_body_to_a_file(cli, server, tmp_path):
    target = tmp_path / "body.bin"
    result = cli("-o", str(target), f"{server.url}/bytes/1000", stdout_tty=True)
    assert (result.status, result.stdout, target.read_bytes()) == (0, b"", pattern(1000))


def test_an_empty_body_prints_nothing(cli, server):
    result = cli("--pretty=none", "HEAD", f"{server.url}/", stdout_tty=True)
    assert result.text == "HTTP/1.1 200 OK\ncontent-type: text/plain\ncontent-length: 12\n"


def test_basic_and_digest_auth(cli, httpbin):
    basic = cli("-a", "user:pass", f"{httpbin.url}/basic-auth/user/pass")
    assert json.loads(basic.stdout) == {"authenticated": True, "user": "user"}
    digest = cli("-A", "digest", "-a", "user:pass", f"{httpbin.url}/digest-auth/auth/user/pass")
    assert json.loads(digest.stdout) == {"authenticated": True, "user": "user"}
    wrong = cli("--check-status", "-a", "user:nope", f"{httpbin.url}/basic-auth/user/pass")
    assert wrong.status == ExitStatus.HTTP_4XX


def test_tls_verification(cli, https_server, ca_file):
    url = f"{https_server.url}/"
    assert cli("--cacert", str(ca_file), url).stdout == b"Hello, world"
    assert cli("--no-verify", url).stdout == b"Hello, world"
    failed = cli(url)
    assert failed.status == ExitStatus.TLS_ERROR
    assert failed.stderr.startswith("duohttp: error: TLS error: ")
    assert failed.stderr.count("\n") == 1


def test_client_certificates(cli, client_cert_https_server, ca_file, client_cert_file):
    url = f"{client_cert_https_server.url}/client_cert"
    cert = str(client_cert_file)
    for extra in (["--cert", cert], ["--cert", cert, "--cert-key", cert]):
        result = cli("--cacert", str(ca_file), *extra, url)
        assert json.loads(result.stdout)["name"].startswith("CN=duohttp test client,")


def test_http2(cli, h2_server, ca_file):
    result = cli("--http2", "--cacert", str(ca_file), "--headers", f"{h2_server.url}/")
    assert result.text.startswith("HTTP/2 200 OK\n")
    plain = cli("--cacert", str(ca_file), "--headers", f"{h2_server.url}/")
    assert plain.text.startswith("HTTP/1.1 200\n")


def test_redirects_can_be_left_alone(cli, server):
    result = cli("--no-follow", "--check-status", "--headers", f"{server.url}/redirect/2")
    assert result.status == ExitStatus.HTTP_3XX
    assert result.text.startswith("HTTP/1.1 302 Found\n")
    assert result.stderr == "duohttp: warning: HTTP 302 Found\n"
    assert cli("--no-follow", f"{server.url}/redirect/2").status == 0
    assert cli(f"{server.url}/redirect/2").stdout == b"done"


def test_too_many_redirects_exit_6(cli, server):
    result = cli("--max-redirects", "1", f"{server.url}/redirect/2")
    assert result.status == ExitStatus.TOO_MANY_REDIRECTS
    assert result.stderr == "duohttp: error: too many redirects: Exceeded 1 redirects.\n"


@pytest.mark.parametrize(
    ("code", "status"), [(200, 0), (204, 0), (404, 4), (418, 4), (500, 5), (503, 5)]
)
def test_check_status_exits_with_the_class(cli, server, code, status):
    result = cli("--check-status", f"{server.url}/status/{code}?body=1")
    assert result.status == status
    assert bool(result.stderr) is bool(status)
    assert cli(f"{server.url}/status/{code}").status == 0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_exits_7(cli):
    port = free_port()
    result = cli(f"127.0.0.1:{port}/")
    assert result.status == ExitStatus.CONNECTION_ERROR
    assert result.stderr == (
        f"duohttp: error: connection error: cannot connect to 127.0.0.1:{port}: "
        "[Errno 111] Connection refused\n"
    )


def test_a_broken_response_exits_7(cli, raw_server):
    def garbage(conn):
        conn.read_request()
        conn.send(b"NOT HTTP AT ALL\r\n\r\n")
        conn.close()

    result = cli(raw_server(garbage).url)
    assert result.status == 7
    assert result.stderr.startswith("duohttp: error: connection error: ")


@pytest.mark.parametrize("path", ["connect", "/hang_headers", "/hang_body"])
def test_timeouts_exit_8(cli, server, full_backlog_listener, path):
    host, port = full_backlog_listener
    url = f"http://{host}:{port}/" if path == "connect" else server.url + path
    result = cli("--timeout", "0.2", url)
    assert result.status == ExitStatus.TIMEOUT
    assert result.stderr.startswith("duohttp: error: timed out: ")


def test_max_time_bounds_the_whole_exchange(cli, raw_server):
    # Each byte comes well within --timeout; the body as a whole would take 30 seconds.
    def drip(conn):
        conn.read_request()
        conn.send(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        while not conn.wait_closed(0.03):
            conn.send(b"x")

    started = time.monotonic()
    result = cli("--timeout", "5", "--max-time", "0.3", raw_server(drip).url)
    assert result.status == ExitStatus.TIMEOUT
    assert result.stderr.startswith("duohttp: error: timed out: ")
    assert "total_timeout" in result.stderr
    assert time.monotonic() - started < 4


def test_proxies_from_the_command_line(cli, server, squid, open_socks_proxy):
    url = f"{server.url}/"
    assert cli("--proxy", f"http:{squid.url('open')}", url).stdout == b"Hello, world"
    # The origin answers 200: a 403 can only come from the proxy that denies everything.
    denied = cli("--check-status", "--proxy", f"http:{squid.url('deny')}", url)
    assert denied.status == ExitStatus.HTTP_4XX
    assert denied.stderr.startswith("duohttp: warning: HTTP 403 ")
    # A bare proxy URL is for every scheme.
    assert cli("--proxy", open_socks_proxy.url(), url).stdout == b"Hello, world"
    # A proxy for another scheme is not used.
    assert cli("--proxy", f"https:http://127.0.0.1:{free_port()}", url).stdout == b"Hello, world"


def test_an_unreachable_proxy_exits_10(cli, server):
    port = free_port()
    result = cli("--proxy", f"http:http://127.0.0.1:{port}", f"{server.url}/")
    assert result.status == ExitStatus.PROXY_ERROR
    assert result.stderr.startswith("duohttp: error: proxy error: ")
    assert f"127.0.0.1:{port}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_invalid_url_is_a_usage_error(cli):
    result = cli("http://exa mple.org:99999/")
    assert result.status == ExitStatus.USAGE
    assert result.stderr.startswith("duohttp: error: invalid request: ")


def test_other_errors_exit_1(cli, server, tmp_path):
    result = cli("-o", str(tmp_path / "missing" / "out"), f"{server.url}/")
    assert result.status == ExitStatus.ERROR
    assert result.stderr.startswith("duohttp: error: [Errno 2] No such file or directory: ")


def test_an_interrupt_exits_130(cli, server, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(requests.Session, "send", interrupted)
    result = cli(f"{server.url}/")
    assert result.status == ExitStatus.INTERRUPTED
    assert result.stderr == "\nduohttp: interrupted\n"


class ClosedPipe(io.BytesIO):
    def write(self, data):
        raise BrokenPipeError(32, "Broken pipe")


class PipeStdout(FakeStream):
    def __init__(self, descriptor):
        super().__init__(raw=ClosedPipe())
        self.descriptor = descriptor

    def fileno(self):
        return self.descriptor


def test_a_closed_pipe_ends_quietly(cli, server, monkeypatch):
    stderr = FakeStream()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(sys, "stdout", FakeStream(raw=ClosedPipe()))
    assert main([f"{server.url}/bytes/10"]) == ExitStatus.ERROR
    assert stderr.data() == b""
    read_end, write_end = os.pipe()
    try:
        monkeypatch.setattr(sys, "stdout", PipeStdout(write_end))
        assert main([f"{server.url}/bytes/10"]) == ExitStatus.ERROR
        # The descriptor now writes to the null device, so the pipe has no writer left.
        os.write(write_end, b"discarded")
        assert os.read(read_end, 100) == b""
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_closed_stdin_reads_as_empty(cli, httpbin, monkeypatch):
    stdout = FakeStream()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stdin", None)
    assert main([f"{httpbin.url}/post", "@-"]) == 0
    assert json.loads(stdout.data())["data"] == ""


def test_prog_defaults_to_the_script_name(cli, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/usr/bin/duo", "--max-redirects=x", "127.0.0.1:1"])
    stderr = FakeStream()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert main() == 2
    assert stderr.data().decode().startswith("usage: duo [OPTIONS] [METHOD] URL [ITEM ...]")


def test_python_dash_m_runs_main(server, monkeypatch):
    stdout = FakeStream()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "argv", ["__main__.py", f"{server.url}/"])
    monkeypatch.delitem(sys.modules, "requests_async.__main__", raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("requests_async", run_name="__main__", alter_sys=True)
    assert (exited.value.code, stdout.data()) == (0, b"Hello, world")
    # Imported rather than run, the module does nothing.
    monkeypatch.delitem(sys.modules, "requests_async.__main__", raising=False)
    assert importlib.import_module("requests_async.__main__").main is main
