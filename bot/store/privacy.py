"""Forgetting a user (``/oublier``): every row the store holds about them, in one transaction."""

from __future__ import annotations

import sqlite3
from typing import Final

from bot.store.db import transaction

USER_TABLES: Final = (
    "owner_links",
    "user_prefs",
    "bookings",
    "flow_events",
    "staff_outbox",
    "staff_requests",
    "reminders",
    "status_changes",
)
"""Every store table keyed by ``user_id``. A migration adding one must add it here (a test
checks). The ``ptb_*`` tables are PTB's: drop them through the Application (see Store).
``staff_outbox`` and ``staff_requests`` hold the owner's alerts and requests: forgetting drops
them, pending ones included; copies already posted in the staff chat stay in Telegram.
``reminders`` and ``status_changes`` follow the owner's bookings: pending ones are dropped."""


def forget_user(conn: sqlite3.Connection, user_id: int) -> int:
    """Deletes the user's rows everywhere; returns how many rows were deleted."""
    deleted = 0
    with transaction(conn):
        for table in USER_TABLES:
            deleted += conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,)).rowcount
    return deleted
