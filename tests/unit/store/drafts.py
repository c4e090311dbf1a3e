"""A booking draft as the booking flow would build it, with per-test overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.store import BookingDraft

SLOT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
OTHER_SLOT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
BASE = BookingDraft(
    booking_id="b-0001",
    user_id=42,
    client_id="client-1",
    patient_id="pet-1",
    vet_id="vet-1",
    appointment_type_id="type-vacc",
    scheduled_at=SLOT,
    duration_minutes=15,
    reason="Rappel de vaccin",
    is_urgent=False,
    pet_name="Moka",
    vet_name="Dr Martin",
    type_name="Vaccination",
)


def draft(**changes: Any) -> BookingDraft:
    return replace(BASE, **changes)
