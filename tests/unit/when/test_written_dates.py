"""Dates and weekdays as owners type them: spaces and short years, ordinals within a month,
abbreviated or cut weekdays, bounds ("pas avant jeudi", "à partir du 8"), "maintenant"."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.when import Grain, WhenProblem, parse_when, read_when
from tests.unit.when.zone import paris, server_now

MONDAY = server_now("2026-05-11T13:10:00Z")
"""Monday 11 May 2026, 15:10 in Paris."""


def _day(text: str) -> datetime:
    request = parse_when(text, MONDAY)
    assert request is not None, text
    return request.start


# --- dates with spaces or short years --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("17 02", paris(2027, 2, 17)),
        ("31 10", paris(2026, 10, 31)),
        ("le 20 2 27", paris(2027, 2, 20)),
        ("le 3 6", paris(2026, 6, 3)),
        ("15 12 2026", paris(2026, 12, 15)),
        ("pour le 01 06", paris(2026, 6, 1)),
        ("jeudi 10 12", paris(2026, 12, 10)),
    ],
)
def test_dates_with_spaces(text: str, day: datetime) -> None:
    assert _day(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "appelez le 06 12 34 56 78 demain",
        "il pèse 12 10 kg",
        "2 3 fois par jour",
        "17 2",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    request = parse_when(text, MONDAY)
    assert request is None or request.start == paris(2026, 5, 12)  # only "demain"


def test_a_spaced_date_that_does_not_exist_is_a_problem() -> None:
    reading = read_when("le 31 02", MONDAY)
    assert (reading.problem, reading.problem_words) == (WhenProblem.NO_SUCH_DATE, "31 02")


def test_a_spaced_date_is_a_span_of_the_owner_text() -> None:
    text = "vaccin de Tigrou le 20 2 27 svp"
    reading = read_when(text, MONDAY)
    assert [text[a:b] for a, b in reading.spans] == ["le 20 2 27"]


# --- ordinals within a month ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("le 3e jour de mars", paris(2027, 3, 3)),
        ("le 3ème jour du mois prochain", paris(2026, 6, 3)),
        ("le dernier jour du mois", paris(2026, 5, 31)),
        ("le dernier jour de février", paris(2027, 2, 28)),
        ("le premier mercredi du mois prochain", paris(2026, 6, 3)),
        ("le premier lundi du mois", paris(2026, 6, 1)),  # May's has passed
        ("le deuxième lundi d'avril", paris(2027, 4, 12)),
        ("le second mardi de juin", paris(2026, 6, 9)),
        ("le 4e vendredi de mai", paris(2026, 5, 22)),
        ("le dernier samedi de mai", paris(2026, 5, 30)),
        ("the last friday of next month", paris(2026, 6, 26)),
        ("the second tuesday of july", paris(2026, 7, 14)),
    ],
)
def test_ordinals_within_a_month(text: str, day: datetime) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert (request.start, request.grain) == (day, Grain.DAY)


def test_an_ordinal_a_month_does_not_have_is_not_read() -> None:
    assert parse_when("le cinquième lundi de février", MONDAY) is None  # none in 2027 or 2028
    assert parse_when("le cinquième lundi de juin", MONDAY) is not None  # 29 June 2026


def test_an_ordinal_before_a_bound_is_the_day_not_the_first() -> None:
    request = parse_when("avant le premier lundi du mois prochain", MONDAY)
    assert request is not None
    assert request.end == paris(2026, 6, 1)


# --- abbreviated, cut and misspelt weekdays --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("lun.", paris(2026, 5, 18)),
        ("jeu.", paris(2026, 5, 14)),
        ("ven", paris(2026, 5, 15)),
        ("Ven ?", paris(2026, 5, 15)),
        ("plutôt mer.", paris(2026, 5, 13)),
        ("jeud", paris(2026, 5, 14)),
        ("mercr", paris(2026, 5, 13)),
        ("vendred", paris(2026, 5, 15)),
        ("samed", paris(2026, 5, 16)),
        ("dimanc", paris(2026, 5, 17)),
        ("jeu 14h", paris(2026, 5, 14, 14)),
        ("sam 10h", paris(2026, 5, 16, 10)),
    ],
)
def test_short_weekdays(text: str, day: datetime) -> None:
    assert _day(text) == day


@pytest.mark.parametrize(
    "text",
    ["il aime le jeu.", "on va à la mer.", "Sam.", "sam", "mon chien Sam", "un jeu"],
)
def test_short_words_that_are_not_weekdays(text: str) -> None:
    assert parse_when(text, MONDAY) is None


# --- bounds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("pas avant jeudi", paris(2026, 5, 14), paris(2026, 5, 21)),
        ("à partir de jeudi", paris(2026, 5, 14), paris(2026, 5, 21)),
        ("à partir du 8", paris(2026, 6, 8), paris(2026, 6, 15)),
        ("dès le 20", paris(2026, 5, 20), paris(2026, 5, 27)),
        ("pas avant le 20 mai", paris(2026, 5, 20), paris(2026, 5, 27)),
        ("à compter du 15 juin", paris(2026, 6, 15), paris(2026, 6, 22)),
        ("après jeudi", paris(2026, 5, 15), paris(2026, 5, 22)),
        ("le plus tôt possible la semaine prochaine", paris(2026, 5, 18), paris(2026, 5, 25)),
    ],
)
def test_day_bounds(text: str, start: datetime, end: datetime) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert (request.start, request.end) == (start, end)


def test_from_the_8th_is_not_8_oclock() -> None:
    request = parse_when("à partir du 8", MONDAY)
    assert request is not None
    assert request.grain is Grain.WEEK
    assert request.start.hour == 0


# --- now ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "maintenant",
        "en ce moment",
        "possible maintenant ?",
        "vous pouvez le voir en ce moment ?",
        "en ce moment si possible",
        "vous êtes disponibles maintenant ?",
    ],
)
def test_now_when_the_owner_asks_for_it(text: str) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert (request.start, request.grain) == (MONDAY, Grain.ASAP)


@pytest.mark.parametrize(
    "text",
    ["il tousse beaucoup en ce moment", "il va mieux maintenant", "en ce moment il mange peu"],
)
def test_now_in_a_description_of_the_animal_is_no_time(text: str) -> None:
    assert parse_when(text, MONDAY) is None
