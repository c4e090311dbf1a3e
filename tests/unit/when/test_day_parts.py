"""Parts of the day and meals: one table in the code, the same hours in docs/time-words.md."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from bot.when import Grain, parse_when, read_when
from bot.when.dayparts import DAY_PARTS, MINUTES_PER_DAY, NOON, Window
from tests.unit.when.zone import paris, server_now

DOC = Path(__file__).resolve().parents[3] / "docs" / "time-words.md"
MONDAY = server_now("2026-05-11T06:00:00Z")
"""Monday 11 May 2026, 08:00 in Paris: every part of the day is still ahead."""


def _hm(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours % 24:02d}:{rest:02d}"


def _window(window: Window) -> str:
    return f"{_hm(window[0])}–{_hm(window[1])}"


@pytest.mark.parametrize("name", list(DAY_PARTS))
def test_the_doc_gives_the_hours_of_the_table(name: str) -> None:
    part = DAY_PARTS[name]
    cells = (part.words, *map(_window, (part.whole, part.start, part.middle, part.end)))
    assert "| " + " | ".join(cells) + " |" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(DAY_PARTS))
def test_portions_lie_inside_their_part(name: str) -> None:
    part = DAY_PARTS[name]
    for start, end in (part.start, part.middle, part.end):
        assert part.whole[0] <= start < end <= part.whole[1]


def test_the_parts_of_the_clinic_day_meet_without_overlapping() -> None:
    order = ["matin", "midi", "aprem", "soir", "nuit"]
    for before, after in pairwise(order):
        assert DAY_PARTS[before].whole[1] == DAY_PARTS[after].whole[0]
    assert DAY_PARTS["matin"].whole[1] == NOON
    assert DAY_PARTS["nuit"].whole[1] > MINUTES_PER_DAY


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("demain matin", paris(2026, 5, 12, 8), paris(2026, 5, 12, 12)),
        ("ce midi", paris(2026, 5, 11, 12), paris(2026, 5, 11, 14)),
        ("pendant la pause déjeuner", paris(2026, 5, 11, 12), paris(2026, 5, 11, 14)),
        ("au moment du déjeuner", paris(2026, 5, 11, 12), paris(2026, 5, 11, 14)),
        ("lors du dîner", paris(2026, 5, 11, 19), paris(2026, 5, 11, 21)),
        ("à l'heure du dîner", paris(2026, 5, 11, 19), paris(2026, 5, 11, 21)),
        ("en début de journée", paris(2026, 5, 11, 8), paris(2026, 5, 11, 10)),
        ("en milieu de journée", paris(2026, 5, 11, 11), paris(2026, 5, 11, 14)),
        ("en mi-journée", paris(2026, 5, 11, 11), paris(2026, 5, 11, 14)),
        ("en fin de journée", paris(2026, 5, 11, 17), paris(2026, 5, 11, 19)),
        ("dans la journée", paris(2026, 5, 11, 8), paris(2026, 5, 11, 19)),
        ("en journée", paris(2026, 5, 11, 8), paris(2026, 5, 11, 19)),
        ("en fin de soirée", paris(2026, 5, 11, 19, 30), paris(2026, 5, 11, 21)),
        ("en début de soirée", paris(2026, 5, 11, 18), paris(2026, 5, 11, 19, 30)),
    ],
)
def test_part_windows_come_from_the_table(text: str, start: datetime, end: datetime) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert (request.start, request.end, request.grain) == (start, end, Grain.PART_OF_DAY)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("avant le déjeuner", MONDAY, paris(2026, 5, 11, 12)),
        ("après le déjeuner", paris(2026, 5, 11, 14), paris(2026, 5, 12)),
        ("après manger, non, après le déjeuner", paris(2026, 5, 11, 14), paris(2026, 5, 12)),
        ("à partir du déjeuner", paris(2026, 5, 11, 12), paris(2026, 5, 12)),
        ("jusqu'au déjeuner", MONDAY, paris(2026, 5, 11, 12)),
        ("avant le dîner", MONDAY, paris(2026, 5, 11, 19)),
        ("après le dîner", paris(2026, 5, 11, 21), paris(2026, 5, 12)),
        ("après le petit-déjeuner", paris(2026, 5, 11, 9), paris(2026, 5, 12)),
        ("dès le matin", MONDAY, paris(2026, 5, 12)),
        ("à partir de l'après-midi", paris(2026, 5, 11, 14), paris(2026, 5, 12)),
        ("jusqu'au soir", MONDAY, paris(2026, 5, 11, 21)),
        ("avant le soir", MONDAY, paris(2026, 5, 11, 18)),
    ],
)
def test_meals_and_parts_bound_the_day(text: str, start: datetime, end: datetime) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert (request.start, request.end, request.grain) == (start, end, Grain.HOUR)


def test_lunchtime_is_no_longer_midnight() -> None:
    request = parse_when("mardi à l'heure du déjeuner", MONDAY)
    assert request is not None
    assert (request.start, request.end) == (paris(2026, 5, 12, 12), paris(2026, 5, 12, 14))


@pytest.mark.parametrize(
    ("text", "hour"),
    [
        ("ce soir à 8h", 20),
        ("le matin à 9h", 9),
        ("en fin de journée vers 6h", 18),
        ("le midi vers 1h", 13),
        ("le midi vers 12h30", 12),
        ("à l'heure du dîner vers 8h", 20),
        ("ce matin à 3pm", 15),
    ],
)
def test_an_hour_said_with_a_part_takes_its_side_of_noon(text: str, hour: int) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None and request.preferred is not None
    assert request.preferred.hour == hour


@pytest.mark.parametrize(
    "text",
    ["bonne journée !", "bonne soirée", "je travaille pendant la journée", "bon appétit"],
)
def test_wishes_and_constraints_are_not_parts_of_the_day(text: str) -> None:
    assert read_when(text, MONDAY).request is None


@pytest.mark.parametrize(
    "text",
    ["rdv demain 10h, bonne soirée", "demain 10h, bonne nuit", "demain à 10h. Bon après-midi !"],
)
def test_a_wish_does_not_move_the_hour_to_the_evening(text: str) -> None:
    """It once did: "demain 10h, bonne soirée" was read as 22:00, without a word."""
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 5, 12, 10)
    assert not reading.must_ask


def test_a_meal_alone_is_not_read_but_not_forgotten() -> None:
    """ "au dîner" is also when a pill is given: not read, and the bot asks."""
    assert parse_when("un comprimé au dîner", MONDAY) is None
    reading = read_when("demain, au dîner", MONDAY)
    assert reading.unread_words == ("dîner",)
    assert reading.must_ask
