"""Clinic-wide switches staff can flip from the chat, kept across restarts (e.g. the booking
pause).

A tiny (clinic, name) → text table: one row per switch and clinic, no history. Each clinic has
its own: pausing one clinic's booking leaves the others open.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from bot.store.db import ClinicDb, from_db, to_db

PAUSED_UNTIL: Final = "paused_until"
PAUSED_INDEFINITELY: Final = datetime.max.replace(tzinfo=UTC)
"""A pause with no end, until ``/reprise`` (``/pause`` without a duration pauses 2 hours)."""

_SET_FLAG: Final = """INSERT INTO flags (clinic_id, name, value, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (clinic_id, name) DO UPDATE SET
    value = excluded.value, updated_at = excluded.updated_at"""


def set_paused_until(db: ClinicDb, now: datetime, when: datetime | None) -> None:
    """Pauses online booking until ``when``; None resumes it."""
    with db.transaction():
        if when is None:
            db.execute(
                "DELETE FROM flags WHERE clinic_id = ? AND name = ?", (db.clinic, PAUSED_UNTIL)
            )
            return
        db.execute(_SET_FLAG, (db.clinic, PAUSED_UNTIL, to_db(when), to_db(now)))


def paused_until(db: ClinicDb, now: datetime) -> datetime | None:
    """When the pause ends, or None when booking is open (never paused, resumed, or expired)."""
    row = _flag(db, PAUSED_UNTIL)
    if row is None:
        return None
    until = from_db(row["value"])
    return until if until > now else None


STAFF_CHAT_MOVED: Final = "staff_chat_moved:"
"""``staff_chat_moved:<old id>`` → the id Telegram gave the staff group when it became a
supergroup; the setting (``STAFF_CHAT_ID``) may still name the old one after a restart."""


def staff_chat_moved_to(db: ClinicDb, old_chat_id: int) -> int | None:
    """The chat the staff group ``old_chat_id`` became, or None if it never moved."""
    row = _flag(db, f"{STAFF_CHAT_MOVED}{old_chat_id}")
    return None if row is None else int(row["value"])


def move_staff_chat(db: ClinicDb, now: datetime, old: int, new: int) -> int:
    """Records the move and points every outbox row of ``old`` at ``new``, in one commit, so
    what waits goes to the new chat and a restart keeps following. Returns the rows moved."""
    with db.transaction():
        db.execute(_SET_FLAG, (db.clinic, f"{STAFF_CHAT_MOVED}{old}", str(new), to_db(now)))
        return db.execute(
            "UPDATE staff_outbox SET chat_id = ? WHERE clinic_id = ? AND chat_id = ?",
            (new, db.clinic, old),
        ).rowcount


def _flag(db: ClinicDb, name: str) -> Any:
    return db.execute(
        "SELECT value FROM flags WHERE clinic_id = ? AND name = ?", (db.clinic, name)
    ).fetchone()
