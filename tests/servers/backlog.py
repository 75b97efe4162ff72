"""A loopback listener that never completes a new TCP handshake, for connect timeouts.

Linux keeps at most `backlog + 1` established connections waiting for `accept()`. While
that queue is full, `tcp_conn_request` drops every incoming SYN (whatever the SYN-cookie
setting), and the client keeps retransmitting it, so `connect()` hangs until the client's
own timeout. The listener below calls `listen(0)`, never accepts, and holds filler
connections until one of them stops completing; from then on every new connect hangs.
"""

from __future__ import annotations

import select
import socket
from types import TracebackType

_MAX_FILLERS = 64
# A loopback handshake completes in microseconds; a SYN that is dropped is not retried
# for a whole second (RFC 6298 section 2.1 initial RTO), so this separates the two cases.
_HANDSHAKE_WAIT = 0.1
_PROBE_TIMEOUT = 0.2


class FullBacklogListener:
    """A listener on 127.0.0.1 whose accept queue is full, so new connects time out.

    Attributes: `address` (`(host, port)`).

    Example:
        with FullBacklogListener() as listener:
            socket.create_connection(listener.address, timeout=0.2)  # raises TimeoutError
    """

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.address: tuple[str, int] = self._listener.getsockname()
        self._fillers: list[socket.socket] = []
        try:
            self._fill()
            self._verify()
        except BaseException:
            self.close()
            raise

    def _fill(self) -> None:
        for _ in range(_MAX_FILLERS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._fillers.append(sock)
            sock.setblocking(False)
            sock.connect_ex(self.address)
            _, writable, _ = select.select([], [sock], [], _HANDSHAKE_WAIT)
            if not writable:
                return
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, "a filler connection to the backlog listener failed")
        raise RuntimeError(f"the accept queue still took connections after {_MAX_FILLERS}")

    def _verify(self) -> None:
        try:
            probe = socket.create_connection(self.address, timeout=_PROBE_TIMEOUT)
        except TimeoutError:
            return
        probe.close()
        raise RuntimeError("a connect to the full backlog listener completed")

    def close(self) -> None:
        """Close the filler connections and the listener."""
        for sock in self._fillers:
            sock.close()
        self._listener.close()

    def __enter__(self) -> FullBacklogListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
