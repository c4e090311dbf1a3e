"""Owners' reminders as rows, and the owner's "Je serai là".

This is the bookkeeping only; when reminders fall due (offsets, quiet hours, collisions) is
decided in ``bot.reminders``, which also delivers them.

One row per booking and kind (``UNIQUE (clinic_id, booking_id, kind)``), so a booking can never
hold two "day before" reminders, whatever is re-planned or restarted. A row remembers the
appointment time it was planned for (``appointment_at``) and fires only while its booking is
still ``booked``, in the future and at that same time: a booking moved (by the status watcher,
the owner's list, staff) is never reminded at its old time, and ``bookings_to_plan`` finds it
for re-planning through ``bookings.reminders_planned_for``.

Rows belong to one clinic and are numbered per clinic (``ClinicDb.next_id``); every statement
names the clinic, and a row's booking is looked up in the same clinic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.clock import Clock
from bot.store.bookings import BookingRecord, BookingState, require_booking
from bot.store.db import ClinicDb, from_db, optional_from_db, to_db
from bot.store.errors import BookingStateError

DROPPED_BY_REPLAN: Final = "no longer planned"
DROPPED_STALE: Final = "booking no longer booked or already past"
_LIVE_BOOKING: Final = """EXISTS (SELECT 1 FROM bookings b WHERE b.clinic_id = reminders.clinic_id
    AND b.booking_id = reminders.booking_id AND b.state = ? AND b.scheduled_at > ?
    AND b.scheduled_at = reminders.appointment_at)"""
"""The row's booking (in the row's clinic) is booked, still ahead, and at the time the row was
planned for."""


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"
    """The first reminder (``REMINDER_FIRST_HOURS``, default 24 h before)."""
    SOON = "soon"
    """The second reminder (``REMINDER_SECOND_HOURS``, default 2 h before)."""


class ReminderState(StrEnum):
    PENDING = "pending"
    """To send at ``next_attempt_at`` (its due instant, or a retry)."""
    SENT = "sent"
    """The owner has it; never sent again for the same appointment time."""
    DROPPED = "dropped"
    """Not sent: re-planned away, booking cancelled or past, superseded or undeliverable."""


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A reminder ``plan_reminders`` decided on: what and when."""

    kind: ReminderKind
    due_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderRecord:
    id: int
    booking_id: str
    user_id: int
    kind: ReminderKind
    appointment_at: datetime
    """The appointment time this reminder was planned for."""
    due_at: datetime
    """When it was planned to go out (after quiet hours and catch-up rules)."""
    state: ReminderState
    sent_at: datetime | None
    attempts: int
    """Sends tried, successful or not."""
    next_attempt_at: datetime | None
    """Pending: when to send (``due_at``, or later after a failure); None otherwise."""
    last_error: str | None
    created_at: datetime


class ReminderTable:
    """One clinic's ``reminders`` rows, over the store's database; every write commits."""

    def __init__(self, db: ClinicDb, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def plan(self, booking_id: str, reminders: Iterable[PlannedReminder]) -> list[ReminderRecord]:
        """Makes ``reminders`` the booking's plan for its current time, in one commit.

        Idempotent. A kind in ``reminders`` becomes PENDING at its due instant, unless it was
        already SENT for this same appointment time (the owner has it: never twice). A kind
        left out is DROPPED if it was pending. A SENT reminder for an *earlier* time (the
        clinic moved the appointment) is re-armed: the owner needs one for the new time.
        Returns the booking's rows.
        """
        wanted: dict[ReminderKind, PlannedReminder] = {}
        for planned in reminders:
            if planned.kind in wanted:
                raise ValueError(f"two {planned.kind} reminders planned for {booking_id}")
            wanted[ReminderKind(planned.kind)] = planned
        now = to_db(self._clock())
        with self._db.transaction():
            current = require_booking(self._db, booking_id)
            appointment_at = current.scheduled_at
            existing = {row.kind: row for row in self.for_booking(booking_id)}
            for kind in ReminderKind:
                row, planned = existing.get(kind), wanted.get(kind)
                if planned is None:
                    if row is not None and row.state is ReminderState.PENDING:
                        self._drop(row.id, DROPPED_BY_REPLAN)
                elif row is None:
                    self._db.execute(
                        """INSERT INTO reminders (clinic_id, id, booking_id, user_id, kind,
                            appointment_at, due_at, state, next_attempt_at, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        (
                            self._db.clinic,
                            self._db.next_id("reminders"),
                            booking_id,
                            current.user_id,
                            kind.value,
                            to_db(appointment_at),
                            to_db(planned.due_at),
                            ReminderState.PENDING.value,
                            to_db(planned.due_at),
                            now,
                        ),
                    )
                elif row.state is not ReminderState.SENT or row.appointment_at != appointment_at:
                    self._db.execute(
                        """UPDATE reminders SET appointment_at = ?, due_at = ?, state = ?,
                            sent_at = NULL, attempts = 0, next_attempt_at = ?, last_error = NULL
                        WHERE clinic_id = ? AND id = ?""",
                        (
                            to_db(appointment_at),
                            to_db(planned.due_at),
                            ReminderState.PENDING.value,
                            to_db(planned.due_at),
                            self._db.clinic,
                            row.id,
                        ),
                    )
            self._db.execute(
                """UPDATE bookings SET reminders_planned_for = ?
                WHERE clinic_id = ? AND booking_id = ?""",
                (to_db(appointment_at), self._db.clinic, booking_id),
            )
            return self.for_booking(booking_id)

    def get(self, reminder_id: int) -> ReminderRecord | None:
        found = self._db.execute(
            "SELECT * FROM reminders WHERE clinic_id = ? AND id = ?",
            (self._db.clinic, reminder_id),
        ).fetchone()
        return None if found is None else _record(found)

    def for_booking(self, booking_id: str) -> list[ReminderRecord]:
        """The booking's rows, first reminder first."""
        rows = self._db.execute(
            """SELECT * FROM reminders WHERE clinic_id = ? AND booking_id = ?
            ORDER BY CASE WHEN kind = ? THEN 1 ELSE 0 END, id""",
            (self._db.clinic, booking_id, ReminderKind.SOON.value),
        )
        return [_record(row) for row in rows]

    def due(self, now: datetime) -> list[ReminderRecord]:
        """Pending rows due by ``now`` whose booking is still booked, ahead, at the planned time;
        oldest due first."""
        rows = self._db.execute(
            f"""SELECT * FROM reminders WHERE clinic_id = ? AND state = ? AND next_attempt_at <= ?
                AND {_LIVE_BOOKING}
            ORDER BY next_attempt_at, id""",
            (
                self._db.clinic,
                ReminderState.PENDING.value,
                to_db(now),
                BookingState.BOOKED.value,
                to_db(now),
            ),
        )
        return [_record(row) for row in rows]

    def next_due(self) -> datetime | None:
        """The earliest instant a row of a live booking falls due (a past one: due now)."""
        (due,) = self._db.execute(
            f"""SELECT MIN(next_attempt_at) FROM reminders
            WHERE clinic_id = ? AND state = ? AND {_LIVE_BOOKING}""",
            (
                self._db.clinic,
                ReminderState.PENDING.value,
                BookingState.BOOKED.value,
                to_db(self._clock()),
            ),
        ).fetchone()
        return optional_from_db(due)

    def mark_sent(self, reminder_id: int, at: datetime) -> bool:
        """The owner has it (committed before returning); False if it was no longer pending."""
        with self._db.transaction():
            return bool(
                self._db.execute(
                    """UPDATE reminders SET state = ?, sent_at = ?, attempts = attempts + 1,
                        next_attempt_at = NULL, last_error = NULL
                    WHERE clinic_id = ? AND id = ? AND state = ?""",
                    (
                        ReminderState.SENT.value,
                        to_db(at),
                        self._db.clinic,
                        reminder_id,
                        ReminderState.PENDING.value,
                    ),
                ).rowcount
            )

    def retry_later(self, reminder_id: int, at: datetime, error: str) -> None:
        """A failed send, to try again at ``at``."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE reminders SET attempts = attempts + 1, next_attempt_at = ?,
                    last_error = ?
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    to_db(at),
                    error[:500],
                    self._db.clinic,
                    reminder_id,
                    ReminderState.PENDING.value,
                ),
            )

    def mark_dropped(self, reminder_id: int, reason: str) -> bool:
        """Gives up a pending reminder (superseded, too late, undeliverable)."""
        with self._db.transaction():
            return self._drop(reminder_id, reason)

    def drop_for_booking(self, booking_id: str) -> int:
        """Drops the booking's pending reminders (it was cancelled); returns how many."""
        with self._db.transaction():
            return self._db.execute(
                """UPDATE reminders SET state = ?, next_attempt_at = NULL, last_error = ?
                WHERE clinic_id = ? AND booking_id = ? AND state = ?""",
                (
                    ReminderState.DROPPED.value,
                    "booking cancelled",
                    self._db.clinic,
                    booking_id,
                    ReminderState.PENDING.value,
                ),
            ).rowcount

    def drop_stale(self, now: datetime) -> int:
        """Drops pending rows whose booking is gone, no longer booked or already started.

        Rows of a booking that was merely moved stay: re-planning rewrites them.
        """
        with self._db.transaction():
            return self._db.execute(
                """UPDATE reminders SET state = ?, next_attempt_at = NULL, last_error = ?
                WHERE clinic_id = ? AND state = ? AND NOT EXISTS (SELECT 1 FROM bookings b
                    WHERE b.clinic_id = reminders.clinic_id
                        AND b.booking_id = reminders.booking_id AND b.state = ?
                        AND b.scheduled_at > ?)""",
                (
                    ReminderState.DROPPED.value,
                    DROPPED_STALE,
                    self._db.clinic,
                    ReminderState.PENDING.value,
                    BookingState.BOOKED.value,
                    to_db(now),
                ),
            ).rowcount

    def bookings_to_plan(self, now: datetime) -> list[str]:
        """Booked bookings still ahead whose reminders were never planned, or planned for
        another time (moved since): the ids to re-plan, soonest first."""
        rows = self._db.execute(
            """SELECT booking_id FROM bookings
            WHERE clinic_id = ? AND state = ? AND scheduled_at > ?
                AND (reminders_planned_for IS NULL OR reminders_planned_for != scheduled_at)
            ORDER BY scheduled_at, booking_id""",
            (self._db.clinic, BookingState.BOOKED.value, to_db(now)),
        )
        return [booking_id for (booking_id,) in rows]

    def _drop(self, reminder_id: int, reason: str) -> bool:
        return bool(
            self._db.execute(
                """UPDATE reminders SET state = ?, next_attempt_at = NULL, last_error = ?
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    ReminderState.DROPPED.value,
                    reason,
                    self._db.clinic,
                    reminder_id,
                    ReminderState.PENDING.value,
                ),
            ).rowcount
        )


def confirm_presence(db: ClinicDb, booking_id: str, at: datetime) -> BookingRecord:
    """Records "Je serai là" on a booked booking; the first tap's time is kept."""
    with db.transaction():
        current = require_booking(db, booking_id)
        if current.state is not BookingState.BOOKED:
            raise BookingStateError(
                f"booking {booking_id} is {current.state}: only a booked one can be confirmed"
            )
        db.execute(
            """UPDATE bookings SET presence_confirmed_at = COALESCE(presence_confirmed_at, ?)
            WHERE clinic_id = ? AND booking_id = ?""",
            (to_db(at), db.clinic, booking_id),
        )
        return require_booking(db, booking_id)


def _record(row: Any) -> ReminderRecord:
    return ReminderRecord(
        id=row["id"],
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        kind=ReminderKind(row["kind"]),
        appointment_at=from_db(row["appointment_at"]),
        due_at=from_db(row["due_at"]),
        state=ReminderState(row["state"]),
        sent_at=optional_from_db(row["sent_at"]),
        attempts=row["attempts"],
        next_attempt_at=optional_from_db(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=from_db(row["created_at"]),
    )
