"""The embedded server starts on a free port, answers, and stops when the block exits."""

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.asgi_server import serve_asgi


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
