"""The bot process the load bench drives: vetbot itself, or a minimal echo bot (the floor).

``python bench/run_bot.py`` runs the unmodified application exactly as ``vetbot run`` does
(same settings from the environment, same handlers, persistence and logs) except for one
thing: Telegram's flood limits are lifted from its rate limiter. Telegram lets a bot send
about 30 messages a second; the bench measures what the bot itself can do.

``python bench/run_bot.py --echo`` runs a PTB application with nothing but an echo handler,
over the same transport, so the bench can say how much of the latency is ours.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.config import load_clinic, load_settings  # noqa: E402
from bot.launch.application import running_bot  # noqa: E402
from bot.runtime import event_loop  # noqa: E402
from bot.runtime.flood_limits import FloodLimits  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402
from bot.runtime.telegram_http import AiohttpRequest  # noqa: E402

NO_FLOOD_LIMITS: Final = FloodLimits(1e9, 1.0, 1e9, 1.0)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def run_vetbot() -> None:
    settings = load_settings()
    configure_logging(level="INFO", fmt=settings.log_format, secrets=settings.secrets)
    async with running_bot(settings, load_clinic(settings.clinic_config), flood=NO_FLOOD_LIMITS):
        await _until_signalled()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None and update.effective_message is not None:
        await update.effective_chat.send_message(update.effective_message.text or "…")


async def run_echo() -> None:
    settings = load_settings()
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_url + "/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(1))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, _echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10)
        await _until_signalled()
        await application.updater.stop()
        await application.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--echo", action="store_true", help="run the minimal echo bot")
    args = parser.parse_args()
    event_loop.run(run_echo() if args.echo else run_vetbot())
    return 0


if __name__ == "__main__":
    sys.exit(main())
