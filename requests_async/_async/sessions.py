"""Session: settings shared across requests, cookies, redirects, auth flows and adapters."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Generator, Mapping, MutableMapping
from datetime import timedelta
from http.cookiejar import CookieJar
from typing import Any, ClassVar

import httpcore

from .. import redirects
from ..auth import AuthBase
from ..cookies import RequestsCookieJar, cookiejar_from_dict, extract_cookies_to_jar, merge_cookies
from ..exceptions import ChunkedEncodingError, ContentDecodingError, InvalidSchema
from ..hooks import default_hooks
from ..models import BodyStream, PreparedRequest, Request, rewind_body
from ..structures import CaseInsensitiveDict
from ..utils import (
    default_headers,
    get_ca_bundle_from_env,
    get_environ_proxies,
    get_netrc_auth,
    resolve_proxies,
    to_key_val_list,
    urldefragauth,
)
from .adapters import BaseAdapter, HTTPAdapter
from .response import Response

logger = logging.getLogger("requests_async")

# Bytes of a redirect response's body read (and discarded) so that its connection can be
# reused; a longer body closes the connection instead.
_REDIRECT_DRAIN_LIMIT = 64 * 1024


def _log_redirect(response: Response, hop: PreparedRequest) -> None:
    # URLs without userinfo: credentials in a Location header stay out of logs.
    source = urldefragauth(response.url)
    target = urldefragauth(hop.url) if isinstance(hop.url, str) else ""
    logger.debug("redirect followed: %s %s -> %s", response.status_code, source, target)


def merge_setting(
    request_setting: Any, session_setting: Any, dict_class: type = OrderedDict
) -> Any:
    """Merge a per-request setting into the session's: the request wins, None keys remove."""
    if session_setting is None:
        return request_setting
    if request_setting is None:
        return session_setting
    if not (_is_mapping(session_setting) and _is_mapping(request_setting)):
        return request_setting
    merged = dict_class(to_key_val_list(session_setting))
    merged.update(to_key_val_list(request_setting))
    for key in [k for k, v in merged.items() if v is None]:
        del merged[key]
    return merged


def _is_mapping(value: object) -> bool:
    # dict is tried first, in C: the Mapping ABC check costs a microsecond, seven times a request.
    return isinstance(value, (dict, Mapping))


def merge_hooks(request_hooks: Any, session_hooks: Any, dict_class: type = OrderedDict) -> Any:
    """The hooks for one request: as in requests, the request's hooks for an event replace
    the session's (those run only when the request has none)."""
    if session_hooks is None or session_hooks.get("response") == []:
        return request_hooks
    if request_hooks is None or request_hooks.get("response") == []:
        return session_hooks
    return merge_setting(request_hooks, session_hooks, dict_class)


def _auth_flow(auth: Any, request: PreparedRequest) -> Generator[PreparedRequest, Any, None]:
    """The requests to send for `request` under `auth`.

    The auth was applied when the request was prepared (requests calls it exactly once), so
    only a scheme with an exchange of its own (an `auth_flow` override, as Digest has) is
    driven; anything else sends the request as prepared.
    """
    if isinstance(auth, AuthBase) and type(auth).auth_flow is not AuthBase.auth_flow:
        return auth.auth_flow(request)
    return _single(request)


def _single(request: PreparedRequest) -> Generator[PreparedRequest, Any, None]:
    yield request


async def _run_response_hooks(
    request: PreparedRequest, response: Response, kwargs: dict[str, Any]
) -> Response:
    """Run the request's response hooks in order; each may return a replacement response.

    In the async flavor a hook may also return an awaitable (a coroutine from
    `response.connection.send(...)`, say): its result is the replacement.
    """
    for hook in request.hooks.get("response", []):
        result = hook(response, **kwargs)
        if isinstance(result, Awaitable):  # unasync: remove
            result = await result  # unasync: remove
        if result is not None:
            response = result
    return response


class Session:
    """Settings, cookies and connection pools shared by many requests, as in requests.

    ```python
    async with Session() as session:
        session.headers["x-team"] = "core"
        response = await session.get("http://127.0.0.1:8000/")
    ```
    """

    __attrs__: ClassVar[list[str]] = [
        "headers",
        "cookies",
        "auth",
        "proxies",
        "hooks",
        "params",
        "verify",
        "cert",
        "adapters",
        "stream",
        "trust_env",
        "max_redirects",
    ]

    def __init__(self) -> None:
        self.headers: CaseInsensitiveDict[str] = default_headers()
        self.auth: Any = None
        self.proxies: dict[str, str] = {}
        self.hooks: dict[str, list[Callable[..., Any]]] = default_hooks()
        self.params: dict[str, Any] = {}
        self.stream = False
        self.verify: bool | str = True
        self.cert: str | tuple[str, str] | None = None
        self.max_redirects = redirects.DEFAULT_REDIRECT_LIMIT
        self.trust_env = True
        self.cookies: RequestsCookieJar = cookiejar_from_dict({})
        self.adapters: MutableMapping[str, BaseAdapter] = OrderedDict()
        self.mount("https://", HTTPAdapter())
        self.mount("http://", HTTPAdapter())

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()

    def prepare_request(self, request: Request) -> PreparedRequest:
        """Merge the session's settings into `request` and prepare it."""
        merged_cookies = merge_cookies(RequestsCookieJar(), self.cookies)
        if request.cookies:
            cookies = request.cookies
            if not isinstance(cookies, CookieJar):
                cookies = cookiejar_from_dict(cookies)
            merged_cookies = merge_cookies(merged_cookies, cookies)
        auth = request.auth
        if self.trust_env and not auth and not self.auth:
            auth = get_netrc_auth(request.url)
        prepared = PreparedRequest()
        prepared.prepare(
            method=request.method.upper() if request.method else request.method,
            url=request.url,
            files=request.files,
            data=request.data,
            json=request.json,
            headers=merge_setting(request.headers, self.headers, dict_class=CaseInsensitiveDict),
            params=merge_setting(request.params, self.params),
            auth=merge_setting(auth, self.auth),
            cookies=merged_cookies,
            hooks=merge_hooks(request.hooks, self.hooks),
        )
        return prepared

    async def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        hooks: Any = None,
        stream: bool | None = None,
        verify: bool | str | None = None,
        cert: Any = None,
        json: Any = None,
    ) -> Response:
        """Build, prepare and send a request; the arguments are requests' own."""
        request = Request(
            method=method.upper(),
            url=url,
            headers=headers,
            files=files,
            data=data or {},
            json=json,
            params=params or {},
            auth=auth,
            cookies=cookies,
            hooks=hooks,
        )
        prepared = self.prepare_request(request)
        settings = self.merge_environment_settings(
            prepared.url, proxies or {}, stream, verify, cert
        )
        return await self.send(
            prepared, timeout=timeout, allow_redirects=allow_redirects, **settings
        )

    async def get(self, url: str, params: Any = None, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return await self.request("GET", url, params=params, **kwargs)

    async def options(self, url: str, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return await self.request("OPTIONS", url, **kwargs)

    async def head(self, url: str, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", False)
        return await self.request("HEAD", url, **kwargs)

    async def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return await self.request("POST", url, data=data, json=json, **kwargs)

    async def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return await self.request("PUT", url, data=data, **kwargs)

    async def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return await self.request("PATCH", url, data=data, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> Response:
        return await self.request("DELETE", url, **kwargs)

    async def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        """Send a PreparedRequest, following redirects unless `allow_redirects=False`."""
        if isinstance(request, Request):
            raise ValueError("You can only send PreparedRequests.")
        kwargs.setdefault("stream", self.stream)
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("cert", self.cert)
        if "proxies" not in kwargs:
            kwargs["proxies"] = resolve_proxies(request, self.proxies, self.trust_env)
        allow_redirects = kwargs.pop("allow_redirects", True)
        timeout = kwargs.get("timeout")
        if isinstance(timeout, httpcore.TimeoutConfig):
            # One deadline for the request, its redirects, auth rounds and retries.
            kwargs["timeout"] = timeout.start()
        history: list[Response] = []
        while True:
            response = await self._send_with_auth(request, kwargs)
            if not redirects.get_redirect_target(response):
                break
            if not allow_redirects:
                # As requests: the next request is built (not sent) even for other schemes.
                response._next = redirects.next_request(
                    request, response, **self._redirect_state(history, kwargs)
                )
                break
            # Read first: TooManyRedirects and InvalidSchema carry a response that is done.
            await self._drain(response)
            hop = redirects.next_hop(request, response, **self._redirect_state(history, kwargs))
            assert hop is not None, "a redirect target without a next hop"
            history.append(response)
            if logger.isEnabledFor(logging.DEBUG):
                _log_redirect(response, hop[0])
            request, kwargs["proxies"] = hop
        if history:
            for index, previous in enumerate(history):
                previous.history = history[:index]
            response.history = history
        if not kwargs["stream"]:
            await response.read()
        return response

    def _redirect_state(self, history: list[Response], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "jar": self.cookies,
            "trust_env": self.trust_env,
            "proxies": kwargs["proxies"],
            "max_redirects": self.max_redirects,
            "history": history,
            # Any scheme with a mounted adapter may be followed: get_adapter() refuses the rest.
            "schemes": None,
        }

    async def _drain(self, response: Response) -> None:
        """Read a redirect's (or auth challenge's) body, then close the response.

        As in requests, the body stays readable in `history`, and a connection whose body
        was read to the end is reused. A body longer than `_REDIRECT_DRAIN_LIMIT` is not
        read: its connection is closed instead. A body that fails to decode or arrives
        broken is dropped, as requests drops it.
        """
        length = response.headers.get("content-length", "")
        if not (length.isdigit() and int(length) > _REDIRECT_DRAIN_LIMIT):
            with contextlib.suppress(ChunkedEncodingError, ContentDecodingError):
                await response._read_at_most(_REDIRECT_DRAIN_LIMIT)
        await response.close()

    async def _send_with_auth(self, request: PreparedRequest, kwargs: dict[str, Any]) -> Response:
        """Run the request's auth flow: send each request it yields, feed it each response.

        The answered challenges (a Digest 401) become the final response's `history`, as
        requests' Digest auth leaves them; a redirect chain's history replaces them.
        """
        flow = _auth_flow(request._auth, request)
        to_send = next(flow)
        challenges: list[Response] = []
        while True:
            response = await self._send_one(to_send, kwargs)
            try:
                following = flow.send(response)
            except StopIteration:
                if challenges:
                    response.history = challenges
                return response
            await self._drain(response)
            challenges.append(response)
            # Cookies the challenge set go with the answer (the flow copied the request).
            jar = following._cookies if following._cookies is not None else RequestsCookieJar()
            extract_cookies_to_jar(jar, following, response.raw)
            following.prepare_cookies(jar)
            if following._body_position is not None or isinstance(following.body, BodyStream):
                rewind_body(following)
            to_send = following

    async def _send_one(self, request: PreparedRequest, kwargs: dict[str, Any]) -> Response:
        adapter = self.get_adapter(url=request.url or "")
        started = time.perf_counter()
        response = await adapter.send(
            request,
            stream=True,
            timeout=kwargs.get("timeout"),
            verify=kwargs["verify"],
            cert=kwargs["cert"],
            proxies=kwargs["proxies"],
        )
        response.elapsed = timedelta(seconds=time.perf_counter() - started)
        if not kwargs["stream"] and not response.is_redirect:
            # Hooks see a read body, as in requests (whose `content` reads on first use);
            # redirect bodies are drained within a bound later instead.
            await response.read()
        response = await _run_response_hooks(request, response, kwargs)
        if response.raw is not None:
            extract_cookies_to_jar(self.cookies, request, response.raw)
        return response

    def merge_environment_settings(
        self, url: str | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        """Combine per-request settings, the session's, and (with `trust_env`) the environment.

        Explicit settings always beat the environment: a proxy or `verify` set on the session
        is kept even when `HTTPS_PROXY` or `REQUESTS_CA_BUNDLE` is set. (requests lets the
        environment override the session's `proxies` and `verify`; we deliberately do not.)
        """
        proxies = merge_setting(proxies, self.proxies) or {}
        stream = merge_setting(stream, self.stream)
        verify = merge_setting(verify, self.verify)
        cert = merge_setting(cert, self.cert)
        if self.trust_env:
            environ = get_environ_proxies(url or "", no_proxy=proxies.get("no_proxy"))
            proxies = {**environ, **proxies}
            if verify is True:
                verify = get_ca_bundle_from_env() or verify
        return {"proxies": proxies, "stream": stream, "verify": verify, "cert": cert}

    def get_adapter(self, url: str) -> BaseAdapter:
        """The adapter mounted for the longest prefix of `url`."""
        lowered = url.lower()
        for prefix, adapter in self.adapters.items():
            if lowered.startswith(prefix.lower()):
                return adapter
        raise InvalidSchema(f"No connection adapters were found for {url!r}")

    def mount(self, prefix: str, adapter: BaseAdapter) -> None:
        """Use `adapter` for URLs starting with `prefix` (longest prefixes are tried first)."""
        self.adapters[prefix] = adapter
        for key in [k for k in self.adapters if len(k) < len(prefix)]:
            self.adapters[key] = self.adapters.pop(key)

    async def close(self) -> None:
        """Close every adapter and its connections."""
        for adapter in self.adapters.values():
            await adapter.close()

    def __getstate__(self) -> dict[str, Any]:
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for attr, value in state.items():
            setattr(self, attr, value)


def session() -> Session:
    """A new Session (requests' deprecated spelling, kept for drop-in code)."""
    return Session()
