"""HTTP/2 without I/O: request header blocks, response heads, settings and error codes for h2."""

from __future__ import annotations

import http

import h2.config
import h2.connection
import h2.events
import h2.settings
from h2.errors import ErrorCodes

from ._config import ProtocolLimits
from ._exceptions import LimitExceeded, RemoteProtocolError
from ._models import Request

# The receive windows: what one stream, and the whole connection, may have in flight toward us
# before the application reads it. They bound the memory a slow reader can be made to hold.
STREAM_WINDOW = 1024 * 1024
CONNECTION_WINDOW = 16 * 1024 * 1024
# RFC 9113 section 6.9.2: every connection starts with this window, whatever SETTINGS say.
_INITIAL_CONNECTION_WINDOW = 65535

# RFC 9113 section 8.2.2: header fields that only mean something to one HTTP/1.1 connection.
_CONNECTION_SPECIFIC = frozenset(
    (b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade", b"host")
)


class _StateMachine(h2.connection.H2ConnectionStateMachine):
    """h2's connection state machine, left open when the server sends GOAWAY.

    h2 closes the connection on GOAWAY, but RFC 9113 section 6.8 lets the streams up to the
    frame's last_stream_id complete: their frames must still be received and answered.
    """

    def process_input(self, input_: h2.connection.ConnectionInputs) -> list[h2.events.Event]:
        if (
            input_ is h2.connection.ConnectionInputs.RECV_GOAWAY
            and self.state is h2.connection.ConnectionState.CLIENT_OPEN
        ):
            return []
        return super().process_input(input_)


class _Connection(h2.connection.H2Connection):
    def clear_outbound_data_buffer(self) -> None:
        # h2 drops unsent frames on GOAWAY; window updates and resets for the streams the
        # server still serves must go out (see _StateMachine).
        pass


def new_connection(limits: ProtocolLimits) -> h2.connection.H2Connection:
    """Return a client-side h2 state machine with our settings, its preface queued."""
    config = h2.config.H2Configuration(
        client_side=True,
        header_encoding=None,
        # request_headers() below already applies RFC 9113's rules to what we send.
        validate_outbound_headers=False,
        normalize_outbound_headers=False,
    )
    state = _Connection(config)
    state.state_machine = _StateMachine()
    state.local_settings = h2.settings.Settings(
        client=True,
        initial_values={
            h2.settings.SettingCodes.ENABLE_PUSH: 0,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: STREAM_WINDOW,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: limits.max_header_bytes,
        },
    )
    state.initiate_connection()
    if CONNECTION_WINDOW > _INITIAL_CONNECTION_WINDOW:
        state.increment_flow_control_window(CONNECTION_WINDOW - _INITIAL_CONNECTION_WINDOW)
    return state


def request_headers(request: Request) -> list[tuple[bytes, bytes]]:
    """The header block of `request`: pseudo-headers first, then lower-case fields.

    RFC 9113 section 8.3.1: `:authority` replaces Host; section 8.2.2: connection-specific
    fields (and those a Connection header names) are not sent, and TE only as "trailers".

    ```python
    request_headers(Request("GET", "https://example.com/a"))[:4] == [
        (b":method", b"GET"), (b":authority", b"example.com"),
        (b":scheme", b"https"), (b":path", b"/a")]
    ```
    """
    url = request.url
    authority = url.host_header
    dropped = _CONNECTION_SPECIFIC
    lowered = [(name.lower(), value) for name, value in request.headers]
    for name, value in lowered:
        if name == b"host":
            authority = value
        elif name == b"connection":
            tokens = {token.strip().lower() for token in value.split(b",")}
            dropped = dropped | tokens
    block = [
        (b":method", request.method),
        (b":authority", authority),
        (b":scheme", url.scheme.encode("ascii")),
        (b":path", url.target),
    ]
    for name, value in lowered:
        if name in dropped:
            continue
        if name == b"te" and value.strip().lower() != b"trailers":
            continue
        block.append((name, value))
    return block


def response_head(
    headers: list[tuple[bytes, bytes]], limits: ProtocolLimits
) -> tuple[int, list[tuple[bytes, bytes]]]:
    """Split a response header block (validated by h2) into status code and fields.

    Raises `RemoteProtocolError` for a bad `:status`, `LimitExceeded` past `limits`.
    """
    status = b""
    fields = []
    size = 0
    for name, value in headers:
        # RFC 9113 section 6.5.2: a field's size is its name and value plus 32 octets.
        size += len(name) + len(value) + 32
        # h2 has checked that :status is the only pseudo-header (RFC 9113 section 8.3.2).
        if name == b":status":
            status = value
        else:
            fields.append((name, value))
    if size > limits.max_header_bytes:
        raise LimitExceeded(f"response headers over max_header_bytes ({limits.max_header_bytes})")
    if len(fields) > limits.max_header_count:
        raise LimitExceeded(f"more than max_header_count ({limits.max_header_count}) headers")
    if len(status) != 3 or not status.isdigit():
        raise RemoteProtocolError(f"invalid :status {status!r}")
    return int(status), fields


def reason_phrase(status_code: int) -> str:
    """HTTP/2 carries no reason phrase (RFC 9113 section 8.3.2): give the standard one."""
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def error_name(code: int) -> str:
    """`ErrorCodes` name of an RFC 9113 section 7 error code, or the number."""
    try:
        return ErrorCodes(code).name
    except ValueError:
        return f"error code {code}"
