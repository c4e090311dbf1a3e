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
"""``/pause`` without a duration: paused until ``/reprise``."""


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
