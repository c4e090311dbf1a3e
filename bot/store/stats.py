"""Read-only counts over the bookings table for the staff's ``/stats``."""

from __future__ import annotations

from datetime import datetime
from typing import Final, NamedTuple

from bot.store.bookings import BookingState
from bot.store.db import ClinicDb, from_db, to_db

MADE: Final = (BookingState.BOOKED, BookingState.UNCERTAIN, BookingState.CANCELLED)
"""Bookings the bot made (a later cancellation does not unmake it); ``failed`` ones were not."""


class MadeBooking(NamedTuple):
    booking_id: str
    made_at: datetime
    """When the owner confirmed it (the claim, ``created_at``)."""
    is_urgent: bool


def bookings_made_between(db: ClinicDb, start: datetime, end: datetime) -> list[MadeBooking]:
    """The clinic's bookings confirmed by owners in ``[start, end)``, oldest first."""
    rows = db.execute(
        f"""SELECT booking_id, created_at, is_urgent FROM bookings
        WHERE clinic_id = ? AND created_at >= ? AND created_at < ?
            AND state IN ({", ".join("?" for _ in MADE)})
        ORDER BY created_at, booking_id""",
        (db.clinic, to_db(start), to_db(end), *(state.value for state in MADE)),
    )
    return [
        MadeBooking(row["booking_id"], from_db(row["created_at"]), bool(row["is_urgent"]))
        for row in rows
    ]
