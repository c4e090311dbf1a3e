"""Two clinics over one database, on the staff side: outbox rows, staff requests and reminders.

Each clinic numbers its own rows (its first outbox row is 1 whatever the other has), and nothing
done through one clinic's store reads or changes the other's rows: a forged button naming
another clinic's outbox row or request finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.store import (
    BookingState,
    OutboxKind,
    OutboxState,
    PlannedReminder,
    ReminderKind,
    ReminderState,
    RequestKind,
    StaffMessage,
    Store,
)
from tests.unit.store.drafts import SLOT, draft

STAFF_CHAT = -100123
OTHER_CHAT = -100456
ALERT = StaffMessage("🚨 Urgence")


@pytest.fixture
def other(store: Store) -> Iterator[Store]:
    """Clinic B's store over clinic A's (``store``) connection."""
    with store.for_clinic("other") as opened:
        yield opened


def _booked(store: Store, booking_id: str = "b-0001") -> str:
    store.claim_booking(draft(booking_id=booking_id))
    store.finish_booking(booking_id, BookingState.BOOKED, appointment_id=f"appt-{booking_id}")
    return booking_id


def test_the_two_stores_are_two_clinics_over_one_database(store: Store, other: Store) -> None:
    assert store.clinic != other.clinic == "other"
    assert store.database is other.database


# Outbox ---------------------------------------------------------------------------------------


def test_outbox_ids_are_numbered_per_clinic(store: Store, other: Store) -> None:
    first_a = store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("A1"))
    second_a = store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("A2"))
    first_b = other.outbox.add(OutboxKind.BOOKING, OTHER_CHAT, StaffMessage("B1"))

    assert (first_a.id, second_a.id, first_b.id) == (1, 2, 1)
    a, b = store.outbox.get(1), other.outbox.get(1)
    assert a is not None and b is not None
    assert (a.message.text, b.message.text) == ("A1", "B1")
    assert other.outbox.get(2) is None


def test_a_message_built_from_its_id_gets_the_clinics_number(store: Store, other: Store) -> None:
    store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("A1"))

    built = other.outbox.add(
        OutboxKind.URGENT, OTHER_CHAT, lambda row_id: StaffMessage(f"alerte {row_id}")
    )

    assert built.id == 1 and built.message.text == "alerte 1"


def test_a_row_of_one_clinic_is_not_found_acknowledged_or_edited_through_the_other(
    store: Store, other: Store
) -> None:
    alert = store.outbox.add(
        OutboxKind.URGENT,
        STAFF_CHAT,
        ALERT,
        needs_ack=True,
        realert_at=SLOT - timedelta(days=1),
    )
    store.outbox.mark_sent(alert.id, message_id=555, revision=0, realert_at=None)

    assert other.outbox.get(alert.id) is None
    assert other.outbox.acknowledge(alert.id, by_id=7, by_name="Intrus") is None
    assert other.outbox.replace(alert.id, StaffMessage("forgé")) is None
    assert other.outbox.add_realert(alert.id, StaffMessage("rappel"), next_realert_at=None) is None
    other.outbox.mark_edited(alert.id, revision=5)
    other.outbox.retry_later(alert.id, at=SLOT, error="forgé")
    other.outbox.give_up_edit(alert.id, error="forgé")
    other.outbox.mark_failed(alert.id, error="forgé")

    after = store.outbox.get(alert.id)
    assert after is not None
    assert after.message == ALERT and after.revision == 0 and not after.needs_edit
    assert after.state is OutboxState.SENT and after.message_id == 555
    assert after.acknowledged_at is None and after.attempts == 1 and after.last_error is None
    assert after.realert_count == 0
    taken = store.outbox.acknowledge(alert.id, by_id=7, by_name="Léa")
    assert taken is not None and taken.acknowledged_by_name == "Léa"


def test_due_rows_and_alerts_of_one_clinic_are_not_the_others(
    store: Store, other: Store, clock: ManualClock
) -> None:
    alert = store.outbox.add(OutboxKind.URGENT, STAFF_CHAT, ALERT, owner_user_id=42)
    now = clock()

    assert [row.id for row in store.outbox.due_sends(now)] == [alert.id]
    assert other.outbox.due_sends(now) == []
    assert other.outbox.next_due() is None
    assert other.outbox.due_now(STAFF_CHAT) == 0
    assert other.outbox.alerts_between(now - timedelta(hours=1), now + timedelta(hours=1)) == []
    assert other.outbox.urgent_alerts_of(42, now - timedelta(hours=1)) == []

    store.outbox.mark_sent(alert.id, message_id=555, revision=0, realert_at=now)
    store.outbox.replace(alert.id, StaffMessage("🚨 Urgence (mise à jour)"))
    assert [row.id for row in store.outbox.due_edits(now)] == [alert.id]
    assert other.outbox.due_edits(now) == []
    assert other.outbox.sent_times(STAFF_CHAT, now - timedelta(hours=1)) == []
    assert store.outbox.sent_times(STAFF_CHAT, now - timedelta(hours=1)) == [now]


def test_acknowledging_drops_only_the_clinics_own_re_alerts(
    store: Store, other: Store, clock: ManualClock
) -> None:
    """Clinic B's re-alert of its alert 1 must survive clinic A's alert 1 being taken."""
    now = clock()
    for clinic, chat in ((store, STAFF_CHAT), (other, OTHER_CHAT)):
        alert = clinic.outbox.add(OutboxKind.URGENT, chat, ALERT, needs_ack=True, realert_at=now)
        clinic.outbox.mark_sent(alert.id, message_id=555, revision=0, realert_at=now)
        realert = clinic.outbox.add_realert(alert.id, StaffMessage("rappel"), next_realert_at=None)
        assert (alert.id, realert is not None and realert.id) == (1, 2)

    assert store.outbox.acknowledge(1, by_id=7, by_name="Léa") is not None

    a_realert, b_realert = store.outbox.get(2), other.outbox.get(2)
    assert a_realert is not None and a_realert.state is OutboxState.DROPPED
    assert b_realert is not None and b_realert.state is OutboxState.PENDING


def test_a_deleted_rows_id_is_never_given_again(store: Store, other: Store) -> None:
    ids = [
        store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage(f"A{n}")).id for n in range(3)
    ]
    store.database.execute(
        "DELETE FROM staff_outbox WHERE clinic_id = ? AND id >= ?", (store.clinic, 2)
    )

    again = store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("A4"))
    theirs = other.outbox.add(OutboxKind.BOOKING, OTHER_CHAT, StaffMessage("B1"))

    assert ids == [1, 2, 3]
    assert again.id == 4
    assert theirs.id == 1


# Requests -------------------------------------------------------------------------------------


def test_an_open_request_at_one_clinic_does_not_block_one_at_the_other(
    store: Store, other: Store
) -> None:
    booking_id = _booked(store)
    _booked(other, booking_id)  # the same text, another clinic's booking

    at_a = store.open_request(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={})
    at_b = other.open_request(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={})

    assert at_a.filed and at_b.filed
    assert at_a.record.id == at_b.record.id == 1
    assert store.pending_request(booking_id) == at_a.record
    assert other.pending_request(booking_id) == at_b.record
    assert store.open_requests() == [at_a.record]
    assert other.open_requests() == [at_b.record]


def test_a_decision_at_one_clinic_on_the_others_request_id_finds_nothing(
    store: Store, other: Store
) -> None:
    booking_id = _booked(store)
    opened = store.open_request(
        RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={"RDV": "mardi"}
    )

    assert other.request(opened.record.id) is None
    assert other.decide_request(opened.record.id, done=True, by_id=7, by_name="Intrus") is None
    assert other.link_request_outbox(opened.record.id, 99) is None

    still = store.request(opened.record.id)
    assert still == opened.record and still.outbox_id is None
    booking = store.booking(booking_id)
    assert booking is not None and booking.state is BookingState.BOOKED


def test_a_decision_changes_only_its_own_clinics_booking(store: Store, other: Store) -> None:
    booking_id = _booked(store)
    _booked(other, booking_id)
    opened = other.open_request(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={})
    store.open_request(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={})

    decided = other.decide_request(opened.record.id, done=True, by_id=7, by_name="Léa")

    assert decided is not None
    theirs, ours = other.booking(booking_id), store.booking(booking_id)
    assert theirs is not None and theirs.state is BookingState.CANCELLED
    assert ours is not None and ours.state is BookingState.BOOKED
    assert [r.state for r in store.open_requests()] == ["open"]


# Reminders ------------------------------------------------------------------------------------


def test_reminders_of_one_clinic_are_not_due_at_the_other(
    store: Store, other: Store, clock: ManualClock
) -> None:
    booking_id = _booked(store)
    due_at = clock() + timedelta(minutes=5)
    (planned,) = store.reminders.plan(booking_id, [PlannedReminder(ReminderKind.SOON, due_at)])
    later = due_at + timedelta(minutes=1)

    assert planned.id == 1
    assert [r.id for r in store.reminders.due(later)] == [planned.id]
    assert other.reminders.due(later) == []
    assert other.reminders.next_due() is None
    assert other.reminders.get(planned.id) is None
    assert other.reminders.for_booking(booking_id) == []
    assert other.reminders.bookings_to_plan(clock()) == []
    assert not other.reminders.mark_sent(planned.id, later)
    assert not other.reminders.mark_dropped(planned.id, "forgé")
    assert other.reminders.drop_for_booking(booking_id) == 0
    assert other.reminders.drop_stale(clock()) == 0

    mine = store.reminders.get(planned.id)
    assert mine is not None and mine.state is ReminderState.PENDING


def test_a_booking_of_the_same_id_at_the_other_clinic_does_not_keep_reminders_alive(
    store: Store, other: Store, clock: ManualClock
) -> None:
    """B's reminder is stale once B's booking is cancelled, whatever A's booking of that id."""
    booking_id = _booked(store)
    _booked(other, booking_id)
    due_at = clock() + timedelta(minutes=5)
    other.reminders.plan(booking_id, [PlannedReminder(ReminderKind.SOON, due_at)])
    other.mark_cancelled(booking_id)

    assert other.reminders.due(due_at + timedelta(minutes=1)) == []
    assert other.reminders.next_due() is None
    assert other.reminders.drop_stale(clock()) == 1
    assert store.bookings_in_state(BookingState.BOOKED)[0].booking_id == booking_id
    assert store.reminders.bookings_to_plan(clock()) == [booking_id]
