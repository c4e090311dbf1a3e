"""Find time components in normalised text with one ordered regex alternation.

At each position the first alternative that matches wins, so longer constructions ("entre 14 h
et 16 h", "jeudi de la semaine prochaine") are listed before their parts. Each alternative is
re-read by a small handler that builds a typed component. Numbers only become hours or days in
a context that says so ("10 h", "à 10", "le 2"), and a number followed by a unit ("2 chats",
"10 ans") never does: a wrong guess costs more than no answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    FromDay,
    InstantAhead,
    Meridiem,
    MonthOrdinal,
    MonthsAhead,
    MonthSpan,
    OpenKind,
    OpenRequest,
    PartOfDay,
    Portion,
    RelativeDay,
    TimeAfter,
    TimeBefore,
    TimePoint,
    TimeRange,
    Weekday,
    WeekdayMode,
    WeekSpan,
)
from bot.when.dayparts import IDIOMS, MEALS, MINUTES_PER_DAY, meal_bounds, part_window
from bot.when.lexicon import MONTHS, NON_TIME_UNITS, PART_ALIASES, WEEKDAYS

DAYS_PER_WEEK: Final = 7
IDIOMATIC_DAYS: Final = MappingProxyType({8: 7, 15: 14})
""""dans huit jours" is one week and "dans quinze jours" two, in French usage."""
WEEKS_FOR_EN: Final = MappingProxyType({"8": 1, "15": 2})
""""lundi en huit" / "en quinze": one or two weeks after."""
MINUTES_PER_HOUR: Final = 60


def _alt(words: object) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


_WD: Final = rf"(?:{_alt(WEEKDAYS)})"
_MONTH_WORDS: Final = MappingProxyType({**MONTHS, "may": 5, "march": 3})
_MO: Final = rf"(?:{_alt(_MONTH_WORDS)})"
_PART: Final = rf"(?:{_alt(PART_ALIASES)}|{_alt(IDIOMS)})"
_MEAL: Final = rf"(?:{_alt(MEALS)})"
_UNIT: Final = rf"(?:{_alt(NON_TIME_UNITS)}|jours?|semaines?|mois|minutes|ans?|%|e)"

_HOUR: Final = r"(?:[01]?\d|2[0-3])"
_MIN: Final = r"[0-5]\d"
_FRAC: Final = (
    r"(?:et demi|et quart|(?:et )?3 quarts?|moins (?:le )?quart|moins [0-5]?\d(?: minutes)?"
    rf"|(?:et |passee?s? de )?[0-5]?\d minutes|{_MIN}|[0-9])"
)
"""What may follow an hour: "et demie", "et quart", "trois quarts", "moins le quart", "moins
dix", "et quinze minutes", "passé de 15 minutes", "30", "05" (spelled minutes are padded)."""
_MER: Final = r"(?:am|pm|du matin|du soir|de l aprem|de la nuit)"
_NOT_DURATION: Final = r"(?! (?:de|d)\b(?! (?:l aprem|la nuit|preference)\b))"
""""2h de route", "3 h d'attente": a duration, not a clock."""
_NOT_AFTER_DURATION: Final = r"(?<!dure )(?<!duree )(?<!durer )(?<!prend )(?<!faut )(?<!\ben )"
""""ça dure 2h", "il faut 3h", "en 2h": a duration, not a clock."""
_HFORM: Final = rf"{_HOUR} (?:heures?|h)(?: {_FRAC})?(?: pile)?(?: {_MER})?{_NOT_DURATION}"
_COLON: Final = (
    rf"{_HOUR} : {_MIN}(?: pile)?(?: {_MER})?|{_HOUR} \. (?:1[3-9]|[2-5]\d)(?: {_MER})?"
    rf"|{_HOUR} \. {_MIN} (?:am|pm|h)"
)
"""10:30 always; 10.30 only when it cannot be a date (minutes > 12, or am/pm after it)."""
_AMPM: Final = rf"{_HOUR}(?: {_MIN})? (?:am|pm)"
_NAMED: Final = (
    rf"(?:minuit(?: {_FRAC})?|midi (?:{_FRAC}|pile)|(?<!ce )(?<!le )(?<!du )(?<!de )(?<!en )midi)"
)
"""Bare "midi" is noon ("demain midi"); "ce midi", "le midi" are lunchtime (part of day)."""
_STRONG: Final = rf"(?:{_HFORM}|{_COLON}|{_AMPM}|{_NAMED})"
_NOT_QUANTITY: Final = rf"(?! (?:(?:{_UNIT}|{_MO})\b|[/:.\-] ?\d|\d))"
_WEAK: Final = rf"(?:{_HOUR}(?: {_MIN})?{_NOT_QUANTITY})"
_CLOCK: Final = rf"(?:{_STRONG}|minuit|midi|{_WEAK})"
"""A clock after a word that announces one ("vers", "avant", "entre"): bare numbers allowed."""
_RANGE_START: Final = rf"(?:{_STRONG}|minuit|midi|{_HOUR}(?: {_MIN})?)"

_FOLLOW_BARE_AT: Final = (
    rf"(?= ?(?:$|,|-|(?:ou|et|si|svp|stp|merci|pile|environ|demain|auj|apresdemain|ce|le|la"
    rf"|du|de|pour|donc|car|parce|please|c|ca|plutot|sinon|mais|je|j|on|prochain|avec|chez|au"
    rf"|dans|max|maximum|{_WD}|{_PART})\b))"
)
"""After a bare "à 10", only words that cannot make 10 a quantity ("il a 10 ans")."""

_APPROX_PRE: Final = (
    r"(?:vers(?: les)?|environ|a environ|autour de|aux alentours de|alentours de"
    r"|a peu pres(?: a| vers)?|aux environs de|dans les|sur les|plus ou moins)"
)
_BEFORE_PRE: Final = r"(?:avant|jusqua|dici)"
_AFTER_PRE: Final = r"(?:apres|apartir|des|a partir de)"
_DAY_NUM: Final = r"(?:3[01]|[12]\d|0?[1-9])"
_NOT_CLOCK: Final = rf"(?! (?:h|heures?|:|am|pm)\b){_NOT_QUANTITY}"
_DATE_DAY_NUM: Final = rf"(?:{_DAY_NUM}|3[2-9]|00?)"
"""A day number next to a month name: 0 and 32-39 too, read so they can be reported as dates
that do not exist ("32 mars") rather than silently dropped."""
_DATE_WORDS: Final = (
    rf"(?:(?:{_WD}) )?{_DATE_DAY_NUM} (?:de )?(?:{_MO})(?: 20\d\d)?"
    rf"|(?:{_MO}) {_DATE_DAY_NUM}(?: 20\d\d)?(?! h\b)"
)
_SPACED_END: Final = rf"(?! ?[\d:/.])(?! (?:h|heures?|am|pm|{_UNIT})\b)"
_DATE_NUMS: Final = (
    rf"20\d\d - [01]?\d - {_DAY_NUM}"
    rf"|{_DAY_NUM} [/.] [01]?\d(?: [/.] (?:20)?\d\d)?(?! (?:h|heures?)\b)"
    rf"|(?<![\d:/.] ){_DAY_NUM} (?:0[1-9]|1[0-2])(?: (?:20)?\d\d)?{_SPACED_END}"
    rf"|(?<![\d:/.\-] ){_DAY_NUM} - 0[1-9]{_SPACED_END}(?! ?-)"
)
"""Numeric dates: "2026-12-15", "15/12", "15.12.26", and with spaces when the month has two
digits ("17 02", "31 10 2026"), or a dash and a leading zero ("17-02": "10-12" may be hours);
never inside a longer run of numbers (a phone number)."""
_DATE_SPACED_LE: Final = (
    rf"(?:le|du|pour le|au) {_DAY_NUM} (?:0?[1-9]|1[0-2])(?: (?:20)?\d\d)?{_SPACED_END}"
)
""""le 20 2 27", "le 3 4": after "le" a one-digit month is clear enough."""
_ORDINAL_WORDS: Final = MappingProxyType(
    {
        "premier": 1,
        "deuxieme": 2,
        "second": 2,
        "seconde": 2,
        "troisieme": 3,
        "third": 3,
        "quatrieme": 4,
        "fourth": 4,
        "cinquieme": 5,
        "fifth": 5,
        "dernier": LAST,
        "derniere": LAST,
        "last": LAST,
    }
)
_ORD: Final = rf"(?:[1-5]|{_alt(_ORDINAL_WORDS)})"
_MONTH_REF: Final = (
    rf"(?:(?:le |ce )?mois (?:prochain|suivant|d apres|ci)|(?:le )?prochain mois|ce mois"
    rf"|(?:le )?mois (?:de |d ){_MO}(?: 20\d\d)?|{_MO}(?: 20\d\d)?|le mois|mois)"
)
_ORDINAL: Final = (
    rf"(?:(?:le|la|pour le|au) )?{_ORD} (?:{_WD}|jour) (?:de le |de |du |d ){_MONTH_REF}"
    rf"|(?:le|la|pour le|au) {_ORD} {_WD}(?! (?:\d|de|du|d)\b)"
)
""""le premier mercredi du mois prochain", "le 2e lundi d'avril", "le dernier jour du mois";
"le deuxième mercredi" alone is this month's (the next one when it has passed)."""
DATE_CORE: Final = re.compile(rf"(?<![\w])(?:{_DATE_WORDS}|{_DATE_NUMS})(?![\w])")
"""A written date alone, without "le", "du", "pour" (to quote the owner's words)."""
_DAY_ANY: Final = (
    rf"(?:{_ORDINAL}|(?:(?:le |du )?(?:{_DATE_WORDS}|{_DATE_NUMS})|{_DATE_SPACED_LE})"
    rf"|(?:le |ce )?(?:{_WD})(?: {_DAY_NUM}{_NOT_CLOCK}| (?:prochain|suivant|d apres))?"
    rf"|le {_DAY_NUM}{_NOT_CLOCK}|auj|demain|apresdemain)"
)
"""A day inside a range or bound ("entre mardi et jeudi", "avant le 15")."""
_NEXT_SPAN: Final = (
    r"(?:(?:la |le )?(?:semaine|weekend|mois) (?:prochain|suivant|d apres)"
    r"|(?:la |le )?prochain (?:semaine|weekend|mois))"
)
""""la semaine prochaine", "le mois prochain" after a bound ("pas avant la semaine
prochaine")."""
_ANCHOR: Final = rf"(?:(?:de|du|d) (?:{_DAY_ANY}|{_DAY_NUM}{_NOT_CLOCK}))"
""""du 15", "de jeudi", "d'aujourd'hui": the day a "lendemain" or "veille" is counted from."""

_SCANNER: Final = re.compile(
    r"(?<![\w])(?:"
    + "|".join(
        rf"(?P<{name}>{pattern})"
        for name, pattern in (
            (
                "meal",
                rf"(?:(?:pendant|durant|lors|au moment|au cours) (?:du |de |d |le |la )?"
                rf"|(?:a|vers|pour) l heure (?:du |de ))(?:{_MEAL}|midi)"
                rf"|(?:(?:a |pendant |durant )?la )?pause (?:de |du )?(?:{_MEAL}|midi|meridienne)"
                rf"|(?:avant|apres|apartir|jusqua) (?:le |du |de |d |la )?(?:pause )?"
                rf"(?:de |du )?{_MEAL}",
            ),
            (
                "block",
                r"(?:depuis|pendant|durant|toutes les|tous les|chaque|il y a|ca fait|sauf|hors"
                r"|pas|hier|avanthier)(?: (?:le|la|les|l|ce))?"
                rf"|(?:merci|ok|super|parfait|au revoir)(?: beaucoup| bien)?(?: ,)? a"
                rf"(?= (?:demain|auj|{_WD})(?: ,)*$)",
            ),
            ("asap", r"asap"),
            ("anytime", r"anytime"),
            (
                "instant",
                r"(?:(?:dans|dici|sous|dans les) (?:1 demi heure|(?:\d{1,3}) (?:h|heures?)"
                r"(?: (?:et demi|et quart|[0-5]\d))?|\d{1,3} minutes)(?: environ)?"
                r"|dans (?:l|la) (?:heure|demi heure))",
            ),
            (
                "reldays",
                r"(?:dans|dici|dans les|sous) (?:\d{1,2} )?(?:jours?|j|semaines?|mois)"
                r"|(?:(?:auj|demain|apresdemain) )?en (?:8|15)(?! (?:jours?|minutes|h|heures?)\b)",
            ),
            (
                "fromday",
                rf"(?:le )?(?:lendemain|surlendemain)(?: {_ANCHOR})?(?! (?:de|du|d)\b)"
                rf"|la veille(?: {_ANCHOR})?(?! (?:de|du|d)\b)"
                rf"|le jour meme|le meme jour"
                rf"|le jour (?:suivant|d apres|apres|d avant|avant|precedent)"
                rf"(?! (?:de|du|d|le|la|l|les)\b)"
                rf"|le (?:prochain|suivant) jour"
                rf"|(?:\d{{1,2}}|a) (?:jours?|semaines?) (?:apres {_DAY_ANY}"
                rf"|(?:plus tard|apres|d apres|suivant|ensuite)"
                rf"(?! (?:de|du|d|le|la|l|les|son|sa|ses|ce|cet|mon|ma|mes|votre|notre)\b))",
            ),
            (
                "trange",
                rf"(?:entre|de|des|apartir) {_RANGE_START} (?:et|a|-|au|jusqua) {_CLOCK}"
                rf"|(?:a |vers )?{_STRONG} (?:-|a|au|jusqua|/) {_CLOCK}"
                rf"|(?:a |vers )?{_RANGE_START} (?:-|a) {_STRONG}",
            ),
            (
                "drange",
                rf"(?:entre|du|de) {_DAY_ANY} (?:et|au|a|-) {_DAY_ANY}"
                rf"|(?:entre le|du) {_DAY_NUM} (?:et le|au|et) {_DAY_NUM}(?: (?:{_MO}))?",
            ),
            ("tbound", rf"{_BEFORE_PRE} {_CLOCK}|{_AFTER_PRE} {_CLOCK}"),
            (
                "dbound",
                rf"(?:avant|dici|jusqua|apartir|des|apres) {_DAY_ANY}"
                rf"|(?:dici|avant) (?:la )?fin (?:de (?:la )?)?(?:semaine|mois)"
                rf"|(?:avant|dici|jusqua|apartir|des|apres) {_NEXT_SPAN}",
            ),
            ("pbound", rf"(?:avant|apartir|apres|jusqua|dici) (?:le |la |l |ce )?{_PART}"),
            ("approx", rf"{_APPROX_PRE} {_CLOCK}|{_STRONG} (?:environ|a peu pres)"),
            ("ordinal", _ORDINAL),
            ("dwords", rf"(?:(?:le|du|pour le|ce) )?(?:{_DATE_WORDS})"),
            ("dnums", rf"{_DATE_SPACED_LE}|(?:(?:le|du|pour le) )?(?:{_DATE_NUMS})"),
            ("dwdnum", rf"(?:(?:le|ce) )?(?:{_WD}) {_DAY_NUM}{_NOT_CLOCK}(?! (?:{_MO})\b)"),
            ("dday", rf"(?:le|pour le|du|au|the) {_DAY_NUM}{_NOT_CLOCK}"),
            (
                "weekday",
                rf"(?:(?:ce|le|prochain|suivant) )?(?:{_WD})(?: (?:prochain|suivant|qui vient"
                rf"|de (?:la |ce )?semaine (?:prochain|d apres|suivant|qui vient)"
                rf"|de ce semaine|semaine prochain|en (?:8|15)|d apres))?",
            ),
            (
                "week",
                r"(?:(?:debut|milieu|mi|fin) (?:de |d )?(?:la |le |ce )?|ce |la |le |dans la )?"
                r"(?:prochain )?(?:semaine|weekend)"
                r"(?: (?:apres (?:le )?prochain|d apres (?:la )?prochain|prochain|d apres|suivant"
                r"|qui vient|ci|du \d{1,2}))?",
            ),
            (
                "month",
                rf"(?:(?:debut|milieu|mi|fin) (?:de |d |du )?(?:mois de )?|en |au mois de "
                rf"|le mois de |dans le mois de |dans |courant )(?:{_MO})(?: 20\d\d)?"
                r"|(?:(?:debut|milieu|mi|fin) (?:de |d |du )?)?(?:le |ce |du )?(?:prochain )?mois"
                r"(?: (?:prochain|ci|suivant))?",
            ),
            (
                "relday",
                r"auj|demain|apresdemain|ce(?= (?:matin|matinee|aprem|soir|soiree|nuit|midi)\b)",
            ),
            (
                "point",
                rf"(?:a|pour) {_CLOCK}{_FOLLOW_BARE_AT}"
                rf"|{_NOT_AFTER_DURATION}(?:a |pour )?{_STRONG}",
            ),
            (
                "part",
                rf"(?:(?:debut|milieu|fin|tard|tot) (?:de |d |du |dans |en )?(?:la |le |l )?)?"
                rf"{_PART}",
            ),
        )
    )
    + r")(?![\w])"
)

_CLOCK_PARTS: Final = re.compile(
    r"(?:(?P<named>midi|minuit)|(?P<h>\d{1,2}))(?: (?:heures?|h|:|\.))?"
    r"(?: (?:(?P<half>et demi)|(?P<quarter>et quart)|(?P<three>(?:et )?3 quarts?)"
    r"|(?P<less_q>moins (?:le )?quart)|moins (?P<less>\d{1,2})(?: minutes)?"
    r"|(?:et |passee?s? de )?(?P<mm>\d{1,2}) minutes|(?P<m>\d{1,2})))?(?: pile)?"
    r"(?: (?P<mer>am|pm|du matin|du soir|de l aprem|de la nuit))?"
)
_PM_MARKERS: Final = frozenset({"pm", "du soir", "de l aprem"})
_AM_MARKERS: Final = frozenset({"am", "du matin", "de la nuit"})


def parse_clock(text: str) -> Clock | None:
    """Read one clock expression ("10 h 30", "midi et demi", "3 pm") found by the scanner."""
    match = _CLOCK_PARTS.fullmatch(text.strip())
    if match is None:
        return None
    named = match["named"]
    hour = {"midi": 12, "minuit": 0}[named] if named else int(match["h"])
    minute = 0
    if match["half"]:
        minute = 30
    elif match["quarter"]:
        minute = 15
    elif match["three"]:
        minute = 45
    elif match["mm"]:
        minute = int(match["mm"])  # "10 h 5 minutes" is 10:05
    elif match["less_q"] or match["less"]:
        hour, minute = (
            (hour - 1) % 24,
            MINUTES_PER_HOUR - (15 if match["less_q"] else int(match["less"])),
        )
    elif match["m"]:
        minute = int(match["m"])
        if len(match["m"]) == 1:
            minute *= 10  # "10 h 3" is never 10:03 in speech; "à 10h3" is a dropped zero
    if hour > 23 or minute > 59:
        return None
    mer = match["mer"]
    meridiem = Meridiem.PM if mer in _PM_MARKERS else Meridiem.AM if mer in _AM_MARKERS else None
    if meridiem is Meridiem.PM and hour == 12 and not named:
        meridiem = None  # "12 pm" is noon
    elif meridiem is Meridiem.AM and hour == 12 and not named:
        hour, meridiem = 0, None  # "12 am" is midnight
    return Clock(hour=hour, minute=minute, meridiem=meridiem, named=bool(named))


_RANGE_PREFIX: Final = re.compile(r"^(?:entre|de|des|apartir|a|vers) ")
_BEFORE_START: Final = re.compile(_BEFORE_PRE)
_APPROX_START: Final = re.compile(rf"^{_APPROX_PRE} ")
_POINT_PREFIX: Final = re.compile(r"^(?:a|pour) ")
_EN_WEEKS: Final = re.compile(r"en (8|15)$")
_NUMBER: Final = re.compile(r"\d+")
_PORTION_START: Final = re.compile(r"(?:debut|tot)\b")
_PORTION_MIDDLE: Final = re.compile(r"(?:milieu|mi)\b")
_PORTION_END: Final = re.compile(r"(?:fin|tard)\b")
_WEEK_ANCHOR: Final = re.compile(r"du (\d{1,2})$")
_AFTER_NEXT: Final = re.compile(r"apres (?:le |la )?prochain$")
_NEXT_WORD: Final = re.compile(r"prochain|d apres|suivant")
_THIS_WEEK: Final = re.compile(r"(?:ce|dans la) |.* (?:ci|qui vient)$")
_THIS_MONTH: Final = re.compile(r"\bce\b|\bci\b|\bdu mois\b")
_SHORT_DAY_RANGE: Final = re.compile(
    rf"(?:entre le|du) (\d{{1,2}}) (?:et le|au|et) (\d{{1,2}})(?: ({_MO}))?"
)
_DAY_RANGE_PREFIX: Final = re.compile(r"^(?:entre|du|de) ")
_DAY_RANGE_SPLIT: Final = re.compile(r" (?:et|au|a|-) ")
_END_OF: Final = re.compile(r"(?:la )?fin ")
_RANGE_SPLIT: Final = re.compile(r" (?:et|a|-|au|jusqua|/) ")
_PREFIX: Final = re.compile(rf"^(?:{_APPROX_PRE}|{_BEFORE_PRE}|{_AFTER_PRE}|entre|de|a|pour) ")


def _clock_after_prefix(text: str) -> Clock | None:
    return parse_clock(_PREFIX.sub("", text, count=1))


def _time_range(text: str) -> Component | None:
    body = _RANGE_PREFIX.sub("", text)
    parts = _RANGE_SPLIT.split(body, maxsplit=1)
    if len(parts) != 2:
        return None
    first, last = parse_clock(parts[0]), parse_clock(parts[1])
    if first is None or last is None:
        return None
    return TimeRange(first, last)


def _time_bound(text: str) -> Component | None:
    clock = _clock_after_prefix(text)
    if clock is None:
        return None
    return TimeBefore(clock) if _BEFORE_START.match(text) else TimeAfter(clock)


def _approx(text: str) -> Component | None:
    clock = parse_clock(_APPROX_START.sub("", text))
    return None if clock is None else TimePoint(clock, approximate=True)


def _point(text: str) -> Component | None:
    clock = parse_clock(_POINT_PREFIX.sub("", text))
    return None if clock is None else TimePoint(clock)


_INSTANT_PARTS: Final = re.compile(
    r"(?P<n>\d{1,3}) (?P<unit>h|heures?|minutes)(?: (?:(?P<half>et demi)|(?P<quarter>et quart)"
    r"|(?P<m>[0-5]\d)))?"
)


def _instant(text: str) -> Component | None:
    approximate = text.endswith(" environ")
    within = text.startswith(("dici", "dans l", "sous"))
    if "demi heure" in text:
        return InstantAhead(30, within=within, approximate=approximate)
    if text.startswith("dans l"):
        return InstantAhead(MINUTES_PER_HOUR, within=True)
    match = _INSTANT_PARTS.search(text)
    if match is None:
        return None
    amount = int(match["n"])
    if match["unit"] == "minutes":
        return InstantAhead(amount, within=within, approximate=approximate)
    extra = 30 if match["half"] else 15 if match["quarter"] else int(match["m"] or 0)
    return InstantAhead(amount * MINUTES_PER_HOUR + extra, within=within, approximate=approximate)


def _reldays(text: str) -> Component | None:
    en = _EN_WEEKS.search(text)
    if en:
        base = {"auj": 0, "demain": 1, "apresdemain": 2}.get(text.split()[0], 0)
        return RelativeDay(base + DAYS_PER_WEEK * WEEKS_FOR_EN[en[1]])
    number = _NUMBER.search(text)
    amount = int(number[0]) if number else 1
    if "mois" in text:
        spec: DaySpec = MonthsAhead(amount)
    elif "semaine" in text:
        spec = RelativeDay(DAYS_PER_WEEK * amount)
    else:
        spec = RelativeDay(IDIOMATIC_DAYS.get(amount, amount))
    if text.startswith(("dici", "dans les", "sous")):
        return DayBound(BoundKind.THROUGH, spec)
    return spec


def _date_words(text: str) -> Component | None:
    tokens = text.split()
    weekday = next((WEEKDAYS[t] for t in tokens if t in WEEKDAYS), None)
    month = next((_MONTH_WORDS[t] for t in tokens if t in _MONTH_WORDS), None)
    numbers = [int(t) for t in tokens if t.isdigit()]
    year = next((n for n in numbers if n >= 2000), None)
    day = next((n for n in numbers if n < 2000), None)
    if day is None or month is None:
        return None
    return CalendarDate(day=day, month=month, year=year, weekday=weekday)


def _date_nums(text: str) -> Component | None:
    numbers = [int(t) for t in _NUMBER.findall(text)]
    if numbers[0] >= 2000:
        year, month, day = numbers[:3]
    else:
        day, month = numbers[:2]
        year = numbers[2] if len(numbers) > 2 else None
        if year is not None and year < 100:
            year += 2000
        if month > 12 and day <= 12:
            day, month = month, day  # "12/15": only the US order makes sense
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return CalendarDate(day=day, month=month, year=year)


def read_date(text: str) -> CalendarDate | None:
    """The date in a ``DATE_CORE`` match, as written (it may not exist: "31 fevrier")."""
    date = _date_words(text) if any(c.isalpha() for c in text) else _date_nums(text)
    return date if isinstance(date, CalendarDate) else None


def _date_weekday_num(text: str) -> Component | None:
    tokens = text.split()
    weekday = next(WEEKDAYS[t] for t in tokens if t in WEEKDAYS)
    return CalendarDate(day=int(tokens[-1]), weekday=weekday)


def _date_day(text: str) -> Component | None:
    return CalendarDate(day=int(text.split()[-1]))


_WEEKDAY_MODES: Final = (
    (re.compile(r"semaine (?:prochain|d apres|suivant|qui vient)"), WeekdayMode.NEXT_WEEK),
    (re.compile(r"\bsuivant\b|\bd apres\b"), WeekdayMode.FOLLOWING),
    (re.compile(r"\bprochain\b"), WeekdayMode.NEXT),
    (re.compile(r"^ce |de ce semaine"), WeekdayMode.THIS),
)


def _weekday(text: str) -> Component | None:
    tokens = text.split()
    weekday = next(WEEKDAYS[t] for t in tokens if t in WEEKDAYS)
    en = _EN_WEEKS.search(text)
    if en:
        return Weekday(weekday, WeekdayMode.THIS, WEEKS_FOR_EN[en[1]])
    for pattern, mode in _WEEKDAY_MODES:
        if pattern.search(text):
            return Weekday(weekday, mode)
    return Weekday(weekday)


def _portion(text: str) -> Portion:
    if _PORTION_START.match(text):
        return Portion.START
    if _PORTION_MIDDLE.match(text):
        return Portion.MIDDLE
    if _PORTION_END.match(text):
        return Portion.END
    return Portion.WHOLE


def _week(text: str) -> Component | None:
    portion = _portion(text)
    weekend = "weekend" in text
    anchor = _WEEK_ANCHOR.search(text)
    if anchor:
        return WeekSpan(0, anchor=CalendarDate(int(anchor[1])))
    if _AFTER_NEXT.search(text):
        return WeekSpan(2, portion, weekend, True)
    explicit_next = bool(_NEXT_WORD.search(text))
    if not (explicit_next or weekend or portion is not Portion.WHOLE or _THIS_WEEK.match(text)):
        return None  # "la semaine" alone means "on a weekday", not a window
    return WeekSpan(1 if explicit_next and not weekend else 0, portion, weekend, explicit_next)


def _month(text: str) -> Component | None:
    portion = _portion(text)
    tokens = text.split()
    month = next((_MONTH_WORDS[t] for t in tokens if t in _MONTH_WORDS), None)
    year = next((int(t) for t in tokens if t.isdigit() and len(t) == 4), None)
    if month is not None:
        return MonthSpan(month, year=year, portion=portion)
    if _NEXT_WORD.search(text):
        return MonthSpan(None, offset=1, portion=portion)
    if portion is not Portion.WHOLE or _THIS_MONTH.search(text):
        return MonthSpan(None, offset=0, portion=portion)
    return None


NOON_HOUR: Final = 12


def _clock_at(minutes: int) -> Clock:
    """The clock of a window's edge; a morning one is marked so it is never moved to the
    afternoon ("avant le petit-déjeuner" is before 07:00)."""
    hour, minute = divmod(minutes, MINUTES_PER_HOUR)
    return Clock(hour, minute, Meridiem.AM if hour < NOON_HOUR else None)


_EDGE_WORDS: Final = re.compile(r"(avant|apres|apartir|jusqua|dici) ")


def _edge(word: str, start: int, end: int) -> Component | None:
    """ "avant" / "jusqu'à" / "à partir de" / "après" a window: before its start, before its
    end, from its start, from its end. None past midnight (the night has no such edge)."""
    if end > MINUTES_PER_DAY:
        return None
    if word == "avant":
        return TimeBefore(_clock_at(start))
    if word in ("jusqua", "dici"):
        return TimeBefore(_clock_at(end))
    if word == "apartir":
        return TimeAfter(_clock_at(start))
    return TimeAfter(_clock_at(end))


def _meal(text: str) -> Component | None:
    """ "pendant le déjeuner", "à l'heure du dîner", "la pause de midi": the meal's window;
    "avant le déjeuner" / "après le déjeuner": before it starts / after it ends."""
    name = text.split()[-1]
    meal = name if name in MEALS else "dejeuner"
    edge = _EDGE_WORDS.match(text)
    if edge is None:
        return PartOfDay(MEALS[meal])
    start, end = meal_bounds(meal)
    if edge[1] == "jusqua":  # "jusqu'au déjeuner": until it starts
        return TimeBefore(_clock_at(start))
    return _edge(edge[1], start, end)


def _part_bound(text: str) -> Component | None:
    """ "dès le matin", "à partir de l'après-midi", "avant le soir", "jusqu'au soir"."""
    word, _, rest = text.partition(" ")
    part = _part(rest)
    assert isinstance(part, PartOfDay)
    return _edge(word, *part_window(part.name, part.portion))


_FROM_WORD_DAYS: Final = MappingProxyType(
    {"lendemain": 1, "surlendemain": 2, "veille": -1, "suivant": 1, "apres": 1, "avant": -1}
)
_FROM_ANCHOR: Final = re.compile(r" (?:de|du|d|apres) (?=\S)")
_FROM_COUNT: Final = re.compile(r"(\d{1,2}|a) (jours?|semaines?)\b")


def _from_day(text: str) -> Component | None:
    """ "le lendemain", "la veille du 15", "le jour suivant", "deux jours plus tard", "une
    semaine après le 3 juin": a day counted from another (see ``FromDay``)."""
    anchor: DaySpec | None = None
    anchor_at = _FROM_ANCHOR.search(text)
    if anchor_at is not None:
        rest = text[anchor_at.end() :]
        anchor = _single_day(f"le {rest}" if rest[0].isdigit() else rest)
    count = _FROM_COUNT.match(text)
    if count is not None:
        amount = 1 if count[1] == "a" else int(count[1])
        days = amount * (DAYS_PER_WEEK if count[2].startswith("semaine") else 1)
        return FromDay(days, anchor=anchor)
    if "meme" in text:
        return FromDay(0, anchor=anchor)
    words = text.replace("d avant", "avant").replace("d apres", "apres").split()
    days = next(
        (_FROM_WORD_DAYS[w] for w in reversed(words) if w in _FROM_WORD_DAYS),
        -1 if "precedent" in words else 1,
    )
    return FromDay(days, anchor=anchor, needs_anchor=days < 0)


def _ordinal(text: str) -> Component | None:
    """ "le premier mercredi du mois prochain", "le 3e jour de mars", "le dernier jour du
    mois": a day of a month by its rank (see ``MonthOrdinal``)."""
    tokens = text.split()
    which = next(
        (int(t) if t.isdigit() else _ORDINAL_WORDS[t])
        for t in tokens
        if (t.isdigit() and len(t) == 1) or t in _ORDINAL_WORDS
    )
    weekday = next((WEEKDAYS[t] for t in tokens if t in WEEKDAYS), None)
    month = next((_MONTH_WORDS[t] for t in tokens if t in _MONTH_WORDS), None)
    year = next((int(t) for t in tokens if t.isdigit() and len(t) == 4), None)
    if month is not None and weekday is None and which != LAST:
        return CalendarDate(day=which, month=month, year=year)
    if month is not None:
        span = MonthSpan(month, year=year)
    else:
        span = MonthSpan(None, offset=1 if _NEXT_WORD.search(text) else 0)
    return MonthOrdinal(which, weekday, span)


def _relday(text: str) -> Component | None:
    if text in ("auj", "ce"):
        return RelativeDay(0, explicit_today=True)
    return RelativeDay({"demain": 1, "apresdemain": 2}[text])


def _part(text: str) -> Component | None:
    name = text.split()[-1]
    if name in IDIOMS:
        part, portion = IDIOMS[name]
        return PartOfDay(part, Portion(portion))
    return PartOfDay(PART_ALIASES.get(name, name), _portion(text))


def _single_day(text: str) -> DaySpec | None:
    """Read one end of a day range or bound with the day handlers."""
    text = text.strip()
    for pattern, handler in _DAY_HANDLERS:
        if pattern.fullmatch(text):
            result = handler(text)
            if isinstance(result, DaySpec):
                return result
    return None


def _day_range(text: str) -> Component | None:
    short = _SHORT_DAY_RANGE.fullmatch(text)
    if short:
        month = _MONTH_WORDS[short[3]] if short[3] else None
        return DayRange(CalendarDate(int(short[1]), month), CalendarDate(int(short[2]), month))
    body = _DAY_RANGE_PREFIX.sub("", text)
    for split in _DAY_RANGE_SPLIT.finditer(body):
        first = _single_day(body[: split.start()])
        last = _single_day(body[split.end() :])
        if first is not None and last is not None:
            return DayRange(first, last)
    return None


_BOUND_KINDS: Final = MappingProxyType(
    {
        "avant": BoundKind.BEFORE,
        "dici": BoundKind.THROUGH,
        "jusqua": BoundKind.THROUGH,
        "apartir": BoundKind.FROM,
        "des": BoundKind.FROM,
        "apres": BoundKind.AFTER,
    }
)


def _day_bound(text: str) -> Component | None:
    word, _, rest = text.partition(" ")
    if _END_OF.match(rest):
        spec: DaySpec | None = (
            MonthSpan(None, 0, portion=Portion.END) if "mois" in rest else WeekSpan(0, Portion.END)
        )
        return DayBound(BoundKind.THROUGH, spec)
    spec = _single_day(rest)
    return None if spec is None else DayBound(_BOUND_KINDS[word], spec)


_DAY_HANDLERS: Final[tuple[tuple[re.Pattern[str], Callable[[str], Component | None]], ...]] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (_ORDINAL, _ordinal),
        (rf"(?:(?:le|du|pour le|ce) )?(?:{_DATE_WORDS})", _date_words),
        (_DATE_SPACED_LE, _date_nums),
        (rf"(?:(?:le|du|pour le) )?(?:{_DATE_NUMS})", _date_nums),
        (rf"(?:(?:le|ce) )?(?:{_WD}) {_DAY_NUM}", _date_weekday_num),
        (rf"(?:le|pour le|du|au|the) {_DAY_NUM}", _date_day),
        (rf"(?:(?:ce|le|prochain) )?(?:{_WD})(?: .*)?", _weekday),
        (r"auj|demain|apresdemain", _relday),
        (rf"{_NEXT_SPAN}", lambda text: _month(text) if "mois" in text else _week(text)),
    )
)

_HANDLERS: Final[Mapping[str, Callable[[str], Component | None]]] = MappingProxyType(
    {
        "meal": _meal,
        "fromday": _from_day,
        "pbound": _part_bound,
        "ordinal": _ordinal,
        "asap": lambda _: OpenRequest(OpenKind.ASAP),
        "anytime": lambda _: OpenRequest(OpenKind.ANYTIME),
        "instant": _instant,
        "reldays": _reldays,
        "trange": _time_range,
        "drange": _day_range,
        "tbound": _time_bound,
        "dbound": _day_bound,
        "approx": _approx,
        "dwords": _date_words,
        "dnums": _date_nums,
        "dwdnum": _date_weekday_num,
        "dday": _date_day,
        "weekday": _weekday,
        "week": _week,
        "month": _month,
        "relday": _relday,
        "point": _point,
        "part": _part,
    }
)


_AUXILIARIES: Final = (
    "ai",
    "a",
    "as",
    "avons",
    "avez",
    "ont",
    "avait",
    "avais",
    "avaient",
    "est",
    "etait",
    "sont",
    "suis",
    "sommes",
    "etes",
)


def _past_event(auxiliaries: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"\bc etait\b|\bla derniere fois\b"
        rf"|\b(?:{'|'.join(auxiliaries)})"
        r" (?:(?:deja|bien|encore|juste|aussi) )?(?:ete )?(?!(?:une|elle|cette|que|qui|besoin"
        r"|de|le|ce|du|se|me|te|ne|tu|lu|plus|si|ici"
        rf"|{_WD}|midi|minuit|envie|libres?|possibles?|dispos?|disponibles?|urgente?|presque"
        r"|toute?|juste|rendez|rdv|prevu|prevue|oblige|obligee|pret|prete|occupe|occupee)\b)"
        r"(?![a-z]*(?:re|er|ir)\b)"  # an infinitive ("à faire mardi") is not a participle
        r"[a-z]+(?:e|es|ee|ees|i|is|it|u|ue"
        r"|us|fait|pris|mis|vu)\b"
    )


_PAST_EVENT: Final = _past_event(_AUXILIARIES)
"""An auxiliary and a past participle ("il a eu son vaccin le 3 mars", "il a vomi ce matin"),
or "c'était": a date in that clause is history, not a request."""
_PAST_EVENT_ENGLISH: Final = _past_event(
    (*(aux for aux in _AUXILIARIES if aux != "a"), r"(?<=\b(?:il|ca) )a", r"(?<=\belle )a")
)
"""The same for an owner whose language is English: "a" is the article ("a vaccine
tomorrow" would otherwise read as "a vacciné" once accents are folded), unless a French
subject comes before it ("il a vomi ce matin", from someone who writes French anyway)."""
_CLAUSE_BREAK: Final = re.compile(
    r",|\?|\b(?:et|mais|donc|puis|alors|car|pour|je|j|pouvez|pourriez|peut|peux|voudrais"
    r"|souhaite|aimerais|est ce|possible|svp|stp)\b"
)


def past_event_ends(text: str, *, english: bool = False) -> list[int]:
    """Where each past-tense verb of ``text`` ends ("il a vomi"); see ``in_past_clause``."""
    past_event = _PAST_EVENT_ENGLISH if english else _PAST_EVENT
    return [match.end() for match in past_event.finditer(text)]


def in_past_clause(text: str, start: int, past_ends: list[int]) -> bool:
    """Whether ``start`` is in the clause of a past-tense verb: that time is history."""
    return any(end <= start and not _CLAUSE_BREAK.search(text, end, start) for end in past_ends)


NEGATIONS: Final = frozenset({"pas", "sauf", "hors"})
"""Block words that exclude a time ("pas demain", "sauf le matin"): the words still speak of
the booking, unlike "depuis 2 jours" or "il y a 3 jours", which describe the animal."""


@dataclass(frozen=True, slots=True)
class Scan:
    """What the grammar found in a text, and what it set aside on purpose."""

    found: list[Found]
    """Components read, in order."""
    negated: list[Found]
    """Times excluded ("pas demain"), each spanning from the negation word to its end."""
    ignored: list[tuple[int, int]]
    """Times set aside as history or routine ("depuis 2 jours", "il a vomi ce matin", "merci,
    à demain"): not a request, and not words the reading failed to use either."""

    @property
    def negated_spans(self) -> list[tuple[int, int]]:
        return [(item.start, item.end) for item in self.negated]


def scan_all(text: str, *, english: bool = False) -> Scan:
    """``scan``, with the excluded times and the times set aside (see ``Scan``)."""
    found: list[Found] = []
    negated: list[Found] = []
    ignored: list[tuple[int, int]] = []
    blocked_until = -1
    block_start, negation = 0, False
    past_ends = past_event_ends(text, english=english)
    for match in _SCANNER.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        if kind == "block":
            blocked_until = match.end() + 1
            block_start, negation = match.start(), match[kind].split()[0] in NEGATIONS
            continue
        component = _HANDLERS[kind](match[kind])
        if match.start() <= blocked_until:
            blocked_until = match.end() + 1 if kind != "part" else -1
            if negation and component is not None:
                negated.append(Found(component, block_start, match.end()))
            else:
                ignored.append((block_start, match.end()))
            continue
        if component is not None and in_past_clause(text, match.start(), past_ends):
            ignored.append((match.start(), match.end()))
            continue
        if component is not None:
            found.append(Found(component, match.start(), match.end()))
    return Scan(found, negated, ignored)
