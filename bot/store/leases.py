"""Clinics leased to the instances of a group on PostgreSQL (``instances``, ``clinic_leases``).

Each running vetbot process (an *instance*) says it is alive (``heartbeat``), takes its fair
share of the group's clinics (``claim``), renews what it holds (``renew``) and gives clinics back
(``release``: on SIGTERM, or when a new instance joins and the share shrinks). A lease lapses
``ttl`` after its last renewal; a lapsed lease may be claimed by anyone. Each change of holder
adds one to the lease's *epoch*: the ``Fence`` that every write transaction of the clinic checks
(``bot.store.db.PostgresDatabase.transaction``), so an instance that lost a clinic (paused,
partitioned) can no longer mark anything sent or claimed for it.

Every time is the database server's (``now()``): the instances' clocks are never compared.
Every statement is one round trip, atomic on its own; claims skip rows another instance is
claiming at the same moment (``FOR UPDATE SKIP LOCKED``), so two instances never get one
clinic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.store.db import Fence, PostgresDatabase


@dataclass(frozen=True, slots=True)
class Lease:
    clinic_id: str
    epoch: int


def fair_share(clinics: int, instances: int) -> int:
    """How many clinics each live instance should hold (rounded up: none is left over)."""
    return math.ceil(clinics / max(instances, 1))


class LeaseTable:
    """One instance's side of the lease tables."""

    def __init__(self, database: PostgresDatabase, instance: str, ttl: timedelta) -> None:
        self._db = database
        self.instance = instance
        self._ttl = ttl

    def __repr__(self) -> str:
        return f"LeaseTable(instance={self.instance!r}, ttl={self._ttl.total_seconds():g}s)"

    @property
    def _interval(self) -> str:
        return f"{self._ttl.total_seconds():.3f} seconds"

    def fence(self, lease: Lease) -> Fence:
        return Fence(self.instance, lease.epoch)

    def heartbeat(self) -> int:
        """This instance is alive; returns how many instances are (itself included): those
        seen within the lease time. Instances silent for three lease times are forgotten."""
        self._db.execute(
            """INSERT INTO instances (instance_id, started_at, seen_at) VALUES (?, now(), now())
            ON CONFLICT (instance_id) DO UPDATE SET seen_at = now()""",
            (self.instance,),
        )
        self._db.execute(
            "DELETE FROM instances WHERE seen_at < now() - 3 * ?::interval", (self._interval,)
        )
        row = self._db.execute(
            "SELECT count(*) FROM instances WHERE seen_at > now() - ?::interval",
            (self._interval,),
        ).fetchone()
        return int(row[0])

    def declare(self, clinic_ids: Iterable[str]) -> None:
        """The group's clinics have a lease row each (free until claimed)."""
        ids = sorted(set(clinic_ids))
        if ids:
            self._db.execute(
                """INSERT INTO clinic_leases (clinic_id, holder, epoch, expires_at, changed_at)
                SELECT id, NULL, 0, now(), now() FROM unnest(?::text[]) AS id
                ON CONFLICT (clinic_id) DO NOTHING""",
                (ids,),
            )

    def renew(self) -> list[Lease]:
        """Every lease this instance holds, renewed for ``ttl``. A lease another instance took
        (after it lapsed) is not among them: it is lost."""
        rows = self._db.execute(
            """UPDATE clinic_leases SET expires_at = now() + ?::interval
            WHERE holder = ? RETURNING clinic_id, epoch""",
            (self._interval, self.instance),
        ).fetchall()
        return sorted((Lease(str(r[0]), int(r[1])) for r in rows), key=lambda x: x.clinic_id)

    def claim(self, clinic_ids: Sequence[str], count: int) -> list[Lease]:
        """Up to ``count`` of ``clinic_ids`` that nobody holds (free, or lapsed), now this
        instance's, each at a new epoch."""
        if count <= 0 or not clinic_ids:
            return []
        rows = self._db.execute(
            """UPDATE clinic_leases SET holder = ?, epoch = epoch + 1,
                expires_at = now() + ?::interval, changed_at = now()
            WHERE clinic_id IN (
                SELECT clinic_id FROM clinic_leases
                WHERE clinic_id = ANY(?::text[])
                  AND (holder IS NULL OR expires_at <= now())
                ORDER BY changed_at, clinic_id
                LIMIT ? FOR UPDATE SKIP LOCKED)
            RETURNING clinic_id, epoch""",
            (self.instance, self._interval, list(clinic_ids), count),
        ).fetchall()
        return sorted((Lease(str(r[0]), int(r[1])) for r in rows), key=lambda x: x.clinic_id)

    def release(self, clinic_ids: Iterable[str]) -> None:
        """Gives these clinics back at once (their bots stopped first): another instance may
        claim them at its next round, without waiting for the lease to lapse."""
        ids = sorted(set(clinic_ids))
        if ids:
            self._db.execute(
                """UPDATE clinic_leases SET holder = NULL, expires_at = now(), changed_at = now()
                WHERE holder = ? AND clinic_id = ANY(?::text[])""",
                (self.instance, ids),
            )

    def leave(self) -> None:
        """This instance stops: its row goes, so the others' share grows at once."""
        self._db.execute("DELETE FROM instances WHERE instance_id = ?", (self.instance,))

    def holders(self) -> dict[str, str | None]:
        """Each clinic's current holder (None: free or lapsed), for metrics and tests."""
        rows = self._db.execute(
            """SELECT clinic_id, CASE WHEN expires_at > now() THEN holder END
            FROM clinic_leases ORDER BY clinic_id"""
        ).fetchall()
        return {str(r[0]): (None if r[1] is None else str(r[1])) for r in rows}
