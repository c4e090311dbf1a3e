"""Staff requests: the first decision wins, and the booking follows what staff decided."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.staff_requests import (
    RequestKind,
    RequestState,
    StaffRequests,
    decision_label,
)
from bot.store import BookingState, BookingStateError, Store
from tests.unit.store.drafts import draft


@pytest.fixture
def requests(store: Store, clock: ManualClock) -> StaffRequests:
    return StaffRequests(store, clock)


def _booking(store: Store, state: BookingState, booking_id: str = "b-0001") -> str:
    store.claim_booking(draft(booking_id=booking_id))
    store.finish_booking(
        booking_id,
        state,
        appointment_id="appt-1" if state is BookingState.BOOKED else None,
    )
    return booking_id


def test_a_request_is_open_with_what_the_owner_gave(requests: StaffRequests) -> None:
    opened = requests.open(
        RequestKind.ADD_PET,
        user_id=42,
        client_id="client-1",
        details={"pet": "Rex", "species": "chien"},
    ).record

    assert opened.state is RequestState.OPEN
    assert dict(opened.details) == {"pet": "Rex", "species": "chien"}
    assert requests.get(opened.id) == opened
    assert requests.open_requests() == [opened]


def test_the_first_decision_wins(requests: StaffRequests, clock: ManualClock) -> None:
    opened = requests.open(
        RequestKind.REGISTER, user_id=42, details={"phone": "+33612345678"}
    ).record
    clock.advance(timedelta(minutes=3))

    first = requests.decide(opened.id, done=True, by_id=7, by_name="Julie")
    second = requests.decide(opened.id, done=False, by_id=8, by_name="Paul")

    assert first is not None
    assert (first.state, first.decided_by_name, first.decided_at) == (
        RequestState.DONE,
        "Julie",
        clock(),
    )
    assert second is None
    assert requests.get(opened.id) == first
    assert requests.open_requests() == []
    assert requests.waiting_for(first) == timedelta(minutes=3)
    assert requests.decide(999, done=True, by_id=7, by_name="Julie") is None


def test_a_cancel_marked_done_cancels_the_booking(store: Store, requests: StaffRequests) -> None:
    booking_id = _booking(store, BookingState.BOOKED)
    opened = requests.open(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={}).record

    requests.decide(opened.id, done=True, by_id=7, by_name="Julie")

    cancelled = store.booking(booking_id)
    assert cancelled is not None and cancelled.state is BookingState.CANCELLED
    assert store.upcoming_bookings(42, cancelled.scheduled_at - timedelta(days=1)) == []


def test_a_refused_cancel_keeps_the_booking(store: Store, requests: StaffRequests) -> None:
    booking_id = _booking(store, BookingState.BOOKED)
    opened = requests.open(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={}).record

    requests.decide(opened.id, done=False, by_id=7, by_name="Julie")

    kept = store.booking(booking_id)
    assert kept is not None and kept.state is BookingState.BOOKED


@pytest.mark.parametrize(
    ("done", "state", "label"),
    [(True, BookingState.BOOKED, "Bien réservé"), (False, BookingState.FAILED, "Pas réservé")],
)
def test_checking_an_uncertain_booking_settles_it(
    store: Store,
    requests: StaffRequests,
    clock: ManualClock,
    done: bool,
    state: BookingState,
    label: str,
) -> None:
    booking_id = _booking(store, BookingState.UNCERTAIN)
    opened = requests.open(
        RequestKind.CHECK_BOOKING, user_id=42, booking_id=booking_id, details={}
    ).record
    clock.advance(timedelta(minutes=10))

    decided = requests.decide(opened.id, done=done, by_id=7, by_name="Julie")

    assert decided is not None and decision_label(decided.kind, decided.state) == label
    settled = store.booking(booking_id)
    assert settled is not None and settled.state is state
    assert settled.confirmed_at == (clock() if done else None)


def test_a_failed_check_lets_the_owner_book_that_id_again(
    store: Store, requests: StaffRequests
) -> None:
    booking_id = _booking(store, BookingState.UNCERTAIN)
    opened = requests.open(
        RequestKind.CHECK_BOOKING, user_id=42, booking_id=booking_id, details={}
    ).record
    requests.decide(opened.id, done=False, by_id=7, by_name="Julie")

    assert store.claim_booking(draft(booking_id=booking_id)).won


def test_a_check_needs_a_booking(requests: StaffRequests) -> None:
    with pytest.raises(ValueError, match="booking id"):
        requests.open(RequestKind.CHECK_BOOKING, user_id=42, details={})


def test_the_request_remembers_its_staff_message(requests: StaffRequests) -> None:
    opened = requests.open(RequestKind.RESCHEDULE, user_id=42, details={"when": "jeudi"}).record

    linked = requests.link_outbox(opened.id, 17)

    assert linked is not None and linked.outbox_id == 17


def test_resolving_a_booking_that_is_not_uncertain_is_refused(store: Store) -> None:
    booking_id = _booking(store, BookingState.BOOKED)
    assert store.resolve_uncertain(booking_id, BookingState.BOOKED).state is BookingState.BOOKED
    with pytest.raises(BookingStateError, match="not uncertain"):
        store.resolve_uncertain(booking_id, BookingState.FAILED)
    with pytest.raises(ValueError, match="booked or failed"):
        store.resolve_uncertain(booking_id, BookingState.CANCELLED)


def test_labels_read_as_staff_expect() -> None:
    assert decision_label(RequestKind.CANCEL, RequestState.DONE) == "Fait"
    assert decision_label(RequestKind.ADD_PET, RequestState.REFUSED) == "Refusé"
    assert decision_label(RequestKind.CHECK_BOOKING, RequestState.OPEN) is None
