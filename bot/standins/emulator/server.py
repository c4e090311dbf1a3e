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

from bot.standins.emulator import refusals as errors
from bot.standins.emulator.bots import ApiCall, BotAccount
from bot.standins.emulator.methods import METHODS, ApiResult
from bot.standins.emulator.params import Params, read_params
from bot.standins.emulator.world import TelegramWorld

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
    """The Bot API of `world`, for uvicorn (`serve_asgi`) or ``httpx.ASGITransport``.

    Every refusal a bot account gets is recorded (`BotAccount.refused`), and every call whose
    client hung up before the answer (`BotAccount.abandoned`), quietly: a bot cancelling its
    long poll at shutdown is no error on either side.
    """

    async def call(request: Request) -> Response:
        bot = world.bot_by_token(request.path_params["token"])
        if bot is None:  # no account to record it on
            return _refusal(errors.BotApiError(HTTPStatus.UNAUTHORIZED, errors.UNAUTHORIZED))
        method_name = request.path_params["method"].lower()
        try:
            params = await read_params(request)
        except errors.BotApiError as exc:
            return await _refused(bot, ApiCall(method_name, {}), exc)
        call = ApiCall(method_name, params.loggable())
        method = METHODS.get(method_name)
        if method is None:
            return await _refused(
                bot, call, errors.BotApiError(HTTPStatus.NOT_FOUND, errors.NOT_FOUND)
            )
        fault = world.faults.take(method_name)
        if fault is not None:
            return await _refused(bot, call, fault)
        flooded = bot.flood.admit(_chat_id(params))
        if flooded is not None:
            return await _refused(bot, call, flooded)
        await bot.record_call(call)
        answered = asyncio.create_task(method(bot, params))
        gone = asyncio.create_task(_until_disconnected(request))
        try:
            await asyncio.wait({answered, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (answered, gone):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, errors.BotApiError):
                    await task
        if answered.cancelled():  # the client went first: nobody to answer
            await bot.record_abandoned(call)
            return Response(status_code=_CLIENT_CLOSED_REQUEST)
        error = answered.exception()
        if isinstance(error, errors.BotApiError):
            return await _refused(bot, call, error)
        result: ApiResult = answered.result()
        body: dict[str, Any] = {"ok": True, "result": result.result}
        if result.description:
            body["description"] = result.description
        return JSONResponse(body)

    return Starlette(routes=[Route("/bot{token}/{method}", call, methods=["GET", "POST"])])


async def _refused(bot: BotAccount, call: ApiCall, error: errors.BotApiError) -> JSONResponse:
    await bot.record_refusal(call, error)
    return _refusal(error)
