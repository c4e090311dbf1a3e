"""A bare HTTP/1.1 server on loopback for transport tests: it records each request as read
off the socket and answers exactly what the test says, including nothing at all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.asgi_server import bind_loopback


@dataclass
class Seen:
    """One request: its first line, headers (names lower-cased) and body."""

    request_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> str:
        return self.request_line.split()[1]


Answer = Callable[[Seen], Awaitable[bytes | None]]
"""The raw response to write, or None to close the connection without answering."""


def json_response(payload: Any, status: str = "200 OK") -> bytes:
    body = json.dumps(payload).encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@dataclass
class RawServer:
    answer: Answer
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.strip().split("\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = Seen(request_line, headers, body)
                self.seen.append(seen)
                reply = await self.answer(seen)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def raw_server(answer: Answer, tls: ssl.SSLContext | None = None) -> AsyncIterator[RawServer]:
    """Serve on a free loopback port until the block exits; ``.url`` is its origin
    (``https`` with ``tls``)."""
    fake = RawServer(answer)
    server = await asyncio.start_server(fake.handle, sock=bind_loopback(), ssl=tls)
    host, port = server.sockets[0].getsockname()[:2]
    fake.url = f"{'https' if tls else 'http'}://{host}:{port}"
    async with server:
        yield fake
        server.close()


def refused_url() -> str:
    """An origin where nothing listens (a port just freed)."""
    sock = bind_loopback()
    host, port = sock.getsockname()[:2]
    sock.close()
    return f"http://{host}:{port}"


def self_signed_tls(folder: Path) -> ssl.SSLContext:
    """A server context with a certificate no authority vouches for (made with openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
