"""An owner's "Mes rendez-vous" re-reads each booking: what the clinic says is stored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.status_watch import refreshed_booking
from bot.store import BookingState, Store
from bot.treats import Appointment, AppointmentStatus, NotFound, TreatsError, Unavailable
from tests.unit.reminders.conftest import book, paris

TUESDAY_10 = paris(2026, 11, 24, 10)


@dataclass
class FakeTreats:
    """Answers ``get_appointment`` with one appointment or one error, and counts the reads."""

    answer: Appointment | TreatsError
    reads: list[str] = field(default_factory=list)

    async def get_appointment(self, appointment_id: str) -> Appointment:
        self.reads.append(appointment_id)
        if isinstance(self.answer, TreatsError):
            raise self.answer
        return self.answer


def appointment(
    status: str = AppointmentStatus.CONFIRMED,
    scheduled_at: datetime = TUESDAY_10,
    display_status: str | None = "Confirmé",
) -> Appointment:
    return Appointment(
        id="appt-b-1",
        client_id="client-1",
        patient_id="pet-1",
        vet_id="vet-1",
        scheduled_at=scheduled_at,
        status=status,
        display_status=display_status,
    )


async def test_the_clinics_status_is_stored_and_returned(store: Store) -> None:
    treats = FakeTreats(appointment())
    record = await refreshed_booking(treats, store, book(store, TUESDAY_10))
    assert treats.reads == ["appt-b-1"]
    assert (record.state, record.api_status, record.display_status) == (
        BookingState.BOOKED,
        "CONFIRMED",
        "Confirmé",
    )
    assert store.booking("b-1") == record


async def test_a_move_at_the_clinic_is_stored_in_real_time(store: Store) -> None:
    """The clinic moved it to Tuesday 15:00 in Paris: stored as that instant (14:00 UTC)."""
    moved = paris(2026, 11, 24, 15)
    treats = FakeTreats(appointment(AppointmentStatus.SCHEDULED, moved, None))
    record = await refreshed_booking(treats, store, book(store, TUESDAY_10))
    assert record.scheduled_at == moved
    assert record.state is BookingState.BOOKED
    assert store.booking("b-1") == record


async def test_cancelled_at_the_clinic_is_cancelled_here(store: Store) -> None:
    treats = FakeTreats(appointment(AppointmentStatus.CANCELLED, display_status="Annulé"))
    record = await refreshed_booking(treats, store, book(store, TUESDAY_10))
    assert record.state is BookingState.CANCELLED
    assert (record.api_status, record.display_status) == ("CANCELLED", "Annulé")
    assert store.booking("b-1") == record


async def test_gone_from_the_api_is_cancelled_here(store: Store) -> None:
    before = book(store, TUESDAY_10)
    record = await refreshed_booking(FakeTreats(NotFound("no such appointment")), store, before)
    assert record.state is BookingState.CANCELLED
    assert record.api_status == before.api_status  # a 404 is no status of the clinic's
    assert store.booking("b-1") == record


@pytest.mark.parametrize(
    "error", [Unavailable("down", status=503), TreatsError("refused", status=403)]
)
async def test_when_the_api_cannot_answer_nothing_changes(
    store: Store, clock: ManualClock, error: TreatsError
) -> None:
    before = book(store, TUESDAY_10)
    clock.advance(timedelta(minutes=5))  # a write now would show in updated_at
    record = await refreshed_booking(FakeTreats(error), store, before)
    assert record == before
    assert store.booking("b-1") == before


async def test_a_cancelled_booking_is_not_read(store: Store) -> None:
    book(store, TUESDAY_10)
    record = store.mark_cancelled("b-1")
    treats = FakeTreats(appointment())
    assert await refreshed_booking(treats, store, record) == record
    assert treats.reads == []


async def test_an_uncertain_booking_is_not_read(store: Store) -> None:
    """Whether it exists is for the staff to check, not for a read to guess."""
    record = replace(book(store, TUESDAY_10), state=BookingState.UNCERTAIN)
    treats = FakeTreats(appointment(AppointmentStatus.CANCELLED))
    assert await refreshed_booking(treats, store, record) == record
    assert treats.reads == []


async def test_a_booking_without_an_appointment_id_is_not_read(store: Store) -> None:
    record = replace(book(store, TUESDAY_10), appointment_id=None)
    treats = FakeTreats(appointment(AppointmentStatus.CANCELLED))
    assert await refreshed_booking(treats, store, record) == record
    assert treats.reads == []
