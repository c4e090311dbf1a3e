"""Minutes said in words: "minuit trois", "quinze heures et quinze minutes", "trois quarts"."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.when import Assumption, parse_when
from bot.when.normalize import normalize
from tests.unit.when.zone import paris, server_now

MONDAY = server_now("2026-05-11T06:00:00Z")
"""Monday 11 May 2026, 08:00 in Paris."""


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("minuit trois", paris(2026, 5, 12, 0, 3)),
        ("dix heures cinq", paris(2026, 5, 11, 10, 5)),
        ("à onze heures deux", paris(2026, 5, 11, 11, 2)),
        ("midi dix", paris(2026, 5, 11, 12, 10)),
        ("midi moins le quart", paris(2026, 5, 11, 11, 45)),
        ("midi moins cinq", paris(2026, 5, 11, 11, 55)),
        ("quinze heures et quinze minutes", paris(2026, 5, 11, 15, 15)),
        ("15h et 5 minutes", paris(2026, 5, 11, 15, 5)),
        ("15h passé de 15 minutes", paris(2026, 5, 11, 15, 15)),
        ("15h passées de 10 minutes", paris(2026, 5, 11, 15, 10)),
        ("onze heures trois quarts", paris(2026, 5, 11, 11, 45)),
        ("onze heures et trois quarts", paris(2026, 5, 11, 11, 45)),
        ("dix heures moins dix minutes", paris(2026, 5, 11, 9, 50)),
        ("ten past eleven", paris(2026, 5, 11, 11, 10)),
        ("five past 11", paris(2026, 5, 11, 11, 5)),
    ],
)
def test_minutes_in_words(text: str, at: datetime) -> None:
    request = parse_when(text, MONDAY)
    assert request is not None
    assert request.start == at


def test_a_typed_single_digit_is_still_tens_of_minutes() -> None:
    """ "10h3" typed is a dropped zero (10:30); "dix heures trois" said is 10:03."""
    typed = parse_when("10h3", MONDAY)
    said = parse_when("dix heures trois", MONDAY)
    assert typed is not None and said is not None
    assert (typed.start.minute, said.start.minute) == (30, 3)
    assert normalize("dix heures trois quarts") == "10 heures 3 quarts"


def test_two_hours_joined_by_et_are_still_two_options() -> None:
    request = parse_when("à 10h et 11h", MONDAY)
    assert request is not None
    assert request.start == paris(2026, 5, 11, 10)
    assert Assumption.ALTERNATIVES in request.assumptions


@pytest.mark.parametrize("text", ["on est à 2h de route", "ça dure 2h", "il faut 3h", "en 2h"])
def test_a_duration_is_not_a_clock(text: str) -> None:
    assert parse_when(text, MONDAY) is None
