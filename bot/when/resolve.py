"""Place components on the calendar: future-only, clipped to now, DST-correct.

Each day expression yields its first occurrence and, where the words allow it, the next one
("aujourd'hui" -> tomorrow, "jeudi" -> the Thursday after). The first occurrence whose window
has not wholly passed wins; a window that has partly passed starts at ``now``.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from bot.when.components import (
    LAST,
    BoundKind,
    CalendarDate,
    Clock,
    Component,
    DayBound,
    DayRange,
    DaySpec,
    Found,
    InstantAhead,
    Meridiem,
    MonthOrdinal,
    MonthsAhead,
    MonthSpan,
    OpenRequest,
    PartOfDay,
    Portion,
    RelativeDay,
    TimeAfter,
    TimeBefore,
    TimePoint,
    TimeRange,
    TimeSpec,
    Weekday,
    WeekdayMode,
    WeekSpan,
)
from bot.when.dayparts import MINUTES_PER_DAY, NOON, part_window
from bot.when.model import Assumption, Grain, TimeRequest
from bot.when.wallclock import at_minutes, is_before, midnight, monday_of, plus_real

DAYS_PER_WEEK: Final = 7
MONTHS_PER_YEAR: Final = 12
HALF_DAY_MINUTES: Final = 12 * 60
APPROX_HALF_WIDTH: Final = timedelta(minutes=30)
""""vers 18h" = 17:30-18:30."""
ONE_MINUTE: Final = timedelta(minutes=1)
OPEN_BOUND_DAYS: Final = 7
""""à partir de jeudi" has no end; we search the week that follows it."""
AFTERNOON_GUESS_HOURS: Final = range(1, 7)
"""Bare hours 1-6 are read as 13:00-18:00: a vet clinic does not book at 3 am."""
NIGHT_EVENING_HOURS: Final = range(7, 12)
LUNCH_PM_HOURS: Final = (1, 2)
""""le midi à 1h" is 13:00; other hours said with "midi" are kept ("le midi à 12h30")."""
DATE_SEARCH_MONTHS: Final = 14
DATE_SEARCH_YEARS: Final = 8
WEEK_PORTIONS: Final = MappingProxyType(
    {
        Portion.WHOLE: (0, 7),
        Portion.START: (0, 2),
        Portion.MIDDLE: (2, 4),
        Portion.END: (4, 7),
    }
)
"""Week portions as day offsets from Monday: début Mon-Tue, milieu Wed-Thu, fin Fri-Sun."""
MONTH_PORTIONS: Final = MappingProxyType(
    {Portion.START: (1, 11), Portion.MIDDLE: (11, 21), Portion.END: (21, 32)}
)
"""Month portions by day of month: début 1-10, mi 11-20, fin 21-end."""

CORRECTION: Final = re.compile(
    r"\b(?:non|plutot|enfin|pardon|finalement|correction|en fait|je veux dire|je voulais dire)\b"
)
_ALTERNATIVE: Final = re.compile(r"\b(?:ou|sinon|et)\b")
_PART_JOINER: Final = re.compile(r" (?:,|et|,? et) ")


@dataclass(frozen=True, slots=True)
class DayCandidate:
    """Local dates [first, end) and what we assumed to get there."""

    first: date
    end: date
    grain: Grain
    assumptions: frozenset[Assumption] = frozenset()

    @property
    def single_day(self) -> bool:
        return self.end - self.first == timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """A window in minutes from local midnight of the chosen day."""

    start: int
    end: int
    grain: Grain
    preferred: int | None = None
    approximate: bool = False
    assumptions: frozenset[Assumption] = frozenset()


def _one_day(day: date, *flags: Assumption) -> DayCandidate:
    return DayCandidate(day, day + timedelta(days=1), Grain.DAY, frozenset(flags))


def _rolled(candidate: DayCandidate) -> DayCandidate:
    return replace(candidate, assumptions=candidate.assumptions | {Assumption.ROLLED_FORWARD})


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * MONTHS_PER_YEAR + month - 1 + months
    return index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1


def _valid_date(year: int, month: int, day: int) -> date | None:
    if 1 <= month <= MONTHS_PER_YEAR and 1 <= day <= monthrange(year, month)[1]:
        return date(year, month, day)
    return None


def _weekday_date(spec: Weekday, today: date) -> tuple[date, frozenset[Assumption]]:
    delta = (spec.weekday - today.weekday()) % DAYS_PER_WEEK
    plain = today + timedelta(days=delta or DAYS_PER_WEEK)
    next_monday = monday_of(today) + timedelta(days=DAYS_PER_WEEK)
    if spec.mode in (WeekdayMode.NEXT_WEEK, WeekdayMode.FOLLOWING):
        day = next_monday + timedelta(days=spec.weekday)
    elif spec.mode is WeekdayMode.THIS:
        day = today + timedelta(days=delta)
    else:
        day = plain
    flags: frozenset[Assumption] = frozenset()
    if spec.mode in (WeekdayMode.NEXT, WeekdayMode.FOLLOWING) and plain < next_monday:
        flags = frozenset({Assumption.NEXT_WEEKDAY_AMBIGUOUS})
    return day + timedelta(days=DAYS_PER_WEEK * spec.weeks_after), flags


def _date_occurrences(spec: CalendarDate, today: date) -> list[date]:
    """Dates matching ``spec`` on or after ``today``, soonest first (a few are enough)."""
    if spec.month is not None and spec.year is not None:
        found = _valid_date(spec.year, spec.month, spec.day)
        return [found] if found is not None and found >= today else []
    dates: list[date] = []
    if spec.month is not None:
        for year in range(today.year, today.year + DATE_SEARCH_YEARS):
            found = _valid_date(year, spec.month, spec.day)
            if found is not None and found >= today:
                dates.append(found)
    else:
        for offset in range(DATE_SEARCH_MONTHS):
            year, month = _add_months(today.year, today.month, offset)
            found = _valid_date(year, month, spec.day)
            if found is not None and found >= today:
                dates.append(found)
    return dates[:3]


def _date_candidates(spec: CalendarDate, today: date) -> list[DayCandidate]:
    dates = _date_occurrences(spec, today)
    if not dates:
        return []
    flags: tuple[Assumption, ...] = ()
    if spec.weekday is not None:
        matching = [d for d in dates if d.weekday() == spec.weekday]
        if not matching:
            return [_one_day(dates[0], Assumption.WEEKDAY_MISMATCH)]
        if matching[0] != dates[0]:  # "lundi 15" when the coming 15th is a Friday
            flags = (Assumption.WEEKDAY_MISMATCH,)
        dates = matching
    first = _one_day(dates[0], *flags)
    return [first, *(_rolled(_one_day(d, *flags)) for d in dates[1:2])]


def _week_candidates(spec: WeekSpan, today: date) -> list[DayCandidate]:
    base = today
    if spec.anchor is not None:
        anchored = _date_occurrences(spec.anchor, today)
        if not anchored:
            return []
        base = anchored[0]
    monday = monday_of(base) + timedelta(days=DAYS_PER_WEEK * spec.offset)
    flags: set[Assumption] = set()
    if spec.weekend:
        first_offset, end_offset = 5, 7
        if spec.explicit_next:
            if today.weekday() >= first_offset:
                monday += timedelta(days=DAYS_PER_WEEK)
            else:
                flags.add(Assumption.NEXT_WEEKDAY_AMBIGUOUS)
    else:
        first_offset, end_offset = WEEK_PORTIONS[spec.portion]
    first = DayCandidate(
        monday + timedelta(days=first_offset),
        monday + timedelta(days=end_offset),
        Grain.WEEK,
        frozenset(flags),
    )
    week = timedelta(days=DAYS_PER_WEEK)
    return [first, _rolled(replace(first, first=first.first + week, end=first.end + week))]


def _month_span(year: int, month: int, portion: Portion) -> DayCandidate:
    last_day = monthrange(year, month)[1]
    if portion is Portion.WHOLE:
        first_day, end_day = 1, last_day + 1
    else:
        first_day, end_day = MONTH_PORTIONS[portion]
        end_day = min(end_day, last_day + 1)
    first = date(year, month, first_day)
    return DayCandidate(first, first + timedelta(days=end_day - first_day), Grain.MONTH)


def _month_candidates(spec: MonthSpan, today: date) -> list[DayCandidate]:
    if spec.month is None:
        year, month = _add_months(today.year, today.month, spec.offset)
        return [_month_span(year, month, spec.portion)]
    if spec.year is not None:
        if (spec.year, spec.month) < (today.year, today.month):
            return []
        return [_month_span(spec.year, spec.month, spec.portion)]
    year = today.year if spec.month >= today.month else today.year + 1
    return [
        _month_span(year, spec.month, spec.portion),
        _rolled(_month_span(year + 1, spec.month, spec.portion)),
    ]


def _ordinal_day(spec: MonthOrdinal, year: int, month: int) -> date | None:
    """The ``spec.which``-th weekday (or day) of that month; None when it has none."""
    last_day = monthrange(year, month)[1]
    if spec.weekday is None:
        day = last_day if spec.which == LAST else spec.which
        return date(year, month, day) if 1 <= day <= last_day else None
    if spec.which == LAST:
        last = date(year, month, last_day)
        return last - timedelta(days=(last.weekday() - spec.weekday) % DAYS_PER_WEEK)
    first = date(year, month, 1)
    offset = (spec.weekday - first.weekday()) % DAYS_PER_WEEK + DAYS_PER_WEEK * (spec.which - 1)
    return first + timedelta(days=offset) if offset < last_day else None


def _ordinal_candidates(spec: MonthOrdinal, today: date) -> list[DayCandidate]:
    """This month's (or the named month's) day, then the next one when it has passed."""
    months = [(c.first.year, c.first.month) for c in _month_candidates(spec.month, today)]
    if spec.month.month is None and spec.month.offset == 0:
        months.append(_add_months(today.year, today.month, 1))
    days = [d for year, month in months if (d := _ordinal_day(spec, year, month)) is not None]
    future = [d for d in days if d >= today]
    return [_one_day(d) if d == days[0] else _rolled(_one_day(d)) for d in future[:2]]


def day_candidates(spec: DaySpec | None, today: date) -> list[DayCandidate]:
    """The occurrences of ``spec`` to try in order; the first not wholly past is used."""
    if spec is None:
        return [_one_day(today), _one_day(today + timedelta(days=1))]
    if isinstance(spec, RelativeDay):
        first = _one_day(today + timedelta(days=spec.days))
        if spec.explicit_today:
            return [first, _rolled(_one_day(today + timedelta(days=1)))]
        return [first]
    if isinstance(spec, MonthsAhead):
        year, month = _add_months(today.year, today.month, spec.months)
        return [_one_day(date(year, month, min(today.day, monthrange(year, month)[1])))]
    if isinstance(spec, Weekday):
        day, flags = _weekday_date(spec, today)
        first = _one_day(day, *flags)
        return [first, _rolled(_one_day(day + timedelta(days=DAYS_PER_WEEK), *flags))]
    if isinstance(spec, CalendarDate):
        return _date_candidates(spec, today)
    if isinstance(spec, WeekSpan):
        return _week_candidates(spec, today)
    if isinstance(spec, MonthOrdinal):
        return _ordinal_candidates(spec, today)
    return _month_candidates(spec, today)


def _first_on_or_after(spec: DaySpec, start: date) -> DayCandidate | None:
    if isinstance(spec, Weekday) and spec.mode is WeekdayMode.PLAIN:
        spec = replace(spec, mode=WeekdayMode.THIS)
    found = day_candidates(spec, start)
    return found[0] if found and found[0].first >= start else None


def _range_candidate(spec: DayRange, today: date) -> DayCandidate | None:
    first = day_candidates(spec.first, today)
    if not first:
        return None
    last = _first_on_or_after(spec.last, first[0].first)
    if last is None:
        return None
    return DayCandidate(first[0].first, last.end, Grain.DAY, first[0].assumptions)


def _part_meridiem(part: PartOfDay | None) -> Meridiem | None:
    """AM for a part wholly before noon ("le matin"), PM for one wholly after ("le soir",
    "en fin de journée"), None when it spans noon ("dans la journée")."""
    if part is None:
        return None
    start, end = _part_window(part)
    if end <= NOON:
        return Meridiem.AM
    return Meridiem.PM if start >= NOON else None


def _clock_minutes(clock: Clock, part: PartOfDay | None) -> tuple[int, frozenset[Assumption]]:
    """Minutes after midnight, reading "3h" as 15:00 unless something says morning."""
    hour = clock.hour
    if clock.named:
        minutes = hour * 60 + clock.minute
        return (MINUTES_PER_DAY if minutes == 0 else minutes), frozenset()
    flags: frozenset[Assumption] = frozenset()
    name = part.name if part else None
    said = _part_meridiem(part) if name not in ("nuit", "midi") else None
    if clock.meridiem is Meridiem.AM or (clock.meridiem is None and said is Meridiem.AM):
        pass
    elif clock.meridiem is None and name == "nuit":
        hour += 12 if hour in NIGHT_EVENING_HOURS else MINUTES_PER_DAY // 60 if hour < 7 else 0
    elif clock.meridiem is Meridiem.PM or said is Meridiem.PM:
        hour += 12 if hour < 12 else 0
    elif name == "midi" and hour in LUNCH_PM_HOURS:
        hour += 12
    elif hour in AFTERNOON_GUESS_HOURS:
        hour += 12
        flags = frozenset({Assumption.AFTERNOON_ASSUMED})
    return hour * 60 + clock.minute, flags


def _part_window(part: PartOfDay) -> tuple[int, int]:
    return part_window(part.name, part.portion)


def time_of_day(spec: TimeSpec | None, part: PartOfDay | None) -> TimeOfDay | None:
    """The window inside one day; None when only the day was given."""
    base = _part_window(part) if part else (0, MINUTES_PER_DAY)
    if isinstance(spec, TimePoint):
        minutes, flags = _clock_minutes(spec.clock, part)
        if spec.approximate:
            return TimeOfDay(minutes, minutes, Grain.HOUR, minutes, True, flags)
        return TimeOfDay(minutes, minutes, Grain.MINUTE, minutes, False, flags)
    if isinstance(spec, TimeRange):
        return _range_of_day(spec, part)
    if isinstance(spec, TimeBefore):
        end, flags = _clock_minutes(spec.clock, part)
        end = end or MINUTES_PER_DAY  # "jusqu'à 0h": until midnight, the end of the day
        start = base[0] if base[0] < end else 0
        return TimeOfDay(start, end, Grain.HOUR, assumptions=flags)
    if isinstance(spec, TimeAfter):
        start, flags = _clock_minutes(spec.clock, part)
        end = base[1] if base[1] > start else MINUTES_PER_DAY
        return TimeOfDay(start, end, Grain.HOUR, assumptions=flags)
    if part is not None:
        return TimeOfDay(base[0], base[1], Grain.PART_OF_DAY)
    return None


def _range_of_day(spec: TimeRange, part: PartOfDay | None) -> TimeOfDay:
    first, last = spec.first, spec.last
    if first.meridiem is None and last.meridiem is not None and first.hour <= last.hour:
        first = replace(first, meridiem=last.meridiem)
    start, start_flags = _clock_minutes(first, part)
    end, end_flags = _clock_minutes(last, part)
    flags = set(start_flags | end_flags)
    if end == start:  # "de 15h à 15h" is 15:00; an empty window would not be a request
        return TimeOfDay(start, start, Grain.MINUTE, start, assumptions=frozenset(flags))
    if end <= start:
        bare = last.meridiem is None and not last.named and last.hour < 12
        if bare and end + HALF_DAY_MINUTES > start:
            end += HALF_DAY_MINUTES
        elif end + MINUTES_PER_DAY - start <= HALF_DAY_MINUTES:
            end += MINUTES_PER_DAY
        else:
            start, end = end, start
            flags.add(Assumption.RANGE_REORDERED)
    return TimeOfDay(start, end, Grain.HOUR, assumptions=frozenset(flags))


def _build(day: DayCandidate, tod: TimeOfDay | None, now: datetime) -> TimeRequest | None:
    """The request for one day candidate, or None when it has wholly passed."""
    zone = now.tzinfo
    assert zone is not None
    flags = set(day.assumptions)
    preferred: datetime | None = None
    approximate = False
    if tod is None or not day.single_day:
        if tod is not None:
            flags.add(Assumption.TIME_IGNORED)
        start, end, grain = midnight(day.first, zone), midnight(day.end, zone), day.grain
    else:
        flags |= tod.assumptions
        grain, approximate = tod.grain, tod.approximate
        start, start_dst = at_minutes(day.first, tod.start, zone)
        end = at_minutes(day.first, tod.end, zone)[0]
        if tod.preferred is not None:
            preferred = start
            if grain is Grain.MINUTE:
                end = start + ONE_MINUTE
            else:
                start, end = start - APPROX_HALF_WIDTH, start + APPROX_HALF_WIDTH
        if start_dst is not None:
            flags.add(start_dst)
    cutoff = preferred or end
    if not is_before(now, cutoff):
        return None
    if is_before(start, now):
        start = now
    return TimeRequest(start, end, grain, preferred, approximate, frozenset(flags))


def _bound_request(spec: DayBound, today: date, now: datetime) -> TimeRequest | None:
    zone = now.tzinfo
    assert zone is not None
    candidates = day_candidates(spec.day, today)
    if not candidates:
        return None
    day = candidates[0]
    open_span = timedelta(days=OPEN_BOUND_DAYS)
    if spec.kind is BoundKind.BEFORE:
        start, end, grain = now, midnight(day.first, zone), Grain.DAY
    elif spec.kind is BoundKind.THROUGH:
        start, end, grain = now, midnight(day.end, zone), Grain.DAY
    elif spec.kind is BoundKind.FROM:
        start, end, grain = (
            midnight(day.first, zone),
            midnight(day.first + open_span, zone),
            Grain.WEEK,
        )
    else:
        start, end, grain = midnight(day.end, zone), midnight(day.end + open_span, zone), Grain.WEEK
    if not is_before(now, end):
        return None
    start = now if is_before(start, now) else start
    if not is_before(start, end):
        return None
    return TimeRequest(start, end, grain, assumptions=day.assumptions)


def _instant_request(spec: InstantAhead, now: datetime) -> TimeRequest:
    target = plus_real(now, timedelta(minutes=spec.minutes))
    if spec.within:
        return TimeRequest(now, target, Grain.HOUR)
    if spec.approximate:
        start = max(now, plus_real(target, -APPROX_HALF_WIDTH), key=lambda d: d.timestamp())
        return TimeRequest(start, plus_real(target, APPROX_HALF_WIDTH), Grain.HOUR, target, True)
    return TimeRequest(target, plus_real(target, ONE_MINUTE), Grain.MINUTE, target)


Merged = tuple[Component, frozenset[Assumption], tuple[Component, ...]]
Merger = Callable[[Component, Component, date], Merged | None]
"""Two components of one category that describe a single thing, merged, or None; when they
disagree, the other readings of the words come third ("demain le 15": the 15th)."""


def _merge_days(a: Component, b: Component, today: date) -> Merged | None:
    """Two day expressions that describe one day ("mardi, la semaine prochaine")."""
    if a == b:
        return a, frozenset(), ()
    if isinstance(b, Weekday) and not isinstance(a, Weekday):
        a, b = b, a
    if isinstance(a, Weekday):
        if isinstance(b, WeekSpan) and b.anchor is None and b.portion is Portion.WHOLE:
            mode = WeekdayMode.NEXT_WEEK if b.offset == 1 else WeekdayMode.THIS
            return replace(a, mode=mode), frozenset(), ()
        if isinstance(b, CalendarDate) and b.weekday is None:
            return replace(b, weekday=a.weekday), frozenset(), ()
        if isinstance(b, RelativeDay):
            day = today + timedelta(days=b.days)
            if day.weekday() == a.weekday:
                return b, frozenset(), ()
            return b, frozenset({Assumption.WEEKDAY_MISMATCH}), (nearest_weekday(day, a, today),)
        return None
    if isinstance(b, CalendarDate) and not isinstance(a, CalendarDate):
        a, b = b, a
    if isinstance(a, CalendarDate) and isinstance(b, MonthSpan) and a.month is None:
        if b.month is not None:
            return replace(a, month=b.month, year=b.year), frozenset(), ()
        year, month = _add_months(today.year, today.month, b.offset)
        return replace(a, month=month, year=year), frozenset(), ()
    if isinstance(a, CalendarDate) and isinstance(b, RelativeDay):
        same = _date_occurrences(a, today)[:1] == [today + timedelta(days=b.days)]
        if same:
            return b, frozenset(), ()
        return b, frozenset({Assumption.WEEKDAY_MISMATCH}), (a,)
    return None


def _as_date(day: date) -> CalendarDate:
    return CalendarDate(day.day, day.month, day.year)


def nearest_weekday(day: date, weekday: Weekday, today: date) -> CalendarDate:
    """The day named ``weekday`` closest to ``day`` and not past: "jeudi 15" when the 15th is
    a Friday also means Thursday 14."""
    delta = (weekday.weekday - day.weekday()) % DAYS_PER_WEEK
    closest = delta if delta <= DAYS_PER_WEEK // 2 else delta - DAYS_PER_WEEK
    found = day + timedelta(days=closest)
    return _as_date(found if found >= today else found + timedelta(days=DAYS_PER_WEEK))


def _merge_times(a: Component, b: Component, today: date) -> Merged | None:
    """ "après 14h et avant 16h" is a range; bounds that contradict each other ("jusqu'à 18h,
    donc après 18h30") keep the later one, which is where owners put their conclusion."""
    if a == b:
        return a, frozenset(), ()
    if isinstance(a, TimeAfter | TimeBefore) and isinstance(b, TimeAfter | TimeBefore):
        if type(a) is type(b):
            return None
        after, before = (a, b) if isinstance(a, TimeAfter) else (b, a)
        first, last = _clock_minutes(after.clock, None)[0], _clock_minutes(before.clock, None)[0]
        if first < last:
            return TimeRange(after.clock, before.clock), frozenset(), ()
        return b, frozenset(), ()
    return None


def _merge_same(a: Component, b: Component, today: date) -> Merged | None:
    return (a, frozenset(), ()) if a == b else None


@dataclass(frozen=True, slots=True)
class Chosen:
    """A category's components once folded: the options, what merging assumed, and the other
    readings of merged words that disagreed."""

    options: list[Component]
    flags: frozenset[Assumption]
    others: tuple[Component, ...] = ()


def _choose(items: Sequence[Found], text: str, today: date, merge: Merger) -> Chosen:
    """Fold a category's components: corrections replace, compatible ones merge, the rest
    are alternatives ("lundi ou jeudi")."""
    alternatives: list[Component] = []
    flags: set[Assumption] = set()
    others: list[Component] = []
    previous_end = 0
    for found in items:
        gap = text[previous_end : found.start]
        previous_end = found.end
        if not alternatives:
            alternatives.append(found.component)
            continue
        if CORRECTION.search(gap):
            alternatives, flags, others = [found.component], set(), []
            continue
        merged = (
            None if _ALTERNATIVE.search(gap) else merge(alternatives[-1], found.component, today)
        )
        if merged is not None:
            alternatives[-1] = merged[0]
            flags |= merged[1]
            others.extend(merged[2])
        else:
            alternatives.append(found.component)
    return Chosen(alternatives, frozenset(flags), tuple(others))


def _one(
    day: Component | None,
    time: Component | None,
    part: Component | None,
    now: datetime,
    on_day: date | None,
) -> TimeRequest | None:
    today = now.date()
    if isinstance(day, DayBound):
        return _bound_request(day, today, now)
    if isinstance(day, DayRange):
        candidate = _range_candidate(day, today)
        candidates = [candidate] if candidate else []
    elif day is None and on_day is not None:
        candidates = [_one_day(on_day), *day_candidates(None, today)]
    elif day is None or isinstance(day, DaySpec):
        candidates = day_candidates(day, today)
    else:
        return None
    time_spec = time if isinstance(time, TimeSpec) else None
    tod = time_of_day(time_spec, part if isinstance(part, PartOfDay) else None)
    for candidate in candidates:
        request = _build(candidate, tod, now)
        if request is not None:
            return request
    return None


def _is_daily_schedule(
    parts: Sequence[Found], days: Sequence[Found], times: Sequence[Found], text: str
) -> bool:
    """ "matin et soir" with no day is a routine (medication, feeding), not a booking window."""
    if days or times or len(parts) < 2:
        return False
    return all(_PART_JOINER.fullmatch(text[a.end : b.start]) for a, b in pairwise(parts))


Combination = tuple[Component | None, Component | None, Component | None]


def _spread(options: list[Component], count: int) -> list[Component | None] | None:
    """``options`` stretched to ``count`` slots: none, one for all, or one each."""
    if not options:
        return [None] * count
    if len(options) == 1:
        return [options[0]] * count
    return list(options) if len(options) == count else None


def _combinations(
    days: list[Component], times: list[Component], parts: list[Component]
) -> list[Combination]:
    """Pair options given in parallel ("jeudi 14h ou vendredi 10h" -> Thu 14h, Fri 10h);
    otherwise every day with every time of day."""
    if len(days) > 1 and (len(times) == len(days) or len(parts) == len(days)):
        paired_times, paired_parts = _spread(times, len(days)), _spread(parts, len(days))
        if paired_times is not None and paired_parts is not None:
            return list(zip(days, paired_times, paired_parts, strict=True))
    return [
        (day, time, part)
        for day in days or [None]
        for time in times or [None]
        for part in parts or [None]
    ]


@dataclass(frozen=True, slots=True)
class Resolution:
    """The request read, and what the doubts about it are built from (``bot.when.doubts``)."""

    request: TimeRequest
    combination: Combination
    """The (day, time, part) components the request was built from; all None for "dans 2
    heures" and "dès que possible"."""
    options: tuple[TimeRequest, ...] = ()
    """One request per option the owner gave ("lundi ou jeudi"), soonest first."""
    others: tuple[Component, ...] = ()
    """Other readings of day words that disagreed ("demain le 15": the 15th)."""


NOTHING: Final[Combination] = (None, None, None)


def resolve_reading(
    found: Sequence[Found], text: str, now: datetime, on_day: date | None = None
) -> Resolution | None:
    """``resolve``, with the choices behind the request (see ``Resolution``)."""
    today = now.date()
    days = [f for f in found if isinstance(f.component, DaySpec | DayRange | DayBound)]
    times = [f for f in found if isinstance(f.component, TimeSpec)]
    parts = [f for f in found if isinstance(f.component, PartOfDay)]
    instants = [f.component for f in found if isinstance(f.component, InstantAhead)]
    if instants:
        return Resolution(_instant_request(instants[-1], now), NOTHING)
    day_chosen = _choose(days, text, today, _merge_days)
    time_chosen = _choose(times, text, today, _merge_times)
    part_chosen = _choose(parts, text, today, _merge_same)
    if _is_daily_schedule(parts, days, times, text):
        return None
    if not (day_chosen.options or time_chosen.options or part_chosen.options):
        if any(isinstance(f.component, OpenRequest) for f in found):
            return Resolution(TimeRequest(now, None, Grain.ASAP), NOTHING)
        return None
    built = [
        (combination, request)
        for combination in _combinations(
            day_chosen.options, time_chosen.options, part_chosen.options
        )
        if (request := request_for(combination, now, on_day)) is not None
    ]
    if not built:
        return None
    combination, best = min(built, key=lambda item: item[1].start.timestamp())
    flags = best.assumptions | day_chosen.flags | time_chosen.flags
    if len(built) > 1:
        flags |= {Assumption.ALTERNATIVES}
    options: tuple[TimeRequest, ...] = ()
    if len(built) > 1:
        options = tuple(sorted({r for _, r in built}, key=lambda r: r.start.timestamp()))
    if flags != best.assumptions:
        best = replace(best, assumptions=flags)
    return Resolution(best, combination, options, day_chosen.others)


def request_for(
    combination: Combination, now: datetime, on_day: date | None = None
) -> TimeRequest | None:
    """The request for one (day, time, part) combination, or None when it has passed."""
    return _one(*combination, now, on_day)


def resolve(
    found: Sequence[Found], text: str, now: datetime, on_day: date | None = None
) -> TimeRequest | None:
    """One request from all components, or None when none places a time.

    ``on_day``: a time of day with no day is read on that day first ("à 11h" while the owner
    looks at Wednesday's slots), then as usual if it has wholly passed there."""
    resolution = resolve_reading(found, text, now, on_day)
    return None if resolution is None else resolution.request
