"""Proxy settings and the pure parts of talking to an HTTP proxy: no I/O here.

`Proxy` parses and validates a proxy URL once, at configuration time. The helpers build
what goes to an HTTP proxy: a forward-mode request (absolute-form target, RFC 9112
section 3.2.2) and a CONNECT request (authority-form target, RFC 9112 section 3.2.3).
"""

from __future__ import annotations

import base64

from ._config import SSLConfig
from ._exceptions import (
    InvalidURL,
    LocalProtocolError,
    ProxyError,
    RequestTypeError,
    UnsupportedScheme,
)
from ._h1 import Head, request_head
from ._models import URL, Origin, Request, _encode_headers
from ._types import HeaderTypes

# RFC 1928 names no default port for SOCKS; 1080 is the IANA registration. HTTP proxies
# default to the scheme's port, as their URLs are plain http(s) URLs.
_DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}
# RFC 1929 section 2: one octet carries each length.
_MAX_SOCKS_CREDENTIAL = 255


class Proxy:
    """A proxy that a pool sends every request through.

    Arguments:

    * `url`: `http://` or `https://` (an HTTP proxy, reached over TLS for `https://`),
      `socks5://` (SOCKS5, host names resolved here) or `socks5h://` (SOCKS5, host names
      resolved by the proxy). Credentials may be given in it: `http://user:pass@host:3128`.
    * `auth`: `(username, password)`, overriding credentials in the URL. For HTTP proxies
      they are sent as Basic credentials in `Proxy-Authorization`; for SOCKS5 with the
      username/password method of RFC 1929.
    * `headers`: extra headers sent to an HTTP proxy (on forwarded requests and on CONNECT),
      never to an origin.
    * `ssl`: the `SSLConfig` for the TLS connection to an `https://` proxy; the pool's
      own `ssl` (used for the origins) when not given.

    Invalid settings raise at once: `UnsupportedScheme` for another scheme, `InvalidURL`
    for a malformed URL, `LocalProtocolError` for credentials the protocol cannot carry.

    ```python
    proxy = httpcore.Proxy("http://proxy.example:3128", auth=("user", "secret"))
    pool = httpcore.ConnectionPool(proxy=proxy)
    ```
    """

    __slots__ = ("auth", "headers", "host", "port", "scheme", "ssl", "url")

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        headers: HeaderTypes = None,
        ssl: SSLConfig | None = None,
    ) -> None:
        if not isinstance(url, str):
            raise RequestTypeError(f"the proxy URL must be a str, not {type(url).__name__}")
        scheme, sep, rest = url.partition("://")
        scheme = scheme.lower()
        if not sep:
            raise InvalidURL(f"proxy URL {url!r} has no scheme, such as 'http://'")
        if scheme not in _DEFAULT_PORTS:
            raise UnsupportedScheme(
                f"proxy URL {url!r} has the unsupported scheme {scheme!r}: "
                "use http, https, socks5 or socks5h"
            )
        try:
            parsed = URL("http://" + rest)
        except InvalidURL as exc:
            raise InvalidURL(f"invalid proxy URL {url!r}: {exc}") from None
        self.scheme = scheme
        self.host = parsed.host
        explicit = parsed.explicit_port
        self.port = _DEFAULT_PORTS[scheme] if explicit is None else explicit
        if auth is None and (parsed.username or parsed.password):
            auth = (parsed.username, parsed.password)
        self.auth = _check_auth(auth, socks=self.is_socks)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{scheme}://{host}:{self.port}"
        self.headers, _ = _encode_headers(headers)
        if ssl is not None and not isinstance(ssl, SSLConfig):
            raise RequestTypeError(f"ssl must be an SSLConfig, not {type(ssl).__name__}")
        self.ssl = ssl

    @property
    def is_socks(self) -> bool:
        return self.scheme.startswith("socks")

    @property
    def is_secure(self) -> bool:
        """Whether the connection to the proxy itself uses TLS."""
        return self.scheme == "https"

    @property
    def remote_dns(self) -> bool:
        """Whether the proxy resolves host names (HTTP proxies and `socks5h://`)."""
        return self.scheme != "socks5"

    @property
    def forward_key(self) -> Origin:
        """The pool key of forward-mode connections (to an HTTP proxy, for http origins).

        Its scheme is "http" whatever the proxy's: tunnels are keyed by their origin, and
        only https origins are tunnelled through an HTTP proxy, so no key is shared.
        """
        return Origin("http", self.host, self.port)

    def _key(self) -> tuple[object, ...]:
        return (self.url, self.auth, tuple(self.headers), self.ssl)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Proxy) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        user = "" if self.auth is None else f", auth=({self.auth[0]!r}, '[secure]')"
        return f"Proxy({self.url!r}{user})"

    def authorization(self) -> list[tuple[bytes, bytes]]:
        """The headers an HTTP proxy gets: credentials (unless given as a header), extras."""
        given = {name.lower() for name, _ in self.headers}
        if self.auth is None or b"proxy-authorization" in given:
            return self.headers
        username, password = self.auth
        token = base64.b64encode(f"{username}:{password}".encode())
        return [(b"Proxy-Authorization", b"Basic " + token), *self.headers]


def _check_auth(auth: object, *, socks: bool) -> tuple[str, str] | None:
    if auth is None:
        return None
    if not (isinstance(auth, tuple) and len(auth) == 2 and all(isinstance(a, str) for a in auth)):
        raise RequestTypeError("proxy auth must be a (username, password) tuple of str")
    username, password = auth
    if socks:
        for what, value in (("username", username), ("password", password)):
            if len(value.encode()) > _MAX_SOCKS_CREDENTIAL:
                raise LocalProtocolError(
                    f"the SOCKS5 {what} is longer than 255 bytes (RFC 1929 section 2)"
                )
    elif ":" in username:
        raise LocalProtocolError("a Basic username cannot contain ':' (RFC 7617 section 2)")
    return username, password


def forward_request(request: Request, proxy: Proxy) -> Request:
    """The request as an HTTP proxy gets it in forward mode.

    RFC 9112 section 3.2.2: the target is the absolute URI (without credentials or
    fragment); the proxy's credentials and headers follow the request's own headers.
    """
    url = request.url
    forwarded = object.__new__(Request)
    for name in Request.__slots__:
        setattr(forwarded, name, getattr(request, name))
    absolute = URL.__new__(URL)
    target = f"{url.scheme}://".encode() + url.host_header + url.target
    absolute._parts = url._parts._replace(target=target)
    forwarded.url = absolute
    extra = proxy.authorization()
    if extra:
        forwarded.headers = [*request.headers, *extra]
    return forwarded


def authority(origin: Origin) -> bytes:
    """The authority-form target of a CONNECT request (RFC 9112 section 3.2.3)."""
    host = f"[{origin.host}]" if ":" in origin.host else origin.host
    return f"{host}:{origin.port}".encode("ascii")


def connect_head(origin: Origin, proxy: Proxy) -> bytes:
    """The CONNECT request that opens a tunnel to `origin` (RFC 9110 section 9.3.6)."""
    target = authority(origin)
    return request_head(b"CONNECT", target, [(b"Host", target), *proxy.authorization()])


def check_connect_response(head: Head, origin: Origin, proxy: Proxy) -> None:
    """Raise `ProxyError` unless the proxy accepted the CONNECT (any 2xx, RFC 9110 9.3.6)."""
    if 200 <= head.status_code < 300:
        return
    reason = head.reason.decode("latin-1")
    raise ProxyError(
        f"the proxy {proxy.url} refused to open a tunnel to {authority(origin).decode()}: "
        f"{head.status_code} {reason}".rstrip(),
        status_code=head.status_code,
        reason=reason,
    )
