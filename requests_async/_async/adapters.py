"""Transport adapters, as in requests: HTTPAdapter sends PreparedRequests through httpcore."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpcore
from httpcore._config import capped

from ..auth import _basic_auth_str
from ..cookies import extract_cookies_to_jar
from ..exceptions import (
    ConnectionError,
    InvalidProxyURL,
    InvalidSchema,
    ProxyError,
    RetryError,
    Timeout,
    TotalTimeout,
    map_core_exceptions,
)
from ..models import BodyStream, PreparedRequest, header_bytes, rewind_body
from ..retries import Retry, RetryExhausted
from ..structures import CaseInsensitiveDict
from ..utils import (
    get_auth_from_url,
    get_encoding_from_headers,
    prepend_scheme_if_needed,
    select_proxy,
    urldefragauth,
)
from .response import RawStream, Response

if TYPE_CHECKING:
    from httpcore import TraceEvent
    from httpcore._backends.asyncio import AsyncBackend

logger = logging.getLogger("requests_async")

DEFAULT_POOLSIZE = 10
DEFAULT_RETRIES = 0
DEFAULT_POOLBLOCK = False
# File bodies are read and sent in pieces of this size.
_FILE_CHUNK = 64 * 1024

TimeoutTypes = (
    float | int | tuple[float | int | None, float | int | None] | httpcore.TimeoutConfig | None
)


class BaseAdapter:
    """The interface of a transport adapter mounted on a Session."""

    async def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutTypes = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class HTTPAdapter(BaseAdapter):
    """Sends requests over HTTP/1.1 or HTTP/2 (and TLS) with httpcore's connection pools.

    Arguments as in requests: `pool_connections` (origins whose connections are kept),
    `pool_maxsize` (connections kept per origin), `max_retries` (an int or a `Retry`) and
    `pool_block` (wait for a free connection instead of opening more than `pool_maxsize`;
    the bound covers all origins together, where urllib3 counts per origin). Ours:
    `http2=True` offers HTTP/2 to https servers (ALPN); `response.raw.http_version` tells
    which was used; `trace` is a trace hook for httpcore's pools (see the observability page);
    `protocol_limits`, an `httpcore.ProtocolLimits` bounding what servers can make a response
    consume (`max_body_bytes` bounds the bodies read whole, without `stream=True`).

    ```python
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))
    ```
    """

    __attrs__: ClassVar[list[str]] = [
        "max_retries",
        "config",
        "_pool_connections",
        "_pool_maxsize",
        "_pool_block",
        "_http2",
        "_http2_prior_knowledge",
        "_trace",
        "_protocol_limits",
    ]

    def __init__(
        self,
        pool_connections: int = DEFAULT_POOLSIZE,
        pool_maxsize: int = DEFAULT_POOLSIZE,
        max_retries: int | Retry | None = DEFAULT_RETRIES,
        pool_block: bool = DEFAULT_POOLBLOCK,
        *,
        http2: bool = False,
        http2_prior_knowledge: bool = False,
        trace: Callable[[TraceEvent], object] | None = None,
        protocol_limits: httpcore.ProtocolLimits | None = None,
    ) -> None:
        if max_retries == DEFAULT_RETRIES:
            self.max_retries = Retry(0, read=False)
        else:
            self.max_retries = Retry.from_int(max_retries)
        self.config: dict[str, Any] = {}
        self._pool_connections = pool_connections
        self._pool_maxsize = pool_maxsize
        self._pool_block = pool_block
        self._http2 = http2
        self._http2_prior_knowledge = http2_prior_knowledge
        self._trace = trace
        self._protocol_limits = protocol_limits or httpcore.ProtocolLimits()
        self._pools: dict[tuple[object, ...], httpcore.ConnectionPool] = {}
        self._backend: AsyncBackend | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for attr, value in state.items():
            setattr(self, attr, value)
        self._pools = {}
        self._backend = None

    def get_pool(
        self, verify: bool | str, cert: Any, proxy: httpcore.Proxy | None = None
    ) -> httpcore.ConnectionPool:
        """The httpcore pool for these TLS settings and this proxy (one pool for each)."""
        key = (verify, cert if not isinstance(cert, list) else tuple(cert), proxy)
        pool = self._pools.get(key)
        if pool is None:
            if isinstance(verify, str) and not os.path.exists(verify):
                raise OSError(
                    f"Could not find a suitable TLS CA certificate bundle, invalid path: {verify}"
                )
            limits = httpcore.PoolLimits(
                soft_limit=self._pool_connections * self._pool_maxsize,
                hard_limit=self._pool_maxsize if self._pool_block else None,
            )
            ssl = httpcore.SSLConfig(verify=verify, cert=key[1])
            created = httpcore.ConnectionPool(
                ssl=ssl,
                timeout=None,
                limits=limits,
                http2=self._http2,
                http2_prior_knowledge=self._http2_prior_knowledge,
                proxy=proxy,
                trace=self._trace,
                protocol_limits=self._protocol_limits,
            )
            # Threads sharing a sync session may race here: the first pool stored wins, so
            # no connection ends up in a pool that close() cannot reach.
            pool = self._pools.setdefault(key, created)
        return pool

    async def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutTypes = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        """Send `request` and return its Response (with the body read unless `stream`)."""
        assert request.url is not None and request.method is not None
        if not request.url.lower().startswith(("http://", "https://")):
            raise InvalidSchema(f"No connection adapters were found for {request.url!r}")
        selected = select_proxy(request.url, dict(proxies)) if proxies else None
        proxy = self._core_proxy(selected, request) if selected else None
        # Started here, so that retries share one deadline (Session.send starts it first,
        # for redirects too).
        timeouts = _timeout_config(timeout).start()
        pool = self.get_pool(verify, cert, proxy)
        retries = self.max_retries
        while True:
            try:
                with map_core_exceptions(request):
                    core = await pool.request(
                        request.method,
                        request.url,
                        headers=_core_headers(request.headers),
                        body=_core_body(request.body),
                        stream=True,
                        timeout=timeouts,
                    )
            except TotalTimeout:
                raise
            except (ConnectionError, Timeout) as caught:
                exc = _through_proxy(caught, proxy, request)
                retries = _increment(retries, request, error=exc)
                if logger.isEnabledFor(logging.DEBUG):
                    _log_retry(request, type(exc).__name__)
                await self._sleep(retries.get_sleep_time(), timeouts.deadline, request)
                _rewind_for_retry(request)
                continue
            response = self.build_response(request, core)
            has_retry_after = "retry-after" in response.headers
            if not retries.is_retry(request.method, response.status_code, has_retry_after):
                break
            try:
                retries = retries.increment(request.method, request.url, response=response)
            except RetryExhausted as exc:
                if retries.raise_on_status:
                    await response.close()
                    raise RetryError(exc, request=request) from exc
                break
            await response.close()
            if logger.isEnabledFor(logging.DEBUG):
                _log_retry(request, f"status {response.status_code}")
            await self._sleep(retries.get_sleep_time(response.headers), timeouts.deadline, request)
            _rewind_for_retry(request)
        if not stream:
            await response.read()
            await response.close()
        return response

    def proxy_headers(self, proxy: str) -> dict[str, str]:
        """The headers for an HTTP proxy itself: Basic credentials from its URL, as requests.

        Override to send other headers to the proxy (they never reach an origin).
        """
        username, password = get_auth_from_url(proxy)
        return {"Proxy-Authorization": _basic_auth_str(username, password)} if username else {}

    def _core_proxy(self, selected: str, request: PreparedRequest) -> httpcore.Proxy:
        """httpcore's proxy for a proxy URL; the request's own Proxy-Authorization goes to it."""
        url = prepend_scheme_if_needed(selected, "http")
        try:
            if url.lower().startswith("socks"):
                # RFC 1929: SOCKS5 takes credentials in its handshake, not in a header.
                username, password = get_auth_from_url(url)
                auth = (username, password) if username else None
                return httpcore.Proxy(urldefragauth(url), auth=auth)
            headers = self.proxy_headers(url)
            given = request.headers.get("Proxy-Authorization")
            if given:
                headers["Proxy-Authorization"] = given
            return httpcore.Proxy(urldefragauth(url), headers=list(headers.items()))
        except httpcore.InvalidURL as exc:
            raise InvalidProxyURL(
                f"Please check proxy URL {selected!r}: {exc}", request=request
            ) from exc

    async def _sleep(
        self, seconds: float, deadline: float | None, request: PreparedRequest
    ) -> None:
        """Wait before a retry; never past `deadline`, where the retry would find no time."""
        with map_core_exceptions(request):
            seconds = capped(seconds, deadline) or 0.0
        if self._backend is None:
            # Imported on first use, so that importing requests_async loads no event loop.
            from httpcore._backends.asyncio import AsyncBackend

            self._backend = AsyncBackend()
        await self._backend.sleep(seconds)

    def build_response(self, request: PreparedRequest, core: httpcore.Response) -> Response:
        """Make a requests Response from an httpcore response (body not read yet)."""
        response = Response()
        response.status_code = core.status_code
        response.headers = _compat_headers(core.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = RawStream(core)
        response.reason = core.reason
        response.url = request.url if isinstance(request.url, str) else ""
        response.request = request
        response.connection = self
        extract_cookies_to_jar(response.cookies, request, core.headers)
        return response

    async def close(self) -> None:
        """Close every pooled connection."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()


def _log_retry(request: PreparedRequest, cause: str) -> None:
    url = urldefragauth(request.url) if isinstance(request.url, str) else ""
    logger.debug("retrying %s %s after %s", request.method, url, cause)


def _increment(retries: Retry, request: PreparedRequest, error: Exception) -> Retry:
    """Count a failed attempt; out of retries, the failure itself is raised (as requests does)."""
    try:
        return retries.increment(request.method, request.url, error=error)
    except RetryExhausted:
        pass
    # Raised outside the handler, so that it keeps its cause (the httpcore exception).
    raise error


def _rewind_for_retry(request: PreparedRequest) -> None:
    """Put a file or multipart body back at its start; bytes and text need nothing.

    Iterator bodies cannot be replayed: as in urllib3, they are sent again as they are
    (a connect error happens before any of them was read).
    """
    if request._body_position is not None or isinstance(request.body, BodyStream):
        rewind_body(request)


def _timeout_config(timeout: TimeoutTypes) -> httpcore.TimeoutConfig:
    """requests' timeout argument: seconds, (connect, read), or None for no limit; or an
    `httpcore.TimeoutConfig`, used as it is (with its `total_timeout`, if set).

    Invalid values raise `ValueError` with requests' (urllib3's) messages; requests reports
    any problem with a tuple as an invalid tuple.
    """
    if timeout is None:
        return _NO_TIMEOUT
    if isinstance(timeout, httpcore.TimeoutConfig):
        return timeout
    if isinstance(timeout, tuple):
        try:
            connect, read = timeout
            _check_timeout("connect", connect)
            _check_timeout("read", read)
        except ValueError as exc:
            raise ValueError(
                f"Invalid timeout {timeout}. Pass a (connect, read) timeout tuple, "
                "or a single float to set both timeouts to the same value."
            ) from exc
    else:
        _check_timeout("connect", timeout)
        connect = read = timeout
    # Writes wait as long as reads do (urllib3 applies the read timeout to sends too); the
    # pool wait is bounded by nothing in requests either.
    return httpcore.TimeoutConfig(
        None, connect_timeout=connect, read_timeout=read, write_timeout=read, pool_timeout=None
    )


_NO_TIMEOUT = httpcore.TimeoutConfig(None)


def _check_timeout(name: str, value: object) -> None:
    if isinstance(value, bool):
        raise ValueError("Timeout cannot be a boolean value. It must be an int, float or None.")
    if value is not None and not isinstance(value, (int, float)):
        raise ValueError(f"Timeout value {name} was {value}, but it must be an int, float or None.")
    if value is not None and value <= 0:
        raise ValueError(
            f"Attempted to set {name} timeout to {value}, but the timeout cannot be set "
            "to a value less than or equal to 0."
        )


def _core_headers(headers: Mapping[str, str | bytes]) -> list[tuple[bytes, bytes]]:
    pairs = [(header_bytes(name), header_bytes(value)) for name, value in headers.items()]
    # Proxy-Authorization is for the proxy alone: httpcore.Proxy carries it there, and no
    # origin ever gets it, with or without a proxy (RFC 9110 section 11.7.2). A
    # CaseInsensitiveDict (a prepared request's) tells in one lookup that it is absent.
    if isinstance(headers, CaseInsensitiveDict) and "proxy-authorization" not in headers:
        return pairs
    return [pair for pair in pairs if pair[0].lower() != b"proxy-authorization"]


def _through_proxy(
    exc: ConnectionError | Timeout, proxy: httpcore.Proxy | None, request: PreparedRequest
) -> ConnectionError | Timeout:
    """Failing to connect through a proxy is requests' ProxyError (a ConnectionError)."""
    if (
        proxy is None
        or isinstance(exc, ProxyError)
        or not isinstance(exc.__cause__, httpcore.ConnectError)
    ):
        return exc
    error = ProxyError(f"Unable to connect to proxy {proxy!r}: {exc}", request=request)
    error.__cause__ = exc
    return error


def _compat_headers(raw: list[tuple[bytes, bytes]]) -> CaseInsensitiveDict[str]:
    """Response headers as requests shows them: repeated fields joined with ", "."""
    return CaseInsensitiveDict.from_fields(
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in raw
    )


def _core_body(body: Any) -> bytes | Iterable[bytes] | AsyncIterable[bytes]:
    """A PreparedRequest body as httpcore takes it: bytes or (async) iterators of bytes."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, BodyStream):
        return iter(body)
    if hasattr(body, "read"):
        return _read_file(body)
    if isinstance(body, (AsyncIterable, Iterable)):
        return body
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")


def _read_file(file: Any) -> Iterator[bytes]:
    while True:
        chunk = file.read(_FILE_CHUNK)
        if not chunk:
            return
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk
