"""Staff requests: what an owner asked the clinic to do by hand, and what staff decided.

A decision and its effect on the booking (a cancel done → ``cancelled``; a checked uncertain
booking → ``booked`` or ``failed``) commit together, so a crash cannot leave the request decided
and the booking unchanged.

One appointment has at most one open request: ``open_request`` looks for an open request naming
the same booking and inserts only if there is none, inside one ``ClinicDb.transaction`` (the
clinic's write lock is taken before the look: SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's
advisory lock of the clinic), so two taps, two bot instances or two processes cannot both file
one. Whoever comes second gets the request already open.

Requests belong to one clinic and are numbered per clinic (``ClinicDb.next_id``): the id in a
staff button means a request of the clinic whose bot received the tap. Every statement names
that clinic (the bookings a decision touches too), so a button naming another clinic's request
finds nothing, and the same booking id at two clinics is two bookings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from bot.store.bookings import CANCELLABLE, BookingRecord, BookingState, booking, require_booking
from bot.store.db import ClinicDb, from_db, optional_from_db, to_db
from bot.store.errors import BookingStateError


class RequestKind(StrEnum):
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    REGISTER = "register"
    """An unknown number asks to be registered as a client."""
    ADD_PET = "add_pet"
    CHECK_BOOKING = "check_booking"
    """An uncertain booking: staff look in their software and say whether it is there."""


class RequestState(StrEnum):
    OPEN = "open"
    DONE = "done"
    """Done ("Fait"), or for a check: the booking is there ("Bien réservé")."""
    REFUSED = "refused"
    """Refused ("Refusé"), or for a check: the booking is not there ("Pas réservé")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestRecord:
    id: int
    kind: RequestKind
    state: RequestState
    user_id: int
    client_id: str | None
    booking_id: str | None
    details: Mapping[str, str]
    """What the owner gave (pet, wished time, phone...), read-only."""
    outbox_id: int | None
    """The staff-chat message showing this request, once linked."""
    created_at: datetime
    decided_at: datetime | None
    decided_by_id: int | None
    decided_by_name: str | None


@dataclass(frozen=True, slots=True)
class Opened:
    """``filed``: this call recorded ``record``. Otherwise ``record`` is the request already open
    for the same booking, and nothing was written."""

    filed: bool
    record: RequestRecord


RESOLVABLE: Final = frozenset({BookingState.BOOKED, BookingState.FAILED})
"""Where an uncertain booking can go once staff have checked."""


def open_request(
    db: ClinicDb,
    now: datetime,
    kind: RequestKind,
    *,
    user_id: int,
    client_id: str | None,
    booking_id: str | None,
    details: Mapping[str, str],
) -> Opened:
    """Records an open request, unless one naming the same booking is still open (any kind):
    then that one is returned, not filed again. Requests without a booking are not limited."""
    with db.transaction():
        if booking_id is not None:
            pending = _pending(db, booking_id)
            if pending is not None:
                return Opened(filed=False, record=pending)
        request_id = db.next_id("staff_requests")
        db.execute(
            """INSERT INTO staff_requests (clinic_id, id, kind, user_id, client_id, booking_id,
                details, state, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                db.clinic,
                request_id,
                RequestKind(kind).value,
                user_id,
                client_id,
                booking_id,
                json.dumps(dict(details), ensure_ascii=False),
                RequestState.OPEN.value,
                to_db(now),
            ),
        )
        return Opened(filed=True, record=_require(db, request_id))


def decide_request(
    db: ClinicDb,
    now: datetime,
    request_id: int,
    *,
    done: bool,
    by_id: int,
    by_name: str,
) -> RequestRecord | None:
    """First decision wins: None if the request is unknown (at this clinic) or already decided.

    A cancel marked done cancels its booking (if still on the calendar); a check moves its
    uncertain booking to booked (done) or failed (refused). A booking in another state, or
    forgotten, is left alone: the decision still stands.

    Open requests of the same kind for the same booking (duplicates filed before the one-open
    rule) take the same decision in the same commit: a later tap on one of them is refused, so
    the owner never hears two answers to one question.
    """
    outcome = RequestState.DONE if done else RequestState.REFUSED
    stamp = to_db(now)
    with db.transaction():
        won = db.execute(
            """UPDATE staff_requests SET state = ?, decided_at = ?, decided_by_id = ?,
                decided_by_name = ?
            WHERE clinic_id = ? AND id = ? AND state = ?""",
            (
                outcome.value,
                stamp,
                by_id,
                by_name,
                db.clinic,
                request_id,
                RequestState.OPEN.value,
            ),
        ).rowcount
        if not won:
            return None
        record = _require(db, request_id)
        if record.booking_id is not None:
            db.execute(
                """UPDATE staff_requests SET state = ?, decided_at = ?, decided_by_id = ?,
                    decided_by_name = ?
                WHERE clinic_id = ? AND booking_id = ? AND kind = ? AND state = ? AND id != ?""",
                (
                    outcome.value,
                    stamp,
                    by_id,
                    by_name,
                    db.clinic,
                    record.booking_id,
                    record.kind.value,
                    RequestState.OPEN.value,
                    record.id,
                ),
            )
        current = None if record.booking_id is None else booking(db, record.booking_id)
        if current is not None:
            if record.kind is RequestKind.CANCEL and done and current.state in CANCELLABLE:
                _set_booking_state(db, now, current.booking_id, BookingState.CANCELLED)
            elif (
                record.kind is RequestKind.CHECK_BOOKING and current.state is BookingState.UNCERTAIN
            ):
                _set_booking_state(
                    db,
                    now,
                    current.booking_id,
                    BookingState.BOOKED if done else BookingState.FAILED,
                )
        return record


def resolve_uncertain(
    db: ClinicDb, now: datetime, booking_id: str, state: BookingState
) -> BookingRecord:
    """Moves an uncertain booking to booked or failed once staff have checked; idempotent."""
    target = BookingState(state)
    if target not in RESOLVABLE:
        raise ValueError(f"an uncertain booking resolves to booked or failed, not {target}")
    with db.transaction():
        current = require_booking(db, booking_id)
        if current.state is target:
            return current
        if current.state is not BookingState.UNCERTAIN:
            raise BookingStateError(
                f"booking {booking_id} is {current.state}, not uncertain: nothing to resolve"
            )
        _set_booking_state(db, now, booking_id, target)
        resolved = booking(db, booking_id)
        assert resolved is not None
        return resolved


def get_request(db: ClinicDb, request_id: int) -> RequestRecord | None:
    row = db.execute(
        "SELECT * FROM staff_requests WHERE clinic_id = ? AND id = ?", (db.clinic, request_id)
    ).fetchone()
    return None if row is None else _record(row)


def pending_request(db: ClinicDb, booking_id: str) -> RequestRecord | None:
    """The undecided request naming this booking, if any (there is at most one)."""
    return _pending(db, booking_id)


def open_requests(db: ClinicDb) -> list[RequestRecord]:
    """Undecided requests, oldest first."""
    rows = db.execute(
        "SELECT * FROM staff_requests WHERE clinic_id = ? AND state = ? ORDER BY created_at, id",
        (db.clinic, RequestState.OPEN.value),
    )
    return [_record(row) for row in rows]


def link_outbox(db: ClinicDb, request_id: int, outbox_id: int) -> RequestRecord | None:
    with db.transaction():
        db.execute(
            "UPDATE staff_requests SET outbox_id = ? WHERE clinic_id = ? AND id = ?",
            (outbox_id, db.clinic, request_id),
        )
        return get_request(db, request_id)


def _set_booking_state(db: ClinicDb, now: datetime, booking_id: str, state: BookingState) -> None:
    """Inside the caller's transaction. ``confirmed_at`` is when the booking became booked."""
    stamp = to_db(now)
    if state is BookingState.BOOKED:
        db.execute(
            """UPDATE bookings SET state = ?, updated_at = ?,
                confirmed_at = COALESCE(confirmed_at, ?)
            WHERE clinic_id = ? AND booking_id = ?""",
            (state.value, stamp, stamp, db.clinic, booking_id),
        )
    else:
        db.execute(
            """UPDATE bookings SET state = ?, updated_at = ?
            WHERE clinic_id = ? AND booking_id = ?""",
            (state.value, stamp, db.clinic, booking_id),
        )


def _pending(db: ClinicDb, booking_id: str) -> RequestRecord | None:
    row = db.execute(
        """SELECT * FROM staff_requests WHERE clinic_id = ? AND booking_id = ? AND state = ?
        ORDER BY id LIMIT 1""",
        (db.clinic, booking_id, RequestState.OPEN.value),
    ).fetchone()
    return None if row is None else _record(row)


def _require(db: ClinicDb, request_id: int) -> RequestRecord:
    record = get_request(db, request_id)
    assert record is not None, f"request {request_id} vanished inside its transaction"
    return record


def _record(row: Any) -> RequestRecord:
    return RequestRecord(
        id=row["id"],
        kind=RequestKind(row["kind"]),
        state=RequestState(row["state"]),
        user_id=row["user_id"],
        client_id=row["client_id"],
        booking_id=row["booking_id"],
        details=MappingProxyType(dict(json.loads(row["details"]))),
        outbox_id=row["outbox_id"],
        created_at=from_db(row["created_at"]),
        decided_at=optional_from_db(row["decided_at"]),
        decided_by_id=row["decided_by_id"],
        decided_by_name=row["decided_by_name"],
    )
