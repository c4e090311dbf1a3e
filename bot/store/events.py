"""Timestamps of steps in the owners' flows (e.g. "start", "booked"), for the staff's stats."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from bot.store.db import ClinicDb, from_db, to_db


class FlowEvent(NamedTuple):
    user_id: int
    at: datetime


def record_event(db: ClinicDb, user_id: int, kind: str, at: datetime) -> None:
    db.execute(
        "INSERT INTO flow_events (clinic_id, user_id, kind, at) VALUES (?, ?, ?, ?)",
        (db.clinic, user_id, kind, to_db(at)),
    )


def events_since(db: ClinicDb, kind: str, since: datetime) -> list[FlowEvent]:
    """The clinic's events of ``kind`` at or after ``since``, oldest first."""
    rows = db.execute(
        """SELECT user_id, at FROM flow_events WHERE clinic_id = ? AND kind = ? AND at >= ?
        ORDER BY at, id""",
        (db.clinic, kind, to_db(since)),
    )
    return [FlowEvent(row["user_id"], from_db(row["at"])) for row in rows]
