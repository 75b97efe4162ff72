"""HTTP/2 against a scripted server: GOAWAY, RST_STREAM, flow control, bad frames, limits.

Each script is an h2 server answering the client's frames in-process (see `h2_script`), so
every case a real server will not produce on demand is exact and instant.
"""

from __future__ import annotations

import h2.events
import h2.settings
import pytest
from h2.errors import ErrorCodes

import httpcore
from httpcore import RequestNotProcessed

from .h2_script import URL, ScriptedBackend, ScriptedStream, Server, answer

SETTINGS = h2.settings.SettingCodes


def pool_for(backend, **kwargs):
    kwargs.setdefault("timeout", 5.0)
    return httpcore.ConnectionPool(http2_prior_knowledge=True, backend=backend, **kwargs)


async def test_get():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        response = await http.request("GET", URL + "/a")
        assert (response.status_code, response.reason) == (200, "OK")
        assert response.http_version == "HTTP/2"
        assert response.body == b"/a"
        assert (await http.request("GET", URL + "/b")).body == b"/b"
        assert len(backend.servers) == 1
        assert http.num_keepalive_connections == 1
    server = backend.servers[0]
    assert dict(server.requests[1])[b":authority"] == b"127.0.0.1:1"
    assert server.closed


async def test_request_headers_follow_rfc_9113():
    backend = ScriptedBackend()
    headers = {
        "Connection": "keep-alive, X-Hop",
        "Keep-Alive": "timeout=5",
        "X-Hop": "1",
        "Proxy-Connection": "keep-alive",
        "Upgrade": "h2c",
        "TE": "gzip",
        "X-Custom": "Value",
        "Host": "example.org",
    }
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/", headers=headers)
        await http.request("GET", URL + "/", headers={"te": "Trailers"})
    first, second = (backend.servers[0].requests[i] for i in (1, 3))
    assert first[:4] == [
        (b":method", b"GET"),
        (b":authority", b"example.org"),
        (b":scheme", b"http"),
        (b":path", b"/"),
    ]
    assert first[4:] == [(b"accept-encoding", first[4][1]), (b"x-custom", b"Value")]
    assert (b"te", b"Trailers") in second


async def test_body_bytes_and_iterators():
    backend = ScriptedBackend()

    async def parts():
        yield b"as"
        yield b""
        yield b"ync"

    async with pool_for(backend) as http:
        await http.request("POST", URL + "/", body=b"bytes")
        await http.request("POST", URL + "/", body=iter([b"it", b"er"]))
        await http.request("POST", URL + "/", body=parts())
        await http.request("POST", URL + "/", body=iter([b"ab"]), headers={"content-length": "2"})
        await http.request("POST", URL + "/", body=iter([]))
    bodies = backend.servers[0].bodies
    assert [bodies[i] for i in (1, 3, 5, 7, 9)] == [b"bytes", b"iter", b"async", b"ab", b""]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (iter(["text"]), httpcore.RequestTypeError),
        (iter([b"abc"]), httpcore.LocalProtocolError),
        (iter([b"a"]), httpcore.LocalProtocolError),
    ],
    ids=["str-chunk", "too-long", "too-short"],
)
async def test_bad_request_bodies_reset_only_their_stream(body, error):
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        with pytest.raises(error):
            await http.request("POST", URL + "/", body=body, headers={"content-length": "2"})
        assert (await http.request("GET", URL + "/next")).body == b"/next"
        assert http.num_keepalive_connections == 1
    server = backend.servers[0]
    resets = [e for e in server.events if isinstance(e, h2.events.StreamReset)]
    assert [(e.stream_id, e.error_code) for e in resets] == [(1, ErrorCodes.CANCEL)]


async def test_rst_stream_fails_only_that_stream():
    def script(server, event):
        if isinstance(event, h2.events.RequestReceived):
            path = dict(event.headers)[b":path"]
            if path == b"/reset":
                server.reset(event.stream_id, ErrorCodes.INTERNAL_ERROR)
            else:
                server.respond(event.stream_id, body=b"x" * 10, end=False)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        sibling = await http.request("GET", URL + "/ok", stream=True)
        with pytest.raises(httpcore.RemoteProtocolError, match="INTERNAL_ERROR"):
            await http.request("GET", URL + "/reset")
        backend.servers[0].send_data(1, b"y", end=True)
        assert await sibling.read() == b"x" * 10 + b"y"
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_reset_while_reading_the_body():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, body=b"part", end=False)
            server.reset(event.stream_id, ErrorCodes.ENHANCE_YOUR_CALM)

    async with pool_for(ScriptedBackend(script)) as http:
        response = await http.request("GET", URL + "/", stream=True)
        with pytest.raises(httpcore.RemoteProtocolError, match="ENHANCE_YOUR_CALM"):
            await response.read()
        assert http.num_active_connections == 0


async def test_refused_stream_is_retried():
    refused = []

    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            if not refused:
                refused.append(event.stream_id)
                server.reset(event.stream_id, ErrorCodes.REFUSED_STREAM)
            else:
                answer(server, event)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        response = await http.request("POST", URL + "/again", body=b"data")
    assert response.body == b"/again"
    assert refused == [1]
    assert backend.servers[0].bodies[3] == b"data"


async def test_goaway_retries_unprocessed_streams_on_a_new_connection():
    def script(server, event):
        if not isinstance(event, h2.events.StreamEnded):
            return
        if server is not backend.servers[0]:
            answer(server, event)
        elif event.stream_id == 1:
            server.respond(1, body=b"part", end=False)
        else:
            server.goaway(last_stream_id=1)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        first = await http.request("GET", URL + "/first", stream=True)
        # Stream 3 is above GOAWAY's last_stream_id: it is sent again on a new connection.
        second = await http.request("POST", URL + "/second", body=b"x")
        assert second.body == b"/second"
        assert len(backend.servers) == 2
        # Stream 1 was processed: the server may still complete it (RFC 9113 section 6.8).
        backend.servers[0].send_data(1, b"-end", end=True)
        assert await first.read() == b"part-end"
        assert backend.servers[0].closed
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


def silent(server, event):
    """A script: a server that reads everything and answers nothing."""


def head_only(server, event):
    """A script: answer every request with a response head, and no body yet."""
    if isinstance(event, h2.events.StreamEnded):
        server.respond(event.stream_id, end=False)


async def test_server_that_never_answers_gives_read_timeout():
    backend = ScriptedBackend(silent)
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.ReadTimeout):
            await http.request("GET", URL + "/")
        # Only the stream failed: it was reset, the connection is kept.
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
    resets = [e for e in backend.servers[0].events if isinstance(e, h2.events.StreamReset)]
    assert [e.error_code for e in resets] == [ErrorCodes.CANCEL]


async def test_window_starvation_gives_write_timeout():
    backend = ScriptedBackend(settings={SETTINGS.INITIAL_WINDOW_SIZE: 10})
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        backend.servers[0].acknowledge = False
        with pytest.raises(httpcore.WriteTimeout, match="flow-control window"):
            await http.request("POST", URL + "/", body=b"x" * 100)
        assert (await http.request("GET", URL + "/after")).body == b"/after"
        assert http.num_keepalive_connections == 1
    assert backend.servers[0].bodies[3] == b"x" * 10


async def test_upload_waits_for_window_updates():
    backend = ScriptedBackend(settings={SETTINGS.INITIAL_WINDOW_SIZE: 1000})
    body = bytes(range(256)) * 400
    async with pool_for(backend) as http:
        response = await http.request("POST", URL + "/up", body=body)
    assert response.body == b"/up"
    assert backend.servers[0].bodies[1] == body


async def test_early_response_stops_the_upload():
    def script(server, event):
        if isinstance(event, h2.events.RequestReceived):
            server.respond(event.stream_id, 413, body=b"too big")
            server.reset(event.stream_id, ErrorCodes.NO_ERROR)

    backend = ScriptedBackend(script, settings={SETTINGS.INITIAL_WINDOW_SIZE: 5})
    async with pool_for(backend) as http:
        response = await http.request("POST", URL + "/", body=b"x" * 100)
        assert (response.status_code, response.body) == (413, b"too big")
        assert http.num_keepalive_connections == 1
    assert backend.servers[0].bodies[1] == b"x" * 5


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\x00\x04\x09\x00\x00\x00\x00\x01abcd", b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x"],
    ids=["continuation-without-headers", "data-on-stream-0"],
)
async def test_invalid_frames_fail_every_stream_and_drop_the_connection(garbage):
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
            server.respond(1, body=b"x", end=False)
        elif isinstance(event, h2.events.StreamEnded):
            server.raw(garbage)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        sibling = await http.request("GET", URL + "/", stream=True)
        with pytest.raises(httpcore.RemoteProtocolError, match="HTTP/2 protocol"):
            await http.request("GET", URL + "/")
        with pytest.raises(httpcore.RemoteProtocolError):
            await sibling.read()
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0
    assert backend.servers[0].closed


async def test_handshake_with_a_non_http2_server():
    def script(server, event):
        server.raw(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    backend = ScriptedBackend(script)
    backend.preface = False
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="does not speak HTTP/2"):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0


async def test_handshake_timeout():
    backend = ScriptedBackend(silent)
    backend.preface = False
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.ConnectTimeout, match="settings"):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0
    assert backend.servers[0].closed


def respond_with(*headers, validate=True):
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.h2.config.validate_outbound_headers = validate
            server.h2.config.normalize_outbound_headers = validate
            server.h2.send_headers(event.stream_id, list(headers), end_stream=True)
            server.flush()

    return script


@pytest.mark.parametrize(
    "headers",
    [
        [(b":status", b"200"), (b"X-Upper", b"1")],
        [(b"content-type", b"text/plain")],
        [(b":status", b"200"), (b"connection", b"close")],
        [(b":status", b"200"), (b":path", b"/")],
    ],
    ids=["upper-case-name", "no-status", "connection-specific", "request-pseudo-header"],
)
async def test_malformed_response_headers(headers):
    async with pool_for(ScriptedBackend(respond_with(*headers, validate=False))) as http:
        with pytest.raises(httpcore.RemoteProtocolError):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0


@pytest.mark.parametrize("status", [b"2000", b"abc", b"20"])
async def test_invalid_status(status):
    async with pool_for(ScriptedBackend(respond_with((b":status", status)))) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="status"):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0


async def test_header_limits():
    many = [(b":status", b"200")] + [(b"x-h", b"%d" % i) for i in range(20)]
    limits = httpcore.ProtocolLimits(max_header_count=10)
    async with pool_for(ScriptedBackend(respond_with(*many)), protocol_limits=limits) as http:
        with pytest.raises(httpcore.LimitExceeded, match="max_header_count"):
            await http.request("GET", URL + "/")
        # A stream error: the connection serves the next request.
        assert http.num_keepalive_connections == 1
    big = [(b":status", b"200"), (b"x-big", b"v" * 2000)]
    limits = httpcore.ProtocolLimits(max_header_bytes=1000)
    async with pool_for(ScriptedBackend(respond_with(*big)), protocol_limits=limits) as http:
        with pytest.raises(httpcore.LimitExceeded, match="max_header_bytes"):
            await http.request("GET", URL + "/")


async def test_informational_responses_and_trailers():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            sid = event.stream_id
            server.h2.send_headers(sid, [(b":status", b"103"), (b"link", b"</a>")])
            server.h2.send_headers(sid, [(b":status", b"200")])
            server.h2.send_data(sid, b"body")
            server.h2.send_headers(sid, [(b"x-trailer", b"1")], end_stream=True)
            server.flush()

    async with pool_for(ScriptedBackend(script)) as http:
        response = await http.request("GET", URL + "/")
        assert (response.status_code, response.body) == (200, b"body")
        assert response.headers == []


async def test_too_many_informational_responses():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            for _ in range(40):
                server.h2.send_headers(event.stream_id, [(b":status", b"100")])
            server.flush()

    async with pool_for(ScriptedBackend(script)) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="informational"):
            await http.request("GET", URL + "/")


async def test_end_of_stream_mid_body():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, body=b"part", end=False)
            server.eof = True

    async with pool_for(ScriptedBackend(script)) as http:
        response = await http.request("GET", URL + "/", stream=True)
        with pytest.raises(httpcore.ConnectionClosed, match=r"closed the connection$"):
            await response.read()
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0


async def test_goaway_with_an_error_fails_processed_streams():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, body=b"part", end=False)
            server.goaway(event.stream_id, ErrorCodes.INTERNAL_ERROR)
            server.eof = True

    async with pool_for(ScriptedBackend(script)) as http:
        response = await http.request("GET", URL + "/", stream=True)
        with pytest.raises(httpcore.ConnectionClosed, match=r"GOAWAY \(INTERNAL_ERROR\)"):
            await response.read()
        assert http.num_active_connections == 0


async def test_goaway_after_the_last_response_closes_the_idle_connection():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            answer(server, event)
            server.goaway(event.stream_id)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        assert http.num_keepalive_connections == 0
        assert backend.servers[0].closed
        await http.request("GET", URL + "/")
        assert len(backend.servers) == 2


async def test_goaway_while_idle_retries_even_a_post():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        # An idle timeout: the server said goodbye while nobody was reading.
        backend.servers[0].goaway(1)
        backend.servers[0].eof = True
        response = await http.request("POST", URL + "/post", body=b"x")
        assert response.body == b"/post"
        assert len(backend.servers) == 2


async def test_closed_idle_connection_is_retried_for_idempotent_requests():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        backend.servers[0].eof = True
        assert (await http.request("GET", URL + "/again")).body == b"/again"
        assert len(backend.servers) == 2
        backend.servers[1].eof = True
        with pytest.raises(httpcore.ConnectionClosed):
            await http.request("POST", URL + "/", body=b"x")
        assert http.num_active_connections == 0


async def test_write_failure_fails_the_connection():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        backend.servers[0].write_error = httpcore.WriteError("broken pipe")
        # A reused connection that broke before any response: sent again.
        assert (await http.request("GET", URL + "/again")).body == b"/again"
        backend.servers[1].write_error = httpcore.WriteError("broken pipe")
        with pytest.raises(httpcore.WriteError, match="broken pipe"):
            await http.request("POST", URL + "/", body=b"x")
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0


async def test_flow_control_violation_by_the_server(monkeypatch):
    monkeypatch.setattr("httpcore._h2.STREAM_WINDOW", 100)

    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, end=False)
            # A DATA frame past the window the client granted (RFC 9113 section 6.9.1).
            server.raw(b"\x00\x00\xc8\x00\x00" + event.stream_id.to_bytes(4, "big") + b"x" * 200)

    async with pool_for(ScriptedBackend(script)) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="window"):
            response = await http.request("GET", URL + "/", stream=True)
            await response.read()


async def test_server_push_is_refused():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            # PUSH_PROMISE for stream 2, although the client disabled push (RFC 9113 8.4).
            block = server.h2.encoder.encode([(b":method", b"GET"), (b":path", b"/p")])
            frame = b"\x00\x00" + bytes([4 + len(block)]) + b"\x05\x04"
            server.raw(frame + event.stream_id.to_bytes(4, "big") + b"\x00\x00\x00\x02" + block)

    async with pool_for(ScriptedBackend(script)) as http:
        with pytest.raises(httpcore.RemoteProtocolError):
            await http.request("GET", URL + "/")


async def test_ping_is_answered():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.h2.ping(b"12345678")
            answer(server, event)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        await http.request("GET", URL + "/")
    acks = [e for e in backend.servers[0].events if isinstance(e, h2.events.PingAckReceived)]
    assert acks[0].ping_data == b"12345678"


async def test_response_closed_early_resets_its_stream():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
            server.respond(1, body=b"x" * 1000, end=False)
        elif isinstance(event, h2.events.StreamEnded):
            answer(server, event)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        response = await http.request("GET", URL + "/", stream=True)
        await response.close()
        # The reset went out with the close, not with the next request's frames.
        events = backend.servers[0].events
        resets = [e for e in events if isinstance(e, h2.events.StreamReset)]
        assert [(e.stream_id, e.error_code) for e in resets] == [(1, ErrorCodes.CANCEL)]
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
        assert (await http.request("GET", URL + "/next")).body == b"/next"
    resets = [e for e in backend.servers[0].events if isinstance(e, h2.events.StreamReset)]
    assert [(e.stream_id, e.error_code) for e in resets] == [(1, ErrorCodes.CANCEL)]


async def test_dropped_response_gives_its_stream_back():
    import gc

    def script(server, event):
        if isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
            server.respond(1, body=b"x", end=False)
        elif isinstance(event, h2.events.StreamEnded):
            answer(server, event)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        response = await http.request("GET", URL + "/", stream=True)
        del response
        gc.collect()
        assert http.num_active_connections == 1
        await http.request("GET", URL + "/")
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1
    resets = [e for e in backend.servers[0].events if isinstance(e, h2.events.StreamReset)]
    assert [e.stream_id for e in resets] == [1]


async def test_stream_ids_running_out_retire_the_connection():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        (connection,) = http._idle[httpcore.URL(URL).origin]
        assert repr(connection).startswith("<")
        connection._engine.highest_outbound_stream_id = 2**31 - 1
        await http.request("GET", URL + "/")
        assert len(backend.servers) == 2
        assert backend.servers[0].closed


async def test_pool_close_fails_streams_in_flight():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, body=b"x", end=False)

    http = pool_for(ScriptedBackend(script))
    response = await http.request("GET", URL + "/", stream=True)
    await http.close()
    with pytest.raises(httpcore.ConnectionClosed, match="was closed"):
        await response.read()
    with pytest.raises(httpcore.PoolClosed):
        await http.request("GET", URL + "/")


async def test_goaway_fails_a_streamed_upload_it_cannot_replay():
    def script(server, event):
        if isinstance(event, h2.events.RequestReceived):
            server.goaway(0)

    async def body():
        yield b"once"

    async with pool_for(ScriptedBackend(script)) as http:
        with pytest.raises(RequestNotProcessed, match="GOAWAY") as caught:
            await http.request("POST", URL + "/", body=body())
        assert isinstance(caught.value, httpcore.ConnectionClosed)
        assert http.num_active_connections == 0


async def test_read_failure_fails_the_connection():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        backend.servers[0].read_error = httpcore.ReadError("connection reset by peer")
        assert (await http.request("GET", URL + "/again")).body == b"/again"
        assert backend.servers[0].closed
        assert len(backend.servers) == 2


async def test_server_resets_an_upload_from_an_iterator():
    def script(server, event):
        if isinstance(event, h2.events.DataReceived):
            server.reset(event.stream_id, ErrorCodes.INTERNAL_ERROR)

    backend = ScriptedBackend(script, settings={SETTINGS.INITIAL_WINDOW_SIZE: 5})
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="INTERNAL_ERROR"):
            await http.request("POST", URL + "/", body=iter([b"x" * 10, b"y" * 10]))
        assert http.num_keepalive_connections == 1
    assert backend.servers[0].bodies[1] == b"x" * 5


async def test_zero_window_gives_write_timeout():
    backend = ScriptedBackend(silent, settings={SETTINGS.INITIAL_WINDOW_SIZE: 0})
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.WriteTimeout):
            await http.request("POST", URL + "/", body=b"x")
    # The HEADERS went out before the wait, so the server could have opened the window.
    assert backend.servers[0].requests[1]


async def test_an_error_from_the_body_iterator_resets_only_its_stream():
    def body():
        yield b"start"
        raise RuntimeError("the source failed")

    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        with pytest.raises(RuntimeError, match="source failed"):
            await http.request("POST", URL + "/", body=body())
        assert (await http.request("GET", URL + "/next")).body == b"/next"
    resets = [e for e in backend.servers[0].events if isinstance(e, h2.events.StreamReset)]
    assert [e.stream_id for e in resets] == [1]


async def test_resets_that_cross_are_harmless():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
            server.respond(1, body=b"x" * 100, end=False)
        elif isinstance(event, h2.events.StreamReset):
            # Frames the server sent before it saw the client's RST_STREAM.
            server.raw(b"\x00\x00\x02\x00\x00\x00\x00\x00\x01zz")
            server.raw(b"\x00\x00\x04\x03\x00\x00\x00\x00\x01\x00\x00\x00\x08")
        elif isinstance(event, h2.events.StreamEnded):
            answer(server, event)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        response = await http.request("GET", URL + "/", stream=True)
        await response.close()
        assert (await http.request("GET", URL + "/next")).body == b"/next"
        assert (await http.request("GET", URL + "/last")).body == b"/last"
        assert http.num_keepalive_connections == 1


async def test_a_dropped_response_is_reclaimed_when_a_sibling_closes():
    import gc

    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.respond(event.stream_id, body=b"x", end=False)

    async with pool_for(ScriptedBackend(script)) as http:
        dropped = await http.request("GET", URL + "/", stream=True)
        sibling = await http.request("GET", URL + "/", stream=True)
        del dropped
        gc.collect()
        await sibling.close()
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 1


async def test_a_connection_refuses_new_streams_once_failed_or_going_away():
    from httpcore._async.connection import open_connection

    backend = ScriptedBackend(settings={SETTINGS.MAX_CONCURRENT_STREAMS: 1})
    origin = httpcore.URL(URL).origin
    options = {"ssl": httpcore.SSLConfig(), "limits": httpcore.ProtocolLimits(), "timeout": 5.0}
    connection = await open_connection(backend, origin, http2=True, **options)
    timeout = httpcore.TimeoutConfig(5.0)
    request = httpcore.Request("GET", URL + "/")
    backend.script = head_only
    held = await connection.send(request, timeout, lambda stream_id, abandoned: None)
    assert held.status_code == 200
    # The server allows one stream at a time, and stream 1 is still open.
    with pytest.raises(RequestNotProcessed, match="no stream free"):
        await connection.send(request, timeout, lambda stream_id, abandoned: None)
    backend.servers[0].goaway(1)
    await connection._read_once(1.0)
    with pytest.raises(RequestNotProcessed, match="GOAWAY"):
        await connection.send(request, timeout, lambda stream_id, abandoned: None)
    connection.close()
    with pytest.raises(httpcore.ConnectionClosed, match="was closed"):
        await connection.send(request, timeout, lambda stream_id, abandoned: None)


async def test_frames_for_a_refused_stream_are_ignored():
    def script(server, event):
        if not isinstance(event, h2.events.StreamEnded):
            return
        if server is not backend.servers[0]:
            answer(server, event)
        elif event.stream_id == 1:
            server.respond(1, end=False)
        elif event.stream_id == 3:
            server.send_data(1, b"kept,")
            # A server that answers a stream it then refuses all the same.
            server.respond(3, body=b"ignored", end=False)
            server.goaway(last_stream_id=1)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        first = await http.request("GET", URL + "/first", stream=True)
        assert (await http.request("GET", URL + "/second")).body == b"/second"
        # More for the refused stream, read after it was forgotten.
        backend.servers[0].send_data(3, b"ignored too", end=True)
        backend.servers[0].send_data(1, b"done", end=True)
        assert await first.read() == b"kept,done"


async def test_an_unexpected_error_while_writing_propagates():
    backend = ScriptedBackend()
    async with pool_for(backend) as http:
        await http.request("GET", URL + "/")
        backend.servers[0].write_error = RuntimeError("unexpected")
        with pytest.raises(RuntimeError, match="unexpected"):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0


async def test_server_settings_split_over_many_reads():
    class Trickle(ScriptedStream):
        async def read(self, max_bytes, timeout):
            return await super().read(4, timeout)

    class TrickleBackend(ScriptedBackend):
        async def connect_tcp(self, host, port, *, timeout, ssl_context=None, server_hostname=None):
            server = Server(self.settings, self.preface)
            self.servers.append(server)
            return Trickle(server, self)

    backend = TrickleBackend(settings={SETTINGS.MAX_CONCURRENT_STREAMS: 3})
    async with pool_for(backend) as http:
        assert (await http.request("GET", URL + "/trickle")).body == b"/trickle"
        (connection,) = http._idle[httpcore.URL(URL).origin]
        assert connection._engine.max_concurrent_streams == 3


async def test_a_malformed_response_resets_only_its_stream():
    def script(server, event):
        if not isinstance(event, h2.events.RequestReceived):
            return
        if dict(event.headers)[b":path"] == b"/long":
            # More body than Content-Length announced (RFC 9113 section 8.1.1).
            headers = [(b":status", b"200"), (b"content-length", b"3")]
            server.h2.send_headers(event.stream_id, headers)
            server.h2.send_data(event.stream_id, b"abcd")
            server.flush()
        else:
            server.respond(event.stream_id, body=b"sibling", end=False)

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        sibling = await http.request("GET", URL + "/ok", stream=True)
        response = await http.request("GET", URL + "/long", stream=True)
        with pytest.raises(httpcore.RemoteProtocolError, match="more body than"):
            await response.read()
        backend.servers[0].send_data(1, b"!", end=True)
        assert await sibling.read() == b"sibling!"
        assert http.num_keepalive_connections == 1
    resets = [e for e in backend.servers[0].events if isinstance(e, h2.events.StreamReset)]
    assert [(e.stream_id, e.error_code) for e in resets] == [(3, ErrorCodes.PROTOCOL_ERROR)]


async def test_a_connection_error_is_told_to_the_server_with_goaway():
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            # A WINDOW_UPDATE of 0 for the connection (RFC 9113 section 6.9).
            server.raw(b"\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")

    backend = ScriptedBackend(script)
    async with pool_for(backend) as http:
        with pytest.raises(httpcore.RemoteProtocolError, match="WINDOW_UPDATE of 0"):
            await http.request("GET", URL + "/")
        assert http.num_keepalive_connections == 0
    (goaway,) = [
        e for e in backend.servers[0].events if isinstance(e, h2.events.ConnectionTerminated)
    ]
    assert goaway.error_code == ErrorCodes.PROTOCOL_ERROR
    assert b"WINDOW_UPDATE" in goaway.additional_data


@pytest.mark.parametrize(
    "flood",
    [
        b"\x00\x00\x08\x06\x00\x00\x00\x00\x0012345678" * 1001,
        b"\x00\x00\x00\x01\x00\x00\x00\x00\x01" + b"\x00\x00\x00\x09\x00\x00\x00\x00\x01" * 10000,
    ],
    ids=["ping", "continuation"],
)
async def test_floods_fail_the_connection_with_limit_exceeded(flood):
    def script(server, event):
        if isinstance(event, h2.events.StreamEnded):
            server.raw(flood)

    async with pool_for(ScriptedBackend(script)) as http:
        with pytest.raises(httpcore.LimitExceeded):
            await http.request("GET", URL + "/")
        assert http.num_active_connections == 0
        assert http.num_keepalive_connections == 0
