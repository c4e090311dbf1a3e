"""One open request per appointment: a repeated tap, a move or a second process files nothing new,
and a decision is taken once, for every duplicate left from before the rule."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.staff_requests import DECISION_MARKS, RequestKind, RequestState
from bot.store import BookingState, Store
from bot.store.db import to_db
from bot.store.request_rows import Opened
from tests.unit.store.drafts import draft


def _booked(store: Store, booking_id: str = "b-0001") -> str:
    store.claim_booking(draft(booking_id=booking_id))
    store.finish_booking(booking_id, BookingState.BOOKED, appointment_id=f"appt-{booking_id}")
    return booking_id


def _cancel(store: Store, booking_id: str) -> Opened:
    return store.open_request(
        RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={"RDV": "mardi"}
    )


def test_a_second_request_for_the_same_appointment_is_not_filed(store: Store) -> None:
    booking_id = _booked(store)

    first = _cancel(store, booking_id)
    again = _cancel(store, booking_id)
    moved = store.open_request(
        RequestKind.CANCEL,
        user_id=42,
        booking_id=booking_id,
        details={"Remplacé par": "jeudi"},
    )

    assert first.filed and not again.filed and not moved.filed
    assert again.record == first.record == moved.record
    assert store.open_requests() == [first.record]
    assert store.pending_request(booking_id) == first.record


def test_any_kind_naming_the_appointment_counts(store: Store) -> None:
    booking_id = _booked(store)
    cancel = _cancel(store, booking_id)

    move = store.open_request(RequestKind.RESCHEDULE, user_id=42, booking_id=booking_id, details={})

    assert not move.filed and move.record == cancel.record


def test_other_appointments_and_requests_without_one_are_not_limited(store: Store) -> None:
    one, other = _booked(store, "b-0001"), _booked(store, "b-0002")

    assert _cancel(store, one).filed
    assert _cancel(store, other).filed
    register = [
        store.open_request(RequestKind.REGISTER, user_id=7, details={"Nom": "Paul"})
        for _ in range(2)
    ]
    assert all(opened.filed for opened in register)
    assert len(store.open_requests()) == 4


@pytest.mark.parametrize("done", [True, False])
def test_once_decided_the_owner_may_ask_again(store: Store, done: bool) -> None:
    booking_id = _booked(store)
    first = _cancel(store, booking_id)
    store.decide_request(first.record.id, done=done, by_id=7, by_name="Léa")

    assert store.pending_request(booking_id) is None
    again = _cancel(store, booking_id)
    assert again.filed and again.record.id != first.record.id


def test_a_second_decision_is_refused(store: Store) -> None:
    booking_id = _booked(store)
    opened = _cancel(store, booking_id)

    first = store.decide_request(opened.record.id, done=True, by_id=7, by_name="Léa")
    second = store.decide_request(opened.record.id, done=False, by_id=8, by_name="Paul")

    assert first is not None and first.state is RequestState.DONE
    assert second is None
    decided = store.request(opened.record.id)
    assert decided is not None and decided.state is RequestState.DONE
    assert decided.decided_by_name == "Léa"


def test_duplicates_from_before_the_rule_are_decided_once(store: Store, clock: ManualClock) -> None:
    """Three cancels filed by the old code for one appointment: the first decision answers
    all three, and a tap on another of them is refused (the owner hears once)."""
    booking_id = _booked(store)
    for n in range(3):
        store.database.execute(
            """INSERT INTO staff_requests
            (clinic_id, id, kind, user_id, booking_id, details, state, created_at)
            VALUES (?, ?, 'cancel', 42, ?, ?, 'open', ?)""",
            (
                store.clinic,
                100 + n,
                booking_id,
                json.dumps({}),
                to_db(clock() + timedelta(seconds=n)),
            ),
        )
    ids = [r.id for r in store.open_requests()]
    assert len(ids) == 3

    decided = store.decide_request(ids[1], done=True, by_id=7, by_name="Léa")

    assert decided is not None
    assert store.open_requests() == []
    assert store.decide_request(ids[0], done=False, by_id=8, by_name="Paul") is None
    assert store.decide_request(ids[2], done=False, by_id=8, by_name="Paul") is None
    states = {store.request(i).state for i in ids}  # type: ignore[union-attr]
    assert states == {RequestState.DONE}
    cancelled = store.booking(booking_id)
    assert cancelled is not None and cancelled.state is BookingState.CANCELLED


def test_two_processes_filing_at_once_file_one(
    store: Store, store_url: str, clock: ManualClock
) -> None:
    """Two connections (as two bot instances would hold) race on one appointment: the check and
    the insert are one write transaction, so exactly one files."""
    booking_id = _booked(store)
    rounds = 20
    start = threading.Barrier(2)
    results: list[list[Opened]] = [[], []]
    errors: list[BaseException] = []

    def racer(slot: int) -> None:
        try:
            with Store.open(store_url, clock) as mine:
                for round_ in range(rounds):
                    start.wait()
                    results[slot].append(
                        mine.open_request(
                            RequestKind.CANCEL,
                            user_id=42,
                            booking_id=f"{booking_id}-{round_}",
                            details={},
                        )
                    )
        except BaseException as error:  # reported below
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=racer, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for round_ in range(rounds):
        one, other = results[0][round_], results[1][round_]
        assert one.filed != other.filed, f"round {round_}: both filed or neither"
        assert one.record.id == other.record.id
    assert len(store.open_requests()) == rounds


def test_a_refusal_is_not_marked_as_done() -> None:
    assert DECISION_MARKS[RequestState.DONE] == "✅"
    assert DECISION_MARKS[RequestState.REFUSED] != "✅"
