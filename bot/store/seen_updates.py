"""Telegram update ids already handled, so a webhook redelivery is not processed twice."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Final

from bot.store.db import to_db, transaction

UPDATE_MEMORY: Final = timedelta(days=1)
"""Telegram stops redelivering an update long before this; older ids are pruned."""


def seen_update(conn: sqlite3.Connection, now: datetime, update_id: int) -> bool:
    """Records the id; True if it had already been recorded (within ``UPDATE_MEMORY``)."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM processed_updates WHERE seen_at < ?", (to_db(now - UPDATE_MEMORY),)
        )
        inserted = conn.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, seen_at) VALUES (?, ?)",
            (update_id, to_db(now)),
        ).rowcount
    return inserted == 0
