"""The update inbox of a group on several instances (PostgreSQL ``update_inbox``).

Webhook mode: Telegram posts a clinic's updates to whichever instance the load balancer picks.
That instance records the update here (``record``: once per clinic and update id, however often
Telegram redelivers it), wakes the clinic's lease holder (``NOTIFY vetbot_inbox``, in the same
statement), and only then answers Telegram: an acknowledged update is in the database, whatever
happens to the instance a moment later. Polling mode: the holder records each batch it fetched
(``record_fetched``) before the next ``getUpdates`` confirms it (``bot.launch.inbox_poller``).
The holder reads the clinic's pending updates in update order (``pending``) and marks them
handled once their handlers finished and their state is written (``mark_done``, a fenced write:
an instance that lost the clinic cannot mark anything). An update whose handling was cut short
by a crash is handled again by the next holder: at least once, never silently lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from bot.store.db import ClinicDb, PostgresDatabase

logger = logging.getLogger("vetbot.inbox")

CHANNEL: Final = "vetbot_inbox"
"""The LISTEN/NOTIFY channel; the payload is the clinic's id."""
KEPT_AFTER_DONE: Final = timedelta(days=1)
"""Handled updates stay a day (Telegram redelivers within it; the record dedupes them)."""


@dataclass(frozen=True, slots=True)
class InboxUpdate:
    update_id: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InboxDepth:
    pending: int
    oldest_seconds: float


class UpdateInbox:
    """The inbox as every instance uses it (any clinic's updates)."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._db = database

    def __repr__(self) -> str:
        return "UpdateInbox()"

    def record(self, clinic_id: str, update_id: int, payload: dict[str, Any]) -> bool:
        """Keeps the update and wakes the clinic's holder; False if it was already there."""
        row = self._db.execute(
            """WITH recorded AS (
                INSERT INTO update_inbox (clinic_id, update_id, payload, received_at)
                VALUES (?, ?, ?, now())
                ON CONFLICT (clinic_id, update_id) DO NOTHING
                RETURNING clinic_id)
            SELECT pg_notify(?, clinic_id) FROM recorded""",
            (clinic_id, update_id, json.dumps(payload, ensure_ascii=False), CHANNEL),
        ).fetchone()
        return row is not None

    def record_fetched(self, clinic_id: str, updates: Sequence[InboxUpdate]) -> set[int]:
        """Keeps a batch the clinic's holder fetched with getUpdates, in one statement, before
        the next getUpdates confirms it to Telegram; returns the ids that were not there yet
        (Telegram sends what was fetched but not confirmed again: those are handled once).
        No NOTIFY: the poller hands the new ones to its own pump."""
        if not updates:
            return set()
        rows = self._db.execute(
            """INSERT INTO update_inbox (clinic_id, update_id, payload, received_at)
            SELECT ?, fetched.update_id, fetched.payload, now()
            FROM unnest(?::bigint[], ?::text[]) AS fetched (update_id, payload)
            ON CONFLICT (clinic_id, update_id) DO NOTHING
            RETURNING update_id""",
            (
                clinic_id,
                [u.update_id for u in updates],
                [json.dumps(u.payload, ensure_ascii=False) for u in updates],
            ),
        ).fetchall()
        return {int(row[0]) for row in rows}

    def pending(self, clinic_id: str, *, limit: int = 100) -> list[InboxUpdate]:
        """The clinic's updates not handled yet, oldest first."""
        rows = self._db.execute(
            """SELECT update_id, payload FROM update_inbox
            WHERE clinic_id = ? AND done_at IS NULL ORDER BY update_id LIMIT ?""",
            (clinic_id, limit),
        ).fetchall()
        return [InboxUpdate(int(r[0]), json.loads(r[1])) for r in rows]

    def depths(self) -> dict[str, InboxDepth]:
        """Each clinic with updates not handled yet: how many, and the oldest one's age."""
        rows = self._db.execute(
            """SELECT clinic_id, count(*), EXTRACT(EPOCH FROM now() - min(received_at))
            FROM update_inbox WHERE done_at IS NULL GROUP BY clinic_id"""
        ).fetchall()
        return {str(r[0]): InboxDepth(int(r[1]), float(r[2])) for r in rows}

    def reachable(self) -> tuple[bool, str]:
        """For /readyz: the database answers."""
        try:
            self._db.execute("SELECT 1").fetchone()
        except Exception as error:  # any failure means not ready
            return False, type(error).__name__
        return True, "reachable"

    def purge_done(self) -> int:
        """Forgets updates handled more than a day ago; returns how many."""
        cursor = self._db.execute(
            "DELETE FROM update_inbox WHERE done_at < now() - ?::interval",
            (f"{KEPT_AFTER_DONE.total_seconds():.0f} seconds",),
        )
        return int(cursor.rowcount or 0)


def mark_done(db: ClinicDb, update_ids: Sequence[int]) -> None:
    """The updates were handled (fenced: only the clinic's current holder may say so)."""
    with db.transaction():
        db.execute(
            """UPDATE update_inbox SET done_at = now()
            WHERE clinic_id = ? AND update_id = ANY(?::bigint[])""",
            (db.clinic, list(update_ids)),
        )


class InboxListener:
    """One LISTEN connection per instance, waking the pump of each clinic it serves.

    A notification can be missed (the connection dropped and came back): every pump also
    looks at its clinic's inbox every few seconds on its own, and each reconnection wakes them
    all.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._wakers: dict[str, asyncio.Event] = {}

    def __repr__(self) -> str:
        return "InboxListener()"

    def waker(self, clinic_id: str) -> asyncio.Event:
        """Set whenever an update for ``clinic_id`` is recorded (by any instance)."""
        return self._wakers.setdefault(clinic_id, asyncio.Event())

    def forget(self, clinic_id: str) -> None:
        self._wakers.pop(clinic_id, None)

    async def run(self) -> None:
        """Forever (cancel the task to stop): listen, reconnecting after a failure."""
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, application_name="vetbot-inbox"
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    for event in self._wakers.values():
                        event.set()  # catch up on what was recorded while not listening
                    async for notice in conn.notifies():
                        event = self._wakers.get(notice.payload)
                        if event is not None:
                            event.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("inbox listener: %s; listening again in 1 s", error)
                await asyncio.sleep(1)
