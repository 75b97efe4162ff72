"""requests' cookie jar and helpers, on `http.cookiejar`.

`RequestsCookieJar` is an `http.cookiejar.CookieJar` with a dict interface; the domain, path,
expiry and Secure rules are those of the jar's policy (`PublicSuffixPolicy`, `DefaultCookiePolicy`
with the public suffix list, unless set), so a `Set-Cookie` for another domain or for a public
suffix is refused and a Secure cookie is sent over https only.
`MockRequest` and `MockResponse` present our requests and response headers in the shape
`http.cookiejar` reads.

```python
jar = RequestsCookieJar()
jar.set("token", "abc", domain="example.com", path="/")
assert jar["token"] == "abc"
```
"""

from __future__ import annotations

import calendar
import copy
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from http.cookies import Morsel
from typing import Any, Protocol, TypeVar, overload
from urllib.parse import urlparse, urlunparse

from ._cookie_policy import PublicSuffixPolicy

__all__ = [
    "CookieConflictError",
    "MockRequest",
    "MockResponse",
    "RequestsCookieJar",
    "cookiejar_from_dict",
    "create_cookie",
    "extract_cookies_to_jar",
    "get_cookie_header",
    "merge_cookies",
    "morsel_to_cookie",
    "remove_cookie_by_name",
]


class _RequestLike(Protocol):
    """What the cookie helpers read from a `PreparedRequest`."""

    @property
    def url(self) -> str | None: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class MockRequest:
    """A `PreparedRequest` seen as the `urllib.request.Request` that `http.cookiejar` expects.

    Arguments: `request`, the prepared request (read, never changed); `url`, the URL to judge
    cookies against when it is not `request.url`. Headers the jar adds are collected in
    `get_new_headers()`.

    ```python
    jar = cookiejar_from_dict({"token": "abc"})
    mock = MockRequest(prepared)
    jar.add_cookie_header(mock)
    assert mock.get_new_headers().get("Cookie") == "token=abc"
    ```
    """

    def __init__(self, request: _RequestLike, url: str | None = None) -> None:
        self._r = request
        self._url = url if url is not None else (request.url or "")
        self._new_headers: dict[str, str] = {}
        self.type = urlparse(self._url).scheme

    def get_type(self) -> str:
        return self.type

    def get_host(self) -> str:
        return urlparse(self._url).netloc

    def get_origin_req_host(self) -> str:
        return self.get_host()

    def get_full_url(self) -> str:
        # An explicit Host header names the origin the cookies belong to (RFC 9110 section 7.2).
        host = self._r.headers.get("Host")
        if not host:
            return self._url
        parsed = urlparse(self._url)
        return urlunparse(
            (parsed.scheme, host, parsed.path, parsed.params, parsed.query, parsed.fragment)
        )

    def is_unverifiable(self) -> bool:
        return True

    def has_header(self, name: str) -> bool:
        return name in self._r.headers or name in self._new_headers

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self._r.headers.get(name, self._new_headers.get(name, default))

    def add_header(self, key: str, val: str) -> None:
        """Refused: the jar adds its header with `add_unredirected_header()`."""
        raise NotImplementedError("Cookie headers should be added with add_unredirected_header()")

    def add_unredirected_header(self, name: str, value: str) -> None:
        self._new_headers[name] = value

    def get_new_headers(self) -> dict[str, str]:
        return self._new_headers

    unverifiable = property(is_unverifiable)
    origin_req_host = property(get_origin_req_host)
    host = property(get_host)


class _HeaderLines:
    """Response header lines answering `get_all()` as `email.message.Message` does."""

    def __init__(self, pairs: Iterable[tuple[str | bytes, str | bytes]]) -> None:
        self._pairs = list(pairs)
        self._names: list[str] | None = None

    def get_all(self, name: str, failobj: Any = None) -> Any:
        if self._names is None:
            self._names = [_text(key).lower() for key, _ in self._pairs]
        wanted = name.lower()
        values = [
            _text(pair[1])
            for key, pair in zip(self._names, self._pairs, strict=True)
            if key == wanted
        ]
        return values or failobj


def _text(value: str | bytes) -> str:
    # Header bytes are ISO-8859-1 on the wire (RFC 9110 section 5.5), as http.client decodes them.
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header_lines(source: Any) -> Any:
    """The `get_all()`-capable headers behind a response, or None when it carries none."""
    if source is None:
        return None
    if hasattr(source, "_original_response"):
        original = source._original_response
        return original.msg if original else None
    if hasattr(source, "headers") and not hasattr(source, "get_all"):
        return _header_lines(source.headers)
    if hasattr(source, "get_all"):
        return source
    if isinstance(source, Mapping):
        return _HeaderLines(source.items())
    return _HeaderLines(source)


class MockResponse:
    """Response headers seen as the `urllib` response that `http.cookiejar` expects.

    Arguments: `headers`, anything with `get_all(name, default)` (an `email.message.Message`).

    ```python
    from email.message import Message

    message = Message()
    message["Set-Cookie"] = "token=abc; Path=/"
    jar = RequestsCookieJar()
    jar.extract_cookies(MockResponse(message), MockRequest(prepared))
    assert jar["token"] == "abc"
    ```
    """

    def __init__(self, headers: Any) -> None:
        self._headers = headers

    def info(self) -> Any:
        return self._headers

    def getheaders(self, name: str) -> list[str]:
        return list(self._headers.get_all(name, []))


def extract_cookies_to_jar(
    jar: CookieJar, request: _RequestLike, response: Any, url: str | None = None
) -> None:
    """Store the cookies a response sets, as the jar's policy allows for `request`.

    Arguments: `jar`, any `CookieJar`; `request`, the request the response answers; `response`,
    its headers: an `email.message.Message`, a list of `(name, value)` pairs (str or bytes), a
    mapping, or an object with such a `headers` attribute (urllib3 responses are read as requests
    reads them); `None` stores nothing. `url`: the URL to judge against, if not `request.url`.

    ```python
    jar = RequestsCookieJar()
    extract_cookies_to_jar(jar, prepared, [("Set-Cookie", "a=1; Path=/")])
    assert jar["a"] == "1"
    ```
    """
    headers = _header_lines(response)
    # Most responses set no cookie: skip the jar's lock and policy for them.
    if headers is None or not (headers.get_all("Set-Cookie") or headers.get_all("Set-Cookie2")):
        return
    # http.cookiejar is typed for urllib's classes; these mocks provide what it calls.
    jar.extract_cookies(MockResponse(headers), MockRequest(request, url))  # type: ignore[arg-type]


def get_cookie_header(jar: CookieJar, request: _RequestLike) -> str | None:
    """The `Cookie` header value the jar's policy sends with `request`, or None.

    ```python
    jar = cookiejar_from_dict({"a": "1"})
    assert get_cookie_header(jar, prepared) == "a=1"
    ```
    """
    if type(jar).add_cookie_header is CookieJar.add_cookie_header and next(iter(jar), None) is None:
        # An empty jar adds nothing: skip its lock and policy (most requests carry no cookie).
        return None
    mock = MockRequest(request)
    # http.cookiejar is typed for urllib's Request; MockRequest provides what it calls.
    jar.add_cookie_header(mock)  # type: ignore[arg-type]
    return mock.get_new_headers().get("Cookie")


def remove_cookie_by_name(
    cookiejar: CookieJar, name: str, domain: str | None = None, path: str | None = None
) -> None:
    """Remove every cookie called `name`, narrowed to `domain` and `path` when given.

    ```python
    jar = RequestsCookieJar()
    jar.set("session", "abc", domain="example.com")
    remove_cookie_by_name(jar, "session", domain="example.com")
    assert "session" not in jar
    ```
    """
    doomed = [(c.domain, c.path, c.name) for c in cookiejar if _matches(c, name, domain, path)]
    for cookie_domain, cookie_path, cookie_name in doomed:
        cookiejar.clear(cookie_domain, cookie_path, cookie_name)


class CookieConflictError(RuntimeError):
    """More than one cookie matches: pass `domain` and `path` to `get()`/`set()`."""


class RequestsCookieJar(CookieJar, MutableMapping[str, str | None]):
    """A `CookieJar` that is also a dict of cookie names to values, and can be pickled.

    Name lookups scan the jar (O(n)); `__getitem__` and `get` raise `CookieConflictError` when a
    name matches cookies in several domains or paths. Assigning `None` removes a cookie.

    ```python
    jar = RequestsCookieJar()
    jar["a"] = "1"
    jar.set("a", "2", domain="example.com", path="/api")
    assert jar.get("a", domain="example.com") == "2"
    ```
    """

    _policy: CookiePolicy

    def __init__(self, policy: CookiePolicy | None = None) -> None:
        super().__init__(policy if policy is not None else PublicSuffixPolicy())

    def get(  # type: ignore[override]  # requests' signature adds domain and path
        self,
        name: str,
        default: str | None = None,
        domain: str | None = None,
        path: str | None = None,
    ) -> str | None:
        """The value of cookie `name` (narrowed by `domain`/`path`), or `default`."""
        try:
            return self._find_no_duplicates(name, domain, path)
        except KeyError:
            return default

    def set(self, name: str, value: str | Morsel[Any] | None, **kwargs: Any) -> Cookie | None:
        """Set cookie `name`; keywords are `create_cookie`'s. `None` removes matching cookies."""
        if value is None:
            remove_cookie_by_name(self, name, domain=kwargs.get("domain"), path=kwargs.get("path"))
            return None
        if isinstance(value, Morsel):
            cookie = morsel_to_cookie(value)
        else:
            cookie = create_cookie(name, value, **kwargs)
        self.set_cookie(cookie)
        return cookie

    def iterkeys(self) -> Iterator[str]:
        return (cookie.name for cookie in iter(self))

    def keys(self) -> list[str]:  # type: ignore[override]  # a list, as in requests
        return list(self.iterkeys())

    def itervalues(self) -> Iterator[str | None]:
        return (cookie.value for cookie in iter(self))

    def values(self) -> list[str | None]:  # type: ignore[override]  # a list, as in requests
        return list(self.itervalues())

    def iteritems(self) -> Iterator[tuple[str, str | None]]:
        return ((cookie.name, cookie.value) for cookie in iter(self))

    def items(self) -> list[tuple[str, str | None]]:  # type: ignore[override]  # as in requests
        return list(self.iteritems())

    def list_domains(self) -> list[str]:
        """Every domain in the jar, once each, in jar order."""
        return list(dict.fromkeys(cookie.domain for cookie in iter(self)))

    def list_paths(self) -> list[str]:
        """Every path in the jar, once each, in jar order."""
        return list(dict.fromkeys(cookie.path for cookie in iter(self)))

    def multiple_domains(self) -> bool:
        """True when two cookies share a domain (requests' long-standing meaning of the name)."""
        seen: set[str] = set()
        for cookie in iter(self):
            if cookie.domain in seen:
                return True
            seen.add(cookie.domain)
        return False

    def get_dict(self, domain: str | None = None, path: str | None = None) -> dict[str, str | None]:
        """A plain dict of the cookies in `domain` and `path` (all when not given)."""
        return {
            cookie.name: cookie.value
            for cookie in iter(self)
            if (domain is None or cookie.domain == domain) and (path is None or cookie.path == path)
        }

    # A Mapping would iterate names; the jar iterates Cookie objects, as in requests.
    def __iter__(self) -> Iterator[Cookie]:  # type: ignore[override]
        return super().__iter__()

    def __contains__(self, name: object) -> bool:
        try:
            return super().__contains__(name)
        except CookieConflictError:
            return True

    def __getitem__(self, name: str) -> str | None:
        return self._find_no_duplicates(name)

    def __setitem__(self, name: str, value: str | Morsel[Any] | None) -> None:
        self.set(name, value)

    def __delitem__(self, name: str) -> None:
        remove_cookie_by_name(self, name)

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        value = cookie.value
        if value is not None and value.startswith('"') and value.endswith('"'):
            cookie.value = value.replace('\\"', "")
        super().set_cookie(cookie, *args, **kwargs)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Add the cookies of another `CookieJar` (copied), or the pairs of a dict-like."""
        if isinstance(other, CookieJar):
            for cookie in other:
                self.set_cookie(copy.copy(cookie))
        else:
            super().update(other, **kwargs)

    def _find(self, name: str, domain: str | None = None, path: str | None = None) -> str | None:
        """The value of the first cookie matching, or KeyError."""
        for cookie in iter(self):
            if _matches(cookie, name, domain, path):
                return cookie.value
        raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")

    def _find_no_duplicates(
        self, name: str, domain: str | None = None, path: str | None = None
    ) -> str:
        """The value of the one cookie matching; KeyError if none, CookieConflictError if more."""
        found: str | None = None
        for cookie in iter(self):
            if _matches(cookie, name, domain, path):
                if found is not None:
                    raise CookieConflictError(f"There are multiple cookies with name, {name!r}")
                found = cookie.value
        if found is not None:
            return found
        raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_cookies_lock")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "_cookies_lock" not in self.__dict__:
            self._cookies_lock = threading.RLock()

    def copy(self) -> RequestsCookieJar:
        """A new jar with copies of these cookies and the same policy."""
        new_jar = RequestsCookieJar()
        new_jar.set_policy(self.get_policy())
        new_jar.update(self)
        return new_jar

    def get_policy(self) -> CookiePolicy:
        """The `CookiePolicy` this jar applies."""
        return self._policy


def _matches(cookie: Cookie, name: str, domain: str | None, path: str | None) -> bool:
    return (
        cookie.name == name
        and (domain is None or cookie.domain == domain)
        and (path is None or cookie.path == path)
    )


def _copy_cookie_jar(jar: CookieJar | None) -> CookieJar | None:
    """A copy of any jar: `copy()` when it has one, else a shallow copy refilled with copies."""
    if jar is None:
        return None
    copy_method = getattr(jar, "copy", None)
    if copy_method is not None:
        copied: CookieJar = copy_method()
        return copied
    new_jar = copy.copy(jar)
    new_jar.clear()
    for cookie in jar:
        new_jar.set_cookie(copy.copy(cookie))
    return new_jar


_COOKIE_DEFAULTS: dict[str, Any] = {
    "version": 0,
    "name": None,
    "value": None,
    "port": None,
    "domain": "",
    "path": "/",
    "secure": False,
    "expires": None,
    "discard": True,
    "comment": None,
    "comment_url": None,
    "rest": {"HttpOnly": None},
    "rfc2109": False,
}


def create_cookie(name: str, value: str, **kwargs: Any) -> Cookie:
    """A `Cookie` from a name, a value and any of `Cookie`'s fields as keywords.

    Without `domain` the cookie has the domain "" and is sent on every request.

    ```python
    cookie = create_cookie("a", "1", domain="example.com", secure=True)
    ```
    """
    unexpected = set(kwargs) - set(_COOKIE_DEFAULTS)
    if unexpected:
        raise TypeError(f"create_cookie() got unexpected keyword arguments: {list(unexpected)}")
    fields = {**_COOKIE_DEFAULTS, "rest": {"HttpOnly": None}, "name": name, "value": value}
    fields.update(kwargs)
    fields["port_specified"] = bool(fields["port"])
    fields["domain_specified"] = bool(fields["domain"])
    fields["domain_initial_dot"] = fields["domain"].startswith(".")
    fields["path_specified"] = bool(fields["path"])
    return Cookie(**fields)


def morsel_to_cookie(morsel: Morsel[Any]) -> Cookie:
    """A `Cookie` from an `http.cookies.Morsel`; a bad `max-age` raises TypeError.

    ```python
    from http.cookies import SimpleCookie

    cookie = morsel_to_cookie(SimpleCookie("a=1; Max-Age=60")["a"])
    assert (cookie.name, cookie.value) == ("a", "1")
    ```
    """
    expires: int | None = None
    if morsel["max-age"]:
        try:
            expires = int(time.time() + int(morsel["max-age"]))
        except ValueError:
            raise TypeError(f"max-age: {morsel['max-age']} must be integer") from None
    elif morsel["expires"]:
        expires = calendar.timegm(time.strptime(morsel["expires"], "%a, %d-%b-%Y %H:%M:%S GMT"))
    return create_cookie(
        comment=morsel["comment"],
        comment_url=bool(morsel["comment"]),
        discard=False,
        domain=morsel["domain"],
        expires=expires,
        name=morsel.key,
        path=morsel["path"],
        port=None,
        rest={"HttpOnly": morsel["httponly"]},
        rfc2109=False,
        secure=bool(morsel["secure"]),
        value=morsel.value,
        version=morsel["version"] or 0,
    )


_JarT = TypeVar("_JarT", bound=CookieJar)


@overload
def cookiejar_from_dict(
    cookie_dict: Mapping[str, str] | None, cookiejar: None = None, overwrite: bool = True
) -> RequestsCookieJar: ...


@overload
def cookiejar_from_dict(
    cookie_dict: Mapping[str, str] | None, cookiejar: _JarT, overwrite: bool = True
) -> _JarT: ...


def cookiejar_from_dict(
    cookie_dict: Mapping[str, str] | None,
    cookiejar: CookieJar | None = None,
    overwrite: bool = True,
) -> CookieJar:
    """Add `cookie_dict`'s pairs to `cookiejar` (a new `RequestsCookieJar` if None).

    With `overwrite=False`, names already in the jar keep their cookies.

    ```python
    jar = cookiejar_from_dict({"a": "1"})
    ```
    """
    if cookiejar is None:
        cookiejar = RequestsCookieJar()
    if cookie_dict is not None:
        names_in_jar = {cookie.name for cookie in cookiejar}
        for name in cookie_dict:
            if overwrite or name not in names_in_jar:
                cookiejar.set_cookie(create_cookie(name, cookie_dict[name]))
    return cookiejar


def merge_cookies(cookiejar: CookieJar, cookies: Mapping[str, str] | CookieJar | None) -> CookieJar:
    """Add `cookies` (a dict, which never replaces, or a jar, which does) to `cookiejar`.

    ```python
    jar = merge_cookies(cookiejar_from_dict({"a": "1"}), {"a": "2", "b": "3"})
    assert jar.get_dict() == {"a": "1", "b": "3"}
    ```
    """
    if not isinstance(cookiejar, CookieJar):
        raise ValueError("You can only merge into CookieJar")
    if isinstance(cookies, dict):
        cookiejar = cookiejar_from_dict(cookies, cookiejar=cookiejar, overwrite=False)
    elif isinstance(cookies, CookieJar):
        update = getattr(cookiejar, "update", None)
        if update is not None:
            update(cookies)
        else:
            for cookie in cookies:
                cookiejar.set_cookie(cookie)
    return cookiejar
