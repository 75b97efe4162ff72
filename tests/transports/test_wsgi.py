"""WSGITransport with the sync Session, against Flask and raw WSGI apps."""

from __future__ import annotations

import ast

import pytest

import requests_async.sync as requests
from requests_async import AppProtocolError
from requests_async._wsgi import WSGIInput
from tests.transports.apps import (
    ClosingIterable,
    environ_app,
    error_in_body_app,
    exc_info_app,
    flask_app,
    input_app,
    late_exc_info_app,
    write_app,
    wsgi_app,
)


def session_for(app, **options):
    session = requests.Session()
    session.mount("http://testserver/", requests.WSGITransport(app, **options))
    return session


def test_flask_get():
    session = session_for(flask_app, script_name="/mounted", remote_addr="10.1.2.3")
    response = session.get("http://testserver/?a=1", headers={"User-Agent": "tests"})
    assert response.status_code == 200
    assert response.json() == {
        "path": "/",
        "query": "a=1",
        "host": "testserver",
        "remote": "10.1.2.3",
        "script_root": "/mounted",
        "scheme": "http",
        "agent": "tests",
    }
    assert response.headers["content-type"] == "application/json"


def test_flask_post_bodies():
    session = session_for(flask_app)
    assert session.post("http://testserver/echo", data=b"bytes").content == b"bytes"
    streamed = session.post("http://testserver/echo", data=iter([b"it", "er", b"ator"]))
    assert streamed.content == b"iterator"
    assert session.post("http://testserver/echo", json={"a": 1}).json() == {"a": 1}


def test_flask_streams_the_iterable(events):
    session = session_for(flask_app)
    response = session.get("http://testserver/numbers", stream=True)
    chunks = response.iter_content(None)
    assert next(chunks) == b"0\n"
    assert events == ["flask sent 0"]
    assert list(chunks) == [b"1\n", b"2\n"]


def test_flask_cookies():
    session = session_for(flask_app)
    session.get("http://testserver/cookie")
    assert session.cookies["session"] == "abc"


def test_app_exceptions():
    with pytest.raises(ValueError, match="the flask app failed"):
        session_for(flask_app).get("http://testserver/boom")

    def failing(environ, start_response):
        raise KeyError("no")

    response = session_for(failing, raise_app_exceptions=False).get("http://testserver/")
    assert (response.status_code, response.reason, response.content) == (
        500,
        "Internal Server Error",
        b"",
    )


def test_error_mid_body():
    with pytest.raises(RuntimeError, match="failed mid-body"):
        session_for(error_in_body_app).get("http://testserver/")
    quiet = session_for(error_in_body_app, raise_app_exceptions=False)
    assert quiet.get("http://testserver/").content == b"partial"


def test_iterable_close_is_called():
    body = ClosingIterable([b"a", b"b"])
    session = session_for(wsgi_app(body=body))
    assert session.get("http://testserver/").content == b"ab"
    assert body.closed
    early = ClosingIterable([b"a", b"b"])
    response = session_for(wsgi_app(body=early)).get("http://testserver/", stream=True)
    assert not early.closed
    response.close()
    response.close()
    assert early.closed


def test_exc_info_replaces_the_status_before_the_body():
    response = session_for(exc_info_app).get("http://testserver/")
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")
    assert response.content == b"unavailable"


def test_exc_info_after_the_body_started_raises():
    with pytest.raises(KeyError, match="late"):
        session_for(late_exc_info_app).get("http://testserver/")


def test_write_callable():
    assert session_for(write_app).get("http://testserver/").content == b"written yielded again "


@pytest.mark.parametrize(
    ("how", "parts"),
    [
        ("read", [b"one", b"\ntwo\nthree", b""]),
        ("lines", [b"one\n", b"tw", b"o\n", b"three"]),
        ("iterate", [b"one\n", b"two\n", b"three"]),
        ("hint", [b"one\n"]),
    ],
)
def test_wsgi_input_streams_the_body(how, parts):
    session = session_for(input_app)
    body = iter([b"on", b"e\ntw", b"o\nthree"])
    response = session.post(f"http://testserver/?{how}", data=body)
    assert ast.literal_eval(response.content.decode()) == parts


def test_wsgi_input_refuses_async_bodies():
    async def chunks():
        yield b"x"

    with pytest.raises(TypeError, match="cannot send an async iterable request body"):
        WSGIInput(chunks())


def test_environ():
    session = session_for(environ_app)
    session.mount("https://[::1]:8443/", requests.WSGITransport(environ_app))
    response = session.post(
        "https://[::1]:8443/a%20b/%C3%A9?x=1",
        data=b"{}",
        headers={"Content-Type": "application/json", "X-Multi": "1"},
    )
    environ = ast.literal_eval(response.content.decode())
    assert environ == {
        "PATH_INFO": "/a b/\u00c3\u00a9",
        "QUERY_STRING": "x=1",
        "SERVER_NAME": "::1",
        "SERVER_PORT": "8443",
        "SCRIPT_NAME": "",
        "HTTP_X_MULTI": "1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "2",
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "[::1]:8443",
    }


def test_environ_headers_from_a_prepared_request():
    from requests_async._transports import wsgi_environ

    request = requests.Request("GET", "http://testserver/").prepare()
    request.headers["X-Bytes"] = b"\xff"
    request.headers["Host"] = "named.test"
    environ = wsgi_environ(request, None, script_name="", remote_addr="", multithread=True)
    assert (environ["HTTP_X_BYTES"], environ["HTTP_HOST"]) == ("\xff", "named.test")


@pytest.mark.parametrize(
    ("app", "problem"),
    [
        (wsgi_app(start=False), "returned without calling start_response()"),
        (wsgi_app(status=200), "gave the status 200"),
        (wsgi_app(status="20 OK"), "gave the status '20 OK'"),
        (wsgi_app(status="600 Odd"), "gave the status '600 Odd'"),
        (wsgi_app(headers={"a": "b"}), "gave headers of type dict"),
        (wsgi_app(headers=[("a", 1)]), "gave the header ('a', 1)"),
        (wsgi_app(headers=[["a", "b"]]), "gave the header ['a', 'b']"),
        (wsgi_app(body=["text"]), "produced a body piece of type str"),
        (wsgi_app(body=[b"", "text"]), "produced a body piece of type str"),
        (wsgi_app(body=[b"a", "text"]), "produced a body piece of type str"),
    ],
)
def test_protocol_errors(app, problem):
    for raise_app_exceptions in (True, False):
        session = session_for(app, raise_app_exceptions=raise_app_exceptions)
        with pytest.raises(AppProtocolError) as caught:
            session.get("http://testserver/")
        assert problem in str(caught.value)


def test_start_response_twice_and_early_write():
    def twice(environ, start_response):
        start_response("200 OK", [])
        start_response("200 OK", [])
        return []

    def early(environ, start_response):
        start_response.write(b"x")
        return []

    with pytest.raises(AppProtocolError, match="twice without exc_info"):
        session_for(twice).get("http://testserver/")
    with pytest.raises(AppProtocolError, match=r"write\(\) before start_response\(\)"):
        session_for(early).get("http://testserver/")


def test_timeout_argument_is_checked():
    with pytest.raises(ValueError, match="cannot be set to a value less than or equal to 0"):
        session_for(flask_app).get("http://testserver/", timeout=0)


def test_send_without_stream():
    transport = requests.WSGITransport(wsgi_app(body=[b"plain"]))
    response = transport.send(requests.Request("GET", "http://testserver/").prepare())
    assert response.content == b"plain"
    transport.close()


@pytest.mark.parametrize("body", [[], [b"", b""]])
def test_empty_bodies(body):
    response = session_for(wsgi_app(status="204 No Content", body=body)).get("http://testserver/")
    assert (response.status_code, response.reason, response.content) == (204, "No Content", b"")
