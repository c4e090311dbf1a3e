"""What the grammar finds in a phrase, before any calendar arithmetic.

Components are pure descriptions ("a Thursday, next week's"), so the grammar needs no clock and
the resolver can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


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
    FOLLOWING = "following"
    """"mercredi suivant", "le mardi d'après" with no day before them: next calendar week's,
    flagged when this week's is still ahead (some owners mean it). After another day ("pas ce
    mercredi, le mercredi suivant") it is the first one after that day."""


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


LAST: Final = -1
"""``MonthOrdinal.which`` for "le dernier"."""


@dataclass(frozen=True, slots=True)
class MonthOrdinal:
    """ "le premier mercredi du mois prochain", "le deuxième lundi d'avril", "le dernier jour
    du mois", "le 3e jour de mars": the ``which``-th (``LAST`` for the last) ``weekday`` of the
    month, or its ``which``-th day when ``weekday`` is None."""

    which: int
    weekday: int | None
    month: MonthSpan


DaySpec = RelativeDay | MonthsAhead | Weekday | CalendarDate | WeekSpan | MonthSpan | MonthOrdinal


@dataclass(frozen=True, slots=True)
class FromDay:
    """A day counted from another: "le lendemain" (1), "deux jours plus tard" (2), "la veille"
    (-1), "le jour suivant" (1). The other day is ``anchor`` when the words name it ("deux
    jours après le 15"), else the last day named before ("jeudi, ou le lendemain"), else the
    day on screen, else today (flagged ``COUNTED_FROM_TODAY``). ``needs_anchor``: "la veille"
    alone means nothing we could book, so it is not read without a day before it. Weekdays
    said "suivant" work the same way (``WeekdayMode.FOLLOWING``)."""

    days: int = 0
    anchor: DaySpec | None = None
    needs_anchor: bool = False


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


Component = (
    DaySpec | DayRange | DayBound | PartOfDay | TimeSpec | InstantAhead | OpenRequest | FromDay
)


@dataclass(frozen=True, slots=True)
class Found:
    """A component with its span in the normalised text."""

    component: Component
    start: int
    end: int
