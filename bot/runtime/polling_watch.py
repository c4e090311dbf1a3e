"""Noticing that the bot stopped getting updates because Telegram refused its token.

A token revoked with @BotFather while the bot runs makes ``getUpdates`` answer 401. PTB's
polling loop then logs "Invalid token" and ends; the ``Updater`` still says it is running, so
nothing else would notice that the bot went deaf: the process stays up, answering no one.
``serve_until`` waits for the stop request *or* that end, and turns the latter into
``UpdatesLost``, so that a single clinic's process stops with a clear line and a clinic of a
group is reported failed and tried again (with its file's new token after a reload).

PTB keeps the polling task private (``Updater.__polling_task``, its name-mangled attribute);
it is read here and nowhere else, and a PTB without it only loses this watch.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram.error import InvalidToken
from telegram.ext import Application, Updater

_POLLING_TASK = "_Updater__polling_task"


class UpdatesLost(Exception):
    """Telegram no longer gives this bot its updates (the token was refused)."""


def polling_task(updater: Updater | None) -> asyncio.Task[None] | None:
    """PTB's long-polling task while the updater polls, else None."""
    task = getattr(updater, _POLLING_TASK, None)
    return task if isinstance(task, asyncio.Task) else None


async def serve_until(
    application: Application, stop: asyncio.Event, polling: asyncio.Task[None] | None = None
) -> None:
    """Until ``stop`` is set; raises ``UpdatesLost`` if the polling ends on a refused token
    first (in webhook mode Telegram simply stops posting: ``/readyz`` tells it). ``polling``:
    the task getting the updates when it is not PTB's (``bot.launch.inbox_poller``)."""
    polling = polling or polling_task(application.updater)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        waiting: set[asyncio.Future[object]] = {stopping}
        if polling is not None:
            waiting.add(polling)  # type: ignore[arg-type]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if stop.is_set() or polling is None or not polling.done() or polling.cancelled():
        return
    if isinstance(polling.exception(), InvalidToken):
        raise UpdatesLost(
            "Telegram refused the bot token while running (revoked with @BotFather?): "
            "no more updates"
        ) from None
    with contextlib.suppress(Exception):
        polling.result()
    await stop.wait()  # polling ended some other way: PTB's own stop; wait for ours
