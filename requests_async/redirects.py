"""The redirect policy of requests' `SessionRedirectMixin`, as plain functions without I/O.

A session sends a request, reads the body of a redirect response, asks `next_request()` for the
next hop (or `next_hop()`, which also gives the proxies for it), closes the response and sends
the hop with redirects off, until there is no hop. The rules are requests':

- `Location` is re-read as UTF-8, joined to the response URL (relative and protocol-relative
  forms, RFC 9110 section 10.2.2), re-quoted, and keeps the previous fragment when it has none.
- 303 turns every method but HEAD into GET, so does 302; 301 turns POST into GET.
- Except on 307/308 the body and its headers are dropped; on 307/308 a file body is rewound.
- `Cookie` is recomputed from the request's jar after the response's cookies are stored in it;
  cookies given for the request alone (`cookies={...}`, no domain) do not follow a redirect to
  another origin (requests sends them on).
- `Authorization` and the auth scheme are dropped when `should_strip_auth()` says so; netrc may
  supply new credentials.
- A 307/308 whose request body was an iterator (sent, and gone) raises `UnrewindableBodyError`
  instead of sending the hop with an empty body.
- `Proxy-Authorization` is recomputed from the proxy URL for plain-http targets only.
- A chain longer than `max_redirects` raises `TooManyRedirects`; schemes without an adapter
  raise `InvalidSchema`.

```python
async with requests_async.Session() as session:
    response = await session.get("http://httpbin.org/redirect/1", allow_redirects=False)
    hop = next_request(response.request, response, jar=session.cookies, max_redirects=30)
assert hop.url == "http://httpbin.org/get"
```
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from http.cookiejar import CookieJar
from typing import NamedTuple
from urllib.parse import urljoin, urlparse

from ._multipart import BodyStream
from .auth import _basic_auth_str
from .cookies import RequestsCookieJar, extract_cookies_to_jar, merge_cookies
from .exceptions import InvalidSchema, TooManyRedirects, UnrewindableBodyError
from .models import DEFAULT_REDIRECT_LIMIT, PreparedRequest, ResponseMixin, rewind_body
from .utils import (
    DEFAULT_PORTS,
    get_auth_from_url,
    get_netrc_auth,
    requote_uri,
    resolve_proxies,
)

__all__ = [
    "DEFAULT_REDIRECT_LIMIT",
    "Hop",
    "get_redirect_target",
    "next_hop",
    "next_request",
    "rebuild_auth",
    "rebuild_method",
    "rebuild_proxies",
    "should_strip_auth",
]

# RFC 9110 sections 15.4.8 and 15.4.9: 307 and 308 forbid changing the method or the body.
_BODY_KEEPING_STATUSES = (307, 308)

_BODY_HEADERS = ("Content-Length", "Content-Type", "Transfer-Encoding")


class Hop(NamedTuple):
    """The next request of a redirect chain and the proxies to send it through."""

    request: PreparedRequest
    proxies: dict[str, str]


def get_redirect_target(response: ResponseMixin) -> str | None:
    """The `Location` of a redirect response, or None when it is not a redirect.

    The header's text is re-read as UTF-8: servers send UTF-8 far more often than the
    ISO-8859-1 that header bytes are decoded with.

    ```python
    response = await session.get("http://httpbin.org/redirect/1", allow_redirects=False)
    assert get_redirect_target(response) == "/get"
    ```
    """
    if not response.is_redirect:
        return None
    return response.headers["location"].encode("latin-1").decode("utf-8")


def should_strip_auth(old_url: str, new_url: str) -> bool:
    """Whether `Authorization` must not follow a redirect from `old_url` to `new_url`.

    It is kept on the same host and scheme (default and absent ports are equal), and from
    http to https on default ports; any other change of host, scheme or port strips it.

    ```python
    assert should_strip_auth("http://a.test/", "http://b.test/")
    assert not should_strip_auth("http://a.test/", "https://a.test/")
    ```
    """
    old, new = urlparse(old_url), urlparse(new_url)
    if old.hostname != new.hostname:
        return True
    # Not required by RFC 9110 section 11.6.2; requests has always allowed this upgrade.
    if (
        old.scheme == "http"
        and old.port in (80, None)
        and new.scheme == "https"
        and new.port in (443, None)
    ):
        return False
    changed_port = old.port != new.port
    changed_scheme = old.scheme != new.scheme
    default_port = (DEFAULT_PORTS.get(old.scheme), None)
    if not changed_scheme and old.port in default_port and new.port in default_port:
        return False
    return changed_port or changed_scheme


def rebuild_method(prepared: PreparedRequest, response: ResponseMixin) -> None:
    """Set the method the redirect is followed with, as browsers and requests do.

    ```python
    url = "http://httpbin.org/redirect-to?url=/get"
    response = await session.post(url, allow_redirects=False)
    hop = response.request.copy()
    rebuild_method(hop, response)
    assert (response.status_code, hop.method) == (302, "GET")
    ```
    """
    method = prepared.method
    # RFC 9110 section 15.4.4: a 303 is followed with GET (or HEAD).
    if response.status_code == 303 and method != "HEAD":
        method = "GET"
    # RFC 9110 sections 15.4.2/15.4.3 allow POST to become GET; browsers do it for every 302.
    if response.status_code == 302 and method != "HEAD":
        method = "GET"
    if response.status_code == 301 and method == "POST":
        method = "GET"
    prepared.method = method


def rebuild_auth(
    prepared: PreparedRequest, response: ResponseMixin, *, trust_env: bool = True
) -> None:
    """Drop `Authorization` and the auth scheme when leaving the original origin; apply
    netrc credentials for the new host if any.

    ```python
    url = "http://httpbin.org/redirect-to?url=http://example.com/"
    response = await session.get(url, auth=("user", "secret"), allow_redirects=False)
    hop = response.request.copy()
    hop.prepare_url(response.headers["location"], None)
    rebuild_auth(hop, response, trust_env=session.trust_env)
    assert "Authorization" not in hop.headers  # the credentials stay with httpbin.org
    ```
    """
    url = prepared.url or ""
    if should_strip_auth(response.request.url or "", url):
        prepared.headers.pop("Authorization", None)
        # The auth scheme goes too: a flow such as Digest would answer the new origin's
        # challenge (or replay the old one's) with the credentials meant for the old origin.
        prepared._auth = None
    new_auth = get_netrc_auth(url) if trust_env else None
    if new_auth is not None:
        prepared.prepare_auth(new_auth)


def rebuild_proxies(
    prepared: PreparedRequest, proxies: dict[str, str] | None, *, trust_env: bool = True
) -> dict[str, str]:
    """The proxies for the redirected request; resets its `Proxy-Authorization`.

    Environment proxies are added for the new URL's scheme when `trust_env`. Credentials in
    the proxy URL become `Proxy-Authorization` for plain-http targets only: through an https
    tunnel the header would reach the origin server.

    ```python
    hop = PreparedRequest()
    hop.prepare(method="GET", url="http://example.com/")
    proxies = rebuild_proxies(hop, {"http": "http://user:pw@proxy.example:3128"}, trust_env=False)
    assert hop.headers["Proxy-Authorization"].startswith("Basic ")
    ```
    """
    headers = prepared.headers
    scheme = urlparse(prepared.url or "").scheme
    new_proxies = resolve_proxies(prepared, proxies, trust_env)
    headers.pop("Proxy-Authorization", None)
    username, password = (
        get_auth_from_url(new_proxies[scheme]) if scheme in new_proxies else ("", "")
    )
    if not scheme.startswith("https") and username and password:
        headers["Proxy-Authorization"] = _basic_auth_str(username, password)
    return new_proxies


def _is_replayable(prepared: PreparedRequest) -> bool:
    """Whether the body can be sent again: none, in memory, or a file or multipart to rewind."""
    body = prepared.body
    return (
        body is None
        or isinstance(body, (bytes, str, bytearray, BodyStream))
        or prepared._body_position is not None
    )


def _join_location(location: str, response_url: str, fragment: str) -> str:
    """The absolute, re-quoted URL a `Location` names, with the inherited fragment."""
    if location.startswith("//"):
        location = f"{urlparse(response_url).scheme}:{location}"
    parsed = urlparse(location)
    # RFC 9110 section 10.2.2: a Location without a fragment inherits the request's.
    if parsed.fragment == "" and fragment:
        parsed = parsed._replace(fragment=fragment)
    location = parsed.geturl()
    if not parsed.netloc:
        return urljoin(response_url, requote_uri(location))
    return requote_uri(location)


def next_hop(
    request: PreparedRequest,
    response: ResponseMixin,
    *,
    jar: CookieJar | None = None,
    proxies: dict[str, str] | None = None,
    trust_env: bool = True,
    max_redirects: int = DEFAULT_REDIRECT_LIMIT,
    history: Sequence[ResponseMixin] = (),
    schemes: Collection[str] | None = ("http", "https"),
) -> Hop | None:
    """The request that follows redirect `response` to `request`, with its proxies; or None.

    Arguments: `jar`, the session's cookies (merged into the hop's jar, and winning over it);
    `proxies`, those `request` was sent with; `history`, the responses of this chain already
    followed, oldest first (a trailing `response` itself is ignored); `schemes`, the URL schemes
    that have an adapter (None accepts any). Sets `response.history` as requests does.
    Raises `TooManyRedirects` (with the response) when `history` already holds
    `max_redirects` responses, `InvalidSchema` for other schemes, `UnrewindableBodyError` when
    a 307/308 body cannot be replayed. The session reads and closes `response` itself.

    ```python
    response = await session.get("http://httpbin.org/redirect/1", allow_redirects=False)
    hop = next_hop(response.request, response, jar=session.cookies, proxies={})
    if hop is not None:
        request, proxies = hop
    assert request.url == "http://httpbin.org/get"
    ```
    """
    hop = _hop(
        request,
        response,
        jar=jar,
        proxies=proxies,
        trust_env=trust_env,
        max_redirects=max_redirects,
        history=history,
        schemes=schemes,
    )
    if (
        hop is not None
        and response.status_code in _BODY_KEEPING_STATUSES
        and not _is_replayable(hop.request)
    ):
        # RFC 9110 sections 15.4.8 and 15.4.9: the hop must carry the same body; sending
        # it with the used-up iterator would make an empty request look complete.
        raise UnrewindableBodyError(
            f"cannot follow the {response.status_code} redirect: it must resend the request "
            "body, which was an iterator and is used up; send bytes or a seekable file, or "
            "pass allow_redirects=False",
            request=request,
            response=response,
        )
    return hop


def _hop(
    request: PreparedRequest,
    response: ResponseMixin,
    *,
    jar: CookieJar | None = None,
    proxies: dict[str, str] | None = None,
    trust_env: bool = True,
    max_redirects: int = DEFAULT_REDIRECT_LIMIT,
    history: Sequence[ResponseMixin] = (),
    schemes: Collection[str] | None = ("http", "https"),
) -> Hop | None:
    """`next_hop()` without the check that the body can be replayed."""
    location = get_redirect_target(response)
    if not location:
        return None
    previous = list(history)
    if previous and previous[-1] is response:
        previous.pop()
    response.history = previous
    if len(previous) >= max_redirects:
        raise TooManyRedirects(f"Exceeded {max_redirects} redirects.", response=response)

    prepared = request.copy()
    prepared.url = _join_location(location, response.url, urlparse(request.url or "").fragment)
    rebuild_method(prepared, response)
    if response.status_code not in _BODY_KEEPING_STATUSES:
        for name in _BODY_HEADERS:
            prepared.headers.pop(name, None)
        prepared.body = None
    prepared.headers.pop("Cookie", None)

    hop_jar = prepared._cookies if prepared._cookies is not None else RequestsCookieJar()
    extract_cookies_to_jar(hop_jar, request, getattr(response, "raw", None))
    if should_strip_auth(request.url or "", prepared.url or ""):
        # Cookies given for one request (`cookies={...}`) have no domain, so a jar sends them
        # to every host; they were meant for the URL the caller named, not for the origin it
        # redirects to. The session's own cookies are merged back below.
        for cookie in [cookie for cookie in hop_jar if not cookie.domain]:
            hop_jar.clear(cookie.domain, cookie.path, cookie.name)
    if jar is not None:
        merge_cookies(hop_jar, jar)
    prepared.prepare_cookies(hop_jar)

    hop_proxies = rebuild_proxies(prepared, proxies, trust_env=trust_env)
    rebuild_auth(prepared, response, trust_env=trust_env)
    # A file body whose start could not be recorded is "rewound" too, so that it fails here
    # instead of being sent short; multipart bodies are rewound now for the same reason.
    headers = prepared.headers
    replayable = prepared._body_position is not None or isinstance(prepared.body, BodyStream)
    if replayable and ("Content-Length" in headers or "Transfer-Encoding" in headers):
        rewind_body(prepared)
    if schemes is not None and urlparse(prepared.url or "").scheme not in schemes:
        raise InvalidSchema(f"No connection adapters were found for {prepared.url!r}")
    return Hop(prepared, hop_proxies)


def next_request(
    request: PreparedRequest,
    response: ResponseMixin,
    *,
    jar: CookieJar | None = None,
    proxies: dict[str, str] | None = None,
    trust_env: bool = True,
    max_redirects: int = DEFAULT_REDIRECT_LIMIT,
    history: Sequence[ResponseMixin] = (),
    schemes: Collection[str] | None = ("http", "https"),
) -> PreparedRequest | None:
    """The request that follows redirect `response`, or None: `next_hop()` without the proxies.

    It is built to be looked at (`response.next`), so a 307/308 whose body cannot be
    replayed is not an error here: the hop keeps the used-up body.

    ```python
    response = await session.get("http://httpbin.org/redirect/1", allow_redirects=False)
    assert next_request(response.request, response).url == "http://httpbin.org/get"
    ```
    """
    hop = _hop(
        request,
        response,
        jar=jar,
        proxies=proxies,
        trust_env=trust_env,
        max_redirects=max_redirects,
        history=history,
        schemes=schemes,
    )
    return None if hop is None else hop.request
