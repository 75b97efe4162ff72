"""The cookie policy of requests_async's jars: `DefaultCookiePolicy` plus the public suffix list.

RFC 6265 section 5.3, step 5: a cookie whose Domain attribute is a public suffix (`com`,
`co.uk`, `github.io`...) would reach every site under it, so it is refused, unless the
suffix is the request's own host, where it becomes a host-only cookie. `http.cookiejar` only
knows a few such suffixes by heuristics; the list comes from the `publicsuffixlist` package,
which carries a snapshot of the Mozilla list (no network access), loaded on the first cookie
that names a domain.

```python
from requests_async.cookies import RequestsCookieJar

assert isinstance(RequestsCookieJar().get_policy(), PublicSuffixPolicy)
```
"""

from __future__ import annotations

import functools
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlparse


@functools.cache
def _public_suffixes() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """Whether cookies may not be set for `domain` (a leading dot is ignored).

    ```python
    assert is_public_suffix("github.io") and not is_public_suffix("example.com")
    ```
    """
    return bool(_public_suffixes().is_public(domain.lstrip(".").lower()))


class PublicSuffixPolicy(DefaultCookiePolicy):
    """`DefaultCookiePolicy` that refuses Domain attributes naming a public suffix, and sends a
    cookie set without a Domain attribute back to its host only (RFC 6265 section 5.4: a
    host-only cookie does not go to subdomains, where http.cookiejar sends it by default)."""

    def return_ok_domain(self, cookie: Cookie, request: Any) -> bool:
        domain = cookie.domain
        if domain and not cookie.domain_specified and not domain.startswith("."):
            # A host-only cookie; http.cookiejar names a dotless host "host.local". Cookies
            # without any domain (requests' `jar.set(name, value)`) go everywhere, as in requests.
            host = urlparse(request.get_full_url()).hostname or ""
            if domain not in (host, host + ".local"):
                return False
        return bool(super().return_ok_domain(cookie, request))

    def set_ok_domain(self, cookie: Cookie, request: Any) -> bool:
        if cookie.domain_specified and is_public_suffix(cookie.domain):
            host = urlparse(request.get_full_url()).hostname or ""
            if cookie.domain.lstrip(".").lower() != host:
                return False
            # The suffix is the host itself (a site at github.io): the cookie stays on it.
            cookie.domain = host
            cookie.domain_specified = False
            cookie.domain_initial_dot = False
        return bool(super().set_ok_domain(cookie, request))
