"""Long polling for a leased clinic of a group on several instances: fetched, recorded, then
confirmed.

PTB's ``Updater`` confirms a batch to Telegram (the next ``getUpdates`` offset) as soon as it
has put it on the bot's in-memory queue. On one process that is enough; on several it is not:
an instance killed with updates in that queue loses them, since Telegram no longer has them and
the instance taking the clinic over never saw them (an owner's tap without an answer). Here each
batch is first recorded in the group's inbox (``UpdateInbox.record_fetched``, one statement),
and only then does the next ``getUpdates`` confirm it. An update is therefore always either
still at Telegram or in the inbox, where the next holder's pump finds it if this instance dies
before handling it. The new ids go straight to this instance's pump (no round trip to read them
back); an id already in the inbox (fetched, recorded, not confirmed when the previous holder
died) is not handled a second time.

When Telegram refuses the token, the task ends with ``InvalidToken``, like PTB's polling, so
``serve_until`` reports the clinic failed. Other failures (Telegram or the database out of
reach, a 409 while a killed holder's long poll is still open) are logged and tried again, the
pause doubling up to ``PAUSE_MAX``; nothing is confirmed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut

from bot.launch.inbox_pump import InboxPump
from bot.runtime.logs import one_line
from bot.store.inbox import InboxUpdate, UpdateInbox

logger = logging.getLogger("vetbot.inbox")

PAUSE_FIRST: Final = timedelta(seconds=1)
PAUSE_MAX: Final = timedelta(seconds=30)


class InboxPoller:
    """``getUpdates`` for one clinic, each batch recorded before it is confirmed."""

    def __init__(
        self,
        bot: Bot,
        inbox: UpdateInbox,
        clinic_id: str,
        pump: InboxPump,
        *,
        timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self._bot = bot
        self._inbox = inbox
        self._clinic_id = clinic_id
        self._pump = pump
        self._timeout = timeout
        self._allowed = list(allowed_updates)

    def __repr__(self) -> str:
        return f"InboxPoller({self._clinic_id!r})"

    async def run(self) -> None:
        """Until cancelled, or ``InvalidToken``."""
        offset: int | None = None  # Telegram starts from what no one confirmed
        pause = PAUSE_FIRST
        while True:
            try:
                fetched = await self._bot.get_updates(
                    offset=offset, timeout=self._timeout, allowed_updates=self._allowed
                )
                new = self._inbox.record_fetched(self._clinic_id, _recorded(fetched))
            except InvalidToken:
                raise
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except TimedOut:
                continue  # a long poll that outlived its read timeout: simply poll again
            except Exception as error:  # Telegram or the database: nothing confirmed
                kind = "Telegram" if isinstance(error, TelegramError) else "the inbox"
                logger.warning(
                    "getting updates failed (%s: %s); trying again in %g s",
                    kind,
                    one_line(error),
                    pause.total_seconds(),
                )
                await asyncio.sleep(pause.total_seconds())
                pause = min(pause * 2, PAUSE_MAX)
                continue
            pause = PAUSE_FIRST
            if fetched:
                await self._pump.offer([u for u in fetched if u.update_id in new])
                offset = fetched[-1].update_id + 1


def _recorded(updates: Sequence[Update]) -> list[InboxUpdate]:
    return [InboxUpdate(u.update_id, u.to_dict()) for u in updates]


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
