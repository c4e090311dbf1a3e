"""Pausing online booking: it holds across restarts and ends by itself or with /reprise."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.store import PAUSED_INDEFINITELY, Store


def test_booking_is_open_until_paused(store: Store) -> None:
    assert store.paused_until() is None


def test_a_timed_pause_ends_by_itself(store: Store, clock: ManualClock) -> None:
    until = clock() + timedelta(hours=2)
    store.set_paused_until(until)

    assert store.paused_until() == until
    clock.advance(timedelta(hours=2))
    assert store.paused_until() is None


def test_reprise_ends_a_pause_without_end(store: Store, clock: ManualClock) -> None:
    store.set_paused_until(PAUSED_INDEFINITELY)
    clock.advance(timedelta(days=30))
    assert store.paused_until() == PAUSED_INDEFINITELY

    store.set_paused_until(None)
    assert store.paused_until() is None


def test_a_pause_survives_a_restart(db_file: Path, clock: ManualClock) -> None:
    until = clock() + timedelta(minutes=45)
    with Store.open(db_file, clock) as store:
        store.set_paused_until(until)
    with Store.open(db_file, clock) as store:
        assert store.paused_until() == until
