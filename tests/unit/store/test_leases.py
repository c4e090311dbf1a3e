"""Clinic leases on a real PostgreSQL: a fair share each, no clinic held twice, a lapsed or
released lease taken over at a new epoch, and the old holder's writes refused by the fence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store.db import ClinicDb, Fence, PostgresDatabase
from bot.store.errors import LeaseLost
from bot.store.leases import LeaseTable, fair_share

TTL = timedelta(seconds=30)
CLINICS = ["brest", "lyon", "nantes", "paris"]


def _lapse(pg_database: PostgresDatabase, clinic_id: str) -> None:
    """As if its holder had stopped renewing a lease time ago (no sleeping in tests)."""
    pg_database.execute(
        "UPDATE clinic_leases SET expires_at = now() - interval '1 second' WHERE clinic_id = ?",
        (clinic_id,),
    )


@pytest.mark.parametrize(
    ("clinics", "instances", "share"), [(4, 1, 4), (4, 2, 2), (5, 2, 3), (20, 3, 7), (3, 0, 3)]
)
def test_fair_share_leaves_no_clinic_over(clinics: int, instances: int, share: int) -> None:
    assert fair_share(clinics, instances) == share


def test_instances_share_the_clinics_and_never_hold_one_twice(
    pg_database: PostgresDatabase,
) -> None:
    first = LeaseTable(pg_database, "first", TTL)
    second = LeaseTable(pg_database, "second", TTL)
    first.declare(CLINICS)
    second.declare(CLINICS)  # declaring again changes nothing
    assert first.heartbeat() == 1
    held = first.claim(CLINICS, fair_share(len(CLINICS), 1))
    assert [lease.clinic_id for lease in held] == CLINICS
    assert all(lease.epoch == 1 for lease in held)

    assert second.heartbeat() == 2
    assert second.claim(CLINICS, 2) == [], "every clinic is held"

    first.release(["lyon", "paris"])  # the share shrank: two given back
    taken = second.claim(CLINICS, 2)
    assert [(lease.clinic_id, lease.epoch) for lease in taken] == [("lyon", 2), ("paris", 2)]
    assert [lease.clinic_id for lease in first.renew()] == ["brest", "nantes"]
    assert [lease.clinic_id for lease in second.renew()] == ["lyon", "paris"]
    assert first.holders() == {
        "brest": "first",
        "lyon": "second",
        "nantes": "first",
        "paris": "second",
    }


def test_a_lapsed_lease_is_taken_over_and_its_old_holder_fenced_off(
    pg_database: PostgresDatabase,
) -> None:
    first = LeaseTable(pg_database, "first", TTL)
    second = LeaseTable(pg_database, "second", TTL)
    first.declare(CLINICS)
    (lease,) = first.claim(["nantes"], 1)
    fenced = ClinicDb(pg_database, "nantes", first.fence(lease))
    with fenced.transaction():
        fenced.execute("SELECT 1")  # the holder writes

    _lapse(pg_database, "nantes")  # the first instance paused past its lease time
    with pytest.raises(LeaseLost), fenced.transaction():
        pytest.fail("a lapsed lease must not let a write through")

    (taken,) = second.claim(["nantes"], 1)
    assert taken.epoch == lease.epoch + 1
    assert "nantes" not in [held.clinic_id for held in first.renew()], "lost, not renewed"
    with pytest.raises(LeaseLost), fenced.transaction():
        pytest.fail("the old holder must not write once another took over")
    with ClinicDb(pg_database, "nantes", second.fence(taken)).transaction():
        pass  # the new holder writes


def test_a_stale_epoch_is_refused_even_by_the_same_instance(pg_database: PostgresDatabase) -> None:
    """Released then claimed again: the bot started under the old epoch is fenced off."""
    table = LeaseTable(pg_database, "only", TTL)
    table.declare(["lyon"])
    (old,) = table.claim(["lyon"], 1)
    table.release(["lyon"])
    (new,) = table.claim(["lyon"], 1)
    with (
        pytest.raises(LeaseLost),
        ClinicDb(pg_database, "lyon", Fence("only", old.epoch)).transaction(),
    ):
        pass
    with ClinicDb(pg_database, "lyon", table.fence(new)).transaction():
        pass


def test_an_instance_that_left_no_longer_counts(pg_database: PostgresDatabase) -> None:
    first = LeaseTable(pg_database, "first", TTL)
    second = LeaseTable(pg_database, "second", TTL)
    first.heartbeat()
    assert second.heartbeat() == 2
    first.leave()
    assert second.heartbeat() == 1
