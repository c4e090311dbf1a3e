"""The shape shared by the bot's background loops (staff outbox, reminders, status watch).

Each does a pass, then sleeps until its next due instant (computed from the injected clock) or
until something wakes it (a new row), whichever comes first; a failed pass is logged and
retried after a pause, so a bug delays work and never kills the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Final

logger = logging.getLogger("vetbot.background")

ERROR_PAUSE: Final = timedelta(seconds=30)
BACKOFF_START: Final = timedelta(seconds=5)
BACKOFF_MAX: Final = timedelta(minutes=5)
"""Retries double from 5 s up to 5 min: an outage of hours costs a dozen calls an hour."""


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """How long a message that failed waits before its next try (staff outbox, reminders):
    what Telegram asked for (a 429's ``retry_after``), else doubling from ``BACKOFF_START`` up
    to ``BACKOFF_MAX``."""
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    return min(BACKOFF_START * 2 ** min(attempts, 16), BACKOFF_MAX)


def describe_failure(error: Exception) -> str:
    """The error as kept on the row: its class and text, at most 500 characters."""
    return f"{type(error).__name__}: {error}"[:500]


class Waker:
    """An event a loop sleeps on; `wake()` ends its sleep at once."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def sleep_until(
        self, due: datetime | None, now: datetime, *, at_most: timedelta | None = None
    ) -> None:
        """Sleep until `due` (None: no due instant), at most `at_most`, or until woken."""
        limits = [] if at_most is None else [at_most.total_seconds()]
        if due is not None:
            limits.append(max(0.0, (due - now).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), min(limits) if limits else None)
        self._event.clear()


async def run_passes(
    one_pass: Callable[[], Awaitable[object]],
    wait: Callable[[], Awaitable[None]],
    waker: Waker,
    *,
    name: str,
    error_pause: timedelta = ERROR_PAUSE,
    now: Callable[[], datetime],
) -> None:
    """Forever: a pass, then `wait()`; cancel the task to stop."""
    while True:
        try:
            await one_pass()
        except Exception:
            logger.exception("%s: pass failed; retrying shortly", name)
            await waker.sleep_until(None, now(), at_most=error_pause)
            continue
        await wait()
