"""Telegram emulator fixtures (see bot/standins/emulator): a world, its URL, and a PTB runner.

``telegram_world`` is the emulated Telegram with one bot registered for `TEST_BOT_TOKEN`;
``telegram_url`` serves it on a free loopback port (use it as TELEGRAM_API_URL, i.e. PTB's
``base_url=f"{url}/bot"``); ``telegram_client`` talks to it in-process, without a socket.
When a test that used the world fails, the report gets every chat's transcript.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Generator
from typing import Any, Literal

import httpx
import pytest
from telegram.ext import Application

from bot.runtime.asgi_server import bind_loopback, serve_asgi
from bot.standins.emulator import TelegramWorld, create_emulator_app

TEST_BOT_TOKEN = "123456:TEST-TOKEN-not-a-secret"
"""Shaped like a token (digits, colon, letters) so config validation accepts it; not real."""
TEST_BOT_USERNAME = "vetbot_test_bot"
WEBHOOK_SECRET_TOKEN = "emulator-webhook-secret"
WEBHOOK_PATH = "telegram-webhook"
POLL_TIMEOUT_SECONDS = 1
IN_PROCESS_BASE_URL = "http://telegram.emulator"
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
TRANSCRIPTS_SECTION = "Telegram transcripts"


@pytest.fixture
async def telegram_world() -> AsyncIterator[TelegramWorld]:
    world = TelegramWorld()
    world.add_bot(TEST_BOT_TOKEN, username=TEST_BOT_USERNAME)
    yield world
    await world.aclose()


@pytest.fixture
async def telegram_url(telegram_world: TelegramWorld) -> AsyncIterator[str]:
    """The emulator's base URL on loopback, e.g. ``http://127.0.0.1:41234``."""
    async with serve_asgi(create_emulator_app(telegram_world)) as url:
        yield url


@pytest.fixture
async def telegram_client(telegram_world: TelegramWorld) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired to the emulator in-process (fast: no socket, no server)."""
    transport = httpx.ASGITransport(app=create_emulator_app(telegram_world))
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL) as client:
        yield client


@contextlib.asynccontextmanager
async def run_ptb_application(
    application: AnyApplication, mode: Literal["polling", "webhook"] = "polling"
) -> AsyncIterator[AnyApplication]:
    """Run a PTB application against the emulator, getting updates by `mode`; stop on exit.

    Webhook mode lets PTB call setWebhook at the emulator itself; its server listens on a
    socket bound here (free port, no race), handed to PTB through ``unix=`` which accepts any
    bound socket.
    """
    updater = application.updater
    if updater is None:
        raise ValueError("the application needs an Updater to get updates")
    await application.initialize()
    await application.start()
    try:
        if mode == "polling":
            await updater.start_polling(poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS)
        else:
            sock = bind_loopback()
            host, port = sock.getsockname()[:2]
            await updater.start_webhook(
                url_path=WEBHOOK_PATH,
                webhook_url=f"http://{host}:{port}/{WEBHOOK_PATH}",
                secret_token=WEBHOOK_SECRET_TOKEN,
                unix=sock,
            )
        try:
            yield application
        finally:
            await updater.stop()
    finally:
        await application.stop()
        await application.shutdown()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    world = getattr(item, "funcargs", {}).get("telegram_world")
    if report.failed and isinstance(world, TelegramWorld):
        transcripts = world.render_transcripts()
        if transcripts:
            report.sections.append((TRANSCRIPTS_SECTION, transcripts))
    return report
