"""Flow timing for the staff's stats, and de-duplication of redelivered Telegram updates."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import FlowEvent, Store
from tests.unit.store.conftest import NOW


def test_events_since_lists_one_kind_from_a_moment_on_oldest_first(
    store: Store, clock: ManualClock
) -> None:
    store.record_event(1, "start", at=NOW - timedelta(days=1))
    store.record_event(2, "start")
    clock.advance(timedelta(minutes=3))
    store.record_event(2, "booked")
    store.record_event(3, "start", at=NOW + timedelta(minutes=1))

    starts = store.events_since("start", NOW)

    assert starts == [FlowEvent(2, NOW), FlowEvent(3, NOW + timedelta(minutes=1))]
    (booked,) = store.events_since("booked", NOW)
    user_id, at = booked
    assert (user_id, at - NOW) == (2, timedelta(minutes=3))


def test_a_redelivered_update_is_recognised(store: Store) -> None:
    assert store.seen_update(1001) is False
    assert store.seen_update(1002) is False
    assert store.seen_update(1001) is True


def test_update_ids_are_forgotten_after_a_day(store: Store, clock: ManualClock) -> None:
    store.seen_update(1001)
    clock.advance(timedelta(hours=23))
    assert store.seen_update(1001) is True  # still remembered (first seen 23 h ago)

    clock.advance(timedelta(hours=2))

    assert store.seen_update(1001) is False
