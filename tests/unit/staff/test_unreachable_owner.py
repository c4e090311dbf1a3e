"""When an owner blocks the bot: which urgent case the staff must hear about, once per episode,
and one log line per change."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import owner_reach
from bot.clock import ManualClock
from bot.i18n import Catalogs
from bot.store import OutboxKind, StaffMessage, Store
from tests.unit.staff.conftest import NOW, STAFF_CHAT

BLOCKED = "Forbidden: bot was blocked by the user"
ALERT = StaffMessage("🚨 <b>URGENCE</b> : intoxication")


def raise_alert(store: Store, user_id: int = 42) -> int:
    return store.outbox.add(
        OutboxKind.URGENT, STAFF_CHAT, ALERT, owner_user_id=user_id, needs_ack=True
    ).id


def test_an_urgent_case_of_the_last_24_hours_is_followed_taken_or_not(
    store: Store, clock: ManualClock
) -> None:
    taken = raise_alert(store)
    store.outbox.acknowledge(taken, by_id=1, by_name="Léa")
    clock.advance(timedelta(hours=23, minutes=59))
    alerts = store.outbox.urgent_alerts_of(42, NOW - owner_reach.URGENT_FOLLOW_UP)

    followed = owner_reach.alert_to_follow(alerts, clock())

    assert followed is not None and followed.id == taken


def test_an_urgent_case_older_than_a_day_is_not_followed_even_untaken(
    store: Store, clock: ManualClock
) -> None:
    raise_alert(store)  # nobody tapped "Je prends": many clinics just call back
    clock.advance(timedelta(hours=24, minutes=1))
    alerts = store.outbox.urgent_alerts_of(42, NOW - timedelta(days=30))

    assert owner_reach.alert_to_follow(alerts, clock()) is None


def test_the_newest_case_is_the_one_quoted(store: Store, clock: ManualClock) -> None:
    raise_alert(store)
    clock.advance(timedelta(hours=3))
    newest = raise_alert(store)
    alerts = store.outbox.urgent_alerts_of(42, NOW)

    followed = owner_reach.alert_to_follow(alerts, clock())

    assert followed is not None and followed.id == newest


def test_the_staff_hear_once_per_episode(store: Store, clock: ManualClock) -> None:
    alert = raise_alert(store)
    assert owner_reach.staff_must_hear(store, 42, clock()) is None  # still reachable

    owner_reach.lost(store, 42, BLOCKED)
    first = owner_reach.staff_must_hear(store, 42, clock())
    clock.advance(timedelta(minutes=5))
    owner_reach.lost(store, 42, BLOCKED)  # another refused send, same episode
    second = owner_reach.staff_must_hear(store, 42, clock())

    assert first is not None and first.id == alert
    assert second is None
    owner_reach.regained(store, 42)
    owner_reach.lost(store, 42, BLOCKED)
    again = owner_reach.staff_must_hear(store, 42, clock())
    assert again is not None and again.id == alert


def test_an_owner_without_an_urgent_case_is_no_news_for_the_staff(
    store: Store, clock: ManualClock
) -> None:
    raise_alert(store, user_id=7)  # someone else's case
    owner_reach.lost(store, 42, BLOCKED)

    assert owner_reach.staff_must_hear(store, 42, clock()) is None


def test_each_change_is_logged_once_with_the_user_id_only(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vetbot.owner_reach")

    assert owner_reach.lost(store, 42, BLOCKED) is True
    assert owner_reach.lost(store, 42, BLOCKED) is False
    assert owner_reach.reachable(store, 42) is False
    assert owner_reach.regained(store, 42) is True
    assert owner_reach.regained(store, 42) is False

    lines = [r.getMessage() for r in caplog.records if r.name == "vetbot.owner_reach"]
    assert len(lines) == 2
    assert "owner 42 unreachable" in lines[0] and "owner 42 reachable again" in lines[1]


def test_the_staff_notice_names_the_owner_and_the_phone_and_quotes_the_alert() -> None:
    _ = Catalogs(ZoneInfo("Europe/Paris"))["fr"]

    blocked = owner_reach.unreachable_notice(
        _, owner="Marie <Dubois>", phone="06 12 34 56 78", blocked=True, quote=501
    )
    gone = owner_reach.unreachable_notice(_, owner="Marie", phone=None, blocked=False, quote=None)

    assert blocked.text == (
        "⚠️ Marie &lt;Dubois&gt; a bloqué le bot : impossible de lui écrire par Telegram. "
        "📞 06 12 34 56 78"
    )
    assert blocked.reply_to_message_id == 501 and blocked.buttons == ()
    assert gone.text == "⚠️ Marie n'est plus joignable par Telegram. 📞 ?"
    assert gone.reply_to_message_id is None
    assert owner_reach.was_blocked(BLOCKED)
    assert not owner_reach.was_blocked("Forbidden: user is deactivated")
