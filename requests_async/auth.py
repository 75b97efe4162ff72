"""Authentication as requests spells it, with each scheme's exchange written as a generator.

`AuthBase.auth_flow(request)` yields the requests to send and receives each response in turn;
the session drives the same flow in both flavors, so no scheme does any I/O itself:

    flow = auth.auth_flow(prepared)
    request = next(flow)
    while True:
        response = send(request)          # body read before the flow sees it
        try:
            request = flow.send(response)
        except StopIteration:
            break                         # `response` is the answer
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import warnings
from base64 import b64encode
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .models import PreparedRequest, ResponseMixin

__all__ = ["AuthBase", "HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth"]

AuthFlow = Generator["PreparedRequest", "ResponseMixin", None]


def _basic_auth_str(username: str | bytes, password: str | bytes) -> str:
    """The `Authorization` value for Basic auth (RFC 7617), as requests builds it.

    `str` credentials are encoded as latin-1 (requests' choice; a character outside latin-1
    raises `UnicodeEncodeError`), `bytes` are used as given. Other types are converted with
    `str()` under a `DeprecationWarning`, as requests does.

    Example: `_basic_auth_str("user", "pass") == "Basic dXNlcjpwYXNz"`
    """
    credentials = []
    for kind, value in (("usernames", username), ("passwords", password)):
        if not isinstance(value, (str, bytes)):
            shown = repr(value) if kind == "usernames" else repr(type(value))
            warnings.warn(
                f"Non-string {kind} will no longer be supported in Requests 3.0.0. Please "
                f"convert the object you've passed in ({shown}) to a string or bytes object "
                "in the near future to avoid problems.",
                DeprecationWarning,
                stacklevel=3,
            )
            value = str(value)
        credentials.append(value.encode("latin-1") if isinstance(value, str) else value)
    return "Basic " + b64encode(b":".join(credentials)).decode("ascii")


class AuthBase:
    """Base class of every auth scheme: `__call__` edits a request, `auth_flow` drives an exchange.

    Subclasses that only add headers override `__call__`; schemes that answer a challenge
    override `auth_flow`.

    Example:

        class TokenAuth(AuthBase):
            def __call__(self, r):
                r.headers["Authorization"] = "Bearer 123"
                return r
    """

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        raise NotImplementedError("Auth hooks must be callable.")

    def auth_flow(self, request: PreparedRequest) -> AuthFlow:
        """Yield the requests to send; the default sends `self(request)` once."""
        yield self(request)


class HTTPBasicAuth(AuthBase):
    """HTTP Basic authentication (RFC 7617) on every request.

    Arguments: `username`, `password` (`str`, encoded as latin-1, or `bytes`).

    Example: `await session.get(url, auth=HTTPBasicAuth("user", "pass"))`
    """

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self.username = username
        self.password = password

    def __eq__(self, other: object) -> bool:
        return self.username == getattr(other, "username", None) and self.password == getattr(
            other, "password", None
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Authorization"] = _basic_auth_str(self.username, self.password)
        return r


class HTTPProxyAuth(HTTPBasicAuth):
    """Basic credentials for the proxy, sent as `Proxy-Authorization` (RFC 9110 §11.7.2).

    Example: `await session.get(url, auth=HTTPProxyAuth("user", "pass"))`
    """

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Proxy-Authorization"] = _basic_auth_str(self.username, self.password)
        return r


# RFC 7235 §2.1: a challenge is a scheme followed by a token68 or by comma-separated auth-params.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'[\s,]*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(?:,|\Z)')
_SCHEME = re.compile(rf"[\s,]*({_TOKEN})(?:\s+|\s*(?:,|\Z))")
_TOKEN68 = re.compile(r"[\s,]*[A-Za-z0-9\-._~+/]+=*\s*(?:,|\Z)")
_QUOTED_PAIR = re.compile(r"\\(.)")


def _parse_challenges(header: str) -> list[tuple[str, dict[str, str]]]:
    """Split a `WWW-Authenticate` value into `(scheme, params)` pairs; stop at malformed input."""
    challenges: list[tuple[str, dict[str, str]]] = []
    pos, end = 0, len(header.rstrip())
    while pos < end:
        if param := _PARAM.match(header, pos):
            name, value = param.groups()
            if value.startswith('"'):
                value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
            if challenges:
                challenges[-1][1][name.lower()] = value
            pos = param.end()
        elif scheme := _SCHEME.match(header, pos):
            challenges.append((scheme.group(1), {}))
            pos = scheme.end()
        elif token68 := _TOKEN68.match(header, pos):
            pos = token68.end()
        else:
            break
    return challenges


def _digest_challenge(header: str) -> dict[str, str] | None:
    for scheme, params in _parse_challenges(header):
        if scheme.lower() == "digest":
            return params
    return None


# RFC 7616 §6.1 registers MD5, SHA-256 and SHA-512-256; requests also answers SHA and SHA-512.
_HASHLIB_NAMES = {
    "MD5": "md5",
    "SHA": "sha1",
    "SHA-256": "sha256",
    "SHA-512": "sha512",
    "SHA-512-256": "sha512_256",
}


def _hasher(algorithm: str) -> Callable[[str | bytes], str] | None:
    name = _HASHLIB_NAMES.get(algorithm)
    if name is None or name not in hashlib.algorithms_available:
        return None

    def digest(data: str | bytes) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return hashlib.new(name, raw, usedforsecurity=False).hexdigest()

    return digest


def _cnonce() -> str:
    return secrets.token_hex(8)


def _quote(value: str) -> str:
    # RFC 9110 §5.6.4: a quoted-string escapes its quotes and backslashes.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def _as_text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _request_uri(url: str) -> str:
    parts = urlsplit(url)
    # RFC 7616 §3.4: digest-uri is the request-target, which is never empty.
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class HTTPDigestAuth(AuthBase):
    """HTTP Digest authentication (RFC 7616, and RFC 2069 servers that send no `qop`).

    Answers a `401` Digest challenge once, replaying the request (the session rewinds a file
    body); a `401` to those credentials ends the exchange unless it says `stale=true` (RFC 7616
    §3.3), which earns one more try with the new nonce. Algorithms: MD5, SHA, SHA-256, SHA-512,
    SHA-512-256, each also as `-sess`; `qop=auth` (an `auth-int`-only challenge is not answered).
    The last challenge is kept and answered up front on later requests, counting `nc` per nonce.
    That state is shared by every thread and task using this object, guarded by a lock, so each
    `nc` is sent once per nonce.

    Arguments: `username`, `password` (`str`, hashed as UTF-8, or `bytes`).

    Example: `await session.get(url, auth=HTTPDigestAuth("user", "pass"))`
    """

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self.username = username
        self.password = password
        self.last_nonce = ""
        self.nonce_count = 0
        self.chal: dict[str, str] = {}
        self._lock = threading.Lock()

    def __eq__(self, other: object) -> bool:
        return self.username == getattr(other, "username", None) and self.password == getattr(
            other, "password", None
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    def _count(self, nonce: str) -> int:
        with self._lock:
            self.nonce_count = self.nonce_count + 1 if nonce == self.last_nonce else 1
            self.last_nonce = nonce
            return self.nonce_count

    def _header(self, chal: dict[str, str], method: str, url: str) -> str | None:
        """The `Authorization` value answering `chal`, or `None` when it cannot be answered."""
        realm, nonce = chal.get("realm"), chal.get("nonce")
        algorithm = chal.get("algorithm")
        name = (algorithm or "MD5").upper()
        digest = _hasher(name.removesuffix("-SESS"))
        qops = [q.strip().lower() for q in chal.get("qop", "").split(",") if q.strip()]
        if realm is None or nonce is None or digest is None or (qops and "auth" not in qops):
            return None
        uri = _request_uri(url)
        user = _as_bytes(self.username)
        ha1 = digest(b":".join((user, realm.encode("utf-8"), _as_bytes(self.password))))
        ha2 = digest(f"{method}:{uri}")
        nc = f"{self._count(nonce):08x}"
        cnonce = _cnonce()
        if name.endswith("-SESS"):
            ha1 = digest(f"{ha1}:{nonce}:{cnonce}")
        if qops:
            response = digest(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        else:
            response = digest(f"{ha1}:{nonce}:{ha2}")
        fields = [
            f"username={_quote(_as_text(self.username))}",
            f"realm={_quote(realm)}",
            f"nonce={_quote(nonce)}",
            f"uri={_quote(uri)}",
            f'response="{response}"',
        ]
        if opaque := chal.get("opaque"):
            fields.append(f"opaque={_quote(opaque)}")
        if algorithm:
            fields.append(f"algorithm={_quote(algorithm)}")
        if qops:
            fields.append(f'qop="auth", nc={nc}, cnonce="{cnonce}"')
        return "Digest " + ", ".join(fields)

    def build_digest_header(self, method: str, url: str) -> str | None:
        """The `Authorization` value for `method url` under the last challenge seen, if any."""
        with self._lock:
            chal = self.chal
        return self._header(chal, method, url)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        header = self.build_digest_header(r.method or "", r.url or "")
        if header is not None:
            r.headers["Authorization"] = header
        return r

    def auth_flow(self, request: PreparedRequest) -> AuthFlow:
        """Send `request` (with credentials up front if a challenge is known), answer a 401.

        A request that already carries `Authorization` (set by `__call__` when it was
        prepared) is sent as it is, so the nonce count is not spent twice.
        """
        if "Authorization" not in request.headers:
            self(request)
        response = yield request
        answered = stale_retried = False
        while response.status_code == 401:
            chal = _digest_challenge(response.headers.get("WWW-Authenticate", ""))
            if chal is None:
                return
            if answered:
                if stale_retried or chal.get("stale", "").lower() != "true":
                    return
                stale_retried = True
            answered = True
            with self._lock:
                self.chal = chal
            header = self._header(chal, request.method or "", request.url or "")
            if header is None:
                return
            request = request.copy()
            request.headers["Authorization"] = header
            response = yield request
