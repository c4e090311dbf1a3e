"""Time as an injected dependency, so tests and the sandbox can freeze or move "now"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Returns the current instant as an aware datetime."""


def system_clock() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; for tests and the sandbox's injected "now"."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def __call__(self) -> datetime:
        """Always in UTC, as `system_clock` is on a server: a test that starts the clock in the
        clinic's zone must not hide a missing conversion to it."""
        return self._now.astimezone(UTC)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self._now += delta
