"""The entry point: text and the clinic's "now" in, a time window (or None) out."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.when.components import Found
from bot.when.fallback import date_parser, date_shaped_spans, parse_date
from bot.when.grammar import scan
from bot.when.model import TimeRequest
from bot.when.normalize import normalize
from bot.when.resolve import resolve

WARM_UP_PHRASES: Final = (
    "mardi prochain à 10h",
    "demain matin",
    "jeudi après-midi vers 15h",
    "entre 14h et 16h le 15/12",
    "le 15-12-2030 à 18h",
    "next friday at 3pm",
    "dès que possible",
    "mercredy apres midi",
    "dans 2 heures",
    "dans 3 jours",
    "la semaine prochaine",
    "fin janvier",
    "avant jeudi",
    "du 3 au 5 mars",
    "lundi en huit",
    "pas demain mais jeudi ou vendredi",
    "il a vomi ce matin",
    "à partir de 17h",
)
WARM_UP_ROUNDS: Final = 10
"""CPython specialises bytecode after a few executions; ten rounds take ~30 ms at start-up."""
WARM_UP_NOW: Final = datetime.fromisoformat("2026-01-05T09:00:00+01:00")


def parse_when(text: str, now: datetime, *, language: str = "fr") -> TimeRequest | None:
    """Read a booking time from ``text`` said at ``now``.

    ``now`` must be aware and in the clinic's zone (a ``zoneinfo.ZoneInfo``, so daylight-saving
    days are right). ``language`` is the owner's ("fr" or "en"): French and English are both
    read either way, but "a" is the English article for an English writer, the French
    auxiliary otherwise. Returns None when the text names no time; never a guess.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_when needs an aware 'now' in the clinic's zone")
    canonical = normalize(text)
    found = scan(canonical, english=language == "en")
    found.extend(_dates_from_dateparser(canonical, found))
    found.sort(key=lambda f: f.start)
    return resolve(found, canonical, now)


def _dates_from_dateparser(canonical: str, found: list[Found]) -> list[Found]:
    extra: list[Found] = []
    for start, end in date_shaped_spans(canonical):
        if any(f.start < end and start < f.end for f in found):
            continue
        date = parse_date(canonical[start:end])
        if date is not None:
            extra.append(Found(date, start, end))
    return extra


def warm_up() -> None:
    """Build dateparser's parser and compile every path once, so the first owner is not slow."""
    date_parser()
    for _ in range(WARM_UP_ROUNDS):
        for phrase in WARM_UP_PHRASES:
            parse_when(phrase, WARM_UP_NOW)
