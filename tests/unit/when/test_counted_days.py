"""Days counted from another day: "le lendemain", "deux jours plus tard", "le mercredi suivant"."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.when import Assumption, parse_when, read_when
from tests.unit.when.zone import paris, server_now

MONDAY = server_now("2026-05-11T13:10:00Z")
"""Monday 11 May 2026, 15:10 in Paris."""
WEDNESDAY = date(2026, 5, 13)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("jeudi ou le lendemain", paris(2026, 5, 14)),  # the earliest option
        ("pas jeudi, le lendemain", paris(2026, 5, 15)),
        ("pas jeudi, le jour d'après", paris(2026, 5, 15)),
        ("pas jeudi, deux jours plus tard", paris(2026, 5, 16)),
        ("le 20, non la veille", paris(2026, 5, 19)),
        ("la veille du 20", paris(2026, 5, 19)),
        ("le lendemain de jeudi", paris(2026, 5, 15)),
        ("le surlendemain du 20 mai", paris(2026, 5, 22)),
        ("une semaine après le 15", paris(2026, 5, 22)),
        ("pas ce mercredi, le mercredi suivant", paris(2026, 5, 20)),
        ("pas ce mercredi, le mercredi d'après", paris(2026, 5, 20)),
        ("pas ce jeudi, jeudi prochain", paris(2026, 5, 21)),
    ],
)
def test_counted_from_the_day_named(text: str, day: datetime) -> None:
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    assert reading.request.start == day
    assert Assumption.COUNTED_FROM_TODAY not in reading.request.assumptions
    assert Assumption.NEXT_WEEKDAY_AMBIGUOUS not in reading.request.assumptions


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("le lendemain", paris(2026, 5, 12)),
        ("le jour suivant", paris(2026, 5, 12)),
        ("the next day", paris(2026, 5, 12)),
        ("le surlendemain", paris(2026, 5, 13)),
        ("deux jours plus tard", paris(2026, 5, 13)),
        ("a week later", paris(2026, 5, 18)),
    ],
)
def test_with_no_day_before_it_counts_from_today_and_says_so(text: str, day: datetime) -> None:
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    assert reading.request.start == day
    assert Assumption.COUNTED_FROM_TODAY in reading.request.assumptions
    assert not reading.must_ask
    assert reading.names_day


def test_the_day_on_screen_is_counted_from() -> None:
    reading = read_when("plutôt le lendemain", MONDAY, on_day=WEDNESDAY)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 5, 14)
    assert reading.request.assumptions == frozenset()


def test_a_day_in_the_words_wins_over_the_day_on_screen() -> None:
    reading = read_when("vendredi, sinon le lendemain", MONDAY, on_day=WEDNESDAY)
    assert reading.request is not None
    assert [c.start for c in reading.doubts[0].candidates] == [
        paris(2026, 5, 15),
        paris(2026, 5, 16),
    ]


@pytest.mark.parametrize("text", ["la veille", "le jour d'avant", "le lendemain de l'opération"])
def test_a_day_counted_from_nothing_we_know_is_not_read(text: str) -> None:
    assert parse_when(text, MONDAY) is None


def test_the_day_counted_from_is_not_a_past_participle() -> None:
    """ "le lendemain de l'opération, à 10h": the anchor is an event; the hour is still read,
    and "lendemain" is left unread, so the bot asks."""
    reading = read_when("le lendemain de l'opération, à 10h", MONDAY)
    assert reading.request is not None
    assert reading.unread_words == ("lendemain",)
    assert reading.must_ask


def test_spans_cover_the_counted_day() -> None:
    text = "contrôle pour Rex le lendemain matin svp"
    reading = read_when(text, MONDAY)
    assert [text[a:b] for a, b in reading.spans] == ["le lendemain matin"]
