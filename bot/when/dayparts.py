"""Which hours each part of the day and each meal means: the one table, in minutes.

Every window the reader gives for "le matin", "en fin de soirée", "après le déjeuner" comes
from ``DAY_PARTS`` below, and docs/time-words.md says the same in words (a test keeps them
equal). The hours are a vet clinic's: it opens around 08:00 and closes around 19:00-20:00, so a
part of the day is the stretch of that day owners mean by the word, not its dictionary span.

Each part has its whole window and the three windows its portions mean: "début de", "milieu
de" and "fin de". For the parts of the clinic day those are the first half, the middle half and
the second half, which keeps adjacent parts apart ("fin de matinée" 10-12 never overlaps
"début d'après-midi" 14-16). "la journée" is the exception: its portions are the idioms owners
use ("en début de journée" = at opening, "en milieu de journée" = around lunch, "en fin de
journée" = before closing), not halves of 08:00-19:00.

Meals are parts too: "pendant le déjeuner" is the lunch window, "avant le déjeuner" ends where
it starts and "après le déjeuner" begins where it ends (see ``MEAL_BOUNDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

Window = tuple[int, int]
"""[start, end) in minutes after local midnight; end may pass midnight (the night)."""

MINUTES_PER_HOUR: Final = 60
MINUTES_PER_DAY: Final = 24 * MINUTES_PER_HOUR
NOON: Final = 12 * MINUTES_PER_HOUR


def _at(hour: int, minute: int = 0) -> int:
    return hour * MINUTES_PER_HOUR + minute


@dataclass(frozen=True, slots=True)
class DayPart:
    """A part of the day: how owners say it, its window, its portions and why."""

    words: str
    whole: Window
    start: Window
    middle: Window
    end: Window
    why: str


DAY_PARTS: Final = MappingProxyType(
    {
        "matin": DayPart(
            "le matin, la matinée, in the morning",
            (_at(8), _at(12)),
            (_at(8), _at(10)),
            (_at(9), _at(11)),
            (_at(10), _at(12)),
            "from opening to noon; nobody books a vet at dawn",
        ),
        "midi": DayPart(
            "le midi, ce midi, la pause de midi, le déjeuner, lunchtime",
            (_at(12), _at(14)),
            (_at(12), _at(13)),
            (_at(12, 30), _at(13, 30)),
            (_at(13), _at(14)),
            'the French lunch break, "entre midi et deux"',
        ),
        "aprem": DayPart(
            "l'après-midi, l'aprem, in the afternoon",
            (_at(14), _at(18)),
            (_at(14), _at(16)),
            (_at(15), _at(17)),
            (_at(16), _at(18)),
            "after lunch until people leave work",
        ),
        "soir": DayPart(
            "le soir, la soirée, tonight, in the evening",
            (_at(18), _at(21)),
            (_at(18), _at(19, 30)),
            (_at(18, 45), _at(20, 15)),
            (_at(19, 30), _at(21)),
            "after work, until the last evening consultations",
        ),
        "nuit": DayPart(
            "la nuit, cette nuit, at night",
            (_at(21), MINUTES_PER_DAY + _at(6)),
            (_at(21), MINUTES_PER_DAY + _at(1, 30)),
            (_at(23, 15), MINUTES_PER_DAY + _at(3, 45)),
            (MINUTES_PER_DAY + _at(1, 30), MINUTES_PER_DAY + _at(6)),
            "outside the evening and the morning; only emergencies",
        ),
        "journee": DayPart(
            "dans la journée, en journée, during the day",
            (_at(8), _at(19)),
            (_at(8), _at(10)),
            (_at(11), _at(14)),
            (_at(17), _at(19)),
            "the clinic's day; its portions are idioms: at opening, around lunch, before closing",
        ),
        "petitdej": DayPart(
            "le petit-déjeuner, breakfast",
            (_at(7), _at(9)),
            (_at(7), _at(8)),
            (_at(7, 30), _at(8, 30)),
            (_at(8), _at(9)),
            'breakfast before work; only its bounds matter ("après le petit-déjeuner")',
        ),
        "diner": DayPart(
            "le dîner, le souper, dinner",
            (_at(19), _at(21)),
            (_at(19), _at(20)),
            (_at(19, 30), _at(20, 30)),
            (_at(20), _at(21)),
            "the French evening meal (in France, dîner is dinner, not lunch)",
        ),
    }
)
"""The one table of part-of-day hours; docs/time-words.md renders it in words."""

MEALS: Final = MappingProxyType({"dejeuner": "midi", "petitdej": "petitdej", "diner": "diner"})
"""Meal tokens of the normalised text and the part of ``DAY_PARTS`` each means."""

ALIASES: Final = MappingProxyType(
    {
        "matin": "matin",
        "matinee": "matin",
        "midi": "midi",
        "aprem": "aprem",
        "soir": "soir",
        "soiree": "soir",
        "nuit": "nuit",
    }
)
"""Words the grammar reads as a part of the day wherever they are, and the part each names.
"journée" is not one ("bonne journée!"): normalisation turns "dans la journée", "en début de
journée"... into the tokens of ``IDIOMS``."""

IDIOMS: Final = MappingProxyType(
    {
        "enjournee": ("journee", "whole"),
        "debutjournee": ("journee", "start"),
        "milieujournee": ("journee", "middle"),
        "finjournee": ("journee", "end"),
    }
)
"""Tokens normalisation makes of multi-word idioms, and the part and portion each names."""


def part_window(name: str, portion: str = "whole") -> Window:
    """The window of part ``name`` (a key of ``DAY_PARTS``), whole or one of its portions
    ("start", "middle", "end")."""
    part = DAY_PARTS[name]
    return {"start": part.start, "middle": part.middle, "end": part.end}.get(portion, part.whole)


def meal_bounds(meal: str) -> Window:
    """When the meal ``meal`` (a key of ``MEALS``) starts and ends: "avant le déjeuner" ends at
    the start, "après le déjeuner" begins at the end."""
    return DAY_PARTS[MEALS[meal]].whole
