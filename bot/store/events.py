"""Timestamps of steps in the owners' flows (e.g. "start", "booked"), for the staff's stats."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple

from bot.store.db import from_db, to_db


class FlowEvent(NamedTuple):
    user_id: int
    at: datetime


def record_event(conn: sqlite3.Connection, user_id: int, kind: str, at: datetime) -> None:
    conn.execute(
        "INSERT INTO flow_events (user_id, kind, at) VALUES (?, ?, ?)",
        (user_id, kind, to_db(at)),
    )


def events_since(conn: sqlite3.Connection, kind: str, since: datetime) -> list[FlowEvent]:
    """Events of ``kind`` at or after ``since``, oldest first."""
    rows = conn.execute(
        "SELECT user_id, at FROM flow_events WHERE kind = ? AND at >= ? ORDER BY at, id",
        (kind, to_db(since)),
    )
    return [FlowEvent(row["user_id"], from_db(row["at"])) for row in rows]
