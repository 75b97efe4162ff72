"""A scripted HTTP/2 server in-process: h2 plays the server behind a fake stream, no socket.

`ScriptedBackend(script)` hands the pool a `ScriptedStream` per connection. The stream feeds
what the client writes to a server-side `h2` connection and calls `script(server, event)` for
each event, so the script answers as a server would; what the server queues is what the
client reads. A read with nothing queued raises `ReadTimeout` at once, as if the timeout had
expired: a test is exact and never waits. Tests may also act between client calls through
`backend.servers`.
"""

from __future__ import annotations

import h2.config
import h2.connection
import h2.events
from h2.errors import ErrorCodes

from httpcore import ReadError, ReadTimeout, WriteError
from httpcore._backends.asyncio import AsyncBackend

URL = "http://127.0.0.1:1"


class Server:
    """The server side of one scripted connection, with helpers for scripts."""

    def __init__(self, settings=None, preface=True):
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config)
        self.h2.initiate_connection()
        if settings:
            self.h2.update_settings(settings)
        preface_bytes = self.h2.data_to_send()
        # Without its preface (SETTINGS) the server is not an HTTP/2 server: it sends no
        # frames at all, only what a test writes with raw().
        self.speaks_http2 = preface
        self.outgoing = bytearray(preface_bytes if preface else b"")
        # Whether received data is acknowledged (WINDOW_UPDATE), as a reading server does.
        self.acknowledge = True
        self.requests = {}
        self.bodies = {}
        self.events = []
        self.eof = False
        self.closed = False
        self.write_error = None
        self.read_error = None

    def flush(self):
        data = self.h2.data_to_send()
        if self.speaks_http2:
            self.outgoing += data

    def respond(self, stream_id, status=200, headers=(), body=b"", end=True):
        self.h2.send_headers(
            stream_id, [(b":status", str(status).encode()), *headers], end_stream=end and not body
        )
        if body:
            self.h2.send_data(stream_id, body, end_stream=end)
        self.flush()

    def send_data(self, stream_id, data, end=False):
        self.h2.send_data(stream_id, data, end_stream=end)
        self.flush()

    def reset(self, stream_id, code=ErrorCodes.INTERNAL_ERROR):
        self.h2.reset_stream(stream_id, code)
        self.flush()

    def goaway(self, last_stream_id, code=ErrorCodes.NO_ERROR):
        self.h2.close_connection(code, last_stream_id=last_stream_id)
        self.flush()
        # h2 stops after GOAWAY; a graceful server goes on serving the streams it processed.
        self.h2.state_machine.state = h2.connection.ConnectionState.SERVER_OPEN

    def raw(self, data):
        self.outgoing += data


class ScriptedStream:
    """The client's end of a scripted connection (the backend's stream interface)."""

    def __init__(self, server, backend):
        self.server = server
        self._backend = backend

    async def write(self, data, timeout):
        server = self.server
        if server.closed:
            raise WriteError("the connection is closed")
        if server.write_error is not None:
            raise server.write_error
        if server.eof:
            # The server has closed its end: what the client sends is lost.
            return
        for event in server.h2.receive_data(data):
            server.events.append(event)
            if isinstance(event, h2.events.RequestReceived):
                server.requests[event.stream_id] = event.headers
                server.bodies[event.stream_id] = b""
            elif isinstance(event, h2.events.DataReceived):
                server.bodies[event.stream_id] += event.data
                if server.acknowledge:
                    size = event.flow_controlled_length
                    server.h2.acknowledge_received_data(size, event.stream_id)
            self._backend.script(server, event)
        server.flush()

    async def read(self, max_bytes, timeout):
        server = self.server
        if server.closed:
            raise ReadError("the connection is closed")
        if server.read_error is not None:
            raise server.read_error
        if server.outgoing:
            chunk = bytes(server.outgoing[:max_bytes])
            del server.outgoing[:max_bytes]
            return chunk
        if server.eof:
            return b""
        raise ReadTimeout("timed out reading from the server")

    def shared(self):
        return self

    def close(self):
        self.server.closed = True

    def is_readable(self):
        return bool(self.server.outgoing) or self.server.eof

    def alpn_protocol(self):
        return "h2"

    def get_extra_info(self, name):
        return None


def answer(server, event):
    """A script: answer every request with 200 and its path as the body."""
    if isinstance(event, h2.events.StreamEnded):
        path = dict(server.requests[event.stream_id])[b":path"]
        server.respond(event.stream_id, body=path)


class ScriptedBackend(AsyncBackend):
    """A backend whose connections lead to scripted servers; `servers` lists them in order.

    `script` may be replaced at any time: every connection calls the current one.
    """

    def __init__(self, script=answer, settings=None):
        self.script = script
        self.settings = settings
        self.servers = []
        self.preface = True

    async def connect_tcp(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
        server = Server(self.settings, self.preface)
        self.servers.append(server)
        return ScriptedStream(server, self)
