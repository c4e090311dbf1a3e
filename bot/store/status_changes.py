"""What the clinic changed on a booked appointment, kept until the owner has been told.

``bot.status_watch`` re-reads upcoming appointments from the API. When the clinic cancelled or
moved one, the booking's new state and a ``status_changes`` row (the notice the owner must get)
are written in **one commit**: a crash can neither leave the booking updated with nobody ever
told (the next read would see no difference), nor tell the owner about a change the store does
not know. The notice is PENDING until the owner's message was sent (``mark_notified``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.clock import Clock
from bot.store.bookings import BookingRecord, BookingState, booking, require_booking
from bot.store.db import ClinicDb, from_db, optional_from_db, to_db

MAX_NOTICE_ATTEMPTS: Final = 10
"""A notice whose sending failed this many times is given up (logged): the owner is
unreachable, and retrying forever would only fill the log."""


class StatusChangeKind(StrEnum):
    CANCELLED = "cancelled"
    """The clinic cancelled it (or it no longer exists): the booking is now ``cancelled``."""
    MOVED = "moved"
    """The clinic changed its time: ``new_start``; the reminders must be re-planned."""
    STATUS = "status"
    """Same time, another status (e.g. CONFIRMED by the clinic)."""


class NoticeState(StrEnum):
    PENDING = "pending"
    NOTIFIED = "notified"
    FAILED = "failed"
    """Sending failed ``MAX_NOTICE_ATTEMPTS`` times; never retried."""
    OUTDATED = "outdated"
    """Never sent: the appointment had passed before the owner could be told (they had
    blocked the bot meanwhile); news of a past appointment would only confuse."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """A change the owner must hear of. ``booking`` is the booking as the store has it now."""

    id: int
    booking: BookingRecord
    kind: StatusChangeKind
    old_start: datetime
    new_start: datetime
    api_status: str
    """The API's status (``CANCELLED``...), or ``NOT_FOUND`` when the appointment is gone."""
    display_status: str | None
    detected_at: datetime
    state: NoticeState
    attempts: int
    notified_at: datetime | None
    last_error: str | None


NOT_FOUND_STATUS: Final = "NOT_FOUND"
"""``api_status`` recorded when the API answers 404 for the appointment."""


class StatusChangeTable:
    """Status checks of booked bookings and the ``status_changes`` notices; writes commit."""

    def __init__(self, db: ClinicDb, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def to_check(self, now: datetime, limit: int) -> list[BookingRecord]:
        """Booked appointments still ahead, the least recently checked first (never first)."""
        rows = self._db.execute(
            """SELECT booking_id FROM bookings
            WHERE clinic_id = ? AND state = ? AND appointment_id IS NOT NULL
                AND scheduled_at > ?
            ORDER BY CASE WHEN status_checked_at IS NULL THEN 0 ELSE 1 END, status_checked_at,
                scheduled_at, booking_id
            LIMIT ?""",
            (self._db.clinic, BookingState.BOOKED.value, to_db(now), limit),
        )
        found = (booking(self._db, booking_id) for (booking_id,) in rows)
        return [record for record in found if record is not None]

    def count_watched(self, now: datetime) -> int:
        """How many booked appointments are still ahead (each must be re-read in turn)."""
        (count,) = self._db.execute(
            """SELECT COUNT(*) FROM bookings
            WHERE clinic_id = ? AND state = ? AND appointment_id IS NOT NULL
                AND scheduled_at > ?""",
            (self._db.clinic, BookingState.BOOKED.value, to_db(now)),
        ).fetchone()
        return int(count)

    def mark_checked(self, booking_id: str, at: datetime) -> None:
        """Read, nothing to record (or a refusal not worth retrying at once)."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE bookings SET status_checked_at = ?
                WHERE clinic_id = ? AND booking_id = ?""",
                (to_db(at), self._db.clinic, booking_id),
            )

    def record_check(
        self,
        seen: BookingRecord,
        at: datetime,
        *,
        api_status: str,
        display_status: str | None,
        scheduled_at: datetime,
        change: StatusChangeKind | None,
    ) -> StatusChange | None:
        """Records one read of the appointment, in one commit: what the API said (status,
        time, ``cancelled`` for CANCELLED), the check time and, with ``change``, the owner's
        notice (returned). "Je serai là" is forgotten when the time changed.

        ``seen`` is the booking as it was when the read began: if it changed meanwhile (the
        owner cancelled, a staff decision) nothing is written and None is returned; the
        booking stays first in line and is read again at the next round.
        """
        with self._db.transaction():
            current = require_booking(self._db, seen.booking_id)
            if current.updated_at != seen.updated_at or current.state is not seen.state:
                return None
            cancelled = change is StatusChangeKind.CANCELLED
            new_start = current.scheduled_at if cancelled else scheduled_at
            new_state = BookingState.CANCELLED if cancelled else current.state
            differs = (api_status, display_status, new_start, new_state) != (
                current.api_status,
                current.display_status,
                current.scheduled_at,
                current.state,
            )
            self._db.execute(
                """UPDATE bookings SET api_status = ?, display_status = ?, scheduled_at = ?,
                    state = ?, status_checked_at = ?, updated_at = ?,
                    presence_confirmed_at = CASE WHEN ? = 1 THEN NULL
                        ELSE presence_confirmed_at END
                WHERE clinic_id = ? AND booking_id = ?""",
                (
                    api_status,
                    display_status,
                    to_db(new_start),
                    new_state.value,
                    to_db(at),
                    to_db(at if differs else current.updated_at),
                    int(new_start != current.scheduled_at),
                    self._db.clinic,
                    current.booking_id,
                ),
            )
            if change is None:
                return None
            change_id = self._db.next_id("status_changes")
            self._db.execute(
                """INSERT INTO status_changes (clinic_id, id, booking_id, user_id, kind,
                    old_start, new_start, api_status, display_status, detected_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    self._db.clinic,
                    change_id,
                    current.booking_id,
                    current.user_id,
                    change.value,
                    to_db(current.scheduled_at),
                    to_db(scheduled_at),
                    api_status,
                    display_status,
                    to_db(at),
                    NoticeState.PENDING.value,
                ),
            )
            recorded = self.get(change_id)
            assert recorded is not None
            return recorded

    def get(self, change_id: int) -> StatusChange | None:
        found = self._db.execute(
            "SELECT * FROM status_changes WHERE clinic_id = ? AND id = ?",
            (self._db.clinic, change_id),
        ).fetchone()
        return None if found is None else self._change(found)

    def pending(self) -> list[StatusChange]:
        """Notices not yet delivered to the owner, oldest first."""
        rows = self._db.execute(
            """SELECT * FROM status_changes WHERE clinic_id = ? AND state = ?
            ORDER BY detected_at, id""",
            (self._db.clinic, NoticeState.PENDING.value),
        )
        return [change for row in rows if (change := self._change(row)) is not None]

    def mark_notified(self, change_id: int, at: datetime) -> None:
        with self._db.transaction():
            self._db.execute(
                """UPDATE status_changes SET state = ?, notified_at = ?,
                    attempts = attempts + 1, last_error = NULL
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    NoticeState.NOTIFIED.value,
                    to_db(at),
                    self._db.clinic,
                    change_id,
                    NoticeState.PENDING.value,
                ),
            )

    def mark_outdated(self, change_id: int) -> None:
        """The notice is about an appointment now past: never sent."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE status_changes SET state = ?
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    NoticeState.OUTDATED.value,
                    self._db.clinic,
                    change_id,
                    NoticeState.PENDING.value,
                ),
            )

    def notice_failed(self, change_id: int, error: str) -> NoticeState:
        """Counts a failed send; the notice becomes FAILED after ``MAX_NOTICE_ATTEMPTS``."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE status_changes SET attempts = attempts + 1, last_error = ?,
                    state = CASE WHEN attempts + 1 >= ? THEN ? ELSE state END
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    error[:500],
                    MAX_NOTICE_ATTEMPTS,
                    NoticeState.FAILED.value,
                    self._db.clinic,
                    change_id,
                    NoticeState.PENDING.value,
                ),
            )
            (state,) = self._db.execute(
                "SELECT state FROM status_changes WHERE clinic_id = ? AND id = ?",
                (self._db.clinic, change_id),
            ).fetchone()
            return NoticeState(state)

    def _change(self, row: Any) -> StatusChange | None:
        record = booking(self._db, row["booking_id"])
        if record is None:  # forgotten meanwhile (/oublier deletes both in one commit)
            return None
        return StatusChange(
            id=row["id"],
            booking=record,
            kind=StatusChangeKind(row["kind"]),
            old_start=from_db(row["old_start"]),
            new_start=from_db(row["new_start"]),
            api_status=row["api_status"],
            display_status=row["display_status"],
            detected_at=from_db(row["detected_at"]),
            state=NoticeState(row["state"]),
            attempts=row["attempts"],
            notified_at=optional_from_db(row["notified_at"]),
            last_error=row["last_error"],
        )
