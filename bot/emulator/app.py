"""The emulator as an ASGI app: ``GET|POST /bot{token}/{method}``, answered like Telegram."""

from __future__ import annotations

import asyncio
import contextlib
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.emulator import errors
from bot.emulator.bots import ApiCall
from bot.emulator.methods import METHODS, ApiResult
from bot.emulator.params import Params, read_params
from bot.emulator.world import TelegramWorld

_CLIENT_CLOSED_REQUEST = 499


def _refusal(error: errors.BotApiError) -> JSONResponse:
    return JSONResponse(error.to_json(), status_code=error.error_code)


def _chat_id(params: Params) -> int | str | None:
    """The chat a call addresses, as Telegram's flood control counts it."""
    raw = params.raw("chat_id")
    if raw is None or raw == "":
        return None
    return params.integer("chat_id") if str(raw).lstrip("-").isdigit() else str(raw)


async def _until_disconnected(request: Request) -> None:
    """Return once the client has gone (a cancelled long poll must not outlive its request)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def create_emulator_app(world: TelegramWorld) -> Starlette:
    """The Bot API of `world`, for uvicorn (`serve_asgi`) or ``httpx.ASGITransport``."""

    async def call(request: Request) -> Response:
        bot = world.bot_by_token(request.path_params["token"])
        if bot is None:
            return _refusal(errors.BotApiError(HTTPStatus.UNAUTHORIZED, errors.UNAUTHORIZED))
        method_name = request.path_params["method"].lower()
        method = METHODS.get(method_name)
        if method is None:
            return _refusal(errors.BotApiError(HTTPStatus.NOT_FOUND, errors.NOT_FOUND))
        fault = world.faults.take(method_name)
        if fault is not None:
            return _refusal(fault)
        try:
            params = await read_params(request)
            flooded = bot.flood.admit(_chat_id(params))
            if flooded is not None:
                return _refusal(flooded)
            await bot.record_call(ApiCall(method_name, params.loggable()))
            answered = asyncio.create_task(method(bot, params))
            gone = asyncio.create_task(_until_disconnected(request))
            try:
                await asyncio.wait({answered, gone}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (answered, gone):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, errors.BotApiError):
                        await task
            if not answered.done() or answered.cancelled():
                return Response(status_code=_CLIENT_CLOSED_REQUEST)
            result: ApiResult = answered.result()
        except errors.BotApiError as exc:
            return _refusal(exc)
        body: dict[str, Any] = {"ok": True, "result": result.result}
        if result.description:
            body["description"] = result.description
        return JSONResponse(body)

    return Starlette(routes=[Route("/bot{token}/{method}", call, methods=["GET", "POST"])])
