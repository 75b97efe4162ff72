"""The HTTP/2 engine without sockets: connection-level frames, settings, flow control, floods.

Valid frames come from hyperframe (the frame oracle) and header blocks from the `hpack`
package; invalid ones are written byte by byte. Every connection error must queue GOAWAY with
the RFC 9113 error code and raise an error of our tree.
"""

from __future__ import annotations

import hpack
import pytest
from hyperframe.frame import (
    DataFrame,
    ExtensionFrame,
    Frame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    PriorityFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

import httpcore
from httpcore._h2engine import Engine
from httpcore._h2events import (
    ConnectionTerminated,
    DataReceived,
    ResponseReceived,
    SettingsChanged,
    StreamEnded,
    StreamReset,
    WindowUpdated,
)
from httpcore._h2frames import PREFACE, ErrorCode, frame
from httpcore._h2state import MAX_PENDING_ACKS

REQUEST = [(b":method", b"GET"), (b":authority", b"a"), (b":scheme", b"http"), (b":path", b"/")]
STREAM_WINDOW = 1 << 20
CONNECTION_WINDOW = 1 << 24


# Helpers -----------------------------------------------------------------------------


def parse(data):
    """The frames in `data`, parsed by hyperframe."""
    frames = []
    view = memoryview(data)
    while view:
        parsed, length = Frame.parse_frame_header(view[:9])
        parsed.parse_body(view[9 : 9 + length])
        frames.append(parsed)
        view = view[9 + length :]
    return frames


def new_engine(limits=None, *, preface=True, settings=None):
    engine = Engine(
        limits or httpcore.ProtocolLimits(),
        stream_window=STREAM_WINDOW,
        connection_window=CONNECTION_WINDOW,
    )
    if preface:
        (event,) = engine.receive_data(SettingsFrame(0, settings or {}).serialize())
        assert isinstance(event, SettingsChanged)
        engine.data_to_send()
    return engine


def open_stream(engine, headers=REQUEST, end=True):
    stream_id = engine.next_stream_id
    engine.send_headers(stream_id, list(headers), end_stream=end)
    return stream_id


def headers_frame(stream_id, headers, *, end=False, encoder=None, flags=("END_HEADERS",), **kw):
    block = (encoder or hpack.Encoder()).encode(headers)
    return HeadersFrame(stream_id, block, flags=(*flags, *(("END_STREAM",) if end else ())), **kw)


def response(stream_id, *, status=b"200", extra=(), end=False):
    return headers_frame(stream_id, [(b":status", status), *extra], end=end).serialize()


def data_frame(stream_id, data, *, end=False, **kw):
    flags = ("END_STREAM",) if end else ()
    return DataFrame(stream_id, data, flags=flags, **kw).serialize()


def raw(frame_type, flags, stream_id, payload=b""):
    return frame(frame_type, flags, stream_id, payload)


def connection_error(engine, data, code, error=httpcore.RemoteProtocolError, match=None):
    with pytest.raises(error, match=match) as caught:
        engine.receive_data(data)
    (goaway,) = [f for f in parse(engine.data_to_send()) if isinstance(f, GoAwayFrame)]
    assert goaway.error_code == code
    assert goaway.last_stream_id == 0
    assert code.name in str(caught.value)
    # A failed connection takes nothing more.
    with pytest.raises(httpcore.RemoteProtocolError, match="already failed"):
        engine.receive_data(PingFrame(0, b"12345678").serialize())
    return caught.value


# The preface and SETTINGS ----------------------------------------------------------------


def test_the_preface_carries_our_settings_and_connection_window():
    engine = new_engine(httpcore.ProtocolLimits(max_header_bytes=5000), preface=False)
    data = engine.data_to_send()
    assert data.startswith(PREFACE)
    settings, update = parse(data[len(PREFACE) :])
    assert settings.settings == {
        SettingsFrame.ENABLE_PUSH: 0,
        SettingsFrame.INITIAL_WINDOW_SIZE: STREAM_WINDOW,
        SettingsFrame.MAX_HEADER_LIST_SIZE: 5000,
    }
    assert (update.stream_id, update.window_increment) == (0, CONNECTION_WINDOW - 65535)
    assert engine.data_to_send() == b""
    assert not engine.has_output


def test_no_connection_window_update_for_the_default_window():
    engine = Engine(httpcore.ProtocolLimits(), stream_window=100, connection_window=65535)
    frames = parse(engine.data_to_send()[len(PREFACE) :])
    assert [type(f) for f in frames] == [SettingsFrame]


def test_settings_are_applied_and_acknowledged():
    engine = new_engine(preface=False)
    engine.data_to_send()
    settings = {
        SettingsFrame.MAX_CONCURRENT_STREAMS: 7,
        SettingsFrame.MAX_FRAME_SIZE: 20000,
        SettingsFrame.MAX_HEADER_LIST_SIZE: 1234,
        SettingsFrame.ENABLE_PUSH: 0,
        SettingsFrame.HEADER_TABLE_SIZE: 100000,
        0x8: 1,  # SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441): unknown to us, ignored
    }
    (event,) = engine.receive_data(SettingsFrame(0, settings).serialize())
    assert isinstance(event, SettingsChanged)
    assert engine.settings_received
    (ack,) = parse(engine.data_to_send())
    assert isinstance(ack, SettingsFrame) and "ACK" in ack.flags
    assert (engine.max_concurrent_streams, engine.max_outbound_frame_size) == (7, 20000)
    assert engine.max_header_list_size == 1234
    assert engine.receive_data(SettingsFrame(0, flags=["ACK"]).serialize()) == []


def test_initial_window_size_changes_apply_to_open_streams():
    engine = new_engine(settings={SettingsFrame.INITIAL_WINDOW_SIZE: 100})
    stream_id = open_stream(engine, end=False)
    assert engine.local_flow_control_window(stream_id) == 100
    engine.receive_data(SettingsFrame(0, {SettingsFrame.INITIAL_WINDOW_SIZE: 30}).serialize())
    assert engine.local_flow_control_window(stream_id) == 30
    engine.send_data(stream_id, b"x" * 30, end_stream=False)
    engine.receive_data(SettingsFrame(0, {SettingsFrame.INITIAL_WINDOW_SIZE: 10}).serialize())
    # RFC 9113 section 6.9.2: a window may go negative.
    assert engine.local_flow_control_window(stream_id) == -20
    assert engine.initial_send_window == 10
    assert engine.local_flow_control_window(open_stream(engine)) == 10


def test_a_smaller_header_table_is_applied_to_our_encoder():
    engine = new_engine(settings={SettingsFrame.HEADER_TABLE_SIZE: 0})
    decoder = hpack.Decoder()
    decoder.max_allowed_table_size = 0
    for _ in range(2):
        open_stream(engine, [*REQUEST, (b"x-custom", b"value")])
        (headers,) = [f for f in parse(engine.data_to_send()) if isinstance(f, HeadersFrame)]
        assert decoder.decode(headers.data, raw=True)[-1] == (b"x-custom", b"value")
    assert len(decoder.header_table.dynamic_entries) == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (raw(0x4, 0, 1, b"\x00\x03\x00\x00\x00\x01"), ErrorCode.PROTOCOL_ERROR),
        (raw(0x4, 0x1, 0, b"\x00" * 6), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x4, 0, 0, b"\x00" * 5), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x4, 0, 0, b"\x00\x04\x80\x00\x00\x00"), ErrorCode.FLOW_CONTROL_ERROR),
        (raw(0x4, 0, 0, b"\x00\x05\x00\x00\x3f\xff"), ErrorCode.PROTOCOL_ERROR),
        (raw(0x4, 0, 0, b"\x00\x05\x01\x00\x00\x00"), ErrorCode.PROTOCOL_ERROR),
        (raw(0x4, 0, 0, b"\x00\x02\x00\x00\x00\x01"), ErrorCode.PROTOCOL_ERROR),
    ],
    ids=[
        "on-a-stream",
        "ack-with-data",
        "bad-length",
        "window-too-large",
        "frame-size-too-small",
        "frame-size-too-large",
        "push-enabled",
    ],
)
def test_bad_settings_are_connection_errors(data, code):
    connection_error(new_engine(), data, code)


def test_a_settings_change_overflowing_an_open_stream_window():
    engine = new_engine()
    stream_id = open_stream(engine, end=False)
    engine.receive_data(WindowUpdateFrame(stream_id, 2**31 - 1 - 65535).serialize())
    change = SettingsFrame(0, {SettingsFrame.INITIAL_WINDOW_SIZE: 65536})
    connection_error(engine, change.serialize(), ErrorCode.FLOW_CONTROL_ERROR)


def test_the_first_frame_must_be_settings():
    engine = new_engine(preface=False)
    engine.data_to_send()
    connection_error(engine, PingFrame(0, b"12345678").serialize(), ErrorCode.PROTOCOL_ERROR)
    engine = new_engine(preface=False)
    engine.data_to_send()
    ack = SettingsFrame(0, flags=["ACK"]).serialize()
    connection_error(engine, ack, ErrorCode.PROTOCOL_ERROR, match="first frame")


# Framing ---------------------------------------------------------------------------------


def test_frames_split_across_reads_are_reassembled():
    engine = new_engine()
    stream_id = open_stream(engine)
    data = response(stream_id) + data_frame(stream_id, b"body", end=True)
    events = []
    for start in range(0, len(data), 5):
        events += engine.receive_data(data[start : start + 5])
    assert [type(e) for e in events] == [ResponseReceived, DataReceived, StreamEnded]
    assert events[1].data == b"body"


def test_a_frame_over_our_max_frame_size_is_refused_from_its_header():
    engine = new_engine()
    header = (16385).to_bytes(3, "big") + b"\x00\x00\x00\x00\x00\x01"
    connection_error(engine, header, ErrorCode.FRAME_SIZE_ERROR, match="16385")


def test_unknown_frame_types_are_ignored():
    engine = new_engine()
    unknown = ExtensionFrame(0xEE, 0, body=b"whatever").serialize()
    assert engine.receive_data(unknown) == []
    assert not engine.has_output


# PING ------------------------------------------------------------------------------------


def test_ping_is_acknowledged_with_its_data():
    engine = new_engine()
    assert engine.receive_data(PingFrame(0, b"abcdefgh").serialize()) == []
    (ack,) = parse(engine.data_to_send())
    assert isinstance(ack, PingFrame) and "ACK" in ack.flags
    assert ack.opaque_data == b"abcdefgh"
    assert engine.receive_data(PingFrame(0, b"abcdefgh", flags=["ACK"]).serialize()) == []
    assert not engine.has_output


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (raw(0x6, 0, 0, b"1234567"), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x6, 0, 1, b"12345678"), ErrorCode.PROTOCOL_ERROR),
    ],
    ids=["short", "on-a-stream"],
)
def test_bad_pings(data, code):
    connection_error(new_engine(), data, code)


def test_a_ping_flood_with_our_answers_unread_is_refused():
    engine = new_engine()
    ping = PingFrame(0, b"12345678").serialize()
    engine.receive_data(ping * MAX_PENDING_ACKS)
    # Taking the answers resets the count.
    assert len(parse(engine.data_to_send())) == MAX_PENDING_ACKS
    engine.receive_data(ping * MAX_PENDING_ACKS)
    error = connection_error(engine, ping, ErrorCode.ENHANCE_YOUR_CALM, httpcore.LimitExceeded)
    assert "PING" in str(error)


def test_a_settings_flood_counts_too():
    engine = new_engine()
    settings = SettingsFrame(0, {}).serialize()
    with pytest.raises(httpcore.LimitExceeded):
        engine.receive_data(settings * (MAX_PENDING_ACKS + 1))


# WINDOW_UPDATE -----------------------------------------------------------------------------


def test_window_updates_open_the_send_windows():
    engine = new_engine()
    stream_id = open_stream(engine, end=False)
    assert engine.local_flow_control_window(stream_id) == 65535
    events = engine.receive_data(
        WindowUpdateFrame(0, 1000).serialize() + WindowUpdateFrame(stream_id, 10).serialize()
    )
    # One event for a batch of updates: waiting uploads only need waking once.
    assert [type(e) for e in events] == [WindowUpdated]
    assert engine.send_window == 66535
    assert engine.local_flow_control_window(stream_id) == 65545


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (raw(0x8, 0, 0, b"\x00\x00\x01"), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x8, 0, 0, b"\x00\x00\x00\x00"), ErrorCode.PROTOCOL_ERROR),
        (WindowUpdateFrame(0, 2**31 - 65535).serialize(), ErrorCode.FLOW_CONTROL_ERROR),
        (WindowUpdateFrame(7, 1).serialize(), ErrorCode.PROTOCOL_ERROR),
    ],
    ids=["short", "zero-increment", "overflow", "idle-stream"],
)
def test_bad_connection_window_updates(data, code):
    connection_error(new_engine(), data, code)


def test_bad_stream_window_updates_reset_only_that_stream():
    engine = new_engine()
    zero, overflow, sibling = (open_stream(engine, end=False) for _ in range(3))
    engine.data_to_send()
    events = engine.receive_data(
        raw(0x8, 0, zero, b"\x00\x00\x00\x00")
        + WindowUpdateFrame(overflow, 2**31 - 65535).serialize()
    )
    assert [(type(e), e.stream_id, e.error_code) for e in events] == [
        (StreamReset, zero, ErrorCode.PROTOCOL_ERROR),
        (StreamReset, overflow, ErrorCode.FLOW_CONTROL_ERROR),
    ]
    assert all(isinstance(e.error, httpcore.RemoteProtocolError) for e in events)
    resets = parse(engine.data_to_send())
    assert [(f.stream_id, f.error_code) for f in resets] == [
        (zero, ErrorCode.PROTOCOL_ERROR),
        (overflow, ErrorCode.FLOW_CONTROL_ERROR),
    ]
    assert engine.local_flow_control_window(zero) == 0
    assert engine.local_flow_control_window(sibling) == 65535
    # Updates for the streams reset meanwhile are ignored (RFC 9113 section 5.1).
    assert engine.receive_data(WindowUpdateFrame(zero, 5).serialize()) == []


# Receive windows ---------------------------------------------------------------------------


def test_consumed_data_is_handed_back_once_half_a_window_is_consumed():
    engine = Engine(httpcore.ProtocolLimits(), stream_window=100, connection_window=65535 * 2)
    engine.receive_data(SettingsFrame(0, {}).serialize())
    engine.data_to_send()
    stream_id = open_stream(engine)
    engine.data_to_send()
    engine.receive_data(response(stream_id) + data_frame(stream_id, b"x" * 100))
    engine.acknowledge_received_data(49, stream_id)
    assert not engine.has_output
    engine.acknowledge_received_data(51, stream_id)
    (update,) = parse(engine.data_to_send())
    assert (update.stream_id, update.window_increment) == (stream_id, 100)
    # The stream window is open again; the connection's has 65535 * 2 - 100 left.
    engine.receive_data(data_frame(stream_id, b"y" * 100, end=True))
    engine.acknowledge_received_data(65535 - 100, stream_id)
    (update,) = parse(engine.data_to_send())
    assert (update.stream_id, update.window_increment) == (0, 65535)


def test_data_beyond_the_connection_window_is_a_connection_error():
    engine = Engine(httpcore.ProtocolLimits(), stream_window=65535, connection_window=65535)
    engine.receive_data(SettingsFrame(0, {}).serialize())
    engine.data_to_send()
    streams = [open_stream(engine) for _ in range(5)]
    data = b"".join(response(s) + data_frame(s, b"x" * 16000) for s in streams[:4])
    engine.receive_data(data)
    extra = data_frame(streams[4], b"x" * 2000)
    connection_error(engine, response(streams[4]) + extra, ErrorCode.FLOW_CONTROL_ERROR)


# GOAWAY, RST_STREAM, PRIORITY, PUSH_PROMISE ------------------------------------------------


def test_goaway_refuses_the_streams_above_its_last_stream_id():
    engine = new_engine()
    first, second, third = (open_stream(engine) for _ in range(3))
    (event,) = engine.receive_data(GoAwayFrame(0, first, 0, b"bye").serialize())
    assert isinstance(event, ConnectionTerminated)
    assert (event.last_stream_id, event.error_code, event.additional_data) == (first, 0, b"bye")
    assert engine.goaway == (first, 0)
    assert engine.open_streams == 1
    # A second GOAWAY cannot raise last_stream_id (RFC 9113 section 6.8).
    (event,) = engine.receive_data(GoAwayFrame(0, third, 2).serialize())
    assert engine.goaway == (first, 2)
    # What still arrives for the refused streams is dropped, window included.
    dropped = response(second) + data_frame(second, b"x" * 10)
    assert engine.receive_data(dropped) == []
    events = engine.receive_data(response(first, end=True))
    assert [type(e) for e in events] == [ResponseReceived, StreamEnded]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (raw(0x7, 0, 1, b"\x00" * 8), ErrorCode.PROTOCOL_ERROR),
        (raw(0x7, 0, 0, b"\x00" * 7), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x3, 0, 1, b"\x00" * 3), ErrorCode.FRAME_SIZE_ERROR),
        (raw(0x3, 0, 0, b"\x00" * 4), ErrorCode.PROTOCOL_ERROR),
        (RstStreamFrame(9, 8).serialize(), ErrorCode.PROTOCOL_ERROR),
        (raw(0x2, 0, 0, b"\x00" * 5), ErrorCode.PROTOCOL_ERROR),
        (raw(0x5, 0x4, 1, b"\x00\x00\x00\x02\x82"), ErrorCode.PROTOCOL_ERROR),
    ],
    ids=[
        "goaway-on-a-stream",
        "goaway-short",
        "rst-stream-short",
        "rst-stream-on-stream-0",
        "rst-stream-on-an-idle-stream",
        "priority-on-stream-0",
        "push-promise",
    ],
)
def test_bad_control_frames(data, code):
    engine = new_engine()
    open_stream(engine)
    connection_error(engine, data, code)


def test_rst_stream_ends_its_stream_and_later_frames_are_refused():
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.data_to_send()
    (event,) = engine.receive_data(RstStreamFrame(stream_id, 2).serialize())
    assert (type(event), event.error_code, event.error) == (StreamReset, 2, None)
    # Another reset, or a window update, on the closed stream: ignored.
    assert engine.receive_data(RstStreamFrame(stream_id, 2).serialize()) == []
    # DATA after the server's own reset: a stream error STREAM_CLOSED (RFC 9113 5.1).
    assert engine.receive_data(data_frame(stream_id, b"x")) == []
    (reset,) = parse(engine.data_to_send())
    assert (reset.stream_id, reset.error_code) == (stream_id, ErrorCode.STREAM_CLOSED)


def test_priority_is_ignored_unless_malformed_on_an_open_stream():
    engine = new_engine()
    stream_id = open_stream(engine)
    priority = PriorityFrame(stream_id, depends_on=0, stream_weight=16).serialize()
    # On an open stream, and on an idle one (RFC 9113 section 5.1 allows it).
    assert engine.receive_data(priority + PriorityFrame(99).serialize()) == []
    assert engine.receive_data(raw(0x2, 0, 99, b"\x00" * 4)) == []
    (event,) = engine.receive_data(raw(0x2, 0, stream_id, b"\x00" * 4))
    assert (event.stream_id, event.error_code) == (stream_id, ErrorCode.FRAME_SIZE_ERROR)
