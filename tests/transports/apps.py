"""Applications the transport tests call in-process: Starlette (ASGI), Flask (WSGI), and raw
ones that break their protocol on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import flask
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route


class Events:
    """What the apps report: lifespan phases, background tasks, streaming progress."""

    def __init__(self) -> None:
        self.seen: list[str] = []


EVENTS = Events()


@contextlib.asynccontextmanager
async def lifespan(app):
    EVENTS.seen.append("startup")
    yield {"greeting": "hello from lifespan"}
    EVENTS.seen.append("shutdown")


async def home(request: Request) -> Response:
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "host": request.headers.get("host"),
            "client": list(request.client) if request.client else None,
            "root_path": request.scope["root_path"],
            "greeting": getattr(request.state, "greeting", None),
        }
    )


async def echo(request: Request) -> Response:
    parts = [chunk async for chunk in request.stream()]
    return PlainTextResponse(
        b"".join(parts), headers={"x-parts": str(len([p for p in parts if p]))}
    )


async def numbers(request: Request) -> Response:
    count = int(request.query_params.get("count", "3"))

    async def produce():
        for number in range(count):
            EVENTS.seen.append(f"sent {number}")
            yield f"{number}\n"

    return StreamingResponse(produce(), media_type="text/plain")


async def stall(request: Request) -> Response:
    async def produce():
        yield b"first"
        await asyncio.Event().wait()

    return StreamingResponse(produce())


async def boom(request: Request) -> Response:
    raise ValueError("the app failed")


async def cookie(request: Request) -> Response:
    response = PlainTextResponse("set")
    response.set_cookie("session", "abc")
    return response


async def redirect(request: Request) -> Response:
    return Response(status_code=302, headers={"location": "/?from=redirect"})


async def later(request: Request) -> Response:
    def record() -> None:
        EVENTS.seen.append("background done")

    return PlainTextResponse("done", background=BackgroundTask(record))


starlette_app = Starlette(
    routes=[
        Route("/", home),
        Route("/echo", echo, methods=["POST", "PUT"]),
        Route("/numbers", numbers),
        Route("/stall", stall),
        Route("/boom", boom),
        Route("/cookie", cookie),
        Route("/redirect", redirect),
        Route("/later", later),
    ],
    lifespan=lifespan,
)


flask_app = flask.Flask("transports")
# Exceptions reach the WSGI server, as in Flask's testing mode.
flask_app.config["PROPAGATE_EXCEPTIONS"] = True


@flask_app.get("/")
def flask_home():
    return {
        "path": flask.request.path,
        "query": flask.request.query_string.decode(),
        "host": flask.request.host,
        "remote": flask.request.remote_addr,
        "script_root": flask.request.script_root,
        "scheme": flask.request.scheme,
        "agent": flask.request.headers.get("user-agent"),
    }


@flask_app.post("/echo")
def flask_echo():
    return flask.request.get_data()


@flask_app.get("/numbers")
def flask_numbers():
    def produce():
        for number in range(3):
            EVENTS.seen.append(f"flask sent {number}")
            yield f"{number}\n"

    return flask.Response(produce(), mimetype="text/plain")


@flask_app.get("/boom")
def flask_boom():
    raise ValueError("the flask app failed")


@flask_app.get("/cookie")
def flask_cookie():
    response = flask.make_response("set")
    response.set_cookie("session", "abc")
    return response


# Raw apps -------------------------------------------------------------------------


def asgi_sending(*messages):
    """An ASGI app that sends `messages` in order, then returns."""

    async def app(scope, receive, send):
        for message in messages:
            await send(message)

    return app


START = {"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]}


async def lifespan_less(scope, receive, send):
    assert scope["type"] == "http", "only http is supported"
    await send(START)
    await send({"type": "http.response.body", "body": b"ok"})


async def lifespan_returns(scope, receive, send):
    if scope["type"] != "http":
        return
    await send(START)
    await send({"type": "http.response.body", "body": b"ok"})


async def endless(scope, receive, send):
    await send(START)
    try:
        while True:
            await send({"type": "http.response.body", "body": b"tick\n", "more_body": True})
    finally:
        EVENTS.seen.append("endless stopped")


def lifespan_answering(startup, shutdown=None):
    """An app whose lifespan answers startup (and shutdown) with the given message types."""

    async def app(scope, receive, send):
        message = await receive()
        assert message["type"] == "lifespan.startup"
        await send({"type": startup, "message": "no database"})
        if shutdown is None:
            return
        message = await receive()
        assert message["type"] == "lifespan.shutdown"
        await send({"type": shutdown, "message": "could not flush"})

    return app


def wsgi_app(status="200 OK", headers=None, body=(b"ok",), *, start=True):
    """A WSGI app giving `status`, `headers` and the iterable `body`."""

    def app(environ, start_response):
        if start:
            start_response(status, [("Content-Type", "text/plain")] if headers is None else headers)
        return body

    return app


class ClosingIterable:
    """A WSGI response iterable that records whether the server called close()."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.closed = False

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True


def error_in_body_app(environ, start_response):
    start_response("200 OK", [])

    def produce():
        yield b"partial"
        raise RuntimeError("failed mid-body")

    return produce()


def exc_info_app(environ, start_response):
    """Starts a 200, fails before any body, and replaces the status with exc_info."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise KeyError("missing")
    except KeyError:
        start_response("503 Service Unavailable", [("Retry-After", "1")], sys.exc_info())
    return [b"", b"unavailable"]


def late_exc_info_app(environ, start_response):
    start_response("200 OK", [])

    def produce():
        yield b"sent"
        try:
            raise KeyError("late")
        except KeyError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        yield b"never"

    return produce()


def write_app(environ, start_response):
    write = start_response("200 OK", [])
    write(b"written ")

    def produce():
        yield b"yielded "
        write(b"again ")
        yield b""

    return produce()


def input_app(environ, start_response):
    """Reads wsgi.input with each method, as the query string asks, and reports it."""
    stream = environ["wsgi.input"]
    how = environ["QUERY_STRING"]
    if how == "lines":
        parts = [stream.readline(), stream.readline(2), stream.readline(None), *stream.readlines()]
    elif how == "iterate":
        parts = list(stream)
    elif how == "hint":
        parts = stream.readlines(3)
    else:
        parts = [stream.read(3), stream.read(None), stream.read()]
    start_response("200 OK", [])
    return [repr(parts).encode()]


def environ_app(environ, start_response):
    start_response("200 OK", [])
    keys = (
        "PATH_INFO",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SCRIPT_NAME",
        "HTTP_X_MULTI",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "wsgi.url_scheme",
        "HTTP_HOST",
    )
    return [repr({key: environ.get(key) for key in keys}).encode()]
