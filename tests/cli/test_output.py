"""Formatting without a network: styles, JSON highlighting, heads and the Printer's layout."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from requests_async.cli._output import (
    STYLES,
    Printer,
    choose_style,
    highlight_json,
    is_json_type,
    paint,
    render_text,
    request_head,
    response_head,
)
from requests_async.sync import Request

ESC = "\x1b["


@pytest.mark.parametrize(
    ("pretty", "terminal", "environ", "style"),
    [
        ("auto", True, {}, (True, True)),
        ("auto", True, {"NO_COLOR": "1"}, (False, True)),
        ("auto", True, {"NO_COLOR": ""}, (True, True)),
        ("auto", False, {}, (False, False)),
        ("all", False, {"NO_COLOR": "1"}, (True, True)),
        ("colors", True, {}, (True, False)),
        ("format", True, {}, (False, True)),
        ("none", True, {}, (False, False)),
    ],
)
def test_styles_follow_the_terminal_no_color_and_pretty(pretty, terminal, environ, style):
    assert choose_style(pretty, terminal, environ) == style


def test_json_tokens_get_their_colours():
    text = '{"key": "va\\"l: 1", "n": -1.5e3, "ok": [true, null, NaN, -Infinity]}'
    shown = highlight_json(text)
    assert paint('"key"', "key") + ":" in shown
    assert paint('"va\\"l: 1"', "string") in shown
    assert paint("-1.5e3", "number") in shown
    for literal in ("true", "null", "NaN", "-Infinity"):
        assert paint(literal, "literal") in shown
    # Without its escape sequences the text is unchanged.
    for style in STYLES.values():
        shown = shown.replace(style, "")
    assert shown.replace(f"{ESC}0m", "") == text


@pytest.mark.parametrize(
    ("content_type", "is_json"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/json", True),
        ("text/plain", False),
        ("", False),
    ],
)
def test_json_media_types(content_type, is_json):
    assert is_json_type(content_type) is is_json


def test_json_is_reindented_and_highlighted_on_request():
    text = '{"b":[1,2],"a":"é"}'
    formatted = render_text(text, "application/json", colours=False, formatting=True)
    assert formatted == '{\n    "b": [\n        1,\n        2\n    ],\n    "a": "é"\n}'
    coloured = render_text(text, "application/json", colours=True, formatting=False)
    assert coloured == highlight_json(text)
    assert render_text(text, "application/json", colours=False, formatting=False) == text
    assert render_text(text, "text/plain", colours=True, formatting=True) == text
    assert render_text("{broken", "application/json", colours=True, formatting=True) == "{broken"


def test_request_head_adds_host_without_userinfo():
    prepared = Request(
        "POST", "http://user:pw@example.org:8080/a?b=c", headers={"X-Raw": b"\xe9"}
    ).prepare()
    head = request_head(prepared, colours=False)
    assert head.splitlines()[:3] == ["POST /a?b=c", "Host: example.org:8080", "X-Raw: é"]
    prepared.headers["Host"] = "other"
    assert "Host: example.org" not in request_head(prepared, colours=False)
    coloured = request_head(prepared, colours=True)
    assert coloured.startswith(paint("POST", "method") + " " + paint("/a?b=c", "target"))
    assert paint("Host", "name") + ": other" in coloured


@pytest.mark.parametrize(
    ("status", "style"), [(101, "1xx"), (204, "2xx"), (304, "3xx"), (404, "4xx"), (503, "5xx")]
)
def test_response_head_colours_its_status_by_class(status, style):
    raw = SimpleNamespace(http_version="HTTP/1.1", headers=[(b"a", b"1"), (b"a", b"2")])
    response = SimpleNamespace(raw=raw, status_code=status, reason="Reason")
    assert response_head(response, colours=False) == f"HTTP/1.1 {status} Reason\na: 1\na: 2\n"
    coloured = response_head(response, colours=True)
    assert coloured.startswith(
        paint("HTTP/1.1", "version") + " " + paint(f"{status} Reason", style)
    )


def test_an_empty_reason_leaves_no_trailing_space():
    raw = SimpleNamespace(http_version="HTTP/2", headers=[])
    response = SimpleNamespace(raw=raw, status_code=200, reason="")
    assert response_head(response, colours=False) == "HTTP/2 200\n"


def printer(**style):
    return Printer(
        io.BytesIO(), **{"terminal": False, "colours": False, "formatting": False, **style}
    )


def output(printer):
    return printer.stream.getvalue()


def test_sections_are_separated_by_one_blank_line():
    shown = printer()
    shown.text("HEAD\n")
    shown.body(b'{"a":1}', '{"a":1}', "application/json")
    shown.text("NEXT\n")
    shown.chunks([b"", b"one", b"two"])
    shown.flush()
    assert output(shown) == b'HEAD\n\n{"a":1}\n\nNEXT\n\nonetwo'


def test_empty_bodies_print_nothing():
    shown = printer(terminal=True)
    shown.body(b"", "", "text/plain")
    shown.chunks([])
    assert output(shown) == b""


def test_terminals_get_text_with_a_final_line_break_and_no_binary():
    shown = printer(terminal=True)
    shown.body(b"caf\xc3\xa9", "café", "text/plain")
    shown.body(b"\x00\x01", "\x00\x01", "application/octet-stream")
    assert (
        output(shown)
        == (
            "café\n\nbinary body (2 bytes) not shown on a terminal: "
            "use --output FILE or --download\n"
        ).encode()
    )


def test_pipes_get_bytes_unless_restyled():
    raw = printer()
    raw.body(b"\x00\xff", "", "application/octet-stream")
    assert output(raw) == b"\x00\xff"
    styled = printer(formatting=True)
    styled.body(b'{"a":1}', '{"a":1}', "application/json")
    assert output(styled) == b'{\n    "a": 1\n}'
