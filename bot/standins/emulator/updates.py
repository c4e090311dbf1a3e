"""A bot's pending updates: long polling, confirmation by offset, allowed_updates.

Telegram keeps an update until a later ``offset`` confirms it (or a webhook delivery succeeds),
generates only the update types the bot last allowed, and lets one long poll run at a time: a
newer ``getUpdates`` (or a ``setWebhook``) ends the older one with a 409.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.standins.emulator import refusals as errors

FIRST_UPDATE_ID = 1
MAX_UPDATES_PER_CALL = 100
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(frozen=True)
class Update:
    update_id: int
    kind: str
    payload: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Pending updates of one bot, with a condition that wakes pollers and the webhook."""

    def __init__(self) -> None:
        self._pending: list[Update] = []
        self._next_id = FIRST_UPDATE_ID
        self._allowed: frozenset[str] | None = None
        self._changed = asyncio.Condition()
        self._poll_generation = 0
        self._poll_ended_by: str = errors.TERMINATED_BY_OTHER_POLL

    @property
    def pending(self) -> list[Update]:
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        return None if self._allowed is None else sorted(self._allowed)

    def set_allowed(self, allowed: Sequence[str] | None) -> None:
        """Remember the allowed types; None keeps the previous choice, [] is the default."""
        if allowed is not None:
            self._allowed = frozenset(allowed) or None

    def accepts(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in NOT_SENT_BY_DEFAULT
        return kind in self._allowed

    async def push(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue an update unless the bot's allowed_updates exclude its type."""
        if not self.accepts(kind):
            return None
        async with self._changed:
            update = Update(self._next_id, kind, payload)
            self._next_id += 1
            self._pending.append(update)
            self._changed.notify_all()
        return update

    def confirm(self, offset: int) -> None:
        """Forget what `offset` confirms: ids below it, or all but the last ``-offset``."""
        if offset >= 0:
            self._pending = [update for update in self._pending if update.update_id >= offset]
        else:
            self._pending = self._pending[offset:]

    def drop_pending(self) -> None:
        self._pending.clear()

    async def interrupt_polls(self, reason: str) -> None:
        """End the running long poll with a 409 carrying `reason`."""
        async with self._changed:
            self._poll_generation += 1
            self._poll_ended_by = reason
            self._changed.notify_all()

    async def long_poll(self, offset: int | None, limit: int, wait_seconds: float) -> list[Update]:
        """``getUpdates``: confirm by `offset`, then wait up to `wait_seconds` for something."""
        async with self._changed:
            self._poll_generation += 1
            self._poll_ended_by = errors.TERMINATED_BY_OTHER_POLL
            generation = self._poll_generation
            self._changed.notify_all()
            if offset is not None:
                self.confirm(offset)

            def ready() -> bool:
                return bool(self._pending) or self._poll_generation != generation

            if wait_seconds > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(ready), wait_seconds)
            if self._poll_generation != generation:
                raise errors.conflict(self._poll_ended_by)
            return self._pending[:limit]

    async def first(self) -> Update:
        """Wait for the oldest pending update (the webhook delivers them one by one)."""
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._pending))
            return self._pending[0]
