"""Days counted from another day: "le lendemain", "deux jours plus tard", "le mercredi suivant".

The grammar reads them as ``FromDay`` (and weekdays said "suivant" / "d'après" / "prochain"
as ``Weekday`` with that mode), without a calendar. Here, before the window is built, each is
placed on the calendar from the day it is counted from: the day its own words name ("la veille
du 15"), else the last day named before it, excluded ones included ("pas ce mercredi, le
mercredi suivant"), else the day on screen, else today, which is flagged so the owner sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Final

from bot.when.components import (
    CalendarDate,
    DayBound,
    DayRange,
    DaySpec,
    Found,
    FromDay,
    RelativeDay,
    Weekday,
    WeekdayMode,
)
from bot.when.model import Assumption
from bot.when.resolve import day_candidates

DAYS_PER_WEEK: Final = 7


def _date_of(spec: DaySpec | DayRange | DayBound, today: date) -> date | None:
    """The first day ``spec`` means that has not passed (the start of a range or a bound)."""
    if isinstance(spec, DayRange):
        spec = spec.first
    elif isinstance(spec, DayBound):
        spec = spec.day
    upcoming = [c for c in day_candidates(spec, today) if c.end > today]
    return upcoming[0].first if upcoming else None


def _as_date(day: date) -> CalendarDate:
    return CalendarDate(day.day, day.month, day.year)


def _after(anchor: date, weekday: int) -> date:
    """The first day named ``weekday`` strictly after ``anchor``."""
    return anchor + timedelta(days=(weekday - anchor.weekday() - 1) % DAYS_PER_WEEK + 1)


def _anchor_before(
    item: Found, placed: Sequence[Found], negated: Sequence[Found], today: date
) -> date | None:
    """The day named last before ``item``, read or excluded."""
    before = [
        f
        for f in (*placed, *negated)
        if f.end <= item.start and isinstance(f.component, DaySpec | DayRange | DayBound)
    ]
    if not before:
        return None
    last = max(before, key=lambda f: f.end).component
    assert isinstance(last, DaySpec | DayRange | DayBound)
    return _date_of(last, today)


def place_counted_days(
    found: Sequence[Found], negated: Sequence[Found], today: date, on_day: date | None
) -> tuple[list[Found], frozenset[Assumption]]:
    """``found`` with each day counted from another placed on the calendar, and
    ``COUNTED_FROM_TODAY`` when one had no other day to count from. "la veille" with nothing
    before it is dropped: the day before today cannot be booked."""
    if not any(isinstance(f.component, FromDay | Weekday) for f in found):
        return list(found), frozenset()
    placed: list[Found] = []
    flags: set[Assumption] = set()
    for item in found:
        component = item.component
        if isinstance(component, FromDay):
            spec = _place(item, component, placed, negated, today, on_day, flags)
            if spec is not None:
                placed.append(replace(item, component=spec))
            continue
        if isinstance(component, Weekday) and component.mode in (
            WeekdayMode.FOLLOWING,
            WeekdayMode.NEXT,
        ):
            anchor = _anchor_before(item, placed, negated, today)
            same_day = anchor is not None and anchor.weekday() == component.weekday
            if anchor is not None and (component.mode is WeekdayMode.FOLLOWING or same_day):
                item = replace(item, component=_as_date(_after(anchor, component.weekday)))
        placed.append(item)
    return placed, frozenset(flags)


def _place(
    item: Found,
    spec: FromDay,
    placed: Sequence[Found],
    negated: Sequence[Found],
    today: date,
    on_day: date | None,
    flags: set[Assumption],
) -> DaySpec | None:
    anchor = _date_of(spec.anchor, today) if spec.anchor is not None else None
    if anchor is None:
        anchor = _anchor_before(item, placed, negated, today)
    if anchor is None and on_day is not None and on_day >= today:
        anchor = on_day
    if anchor is None:
        if spec.needs_anchor or spec.days < 0:
            return None
        if spec.days == 0:  # "le jour même" with no day before: today
            return RelativeDay(0, explicit_today=True)
        flags.add(Assumption.COUNTED_FROM_TODAY)
        return RelativeDay(spec.days)
    return _as_date(anchor + timedelta(days=spec.days))
