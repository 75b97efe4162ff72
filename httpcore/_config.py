"""Configuration objects: TLS, timeouts and limits. Pure values, no I/O at creation."""

from __future__ import annotations

import functools
import os
import ssl
import time
from typing import Union

from ._exceptions import LimitExceeded, Timeout, TLSConfigError, TotalTimeout

CertTypes = Union[str, "os.PathLike[str]", tuple[str, str], tuple[str, str, str]]
VerifyTypes = Union[bool, str, "os.PathLike[str]"]


class SSLConfig:
    """TLS settings for https connections.

    Arguments:

    * `verify`: `True` (the default) verifies servers against certifi's CA bundle;
      a path to a CA bundle file or to a directory of hashed certificates uses those
      instead; `False` disables verification (and hostname checking).
    * `cert`: a client certificate: a path to a PEM file holding the certificate and
      its key, or `(certfile, keyfile)`, or `(certfile, keyfile, password)`.

    ```python
    pool = httpcore.ConnectionPool(ssl=httpcore.SSLConfig(verify="/etc/ssl/my-ca.pem"))
    ```

    Contexts are built lazily and cached per process for each distinct setting,
    so creating pools is cheap.
    """

    __slots__ = ("cert", "verify")

    def __init__(self, *, cert: CertTypes | None = None, verify: VerifyTypes = True):
        if not isinstance(verify, (bool, str, os.PathLike)):
            raise TypeError(f"verify must be a bool or a path, not {type(verify).__name__}")
        if cert is not None and not (
            isinstance(cert, (str, os.PathLike))
            or (isinstance(cert, tuple) and len(cert) in (2, 3))
        ):
            raise TypeError(f"cert must be a path or a 2- or 3-tuple, not {cert!r}")
        self.cert: CertTypes | None = _freeze(cert)  # type: ignore[assignment]
        self.verify: VerifyTypes = _freeze(verify)  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SSLConfig) and self.cert == other.cert and self.verify == other.verify
        )

    def __hash__(self) -> int:
        return hash((_freeze(self.cert), _freeze(self.verify)))

    def __repr__(self) -> str:
        return f"SSLConfig(cert={self.cert!r}, verify={self.verify!r})"

    def load_ssl_context(self, *, http2: bool = False) -> ssl.SSLContext:
        """Return the (cached, shared) `ssl.SSLContext` for these settings."""
        return _ssl_context(_freeze(self.verify), _freeze(self.cert), http2)


def _freeze(value: object) -> object:
    """Paths as str, so that equal settings compare (and cache) equal."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _no_password() -> str:
    # Without a callback OpenSSL would prompt on the terminal for an encrypted key.
    raise ValueError("the client key is encrypted: give its password as cert=(cert, key, password)")


@functools.lru_cache(maxsize=32)
def _ssl_context(verify: object, cert: object, http2: bool) -> ssl.SSLContext:
    try:
        return _build_ssl_context(verify, cert, http2)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise TLSConfigError(f"cannot load the TLS configuration: {exc}") from exc


def _build_ssl_context(verify: object, cert: object, http2: bool) -> ssl.SSLContext:
    # PROTOCOL_TLS_CLIENT verifies certificates and hostnames by default and, unlike
    # create_default_context(), trusts no system CAs: only the bundle chosen below.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        if verify is True:
            import certifi  # imported here: loading the bundle is only needed for TLS

            context.load_verify_locations(cafile=certifi.where())
        else:
            assert isinstance(verify, str)
            if os.path.isdir(verify):
                context.load_verify_locations(capath=verify)
            elif os.path.isfile(verify):
                context.load_verify_locations(cafile=verify)
            else:
                raise FileNotFoundError(f"CA bundle or directory not found: {verify!r}")
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert is not None:
        if isinstance(cert, str):
            context.load_cert_chain(cert, password=_no_password)
        elif isinstance(cert, tuple) and len(cert) == 2:
            context.load_cert_chain(cert[0], cert[1], password=_no_password)
        else:
            assert isinstance(cert, tuple)
            context.load_cert_chain(cert[0], cert[1], cert[2])
    context.set_alpn_protocols(["h2", "http/1.1"] if http2 else ["http/1.1"])
    # RFC 9113 section 9.2: TLS compression must be off for HTTP/2 (and is never wanted).
    context.options |= ssl.OP_NO_COMPRESSION
    return context


class _Default:
    """The type of DEFAULT: an argument that was not given (None means "no limit")."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = _Default()


class TimeoutConfig:
    """Timeouts in seconds; `None` means wait forever.

    `TimeoutConfig(5.0)` sets all four; the keyword arguments override one each, and
    `None` there means no limit for that one (`TimeoutConfig(5.0, read_timeout=None)`).

    * `connect_timeout`: TCP connect and TLS handshake.
    * `read_timeout`: the longest wait for any data from the server.
    * `write_timeout`: the longest wait to send a piece of data.
    * `pool_timeout`: the longest wait for a free connection in the pool.
    * `total_timeout`: a deadline for the whole request, from the call to the end of its
      body (pool wait, connect, TLS, upload, response head and body, streamed or not). Not
      set by the first argument: `None` unless given.

    ```python
    pool = httpcore.ConnectionPool(timeout=httpcore.TimeoutConfig(10, pool_timeout=1))
    ```
    """

    __slots__ = (
        "connect_timeout",
        "deadline",
        "pool_timeout",
        "read_timeout",
        "total_timeout",
        "write_timeout",
    )

    def __init__(
        self,
        timeout: float | TimeoutConfig | None = None,
        *,
        connect_timeout: float | _Default | None = DEFAULT,
        read_timeout: float | _Default | None = DEFAULT,
        write_timeout: float | _Default | None = DEFAULT,
        pool_timeout: float | _Default | None = DEFAULT,
        total_timeout: float | _Default | None = DEFAULT,
    ):
        if isinstance(timeout, TimeoutConfig):
            base: tuple[float | None, ...] = (*timeout.as_tuple(), timeout.total_timeout)
        else:
            base = (timeout, timeout, timeout, timeout, None)
        given = (connect_timeout, read_timeout, write_timeout, pool_timeout, total_timeout)
        values = [b if isinstance(g, _Default) else g for g, b in zip(given, base, strict=True)]
        for name, value in zip(_TIMEOUT_FIELDS, values, strict=True):
            _check_seconds(name, value)
        self.connect_timeout, self.read_timeout, self.write_timeout, self.pool_timeout = values[:4]
        self.total_timeout: float | None = values[4]
        # Set on the copy that start() makes for one request: time.monotonic() at its end.
        self.deadline: float | None = None

    def as_tuple(self) -> tuple[float | None, float | None, float | None, float | None]:
        """The four timeouts that bound each wait: (connect, read, write, pool)."""
        return (self.connect_timeout, self.read_timeout, self.write_timeout, self.pool_timeout)

    def start(self) -> TimeoutConfig:
        """These timeouts for a request starting now: a copy with `deadline` set when
        `total_timeout` is; without `total_timeout`, or when already started, this object."""
        if self.total_timeout is None or self.deadline is not None:
            return self
        started = TimeoutConfig(self)
        started.deadline = time.monotonic() + self.total_timeout
        return started

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TimeoutConfig)
            and self.as_tuple() == other.as_tuple()
            and self.total_timeout == other.total_timeout
        )

    def __hash__(self) -> int:
        return hash((*self.as_tuple(), self.total_timeout))

    def __repr__(self) -> str:
        c, r, w, p = self.as_tuple()
        total = "" if self.total_timeout is None else f", total_timeout={self.total_timeout!r}"
        if c == r == w == p:
            return f"TimeoutConfig(timeout={c!r}{total})"
        return (
            f"TimeoutConfig(connect_timeout={c!r}, read_timeout={r!r}, "
            f"write_timeout={w!r}, pool_timeout={p!r}{total})"
        )


_TIMEOUT_FIELDS = (
    "connect_timeout",
    "read_timeout",
    "write_timeout",
    "pool_timeout",
    "total_timeout",
)


def deadline_after(timeout: float | None) -> float | None:
    """The `time.monotonic()` value `timeout` seconds from now; None for no limit."""
    return None if timeout is None else time.monotonic() + timeout


def time_left(deadline: float | None) -> float | None:
    """Seconds left before `deadline`, never below 0; None for no deadline."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def capped(timeout: float | None, deadline: float | None) -> float | None:
    """`timeout`, shortened to the time left before `deadline` (a `time.monotonic()` value).

    Raises `TotalTimeout` when no time is left.

    ```python
    assert capped(5.0, None) == 5.0
    assert capped(None, time.monotonic() + 60) <= 60
    ```
    """
    left = time_left(deadline)
    if left is None:
        return timeout
    if left == 0:
        raise TotalTimeout(TOTAL_TIMEOUT_MESSAGE)
    return left if timeout is None or left < timeout else timeout


def past_deadline(error: Exception, deadline: float | None) -> Exception:
    """The error a request ends with: a timeout that came at `deadline` is a `TotalTimeout`
    (caused by it); anything else is `error` itself."""
    # Timers may fire a clock tick early.
    if isinstance(error, Timeout) and deadline is not None and time.monotonic() >= deadline - 0.001:
        total = TotalTimeout(TOTAL_TIMEOUT_MESSAGE)
        total.__cause__ = error
        return total
    return error


TOTAL_TIMEOUT_MESSAGE = "the request did not complete within its total_timeout"


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, not {value!r}")
    if value < 0 or value != value:
        raise ValueError(f"{name} must be >= 0, not {value!r}")


class PoolLimits:
    """How many connections a pool keeps and opens.

    * `soft_limit`: idle keep-alive connections kept open (more are closed on release).
    * `hard_limit`: connections open at once, over all origins; `None` for no limit.
      A request that finds the pool full waits up to `pool_timeout`, then raises `PoolTimeout`.
    * `keepalive_expiry`: seconds an idle connection is kept before it is closed.

    ```python
    pool = httpcore.ConnectionPool(limits=httpcore.PoolLimits(soft_limit=10, hard_limit=100))
    ```
    """

    __slots__ = ("hard_limit", "keepalive_expiry", "soft_limit")

    def __init__(
        self,
        *,
        soft_limit: int = 10,
        hard_limit: int | None = 100,
        keepalive_expiry: float | None = 5.0,
    ):
        if isinstance(soft_limit, bool) or not isinstance(soft_limit, int) or soft_limit < 0:
            raise ValueError(f"soft_limit must be an int >= 0, not {soft_limit!r}")
        if hard_limit is not None and (
            isinstance(hard_limit, bool) or not isinstance(hard_limit, int) or hard_limit < 1
        ):
            raise ValueError(f"hard_limit must be an int >= 1 or None, not {hard_limit!r}")
        _check_seconds("keepalive_expiry", keepalive_expiry)
        self.soft_limit = soft_limit
        self.hard_limit = hard_limit
        self.keepalive_expiry = keepalive_expiry

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PoolLimits) and (
            (self.soft_limit, self.hard_limit, self.keepalive_expiry)
            == (other.soft_limit, other.hard_limit, other.keepalive_expiry)
        )

    def __hash__(self) -> int:
        return hash((self.soft_limit, self.hard_limit, self.keepalive_expiry))

    def __repr__(self) -> str:
        return (
            f"PoolLimits(soft_limit={self.soft_limit!r}, hard_limit={self.hard_limit!r}, "
            f"keepalive_expiry={self.keepalive_expiry!r})"
        )


# ProtocolLimits.max_decompression_ratio: Apache POI's bound for zip entries is the same.
DEFAULT_DECOMPRESSION_RATIO = 100


class ProtocolLimits:
    """Bounds on what a server can make the client consume while reading a response.

    * `max_header_bytes`: the size of a response head (status line and headers).
    * `max_header_count`: the number of header fields in a response head.
    * `max_informational_responses`: the interim (1xx) responses skipped before the final one.
    * `max_body_bytes`: the decoded size of a body read whole (`stream=False`, `read()`); None
      (the default) for no bound. Streamed bodies are not bounded by it: they come in pieces
      of at most 64 KiB, however well they compress, and the reader decides when to stop.
    * `max_decompression_ratio`: once a compressed body has decoded to more than 8 MiB, it may
      not decode to more than this many times the bytes received for it (read whole or
      streamed); None for no bound. A decompression bomb stops there, at a size proportional
      to what the server sent.

    Exceeding a limit raises `LimitExceeded`, naming the limit.

    ```python
    limits = httpcore.ProtocolLimits(max_body_bytes=10_000_000)
    ```
    """

    __slots__ = (
        "max_body_bytes",
        "max_decompression_ratio",
        "max_header_bytes",
        "max_header_count",
        "max_informational_responses",
    )

    def __init__(
        self,
        *,
        max_header_bytes: int = 65536,
        max_header_count: int = 128,
        max_informational_responses: int = 32,
        max_body_bytes: int | None = None,
        max_decompression_ratio: int | None = DEFAULT_DECOMPRESSION_RATIO,
    ):
        ratio = max_decompression_ratio
        for name, value, minimum in (
            ("max_header_bytes", max_header_bytes, 1),
            ("max_header_count", max_header_count, 1),
            ("max_informational_responses", max_informational_responses, 0),
            ("max_body_bytes", 0 if max_body_bytes is None else max_body_bytes, 0),
            ("max_decompression_ratio", 1 if ratio is None else ratio, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an int >= {minimum}, not {value!r}")
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count
        self.max_informational_responses = max_informational_responses
        self.max_body_bytes = max_body_bytes
        self.max_decompression_ratio = max_decompression_ratio

    def too_many_informational(self) -> LimitExceeded:
        """The error for a server that sends more 1xx responses than allowed."""
        return LimitExceeded(
            f"more than {self.max_informational_responses} informational (1xx) responses "
            "(ProtocolLimits.max_informational_responses)"
        )

    def _key(self) -> tuple[int, int, int, int | None, int | None]:
        return (
            self.max_header_bytes,
            self.max_header_count,
            self.max_informational_responses,
            self.max_body_bytes,
            self.max_decompression_ratio,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProtocolLimits) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"ProtocolLimits(max_header_bytes={self.max_header_bytes!r}, "
            f"max_header_count={self.max_header_count!r}, "
            f"max_informational_responses={self.max_informational_responses!r}, "
            f"max_body_bytes={self.max_body_bytes!r}, "
            f"max_decompression_ratio={self.max_decompression_ratio!r})"
        )


DEFAULT_SSL_CONFIG = SSLConfig(cert=None, verify=True)
DEFAULT_TIMEOUT_CONFIG = TimeoutConfig(timeout=5.0)
DEFAULT_POOL_LIMITS = PoolLimits()
DEFAULT_PROTOCOL_LIMITS = ProtocolLimits()
