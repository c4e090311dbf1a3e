"""Whether an owner may still ask to cancel or move an appointment, and if not, why.

"Now" is a server's clock (UTC); the clinic is in Paris, where the appointments are written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.change_policy import (
    Allowed,
    AlreadyAsked,
    NotYoursOrGone,
    TooClose,
    change_verdict,
    is_own_upcoming,
    within_grace,
)
from bot.store import BookingRecord, BookingState, RequestKind, RequestRecord, RequestState

PARIS = ZoneInfo("Europe/Paris")
OWNER = 42
WINDOW = timedelta(hours=24)
GRACE = timedelta(minutes=15)
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # Monday 08:30 in Paris
BOOKED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # long before: out of grace


def booking(
    scheduled_at: datetime,
    *,
    user_id: int = OWNER,
    state: BookingState = BookingState.BOOKED,
    confirmed_at: datetime | None = BOOKED_AT,
    created_at: datetime = BOOKED_AT,
) -> BookingRecord:
    return BookingRecord(
        booking_id="b-1",
        user_id=user_id,
        client_id="c-1",
        patient_id="p-1",
        vet_id="v-1",
        appointment_type_id="t-1",
        scheduled_at=scheduled_at,
        duration_minutes=30,
        reason=None,
        is_urgent=False,
        pet_name="Mimi",
        vet_name="Dr Lefèvre",
        type_name="Consultation",
        state=state,
        appointment_id="a-1",
        detail=None,
        api_status="SCHEDULED",
        display_status=None,
        created_at=created_at,
        updated_at=created_at,
        confirmed_at=confirmed_at,
    )


def request(kind: RequestKind = RequestKind.CANCEL) -> RequestRecord:
    return RequestRecord(
        id=7,
        kind=kind,
        state=RequestState.OPEN,
        user_id=OWNER,
        client_id="c-1",
        booking_id="b-1",
        details={},
        outbox_id=None,
        created_at=NOW - timedelta(hours=1),
        decided_at=None,
        decided_by_id=None,
        decided_by_name=None,
    )


def verdict(
    record: BookingRecord | None,
    *,
    now: datetime = NOW,
    pending: RequestRecord | None = None,
    user_id: int = OWNER,
) -> object:
    return change_verdict(record, user_id, now, pending, late_cancellation=WINDOW, grace=GRACE)


# -- each branch --------------------------------------------------------------------------


def test_an_appointment_days_ahead_may_be_changed() -> None:
    record = booking(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS))
    assert verdict(record) == Allowed(record)


@pytest.mark.parametrize(
    "record",
    [
        None,
        booking(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), user_id=7),
        booking(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), state=BookingState.CANCELLED),
        booking(datetime(2026, 11, 26, 10, 0, tzinfo=PARIS), state=BookingState.UNCERTAIN),
        booking(datetime(2026, 11, 23, 8, 0, tzinfo=PARIS)),  # began half an hour ago
    ],
    ids=["unknown", "another owner's", "cancelled", "uncertain", "past"],
)
def test_what_is_not_theirs_or_is_gone_is_refused_alike(record: BookingRecord | None) -> None:
    assert verdict(record) == NotYoursOrGone()


def test_a_pending_request_refuses_a_second_one() -> None:
    pending = request()
    assert verdict(booking(NOW + timedelta(days=3)), pending=pending) == AlreadyAsked(pending)


def test_a_pending_request_is_said_even_when_the_appointment_is_close() -> None:
    """The owner hears that the clinic already has their request, not "phone us"."""
    pending = request(RequestKind.RESCHEDULE)
    assert verdict(booking(NOW + timedelta(hours=2)), pending=pending) == AlreadyAsked(pending)


def test_another_owners_booking_with_a_pending_request_says_nothing_of_it() -> None:
    record = booking(NOW + timedelta(days=3), user_id=7)
    assert verdict(record, pending=request()) == NotYoursOrGone()


def test_too_close_and_booked_long_ago_asks_to_phone() -> None:
    result = verdict(booking(NOW + timedelta(hours=3)))
    assert result == TooClose(WINDOW)
    assert isinstance(result, TooClose) and result.hours == 24


def test_too_close_but_just_booked_may_still_be_undone() -> None:
    just_booked = NOW - timedelta(minutes=5)
    record = booking(NOW + timedelta(hours=3), confirmed_at=just_booked, created_at=just_booked)
    assert verdict(record) == Allowed(record)


def test_the_grace_counts_from_the_confirmation_not_the_claim() -> None:
    """Claimed 20 minutes ago, confirmed 5 minutes ago (a slow answer): still in grace."""
    record = booking(
        NOW + timedelta(hours=3),
        created_at=NOW - timedelta(minutes=20),
        confirmed_at=NOW - timedelta(minutes=5),
    )
    assert within_grace(record, NOW, GRACE)
    assert verdict(record) == Allowed(record)


def test_without_a_confirmation_time_the_grace_counts_from_the_creation() -> None:
    record = booking(
        NOW + timedelta(hours=3), confirmed_at=None, created_at=NOW - timedelta(minutes=5)
    )
    assert within_grace(record, NOW, GRACE)


# -- the boundary instants ---------------------------------------------------------------


def test_exactly_the_window_ahead_is_not_too_close() -> None:
    record = booking(NOW + WINDOW)
    assert verdict(record) == Allowed(record)
    assert verdict(record, now=NOW + timedelta(microseconds=1)) == TooClose(WINDOW)


def test_at_the_end_of_the_grace_the_grace_is_over() -> None:
    record = booking(NOW + timedelta(hours=3), confirmed_at=NOW - GRACE)
    assert not within_grace(record, NOW, GRACE)
    assert verdict(record) == TooClose(WINDOW)
    assert verdict(record, now=NOW - timedelta(microseconds=1)) == Allowed(record)


def test_at_its_very_start_the_appointment_is_gone() -> None:
    record = booking(NOW)
    assert not is_own_upcoming(record, OWNER, NOW)
    assert verdict(record) == NotYoursOrGone()
    assert is_own_upcoming(record, OWNER, NOW - timedelta(microseconds=1))


# -- zones ---------------------------------------------------------------------------------


def test_a_paris_appointment_against_a_utc_clock() -> None:
    """Tuesday 09:30 in Paris is 08:30 UTC: exactly 25 hours after Monday 07:30 UTC."""
    record = booking(datetime(2026, 11, 24, 9, 30, tzinfo=PARIS))
    assert verdict(record) == Allowed(record)
    record = booking(datetime(2026, 11, 24, 8, 0, tzinfo=PARIS))  # 07:00 UTC: 23.5 hours
    assert verdict(record) == TooClose(WINDOW)


def test_the_window_is_real_hours_across_the_autumn_clock_change() -> None:
    """Paris falls back on Sunday 2026-10-25 (03:00 → 02:00): from Saturday 10:30 to Sunday
    10:00 on the wall clock is 24.5 real hours, so the owner may still cancel, even when both
    instants are written in the clinic's zone."""
    sunday_ten = datetime(2026, 10, 25, 10, 0, tzinfo=PARIS)
    saturday_half_past_ten = datetime(2026, 10, 24, 10, 30, tzinfo=PARIS)
    for now in (saturday_half_past_ten, saturday_half_past_ten.astimezone(UTC)):
        record = booking(sunday_ten, confirmed_at=now - timedelta(days=3))
        assert verdict(record, now=now) == Allowed(record)


def test_the_grace_is_real_minutes_across_the_autumn_clock_change() -> None:
    """Confirmed at 01:50 summer time, asked at 02:00 winter time (the second 02:00): ten
    minutes on the wall clock, seventy real ones, so the grace is over."""
    confirmed = datetime(2026, 10, 25, 1, 50, tzinfo=PARIS)
    now = datetime(2026, 10, 25, 2, 0, fold=1, tzinfo=PARIS)
    assert now.astimezone(UTC) - confirmed.astimezone(UTC) == timedelta(minutes=70)
    record = booking(now + timedelta(hours=2), confirmed_at=confirmed)
    assert not within_grace(record, now, GRACE)
    assert not within_grace(record, now.astimezone(UTC), GRACE)
