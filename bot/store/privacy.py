"""Forgetting a user (``/oublier``): every row the clinic's store holds about them, in one
transaction; and the retention purge of old appointments.

Both touch one clinic's rows only: the same Telegram user may be an owner at another clinic
served from the same database, and that clinic's records of them are its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from bot.store.db import ClinicDb, to_db

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


def forget_user(db: ClinicDb, user_id: int) -> int:
    """Deletes this clinic's rows about the user, in every table; returns how many rows were
    deleted. Another clinic's records of the same Telegram user stay."""
    deleted = 0
    with db.transaction():
        for table in USER_TABLES:
            deleted += db.execute(
                f"DELETE FROM {table} WHERE clinic_id = ? AND user_id = ?", (db.clinic, user_id)
            ).rowcount
    return deleted


RETENTION: Final = timedelta(days=365)
"""How long the bot keeps what an appointment left behind, counted from the appointment."""

_PURGES: Final = (
    # Rows tied to old appointments first, then the appointments, then the rest by age.
    "DELETE FROM reminders WHERE clinic_id = :clinic AND booking_id IN (SELECT booking_id"
    " FROM bookings WHERE clinic_id = :clinic AND scheduled_at < :cutoff)",
    "DELETE FROM status_changes WHERE clinic_id = :clinic AND booking_id IN (SELECT booking_id"
    " FROM bookings WHERE clinic_id = :clinic AND scheduled_at < :cutoff)",
    "DELETE FROM staff_requests WHERE clinic_id = :clinic AND state != 'open'"
    " AND created_at < :cutoff",
    "DELETE FROM staff_outbox WHERE clinic_id = :clinic AND state != 'pending'"
    " AND created_at < :cutoff",
    "DELETE FROM bookings WHERE clinic_id = :clinic AND scheduled_at < :cutoff",
    "DELETE FROM flow_events WHERE clinic_id = :clinic AND at < :cutoff",
)


def purge_old(db: ClinicDb, now: datetime, retention: timedelta = RETENTION) -> int:
    """Deletes the clinic's rows older than the retention (run at start-up); returns rows
    deleted. Other clinics' rows are left to their own stores.

    Owner links, language choices and the mark of an owner who blocked the bot
    (``owner_reach``) stay until /oublier or until the owner writes again: they are the
    owner's choices, and forgetting the block would have the bot write to them again."""
    deleted = 0
    params = {"clinic": db.clinic, "cutoff": to_db(now - retention)}
    with db.transaction():
        for statement in _PURGES:
            deleted += db.execute(statement, params).rowcount
    return deleted
