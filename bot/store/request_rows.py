"""Staff requests: what an owner asked the clinic to do by hand, and what staff decided.

A decision and its effect on the booking (a cancel done → ``cancelled``; a checked uncertain
booking → ``booked`` or ``failed``) commit together, so a crash cannot leave the request decided
and the booking unchanged.

One appointment has at most one open request: ``open_request`` looks for an open request naming
the same booking and inserts only if there is none, inside one ``BEGIN IMMEDIATE`` transaction
(the write lock is taken before the look), so two taps, two bot instances or two processes
cannot both file one. Whoever comes second gets the request already open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from bot.store.bookings import CANCELLABLE, BookingRecord, BookingState, booking, require_booking
from bot.store.db import from_db, optional_from_db, to_db, transaction
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
    conn: sqlite3.Connection,
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
    with transaction(conn):
        if booking_id is not None:
            pending = _pending(conn, booking_id)
            if pending is not None:
                return Opened(filed=False, record=pending)
        cursor = conn.execute(
            """INSERT INTO staff_requests (kind, user_id, client_id, booking_id, details, state,
                created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                RequestKind(kind).value,
                user_id,
                client_id,
                booking_id,
                json.dumps(dict(details), ensure_ascii=False),
                RequestState.OPEN.value,
                to_db(now),
            ),
        )
        assert cursor.lastrowid is not None
        return Opened(filed=True, record=_require(conn, cursor.lastrowid))


def decide_request(
    conn: sqlite3.Connection,
    now: datetime,
    request_id: int,
    *,
    done: bool,
    by_id: int,
    by_name: str,
) -> RequestRecord | None:
    """First decision wins: None if the request is unknown or already decided.

    A cancel marked done cancels its booking (if still on the calendar); a check moves its
    uncertain booking to booked (done) or failed (refused). A booking in another state, or
    forgotten, is left alone: the decision still stands.

    Open requests of the same kind for the same booking (duplicates filed before the one-open
    rule) take the same decision in the same commit: a later tap on one of them is refused, so
    the owner never hears two answers to one question.
    """
    outcome = RequestState.DONE if done else RequestState.REFUSED
    stamp = to_db(now)
    with transaction(conn):
        won = conn.execute(
            """UPDATE staff_requests SET state = ?, decided_at = ?, decided_by_id = ?,
                decided_by_name = ?
            WHERE id = ? AND state = ?""",
            (outcome.value, stamp, by_id, by_name, request_id, RequestState.OPEN.value),
        ).rowcount
        if not won:
            return None
        record = _require(conn, request_id)
        if record.booking_id is not None:
            conn.execute(
                """UPDATE staff_requests SET state = ?, decided_at = ?, decided_by_id = ?,
                    decided_by_name = ?
                WHERE booking_id = ? AND kind = ? AND state = ? AND id != ?""",
                (
                    outcome.value,
                    stamp,
                    by_id,
                    by_name,
                    record.booking_id,
                    record.kind.value,
                    RequestState.OPEN.value,
                    record.id,
                ),
            )
        current = None if record.booking_id is None else booking(conn, record.booking_id)
        if current is not None:
            if record.kind is RequestKind.CANCEL and done and current.state in CANCELLABLE:
                _set_booking_state(conn, now, current.booking_id, BookingState.CANCELLED)
            elif (
                record.kind is RequestKind.CHECK_BOOKING and current.state is BookingState.UNCERTAIN
            ):
                _set_booking_state(
                    conn,
                    now,
                    current.booking_id,
                    BookingState.BOOKED if done else BookingState.FAILED,
                )
        return record


def resolve_uncertain(
    conn: sqlite3.Connection, now: datetime, booking_id: str, state: BookingState
) -> BookingRecord:
    """Moves an uncertain booking to booked or failed once staff have checked; idempotent."""
    target = BookingState(state)
    if target not in RESOLVABLE:
        raise ValueError(f"an uncertain booking resolves to booked or failed, not {target}")
    with transaction(conn):
        current = require_booking(conn, booking_id)
        if current.state is target:
            return current
        if current.state is not BookingState.UNCERTAIN:
            raise BookingStateError(
                f"booking {booking_id} is {current.state}, not uncertain: nothing to resolve"
            )
        _set_booking_state(conn, now, booking_id, target)
        resolved = booking(conn, booking_id)
        assert resolved is not None
        return resolved


def get_request(conn: sqlite3.Connection, request_id: int) -> RequestRecord | None:
    row = conn.execute("SELECT * FROM staff_requests WHERE id = ?", (request_id,)).fetchone()
    return None if row is None else _record(row)


def pending_request(conn: sqlite3.Connection, booking_id: str) -> RequestRecord | None:
    """The undecided request naming this booking, if any (there is at most one)."""
    return _pending(conn, booking_id)


def open_requests(conn: sqlite3.Connection) -> list[RequestRecord]:
    """Undecided requests, oldest first."""
    rows = conn.execute(
        "SELECT * FROM staff_requests WHERE state = ? ORDER BY created_at, id",
        (RequestState.OPEN.value,),
    )
    return [_record(row) for row in rows]


def link_outbox(conn: sqlite3.Connection, request_id: int, outbox_id: int) -> RequestRecord | None:
    with transaction(conn):
        conn.execute(
            "UPDATE staff_requests SET outbox_id = ? WHERE id = ?", (outbox_id, request_id)
        )
        return get_request(conn, request_id)


def _set_booking_state(
    conn: sqlite3.Connection, now: datetime, booking_id: str, state: BookingState
) -> None:
    """Inside the caller's transaction. ``confirmed_at`` is when the booking became booked."""
    stamp = to_db(now)
    conn.execute(
        """UPDATE bookings SET state = ?, updated_at = ?,
            confirmed_at = CASE WHEN ? = ? THEN COALESCE(confirmed_at, ?) ELSE confirmed_at END
        WHERE booking_id = ?""",
        (state.value, stamp, state.value, BookingState.BOOKED.value, stamp, booking_id),
    )


def _pending(conn: sqlite3.Connection, booking_id: str) -> RequestRecord | None:
    row = conn.execute(
        "SELECT * FROM staff_requests WHERE booking_id = ? AND state = ? ORDER BY id LIMIT 1",
        (booking_id, RequestState.OPEN.value),
    ).fetchone()
    return None if row is None else _record(row)


def _require(conn: sqlite3.Connection, request_id: int) -> RequestRecord:
    record = get_request(conn, request_id)
    assert record is not None, f"request {request_id} vanished inside its transaction"
    return record


def _record(row: sqlite3.Row) -> RequestRecord:
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
