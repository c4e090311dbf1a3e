"""The staff chat Telegram shuts the bot out of, or moves: nothing waiting is lost, the move is
followed (also after a restart), and the outage is told once."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.delivery import ChatMovedError, ChatUnreachableError
from bot.outbox import Outbox, OutboxKind, OutboxState
from bot.staff_chat import StaffChat
from bot.store import Store
from tests.unit.staff.conftest import FR, REALERT_AFTER, STAFF_CHAT, FakeStaffChat
from tests.unit.staff.test_outbox import ALERT, BOOKING_LINE

SUPERGROUP = -1009876543210
KICKED = "Forbidden: bot was kicked from the group chat"


def staffed_outbox(store: Store, chat: FakeStaffChat, clock: ManualClock) -> Outbox:
    return Outbox(
        store,
        chat,
        clock,
        realert_after=REALERT_AFTER,
        staff_language=FR,
        staff_chat=StaffChat(store, STAFF_CHAT),
    )


async def test_an_alert_refused_because_the_bot_was_removed_waits_and_goes_once_it_is_back(
    store: Store, chat: FakeStaffChat, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    staff_chat = StaffChat(store, STAFF_CHAT)
    outbox = Outbox(
        store, chat, clock, realert_after=REALERT_AFTER, staff_language=FR, staff_chat=staff_chat
    )
    alert = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    chat.errors = [ChatUnreachableError(KICKED)] * 3

    with caplog.at_level(logging.WARNING):
        first = await outbox.deliver_due()
        clock.advance(timedelta(minutes=10))
        second = await outbox.deliver_due()

    waiting = outbox.get(alert.id)
    assert first.retrying == (alert.id,) and second.retrying == (alert.id,)
    assert waiting is not None and waiting.state is OutboxState.PENDING
    assert not staff_chat.reachable and "kicked" in staff_chat.detail
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1

    chat.errors.clear()
    outbox.retry_now(STAFF_CHAT)  # Telegram: the bot was added back
    report = await outbox.deliver_due()

    assert report.sent == (alert.id,)
    assert chat.texts() == [ALERT.text]
    assert staff_chat.reachable


async def test_a_removed_bot_holds_every_staff_message_not_just_the_first(
    store: Store, chat: FakeStaffChat, clock: ManualClock
) -> None:
    outbox = staffed_outbox(store, chat, clock)
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)
    chat.errors = [ChatUnreachableError(KICKED)]

    await outbox.deliver_due()
    calls = chat.calls
    await outbox.deliver_due()  # held: no call per row, no call before the back-off

    assert chat.calls == calls == 1


async def test_a_group_upgraded_to_a_supergroup_gets_what_waits_at_its_new_id(
    store: Store, chat: FakeStaffChat, clock: ManualClock
) -> None:
    staff_chat = StaffChat(store, STAFF_CHAT)
    outbox = Outbox(
        store, chat, clock, realert_after=REALERT_AFTER, staff_language=FR, staff_chat=staff_chat
    )
    alert = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    line = outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)
    chat.errors = [ChatMovedError(SUPERGROUP)]

    await outbox.deliver_due()
    await outbox.deliver_due()

    assert [(p.chat_id, p.message.text) for p in chat.sent] == [
        (SUPERGROUP, ALERT.text),
        (SUPERGROUP, BOOKING_LINE.text),
    ]
    assert staff_chat.chat_id == SUPERGROUP
    assert {outbox.get(alert.id).chat_id, outbox.get(line.id).chat_id} == {SUPERGROUP}  # type: ignore[union-attr]


async def test_after_a_restart_the_bot_still_follows_the_supergroup(
    store: Store, chat: FakeStaffChat, clock: ManualClock
) -> None:
    StaffChat(store, STAFF_CHAT).moved(STAFF_CHAT, SUPERGROUP)

    again = StaffChat(store, STAFF_CHAT)  # STAFF_CHAT_ID still names the old group

    assert again.chat_id == SUPERGROUP
    assert again.ids == {STAFF_CHAT, SUPERGROUP}


def test_each_change_is_told_to_listeners_once(store: Store) -> None:
    staff_chat = StaffChat(store, STAFF_CHAT)
    heard: list[tuple[int, bool]] = []
    staff_chat.on_change(lambda: heard.append((staff_chat.chat_id, staff_chat.reachable)))

    first = staff_chat.moved(STAFF_CHAT, SUPERGROUP)
    second = staff_chat.moved(STAFF_CHAT, SUPERGROUP)  # the service message after the 400
    stranger = staff_chat.moved(-555, -1005555)
    staff_chat.lost(KICKED)
    staff_chat.lost(KICKED)  # the next retry
    staff_chat.regained()
    staff_chat.regained()

    assert (first, second, stranger) == (True, False, False)
    assert heard == [(SUPERGROUP, True), (SUPERGROUP, False), (SUPERGROUP, True)]
