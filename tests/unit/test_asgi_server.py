"""The embedded server starts on a free port, answers, and stops when the block exits."""

import asyncio
import socket

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.runtime.asgi_server import bind_loopback, serve_asgi


async def _hello(request):
    return PlainTextResponse("bonjour")


async def test_serves_then_stops() -> None:
    app = Starlette(routes=[Route("/", _hello)])
    async with serve_asgi(app) as base_url:
        async with httpx.AsyncClient() as client:
            response = await client.get(base_url + "/")
        assert response.text == "bonjour"
    async with httpx.AsyncClient() as client:
        try:
            await client.get(base_url + "/", timeout=1)
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("server still answering after the block exited")


async def test_answers_are_not_held_back_by_nagle() -> None:
    """A connection accepted on our socket sends at once (TCP_NODELAY): without it, every
    answer over loopback waited about 40 ms for the client's delayed ACK."""
    accepted: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put(writer)

    server = await asyncio.start_server(on_connect, sock=bind_loopback())
    host, port = server.sockets[0].getsockname()[:2]
    async with server:
        _, client = await asyncio.open_connection(host, port)
        writer = await accepted.get()
        connection = writer.get_extra_info("socket")
        assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        client.close()
        writer.close()
