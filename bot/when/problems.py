"""Words that clearly name a date or a time that does not exist ("31 février", "à 25h").

Such words are reported rather than read: dropping them would give a partial reading ("demain
à 25h" as all of tomorrow) and reading them would be a guess. Only words that are clearly a
date or a time count: "25 kg", "j'ai 25 ans", "dormi 25h", "25h de route" and phone numbers
are not times, and "24h" is left alone (a duration as often as midnight).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.when.components import (
    CalendarDate,
    Component,
    DayBound,
    DayRange,
    DaySpec,
    Found,
    PartOfDay,
    TimeSpec,
    WeekSpan,
)
from bot.when.grammar import DATE_CORE, in_past_clause, past_event_ends, read_date
from bot.when.model import WhenProblem
from bot.when.resolve import CORRECTION

LEAP_YEAR: Final = 2000
"""Any leap year: "29 février" with no year exists (in leap years), "30 février" never."""
MONTHS_PER_YEAR: Final = 12
LONGEST_MONTH: Final = 31
LAST_HOUR: Final = 24
MINUTES_PER_HOUR: Final = 60

_CLOCK_SHAPED: Final = re.compile(
    r"(?<![\w:/.])(?<!: )(?<!/ )(?<!\. )(?P<hour>\d{1,2}) "
    r"(?:(?:h|heures?)(?: (?P<minute>\d{1,2}))?|: (?P<colon>\d{2}))"
    r"(?![\w])(?! [:/.] ?\d)"
)
"""An hour written as one ("25 h", "14 h 75", "25 : 00"); normalised text, so "25h" and
"25:00" are spaced out. Not a part of "06:25:14" or "1/25 h"."""
_DURATION_AFTER: Final = re.compile(r" (?:de|d)\b(?! preference\b)")
""""25h de route", "48h d'hospitalisation": a duration ("25h de préférence" is not one)."""
_CLOCK_BEFORE: Final = re.compile(
    r"(?<![\w])(?<!y )(?:a|vers|vers les|environ|a environ|autour de|aux alentours de|apartir) $"
)
"""Words that announce a clock ("à 25h", "vers 25h"); "il y a 25h" is elapsed time, and
"dans", "sous", "avant", "après", "pendant", "pour" often announce a duration ("avant 48h")."""
_JOINED: Final = re.compile(r" (?:(?:,|a|et|ou|-|au|jusqua|sinon|plutot|non) )*")
"""Between a day or a time and the next clock ("demain, 25h", "entre 14h et 25h")."""
_FILLER: Final = frozenset(
    {
        ",",
        "-",
        "a",
        "et",
        "ou",
        "vers",
        "environ",
        "pile",
        "plutot",
        "ok",
        "oui",
        "non",
        "alors",
        "disons",
        "euh",
        "bah",
        "ben",
        "svp",
        "stp",
        "please",
        "merci",
        "bonjour",
        "hello",
    }
)
"""A message that is only a clock and these ("25h", "plutôt 25h ?") names a time."""


@dataclass(frozen=True, slots=True)
class Problem:
    """What does not exist, and where in the normalised text."""

    kind: WhenProblem
    start: int
    end: int


def _date_exists(date: CalendarDate) -> bool:
    if date.month is None:
        return 1 <= date.day <= LONGEST_MONTH
    if not 1 <= date.month <= MONTHS_PER_YEAR:
        return False
    year = LEAP_YEAR if date.year is None else date.year
    return 1 <= date.day <= monthrange(year, date.month)[1]


def _impossible_date(component: Component | DaySpec | None) -> bool:
    if isinstance(component, CalendarDate):
        return not _date_exists(component)
    if isinstance(component, DayRange):
        return _impossible_date(component.first) or _impossible_date(component.last)
    if isinstance(component, DayBound):
        return _impossible_date(component.day)
    if isinstance(component, WeekSpan):
        return _impossible_date(component.anchor)
    return False


def _date_words(text: str, found: Found) -> tuple[int, int]:
    """The offending date inside a found day expression, without "le", "du", "pour"..."""
    spans = [m.span() for m in DATE_CORE.finditer(text, found.start, found.end)]
    for start, end in spans:
        date = read_date(text[start:end])
        if date is not None and not _date_exists(date):
            return start, end
    return spans[-1] if spans else (found.start, found.end)


def _clock_exists(match: re.Match[str]) -> bool:
    hour = int(match["hour"])
    minutes = match["colon"] or match["minute"]
    minute = int(minutes) if minutes else 0
    if minutes and len(minutes) == 1:
        minute *= 10  # "10h3" is 10:30 in the grammar
    if minute >= MINUTES_PER_HOUR:
        return False
    return hour < LAST_HOUR or (hour == LAST_HOUR and minute == 0)


def _clearly_a_clock(match: re.Match[str], text: str, found: Sequence[Found]) -> bool:
    start, end = match.span()
    minutes = match["colon"] or match["minute"]
    if match["colon"] or (minutes and int(match["hour"]) < LAST_HOUR):
        return True  # "25:00", "14h75": no duration is written so
    if _DURATION_AFTER.match(text, end):
        return False
    if _CLOCK_BEFORE.search(text, 0, start):
        return True
    if any(
        item.end <= start
        and _JOINED.fullmatch(text, item.end, start)
        and isinstance(item.component, DaySpec | DayRange | TimeSpec | PartOfDay)
        for item in found
    ):
        return True  # "demain 25h", "entre 14h et 25h"
    rest = (text[:start] + " " + text[end:]).split()
    return all(word in _FILLER for word in rest)


def _time_problems(text: str, found: Sequence[Found], english: bool) -> list[Problem]:
    """Impossible clocks, except in a past-tense clause ("il a mangé à 25h"), which the
    grammar ignores as well."""
    candidates = [
        match
        for match in _CLOCK_SHAPED.finditer(text)
        if not _clock_exists(match) and _clearly_a_clock(match, text, found)
    ]
    if not candidates:
        return []
    past_ends = past_event_ends(text, english=english)
    return [
        Problem(WhenProblem.NO_SUCH_TIME, *match.span())
        for match in candidates
        if not in_past_clause(text, match.start(), past_ends)
    ]


def _corrected(problem: Problem, text: str, found: Sequence[Found]) -> bool:
    """ "à 25h, pardon 15h": a later time of the same kind after a correction replaces it."""
    kind = TimeSpec if problem.kind is WhenProblem.NO_SUCH_TIME else DaySpec | DayRange | DayBound
    return any(
        item.start >= problem.end
        and isinstance(item.component, kind)
        and not _impossible_date(item.component)
        and CORRECTION.search(text, problem.end, item.start) is not None
        for item in found
    )


def find_problem(
    found: list[Found], text: str, *, english: bool = False
) -> tuple[Problem | None, list[Found], list[tuple[int, int]]]:
    """The first date or time in ``text`` that does not exist, ``found`` without the
    components misread from one ("14 h" of "14 h 75"), and the spans of the impossible times
    the owner corrected ("à 25 h, pardon 15 h"), which are time words all the same."""
    times = _time_problems(text, found, english)
    kept = [f for f in found if not any(f.start < p.end and p.start < f.end for p in times)]
    dates = [
        Problem(WhenProblem.NO_SUCH_DATE, *_date_words(text, f))
        for f in kept
        if _impossible_date(f.component)
    ]
    problems = sorted((*times, *dates), key=lambda p: p.start)
    corrected = [p for p in problems if _corrected(p, text, kept)]
    problem = next((p for p in problems if p not in corrected), None)
    return problem, kept, [(p.start, p.end) for p in times if p in corrected]
