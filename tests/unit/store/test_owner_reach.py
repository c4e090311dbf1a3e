"""Owners the bot cannot write to: a mark that survives restarts, set and cleared once per
change, and one staff notice per unreachable episode."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.store import OutboxKind, StaffMessage, Store
from bot.store.owners import Unreachable
from tests.unit.store.conftest import NOW

BLOCKED = "Forbidden: bot was blocked by the user"
STAFF_CHAT = -100123


def test_an_owner_marked_unreachable_stays_so_after_a_restart(
    store_url: str, clock: ManualClock
) -> None:
    with Store.open(store_url, clock) as first:
        assert first.unreachable(42) is None
        assert first.mark_unreachable(42, BLOCKED) is True

    with Store.open(store_url, clock) as reopened:
        assert reopened.unreachable(42) == Unreachable(42, NOW, BLOCKED, None)
        assert reopened.unreachable(7) is None


def test_the_mark_is_news_once_per_episode(store: Store, clock: ManualClock) -> None:
    assert store.mark_unreachable(42, BLOCKED) is True
    clock.advance(timedelta(hours=1))
    assert store.mark_unreachable(42, "my_chat_member: kicked") is False

    away = store.unreachable(42)
    assert away is not None and (away.since, away.reason) == (NOW, BLOCKED)  # the first one

    assert store.mark_reachable(42) is True
    assert store.mark_reachable(42) is False
    assert store.unreachable(42) is None
    assert store.mark_unreachable(42, BLOCKED) is True  # a new episode
    again = store.unreachable(42)
    assert again is not None and again.since == NOW + timedelta(hours=1)


def test_the_staff_notice_is_claimed_once_per_episode(store: Store, clock: ManualClock) -> None:
    assert store.claim_unreachable_notice(42) is False  # reachable: nothing to tell

    store.mark_unreachable(42, BLOCKED)
    assert store.claim_unreachable_notice(42) is True
    assert store.claim_unreachable_notice(42) is False
    away = store.unreachable(42)
    assert away is not None and away.staff_told_at == NOW

    store.mark_reachable(42)
    store.mark_unreachable(42, BLOCKED)
    assert store.claim_unreachable_notice(42) is True


def test_forgetting_the_owner_forgets_the_mark(store: Store) -> None:
    store.mark_unreachable(42, BLOCKED)
    store.mark_unreachable(7, BLOCKED)

    assert store.forget_owner(42) == 1

    assert store.unreachable(42) is None
    assert store.unreachable(7) is not None


def test_urgent_alerts_of_an_owner_newest_first_without_realerts(
    store: Store, clock: ManualClock
) -> None:
    alert = StaffMessage("🚨 URGENCE")
    old = store.outbox.add(OutboxKind.URGENT, STAFF_CHAT, alert, owner_user_id=42, needs_ack=True)
    clock.advance(timedelta(hours=2))
    store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("📅"), owner_user_id=42)
    store.outbox.add(OutboxKind.URGENT, STAFF_CHAT, alert, owner_user_id=7, needs_ack=True)
    new = store.outbox.add(
        OutboxKind.URGENT,
        STAFF_CHAT,
        alert,
        owner_user_id=42,
        needs_ack=True,
        realert_at=clock(),
    )
    store.outbox.mark_sent(new.id, message_id=1, revision=0, realert_at=clock())
    store.outbox.add_realert(new.id, StaffMessage("⏰"), next_realert_at=None)

    assert [a.id for a in store.outbox.urgent_alerts_of(42, NOW)] == [new.id, old.id]
    assert [a.id for a in store.outbox.urgent_alerts_of(42, NOW + timedelta(hours=1))] == [new.id]
