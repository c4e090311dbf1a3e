"""Telegram's flood control: a bot that sends too fast is answered 429 "retry after N".

Telegram publishes its limits loosely (about 30 messages a second, 20 a minute per group);
the emulator holds a bot to them with leaky buckets, the shape PTB's ``AIORateLimiter`` paces
itself with. It forgives what ``JITTER_SECONDS`` of transport delay can bunch together (a
call paced out at one instant may arrive just behind an earlier one that was held up). Every
refusal is counted, so a test can prove a burst went out without one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.runtime.flood_limits import TELEGRAM_FLOOD_LIMITS, FloodLimits
from bot.standins.emulator import refusals as errors

JITTER_SECONDS = 0.1
"""Delay between the bot's limiter and the emulator forgiven: a bucket takes this many seconds'
worth of calls (at least one) beyond its size."""


class _Bucket:
    """A leaky bucket: holds ``size`` calls, drains ``rate`` per second."""

    def __init__(self, size: float, period: float, now: float) -> None:
        self.size = size
        self.per_second = size / period
        self.level = 0.0
        self.checked = now

    def _drain(self, now: float) -> None:
        self.level = max(0.0, self.level - (now - self.checked) * self.per_second)
        self.checked = now

    def wait_needed(self, now: float, limit: float) -> float:
        """Seconds until one more call fits under ``limit`` (0: it fits now)."""
        self._drain(now)
        excess = self.level + 1 - limit
        return excess / self.per_second if excess > 0 else 0.0

    def take(self) -> None:
        self.level += 1


@dataclass(frozen=True)
class FloodRefusal:
    """One 429 the emulator answered: to which chat, and how long it asked the bot to wait."""

    chat_id: int | str
    retry_after: int


class FloodControl:
    """The flood limits of one bot account; ``limits=None`` lets everything through."""

    def __init__(
        self,
        limits: FloodLimits | None = TELEGRAM_FLOOD_LIMITS,
        *,
        jitter: float = JITTER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._jitter = jitter
        self.refusals: list[FloodRefusal] = []
        self.admitted = 0
        self.configure(limits)

    def configure(self, limits: FloodLimits | None) -> None:
        """New limits, with empty buckets and no refusal counted."""
        self.limits = limits
        self._overall: _Bucket | None = None
        self._groups: dict[int | str, _Bucket] = {}
        self.refusals.clear()
        self.admitted = 0

    def _limit(self, bucket: _Bucket) -> float:
        return bucket.size + max(1.0, bucket.per_second * self._jitter)

    def admit(self, chat_id: int | str | None) -> errors.BotApiError | None:
        """Count a call addressed to ``chat_id`` (calls without one are not limited), or the
        429 Telegram would answer it."""
        if self.limits is None or chat_id is None:
            return None
        limits, now = self.limits, self._monotonic()
        if self._overall is None:
            self._overall = _Bucket(limits.overall_rate, limits.overall_period, now)
        buckets = [self._overall]
        if _is_group(chat_id):
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = _Bucket(limits.group_rate, limits.group_period, now)
            buckets.append(group)
        wait = max(bucket.wait_needed(now, self._limit(bucket)) for bucket in buckets)
        if wait > 0:
            refusal = FloodRefusal(chat_id, max(1, math.ceil(wait)))
            self.refusals.append(refusal)
            return errors.too_many_requests(refusal.retry_after)
        for bucket in buckets:
            bucket.take()
        self.admitted += 1
        return None


def _is_group(chat_id: int | str) -> bool:
    """Groups and channels have negative ids (or an @username); people positive ones."""
    return isinstance(chat_id, str) or chat_id < 0
