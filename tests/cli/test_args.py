"""The command line: request items, the optional method, URLs, and usage errors (status 2)."""

from __future__ import annotations

import getpass

import pytest

from requests_async.cli._args import Item, complete_url, parse_args, parse_item, split_method


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("X-Api-Key:abc", Item("header", "X-Api-Key", "abc")),
        ("X-Api-Key: a=b:c", Item("header", "X-Api-Key", "a=b:c")),
        ("User-Agent:", Item("header", "User-Agent", "")),
        ("q==duo", Item("query", "q", "duo")),
        ("next==http://a/?b=c", Item("query", "next", "http://a/?b=c")),
        ("name=duo", Item("field", "name", "duo")),
        ("name=a:b==c", Item("field", "name", "a:b==c")),
        ("count:=42", Item("json", "count", "42")),
        ("tags:=[1, 2]", Item("json", "tags", "[1, 2]")),
        ("report@data.csv", Item("file", "report", "data.csv")),
        ("@body.json", Item("body", "", "body.json")),
        ("@-", Item("body", "", "-")),
        (r"a\:b=c", Item("field", "a:b", "c")),
        (r"a\=b\\==c", Item("query", "a=b\\", "c")),
    ],
)
def test_items_split_at_their_first_separator(text, item):
    assert parse_item(text) == item


@pytest.mark.parametrize(
    ("text", "message"),
    [("plain", "is not a request item"), ("=value", "has no name"), (":=1", "has no name")],
)
def test_malformed_items_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_item(text)


@pytest.mark.parametrize(
    ("positionals", "expected"),
    [
        (["example.org"], (None, "example.org", [])),
        (["GET"], (None, "GET", [])),
        (["put", "example.org", "a=1"], ("PUT", "example.org", ["a=1"])),
        (["PROPFIND", "example.org"], ("PROPFIND", "example.org", [])),
        (["localhost", "a==1"], (None, "localhost", ["a==1"])),
        (["localhost:8000", "X:y"], (None, "localhost:8000", ["X:y"])),
    ],
)
def test_a_method_is_known_or_in_capitals(positionals, expected):
    assert split_method(positionals) == expected


@pytest.mark.parametrize(
    ("url", "complete"),
    [
        ("example.org/a", "http://example.org/a"),
        (":8000/get", "http://localhost:8000/get"),
        ("https://example.org", "https://example.org"),
    ],
)
def test_urls_without_a_scheme_are_http(url, complete):
    assert complete_url(url) == complete


def test_the_method_defaults_to_get_or_post_with_data(tmp_path):
    (tmp_path / "f.txt").write_bytes(b"x")
    assert parse_args(["example.org"], "duohttp").method == "GET"
    assert parse_args(["127.0.0.1:1", "a=1"], "duohttp").method == "POST"
    assert parse_args(["127.0.0.1:1", "--data", ""], "duohttp").method == "POST"
    assert parse_args(["127.0.0.1:1", f"f@{tmp_path / 'f.txt'}"], "duohttp").method == "POST"
    assert parse_args(["HEAD", "example.org", "a=1"], "duohttp").method == "HEAD"


def test_fields_make_json_or_a_form(tmp_path):
    upload = tmp_path / "f.txt"
    upload.write_bytes(b"x")
    options = parse_args(["127.0.0.1:1", "a=1", "b:=[true]", "q==2", "H:v"], "duohttp")
    assert options.json == {"a": "1", "b": [True]}
    assert (options.params, options.headers, options.form) == ([("q", "2")], {"H": "v"}, None)
    options = parse_args(["-f", "example.org", "a=1", "a=2"], "duohttp")
    assert (options.form, options.json) == ([("a", "1"), ("a", "2")], None)
    options = parse_args(["127.0.0.1:1", f"up@{upload}"], "duohttp")
    assert (options.files, options.form, options.json) == ([("up", str(upload))], None, None)
    assert parse_args(["-f", "example.org"], "duohttp").form is None


def test_options_are_collected(tmp_path):
    options = parse_args(
        [
            "--http2",
            "--timeout=2.5",
            "--max-time=30",
            "--no-follow",
            "--max-redirects=3",
            "--proxy=http:http://proxy:3128",
            "--proxy",
            "socks5://proxy:1080",
            "-a",
            "user:pa:ss",
            "-A",
            "digest",
            "example.org",
            "--cacert",
            str(tmp_path),
        ],
        "duohttp",
    )
    assert (options.http2, options.timeout, options.follow) == (True, 2.5, False)
    assert options.max_time == 30
    assert options.max_redirects == 3
    assert options.proxies == {"http": "http://proxy:3128", "all": "socks5://proxy:1080"}
    assert (options.auth, options.auth_type) == (("user", "pa:ss"), "digest")
    assert options.verify == str(tmp_path)


def test_a_password_is_prompted_for(monkeypatch):
    prompts = []

    def answer(prompt):
        prompts.append(prompt)
        return "secret"

    monkeypatch.setattr(getpass, "getpass", answer)
    assert parse_args(["-a", "user", "example.org"], "duohttp").auth == ("user", "secret")
    assert prompts == ["Password for user: "]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["127.0.0.1:1", "nonsense"], "is not a request item"),
        (["127.0.0.1:1", "n:=[1,"], "n:= needs a JSON value"),
        (["-f", "127.0.0.1:1", "n:=1"], "need a JSON body"),
        (["-j", "127.0.0.1:1", "f@{file}"], "sent as a form"),
        (["127.0.0.1:1", "a=1", "@{file}"], "cannot be combined"),
        (["127.0.0.1:1", "@{file}", "--data", "x"], "cannot be combined"),
        (["127.0.0.1:1", "@{file}", "@{file}"], "cannot be combined"),
        (["127.0.0.1:1", "@{missing}"], "no such file"),
        (["127.0.0.1:1", "--data", "@{missing}"], "no such file"),
        (["127.0.0.1:1", "--cacert", "{missing}"], "no such CA file"),
        (["127.0.0.1:1", "--no-verify", "--cacert", "{file}"], "contradict"),
        (["127.0.0.1:1", "--cert-key", "{file}"], "--cert-key needs --cert"),
        (["127.0.0.1:1", "--cert", "{missing}"], "no such file"),
        (["127.0.0.1:1", "--timeout", "0"], "not a positive number"),
        (["127.0.0.1:1", "--max-time", "-1"], "not a positive number"),
        (["127.0.0.1:1", "--timeout", "soon"], "not a positive number"),
        (["127.0.0.1:1", "--timeout", "inf"], "not a positive number"),
        (["127.0.0.1:1", "--max-redirects", "-1"], "not a count"),
        (["127.0.0.1:1", "--continue"], "--continue needs --download and --output"),
        (["127.0.0.1:1", "--download", "-c"], "--continue needs --download and --output"),
        (["-j", "-f", "127.0.0.1:1"], "not allowed with"),
        (["--headers", "--body", "127.0.0.1:1"], "not allowed with"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2_with_one_line(cli, tmp_path, argv, message):
    (tmp_path / "f").write_bytes(b"x")
    paths = {"file": str(tmp_path / "f"), "missing": str(tmp_path / "missing")}
    result = cli(*(arg.format(**paths) for arg in argv))
    assert result.status == 2
    assert result.stdout == b""
    assert message in result.stderr.splitlines()[-1]
    assert result.stderr.splitlines()[-1].startswith("duohttp: error: ")


def test_help_and_version_exit_0(cli):
    shown = cli("--help")
    assert shown.status == 0
    assert "[METHOD] URL [ITEM ...]" in shown.text
    assert "exit status" in shown.text
    version = cli("--version")
    assert (version.status, version.text) == (0, "requests_async 0.1.0\n")
