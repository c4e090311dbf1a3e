"""Forgetting a user (``/oublier``): every row the store holds about them, in one transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Final

from bot.store.db import to_db, transaction

USER_TABLES: Final = (
    "owner_links",
    "user_prefs",
    "bookings",
    "flow_events",
    "staff_outbox",
    "staff_requests",
    "reminders",
    "status_changes",
    "owner_reach",
)
"""Every store table keyed by ``user_id``. A migration adding one must add it here (a test
checks). The ``ptb_*`` tables are PTB's: drop them through the Application (see Store).
``staff_outbox`` and ``staff_requests`` hold the owner's alerts and requests: forgetting drops
them, pending ones included; copies already posted in the staff chat stay in Telegram.
``reminders`` and ``status_changes`` follow the owner's bookings: pending ones are dropped.
``owner_reach`` says the bot cannot write to them (blocked)."""


def forget_user(conn: sqlite3.Connection, user_id: int) -> int:
    """Deletes the user's rows everywhere; returns how many rows were deleted."""
    deleted = 0
    with transaction(conn):
        for table in USER_TABLES:
            deleted += conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,)).rowcount
    return deleted


RETENTION: Final = timedelta(days=365)
"""How long the bot keeps what an appointment left behind, counted from the appointment."""

_PURGES: Final = (
    # Rows tied to old appointments first, then the appointments, then the rest by age.
    "DELETE FROM reminders WHERE booking_id IN (SELECT booking_id FROM bookings"
    " WHERE scheduled_at < :cutoff)",
    "DELETE FROM status_changes WHERE booking_id IN (SELECT booking_id FROM bookings"
    " WHERE scheduled_at < :cutoff)",
    "DELETE FROM staff_requests WHERE state != 'open' AND created_at < :cutoff",
    "DELETE FROM staff_outbox WHERE state != 'pending' AND created_at < :cutoff",
    "DELETE FROM bookings WHERE scheduled_at < :cutoff",
    "DELETE FROM flow_events WHERE at < :cutoff",
)


def purge_old(conn: sqlite3.Connection, now: datetime, retention: timedelta = RETENTION) -> int:
    """Deletes what is older than the retention (run at start-up); returns rows deleted.

    Owner links, language choices and the mark of an owner who blocked the bot
    (``owner_reach``) stay until /oublier or until the owner writes again: they are the
    owner's choices, and forgetting the block would have the bot write to them again."""
    deleted = 0
    cutoff = to_db(now - retention)
    with transaction(conn):
        for statement in _PURGES:
            deleted += conn.execute(statement, {"cutoff": cutoff}).rowcount
    return deleted
