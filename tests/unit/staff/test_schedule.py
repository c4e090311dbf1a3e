"""Opening hours: open, closed for lunch, on Sunday, across a DST change, or simply unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ClinicConfig, ScheduleConfig, load_clinic
from bot.schedule import ClinicSchedule

ROOT = Path(__file__).resolve().parents[3]
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def clinic() -> ClinicConfig:
    return load_clinic(ROOT / "clinic.example.toml")


@pytest.fixture(scope="module")
def schedule(clinic: ClinicConfig) -> ClinicSchedule:
    return ClinicSchedule.from_clinic(clinic)


def _with_hours(clinic: ClinicConfig, hours: dict[str, list[str]]) -> ClinicSchedule:
    hours_only = ScheduleConfig.model_validate(hours)
    return ClinicSchedule.from_clinic(clinic.model_copy(update={"schedule": hours_only}))


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (paris(2026, 11, 23, 8, 59), False),  # Monday, before opening
        (paris(2026, 11, 23, 9, 0), True),
        (paris(2026, 11, 23, 12, 29), True),
        (paris(2026, 11, 23, 12, 30), False),  # lunch break
        (paris(2026, 11, 23, 13, 59), False),
        (paris(2026, 11, 23, 14, 0), True),
        (paris(2026, 11, 23, 18, 59, 59), True),
        (paris(2026, 11, 23, 19, 0), False),
        (paris(2026, 11, 28, 11, 59), True),  # Saturday morning
        (paris(2026, 11, 28, 14, 30), False),  # Saturday afternoon
        (paris(2026, 11, 29, 10, 0), False),  # Sunday
        (datetime(2026, 11, 23, 8, 30, tzinfo=UTC), True),  # 09:30 in Paris
    ],
)
def test_open_or_closed(schedule: ClinicSchedule, when: datetime, is_open: bool) -> None:
    assert schedule.is_open(when) is is_open


def test_next_opening_after_lunch_and_over_the_weekend(schedule: ClinicSchedule) -> None:
    assert schedule.next_opening(paris(2026, 11, 23, 12, 45)) == paris(2026, 11, 23, 14, 0)
    assert schedule.next_opening(paris(2026, 11, 28, 12, 0)) == paris(2026, 11, 30, 9, 0)
    assert schedule.next_opening(paris(2026, 11, 27, 22, 0)) == paris(2026, 11, 28, 9, 0)
    open_now = paris(2026, 11, 23, 10, 0)
    assert schedule.next_opening(open_now) == open_now


def test_hours_are_wall_clock_across_the_spring_change(schedule: ClinicSchedule) -> None:
    """Saturday 28 March 2026 at noon, then clocks go forward: Monday opens at 07:00 UTC, not
    08:00 as the Monday before."""
    reopening = schedule.next_opening(paris(2026, 3, 28, 12, 0))
    assert reopening is not None
    assert reopening.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert schedule.next_opening(paris(2026, 3, 21, 12, 0)) == datetime(
        2026, 3, 23, 8, 0, tzinfo=UTC
    )


def test_a_day_open_across_the_dst_change(clinic: ClinicConfig) -> None:
    schedule = _with_hours(clinic, {"sunday": ["09:00-12:00"]})
    # 29 March 2026 (clocks forward at 02:00) and 25 October 2026 (back at 03:00).
    assert schedule.is_open(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))  # 09:00 CEST
    assert not schedule.is_open(datetime(2026, 3, 29, 6, 59, tzinfo=UTC))
    assert schedule.is_open(datetime(2026, 10, 25, 8, 0, tzinfo=UTC))  # 09:00 CET
    assert not schedule.is_open(datetime(2026, 10, 25, 7, 30, tzinfo=UTC))  # 08:30 CET
    assert schedule.next_opening(paris(2026, 3, 29, 1, 0)) == datetime(
        2026, 3, 29, 7, 0, tzinfo=UTC
    )


def test_unknown_hours_never_say_closed(clinic: ClinicConfig) -> None:
    schedule = ClinicSchedule.from_clinic(clinic.model_copy(update={"schedule": None}))

    assert not schedule.known
    assert schedule.is_open(paris(2026, 11, 29, 3, 0)) is None
    assert schedule.next_opening(paris(2026, 11, 29, 3, 0)) is None


def test_a_clinic_that_never_opens_has_no_next_opening(clinic: ClinicConfig) -> None:
    schedule = _with_hours(clinic, {})
    assert schedule.is_open(paris(2026, 11, 23, 10, 0)) is False
    assert schedule.next_opening(paris(2026, 11, 23, 10, 0)) is None


def test_naive_times_are_refused(schedule: ClinicSchedule) -> None:
    with pytest.raises(ValueError, match="naive"):
        schedule.is_open(datetime(2026, 11, 23, 10, 0))
