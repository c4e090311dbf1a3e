"""Daylight-saving changes in Europe/Paris, 2026: 29 March (02:00 -> 03:00) and 25 October
(03:00 -> 02:00). Wall-clock requests stay wall-clock; elapsed-time requests stay elapsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import Assumption, Grain, parse_when
from tests.unit.when.zone import PARIS, paris

BEFORE_SPRING = paris(2026, 3, 28, 15, 0)
BEFORE_AUTUMN = paris(2026, 10, 24, 11, 0)
HOUR = timedelta(hours=1)


def test_tomorrow_at_ten_before_spring_forward_is_ten_local() -> None:
    request = parse_when("demain 10h", BEFORE_SPRING)
    assert request is not None
    assert request.start.isoformat() == "2026-03-29T10:00:00+02:00"


def test_tomorrow_at_ten_before_fall_back_is_ten_local() -> None:
    request = parse_when("demain 10h", BEFORE_AUTUMN)
    assert request is not None
    assert request.start.isoformat() == "2026-10-25T10:00:00+01:00"


def test_short_and_long_days_have_their_true_length() -> None:
    spring = parse_when("demain", BEFORE_SPRING)
    autumn = parse_when("demain", BEFORE_AUTUMN)
    assert spring is not None and spring.end is not None
    assert autumn is not None and autumn.end is not None
    # Same-zone aware subtraction is wall-clock in Python; compare in UTC for real durations.
    assert spring.end.astimezone(UTC) - spring.start.astimezone(UTC) == 23 * HOUR
    assert autumn.end.astimezone(UTC) - autumn.start.astimezone(UTC) == 25 * HOUR


def test_nonexistent_local_time_moves_forward_by_the_gap() -> None:
    request = parse_when("dans 2 jours à 2h30 du matin", paris(2026, 3, 27, 20, 0))
    assert request is not None
    assert request.start.isoformat() == "2026-03-29T03:30:00+02:00"
    assert request.grain is Grain.MINUTE
    assert Assumption.NONEXISTENT_TIME in request.assumptions


def test_repeated_local_time_takes_the_first_occurrence() -> None:
    request = parse_when("demain à 2h30 du matin", BEFORE_AUTUMN)
    assert request is not None
    assert request.start.isoformat() == "2026-10-25T02:30:00+02:00"
    assert request.end is not None
    assert request.end.astimezone(UTC) - request.start.astimezone(UTC) == timedelta(minutes=1)
    assert Assumption.AMBIGUOUS_TIME in request.assumptions


def test_elapsed_hours_count_real_time_across_the_change() -> None:
    request = parse_when("dans 24 heures", BEFORE_SPRING)
    assert request is not None
    assert request.start.isoformat() == "2026-03-29T16:00:00+02:00"


def test_week_window_spanning_the_change_is_monday_to_monday_local() -> None:
    request = parse_when("cette semaine", paris(2026, 3, 23, 9, 0))
    assert request is not None and request.end is not None
    assert request.end.isoformat() == "2026-03-30T00:00:00+02:00"


@settings(max_examples=150, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(PARIS)
    ),
    phrase=st.sampled_from(
        ["demain 10h", "demain", "lundi matin", "vers 18h", "le 2", "dans 2 heures", "ce soir"]
    ),
)
def test_any_moment_gives_a_future_window_in_the_clinic_zone(moment: datetime, phrase: str) -> None:
    now = moment.astimezone(UTC).astimezone(PARIS)  # a real instant, whatever fold hypothesis chose
    request = parse_when(phrase, now)
    assert request is not None and request.end is not None
    assert request.start.tzinfo is PARIS and request.end.tzinfo is PARIS
    assert request.start.astimezone(UTC) >= now.astimezone(UTC)
    assert request.end.astimezone(UTC) > request.start.astimezone(UTC)


def test_relative_hours_into_the_repeated_hour() -> None:
    """Found by hypothesis: 00:59 + 2 h on the fall-back night is 02:59 CEST, one minute long."""
    now = datetime(2026, 10, 25, 0, 59, tzinfo=PARIS)
    request = parse_when("dans 2 heures", now)
    assert request is not None and request.end is not None
    assert (request.start.timestamp() - now.timestamp()) == 2 * 3600
    assert request.end.timestamp() - request.start.timestamp() == 60
