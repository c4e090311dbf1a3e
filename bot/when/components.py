"""What the grammar finds in a phrase, before any calendar arithmetic.

Components are pure descriptions ("a Thursday, next week's"), so the grammar needs no clock and
the resolver can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Meridiem(StrEnum):
    AM = "am"
    PM = "pm"


@dataclass(frozen=True, slots=True)
class Clock:
    """A wall-clock time as written: ``hour`` is 0-23 before any afternoon reading."""

    hour: int
    minute: int
    meridiem: Meridiem | None = None
    named: bool = False
    """midi / minuit: never shifted to the afternoon."""


class WeekdayMode(StrEnum):
    PLAIN = "plain"
    """"jeudi": the next Thursday strictly after today."""
    THIS = "this"
    """"ce jeudi": today if today is Thursday, else the next one."""
    NEXT = "next"
    """"jeudi prochain": read as PLAIN, flagged when it falls in the current week."""
    NEXT_WEEK = "next_week"
    """"jeudi de la semaine prochaine": Thursday of the next calendar week."""


class Portion(StrEnum):
    WHOLE = "whole"
    START = "start"
    MIDDLE = "middle"
    END = "end"


@dataclass(frozen=True, slots=True)
class RelativeDay:
    """aujourd'hui (0), demain (1), dans 3 jours (3); ``explicit_today`` for "aujourd'hui"."""

    days: int
    explicit_today: bool = False


@dataclass(frozen=True, slots=True)
class MonthsAhead:
    """ "dans 2 mois": the same day of the month, ``months`` later."""

    months: int


@dataclass(frozen=True, slots=True)
class Weekday:
    weekday: int
    mode: WeekdayMode = WeekdayMode.PLAIN
    weeks_after: int = 0
    """"lundi en huit" = 1, "lundi en quinze" = 2."""


@dataclass(frozen=True, slots=True)
class CalendarDate:
    day: int
    month: int | None = None
    year: int | None = None
    weekday: int | None = None


@dataclass(frozen=True, slots=True)
class WeekSpan:
    """``offset`` 0 = this week, 1 = next week; ``weekend`` narrows to Saturday-Sunday."""

    offset: int
    portion: Portion = Portion.WHOLE
    weekend: bool = False
    explicit_next: bool = False
    anchor: CalendarDate | None = None
    """"la semaine du 15": the week holding that date."""


@dataclass(frozen=True, slots=True)
class MonthSpan:
    month: int | None
    """None with ``offset`` for "ce mois-ci" / "le mois prochain"."""
    offset: int = 0
    year: int | None = None
    portion: Portion = Portion.WHOLE


DaySpec = RelativeDay | MonthsAhead | Weekday | CalendarDate | WeekSpan | MonthSpan


@dataclass(frozen=True, slots=True)
class DayRange:
    """ "du 3 au 5", "entre mardi et jeudi": both ends inclusive."""

    first: DaySpec
    last: DaySpec


class BoundKind(StrEnum):
    BEFORE = "before"
    """"avant jeudi": up to the start of Thursday."""
    THROUGH = "through"
    """"d'ici jeudi", "jusqu'à jeudi": up to the end of Thursday."""
    FROM = "from"
    """"à partir de jeudi": from the start of Thursday."""
    AFTER = "after"
    """"après jeudi": from the end of Thursday."""


@dataclass(frozen=True, slots=True)
class DayBound:
    kind: BoundKind
    day: DaySpec


@dataclass(frozen=True, slots=True)
class PartOfDay:
    name: str
    portion: Portion = Portion.WHOLE


@dataclass(frozen=True, slots=True)
class TimePoint:
    clock: Clock
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class TimeRange:
    first: Clock
    last: Clock


@dataclass(frozen=True, slots=True)
class TimeBefore:
    clock: Clock


@dataclass(frozen=True, slots=True)
class TimeAfter:
    clock: Clock


TimeSpec = TimePoint | TimeRange | TimeBefore | TimeAfter


@dataclass(frozen=True, slots=True)
class InstantAhead:
    """ "dans 2 heures": now plus ``minutes``; ``within`` for "dans l'heure", "d'ici 2h"."""

    minutes: int
    within: bool = False
    approximate: bool = False


class OpenKind(StrEnum):
    ASAP = "asap"
    ANYTIME = "anytime"


@dataclass(frozen=True, slots=True)
class OpenRequest:
    kind: OpenKind


Component = DaySpec | DayRange | DayBound | PartOfDay | TimeSpec | InstantAhead | OpenRequest


@dataclass(frozen=True, slots=True)
class Found:
    """A component with its span in the normalised text."""

    component: Component
    start: int
    end: int
