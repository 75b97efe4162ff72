"""`requests.compat` for drop-in code: the Python 3 names requests re-exports from the stdlib.

```python
from requests_async.sync.compat import urljoin, urlparse
```
"""

import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from http import cookiejar as cookielib
from http.cookies import Morsel
from io import StringIO
from json import JSONDecodeError
from urllib.parse import (
    quote,
    quote_plus,
    unquote,
    unquote_plus,
    urldefrag,
    urlencode,
    urljoin,
    urlparse,
    urlsplit,
    urlunparse,
)
from urllib.request import getproxies, getproxies_environment, parse_http_list, proxy_bypass

# Defined by urllib.request at run time, but missing from its type stubs.
proxy_bypass_environment = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]

is_py2 = False
is_py3 = True
builtin_str = str
str = str
bytes = bytes
basestring = (str, bytes)
numeric_types = (int, float)
integer_types = (int,)

__all__ = [
    "Callable",
    "JSONDecodeError",
    "Mapping",
    "Morsel",
    "MutableMapping",
    "OrderedDict",
    "StringIO",
    "basestring",
    "builtin_str",
    "bytes",
    "cookielib",
    "getproxies",
    "getproxies_environment",
    "integer_types",
    "is_py2",
    "is_py3",
    "numeric_types",
    "parse_http_list",
    "proxy_bypass",
    "proxy_bypass_environment",
    "quote",
    "quote_plus",
    "str",
    "unquote",
    "unquote_plus",
    "urldefrag",
    "urlencode",
    "urljoin",
    "urlparse",
    "urlsplit",
    "urlunparse",
]
