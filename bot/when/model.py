"""The result of reading a time phrase: a window the booking layer can search for slots in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
