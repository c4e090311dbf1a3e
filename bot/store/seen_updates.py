"""Telegram update ids already handled, so a webhook redelivery is not processed twice.

Kept per clinic, like everything in the store: an id one clinic handled does not make the same
id a redelivery at another (Telegram numbers each bot's updates on its own).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from bot.store.db import ClinicDb, to_db

UPDATE_MEMORY: Final = timedelta(days=1)
"""Telegram stops redelivering an update long before this; older ids are pruned."""


def seen_update(db: ClinicDb, now: datetime, update_id: int) -> bool:
    """Records the id; True if it had already been recorded (within ``UPDATE_MEMORY``)."""
    with db.transaction():
        db.execute(
            "DELETE FROM processed_updates WHERE clinic_id = ? AND seen_at < ?",
            (db.clinic, to_db(now - UPDATE_MEMORY)),
        )
        inserted = db.execute(
            """INSERT INTO processed_updates (clinic_id, update_id, seen_at) VALUES (?, ?, ?)
            ON CONFLICT (clinic_id, update_id) DO NOTHING""",
            (db.clinic, update_id, to_db(now)),
        ).rowcount
    return inserted == 0
