"""The async floor: asyncio Protocols sending fixed requests, reading responses by Content-Length.

It does the least any HTTP/1.1 client must do against this server on an asyncio event loop,
so its figures are the limit for async Python on this machine, not a usable client.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

from ._harness import (
    CheckFailed,
    Config,
    MemoryProbe,
    Result,
    Upload,
    check_length,
    check_small,
    import_workload,
    main,
    run_async,
)


class _Protocol(asyncio.Protocol):
    """One connection: a response is complete when its Content-Length bytes have arrived."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.keep_body = True
        self.status = 0
        self.length = -1
        self.received = 0
        self.done: asyncio.Future[None] | None = None
        self.writable: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.length < 0:
            self.buffer += data
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            del self.buffer[: end + 4]
            start = head.find(b"\r\ncontent-length:")
            if not head.startswith(b"http/1.1 ") or start < 0:
                assert self.done is not None
                self.done.set_exception(CheckFailed(f"unexpected response head {head[:200]!r}"))
                return
            self.status = int(head[9:12])
            self.length = int(head[start + 17 : head.index(b"\r\n", start + 2)])
            self.received = len(self.buffer)
            if not self.keep_body:
                self.buffer.clear()
        elif self.keep_body:
            self.buffer += data
            self.received += len(data)
        else:
            self.received += len(data)
        if self.received >= self.length and self.done is not None and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.done, self.writable):
            if future is not None and not future.done():
                future.set_exception(ConnectionError("connection closed by the server"))

    def pause_writing(self) -> None:
        self.writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    async def exchange(self, data: bytes, keep_body: bool = True) -> tuple[int, bytes, int]:
        """Send `data`, await the whole response: (status, body if kept, bytes received)."""
        self.send(data)
        return await self.response(keep_body)

    def send(self, data: bytes) -> None:
        assert self.transport is not None
        self.status, self.length, self.received, self.keep_body = 0, -1, 0, True
        self.done = asyncio.get_running_loop().create_future()
        self.transport.write(data)

    async def response(self, keep_body: bool = True) -> tuple[int, bytes, int]:
        assert self.done is not None
        self.keep_body = keep_body
        if not keep_body:
            self.buffer.clear()
        await self.done
        body = bytes(self.buffer[: self.length]) if keep_body else b""
        self.buffer.clear()
        return self.status, body, self.received


class Client:
    """Connections to the origin of `url`, free ones kept in a list for reuse."""

    def __init__(self, url: str, ca: str | None) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        self.address = (parts.hostname, parts.port)
        self.ssl = ssl.create_default_context(cafile=ca) if parts.scheme == "https" else None
        self.host = parts.netloc.encode()
        self.path = parts.path.encode()
        self.free: list[_Protocol] = []

    def head(self, method: bytes, extra: bytes = b"") -> bytes:
        return b"%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (method, self.path, self.host, extra)

    async def acquire(self) -> _Protocol:
        if self.free:
            return self.free.pop()
        loop = asyncio.get_running_loop()
        host = self.address[0] if self.ssl else None
        _, protocol = await loop.create_connection(
            _Protocol, *self.address, ssl=self.ssl, server_hostname=host
        )
        return protocol


async def small(config: Config) -> Result:
    client = Client(config.url, config.ca)
    request = client.head(b"GET")

    async def once() -> int:
        protocol = await client.acquire()
        status, body, _ = await protocol.exchange(request)
        client.free.append(protocol)
        return check_small(status, body)

    return await run_async(config, once)


async def download(config: Config) -> Result:
    client = Client(config.url, config.ca)
    request = client.head(b"GET")

    async def once() -> int:
        protocol = await client.acquire()
        status, _, received = await protocol.exchange(request, keep_body=False)
        client.free.append(protocol)
        return check_length(status, received, config.size)

    return await run_async(config, once)


async def upload(config: Config) -> Result:
    client = Client(config.url, config.ca)
    request = client.head(b"POST", b"Transfer-Encoding: chunked\r\n")

    async def once() -> int:
        body = Upload(config.size)
        protocol = await client.acquire()
        assert protocol.transport is not None
        protocol.send(request)
        async for chunk in body.achunks():
            # RFC 9112 section 7.1: each chunk is its size in hex, CRLF, the data, CRLF.
            protocol.transport.writelines([b"%x\r\n" % len(chunk), chunk, b"\r\n"])
            if protocol.writable is not None:
                await protocol.writable
        protocol.transport.write(b"0\r\n\r\n")
        status, reply, _ = await protocol.response()
        client.free.append(protocol)
        return body.check(status, reply)

    return await run_async(config, once)


async def memory(config: Config) -> Result:
    probe = MemoryProbe(config.concurrency)
    client = Client(config.url, config.ca)
    request = client.head(b"GET")
    warm_up = await client.acquire()
    check_small(*(await warm_up.exchange(request))[:2])
    assert warm_up.transport is not None
    warm_up.transport.close()
    probe.start()
    protocols = await asyncio.gather(*(client.acquire() for _ in range(config.concurrency)))
    for status, body, _ in await asyncio.gather(*(p.exchange(request) for p in protocols)):
        check_small(status, body)
    client.free.extend(protocols)
    return probe.result()


WORKLOADS = {
    "A'": small,
    "B": small,
    "C-async": download,
    "D-async": upload,
    "E-h1": small,
    "import": import_workload("import asyncio"),
    "memory": memory,
}

if __name__ == "__main__":
    main(WORKLOADS)
