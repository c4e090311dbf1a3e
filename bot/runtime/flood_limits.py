"""Telegram's flood limits, as one value the bot's rate limiter and the emulator both take.

Telegram answers 429 to a bot that sends more than about 30 messages a second overall, or
more than 20 a minute into one group. The bot paces itself under these (PTB's
``AIORateLimiter``); tests pass shorter periods so that a burst of 200 takes a second or two.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class FloodLimits:
    """At most ``overall_rate`` calls per ``overall_period`` seconds to any chat, and
    ``group_rate`` per ``group_period`` into one group (bursts of that size allowed)."""

    overall_rate: float = 30
    overall_period: float = 1.0
    group_rate: float = 20
    group_period: float = 60.0

    def scaled(self, factor: float) -> FloodLimits:
        """The same rates over periods ``factor`` times as long (``0.01``: a hundred times
        faster), for tests and benches that cannot wait a minute per 20 group messages."""
        return FloodLimits(
            self.overall_rate,
            self.overall_period * factor,
            self.group_rate,
            self.group_period * factor,
        )


TELEGRAM_FLOOD_LIMITS: Final = FloodLimits()


class GroupPacer:
    """Paces messages into groups across a restart, on the real (monotonic) clock.

    PTB's ``AIORateLimiter`` paces a process's own calls, but its memory starts empty: right
    after a restart it allows a full burst into a group that Telegram saw filled a moment
    before, and Telegram answers 429 (the crash run saw it). The outbox primes this pacer with
    what its store recorded as sent in the last period, then waits its turn before each group
    message. A leaky bucket, ``margin`` messages short of the limit for the edits the store
    does not date.
    """

    def __init__(
        self,
        limits: FloodLimits,
        *,
        margin: int = 2,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._capacity = max(1.0, limits.group_rate - margin)
        self._per_second = limits.group_rate / limits.group_period
        self.period = limits.group_period
        self._monotonic = monotonic
        self._sleep = sleep
        self._levels: dict[int, tuple[float, float]] = {}
        """Per chat: the bucket's level, and when it was last drained (monotonic seconds)."""

    def primed(self, chat_id: int) -> bool:
        return chat_id in self._levels

    def prime(self, chat_id: int, ages: Iterable[float]) -> None:
        """What reached ``chat_id`` before this process: each message's age in seconds."""
        level, previous = 0.0, None
        for age in sorted(ages, reverse=True):  # oldest first
            if previous is not None:
                level = max(0.0, level - (previous - age) * self._per_second)
            level, previous = level + 1, age
        if previous is not None:
            level = max(0.0, level - previous * self._per_second)
        self._levels[chat_id] = (level, self._monotonic())

    async def wait_turn(self, chat_id: int) -> None:
        """Return when one more message into ``chat_id`` fits; count it."""
        level, checked = self._levels.get(chat_id, (0.0, self._monotonic()))
        now = self._monotonic()
        level = max(0.0, level - (now - checked) * self._per_second)
        excess = level + 1 - self._capacity
        if excess > 0:
            await self._sleep(excess / self._per_second)
            now += excess / self._per_second
            level -= excess
        self._levels[chat_id] = (level + 1, now)
