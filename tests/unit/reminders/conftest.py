"""Fixtures for reminders and status watching: a Paris clock, a fresh store, booked bookings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.store import BookingRecord, BookingState, Store, db_path
from tests.unit.store.drafts import draft

PARIS = ZoneInfo("Europe/Paris")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
"""The owner books on Monday 2026-11-23 at 09:00 in Paris (winter time)."""


def paris(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


def book(
    store: Store,
    start: datetime,
    *,
    booking_id: str = "b-1",
    user_id: int = 42,
    appointment_id: str | None = None,
    api_status: str | None = "SCHEDULED",
) -> BookingRecord:
    """A booking confirmed now (by the store's clock), as the booking flow leaves it."""
    store.claim_booking(draft(booking_id=booking_id, user_id=user_id, scheduled_at=start))
    record = store.finish_booking(
        booking_id, BookingState.BOOKED, appointment_id=appointment_id or f"appt-{booking_id}"
    )
    if api_status is None:
        return record
    return store.set_booking_status(booking_id, api_status=api_status, display_status="Planifié")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_9)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return db_path(tmp_path / "data")


@pytest.fixture
def store(db_file: Path, clock: ManualClock) -> Iterator[Store]:
    with Store.open(db_file, clock) as opened:
        yield opened
