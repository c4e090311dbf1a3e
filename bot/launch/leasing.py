"""This instance's share of a clinic group, kept through the lease table (PostgreSQL).

Every ``LEASE_ROUND`` the keeper says this instance is alive, renews what it holds, stops the
clinics whose lease it lost, gives back what exceeds its fair share (its bots stopped first,
so a clinic never runs on two instances), and claims free or lapsed clinics up to its share.
An instance killed with ``kill -9`` stops renewing: its leases lapse after ``LEASE_TTL`` and the
others take its clinics at their next round, so a clinic answers again within about
``LEASE_TTL + LEASE_ROUND`` plus its bot's start. Each clinic's bot runs with the lease's fence:
a write of an instance that lost the clinic is refused (``bot.store.leases``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Final

from bot.clinic_group import Deployment
from bot.store.db import Fence
from bot.store.leases import Lease, LeaseTable, fair_share

logger = logging.getLogger("vetbot.leases")

LEASE_TTL: Final = timedelta(seconds=8)
LEASE_ROUND: Final = timedelta(seconds=2)
"""Renewed four times per lease time: a loop stalled six seconds still keeps its clinics."""

ApplyLeased = Callable[[Deployment, Mapping[str, Fence]], Awaitable[object]]
"""Runs exactly the clinics of ``Deployment`` that have a fence here (``ClinicGroup``)."""


def instance_id() -> str:
    """Unique among instances, readable in the lease table: host, process, a random tail."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class LeaseKeeper:
    """Keeps the clinics this instance runs equal to the leases it holds."""

    def __init__(self, table: LeaseTable, apply: ApplyLeased) -> None:
        self._table = table
        self._apply = apply
        self._held: dict[str, Lease] = {}
        self._lock = asyncio.Lock()
        self.changes: Counter[str] = Counter({"took": 0, "gave_back": 0, "lost": 0})
        """Leases taken, given back and lost since this instance started (metrics)."""

    @property
    def instance(self) -> str:
        return self._table.instance

    @property
    def held(self) -> Mapping[str, Lease]:
        return self._held

    async def step(self, deployment: Deployment, running: Mapping[str, Path | None]) -> None:
        """One round. ``running``: the clinics this instance runs now, with their files (a
        clinic whose file a reload refused keeps running, and its lease is kept)."""
        async with self._lock:
            await self._step(deployment, running)

    async def _step(self, deployment: Deployment, running: Mapping[str, Path | None]) -> None:
        refused = {refusal.source for refusal in deployment.refused}
        declared = {bot.id for bot in deployment.clinics}
        kept_broken = {
            cid
            for cid, source in running.items()
            if cid not in declared and source in refused and cid in self._held
        }
        ids = sorted(declared | kept_broken)
        table = self._table
        live = table.heartbeat()
        table.declare(ids)
        renewed = {lease.clinic_id: lease for lease in table.renew()}
        for cid, lease in self._held.items():
            if renewed.get(cid) != lease:
                logger.warning("lease of clinic %s lost (epoch %d): stopping it", cid, lease.epoch)
                self.changes["lost"] += 1
        share = fair_share(len(ids), live)
        keep = [cid for cid in sorted(renewed) if cid in ids][:share]
        give_back = [cid for cid in renewed if cid not in keep]
        fences = {cid: table.fence(renewed[cid]) for cid in keep}
        await self._apply(deployment, fences)  # stops lost and given-back clinics first
        if give_back:
            table.release(give_back)
            self.changes["gave_back"] += len(give_back)
            logger.info("gave back %s (share %d of %d live instance(s))", give_back, share, live)
        claimed = table.claim([cid for cid in ids if cid not in fences], share - len(fences))
        if claimed:
            self.changes["took"] += len(claimed)
            fences.update({lease.clinic_id: table.fence(lease) for lease in claimed})
            logger.info(
                "took %s (share %d of %d live instance(s))",
                [lease.clinic_id for lease in claimed],
                share,
                live,
            )
            await self._apply(deployment, fences)
        self._held = {cid: renewed.get(cid) or _lease(claimed, cid) for cid in fences}

    async def leave(self, stop_all: Callable[[], Awaitable[None]]) -> None:
        """SIGTERM: every bot stopped (its last writes still fenced in), then every lease
        given back at once and this instance forgotten, so the others take over at their next
        round instead of after the lease time."""
        async with self._lock:
            await stop_all()
            self._table.release(list(self._held))
            self._table.leave()
            self._held = {}


def _lease(claimed: list[Lease], clinic_id: str) -> Lease:
    return next(lease for lease in claimed if lease.clinic_id == clinic_id)
