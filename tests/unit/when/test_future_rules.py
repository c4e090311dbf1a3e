"""Future-only rules: a booking window never starts before "now", and never silently in the past."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.when import Assumption, Grain, parse_when
from tests.unit.when.zone import MONDAY_AFTERNOON, paris


def test_day_of_month_already_passed_is_next_month() -> None:
    request = parse_when("le 2", paris(2026, 6, 12, 9, 0))
    assert request is not None
    assert (request.start, request.end) == (paris(2026, 7, 2), paris(2026, 7, 3))


def test_day_of_month_missing_next_month_skips_to_one_that_has_it() -> None:
    request = parse_when("le 31", paris(2026, 4, 2, 9, 0))
    assert request is not None
    assert request.start == paris(2026, 5, 31)


def test_todays_weekday_means_next_week() -> None:
    request = parse_when("lundi", MONDAY_AFTERNOON)
    assert request is not None
    assert (request.start, request.grain) == (paris(2026, 5, 18), Grain.DAY)


def test_this_weekday_said_on_that_day_is_today_from_now() -> None:
    request = parse_when("ce lundi", MONDAY_AFTERNOON)
    assert request is not None
    assert (request.start, request.end) == (MONDAY_AFTERNOON, paris(2026, 5, 12))


def test_bare_hour_already_past_is_tomorrow() -> None:
    request = parse_when("à 10h", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start == request.preferred == paris(2026, 5, 12, 10, 0)
    assert request.end == paris(2026, 5, 12, 10, 1)


def test_bare_hour_at_exactly_now_is_tomorrow() -> None:
    request = parse_when("15h10", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start == paris(2026, 5, 12, 15, 10)


def test_partly_passed_window_starts_now() -> None:
    request = parse_when("cet après-midi", MONDAY_AFTERNOON)
    assert request is not None
    assert (request.start, request.end) == (MONDAY_AFTERNOON, paris(2026, 5, 11, 18, 0))
    assert request.grain is Grain.PART_OF_DAY


def test_approximate_time_keeps_its_preferred_instant_when_clipped() -> None:
    request = parse_when("vers 15h30", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start == MONDAY_AFTERNOON
    assert request.preferred == paris(2026, 5, 11, 15, 30)
    assert request.approximate


def test_approximate_time_whose_instant_passed_moves_to_tomorrow() -> None:
    request = parse_when("vers 15h", MONDAY_AFTERNOON)
    assert request is not None
    assert request.preferred == paris(2026, 5, 12, 15, 0)


def test_explicit_today_that_has_passed_rolls_forward_and_says_so() -> None:
    request = parse_when("ce matin", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start == paris(2026, 5, 12, 8, 0)
    assert Assumption.ROLLED_FORWARD in request.assumptions


def test_next_weekday_in_current_week_is_flagged() -> None:
    request = parse_when("mardi prochain", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start == paris(2026, 5, 12)
    assert Assumption.NEXT_WEEKDAY_AMBIGUOUS in request.assumptions


def test_bare_afternoon_hour_is_flagged() -> None:
    request = parse_when("jeudi à 3h", MONDAY_AFTERNOON)
    assert request is not None
    assert request.preferred == paris(2026, 5, 14, 15, 0)
    assert Assumption.AFTERNOON_ASSUMED in request.assumptions


def test_explicit_morning_hour_is_not_moved() -> None:
    request = parse_when("jeudi à 3h du matin", MONDAY_AFTERNOON)
    assert request is not None
    assert request.preferred == paris(2026, 5, 14, 3, 0)
    assert not request.assumptions


def test_explicit_past_year_is_not_a_time() -> None:
    assert parse_when("le 3 mars 2025", MONDAY_AFTERNOON) is None


def test_asap_is_open_from_now() -> None:
    request = parse_when("dès que possible", MONDAY_AFTERNOON)
    assert request is not None
    assert (request.start, request.end, request.grain) == (MONDAY_AFTERNOON, None, Grain.ASAP)
    assert request.is_open


@pytest.mark.parametrize(
    "phrase",
    ["le 2", "lundi", "10h", "ce soir", "vers 18h", "la semaine prochaine", "en mai", "le 11"],
)
@pytest.mark.parametrize("minutes", [0, 7 * 60, 12 * 60 + 30, 23 * 60 + 59])
def test_never_starts_before_now(phrase: str, minutes: int) -> None:
    now = paris(2026, 5, 11) + timedelta(minutes=minutes)
    request = parse_when(phrase, now)
    assert request is not None
    assert request.start >= now
    assert request.end is not None and request.end > request.start
