"""Human text for a TimeRequest, always absolute ("mardi 1 décembre 2026 à 10:00").

Absolute dates let the owner catch a misreading before anything is booked; "demain" would hide
exactly the mistake we want them to see. 24-hour times, in the request's own zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from babel.dates import format_date

from bot.when.model import Grain, TimeRequest

DATE_PATTERN: Final = "EEEE d MMMM y"
END_OF_DAY: Final = "24:00"
_WORDS: Final = MappingProxyType(
    {
        "fr": {
            "at": "{day} à {time}",
            "around": "{day} vers {time} ({start}–{end})",
            "between": "{day}, de {start} à {end}",
            "whole_day": "{day} (toute la journée)",
            "days": "du {first} au {last}",
            "span": "du {first} {start} au {last} {end}",
            "asap": "dès que possible (à partir du {day} {time})",
        },
        "en": {
            "at": "{day} at {time}",
            "around": "{day} around {time} ({start}–{end})",
            "between": "{day}, from {start} to {end}",
            "whole_day": "{day} (all day)",
            "days": "from {first} to {last}",
            "span": "from {first} {start} to {last} {end}",
            "asap": "as soon as possible (from {day} {time})",
        },
    }
)


def _day(value: date, locale: str) -> str:
    return format_date(value, DATE_PATTERN, locale=locale)


def _hm(value: datetime) -> str:
    return value.strftime("%H:%M")


def _is_midnight(value: datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def format_request(req: TimeRequest, locale: str = "fr") -> str:
    """Describe ``req`` in French (default) or English ("en"), in its own time zone."""
    language = "en" if locale.lower().startswith("en") else "fr"
    words = _WORDS[language]
    start = req.start
    day = _day(start.date(), language)
    if req.end is None:
        return words["asap"].format(day=day, time=_hm(start))
    end = req.end.astimezone(start.tzinfo)
    if req.grain is Grain.MINUTE and req.preferred is not None:
        return words["at"].format(day=_day(req.preferred.date(), language), time=_hm(req.preferred))
    if req.approximate and req.preferred is not None:
        return words["around"].format(
            day=_day(req.preferred.date(), language),
            time=_hm(req.preferred),
            start=_hm(start),
            end=_hm(end),
        )
    last_instant = end - timedelta(microseconds=1)
    end_text = END_OF_DAY if _is_midnight(end) else _hm(end)
    if last_instant.date() == start.date():
        if _is_midnight(start) and _is_midnight(end):
            return words["whole_day"].format(day=day)
        return words["between"].format(day=day, start=_hm(start), end=end_text)
    last = _day(last_instant.date(), language)
    if _is_midnight(start) and _is_midnight(end):
        return words["days"].format(first=day, last=last)
    return words["span"].format(first=day, start=_hm(start), last=last, end=end_text)
