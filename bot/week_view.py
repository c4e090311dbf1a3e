"""The Mini App's week view (issue 21): seven local days of free slots for one appointment type
and the chosen vet(s), the days the clinic is closed marked, the owner's asked time highlighted.

Slots stay UTC instants (`OfferedSlot`); the clinic's zone only decides which local day "today"
and each day shown are. Paging is bounded on both sides, and a first day asked from outside is
clamped to those bounds: no week starts before today, and none past the booking service's
search horizon, so a week view asks the Treats API no further ahead than the chat would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.booking import SEARCH_DAYS, BookingService, OfferedSlot, inside_request
from bot.config import ClinicConfig, OpeningRange
from bot.schedule import ClinicSchedule
from bot.when import TimeRequest

DAYS_SHOWN: Final = 7
WEEKS_AHEAD: Final = SEARCH_DAYS // DAYS_SHOWN
"""How many weeks after today's a week may start: the last one reaches SEARCH_DAYS, the
booking service's horizon."""


@dataclass(frozen=True, slots=True)
class WeekSlot:
    slot: OfferedSlot
    asked: bool
    """Inside the window the owner asked for, so the Mini App highlights it."""


@dataclass(frozen=True, slots=True)
class WeekDay:
    day: date
    slots: tuple[WeekSlot, ...]
    closed: bool
    """The clinic's schedule says it is closed all day; never True when the hours are unknown
    (no ``[schedule]``), since the bot must not claim the clinic is closed. The slots are the
    API's all the same: a closed day may hold some (a vet's hours the schedule leaves out)."""
    opening: tuple[OpeningRange, ...]
    """The day's opening ranges, wall clock; empty when closed or when the hours are unknown."""


@dataclass(frozen=True, slots=True)
class Week:
    first_day: date
    days: tuple[WeekDay, ...]
    previous: date | None
    """The first day of the week before, never before today; None when this one starts today."""
    next: date | None
    """The first day of the week after, never past the horizon; None when this one is the last."""


async def week_of(
    booking: BookingService,
    clinic: ClinicConfig,
    type_id: str,
    vet_ids: Sequence[str],
    first_day: date,
    *,
    now: datetime,
    asked: TimeRequest | None = None,
    urgent: bool = False,
) -> Week:
    """The week from ``first_day`` (clamped between today and the last week allowed), each
    day's free slots fetched at once; ``urgent`` lifts the minimum notice, as in the chat."""
    today = now.astimezone(clinic.tz).date()
    last_first = today + timedelta(days=WEEKS_AHEAD * DAYS_SHOWN)
    first = min(max(first_day, today), last_first)
    days = [first + timedelta(days=offset) for offset in range(DAYS_SHOWN)]
    free = await asyncio.gather(
        *(booking.free_on(day, type_id, vet_ids, urgent=urgent) for day in days)
    )
    schedule = ClinicSchedule.from_clinic(clinic)
    shown = tuple(
        _week_day(day, slots, schedule, asked) for day, slots in zip(days, free, strict=True)
    )
    previous = max(first - timedelta(days=DAYS_SHOWN), today) if first > today else None
    following = min(first + timedelta(days=DAYS_SHOWN), last_first) if first < last_first else None
    return Week(first, shown, previous, following)


def week_start_for(asked: TimeRequest | None, today: date, tz: ZoneInfo) -> date:
    """The first day to show: the asked window's first local day when it lies ahead, else today
    (the week then opens on the day the owner had in mind)."""
    if asked is None:
        return today
    return max(asked.start.astimezone(tz).date(), today)


def _week_day(
    day: date,
    slots: Sequence[OfferedSlot],
    schedule: ClinicSchedule,
    asked: TimeRequest | None,
) -> WeekDay:
    opening = () if schedule.week is None else schedule.week[day.weekday()]
    closed = schedule.week is not None and not opening
    marked = tuple(WeekSlot(slot, _is_asked(slot, asked)) for slot in slots)
    return WeekDay(day, marked, closed, opening)


def _is_asked(slot: OfferedSlot, asked: TimeRequest | None) -> bool:
    """Inside the asked window. An open request ("dès que possible") names no time: it
    highlights nothing rather than every slot of the week."""
    return asked is not None and asked.end is not None and inside_request(slot, asked)
