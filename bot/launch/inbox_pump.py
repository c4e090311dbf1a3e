"""Feeding a leased clinic's recorded updates to its bot (``bot.store.inbox``).

The clinic's lease holder reads the updates any instance recorded for it, oldest first, and
puts each on its bot's update queue once; PTB's update processor tells when one was handled
(``PerChatUpdateProcessor.on_done``). Then the conversation states and user data it changed are
written (``Application.update_persistence``), and only then is the update marked done in the
database: an instance killed between the two leaves the update pending, and the next holder
handles it again from the state before it. Marked done first, the update would be gone while
the state it produced was lost with the process (PTB otherwise writes it every second): the
next holder would resume the conversation a step behind the owner.

Woken by the instance's LISTEN connection (webhook mode), handed each new batch by the clinic's
``InboxPoller`` (polling mode), and every ``LOOK_EVERY`` regardless, so that a missed
notification delays an update by seconds, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
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
            if self._unmarked:
                await self._settle()
            for item in self._inbox.pending(self._db.clinic):
                if item.update_id in self._queued:
                    continue
                update = Update.de_json(item.payload, self._application.bot)
                if update is None:  # not an update: never handled, never retried
                    self._unmarked.add(item.update_id)
                    self._mark()
                    continue
                self._queued.add(item.update_id)
                await self._application.update_queue.put(update)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._look_every.total_seconds())

    async def offer(self, updates: Sequence[Update]) -> None:
        """Updates just recorded by this instance's poller: to the bot at once."""
        for update in updates:
            if update.update_id not in self._queued:
                self._queued.add(update.update_id)
                await self._application.update_queue.put(update)

    async def done(self, update_id: int) -> None:
        """The bot finished with this update: what it changed is written, then it leaves the
        inbox (fenced). Either may fail (the database out of reach): the mark is tried again
        at the next look, and the update is never handed to the bot a second time meanwhile."""
        self._unmarked.add(update_id)
        await self._settle()

    async def _settle(self) -> None:
        try:
            await self._application.update_persistence()
        except Exception as error:
            logger.warning("updates handled, their state not yet written: %s", error)
            return
        self._mark()

    def _mark(self) -> None:
        """Every update handled and not yet marked, in one statement: under load the updates
        of many chats finish together, and one round trip marks them all."""
        handled = sorted(self._unmarked)
        if not handled:
            return
        try:
            mark_done(self._db, handled)
        except LeaseLost:
            logger.warning("updates %s handled after the clinic's lease was lost", handled)
        except Exception as error:
            logger.warning("updates %s handled, not yet marked done: %s", handled, error)
            return
        self._unmarked.difference_update(handled)
        self._queued.difference_update(handled)
