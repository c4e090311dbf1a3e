"""The update inbox on a real PostgreSQL: an update kept once however often Telegram sends it,
its clinic's holder woken, read back in order, and marked handled only by the lease holder."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.store.db import ClinicDb, PostgresDatabase
from bot.store.errors import LeaseLost
from bot.store.inbox import InboxListener, InboxUpdate, UpdateInbox, mark_done
from bot.store.leases import LeaseTable

TTL = timedelta(seconds=30)


def _update(update_id: int, text: str) -> dict:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


def test_an_update_is_kept_once_and_read_back_in_order(pg_database: PostgresDatabase) -> None:
    inbox = UpdateInbox(pg_database)
    assert inbox.record("lyon", 12, _update(12, "deuxième"))
    assert inbox.record("lyon", 11, _update(11, "première"))
    assert not inbox.record("lyon", 12, _update(12, "deuxième")), "a redelivery is not kept"
    assert inbox.record("nantes", 11, _update(11, "autre clinique"))
    pending = inbox.pending("lyon")
    assert [(item.update_id, item.payload["message"]["text"]) for item in pending] == [
        (11, "première"),
        (12, "deuxième"),
    ]
    depths = inbox.depths()
    assert depths["lyon"].pending == 2 and depths["nantes"].pending == 1


def test_a_polled_batch_is_kept_once_and_only_its_new_updates_come_back(
    pg_database: PostgresDatabase,
) -> None:
    """What a holder fetched with getUpdates and died before confirming, Telegram sends again
    to the next holder: those ids are already there and are not handed to its bot twice."""
    inbox = UpdateInbox(pg_database)
    first = [InboxUpdate(21, _update(21, "bonjour")), InboxUpdate(22, _update(22, "vaccin"))]
    assert inbox.record_fetched("lyon", first) == {21, 22}
    again = [*first, InboxUpdate(23, _update(23, "mardi à 10h"))]
    assert inbox.record_fetched("lyon", again) == {23}
    assert inbox.record_fetched("lyon", []) == set()
    assert [item.update_id for item in inbox.pending("lyon")] == [21, 22, 23]
    assert inbox.pending("lyon")[2].payload["message"]["text"] == "mardi à 10h"
    assert inbox.pending("nantes") == []


def test_only_the_lease_holder_marks_an_update_handled(pg_database: PostgresDatabase) -> None:
    inbox = UpdateInbox(pg_database)
    table = LeaseTable(pg_database, "holder", TTL)
    table.declare(["lyon"])
    (lease,) = table.claim(["lyon"], 1)
    inbox.record("lyon", 1, _update(1, "bonjour"))
    inbox.record("lyon", 2, _update(2, "vaccin"))

    mark_done(ClinicDb(pg_database, "lyon", table.fence(lease)), [1])
    assert [item.update_id for item in inbox.pending("lyon")] == [2]

    table.release(["lyon"])  # the clinic moved on: this instance may no longer mark
    with pytest.raises(LeaseLost):
        mark_done(ClinicDb(pg_database, "lyon", table.fence(lease)), [2])
    assert [item.update_id for item in inbox.pending("lyon")] == [2], "left for the new holder"


async def test_recording_an_update_wakes_the_clinic_s_listener(
    pg_database: PostgresDatabase, migrated_postgres_url: str
) -> None:
    listener = InboxListener(migrated_postgres_url)
    lyon, nantes = listener.waker("lyon"), listener.waker("nantes")
    listening = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(lyon.wait(), 10)  # connected: every waker set to catch up
        lyon.clear()
        nantes.clear()
        UpdateInbox(pg_database).record("lyon", 7, _update(7, "urgence"))
        await asyncio.wait_for(lyon.wait(), 10)
        assert not nantes.is_set()
    finally:
        listening.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listening


def test_handled_updates_leave_the_inbox_after_a_day(pg_database: PostgresDatabase) -> None:
    inbox = UpdateInbox(pg_database)
    table = LeaseTable(pg_database, "holder", TTL)
    table.declare(["lyon"])
    (lease,) = table.claim(["lyon"], 1)
    for update_id in (1, 2, 3):
        inbox.record("lyon", update_id, _update(update_id, "bonjour"))
    mark_done(ClinicDb(pg_database, "lyon", table.fence(lease)), [1, 2])
    pg_database.execute(
        "UPDATE update_inbox SET done_at = now() - interval '25 hours' WHERE update_id = 1"
    )
    assert inbox.purge_done() == 1, "only the update handled over a day ago"
    assert not inbox.record("lyon", 2, _update(2, "bonjour")), "a recent one still dedupes"
    assert [item.update_id for item in inbox.pending("lyon")] == [3]
