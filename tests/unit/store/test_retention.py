"""Retention: what an appointment left behind goes a year after it; owner links stay."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import BookingState, Store
from tests.unit.store.drafts import draft


def test_a_year_after_an_appointment_its_traces_are_gone(store: Store, clock: ManualClock) -> None:
    store.link_owner(42, "client-1")
    old = draft(booking_id="old", user_id=42, scheduled_at=clock() + timedelta(days=1))
    recent = draft(booking_id="recent", user_id=42, scheduled_at=clock() + timedelta(days=200))
    for booking in (old, recent):
        store.claim_booking(booking)
        store.finish_booking(booking.booking_id, BookingState.BOOKED, appointment_id="a")
    store.record_event(42, "booked")
    clock.advance(timedelta(days=367))
    assert store.purge_old() >= 2
    assert store.booking("old") is None
    assert store.booking("recent") is not None
    assert store.events_since("booked", clock() - timedelta(days=1000)) == []
    assert store.owner(42) is not None  # the link is the owner's to remove (/oublier)
