"""The SOCKS5 handshake without I/O (RFC 1928, RFC 1929)."""

from __future__ import annotations

import pytest

from httpcore import ProxyError
from httpcore._socks5 import Socks5Handshake, encode_address

SUCCESS_IPV4 = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90"


def test_no_authentication_ipv4_target():
    handshake = Socks5Handshake("127.0.0.1", 8080)
    assert handshake.greeting() == b"\x05\x01\x00"
    assert handshake.feed(b"\x05") == b""
    assert handshake.feed(b"\x00") == b"\x05\x01\x00\x01\x7f\x00\x00\x01\x1f\x90"
    assert handshake.feed(SUCCESS_IPV4[:3]) == b""
    assert handshake.feed(SUCCESS_IPV4[3:7]) == b""
    assert not handshake.is_complete
    assert handshake.feed(SUCCESS_IPV4[7:]) == b""
    assert handshake.is_complete


def test_password_authentication_and_domain_reply():
    handshake = Socks5Handshake("example.com", 443, auth=("user", "pässword"))
    assert handshake.greeting() == b"\x05\x02\x00\x02"
    sent = handshake.feed(b"\x05\x02")
    assert sent == b"\x01\x04user\x09p\xc3\xa4ssword"
    request = handshake.feed(b"\x01\x00")
    assert request == b"\x05\x01\x00\x03\x0bexample.com\x01\xbb"
    handshake.feed(b"\x05\x00\x00\x03\x04host\x00\x50")
    assert handshake.is_complete


def test_ipv6_target_and_reply_in_one_piece():
    handshake = Socks5Handshake("::1", 80)
    request = handshake.feed(b"\x05\x00")
    assert request == b"\x05\x01\x00\x04" + b"\x00" * 15 + b"\x01\x00\x50"
    handshake.feed(b"\x05\x00\x00\x04" + b"\x00" * 18)
    assert handshake.is_complete


@pytest.mark.parametrize(
    ("auth", "replies", "match"),
    [
        (None, [b"\x04\x00"], "does not speak SOCKS5"),
        (None, [b"\x05\xff"], "needs credentials"),
        (("u", "p"), [b"\x05\xff"], "other credentials"),
        (None, [b"\x05\x02"], "did not offer"),
        (("u", "p"), [b"\x05\x02", b"\x02\x00"], "version 2"),
        (("u", "p"), [b"\x05\x02", b"\x01\x01"], "rejected the username"),
        (None, [b"\x05\x00", b"\x05\x02"], "not allowed by ruleset"),
        (None, [b"\x05\x00", b"\x05\x09\x00\x01\x00"], "unknown reply code 9"),
        (None, [b"\x05\x00", b"\x05\x00\x00\x07\x00"], "unknown address type 7"),
        (None, [b"\x05\x00", SUCCESS_IPV4 + b"x"], "unexpected bytes"),
        (None, [b"\x05\x00", SUCCESS_IPV4, b"x"], "before the tunnel was used"),
    ],
)
def test_errors(auth, replies, match):
    handshake = Socks5Handshake("127.0.0.1", 8080, auth=auth)
    with pytest.raises(ProxyError, match=match):
        for reply in replies:
            handshake.feed(reply)


def test_host_name_too_long():
    with pytest.raises(ProxyError, match="too long"):
        encode_address("a" * 256)
