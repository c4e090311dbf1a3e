"""The clinic's wall clock in French words: "le mardi 24 novembre 2026 à 10:00" ↔ an instant.

Scripts speak Paris time, as the owner and the clinic do; the bot's clock and Treats'
`scheduled_at` are in UTC. The conversion is the zone's (daylight saving included), and a time
that does not exist or happens twice on the clock (the hour skipped in March, repeated in
October) is refused rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAY_WORDS = "|".join(WEEKDAYS)
MONTH_WORDS = "|".join(MONTHS)


class WallClockError(ValueError):
    """A date or time the script gives that cannot be meant (wrong weekday, no such day...)."""


def parse_hhmm(text: str) -> time:
    """ "10:00" or "9:05" → 10:00, 09:05."""
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or len(minutes) != 2 or not minutes.isdigit():
        raise WallClockError(f"« {text} » n'est pas une heure HH:MM")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise WallClockError(f"« {text} » n'est pas une heure de la journée")
    return time(int(hours), int(minutes))


def checked_date(weekday: str, day: int, month: str, year: int) -> date:
    """The date, checked against the weekday the script names (a typo must not pass)."""
    try:
        found = date(year, MONTHS.index(month) + 1, day)
    except ValueError as error:
        raise WallClockError(f"le {day} {month} {year} n'existe pas") from error
    if WEEKDAYS[found.weekday()] != weekday:
        raise WallClockError(
            f"le {day} {month} {year} est un {WEEKDAYS[found.weekday()]}, pas un {weekday}"
        )
    return found


def paris(day: date, at: time) -> datetime:
    """The instant a Paris clock shows `day` `at`, in UTC; refused in the DST gap or overlap."""
    first = datetime.combine(day, at, tzinfo=PARIS)
    instant = first.astimezone(UTC)
    if instant.astimezone(PARIS).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise WallClockError(f"{_words(day, at)} n'existe pas à Paris (changement d'heure)")
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        raise WallClockError(f"{_words(day, at)} a lieu deux fois à Paris (changement d'heure)")
    return instant


def _words(day: date, at: time) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year} à {at:%H:%M}"


def describe(moment: datetime) -> str:
    """ "mardi 24 novembre 2026 à 10:00" (Paris) for an aware instant."""
    local = moment.astimezone(PARIS)
    return _words(local.date(), local.time())
