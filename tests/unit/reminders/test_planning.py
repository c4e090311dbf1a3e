"""When reminders are due: offsets, either one off, quiet hours, collisions, the past, DST."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest

from bot.config import QuietHours, parse_quiet_hours
from bot.reminders import PlannedReminder, ReminderKind, plan_reminders
from tests.unit.reminders.conftest import PARIS, paris

DAY = timedelta(hours=24)
TWO_HOURS = timedelta(hours=2)
NIGHT = parse_quiet_hours("21:00-08:00")
DAY_BEFORE, SOON = ReminderKind.DAY_BEFORE, ReminderKind.SOON


def plan(
    start,
    *,
    now=None,
    told_at=None,
    first=DAY,
    second=TWO_HOURS,
    quiet=NIGHT,
) -> list[tuple[ReminderKind, object]]:
    """The plan as (kind, local time in Paris)."""
    now = paris(2026, 11, 20, 9) if now is None else now
    planned = plan_reminders(
        start, now=now, tz=PARIS, first=first, second=second, quiet=quiet, told_at=told_at
    )
    return [(r.kind, r.due_at.astimezone(PARIS)) for r in planned]


def test_by_default_the_day_before_and_two_hours_before() -> None:
    assert plan(paris(2026, 11, 24, 15)) == [
        (DAY_BEFORE, paris(2026, 11, 23, 15)),
        (SOON, paris(2026, 11, 24, 13)),
    ]


def test_a_planned_reminder_is_a_kind_and_an_instant() -> None:
    (first, _) = plan_reminders(
        paris(2026, 11, 24, 15),
        now=paris(2026, 11, 20, 9),
        tz=PARIS,
        first=DAY,
        second=TWO_HOURS,
        quiet=NIGHT,
    )
    assert first == PlannedReminder(DAY_BEFORE, paris(2026, 11, 23, 15))


@pytest.mark.parametrize(
    ("first", "second", "kinds"),
    [(None, TWO_HOURS, [SOON]), (DAY, None, [DAY_BEFORE]), (None, None, [])],
)
def test_either_reminder_can_be_off(first, second, kinds) -> None:
    planned = plan(paris(2026, 11, 24, 15), first=first, second=second)
    assert [kind for kind, _ in planned] == kinds


def test_a_reminder_due_at_night_goes_out_the_evening_before_quiet_hours() -> None:
    """08:30 appointment: the 2-hour reminder would be 06:30, so it goes at 20:59 the eve."""
    assert plan(paris(2026, 11, 24, 8, 30)) == [
        (DAY_BEFORE, paris(2026, 11, 23, 8, 30)),
        (SOON, paris(2026, 11, 23, 20, 59)),
    ]


def test_an_early_appointment_moves_the_day_before_reminder_too() -> None:
    """07:00 drop-off: the day-before reminder (07:00) goes out at 20:59 two evenings before."""
    assert plan(paris(2026, 11, 25, 7)) == [
        (DAY_BEFORE, paris(2026, 11, 23, 20, 59)),
        (SOON, paris(2026, 11, 24, 20, 59)),
    ]


def test_quiet_hours_are_half_open() -> None:
    """Due at 21:00 sharp is night; due at 08:00 sharp is morning."""
    assert plan(paris(2026, 11, 24, 23), first=None) == [(SOON, paris(2026, 11, 24, 20, 59))]
    assert plan(paris(2026, 11, 24, 10), first=None) == [(SOON, paris(2026, 11, 24, 8))]


def test_quiet_hours_within_a_day_also_work() -> None:
    lunch = QuietHours(time(12), time(14))
    assert plan(paris(2026, 11, 24, 15), quiet=lunch, first=None) == [
        (SOON, paris(2026, 11, 24, 11, 59))
    ]


def test_without_quiet_hours_night_is_like_day() -> None:
    assert plan(paris(2026, 11, 24, 8, 30), quiet=None, first=None) == [
        (SOON, paris(2026, 11, 24, 6, 30))
    ]


def test_two_reminders_less_than_an_hour_apart_keep_only_the_second() -> None:
    """12 h and 2 h before 08:30: 20:30 and (06:30 moved to) 20:59 the evening before."""
    assert plan(paris(2026, 11, 24, 8, 30), first=timedelta(hours=12)) == [
        (SOON, paris(2026, 11, 23, 20, 59))
    ]
    assert [k for k, _ in plan(paris(2026, 11, 24, 15), first=timedelta(hours=3))] == [
        DAY_BEFORE,
        SOON,
    ]


def test_past_reminders_are_dropped_and_the_second_is_caught_up_if_time_allows() -> None:
    """Planned at 14:00 (after a downtime) for 15:00: the second goes now, the first never."""
    told = paris(2026, 11, 20, 9)
    start = paris(2026, 11, 24, 15)
    assert plan(start, now=paris(2026, 11, 24, 14), told_at=told) == [
        (SOON, paris(2026, 11, 24, 14))
    ]
    assert plan(start, now=paris(2026, 11, 24, 14, 31), told_at=told) == []


def test_a_caught_up_reminder_waits_for_the_end_of_quiet_hours() -> None:
    told = paris(2026, 11, 20, 9)
    assert plan(paris(2026, 11, 24, 9), now=paris(2026, 11, 23, 23), told_at=told) == [
        (SOON, paris(2026, 11, 24, 8))
    ]
    assert plan(paris(2026, 11, 24, 8, 20), now=paris(2026, 11, 23, 23), told_at=told) == []


def test_no_reminder_within_the_hour_after_the_owner_was_told() -> None:
    """Booked at 13:30 for 15:00: the confirmation is the reminder; none right after it."""
    start = paris(2026, 11, 24, 15)
    assert plan(start, now=paris(2026, 11, 24, 13, 30), told_at=paris(2026, 11, 24, 13, 30)) == []
    booked_the_day_before = paris(2026, 11, 23, 16)
    assert plan(start, now=booked_the_day_before, told_at=booked_the_day_before) == [
        (SOON, paris(2026, 11, 24, 13))
    ]


# Daylight saving time in Paris: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00.


def test_spring_forward_the_day_before_reminder_is_24_real_hours_before() -> None:
    start = paris(2026, 3, 29, 10)  # CEST, UTC+2
    planned = plan(start, now=paris(2026, 3, 20, 9))
    assert planned == [(DAY_BEFORE, paris(2026, 3, 28, 9)), (SOON, paris(2026, 3, 29, 8))]
    assert start.astimezone(UTC) - planned[0][1].astimezone(UTC) == DAY


def test_spring_forward_a_night_reminder_goes_before_the_shorter_night() -> None:
    planned = plan(paris(2026, 3, 29, 9), now=paris(2026, 3, 20, 9), first=None)
    assert planned == [(SOON, paris(2026, 3, 28, 20, 59))]
    assert planned[0][1].utcoffset() == timedelta(hours=1)


def test_fall_back_the_day_before_reminder_is_24_real_hours_before() -> None:
    start = paris(2026, 10, 25, 10)  # CET, UTC+1
    planned = plan(start, now=paris(2026, 10, 20, 9))
    assert planned == [(DAY_BEFORE, paris(2026, 10, 24, 11)), (SOON, paris(2026, 10, 25, 8))]
    assert start.astimezone(UTC) - planned[0][1].astimezone(UTC) == DAY


def test_fall_back_a_night_reminder_goes_before_the_longer_night() -> None:
    planned = plan(paris(2026, 10, 25, 9), now=paris(2026, 10, 20, 9), first=None)
    assert planned == [(SOON, paris(2026, 10, 24, 20, 59))]
    assert planned[0][1].utcoffset() == timedelta(hours=2)


def test_quiet_hours_across_a_change_end_at_eight_on_the_clock() -> None:
    assert NIGHT is not None
    assert NIGHT.ends_after(paris(2026, 3, 29, 3, 30), PARIS) == paris(2026, 3, 29, 8)
    assert NIGHT.ends_after(paris(2026, 10, 25, 1, 30), PARIS) == paris(2026, 10, 25, 8)
    assert NIGHT.began_at(paris(2026, 10, 25, 7), PARIS) == paris(2026, 10, 24, 21)
    assert not NIGHT.contains(paris(2026, 10, 25, 8), PARIS)
