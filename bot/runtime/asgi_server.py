"""Serve an ASGI app on loopback inside the current event loop.

The Treats sandbox, the Telegram emulator, the demo and the tests all need a real HTTP server
that starts on a free port, says when it is ready (an event, not a sleep) and stops cleanly,
without taking over the process's signal handlers (the bot owns SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator
from typing import Any, Final

import uvicorn

KEEP_ALIVE_SECONDS: Final = 75
"""Idle connections are kept well past the clients' own (httpx 5 s, aiohttp 15 s): with both
sides equal, a client could reuse a connection the server was closing at that instant (a
ReadError mid-request)."""


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that reports readiness through an event and leaves signals alone."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind_loopback(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    """Bind a listening TCP socket (port 0 picks a free one).

    The protocol is named: asyncio turns Nagle's algorithm off only on sockets whose ``proto``
    is TCP, and without that every answer waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serve_asgi(
    app: Any, *, port: int = 0, host: str = "127.0.0.1", log_level: str = "warning"
) -> AsyncIterator[str]:
    """Run `app` until the block exits; yields its base URL, e.g. ``http://127.0.0.1:41234``."""
    sock = bind_loopback(port, host)
    bound_host, bound_port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    try:
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # re-raise a start-up failure
            raise RuntimeError(f"ASGI server on {bound_host}:{bound_port} stopped at start")
        yield f"http://{bound_host}:{bound_port}"
    finally:
        ready.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
