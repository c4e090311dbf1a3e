"""Bookings with exactly-once semantics: a confirmation is POSTed at most once per booking id.

The booking flow makes a booking id when it shows the summary. Tapping "confirm" first *claims*
the id (a row in ``sending``), and only the winner of the claim sends the POST; a repeated tap,
a second bot instance or a restart sees the row and re-shows its outcome instead of booking
again. The outcome is committed before the owner is told about it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.store.db import ClinicDb, from_db, optional_from_db, to_db
from bot.store.errors import BookingStateError, UnknownBookingError


class BookingState(StrEnum):
    SENDING = "sending"
    """Claimed; the POST may be in flight (or the bot died during it: recover at startup)."""
    BOOKED = "booked"
    """The API answered 201; ``appointment_id`` is known."""
    UNCERTAIN = "uncertain"
    """The answer was lost and the retry answered 409 or nothing: staff must check."""
    FAILED = "failed"
    """Definitely not created (slot taken, API down, refused); may be claimed again."""
    CANCELLED = "cancelled"
    """Was booked, then cancelled through a staff request or by the clinic."""


OUTCOMES: Final = frozenset({BookingState.BOOKED, BookingState.UNCERTAIN, BookingState.FAILED})
"""The states ``finish_booking`` may move a ``sending`` booking to."""
ON_CALENDAR: Final = (BookingState.BOOKED, BookingState.UNCERTAIN)
"""Bookings that are (or may be) in the clinic's calendar."""
CANCELLABLE: Final = frozenset(ON_CALENDAR)


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingDraft:
    """What the owner confirmed, with names kept so the bot can show it without an API call."""

    booking_id: str
    user_id: int
    client_id: str
    patient_id: str
    vet_id: str
    appointment_type_id: str | None = None
    scheduled_at: datetime
    duration_minutes: int | None = None
    reason: str | None = None
    is_urgent: bool
    pet_name: str
    vet_name: str
    type_name: str
    urgent_alert_id: str | None = None
    """The staff alert of the urgent case this booking answers, to add the booking to it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRecord:
    booking_id: str
    user_id: int
    client_id: str
    patient_id: str
    vet_id: str
    appointment_type_id: str | None
    scheduled_at: datetime
    duration_minutes: int | None
    reason: str | None
    is_urgent: bool
    pet_name: str
    vet_name: str
    type_name: str
    state: BookingState
    appointment_id: str | None
    detail: str | None
    api_status: str | None
    display_status: str | None
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    """When it became ``booked``."""
    presence_confirmed_at: datetime | None = None
    """When the owner tapped "Je serai là" on a reminder (shown to staff on /aujourdhui)."""
    status_checked_at: datetime | None = None
    """When ``bot.status_watch`` last re-read the appointment from the API."""
    urgent_alert_id: str | None = None
    told_at: datetime | None = None
    """When the owner and the staff were told how it settled (None: not yet, e.g. the bot died
    between the API's answer and the telling; the next start tells them)."""

    def draft(self) -> BookingDraft:
        """What was confirmed, e.g. to re-send a booking a restart left in ``sending``."""
        return BookingDraft(**{name: getattr(self, name) for name in _DRAFT_COLUMNS})


@dataclass(frozen=True, slots=True)
class Claim:
    """``won``: this caller must send the POST. Otherwise ``record`` says what already happened."""

    won: bool
    record: BookingRecord


_DRAFT_COLUMNS: Final = tuple(f.name for f in fields(BookingDraft))
_EDITABLE_COLUMNS: Final = tuple(name for name in _DRAFT_COLUMNS if name != "booking_id")
_INSERT_CLAIM: Final = (
    f"INSERT INTO bookings (clinic_id, {', '.join(_DRAFT_COLUMNS)}, state, created_at, updated_at) "
    f"VALUES (?, {', '.join('?' for _ in _DRAFT_COLUMNS)}, ?, ?, ?)"
)
_RECLAIM_FAILED: Final = (
    f"UPDATE bookings SET {', '.join(f'{name} = ?' for name in _EDITABLE_COLUMNS)}, "
    "state = ?, appointment_id = NULL, detail = NULL, told_at = NULL, updated_at = ? "
    "WHERE clinic_id = ? AND booking_id = ?"
)
"""A failed booking is re-claimed with the draft's fields: the owner may have picked a new slot."""


def claim_booking(db: ClinicDb, now: datetime, draft: BookingDraft) -> Claim:
    """Atomically claims the booking id: a new id or a ``failed`` one is won (and becomes
    ``sending``, with the draft's possibly new slot); any other state is lost."""
    values = _draft_values(draft)
    stamp = to_db(now)
    with db.transaction():
        current = booking(db, draft.booking_id)
        if current is None:
            db.execute(
                _INSERT_CLAIM,
                (
                    db.clinic,
                    *(values[c] for c in _DRAFT_COLUMNS),
                    BookingState.SENDING.value,
                    stamp,
                    stamp,
                ),
            )
        elif current.state is BookingState.FAILED:
            db.execute(
                _RECLAIM_FAILED,
                (
                    *(values[c] for c in _EDITABLE_COLUMNS),
                    BookingState.SENDING.value,
                    stamp,
                    db.clinic,
                    draft.booking_id,
                ),
            )
        else:
            return Claim(won=False, record=current)
        return Claim(won=True, record=require_booking(db, draft.booking_id))


def finish_booking(
    db: ClinicDb,
    now: datetime,
    booking_id: str,
    state: BookingState,
    *,
    appointment_id: str | None,
    detail: str | None,
) -> BookingRecord:
    """Records the POST's outcome; only a ``sending`` booking can finish, and only once."""
    outcome = BookingState(state)
    if outcome not in OUTCOMES:
        raise ValueError(f"a booking finishes as booked, uncertain or failed, not {outcome}")
    if outcome is BookingState.BOOKED and not appointment_id:
        raise ValueError("a booked booking needs the appointment id the API returned")
    stamp = to_db(now)
    with db.transaction():
        current = require_booking(db, booking_id)
        if current.state is not BookingState.SENDING:
            raise BookingStateError(
                f"booking {booking_id} is {current.state}, not sending: it was already finished"
            )
        db.execute(
            """UPDATE bookings SET state = ?, appointment_id = ?, detail = ?, updated_at = ?,
                confirmed_at = ?
            WHERE clinic_id = ? AND booking_id = ?""",
            (
                outcome.value,
                appointment_id,
                detail,
                stamp,
                stamp if outcome is BookingState.BOOKED else None,
                db.clinic,
                booking_id,
            ),
        )
        return require_booking(db, booking_id)


def set_booking_status(
    db: ClinicDb,
    now: datetime,
    booking_id: str,
    *,
    api_status: str,
    display_status: str | None,
    scheduled_at: datetime | None,
) -> BookingRecord:
    """Records what the clinic now says about the appointment (moved, confirmed, cancelled...).

    It does not change ``state``: when the clinic cancelled it, also call ``mark_cancelled``.
    """
    with db.transaction():
        current = require_booking(db, booking_id)
        when = current.scheduled_at if scheduled_at is None else scheduled_at
        db.execute(
            """UPDATE bookings SET api_status = ?, display_status = ?, scheduled_at = ?,
                updated_at = ?
            WHERE clinic_id = ? AND booking_id = ?""",
            (api_status, display_status, to_db(when), to_db(now), db.clinic, booking_id),
        )
        return require_booking(db, booking_id)


def mark_cancelled(db: ClinicDb, now: datetime, booking_id: str) -> BookingRecord:
    """Moves a booked (or uncertain) booking to ``cancelled``; cancelling twice is harmless."""
    with db.transaction():
        current = require_booking(db, booking_id)
        if current.state is BookingState.CANCELLED:
            return current
        if current.state not in CANCELLABLE:
            raise BookingStateError(
                f"booking {booking_id} is {current.state}: only a booked or uncertain booking "
                "can be cancelled"
            )
        db.execute(
            "UPDATE bookings SET state = ?, updated_at = ? WHERE clinic_id = ? AND booking_id = ?",
            (BookingState.CANCELLED.value, to_db(now), db.clinic, booking_id),
        )
        return require_booking(db, booking_id)


def booking(db: ClinicDb, booking_id: str) -> BookingRecord | None:
    row = db.execute(
        "SELECT * FROM bookings WHERE clinic_id = ? AND booking_id = ?", (db.clinic, booking_id)
    ).fetchone()
    return None if row is None else _record(row)


def require_booking(db: ClinicDb, booking_id: str) -> BookingRecord:
    """The booking, or UnknownBookingError: for writes that must find it."""
    record = booking(db, booking_id)
    if record is None:
        raise UnknownBookingError(f"no booking {booking_id}")
    return record


def bookings_in_state(db: ClinicDb, state: BookingState) -> list[BookingRecord]:
    rows = db.execute(
        "SELECT * FROM bookings WHERE clinic_id = ? AND state = ? ORDER BY created_at, booking_id",
        (db.clinic, BookingState(state).value),
    )
    return [_record(row) for row in rows]


def untold_bookings(db: ClinicDb) -> list[BookingRecord]:
    """Bookings settled (booked, uncertain, failed) whose owner and staff were not told yet."""
    rows = db.execute(
        f"""SELECT * FROM bookings
        WHERE clinic_id = ? AND told_at IS NULL AND state IN ({_marks(OUTCOMES)})
        ORDER BY updated_at, booking_id""",
        (db.clinic, *(state.value for state in OUTCOMES)),
    )
    return [_record(row) for row in rows]


def mark_told(db: ClinicDb, now: datetime, booking_id: str) -> None:
    """The owner and the staff have been told how this booking settled."""
    db.execute(
        """UPDATE bookings SET told_at = ?
        WHERE clinic_id = ? AND booking_id = ? AND told_at IS NULL""",
        (to_db(now), db.clinic, booking_id),
    )


def upcoming_bookings(db: ClinicDb, user_id: int, now: datetime) -> list[BookingRecord]:
    """The owner's booked or uncertain appointments from ``now`` on, soonest first."""
    rows = db.execute(
        f"""SELECT * FROM bookings
        WHERE clinic_id = ? AND user_id = ? AND scheduled_at >= ?
            AND state IN ({_marks(ON_CALENDAR)})
        ORDER BY scheduled_at, booking_id""",
        (db.clinic, user_id, to_db(now), *(s.value for s in ON_CALENDAR)),
    )
    return [_record(row) for row in rows]


def bookings_between(
    db: ClinicDb,
    start: datetime,
    end: datetime,
    states: Collection[BookingState] = ON_CALENDAR,
) -> list[BookingRecord]:
    """Bookings scheduled in ``[start, end)`` in the given states, in time order."""
    wanted = [BookingState(s).value for s in states]
    if not wanted:
        return []
    rows = db.execute(
        f"""SELECT * FROM bookings
        WHERE clinic_id = ? AND scheduled_at >= ? AND scheduled_at < ?
            AND state IN ({_marks(wanted)})
        ORDER BY scheduled_at, booking_id""",
        (db.clinic, to_db(start), to_db(end), *wanted),
    )
    return [_record(row) for row in rows]


def _draft_values(draft: BookingDraft) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(draft, name) for name in _DRAFT_COLUMNS}
    values["scheduled_at"] = to_db(draft.scheduled_at)
    values["is_urgent"] = int(bool(draft.is_urgent))
    return values


def _marks(items: Collection[object]) -> str:
    return ", ".join("?" for _ in items)


def _record(row: Any) -> BookingRecord:
    return BookingRecord(
        booking_id=row["booking_id"],
        user_id=row["user_id"],
        client_id=row["client_id"],
        patient_id=row["patient_id"],
        vet_id=row["vet_id"],
        appointment_type_id=row["appointment_type_id"],
        scheduled_at=from_db(row["scheduled_at"]),
        duration_minutes=row["duration_minutes"],
        reason=row["reason"],
        is_urgent=bool(row["is_urgent"]),
        pet_name=row["pet_name"],
        vet_name=row["vet_name"],
        type_name=row["type_name"],
        state=BookingState(row["state"]),
        appointment_id=row["appointment_id"],
        detail=row["detail"],
        api_status=row["api_status"],
        display_status=row["display_status"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        confirmed_at=optional_from_db(row["confirmed_at"]),
        presence_confirmed_at=optional_from_db(row["presence_confirmed_at"]),
        status_checked_at=optional_from_db(row["status_checked_at"]),
        urgent_alert_id=row["urgent_alert_id"],
        told_at=optional_from_db(row["told_at"]),
    )
