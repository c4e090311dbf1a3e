"""The bot's HTTP side in webhook mode: Telegram's webhook, `/healthz`, `/readyz`, `/metrics`.

Telegram POSTs each update with the `X-Telegram-Bot-Api-Secret-Token` header registered by
setWebhook; anything else gets 403 and is not processed. Telegram redelivers an update whose
answer it did not get: an update id already seen is acknowledged and dropped (the store
remembers ids for a day). Part of the composition root: it knows Telegram.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.runtime.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.services import Services

logger = logging.getLogger("vetbot.web")

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH: Final = "/telegram"
MAX_UPDATE_BYTES: Final = 1_000_000

ReadinessCheck = Callable[[], Awaitable[tuple[bool, str]]]


def create_web_app(
    application: Application,
    services: Services,
    secret: str,
    readiness: dict[str, ReadinessCheck],
    path: str = WEBHOOK_PATH,
) -> Starlette:
    """The ASGI app served in webhook mode."""

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.warning("webhook call refused: wrong or missing secret token")
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return PlainTextResponse("too large", status_code=413)
        try:
            payload: dict[str, Any] = await request.json()
            update = Update.de_json(payload, application.bot)
        except ValueError:
            return PlainTextResponse("bad update", status_code=400)
        if update is None:
            return PlainTextResponse("bad update", status_code=400)
        if services.store.seen_update(update.update_id):
            logger.info("update %s redelivered: already handled", update.update_id)
            return PlainTextResponse("ok")
        await application.update_queue.put(update)
        return PlainTextResponse("ok")

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def metrics(request: Request) -> Response:
        return Response(services.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def readyz(request: Request) -> Response:
        results = {name: await check() for name, check in readiness.items()}
        ready = all(ok for ok, _ in results.values())
        body = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()}
        return JSONResponse({"ready": ready, "checks": body}, status_code=200 if ready else 503)

    return Starlette(
        routes=[
            Route(path, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )
