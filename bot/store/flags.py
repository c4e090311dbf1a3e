"""Bot-wide switches staff can flip from the chat, kept across restarts (e.g. the booking pause).

A tiny name → text table: one row per switch, no history.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Final

from bot.store.db import from_db, to_db, transaction

PAUSED_UNTIL: Final = "paused_until"
PAUSED_INDEFINITELY: Final = datetime.max.replace(tzinfo=UTC)
"""A pause with no end, until ``/reprise`` (``/pause`` without a duration pauses 2 hours)."""


def set_paused_until(conn: sqlite3.Connection, now: datetime, when: datetime | None) -> None:
    """Pauses online booking until ``when``; None resumes it."""
    with transaction(conn):
        if when is None:
            conn.execute("DELETE FROM flags WHERE name = ?", (PAUSED_UNTIL,))
            return
        conn.execute(
            """INSERT INTO flags (name, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                value = excluded.value, updated_at = excluded.updated_at""",
            (PAUSED_UNTIL, to_db(when), to_db(now)),
        )


def paused_until(conn: sqlite3.Connection, now: datetime) -> datetime | None:
    """When the pause ends, or None when booking is open (never paused, resumed, or expired)."""
    row = conn.execute("SELECT value FROM flags WHERE name = ?", (PAUSED_UNTIL,)).fetchone()
    if row is None:
        return None
    until = from_db(row["value"])
    return until if until > now else None


STAFF_CHAT_MOVED: Final = "staff_chat_moved:"
"""``staff_chat_moved:<old id>`` → the id Telegram gave the staff group when it became a
supergroup; the setting (``STAFF_CHAT_ID``) may still name the old one after a restart."""


def staff_chat_moved_to(conn: sqlite3.Connection, old_chat_id: int) -> int | None:
    """The chat the staff group ``old_chat_id`` became, or None if it never moved."""
    row = conn.execute(
        "SELECT value FROM flags WHERE name = ?", (f"{STAFF_CHAT_MOVED}{old_chat_id}",)
    ).fetchone()
    return None if row is None else int(row["value"])


def move_staff_chat(conn: sqlite3.Connection, now: datetime, old: int, new: int) -> int:
    """Records the move and points every outbox row of ``old`` at ``new``, in one commit, so
    what waits goes to the new chat and a restart keeps following. Returns the rows moved."""
    with transaction(conn):
        conn.execute(
            """INSERT INTO flags (name, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                value = excluded.value, updated_at = excluded.updated_at""",
            (f"{STAFF_CHAT_MOVED}{old}", str(new), to_db(now)),
        )
        return conn.execute(
            "UPDATE staff_outbox SET chat_id = ? WHERE chat_id = ?", (new, old)
        ).rowcount
