"""The result of reading a time phrase: a window the booking layer can search for slots in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class Grain(StrEnum):
    """How precise the owner was; the booking layer uses it to decide whether to confirm."""

    MINUTE = "minute"
    HOUR = "hour"
    PART_OF_DAY = "part_of_day"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    """Added: "en décembre", "le mois prochain" name a month, which no other grain describes."""
    ASAP = "asap"
    """Added: "dès que possible" / "n'importe quand"; the window is open (``end is None``)."""


class Assumption(StrEnum):
    """A reading we chose where the words allow another; the bot should confirm these."""

    AFTERNOON_ASSUMED = "afternoon_assumed"
    """A bare hour 1-6 ("à 3h") was read as 13:00-18:00: the clinic is closed at night."""
    ROLLED_FORWARD = "rolled_forward"
    """An explicit "today"/date window had already passed; we moved to its next occurrence."""
    NEXT_WEEKDAY_AMBIGUOUS = "next_weekday_ambiguous"
    """"mardi prochain" said early in the week: this week's or next week's Tuesday."""
    NONEXISTENT_TIME = "nonexistent_time"
    """The wall-clock time is skipped by a DST change; we moved it forward by the gap."""
    AMBIGUOUS_TIME = "ambiguous_time"
    """The wall-clock time happens twice (DST ends); we took the first occurrence."""
    ALTERNATIVES = "alternatives"
    """The owner offered several options ("lundi ou jeudi"); we kept the earliest."""
    WEEKDAY_MISMATCH = "weekday_mismatch"
    """The weekday and the date disagree ("jeudi 15" when the 15th is a Friday); date kept."""
    TIME_IGNORED = "time_ignored"
    """A time of day was given with a multi-day span ("la semaine prochaine le matin")."""
    RANGE_REORDERED = "range_reordered"
    """A range was given backwards ("entre 16h et 14h"); we swapped its ends."""
    COUNTED_FROM_TODAY = "counted_from_today"
    """"le lendemain", "deux jours plus tard" with no day named before them (nor a day on
    screen): counted from today."""
    UNREAD_WORDS = "unread_words"
    """Words that look like time (a weekday, a month, "11h", a meal, a part of the day, "avant",
    "après", "dès", a typo of one of these) were not used by the reading: it may be wrong."""


MUST_ASK: Final = frozenset(
    {Assumption.WEEKDAY_MISMATCH, Assumption.NEXT_WEEKDAY_AMBIGUOUS, Assumption.UNREAD_WORDS}
)
"""Assumptions where the words allow readings we cannot choose between: the owner must be asked
before a slot is chosen. The others are safe readings the owner only needs to see ("à 3h" read
as 15:00: the clinic is closed at night)."""


@dataclass(frozen=True, slots=True)
class TimeRequest:
    """A window [start, end) in the clinic's zone.

    ``end`` is None only for open requests ("dès que possible"). ``preferred`` is the instant
    the owner named ("à 10h", "vers 18h"), None when they gave only a window. ``assumptions``
    lists the readings the bot should confirm before booking.

    All datetimes carry the zone of the ``now`` given to ``parse_when``. Python compares and
    subtracts same-zone datetimes by wall clock, so convert to UTC for durations on DST days.
    """

    start: datetime
    end: datetime | None
    grain: Grain
    preferred: datetime | None = None
    approximate: bool = False
    assumptions: frozenset[Assumption] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("TimeRequest.start must be timezone-aware")
        # Instants, not wall clocks: in the repeated hour of a DST change, 02:00 (second time)
        # comes after 02:59 (first time) although it reads earlier.
        if self.end is not None and self.end.timestamp() <= self.start.timestamp():
            raise ValueError("TimeRequest.end must be after start")

    @property
    def is_open(self) -> bool:
        """True for "as soon as possible"-like requests, which have no end."""
        return self.end is None


class WhenProblem(StrEnum):
    """Words that clearly name a date or a time, but one that does not exist."""

    NO_SUCH_DATE = "no_such_date"
    """"31 février", "le 30/02", "32 mars", "29 février 2027": no such day in the calendar."""
    NO_SUCH_TIME = "no_such_time"
    """"25h", "à 24h30", "14h75", "at 25:00": no such hour or minute on a clock."""


@dataclass(frozen=True, slots=True)
class Doubt:
    """One assumption behind a reading, with the readings the owner may choose among.

    ``kind`` says what was assumed. ``candidates`` are the windows the words allow, soonest
    first; the one taken (``WhenReading.request``) is among them unless the words are unread.
    For ``WEEKDAY_MISMATCH`` ("jeudi 15" when the 15th is a Friday) they are Thursday 14 and
    Friday 15; for ``NEXT_WEEKDAY_AMBIGUOUS`` this week's and next week's day; for
    ``AFTERNOON_ASSUMED`` the morning and the afternoon hour; for ``ALTERNATIVES`` each option
    the owner gave; for the other kinds only the reading taken (nothing else to offer).
    ``words`` are the owner's words the doubt is about, as written, when known ("jeud",
    "au dîner" for ``UNREAD_WORDS``).
    """

    kind: Assumption
    candidates: tuple[TimeRequest, ...]
    words: tuple[str, ...] = ()

    @property
    def ask(self) -> bool:
        """True when the owner must choose (``MUST_ASK``), False when they only need to see
        what was understood."""
        return self.kind in MUST_ASK


@dataclass(frozen=True, slots=True)
class WhenReading:
    """Everything ``read_when`` understood in a message, not only the window.

    ``request`` is the window (what ``parse_when`` returns); it is None when the words name
    no time or name one that does not exist. ``problem`` says which, and ``problem_words`` are
    the offending words as the owner wrote them ("31 février", "25h"), so the bot can say what
    is wrong and ask again; a problem never comes with a partial reading.

    ``names_day`` is True when the words name a day or longer (a weekday, a date, "demain",
    "la semaine prochaine", "dès que possible", "dans 2 heures"), False when they name only a
    time of day ("à 11h", "l'après-midi") or nothing.

    ``spans`` are the [start, end) character spans of the original text read as the time
    expression, little prepositions included ("demain à 15h", "pour lundi", "l'après-midi"),
    sorted and disjoint; removing them leaves the owner's other words (the reason for the
    visit). They also cover excluded times ("pas demain") and the offending words of a
    problem. Words ignored on purpose ("depuis 2 jours", "il a vomi ce matin") are not spans.
    When nothing is read (no request, no problem), ``spans`` is empty and ``names_day`` False.

    ``doubts`` go with a request: one ``Doubt`` per assumption in ``request.assumptions``, each
    with the readings the owner may choose among ("jeudi 14 ou vendredi 15 ?"), so the bot can
    show what it understood, and ask when it must. ``unread_words`` are the words that look
    like time (a weekday, a month, "11h", a meal, a part of the day, "avant", "après", "dès",
    a typo of one of these) that the reading did not use, as written ("jeud", "au dîner");
    when there are some, ``request`` is only the reading of the other words, flagged
    ``UNREAD_WORDS``. Words set aside on purpose ("depuis 2 jours", "il a vomi ce matin",
    "bonne journée") are not unread. ``must_ask`` says whether the bot must ask before
    choosing a slot.
    """

    request: TimeRequest | None
    problem: WhenProblem | None = None
    problem_words: str = ""
    names_day: bool = False
    spans: tuple[tuple[int, int], ...] = ()
    doubts: tuple[Doubt, ...] = ()
    unread_words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.problem is not None and self.request is not None:
            raise ValueError("WhenReading: a problem never comes with a request")
        if (self.problem is None) != (self.problem_words == ""):
            raise ValueError("WhenReading: problem_words go with a problem, and only then")
        if self.request is None and (self.doubts or self.unread_words):
            raise ValueError("WhenReading: doubts and unread words go with a request")

    @property
    def must_ask(self) -> bool:
        """True when the reading must not be used before the owner chooses: words that look
        like time were not read, or the words allow readings we cannot choose between (see
        ``MUST_ASK``). The candidates to offer are in ``questions``."""
        return any(doubt.ask for doubt in self.doubts)

    @property
    def questions(self) -> tuple[Doubt, ...]:
        """The doubts the owner must settle (``Doubt.ask``), in the order of ``doubts``."""
        return tuple(doubt for doubt in self.doubts if doubt.ask)
