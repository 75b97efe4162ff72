"""SSLConfig, TimeoutConfig, PoolLimits and ProtocolLimits: validation, equality, contexts."""

from __future__ import annotations

import json
import math
import ssl
import time
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

import httpcore
from httpcore import PoolLimits, ProtocolLimits, SSLConfig, TimeoutConfig
from httpcore._config import capped, past_deadline

PASSWORD = "correct horse"
TUPLE_CERT_NAME = "duohttp tuple client"


@pytest.fixture(scope="module")
def split_client_cert(ca: trustme.CA, tls_dir: Path) -> dict[str, Path]:
    """A client certificate from `ca` with its key in separate files, one of them encrypted."""
    leaf = ca.issue_cert("tuple@example.org", common_name=TUPLE_CERT_NAME)
    certfile = tls_dir / "tuple-cert.pem"
    keyfile = tls_dir / "tuple-key.pem"
    encrypted_keyfile = tls_dir / "tuple-key-encrypted.pem"
    certfile.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    keyfile.write_bytes(leaf.private_key_pem.bytes())
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
    encrypted_keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return {"cert": certfile, "key": keyfile, "encrypted_key": encrypted_keyfile}


# SSLConfig ----------------------------------------------------------------------------


def test_ssl_config_defaults():
    config = SSLConfig()
    assert config.verify is True
    assert config.cert is None
    assert repr(config) == "SSLConfig(cert=None, verify=True)"


def test_ssl_config_equality_and_hash():
    assert SSLConfig(verify="ca.pem") == SSLConfig(verify="ca.pem")
    assert hash(SSLConfig(verify="ca.pem")) == hash(SSLConfig(verify="ca.pem"))
    assert SSLConfig(verify="ca.pem") != SSLConfig(verify="other.pem")
    assert SSLConfig(cert="a.pem") != SSLConfig(cert=("a.pem", "a.key"))
    assert SSLConfig() != "SSLConfig()"
    assert len({SSLConfig(), SSLConfig(), SSLConfig(verify=False)}) == 2


def test_ssl_config_repr_shows_both_settings():
    config = SSLConfig(cert=("c.pem", "k.pem"), verify=False)
    assert repr(config) == "SSLConfig(cert=('c.pem', 'k.pem'), verify=False)"


@pytest.mark.parametrize("verify", [None, 1, 0, b"/etc/ssl/ca.pem", ["ca.pem"]])
def test_ssl_config_rejects_other_verify_types(verify):
    with pytest.raises(TypeError, match="verify must be a bool or a path"):
        SSLConfig(verify=verify)


def test_missing_ca_path(tmp_path):
    config = SSLConfig(verify=str(tmp_path / "nowhere.pem"))
    with pytest.raises(httpcore.TLSConfigError, match=r"nowhere\.pem") as info:
        config.load_ssl_context()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_ca_file_as_path_object(ca_file):
    context = SSLConfig(verify=ca_file).load_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert len(context.get_ca_certs()) == 1


def test_ca_directory_context(ca_dir):
    context = SSLConfig(verify=str(ca_dir)).load_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    # A capath is searched lazily, during handshakes: at most our one CA is ever loaded, and
    # no system CA is.
    assert len(context.get_ca_certs()) <= 1


def test_default_context_trusts_certifi():
    context = SSLConfig().load_ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert len(context.get_ca_certs()) > 10
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.options & ssl.OP_NO_COMPRESSION


def test_verify_false_context_checks_nothing():
    context = SSLConfig(verify=False).load_ssl_context()
    assert context.verify_mode == ssl.CERT_NONE
    assert not context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_contexts_are_cached_per_setting(ca_file):
    first = SSLConfig(verify=ca_file).load_ssl_context()
    assert SSLConfig(verify=ca_file).load_ssl_context() is first
    assert SSLConfig(verify=str(ca_file)).load_ssl_context() is first
    assert SSLConfig(verify=False).load_ssl_context() is not first


def test_http2_context_is_a_different_context(ca_file):
    http1 = SSLConfig(verify=ca_file).load_ssl_context()
    http2 = SSLConfig(verify=ca_file).load_ssl_context(http2=True)
    assert http2 is not http1
    assert SSLConfig(verify=ca_file).load_ssl_context(http2=True) is http2


def negotiated_alpn(client: ssl.SSLContext, server: ssl.SSLContext) -> str | None:
    """Run a TLS handshake in memory and return the protocol the server picked."""
    client_in, client_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    server_in, server_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client_side = client.wrap_bio(client_in, client_out, server_hostname="localhost")
    server_side = server.wrap_bio(server_in, server_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client_side), ("server", server_side)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        server_in.write(client_out.read())
        client_in.write(server_out.read())
        if all(done.values()):
            return client_side.selected_alpn_protocol()
    raise AssertionError("the in-memory TLS handshake did not finish")


@pytest.fixture(scope="module")
def h2_server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def test_alpn_offers_h2_only_for_http2(ca_file, h2_server_context):
    http1 = SSLConfig(verify=ca_file).load_ssl_context()
    http2 = SSLConfig(verify=ca_file).load_ssl_context(http2=True)
    assert negotiated_alpn(http1, h2_server_context) == "http/1.1"
    assert negotiated_alpn(http2, h2_server_context) == "h2"


async def client_cert_name(server, config):
    async with httpcore.ConnectionPool(ssl=config) as http:
        response = await http.request("GET", server.url + "/client_cert")
    info = json.loads(response.body)
    return None if info is None else info["name"]


async def test_client_cert_as_one_file(client_cert_https_server, ca_file, client_cert_file):
    config = SSLConfig(verify=ca_file, cert=str(client_cert_file))
    assert "duohttp test client" in await client_cert_name(client_cert_https_server, config)


async def test_client_cert_as_pair(client_cert_https_server, ca_file, split_client_cert):
    config = SSLConfig(
        verify=ca_file, cert=(str(split_client_cert["cert"]), str(split_client_cert["key"]))
    )
    assert TUPLE_CERT_NAME in await client_cert_name(client_cert_https_server, config)


async def test_client_cert_with_encrypted_key(client_cert_https_server, ca_file, split_client_cert):
    cert = (
        str(split_client_cert["cert"]),
        str(split_client_cert["encrypted_key"]),
        PASSWORD,
    )
    config = SSLConfig(verify=ca_file, cert=cert)
    assert TUPLE_CERT_NAME in await client_cert_name(client_cert_https_server, config)


def test_encrypted_key_with_the_wrong_password(ca_file, split_client_cert):
    cert = (str(split_client_cert["cert"]), str(split_client_cert["encrypted_key"]), "wrong")
    with pytest.raises(httpcore.TLSConfigError) as info:
        SSLConfig(verify=ca_file, cert=cert).load_ssl_context()
    assert isinstance(info.value.__cause__, ssl.SSLError)


def test_encrypted_key_without_a_password_does_not_prompt(ca_file, split_client_cert):
    cert = (str(split_client_cert["cert"]), str(split_client_cert["encrypted_key"]))
    with pytest.raises(httpcore.TLSConfigError, match="encrypted: give its password"):
        SSLConfig(verify=ca_file, cert=cert).load_ssl_context()


@pytest.mark.parametrize("cert", [123, ("only-one",), ("a", "b", "c", "d")])
def test_cert_of_the_wrong_shape(cert):
    with pytest.raises(TypeError, match="cert must be a path or a 2- or 3-tuple"):
        SSLConfig(verify=False, cert=cert).load_ssl_context()


# TimeoutConfig --------------------------------------------------------------------------


def test_timeout_defaults_to_none_everywhere():
    assert TimeoutConfig().as_tuple() == (None, None, None, None)
    assert repr(TimeoutConfig()) == "TimeoutConfig(timeout=None)"


def test_one_number_sets_all_four():
    config = TimeoutConfig(2.5)
    assert config.connect_timeout == 2.5
    assert config.read_timeout == 2.5
    assert config.write_timeout == 2.5
    assert config.pool_timeout == 2.5
    assert repr(config) == "TimeoutConfig(timeout=2.5)"


def test_keywords_override_one_each():
    config = TimeoutConfig(5, connect_timeout=1, read_timeout=2, write_timeout=3, pool_timeout=4)
    assert config.as_tuple() == (1, 2, 3, 4)
    assert TimeoutConfig(5, read_timeout=0).as_tuple() == (5, 0, 5, 5)
    assert TimeoutConfig(pool_timeout=1).as_tuple() == (None, None, None, 1)


def test_copy_from_another_timeout_config():
    base = TimeoutConfig(5, pool_timeout=1)
    copy = TimeoutConfig(base)
    assert copy == base
    assert copy is not base
    assert TimeoutConfig(base, read_timeout=9).as_tuple() == (5, 9, 5, 1)
    assert base.read_timeout == 5


def test_timeout_repr_round_trips():
    mixed = TimeoutConfig(connect_timeout=1, read_timeout=2.5, write_timeout=None, pool_timeout=4)
    assert repr(mixed) == (
        "TimeoutConfig(connect_timeout=1, read_timeout=2.5, write_timeout=None, pool_timeout=4)"
    )
    assert eval(repr(mixed), {"TimeoutConfig": TimeoutConfig}) == mixed
    same = TimeoutConfig(3)
    assert eval(repr(same), {"TimeoutConfig": TimeoutConfig}) == same


def test_timeout_equality_and_hash():
    assert TimeoutConfig(1) == TimeoutConfig(1.0)
    assert hash(TimeoutConfig(1)) == hash(TimeoutConfig(1.0))
    assert TimeoutConfig(1) != TimeoutConfig(1, pool_timeout=2)
    assert TimeoutConfig(1) != (1, 1, 1, 1)
    assert len({TimeoutConfig(1), TimeoutConfig(1), TimeoutConfig(2)}) == 2


def test_infinite_timeout_is_accepted():
    assert TimeoutConfig(math.inf).read_timeout == math.inf


@pytest.mark.parametrize("value", [-1, -0.001, math.nan])
def test_negative_or_nan_timeouts_are_rejected(value):
    with pytest.raises(ValueError, match=r"^connect_timeout must be >= 0"):
        TimeoutConfig(value)
    with pytest.raises(ValueError, match=r"^connect_timeout must be >= 0"):
        TimeoutConfig(connect_timeout=value)


@pytest.mark.parametrize("value", [True, False, "5", b"5", [5]])
def test_non_numeric_timeouts_are_rejected(value):
    with pytest.raises(TypeError, match=r"^connect_timeout must be a number of seconds or None"):
        TimeoutConfig(value)
    with pytest.raises(TypeError, match=r"^connect_timeout must be a number of seconds or None"):
        TimeoutConfig(connect_timeout=value)


@pytest.mark.parametrize(
    "field", ["connect_timeout", "read_timeout", "write_timeout", "pool_timeout", "total_timeout"]
)
def test_timeout_errors_name_the_offending_field(field):
    with pytest.raises(ValueError, match=f"^{field} must be >= 0, not -1$"):
        TimeoutConfig(**{field: -1})
    with pytest.raises(TypeError, match=f"^{field} must be a number of seconds or None"):
        TimeoutConfig(**{field: "5"})


def test_total_timeout_is_only_set_by_name():
    assert TimeoutConfig(5).total_timeout is None
    config = TimeoutConfig(5, total_timeout=30)
    assert (config.as_tuple(), config.total_timeout) == ((5, 5, 5, 5), 30)
    # Copied from another config, and overridden (None lifts it).
    assert TimeoutConfig(config, read_timeout=1).total_timeout == 30
    assert TimeoutConfig(config, total_timeout=None).total_timeout is None
    assert config != TimeoutConfig(5)
    assert hash(config) == hash(TimeoutConfig(5, total_timeout=30.0))
    assert repr(config) == "TimeoutConfig(timeout=5, total_timeout=30)"
    mixed = TimeoutConfig(5, read_timeout=1, total_timeout=30)
    assert eval(repr(mixed), {"TimeoutConfig": TimeoutConfig}) == mixed


def test_start_sets_a_deadline_once():
    plain = TimeoutConfig(5)
    assert plain.start() is plain
    assert plain.deadline is None
    config = TimeoutConfig(5, total_timeout=30)
    before = time.monotonic()
    started = config.start()
    assert started is not config and config.deadline is None
    assert started == config
    assert before + 30 <= started.deadline <= time.monotonic() + 30
    # Redirects and retries pass the started config on: it keeps its deadline.
    assert started.start() is started


def test_capped_shortens_a_timeout_to_the_deadline():
    assert capped(5.0, None) == 5.0
    assert capped(None, None) is None
    soon = time.monotonic() + 1.0
    assert 0 < capped(5.0, soon) <= 1.0
    assert 0 < capped(None, soon) <= 1.0
    assert capped(0.5, soon) == 0.5
    with pytest.raises(httpcore.TotalTimeout, match="total_timeout"):
        capped(5.0, time.monotonic() - 0.1)


def test_past_deadline_names_the_total_timeout_only_once_it_passed():
    error = httpcore.ReadTimeout("timed out reading from the server")
    assert past_deadline(error, None) is error
    assert past_deadline(error, time.monotonic() + 60) is error
    total = past_deadline(error, time.monotonic() - 0.1)
    assert isinstance(total, httpcore.TotalTimeout)
    assert total.__cause__ is error


# PoolLimits -------------------------------------------------------------------------------


def test_pool_limits_defaults():
    limits = PoolLimits()
    assert (limits.soft_limit, limits.hard_limit, limits.keepalive_expiry) == (10, 100, 5.0)
    assert repr(limits) == "PoolLimits(soft_limit=10, hard_limit=100, keepalive_expiry=5.0)"


def test_pool_limits_accept_edge_values():
    limits = PoolLimits(soft_limit=0, hard_limit=None, keepalive_expiry=None)
    assert repr(limits) == "PoolLimits(soft_limit=0, hard_limit=None, keepalive_expiry=None)"
    assert PoolLimits(hard_limit=1, keepalive_expiry=0).hard_limit == 1


def test_pool_limits_equality_and_hash():
    assert PoolLimits(soft_limit=3) == PoolLimits(soft_limit=3)
    assert hash(PoolLimits(soft_limit=3)) == hash(PoolLimits(soft_limit=3))
    assert PoolLimits(soft_limit=3) != PoolLimits(soft_limit=4)
    assert PoolLimits(hard_limit=3) != PoolLimits(hard_limit=None)
    assert PoolLimits(keepalive_expiry=1) != PoolLimits(keepalive_expiry=2)
    assert PoolLimits() != ProtocolLimits()
    limits = PoolLimits(soft_limit=2, hard_limit=7, keepalive_expiry=1.5)
    assert eval(repr(limits), {"PoolLimits": PoolLimits}) == limits


@pytest.mark.parametrize("soft_limit", [-1, True, 1.5, "10", None])
def test_bad_soft_limit(soft_limit):
    with pytest.raises(ValueError, match="soft_limit must be an int >= 0"):
        PoolLimits(soft_limit=soft_limit)


@pytest.mark.parametrize("hard_limit", [0, -5, True, 2.0, "100"])
def test_bad_hard_limit(hard_limit):
    with pytest.raises(ValueError, match="hard_limit must be an int >= 1 or None"):
        PoolLimits(hard_limit=hard_limit)


def test_bad_keepalive_expiry():
    with pytest.raises(ValueError, match="keepalive_expiry must be >= 0"):
        PoolLimits(keepalive_expiry=-1)
    with pytest.raises(TypeError, match="keepalive_expiry must be a number"):
        PoolLimits(keepalive_expiry="5")


# ProtocolLimits -------------------------------------------------------------------------


def test_protocol_limits_defaults_and_repr():
    limits = ProtocolLimits()
    assert (limits.max_header_bytes, limits.max_header_count) == (65536, 128)
    assert (limits.max_informational_responses, limits.max_body_bytes) == (32, None)
    assert limits.max_decompression_ratio == 100
    assert repr(limits) == (
        "ProtocolLimits(max_header_bytes=65536, max_header_count=128, "
        "max_informational_responses=32, max_body_bytes=None, max_decompression_ratio=100)"
    )
    custom = ProtocolLimits(
        max_header_bytes=1,
        max_header_count=2,
        max_informational_responses=0,
        max_body_bytes=0,
        max_decompression_ratio=None,
    )
    assert eval(repr(custom), {"ProtocolLimits": ProtocolLimits}) == custom


def test_protocol_limits_equality_and_hash():
    assert ProtocolLimits(max_header_count=5) == ProtocolLimits(max_header_count=5)
    assert hash(ProtocolLimits(max_header_count=5)) == hash(ProtocolLimits(max_header_count=5))
    assert ProtocolLimits(max_header_count=5) != ProtocolLimits(max_header_count=6)
    assert ProtocolLimits(max_header_bytes=5) != ProtocolLimits(max_header_bytes=6)
    assert ProtocolLimits(max_body_bytes=5) != ProtocolLimits()
    assert ProtocolLimits(max_informational_responses=5) != ProtocolLimits()
    assert ProtocolLimits(max_decompression_ratio=None) != ProtocolLimits()
    assert ProtocolLimits() != PoolLimits()


@pytest.mark.parametrize("field", ["max_header_bytes", "max_header_count"])
@pytest.mark.parametrize("value", [0, -1, True, 1.0, "64", None])
def test_bad_protocol_limits(field, value):
    with pytest.raises(ValueError, match=f"{field} must be an int >= 1"):
        ProtocolLimits(**{field: value})


@pytest.mark.parametrize("field", ["max_informational_responses", "max_body_bytes"])
@pytest.mark.parametrize("value", [-1, True, 1.0, "64"])
def test_bad_optional_protocol_limits(field, value):
    with pytest.raises(ValueError, match=f"{field} must be an int >= 0"):
        ProtocolLimits(**{field: value})


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "64"])
def test_bad_decompression_ratio(value):
    with pytest.raises(ValueError, match="max_decompression_ratio must be an int >= 1"):
        ProtocolLimits(max_decompression_ratio=value)


def test_pool_keeps_the_configs_it_was_given():
    ssl_config = SSLConfig(verify=False)
    limits = PoolLimits(soft_limit=1)
    protocol_limits = ProtocolLimits(max_header_count=4)
    http = httpcore.ConnectionPool(ssl_config, 3, limits, protocol_limits=protocol_limits)
    assert http.ssl is ssl_config
    assert http.timeout == TimeoutConfig(3)
    assert http.limits is limits
    assert http.protocol_limits is protocol_limits
    timeout = TimeoutConfig(1, pool_timeout=2)
    assert httpcore.SyncConnectionPool(timeout=timeout).timeout is timeout
    assert httpcore.SyncConnectionPool(timeout=None).timeout == TimeoutConfig(None)


def test_a_keyword_none_lifts_one_limit():
    config = TimeoutConfig(5.0, read_timeout=None)
    assert config.as_tuple() == (5.0, None, 5.0, 5.0)
    assert TimeoutConfig(config, pool_timeout=None).as_tuple() == (5.0, None, 5.0, None)
    assert TimeoutConfig(None, connect_timeout=1).as_tuple() == (1, None, None, None)


def test_equal_paths_make_equal_configs(ca_file):
    import pathlib

    assert SSLConfig(verify=pathlib.Path(ca_file)) == SSLConfig(verify=str(ca_file))
    assert SSLConfig(cert=(pathlib.Path("c"), "k")).cert == ("c", "k")


def test_default_marker_repr():
    from httpcore._config import DEFAULT

    assert repr(DEFAULT) == "DEFAULT"
