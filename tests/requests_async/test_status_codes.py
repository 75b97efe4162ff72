"""`codes` holds exactly requests' names."""

from __future__ import annotations

import pytest
import requests.status_codes

from requests_async import status_codes
from requests_async.status_codes import codes


def test_same_names_and_codes_as_requests():
    assert vars(codes) == vars(requests.status_codes.codes)
    assert status_codes._codes == requests.status_codes._codes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ok", 200),
        ("OK", 200),
        ("okay", 200),
        ("\\o/", 200),
        ("✓", 200),
        ("teapot", 418),
        ("temporary_redirect", 307),
        ("PERMANENT_REDIRECT", 308),
        ("precondition", 428),
        ("uri_too_long", 414),
        ("/o\\", 500),
        ("-o-", 404),
        ("-O-", 404),
    ],
)
def test_lookups(name, code):
    assert codes[name] == code
    assert getattr(codes, name) == code
    assert codes.get(name) == code


def test_names_starting_with_a_slash_have_no_upper_case_twin():
    assert codes["\\O/"] is None
    assert codes["\\o-"] == 301
    assert codes["\\O-"] is None


def test_unknown_names():
    assert codes["no_such_status"] is None
    with pytest.raises(AttributeError):
        codes.no_such_status  # noqa: B018


def test_doc_lists_every_code():
    assert status_codes.__doc__ is not None
    assert "* 418: `im_a_teapot`, `teapot`, `i_am_a_teapot`" in status_codes.__doc__
    assert status_codes.__doc__.count("\n* ") == len(status_codes._codes)
    assert repr(codes) == "<lookup 'status_codes'>"
