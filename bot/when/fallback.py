"""dateparser, used only for absolute dates our grammar does not read ("15-12-2026").

dateparser is good at calendar dates in many spellings and bad at the rest of booking French
(it reads "10h" as now + 10 hours). So it is asked for the day and month only, with
``REQUIRE_PARTS`` so a lone number is never taken for a date, and never for a time of day.
The year is kept only when written; otherwise the future rule is ours. One parser is built
lazily and reused: constructing ``DateDataParser`` costs milliseconds.
"""

from __future__ import annotations

import re
from calendar import monthrange
from functools import cache
from types import MappingProxyType
from typing import Final

from dateparser.date import DateDataParser

from bot.when.components import CalendarDate

LANGUAGES: Final = ("fr", "en")
SETTINGS: Final = MappingProxyType(
    {
        "PARSERS": ("absolute-time",),
        "REQUIRE_PARTS": ("day", "month"),
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
)
_DATE_SHAPED: Final = re.compile(r"(?<![\d:])\d{1,4} [-/.] \d{1,2} [-/.] \d{1,4}(?![\d:])")
"""Three-part numeric dates in any order ("15-12-2026", "2026/12/15"): the only thing sent to
dateparser; everything else is either ours or not a date."""


@cache
def date_parser() -> DateDataParser:
    """The shared parser, built on first use (or by ``warm_up``)."""
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in SETTINGS.items()}
    return DateDataParser(languages=list(LANGUAGES), settings=settings)


def date_shaped_spans(text: str) -> list[tuple[int, int]]:
    """Spans of normalised ``text`` that look like numeric dates."""
    return [match.span() for match in _DATE_SHAPED.finditer(text)]


def parse_date(text: str) -> CalendarDate | None:
    """A calendar date written in ``text`` (year only if written), or None."""
    data = date_parser().get_date_data(text.replace(" ", ""))
    if data.date_obj is None or data.period != "day":
        return None
    parts = set(data.parts or ())
    if not {"day", "month"} <= parts:
        return None
    year = data.date_obj.year if "year" in parts else None
    return CalendarDate(day=data.date_obj.day, month=data.date_obj.month, year=year)


_NUMBERS: Final = re.compile(r"\d+")
_DATE_PARTS: Final = 3
_FIRST_YEAR: Final = 1000
_CENTURY: Final = 2000
_CENTURY_YEARS: Final = 100
_LONGEST_MONTH: Final = 31
_MONTHS: Final = 12


def impossible_date(text: str) -> CalendarDate | None:
    """A date-shaped ``text`` that dateparser refused because the day does not exist in its
    month ("31-02-2026", "2026/04/31"), read day-month-year (year first when it has four
    digits); None when it is not clearly such a date ("15-13-2026")."""
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if len(numbers) != _DATE_PARTS:
        return None
    if numbers[0] >= _FIRST_YEAR:
        year, month, day = numbers
    else:
        day, month, year = numbers
        year += _CENTURY if year < _CENTURY_YEARS else 0
    if not (1 <= month <= _MONTHS and 1 <= day <= _LONGEST_MONTH and year >= _FIRST_YEAR):
        return None
    if day <= monthrange(year, month)[1]:
        return None
    return CalendarDate(day=day, month=month, year=year)
