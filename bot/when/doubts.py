"""Each assumption behind a reading, with the readings the owner may choose among.

The resolver keeps one reading and records what it assumed (``Assumption``). To ask the owner
("jeudi 14 ou vendredi 15 ?") the bot needs the other readings too: here each assumption is
turned into a ``Doubt`` whose candidates are built by reading the same words again with the
assumption made the other way (the date without its weekday and the weekday without its
date; this week's Tuesday and next week's; 5:00 and 17:00).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from bot.when.components import (
    CalendarDate,
    Clock,
    Component,
    DayBound,
    Meridiem,
    TimeAfter,
    TimeBefore,
    TimePoint,
    TimeRange,
    Weekday,
    WeekdayMode,
    WeekSpan,
)
from bot.when.model import Assumption, Doubt, TimeRequest
from bot.when.resolve import (
    Combination,
    Resolution,
    day_candidates,
    nearest_weekday,
    request_for,
)


def doubts_for(
    resolution: Resolution, request: TimeRequest, now: datetime, on_day: date | None
) -> tuple[Doubt, ...]:
    """One ``Doubt`` per assumption of ``request`` (the resolution's request, with any flags
    added since), in the order ``Assumption`` lists them."""
    if not request.assumptions:
        return ()
    return tuple(
        Doubt(kind, _candidates(kind, resolution, request, now, on_day))
        for kind in Assumption
        if kind in request.assumptions and kind is not Assumption.UNREAD_WORDS
    )


def _candidates(
    kind: Assumption,
    resolution: Resolution,
    request: TimeRequest,
    now: datetime,
    on_day: date | None,
) -> tuple[TimeRequest, ...]:
    day, time, part = resolution.combination
    readings: list[Combination] = []
    if kind is Assumption.ALTERNATIVES:
        return _sorted(resolution.options, request)
    if kind is Assumption.WEEKDAY_MISMATCH:
        others = _mismatch_days(day, resolution, request, now.date())
        readings = [(other, time, part) for other in others]
    elif kind is Assumption.NEXT_WEEKDAY_AMBIGUOUS:
        readings = [(other, time, part) for other in _week_choices(day)]
    elif kind is Assumption.AFTERNOON_ASSUMED:
        readings = [(day, other, part) for other in _half_days(time)]
    built = [r for reading in readings if (r := request_for(reading, now, on_day)) is not None]
    return _sorted(built, request)


def _sorted(requests: Iterable[TimeRequest], taken: TimeRequest) -> tuple[TimeRequest, ...]:
    """Soonest first, one per window, the reading taken standing for its own window."""
    by_window: dict[tuple[float, float | None], TimeRequest] = {}
    for request in (*requests, taken):
        end = None if request.end is None else request.end.timestamp()
        by_window[(request.start.timestamp(), end)] = request
    return tuple(by_window[key] for key in sorted(by_window, key=lambda k: k[0]))


def _mismatch_days(
    day: Component | None, resolution: Resolution, request: TimeRequest, today: date
) -> list[Component]:
    """Besides the day taken: the day the date names and the day the weekday names ("jeudi
    15" when the 15th is a Friday: Thursday 14, Friday 15); when a later month has the two
    agree ("lundi 15": June 15, taken), the coming 15th and the Monday nearest to it."""
    if resolution.others:
        return list(resolution.others)
    if isinstance(day, CalendarDate) and day.weekday is not None:
        taken = request.start.date()
        coming = day_candidates(replace(day, weekday=None), today)
        first = coming[0].first if coming else taken
        weekday = nearest_weekday(first, Weekday(day.weekday), today)
        return [weekday] if first == taken else [_as_date(first), weekday]
    return []


def _as_date(day: date) -> CalendarDate:
    return CalendarDate(day.day, day.month, day.year)


def _week_choices(day: Component | None) -> list[Component]:
    """The other week's reading of "mardi prochain" (taken: this week's), "mercredi suivant"
    (taken: next week's), "le week-end prochain" (taken: this week's)."""
    if isinstance(day, DayBound):
        return [replace(day, day=inner) for inner in _week_choices(day.day)]
    if isinstance(day, Weekday) and day.mode is WeekdayMode.NEXT:
        return [replace(day, mode=WeekdayMode.NEXT_WEEK)]
    if isinstance(day, Weekday) and day.mode is WeekdayMode.FOLLOWING:
        return [replace(day, mode=WeekdayMode.PLAIN)]
    if isinstance(day, WeekSpan) and day.weekend:
        return [replace(day, offset=1, explicit_next=False)]
    return []


def _half_days(time: Component | None) -> list[Component]:
    """ "à 3h" in the morning (taken: in the afternoon)."""
    if isinstance(time, TimePoint | TimeBefore | TimeAfter):
        return [replace(time, clock=_said(time.clock, Meridiem.AM))]
    if isinstance(time, TimeRange):
        return [TimeRange(_said(time.first, Meridiem.AM), _said(time.last, Meridiem.AM))]
    return []


def _said(clock: Clock, meridiem: Meridiem) -> Clock:
    return clock if clock.meridiem is not None or clock.named else replace(clock, meridiem=meridiem)
