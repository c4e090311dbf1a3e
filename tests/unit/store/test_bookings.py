"""Exactly-once booking: a confirmation is sent at most once, and its outcome is never lost."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.store import (
    BookingState,
    BookingStateError,
    Claim,
    Store,
    UnknownBookingError,
)
from tests.unit.store.conftest import NOW
from tests.unit.store.drafts import OTHER_SLOT, SLOT, draft


def test_first_claim_wins_and_a_repeated_tap_sees_it_in_flight(store: Store) -> None:
    first = store.claim_booking(draft())
    again = store.claim_booking(draft())

    assert first.won
    assert first.record.state is BookingState.SENDING
    assert not again.won
    assert again.record.state is BookingState.SENDING


def test_a_tap_after_the_booking_sees_the_appointment_instead_of_booking_again(
    store: Store, clock: ManualClock
) -> None:
    store.claim_booking(draft())
    clock.advance(timedelta(seconds=2))
    store.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")

    again = store.claim_booking(draft())

    assert not again.won
    assert again.record.state is BookingState.BOOKED
    assert again.record.appointment_id == "appt-9"
    assert again.record.confirmed_at == NOW + timedelta(seconds=2)
    assert again.record.created_at == NOW


def test_an_uncertain_booking_is_not_retried(store: Store) -> None:
    store.claim_booking(draft())
    store.finish_booking("b-0001", BookingState.UNCERTAIN, detail="409 after lost answer")

    again = store.claim_booking(draft())

    assert not again.won
    assert again.record.state is BookingState.UNCERTAIN
    assert again.record.detail == "409 after lost answer"
    assert again.record.confirmed_at is None


def test_a_failed_booking_can_be_retried_on_a_new_slot(store: Store) -> None:
    store.claim_booking(draft())
    store.finish_booking("b-0001", BookingState.FAILED, detail="slot taken")

    retry = store.claim_booking(draft(scheduled_at=OTHER_SLOT))

    assert retry.won
    assert retry.record.state is BookingState.SENDING
    assert retry.record.scheduled_at == OTHER_SLOT
    assert retry.record.detail is None


def test_an_outcome_is_recorded_only_once(store: Store) -> None:
    store.claim_booking(draft())
    store.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")

    with pytest.raises(BookingStateError, match="not sending"):
        store.finish_booking("b-0001", BookingState.FAILED)
    record = store.booking("b-0001")
    assert record is not None
    assert record.state is BookingState.BOOKED


def test_finishing_needs_a_claimed_booking_and_a_real_outcome(store: Store) -> None:
    with pytest.raises(UnknownBookingError):
        store.finish_booking("never-claimed", BookingState.FAILED)
    store.claim_booking(draft())
    with pytest.raises(ValueError, match="appointment id"):
        store.finish_booking("b-0001", BookingState.BOOKED)
    with pytest.raises(ValueError, match="not cancelled"):
        store.finish_booking("b-0001", BookingState.CANCELLED)
    record = store.booking("b-0001")
    assert record is not None
    assert record.state is BookingState.SENDING


def test_two_concurrent_claims_exactly_one_wins(store_url: str, clock: ManualClock) -> None:
    """Two connections (as two bot processes during a deploy would have) race for one id."""
    Store.open(store_url, clock).close()
    contenders = 4
    start = threading.Barrier(contenders)
    claims: list[Claim] = []

    def claim() -> None:
        with Store.open(store_url, clock) as own:
            start.wait()
            claims.append(own.claim_booking(draft()))

    threads = [threading.Thread(target=claim) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(c.won for c in claims) == [False] * (contenders - 1) + [True]


def test_a_booking_the_owner_was_told_about_is_there_after_reopening(
    store_url: str, clock: ManualClock
) -> None:
    with Store.open(store_url, clock) as first:
        first.claim_booking(draft(is_urgent=True, reason=None, appointment_type_id=None))
        told = first.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")

    with Store.open(store_url, clock) as reopened:
        assert reopened.booking("b-0001") == told
        assert told.is_urgent
        assert told.reason is None


def test_startup_recovery_finds_the_bookings_left_in_flight(store: Store) -> None:
    store.claim_booking(draft(booking_id="in-flight"))
    store.claim_booking(draft(booking_id="done"))
    store.finish_booking("done", BookingState.BOOKED, appointment_id="appt-1")

    in_flight = store.bookings_in_state(BookingState.SENDING)

    assert [b.booking_id for b in in_flight] == ["in-flight"]
    assert in_flight[0].draft() == draft(booking_id="in-flight")  # enough to re-send it


def test_upcoming_lists_the_owners_future_appointments_soonest_first(
    store: Store,
) -> None:
    def book(booking_id: str, state: BookingState, hours: int, user_id: int = 42) -> None:
        store.claim_booking(
            draft(booking_id=booking_id, user_id=user_id, scheduled_at=NOW + timedelta(hours=hours))
        )
        store.finish_booking(booking_id, state, appointment_id=f"appt-{booking_id}")

    book("later", BookingState.BOOKED, 48)
    book("sooner", BookingState.UNCERTAIN, 24)
    book("past", BookingState.BOOKED, -1)
    book("lost", BookingState.FAILED, 30)
    book("someone-else", BookingState.BOOKED, 5, user_id=7)
    store.claim_booking(draft(booking_id="sending", scheduled_at=NOW + timedelta(hours=3)))

    upcoming = store.upcoming_bookings(42, NOW)

    assert [b.booking_id for b in upcoming] == ["sooner", "later"]


def test_times_in_another_zone_are_the_same_instant(store: Store) -> None:
    paris = SLOT.astimezone(ZoneInfo("Europe/Paris"))
    store.claim_booking(draft(scheduled_at=paris))
    store.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")

    assert [b.booking_id for b in store.upcoming_bookings(42, SLOT)] == ["b-0001"]
    assert store.upcoming_bookings(42, SLOT + timedelta(microseconds=1)) == []
    record = store.booking("b-0001")
    assert record is not None
    assert record.scheduled_at == paris


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.claim_booking(draft(scheduled_at=SLOT.replace(tzinfo=None)))
    assert store.booking("b-0001") is None


def test_the_days_list_holds_what_is_on_the_calendar_that_day(store: Store) -> None:
    day = SLOT.replace(hour=0, minute=0)
    for booking_id, at, state in (
        ("morning", day + timedelta(hours=9), BookingState.BOOKED),
        ("check-me", day + timedelta(hours=11), BookingState.UNCERTAIN),
        ("refused", day + timedelta(hours=12), BookingState.FAILED),
        ("next-day", day + timedelta(days=1), BookingState.BOOKED),
    ):
        store.claim_booking(draft(booking_id=booking_id, scheduled_at=at))
        store.finish_booking(booking_id, state, appointment_id="appt")

    today = store.bookings_between(day, day + timedelta(days=1))
    failed = store.bookings_between(day, day + timedelta(days=1), states=[BookingState.FAILED])

    assert [b.booking_id for b in today] == ["morning", "check-me"]
    assert [b.booking_id for b in failed] == ["refused"]


def test_the_clinic_moving_an_appointment_moves_it_for_the_owner(
    store: Store, clock: ManualClock
) -> None:
    store.claim_booking(draft())
    store.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")
    clock.advance(timedelta(hours=1))

    moved = store.set_booking_status(
        "b-0001", api_status="CONFIRMED", display_status="Confirmé", scheduled_at=OTHER_SLOT
    )
    relabelled = store.set_booking_status("b-0001", api_status="SCHEDULED", display_status=None)

    assert moved.scheduled_at == OTHER_SLOT
    assert moved.updated_at == NOW + timedelta(hours=1)
    assert relabelled.scheduled_at == OTHER_SLOT
    assert (relabelled.api_status, relabelled.display_status) == ("SCHEDULED", None)
    assert relabelled.state is BookingState.BOOKED


def test_a_cancelled_appointment_leaves_the_owners_list(store: Store) -> None:
    store.claim_booking(draft())
    store.finish_booking("b-0001", BookingState.BOOKED, appointment_id="appt-9")

    cancelled = store.mark_cancelled("b-0001")

    assert cancelled.state is BookingState.CANCELLED
    assert store.mark_cancelled("b-0001") == cancelled
    assert store.upcoming_bookings(42, NOW) == []
    assert not store.claim_booking(draft()).won


def test_only_a_booked_appointment_can_be_cancelled(store: Store) -> None:
    store.claim_booking(draft())
    with pytest.raises(BookingStateError, match="sending"):
        store.mark_cancelled("b-0001")
    with pytest.raises(UnknownBookingError):
        store.mark_cancelled("nope")


OUTCOME = st.sampled_from([BookingState.BOOKED, BookingState.UNCERTAIN, BookingState.FAILED])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(taps=st.lists(st.tuples(st.booleans(), OUTCOME), min_size=1, max_size=8))
def test_however_the_taps_and_answers_interleave_at_most_one_appointment_is_made(
    tmp_path_factory: pytest.TempPathFactory,
    clock: ManualClock,
    taps: list[tuple[bool, BookingState]],
) -> None:
    """Each tap claims; a winner's POST gets the drawn outcome now or (if False) never."""
    path = tmp_path_factory.mktemp("prop") / "vetbot.sqlite3"
    created = 0
    with Store.open(path, clock) as store:
        for answered, outcome in taps:
            claim = store.claim_booking(draft())
            if not claim.won:
                continue
            if answered:
                created += outcome is not BookingState.FAILED
                store.finish_booking("b-0001", outcome, appointment_id="appt-9")
    assert created <= 1
