"""The client side of a SOCKS5 handshake (RFC 1928, RFC 1929 for passwords), without I/O.

With the proxy's replies scripted:

```python
handshake = Socks5Handshake("example.com", 443, auth=("user", "secret"))
assert handshake.greeting() == bytes([5, 2, 0, 2])  # methods: none, username/password
login = handshake.feed(bytes([5, 2]))  # the proxy picks username/password
assert login == bytes([1, 4]) + b"user" + bytes([6]) + b"secret"
connect = handshake.feed(bytes([1, 0]))  # credentials accepted
assert connect == bytes([5, 1, 0, 3, 11]) + b"example.com" + bytes([1, 187])
handshake.feed(bytes([5, 0, 0, 1, 127, 0, 0, 1, 0, 80]))  # connected
assert handshake.is_complete
```
"""

from __future__ import annotations

import ipaddress
from typing import Final

from ._exceptions import ProxyError

_VERSION: Final = 5
_AUTH_VERSION: Final = 1  # RFC 1929 section 2
_NO_AUTH: Final = 0
_PASSWORD: Final = 2
_NO_ACCEPTABLE: Final = 0xFF
_CONNECT: Final = 1
_IPV4, _DOMAIN, _IPV6 = 1, 3, 4
_ADDRESS_LENGTHS: Final = {_IPV4: 4, _IPV6: 16}
# RFC 1928 section 6.
_REPLIES: Final = {
    1: "general SOCKS server failure",
    2: "connection not allowed by ruleset",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}


def encode_address(host: str) -> bytes:
    """ATYP and DST.ADDR for `host`: an IP address as such, any other name as a domain."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode("ascii")
        if not 0 < len(name) < 256:
            raise ProxyError(f"the host name {host!r} is too long for SOCKS5") from None
        return bytes((_DOMAIN, len(name))) + name
    return bytes((_IPV4 if address.version == 4 else _IPV6,)) + address.packed


class Socks5Handshake:
    """Negotiates a method, authenticates if asked, and requests a CONNECT.

    Arguments: `host` (an IP address, or a name the proxy resolves), `port`, and `auth`
    (`(username, password)`, offered with the username/password method besides "none").
    Call `greeting()` once, send it, then `feed()` each piece received and send what it
    returns, until `is_complete`. Refusals and malformed replies raise `ProxyError`.
    """

    __slots__ = ("_address", "_auth", "_buffer", "_state", "is_complete")

    def __init__(self, host: str, port: int, *, auth: tuple[str, str] | None = None) -> None:
        self._address = encode_address(host) + port.to_bytes(2, "big")
        self._auth = auth
        self._buffer = b""
        self._state = "method"
        self.is_complete = False

    def greeting(self) -> bytes:
        """The version identifier/method selection message (RFC 1928 section 3)."""
        methods = (_NO_AUTH,) if self._auth is None else (_NO_AUTH, _PASSWORD)
        return bytes((_VERSION, len(methods), *methods))

    def feed(self, data: bytes) -> bytes:
        """Take received bytes; return the bytes to send next (possibly none)."""
        if self.is_complete:
            raise ProxyError("the SOCKS5 proxy sent data before the tunnel was used")
        self._buffer += data
        out = b""
        while not self.is_complete:
            step = self._step()
            if step is None:
                break
            out += step
        if self.is_complete and self._buffer:
            raise ProxyError("the SOCKS5 proxy sent unexpected bytes after its reply")
        return out

    def _take(self, size: int) -> bytes | None:
        if len(self._buffer) < size:
            return None
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken

    def _step(self) -> bytes | None:
        if self._state == "method":
            return self._on_method()
        if self._state == "auth":
            return self._on_auth()
        return self._on_reply()

    def _on_method(self) -> bytes | None:
        message = self._take(2)
        if message is None:
            return None
        _check_version(message[0], _VERSION)
        method = message[1]
        if method == _NO_AUTH:
            return self._request()
        if method == _PASSWORD and self._auth is not None:
            self._state = "auth"
            username, password = (part.encode() for part in self._auth)
            return (
                bytes((_AUTH_VERSION, len(username)))
                + username
                + bytes((len(password),))
                + password
            )
        if method == _NO_ACCEPTABLE:
            wanted = "credentials" if self._auth is None else "other credentials"
            raise ProxyError(f"the SOCKS5 proxy accepts none of our methods: it needs {wanted}")
        raise ProxyError(f"the SOCKS5 proxy chose a method we did not offer ({method})")

    def _on_auth(self) -> bytes | None:
        message = self._take(2)
        if message is None:
            return None
        _check_version(message[0], _AUTH_VERSION)
        if message[1] != 0:
            raise ProxyError("the SOCKS5 proxy rejected the username and password")
        return self._request()

    def _request(self) -> bytes:
        self._state = "reply"
        return bytes((_VERSION, _CONNECT, 0)) + self._address

    def _on_reply(self) -> bytes | None:
        head = self._buffer[:5]
        if len(head) < 2:
            return None
        _check_version(head[0], _VERSION)
        # A refusal is reported at once: some servers close without the address fields.
        if head[1] != 0:
            reason = _REPLIES.get(head[1], f"unknown reply code {head[1]}")
            raise ProxyError(f"the SOCKS5 proxy could not connect: {reason}")
        if len(head) < 5:
            return None
        kind = head[3]
        if kind == _DOMAIN:
            size = 5 + head[4] + 2
        elif kind in _ADDRESS_LENGTHS:
            size = 4 + _ADDRESS_LENGTHS[kind] + 2
        else:
            raise ProxyError(f"the SOCKS5 proxy replied with an unknown address type {kind}")
        if self._take(size) is None:
            return None
        self.is_complete = True
        return b""


def _check_version(version: int, expected: int) -> None:
    if version != expected:
        raise ProxyError(
            f"the proxy does not speak SOCKS5: version {version} in its reply, not {expected}"
        )
