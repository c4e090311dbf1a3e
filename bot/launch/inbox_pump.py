"""Feeding a leased clinic's recorded webhook updates to its bot (``bot.store.inbox``).

The clinic's lease holder reads the updates any instance recorded for it, oldest first, and
puts each on its bot's update queue once; PTB's update processor tells when one was handled
(``PerChatUpdateProcessor.on_done``), and only then is it marked done in the database. Woken
by the instance's LISTEN connection, and every ``LOOK_EVERY`` regardless, so that a missed
notification delays an update by seconds, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Final

from telegram import Update
from telegram.ext import Application

from bot.store.db import ClinicDb
from bot.store.errors import LeaseLost
from bot.store.inbox import UpdateInbox, mark_done

logger = logging.getLogger("vetbot.inbox")

LOOK_EVERY: Final = timedelta(seconds=5)


class InboxPump:
    """One clinic's inbox, pumped into its bot while this instance holds the clinic."""

    def __init__(
        self,
        inbox: UpdateInbox,
        db: ClinicDb,
        application: Application,
        wake: asyncio.Event,
        *,
        look_every: timedelta = LOOK_EVERY,
    ) -> None:
        self._inbox = inbox
        self._db = db
        self._application = application
        self._wake = wake
        self._look_every = look_every
        self._queued: set[int] = set()
        """Put on the bot's queue, not yet marked done: never put there twice."""
        self._unmarked: set[int] = set()

    async def run(self) -> None:
        """Forever (cancel the task to stop)."""
        while True:
            self._wake.clear()  # before reading: an update recorded meanwhile wakes us again
            for update_id in sorted(self._unmarked):
                self._mark(update_id)
            for item in self._inbox.pending(self._db.clinic):
                if item.update_id in self._queued:
                    continue
                update = Update.de_json(item.payload, self._application.bot)
                if update is None:  # not an update: never handled, never retried
                    self.done(item.update_id)
                    continue
                self._queued.add(item.update_id)
                await self._application.update_queue.put(update)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._look_every.total_seconds())

    def done(self, update_id: int) -> None:
        """The bot finished with this update: it leaves the inbox (fenced). Marking it may
        fail (the database out of reach): it is tried again at the next look, and never
        handed to the bot a second time meanwhile."""
        self._unmarked.add(update_id)
        self._mark(update_id)

    def _mark(self, update_id: int) -> None:
        try:
            mark_done(self._db, update_id)
        except LeaseLost:
            logger.warning("update %d handled after the clinic's lease was lost", update_id)
        except Exception as error:
            logger.warning("update %d handled, not yet marked done: %s", update_id, error)
            return
        self._unmarked.discard(update_id)
        self._queued.discard(update_id)
