"""When the clinic is open, from the clinic file's ``[schedule]``: to give the emergency number
to an owner with an urgent case when nobody is there to answer the clinic's phone.

Ranges are wall-clock times in the clinic's zone, so "09:00" is 09:00 on both sides of a DST
change; instants are compared after conversion with zoneinfo. Without ``[schedule]`` the hours
are unknown and every answer is None: the bot must not claim the clinic is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.config import ClinicConfig, OpeningRange

DAYS_PER_WEEK: Final = 7
MINUTE: Final = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ClinicSchedule:
    tz: ZoneInfo
    week: tuple[tuple[OpeningRange, ...], ...] | None
    """Ranges per ``date.weekday()`` (0 is Monday), sorted; None when the hours are unknown."""

    @classmethod
    def from_clinic(cls, clinic: ClinicConfig) -> ClinicSchedule:
        schedule = clinic.schedule
        if schedule is None:
            return cls(clinic.tz, None)
        return cls(clinic.tz, tuple(schedule.day(weekday) for weekday in range(DAYS_PER_WEEK)))

    @property
    def known(self) -> bool:
        return self.week is not None

    def is_open(self, at: datetime) -> bool | None:
        """Whether ``at`` falls in an opening range (end excluded); None when hours are unknown."""
        if self.week is None:
            return None
        local = _aware(at).astimezone(self.tz)
        since_midnight = timedelta(
            hours=local.hour, minutes=local.minute, seconds=local.second
        ) + timedelta(microseconds=local.microsecond)
        minute = since_midnight / MINUTE
        return any(r.start <= minute < r.end for r in self.week[local.weekday()])

    def open_during(self, start: datetime, end: datetime) -> bool | None:
        """Whether the clinic is open at any moment of ``[start, end)``; None when the hours
        are unknown. Tells "closed then" from "nothing free then" for an asked time."""
        if self.week is None:
            return None
        opening = self.next_opening(start)
        return opening is not None and opening < end

    def next_opening(self, at: datetime) -> datetime | None:
        """The first instant at or after ``at`` when the clinic is open (``at`` itself when it
        is), in the clinic's zone; None when hours are unknown or it never opens."""
        if self.week is None:
            return None
        at = _aware(at)
        if self.is_open(at):
            return at.astimezone(self.tz)
        today = at.astimezone(self.tz).date()
        for offset in range(DAYS_PER_WEEK + 1):
            day = today + timedelta(days=offset)
            for opening in self.week[day.weekday()]:
                start = _wall_clock(day, opening.start, self.tz)
                if start > at:
                    return start
        return None


def _wall_clock(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time; a time skipped by DST (02:30 in spring) becomes the
    same duration after the gap (03:30), as clocks show it."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: the schedule only takes aware datetimes")
    return at
