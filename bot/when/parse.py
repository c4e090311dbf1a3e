"""The entry point: text and the clinic's "now" in, a time window (or None) out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from functools import cache
from typing import Final

from bot.when.anchors import place_counted_days
from bot.when.components import (
    DayBound,
    DayRange,
    DaySpec,
    Found,
    FromDay,
    InstantAhead,
    OpenRequest,
)
from bot.when.doubts import doubts_for
from bot.when.fallback import date_parser, date_shaped_spans, impossible_date, parse_date
from bot.when.grammar import scan_all
from bot.when.model import Assumption, Doubt, TimeRequest, WhenProblem, WhenReading
from bot.when.normalize import Normalized, normalize_aligned
from bot.when.problems import find_problem
from bot.when.resolve import NOTHING, Resolution, resolve_reading
from bot.when.spans import expression_spans
from bot.when.unread import unread_words

DAY_NAMING: Final = DaySpec | DayRange | DayBound | InstantAhead | OpenRequest | FromDay
"""Components that name a day or longer; "dans 2 heures" and "dès que possible" count, as they
pin the moment without the day on screen."""
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
    "le 31 février",
    "demain à 25h",
    "le lendemain à l'heure du déjeuner",
    "jeudi 15, sinon le premier lundi du mois prochain",
    "pas avant le 20 2 27 au dîner",
)
WARM_UP_ROUNDS: Final = 10
"""CPython specialises bytecode after a few executions; ten rounds take ~30 ms at start-up."""
WARM_UP_NOW: Final = datetime.fromisoformat("2026-01-05T09:00:00+01:00")


def read_when(
    text: str, now: datetime, *, language: str = "fr", on_day: date | None = None
) -> WhenReading:
    """Read a booking time from ``text`` said at ``now``, with what the bot needs around it.

    ``now`` must be aware and in the clinic's zone (a ``zoneinfo.ZoneInfo``, so daylight-saving
    days are right). ``language`` is the owner's ("fr" or "en"): French and English are both
    read either way, but "a" is the English article for an English writer, the French
    auxiliary otherwise. ``on_day`` is the day the owner is looking at: a time of day with no
    day ("à 11h", "l'après-midi") is read on it, unless it has wholly passed there, and "le
    lendemain" with no day before it is counted from it. See ``WhenReading`` for the fields:
    ``doubts``, ``unread_words`` and ``must_ask`` say what the bot should show or ask.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("read_when needs an aware 'now' in the clinic's zone")
    normalized = normalize_aligned(text)
    canonical = normalized.text
    english = language == "en"
    scanned = scan_all(canonical, english=english)
    found = scanned.found
    found.extend(_dates_from_dateparser(canonical, found))
    found.sort(key=lambda f: f.start)
    problem, found, corrected = find_problem(found, canonical, english=english)
    names_day = any(isinstance(f.component, DAY_NAMING) for f in found)
    read = [*((f.start, f.end) for f in found), *scanned.negated_spans, *corrected]
    if problem is not None:
        start, end = normalized.original_span(problem.start, problem.end)
        return WhenReading(
            None,
            problem.kind,
            text[start:end],
            names_day or problem.kind is WhenProblem.NO_SUCH_DATE,
            _original_spans(text, normalized, [*read, (problem.start, problem.end)]),
        )
    placed, counted = place_counted_days(found, scanned.negated, now.date(), on_day)
    names_day = any(isinstance(f.component, DAY_NAMING) for f in placed)
    day_on_screen = None if names_day else on_day
    resolution = resolve_reading(placed, canonical, now, day_on_screen)
    if resolution is None:
        return WhenReading(None)
    used = [(f.start, f.end) for f in placed]  # "la veille" with no day before was dropped
    used += [*scanned.negated_spans, *corrected, *scanned.ignored]
    unread = unread_words(text, normalized, used, english=english)
    unread = _with_unused(text, normalized, unread, resolution, placed)
    request = resolution.request
    flags = counted | ({Assumption.UNREAD_WORDS} if unread else set())
    if flags:
        request = replace(request, assumptions=request.assumptions | flags)
    doubts = doubts_for(resolution, request, now, day_on_screen)
    if unread:
        doubts = (*doubts, Doubt(Assumption.UNREAD_WORDS, (request,), unread))
    return WhenReading(
        request,
        names_day=names_day,
        spans=_original_spans(text, normalized, read),
        doubts=doubts,
        unread_words=unread,
    )


def _with_unused(
    text: str,
    normalized: Normalized,
    unread: tuple[str, ...],
    resolution: Resolution,
    found: list[Found],
) -> tuple[str, ...]:
    """``unread`` and the words of components the request ignored: "dans 2 heures" is read
    from now, so a day or a time beside it ("demain dans 2 heures") was not used."""
    if resolution.combination is not NOTHING or resolution.request.end is None:
        return unread
    unused = [
        text[slice(*normalized.original_span(f.start, f.end))]
        for f in found
        if not isinstance(f.component, InstantAhead | OpenRequest)
    ]
    return (*unread, *unused)


def _original_spans(
    text: str, normalized: Normalized, spans: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    return expression_spans(text, (normalized.original_span(*span) for span in spans))


def parse_when(text: str, now: datetime, *, language: str = "fr") -> TimeRequest | None:
    """The window of ``read_when(text, now, language=language)``: None when the text names no
    time, or a date or time that does not exist. What it assumed is in its ``assumptions``
    (``UNREAD_WORDS`` when time words were left aside); ``read_when`` gives the readings the
    owner may choose among and whether the bot must ask."""
    return read_when(text, now, language=language).request


def _dates_from_dateparser(canonical: str, found: list[Found]) -> list[Found]:
    extra: list[Found] = []
    for start, end in date_shaped_spans(canonical):
        if any(f.start < end and start < f.end for f in found):
            continue
        date = parse_date(canonical[start:end]) or impossible_date(canonical[start:end])
        if date is not None:
            extra.append(Found(date, start, end))
    return extra


@cache
def warm_up() -> None:
    """Build dateparser's parser and compile every path once, so the first owner is not slow.

    Once per process: every clinic of a group shares the parser and the compiled patterns,
    and warming them 300 times over would hold up the group's start by seconds."""
    date_parser()
    for _ in range(WARM_UP_ROUNDS):
        for phrase in WARM_UP_PHRASES:
            parse_when(phrase, WARM_UP_NOW)
