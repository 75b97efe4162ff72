"""The HTTP/2 engine without sockets: streams, header blocks, bodies, and their errors.

A stream error resets one stream (RST_STREAM) and reports it with the error attached; its
siblings go on. Header blocks are decoded even for streams already closed, so that the HPACK
tables stay in step with the server's.
"""

from __future__ import annotations

import hpack
import pytest
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
)

import httpcore
from httpcore._h2events import (
    DataReceived,
    InformationalResponseReceived,
    ResponseReceived,
    StreamEnded,
    StreamReset,
    TrailersReceived,
)
from httpcore._h2frames import ErrorCode

from .test_h2engine import (
    REQUEST,
    connection_error,
    data_frame,
    headers_frame,
    new_engine,
    open_stream,
    parse,
    raw,
    response,
)


def stream_error(engine, data, stream_id, code, match):
    """Feed `data`: the last event resets `stream_id` for `match`, with `code` sent."""
    engine.data_to_send()
    events = engine.receive_data(data)
    event = events[-1]
    assert isinstance(event, StreamReset)
    assert (event.stream_id, event.error_code) == (stream_id, code)
    assert isinstance(event.error, httpcore.RemoteProtocolError)
    assert match in str(event.error)
    resets = [f for f in parse(engine.data_to_send()) if isinstance(f, RstStreamFrame)]
    assert [(f.stream_id, f.error_code) for f in resets] == [(stream_id, code)]
    assert engine.local_flow_control_window(stream_id) == 0
    return events


# Responses -------------------------------------------------------------------------------


def test_a_response_with_a_body():
    engine = new_engine()
    stream_id = open_stream(engine)
    head = response(stream_id, extra=[(b"content-length", b"4"), (b"x-a", b"1")])
    events = engine.receive_data(
        head + data_frame(stream_id, b"bo") + data_frame(stream_id, b"dy", end=True)
    )
    assert [type(e) for e in events] == [ResponseReceived, DataReceived, DataReceived, StreamEnded]
    assert (events[0].status_code, events[0].headers) == (
        200,
        [(b"content-length", b"4"), (b"x-a", b"1")],
    )
    assert [e.data for e in events[1:3]] == [b"bo", b"dy"]
    assert all(e.stream_id == stream_id for e in events)
    # Both sides ended: the stream is closed.
    assert engine.open_streams == 0


def test_padded_and_prioritised_frames():
    engine = new_engine()
    stream_id = open_stream(engine)
    head = headers_frame(
        stream_id,
        [(b":status", b"200")],
        flags=("END_HEADERS", "PADDED", "PRIORITY"),
        pad_length=3,
        depends_on=0,
        stream_weight=10,
    )
    body = DataFrame(stream_id, b"abc", pad_length=4, flags=["PADDED"])
    padding = DataFrame(stream_id, b"", pad_length=10, flags=["PADDED", "END_STREAM"])
    events = engine.receive_data(head.serialize() + body.serialize() + padding.serialize())
    assert [type(e) for e in events] == [ResponseReceived, DataReceived, StreamEnded]
    assert (events[1].data, events[1].flow_controlled_length) == (
        b"abc",
        body.flow_controlled_length,
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x00\x00\x00\x08\x00\x00\x00\x01",
        b"\x00\x00\x02\x00\x08\x00\x00\x00\x01\x02x",
        b"\x00\x00\x02\x01\x0c\x00\x00\x00\x01\x05\x88",
        b"\x00\x00\x06\x01\x2c\x00\x00\x00\x01\x01\x00\x00\x00\x00\x10",
    ],
    ids=["data-no-pad-length", "data-pad-too-long", "headers-pad-too-long", "with-priority"],
)
def test_bad_padding_is_a_connection_error(data):
    engine = new_engine()
    open_stream(engine)
    connection_error(engine, data, ErrorCode.PROTOCOL_ERROR, match="padding")


def test_headers_too_short_for_their_priority():
    engine = new_engine()
    open_stream(engine)
    data = b"\x00\x00\x02\x01\x24\x00\x00\x00\x01\x00\x00"
    connection_error(engine, data, ErrorCode.FRAME_SIZE_ERROR, match="priority")


def test_informational_responses_then_trailers():
    engine = new_engine()
    stream_id = open_stream(engine)
    data = (
        response(stream_id, status=b"103", extra=[(b"link", b"</a>")])
        + response(stream_id)
        + data_frame(stream_id, b"body")
        + headers_frame(
            stream_id, [(b"x-trailer", b"1"), (b"te", b"Trailers")], end=True
        ).serialize()
    )
    events = engine.receive_data(data)
    assert [type(e) for e in events] == [
        InformationalResponseReceived,
        ResponseReceived,
        DataReceived,
        TrailersReceived,
        StreamEnded,
    ]
    assert (events[0].status_code, events[0].headers) == (103, [(b"link", b"</a>")])
    assert events[3].headers == [(b"x-trailer", b"1"), (b"te", b"Trailers")]


def test_too_many_informational_responses_cancel_the_stream():
    engine = new_engine(httpcore.ProtocolLimits(max_informational_responses=2))
    stream_id = open_stream(engine)
    data = response(stream_id, status=b"100") * 3
    events = stream_error(engine, data, stream_id, ErrorCode.CANCEL, "informational")
    assert isinstance(events[-1].error, httpcore.LimitExceeded)
    assert [type(e) for e in events] == [InformationalResponseReceived] * 2 + [StreamReset]


@pytest.mark.parametrize(
    ("frames", "code", "match"),
    [
        (lambda s: response(s, status=b"100", end=True), ErrorCode.PROTOCOL_ERROR, "informational"),
        (lambda s: data_frame(s, b"x"), ErrorCode.PROTOCOL_ERROR, "before the response head"),
        (lambda s: response(s) + response(s), ErrorCode.PROTOCOL_ERROR, "trailers without"),
        (
            lambda s: response(s) + response(s, end=True),
            ErrorCode.PROTOCOL_ERROR,
            "pseudo-header",
        ),
        (
            lambda s: response(s, extra=[(b"content-length", b"3")]) + data_frame(s, b"abcd"),
            ErrorCode.PROTOCOL_ERROR,
            "content-length",
        ),
        (
            lambda s: (
                response(s, extra=[(b"content-length", b"3")]) + data_frame(s, b"ab", end=True)
            ),
            ErrorCode.PROTOCOL_ERROR,
            "1 bytes short",
        ),
        (
            lambda s: response(s, extra=[(b"content-length", b"3")], end=True),
            ErrorCode.PROTOCOL_ERROR,
            "no body",
        ),
        (
            lambda s: response(s, extra=[(b"content-length", b"-1")]),
            ErrorCode.PROTOCOL_ERROR,
            "content-length",
        ),
        (
            lambda s: response(s, extra=[(b"x-up", b"1"), (b"X-Up", b"1")]),
            ErrorCode.PROTOCOL_ERROR,
            "header name",
        ),
    ],
    ids=[
        "informational-ending-the-stream",
        "data-before-head",
        "trailers-not-ending-the-stream",
        "pseudo-header-in-trailers",
        "body-longer-than-content-length",
        "body-shorter-than-content-length",
        "no-body-for-a-content-length",
        "invalid-content-length",
        "upper-case-name",
    ],
)
def test_malformed_responses_are_stream_errors(frames, code, match):
    engine = new_engine()
    stream_id = open_stream(engine)
    sibling = open_stream(engine)
    stream_error(engine, frames(stream_id), stream_id, code, match)
    # The sibling is untouched, and the HPACK tables are in step.
    events = engine.receive_data(response(sibling, end=True))
    assert [type(e) for e in events] == [ResponseReceived, StreamEnded]


@pytest.mark.parametrize(
    ("method", "status"),
    [(b"HEAD", b"200"), (b"GET", b"304"), (b"GET", b"204")],
)
def test_no_body_is_expected_for_head_204_and_304(method, status):
    engine = new_engine()
    stream_id = open_stream(engine, [(b":method", method), *REQUEST[1:]])
    head = response(stream_id, status=status, extra=[(b"content-length", b"100")], end=True)
    events = engine.receive_data(head)
    assert [type(e) for e in events] == [ResponseReceived, StreamEnded]


def test_a_zero_content_length_with_no_body():
    engine = new_engine()
    stream_id = open_stream(engine)
    events = engine.receive_data(response(stream_id, extra=[(b"content-length", b"0")], end=True))
    assert [type(e) for e in events] == [ResponseReceived, StreamEnded]


def test_data_beyond_the_stream_window_resets_only_that_stream():
    engine = new_engine()
    stream_id = open_stream(engine)
    sibling = open_stream(engine)
    engine.receive_data(response(stream_id) + response(sibling))
    chunk = data_frame(stream_id, b"x" * 16384)
    engine.receive_data(chunk * 64)
    events = stream_error(
        engine, data_frame(stream_id, b"x"), stream_id, ErrorCode.FLOW_CONTROL_ERROR, "window"
    )
    assert len(events) == 1
    assert [e.data for e in engine.receive_data(data_frame(sibling, b"ok"))] == [b"ok"]


def test_data_and_headers_after_the_end_of_a_half_closed_stream():
    engine = new_engine()
    first = open_stream(engine, end=False)
    second = open_stream(engine, end=False)
    engine.receive_data(response(first, end=True) + response(second, end=True))
    assert engine.open_streams == 2
    stream_error(engine, data_frame(first, b"x"), first, ErrorCode.STREAM_CLOSED, "after the end")
    stream_error(engine, response(second), second, ErrorCode.STREAM_CLOSED, "after the end")


def test_frames_on_a_stream_that_ended_are_a_connection_error():
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.receive_data(response(stream_id, end=True))
    assert engine.open_streams == 0
    # Window updates and resets may still come (RFC 9113 section 5.1).
    assert engine.receive_data(RstStreamFrame(stream_id, 0).serialize()) == []
    connection_error(engine, data_frame(stream_id, b"x"), ErrorCode.STREAM_CLOSED)


def test_headers_on_a_stream_that_ended_are_a_connection_error():
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.receive_data(response(stream_id, end=True))
    connection_error(engine, response(stream_id), ErrorCode.STREAM_CLOSED)


def test_frames_on_a_stream_we_reset_are_dropped_and_decoded():
    engine = new_engine()
    encoder = hpack.Encoder()
    stream_id = open_stream(engine)
    sibling = open_stream(engine)
    engine.reset_stream(stream_id, ErrorCode.CANCEL)
    engine.reset_stream(stream_id, ErrorCode.CANCEL)
    (reset,) = [f for f in parse(engine.data_to_send()) if isinstance(f, RstStreamFrame)]
    assert (reset.stream_id, reset.error_code) == (stream_id, ErrorCode.CANCEL)
    # The server answered before it saw the reset; its block adds to the dynamic table.
    head = [(b":status", b"200"), (b"x-indexed", b"value")]
    late = headers_frame(stream_id, head, encoder=encoder).serialize()
    assert engine.receive_data(late + data_frame(stream_id, b"x" * 100)) == []
    # The sibling's block refers to that entry: it decodes only if the late one was decoded.
    events = engine.receive_data(headers_frame(sibling, head, encoder=encoder).serialize())
    assert events[0].headers == [(b"x-indexed", b"value")]


def test_frames_on_idle_streams_are_connection_errors():
    headers_on_0 = raw(0x1, 0x4, 0, b"\x88")
    data_on_0 = raw(0x0, 0, 0, b"x")
    for frames in (response(1), data_frame(3, b"x"), response(2), headers_on_0, data_on_0):
        engine = new_engine()
        connection_error(engine, frames, ErrorCode.PROTOCOL_ERROR)


def test_closed_streams_are_remembered_up_to_a_bound():
    engine = new_engine()
    first = open_stream(engine)
    engine.receive_data(response(first, end=True))
    for _ in range(1024):
        engine.reset_stream(open_stream(engine), ErrorCode.CANCEL)
    # Stream 1 ended long ago and was forgotten: DATA for it is dropped, not an error.
    assert engine.receive_data(data_frame(first, b"x")) == []


def test_max_concurrent_streams_bounds_new_streams():
    engine = new_engine(settings={SettingsFrame.MAX_CONCURRENT_STREAMS: 1})
    stream_id = open_stream(engine)
    assert engine.open_streams == 1
    with pytest.raises(httpcore.RequestNotProcessed, match="allows 1 at once"):
        open_stream(engine)
    engine.receive_data(response(stream_id, end=True))
    assert open_stream(engine) == 3


# Header blocks in pieces -------------------------------------------------------------------


def test_a_header_block_in_continuation_frames():
    engine = new_engine()
    stream_id = open_stream(engine)
    block = hpack.Encoder().encode([(b":status", b"200"), (b"x-long", b"v" * 100)])
    frames = [
        HeadersFrame(stream_id, block[:10], flags=["END_STREAM"]),
        ContinuationFrame(stream_id, block[10:50]),
        ContinuationFrame(stream_id, b""),
        ContinuationFrame(stream_id, block[50:], flags=["END_HEADERS"]),
    ]
    events = engine.receive_data(b"".join(f.serialize() for f in frames))
    assert [type(e) for e in events] == [ResponseReceived, StreamEnded]
    assert events[0].headers == [(b"x-long", b"v" * 100)]


@pytest.mark.parametrize(
    "interruption",
    [
        lambda s: PingFrame(0, b"12345678").serialize(),
        lambda s: ContinuationFrame(s + 2, b"", flags=["END_HEADERS"]).serialize(),
        lambda s: DataFrame(s, b"x").serialize(),
    ],
    ids=["ping", "other-stream", "data"],
)
def test_a_header_block_must_not_be_interrupted(interruption):
    engine = new_engine()
    stream_id = open_stream(engine)
    open_stream(engine)
    start = HeadersFrame(stream_id, b"\x88").serialize()
    connection_error(engine, start + interruption(stream_id), ErrorCode.PROTOCOL_ERROR)


def test_continuation_without_headers():
    engine = new_engine()
    stream_id = open_stream(engine)
    frames = ContinuationFrame(stream_id, b"\x88", flags=["END_HEADERS"]).serialize()
    connection_error(engine, frames, ErrorCode.PROTOCOL_ERROR, match="CONTINUATION")


@pytest.mark.parametrize("size", [0, 1000], ids=["empty-frames", "full-frames"])
def test_a_continuation_flood_is_refused_early(size):
    limits = httpcore.ProtocolLimits(max_header_bytes=4096)
    engine = new_engine(limits)
    stream_id = open_stream(engine)
    engine.data_to_send()
    engine.receive_data(HeadersFrame(stream_id, b"\x88").serialize())
    flood = ContinuationFrame(stream_id, b"\x00" * size).serialize()
    # Refused within (max_header_bytes + one frame), counting frame headers.
    count = (4096 + 16384) // (size + 9) + 1
    error = connection_error(
        engine, flood * count, ErrorCode.ENHANCE_YOUR_CALM, httpcore.LimitExceeded
    )
    assert "header block over 20480 bytes" in str(error)


def test_a_header_list_bomb_is_refused():
    limits = httpcore.ProtocolLimits(max_header_bytes=1000)
    engine = new_engine(limits)
    stream_id = open_stream(engine)
    encoder = hpack.Encoder()
    # One entry in the server's table, then the block names it again and again.
    block = encoder.encode([(b":status", b"200"), (b"x-big", b"v" * 500)])
    engine.data_to_send()
    bomb = block + bytes([0xBE]) * 50
    frame = HeadersFrame(stream_id, bomb, flags=["END_HEADERS"]).serialize()
    error = connection_error(engine, frame, ErrorCode.ENHANCE_YOUR_CALM, httpcore.LimitExceeded)
    assert "max_header_bytes (1000)" in str(error)


def test_an_undecodable_header_block():
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.data_to_send()
    frame = HeadersFrame(stream_id, b"\xff\xff\xff\xff\xff\xff", flags=["END_HEADERS"])
    connection_error(engine, frame.serialize(), ErrorCode.COMPRESSION_ERROR, match="header block")


# Sending -----------------------------------------------------------------------------------


def test_a_large_header_block_is_split_into_continuation_frames():
    engine = new_engine()
    big = [*REQUEST, (b"x-big", bytes(range(256)) * 200)]
    stream_id = open_stream(engine, big, end=True)
    frames = parse(engine.data_to_send())
    assert [type(f) for f in frames] == [
        HeadersFrame,
        ContinuationFrame,
        ContinuationFrame,
        ContinuationFrame,
    ]
    assert "END_STREAM" in frames[0].flags and "END_HEADERS" not in frames[0].flags
    assert [("END_HEADERS" in f.flags) for f in frames[1:]] == [False, False, True]
    assert all(len(f.data) <= 16384 and f.stream_id == stream_id for f in frames)
    block = b"".join(f.data for f in frames)
    assert hpack.Decoder().decode(block, raw=True) == big


def test_data_is_split_into_frames_within_the_windows():
    engine = new_engine(settings={SettingsFrame.MAX_FRAME_SIZE: 20000})
    stream_id = open_stream(engine, end=False)
    engine.data_to_send()
    engine.send_data(stream_id, memoryview(b"a" * 45000), end_stream=True)
    frames = parse(engine.data_to_send())
    assert [len(f.data) for f in frames] == [20000, 20000, 5000]
    assert [("END_STREAM" in f.flags) for f in frames] == [False, False, True]
    assert engine.send_window == 65535 - 45000
    # Ended locally only: the stream is open until the response ends.
    assert engine.open_streams == 1
    engine.receive_data(response(stream_id, end=True))
    assert engine.open_streams == 0


def test_ending_a_stream_after_the_response():
    engine = new_engine()
    stream_id = open_stream(engine, end=False)
    engine.receive_data(response(stream_id, end=True))
    assert engine.local_flow_control_window(stream_id) == 65535
    engine.send_data(stream_id, b"", end_stream=True)
    (last,) = parse(engine.data_to_send())[-1:]
    assert isinstance(last, DataFrame) and "END_STREAM" in last.flags
    assert engine.open_streams == 0


def test_consumed_data_of_closed_streams_goes_to_the_connection_window_only():
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.receive_data(response(stream_id) + data_frame(stream_id, b"x" * 100, end=True))
    engine.data_to_send()
    engine.acknowledge_received_data(1 << 23, stream_id)
    (update,) = parse(engine.data_to_send())
    assert (update.stream_id, update.window_increment) == (0, 1 << 23)


def test_a_goaway_queued_on_a_stream_error_is_not_sent():
    # Stream errors leave the connection up: no GOAWAY.
    engine = new_engine()
    stream_id = open_stream(engine)
    stream_error(engine, data_frame(stream_id, b"x"), stream_id, ErrorCode.PROTOCOL_ERROR, "head")
    assert not any(isinstance(f, GoAwayFrame) for f in parse(engine.data_to_send()))
