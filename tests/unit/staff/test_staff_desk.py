"""`bot.staff_desk`: the announcement policy, requests filed at most once, the cancellation's
details, and the staff's texts in the staff's language, without Telegram or the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.outbox import Outbox, OutboxKind, StaffMessage
from bot.staff_chat import StaffChat
from bot.staff_desk import (
    REQUEST_TITLES,
    Filing,
    NoStaffChat,
    StaffDesk,
    request_message,
)
from bot.staff_requests import RequestKind, StaffRequests
from bot.store import BookingRecord, BookingState, Store
from bot.urgent_cases import UrgentCase
from tests.unit.staff.conftest import ENGLISH, FR, STAFF_CHAT, english
from tests.unit.store.drafts import OTHER_SLOT, draft

CASE = UrgentCase(
    owner_user_id=42,
    owner_name="Marie Dubois",
    owner_phone="+33639981234",
    pet="Moka (chat)",
    signs="saigne",
    words="il saigne beaucoup",
)


def desk(store: Store, outbox: Outbox, clock: ManualClock, announce: str = "all") -> StaffDesk:
    return StaffDesk(
        outbox=outbox,
        requests=StaffRequests(store, clock),
        chat=StaffChat(store, STAFF_CHAT),
        announce=announce,  # type: ignore[arg-type]
    )


def settled(
    store: Store,
    state: BookingState,
    *,
    booking_id: str = "b-0001",
    urgent: bool = False,
    alert_id: int | None = None,
    **changes: object,
) -> BookingRecord:
    store.claim_booking(
        draft(
            booking_id=booking_id,
            is_urgent=urgent,
            urgent_alert_id=str(alert_id) if alert_id is not None else None,
            **changes,
        )
    )
    return store.finish_booking(
        booking_id,
        state,
        appointment_id="appt-1" if state is BookingState.BOOKED else None,
    )


def waiting(store: Store, clock: ManualClock) -> list[tuple[OutboxKind, StaffMessage]]:
    """What the outbox holds for the staff chat, oldest first."""
    return [(OutboxKind(row.kind), row.message) for row in store.outbox.due_sends(clock())]


# -- the announcement policy ----------------------------------------------------------------


def test_a_booking_is_announced_when_all_are(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    desk(store, outbox, clock, "all").announce_settled(settled(store, BookingState.BOOKED), FR)

    assert waiting(store, clock) == [
        (
            OutboxKind.BOOKING,
            StaffMessage("📅 Nouveau RDV : mar. 24 nov. 10:30 · Moka · Vaccination · Dr Martin"),
        )
    ]


def test_only_urgent_bookings_are_announced_when_so_set(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock, "urgent")
    staff.announce_settled(settled(store, BookingState.BOOKED), FR)
    assert waiting(store, clock) == []

    staff.announce_settled(settled(store, BookingState.BOOKED, booking_id="b-2", urgent=True), FR)
    [(kind, message)] = waiting(store, clock)
    assert kind is OutboxKind.BOOKING
    assert message.text.startswith("🚨 Nouveau RDV : ")


def test_an_uncertain_booking_is_one_check_request_whatever_told_it(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock, "all")
    record = settled(store, BookingState.UNCERTAIN)

    staff.announce_settled(record, FR)
    staff.announce_settled(record, FR)  # a restart tells it again

    [(kind, message)] = waiting(store, clock)
    assert kind is OutboxKind.REQUEST
    assert message.text.splitlines() == [
        "<b>⚠️ RDV à vérifier (réponse du logiciel perdue)</b>",
        "rdv : mar. 24 nov. 10:30 · Moka · Vaccination · Dr Martin",
    ]
    assert [b.label for row in message.buttons for b in row] == ["✅ Bien réservé", "✖️ Pas réservé"]
    [request] = StaffRequests(store, clock).open_requests()
    assert request.kind is RequestKind.CHECK_BOOKING and request.booking_id == "b-0001"


def test_a_failed_booking_tells_the_staff_nothing(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    desk(store, outbox, clock).announce_settled(settled(store, BookingState.FAILED), FR)
    assert waiting(store, clock) == []


def test_the_urgent_alert_gets_the_appointment_line(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock, "urgent")
    alert = staff.raise_urgent_alert(CASE, FR)
    assert alert.needs_ack and alert.owner_user_id == 42

    record = settled(store, BookingState.BOOKED, urgent=True, alert_id=alert.id)
    staff.announce_settled(record, FR)

    updated = outbox.get(alert.id)
    assert updated is not None and updated.booking_id == "b-0001"
    lines = updated.message.text.splitlines()
    assert lines[0] == "🚨 <b>URGENCE</b> : saigne"
    assert lines[-1] == "📅 RDV pris : mardi 24 novembre à 10:30, Dr Martin"
    assert updated.message.buttons == alert.message.buttons  # still "Je prends"


def test_an_uncertain_urgent_booking_leaves_its_alert_as_it_was(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock)
    alert = staff.raise_urgent_alert(CASE, FR)
    staff.announce_settled(
        settled(store, BookingState.UNCERTAIN, urgent=True, alert_id=alert.id), FR
    )
    assert outbox.get(alert.id).message == alert.message  # type: ignore[union-attr]


# -- requests ---------------------------------------------------------------------------------


def test_an_appointment_has_at_most_one_open_request(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock)
    record = settled(store, BookingState.BOOKED)

    first = staff.ask_to_cancel(record, FR)
    clock.advance(timedelta(minutes=1))
    second = staff.ask_to_cancel(record, FR)

    assert (first, second) == (Filing.FILED, Filing.PENDING)
    assert bool(second)  # the clinic has it: the owner need not phone
    assert len(waiting(store, clock)) == 1


def test_a_request_never_posted_is_posted_when_asked_again(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock)
    record = settled(store, BookingState.BOOKED)
    # A crash between the request's commit and its message's: open, never posted.
    staff.requests.open(RequestKind.CANCEL, user_id=42, booking_id=record.booking_id, details={})

    assert staff.ask_to_cancel(record, FR) is Filing.PENDING
    [(kind, _message)] = waiting(store, clock)
    assert kind is OutboxKind.REQUEST
    [request] = staff.requests.open_requests()
    assert request.outbox_id is not None


def test_without_a_staff_chat_nobody_can_take_a_request(store: Store) -> None:
    nobody = NoStaffChat()
    record = settled(store, BookingState.BOOKED)

    assert nobody.ask_to_cancel(record, FR) is Filing.UNAVAILABLE
    assert not nobody.file_request(RequestKind.REGISTER, 42, FR, details={"x": "y"})
    assert nobody.announce_settled(record, FR) is None


def test_a_cancellation_names_the_appointment_its_treats_id_and_its_replacement(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock)
    old = settled(store, BookingState.BOOKED)
    new = settled(store, BookingState.BOOKED, booking_id="b-new", scheduled_at=OTHER_SLOT)

    staff.ask_to_cancel(old, FR, replaced_by=new)

    [request] = staff.requests.open_requests()
    assert request.kind is RequestKind.CANCEL
    assert (request.booking_id, request.client_id, request.user_id) == ("b-0001", "client-1", 42)
    assert dict(request.details) == {
        "RDV": "mar. 24 nov. 10:30 · Moka · Vaccination · Dr Martin",
        "RDV Treats": "appt-1",
        "Remplacé par": "mar. 24 nov. 11:00",
    }
    [(_kind, message)] = waiting(store, clock)
    assert message.text.splitlines()[0] == "<b>❌ Demande d'annulation</b>"
    assert [b.callback_data for row in message.buttons for b in row] == [
        f"req:{request.id}:ok",
        f"req:{request.id}:no",
    ]


def test_a_decided_request_shows_the_decision_instead_of_buttons(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    staff = desk(store, outbox, clock)
    staff.ask_to_cancel(settled(store, BookingState.BOOKED), FR)
    [request] = staff.requests.open_requests()
    decided = staff.requests.decide(request.id, done=False, by_id=7, by_name="Julie")
    assert decided is not None

    message = request_message(decided, 1, FR)
    assert message.buttons == ()
    assert message.text.splitlines()[-1] == "✖️ Refusé — Julie"


# -- the staff's language --------------------------------------------------------------------


def test_the_staff_texts_follow_the_translator(
    store: Store, outbox: Outbox, clock: ManualClock
) -> None:
    _ = english()
    staff = desk(store, outbox, clock)
    old = settled(store, BookingState.BOOKED)
    new = settled(store, BookingState.BOOKED, booking_id="b-new", scheduled_at=OTHER_SLOT)
    staff.ask_to_cancel(old, _, replaced_by=new)
    staff.announce_settled(settled(store, BookingState.UNCERTAIN, booking_id="b-3"), _)

    cancel, check = (message for _kind, message in waiting(store, clock))
    assert cancel.text.splitlines() == [
        "<b>❌ Cancellation request</b>",
        "Appt : Tue 24 Nov 10:30 · Moka · Vaccination · Dr Martin",
        "Treats appt : appt-1",
        "Replaced by : Tue 24 Nov 11:00",
    ]
    assert [b.label for row in cancel.buttons for b in row] == ["✅ Done", "✖️ Refused"]
    assert check.text.splitlines()[0] == (
        "<b>⚠️ Appointment to check (the software's answer was lost)</b>"
    )
    assert check.text.splitlines()[1].startswith("appt : ")
    assert [b.label for row in check.buttons for b in row] == ["✅ Booked", "✖️ Not booked"]


@pytest.mark.parametrize("kind", list(RequestKind))
def test_every_request_title_has_its_english(kind: RequestKind) -> None:
    assert REQUEST_TITLES[kind] in ENGLISH
    assert english()(REQUEST_TITLES[kind]) != REQUEST_TITLES[kind]
