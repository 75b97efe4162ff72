"""HTTP/2 frames and header rules, against hyperframe as the oracle.

What we serialise must parse in hyperframe to the same fields; what hyperframe serialises must
give our engine the same data. Header blocks follow RFC 9113 sections 8.2 and 8.3.
"""

from __future__ import annotations

import itertools

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
from httpcore._h2frames import (
    FLAG_ACK,
    PING,
    SETTINGS_ENABLE_PUSH,
    SETTINGS_MAX_FRAME_SIZE,
    ErrorCode,
    data_frames,
    error_name,
    frame,
    goaway_frame,
    header_frames,
    rst_stream_frame,
    settings_frame,
    window_update_frame,
)
from httpcore._h2headers import response_fields, trailer_fields

from .test_h2engine import new_engine, open_stream, parse, response

# What we write -----------------------------------------------------------------------------


def test_control_frames_parse_in_hyperframe():
    frames = parse(
        frame(PING, FLAG_ACK, 0, b"12345678")
        + settings_frame([(SETTINGS_ENABLE_PUSH, 0), (SETTINGS_MAX_FRAME_SIZE, 2**24 - 1)])
        + window_update_frame(5, 2**31 - 1)
        + rst_stream_frame(7, ErrorCode.CANCEL)
        + goaway_frame(0, ErrorCode.ENHANCE_YOUR_CALM, b"debug")
    )
    ping, settings, update, reset, goaway = frames
    assert (type(ping), ping.flags, ping.opaque_data) == (PingFrame, {"ACK"}, b"12345678")
    assert settings.settings == {
        SettingsFrame.ENABLE_PUSH: 0,
        SettingsFrame.MAX_FRAME_SIZE: 2**24 - 1,
    }
    assert (update.stream_id, update.window_increment) == (5, 2**31 - 1)
    assert (type(reset), reset.stream_id, reset.error_code) == (RstStreamFrame, 7, 8)
    assert (type(goaway), goaway.error_code, goaway.additional_data) == (GoAwayFrame, 11, b"debug")


@pytest.mark.parametrize(
    ("size", "max_frame", "end"),
    list(itertools.product([0, 1, 16383, 16384, 16385, 50000], [16384, 20000], [True, False])),
)
def test_header_blocks_split_like_hyperframe_reads_them(size, max_frame, end):
    block = bytes(i % 251 for i in range(size))
    frames = parse(header_frames(3, block, end, max_frame))
    assert isinstance(frames[0], HeadersFrame)
    assert all(isinstance(f, ContinuationFrame) for f in frames[1:])
    assert b"".join(f.data for f in frames) == block
    assert all(len(f.data) <= max_frame and f.stream_id == 3 for f in frames)
    assert ["END_HEADERS" in f.flags for f in frames] == [False] * (len(frames) - 1) + [True]
    assert ("END_STREAM" in frames[0].flags) == end


@pytest.mark.parametrize(
    ("size", "max_frame", "end"),
    list(itertools.product([0, 1, 16384, 16385, 70000], [16384, 65536], [True, False])),
)
def test_data_splits_like_hyperframe_reads_it(size, max_frame, end):
    data = bytes(i % 253 for i in range(size))
    frames = parse(data_frames(9, memoryview(data), end, max_frame))
    assert all(isinstance(f, DataFrame) and f.stream_id == 9 for f in frames)
    assert b"".join(f.data for f in frames) == data
    assert all(len(f.data) <= max_frame for f in frames)
    assert ["END_STREAM" in f.flags for f in frames] == [False] * (len(frames) - 1) + [end]


def test_error_names():
    assert error_name(0x8) == "CANCEL"
    assert error_name(ErrorCode.HTTP_1_1_REQUIRED) == "HTTP_1_1_REQUIRED"
    assert error_name(0x99) == "error code 153"


# What we read ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "pad"),
    list(itertools.product([0, 1, 100, 16000], [None, 0, 1, 255])),
)
def test_data_frames_from_hyperframe(size, pad):
    engine = new_engine()
    stream_id = open_stream(engine)
    engine.receive_data(response(stream_id))
    data = bytes(i % 7 for i in range(size))
    kwargs = {"pad_length": pad, "flags": ["PADDED"]} if pad is not None else {}
    sent = DataFrame(stream_id, data, **kwargs)
    events = engine.receive_data(sent.serialize())
    if data:
        (event,) = events
        assert (event.data, event.flow_controlled_length) == (data, sent.flow_controlled_length)
    else:
        # Nothing for the application: handed back at once.
        assert events == []


@pytest.mark.parametrize(
    ("pad", "priority"),
    list(itertools.product([None, 0, 7], [False, True])),
)
def test_headers_frames_from_hyperframe(pad, priority):
    engine = new_engine()
    stream_id = open_stream(engine)
    flags = ["END_HEADERS"]
    kwargs = {}
    if pad is not None:
        flags.append("PADDED")
        kwargs["pad_length"] = pad
    if priority:
        flags.append("PRIORITY")
        kwargs.update(depends_on=0, stream_weight=200, exclusive=True)
    sent = HeadersFrame(stream_id, b"\x88\x0f\x10\x03abc", flags=flags, **kwargs)
    (event,) = engine.receive_data(sent.serialize())
    assert (event.status_code, event.headers) == (200, [(b"content-type", b"abc")])


# Header rules ------------------------------------------------------------------------------


def test_a_valid_response_block():
    block = [
        (b":status", b"404"),
        (b"content-length", b"12"),
        (b"x-empty", b""),
        (b"x-inner", b"a \t b"),
        (b"content-length", b"12"),
        (b"te", b"trailers"),
    ]
    for _ in range(2):
        # Twice: the second time most fields are known valid already.
        assert response_fields(block) == (404, block[1:], 12)


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ([(b":status", b"200"), (b"X-Upper", b"1")], "header name"),
        ([(b":status", b"200"), (b"", b"1")], "header name"),
        ([(b":status", b"200"), (b"a b", b"1")], "header name"),
        ([(b":status", b"200"), (b"a:b", b"1")], "header name"),
        ([(b":status", b"200"), (b"caf\xc3\xa9", b"1")], "header name"),
        ([(b":status", b"200"), (b"connection", b"close")], "connection-specific"),
        ([(b":status", b"200"), (b"transfer-encoding", b"chunked")], "connection-specific"),
        ([(b":status", b"200"), (b"te", b"gzip")], "TE"),
        ([(b":status", b"200"), (b"x", b"a\r\nb")], "invalid value"),
        ([(b":status", b"200"), (b"x", b"a\x00b")], "invalid value"),
        ([(b":status", b"200"), (b"x", b" a")], "invalid value"),
        ([(b":status", b"200"), (b"x", b"a\t")], "invalid value"),
        ([(b"x", b"1"), (b":status", b"200")], "pseudo-header"),
        ([(b":status", b"200"), (b":status", b"200")], "pseudo-header"),
        ([(b":status", b"200"), (b":path", b"/")], "pseudo-header"),
        ([(b"x", b"1")], "without :status"),
        ([(b":status", b"20")], "invalid :status"),
        ([(b":status", b"2x0")], "invalid :status"),
        ([(b":status", b"200"), (b"content-length", b"1, 1")], "content-length"),
        ([(b":status", b"200"), (b"content-length", b"9" * 20)], "content-length"),
        (
            [(b":status", b"200"), (b"content-length", b"1"), (b"content-length", b"2")],
            "conflicting",
        ),
    ],
)
def test_malformed_response_blocks(block, match):
    with pytest.raises(httpcore.RemoteProtocolError, match=match):
        response_fields(block)


def test_trailer_blocks():
    assert trailer_fields([(b"x-checksum", b"abc")]) == [(b"x-checksum", b"abc")]
    with pytest.raises(httpcore.RemoteProtocolError, match="pseudo-header"):
        trailer_fields([(b":status", b"200")])
    with pytest.raises(httpcore.RemoteProtocolError, match="invalid value"):
        trailer_fields([(b"x", b"bad\n")])


def test_the_cache_of_valid_fields_is_bounded():
    from httpcore import _h2headers

    for n in range(_h2headers._VALID_MAX + 10):
        response_fields([(b":status", b"200"), (b"x-n", b"%d" % n)])
    assert len(_h2headers._VALID) <= _h2headers._VALID_MAX
    assert (b"x-n", b"%d" % (_h2headers._VALID_MAX + 9)) in _h2headers._VALID
    # Long values are checked every time, never kept.
    response_fields([(b":status", b"200"), (b"x-long", b"v" * 1000)])
    assert (b"x-long", b"v" * 1000) not in _h2headers._VALID
