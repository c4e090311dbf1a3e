"""The reminder rows: idempotent planning, what is due, presence, forgetting an owner."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bot.clock import ManualClock
from bot.store import (
    BookingState,
    BookingStateError,
    PlannedReminder,
    ReminderKind,
    ReminderState,
    Store,
)
from tests.unit.reminders.conftest import book, paris
from tests.unit.store.drafts import draft

START = paris(2026, 11, 25, 15)
DAY_BEFORE = PlannedReminder(ReminderKind.DAY_BEFORE, paris(2026, 11, 24, 15))
SOON = PlannedReminder(ReminderKind.SOON, paris(2026, 11, 25, 13))


def states(store: Store, booking_id: str = "b-1") -> dict[ReminderKind, ReminderState]:
    return {r.kind: r.state for r in store.reminders.for_booking(booking_id)}


def test_planning_twice_keeps_one_row_per_kind(store: Store) -> None:
    book(store, START)
    first = store.reminders.plan("b-1", [DAY_BEFORE, SOON])
    again = store.reminders.plan("b-1", [DAY_BEFORE, SOON])
    assert [r.id for r in again] == [r.id for r in first]
    assert [(r.kind, r.due_at) for r in again] == [
        (ReminderKind.DAY_BEFORE, DAY_BEFORE.due_at),
        (ReminderKind.SOON, SOON.due_at),
    ]
    assert all(r.appointment_at == START and r.user_id == 42 for r in again)


def test_replanning_replaces_pending_rows_and_keeps_sent_ones(store: Store) -> None:
    book(store, START)
    day_before, _ = store.reminders.plan("b-1", [DAY_BEFORE, SOON])
    store.reminders.mark_sent(day_before.id, DAY_BEFORE.due_at)

    later = PlannedReminder(ReminderKind.DAY_BEFORE, DAY_BEFORE.due_at + timedelta(hours=1))
    rows = store.reminders.plan("b-1", [later])

    assert {r.kind: (r.state, r.due_at) for r in rows} == {
        ReminderKind.DAY_BEFORE: (ReminderState.SENT, DAY_BEFORE.due_at),
        ReminderKind.SOON: (ReminderState.DROPPED, SOON.due_at),
    }


def test_due_are_pending_rows_of_booked_future_bookings(store: Store) -> None:
    for booking_id in ("booked", "cancelled", "moved"):
        book(store, START, booking_id=booking_id)
    store.claim_booking(draft(booking_id="uncertain", scheduled_at=START))
    store.finish_booking("uncertain", BookingState.UNCERTAIN, detail="answer lost")
    store.claim_booking(draft(booking_id="sending", scheduled_at=START))
    for booking_id in ("booked", "cancelled", "moved", "uncertain", "sending"):
        store.reminders.plan(booking_id, [DAY_BEFORE, SOON])
    store.mark_cancelled("cancelled")
    store.set_booking_status(
        "moved", api_status="SCHEDULED", display_status=None, scheduled_at=START + timedelta(days=1)
    )

    assert {r.booking_id for r in store.reminders.due(SOON.due_at)} == {"booked"}
    assert store.reminders.next_due() == DAY_BEFORE.due_at
    assert store.reminders.due(START) == []  # the appointment has started


def test_a_sent_reminder_is_not_due_again(store: Store) -> None:
    book(store, START)
    day_before, _ = store.reminders.plan("b-1", [DAY_BEFORE, SOON])
    assert store.reminders.mark_sent(day_before.id, DAY_BEFORE.due_at)
    assert not store.reminders.mark_sent(day_before.id, DAY_BEFORE.due_at)
    assert [r.kind for r in store.reminders.due(SOON.due_at)] == [ReminderKind.SOON]


def test_a_reminder_sent_for_the_old_time_is_rearmed_after_a_move(store: Store) -> None:
    book(store, START)
    day_before, _ = store.reminders.plan("b-1", [DAY_BEFORE, SOON])
    store.reminders.mark_sent(day_before.id, DAY_BEFORE.due_at)
    moved = START + timedelta(days=7)
    store.set_booking_status("b-1", api_status="SCHEDULED", display_status=None, scheduled_at=moved)
    assert store.reminders.bookings_to_plan(paris(2026, 11, 24, 16)) == ["b-1"]

    new_day_before = PlannedReminder(ReminderKind.DAY_BEFORE, moved - timedelta(days=1))
    rows = store.reminders.plan("b-1", [new_day_before])

    assert [(r.kind, r.state, r.appointment_at) for r in rows] == [
        (ReminderKind.DAY_BEFORE, ReminderState.PENDING, moved),
        (ReminderKind.SOON, ReminderState.DROPPED, START),
    ]
    assert store.reminders.bookings_to_plan(paris(2026, 11, 24, 16)) == []


def test_dropping_and_stale_rows(store: Store) -> None:
    book(store, START, booking_id="cancelled")
    book(store, START, booking_id="kept")
    book(store, paris(2026, 11, 23, 18), booking_id="tonight")
    for booking_id in ("cancelled", "kept", "tonight"):
        store.reminders.plan(booking_id, [SOON])
    assert store.reminders.drop_for_booking("cancelled") == 1
    assert store.reminders.drop_stale(paris(2026, 11, 23, 19)) == 1  # "tonight" has passed
    assert states(store, "cancelled") == {ReminderKind.SOON: ReminderState.DROPPED}
    assert states(store, "tonight") == {ReminderKind.SOON: ReminderState.DROPPED}
    assert states(store, "kept") == {ReminderKind.SOON: ReminderState.PENDING}


def test_bookings_to_plan_are_the_unplanned_booked_future_ones(store: Store) -> None:
    book(store, START, booking_id="new")
    book(store, START, booking_id="planned")
    book(store, paris(2026, 11, 23, 8), booking_id="past")
    store.reminders.plan("planned", [])
    assert store.reminders.bookings_to_plan(paris(2026, 11, 23, 9)) == ["new"]


def test_retry_later_moves_the_attempt(store: Store) -> None:
    book(store, START)
    (soon,) = store.reminders.plan("b-1", [SOON])
    store.reminders.retry_later(soon.id, SOON.due_at + timedelta(seconds=5), "boom")
    record = store.reminders.get(soon.id)
    assert record is not None
    assert (record.attempts, record.last_error) == (1, "boom")
    assert store.reminders.due(SOON.due_at) == []
    assert store.reminders.next_due() == (SOON.due_at + timedelta(seconds=5)).astimezone(UTC)


def test_presence_is_recorded_once_on_the_booking(store: Store, clock: ManualClock) -> None:
    book(store, START)
    first = store.confirm_presence("b-1")
    clock.advance(timedelta(minutes=5))
    again = store.confirm_presence("b-1")
    assert (
        first.presence_confirmed_at == again.presence_confirmed_at == clock() - timedelta(minutes=5)
    )
    assert store.bookings_between(START, START + timedelta(minutes=1))[0].presence_confirmed_at


def test_presence_cannot_be_confirmed_on_a_cancelled_booking(store: Store) -> None:
    book(store, START)
    store.mark_cancelled("b-1")
    with pytest.raises(BookingStateError, match="cancelled"):
        store.confirm_presence("b-1")


def test_forgetting_an_owner_drops_their_reminders(store: Store) -> None:
    book(store, START)
    book(store, START, booking_id="other", user_id=7)
    store.reminders.plan("b-1", [SOON])
    store.reminders.plan("other", [SOON])
    store.forget_owner(42)
    assert store.reminders.for_booking("b-1") == []
    assert len(store.reminders.for_booking("other")) == 1
