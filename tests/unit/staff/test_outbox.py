"""The staff outbox: an alert is recorded first, then reaches the staff chat once, whatever
Telegram or a restart does; urgent alerts nag until someone takes them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.delivery import RefusedDeliveryError, TransientDeliveryError
from bot.outbox import (
    BACKOFF_START,
    DEFAULT_MAX_REALERTS,
    Outbox,
    OutboxKind,
    OutboxState,
    StaffButton,
    StaffMessage,
    should_announce,
)
from bot.runtime.flood_limits import FloodLimits, GroupPacer
from bot.store import Store
from tests.unit.staff.conftest import CATALOGS, FR, REALERT_AFTER, STAFF_CHAT, FakeStaffChat

TAKE = StaffButton("Je prends", callback_data="ack:1")
CALL = StaffButton("Rappeler", callback_data="call:1")
ALERT = StaffMessage(
    text="🚨 <b>Urgence</b> Mimi (chat, européen, 4 ans)\nMarie Dubois · 06 12 34 56 78",
    buttons=((TAKE, CALL), (StaffButton("Ouvrir la conversation", url="tg://user?id=42"),)),
)
BOOKING_LINE = StaffMessage(text="📅 Moka · Vaccination · mardi 24 novembre à 10:30")


async def test_an_enqueued_alert_is_in_the_file_before_delivery_then_sent_once(
    outbox: Outbox, chat: FakeStaffChat, db_file: Path, clock: ManualClock
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, owner_user_id=42)

    with Store.open(db_file, clock) as other:  # another connection sees it: committed
        seen = other.outbox.get(record.id)
    assert seen is not None and seen.state is OutboxState.PENDING

    report = await outbox.deliver_due()
    again = await outbox.deliver_due()

    assert report.sent == (record.id,) and again.sent == ()
    assert [(p.chat_id, p.message) for p in chat.sent] == [(STAFF_CHAT, ALERT)]
    delivered = outbox.get(record.id)
    assert delivered is not None
    assert (delivered.state, delivered.message_id) == (OutboxState.SENT, chat.sent[0].message_id)


async def test_buttons_can_name_the_alert_they_belong_to(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    def alert(outbox_id: int) -> StaffMessage:
        return StaffMessage("🚨", ((StaffButton("Je prends", callback_data=f"ack:{outbox_id}"),),))

    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, alert, needs_ack=True)
    await outbox.deliver_due()

    assert record.message == alert(record.id)
    assert chat.sent[0].message.buttons[0][0].callback_data == f"ack:{record.id}"


async def test_urgent_alerts_go_before_older_announcements(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)

    await outbox.deliver_due()

    assert chat.texts() == [ALERT.text, BOOKING_LINE.text]


async def test_telegram_flood_control_delays_the_alert_and_it_is_sent_exactly_once(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    chat.errors.append(TransientDeliveryError("429", retry_after=30))
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)

    first = await outbox.deliver_due()
    assert first.retrying == (record.id,) and chat.sent == []
    assert chat.calls == 1  # the announcement waited: nothing is sent during flood control
    assert outbox.next_due() == clock() + timedelta(seconds=30)

    clock.advance(timedelta(seconds=29))
    assert (await outbox.deliver_due()).sent == ()
    clock.advance(timedelta(seconds=1))
    await outbox.deliver_due()
    await outbox.deliver_due()

    assert chat.texts() == [ALERT.text, BOOKING_LINE.text]


async def test_a_network_error_backs_off_and_never_gives_up(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    chat.errors.extend(TransientDeliveryError("network down") for _ in range(3))
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)

    delays = []
    for _ in range(3):
        await outbox.deliver_due()
        due = outbox.next_due()
        assert due is not None
        delays.append(due - clock())
        clock.set(due)
    await outbox.deliver_due()

    assert delays == [BACKOFF_START, 2 * BACKOFF_START, 4 * BACKOFF_START]
    assert chat.texts() == [ALERT.text]
    delivered = outbox.get(record.id)
    assert delivered is not None and delivered.attempts == 4


async def test_a_restart_delivers_what_was_pending_and_nothing_twice(
    db_file: Path, clock: ManualClock
) -> None:
    before = FakeStaffChat(errors=[TransientDeliveryError("502")])
    with Store.open(db_file, clock) as store:
        outbox = Outbox(store, before, clock, realert_after=REALERT_AFTER, staff_language=FR)
        outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)
        await outbox.deliver_due()  # the 502: still pending when the bot stops
        outbox.enqueue(OutboxKind.REQUEST, STAFF_CHAT, StaffMessage("📝 Annulation"))
    clock.advance(timedelta(minutes=1))

    after = FakeStaffChat()
    with Store.open(db_file, clock) as store:
        outbox = Outbox(store, after, clock, realert_after=REALERT_AFTER, staff_language=FR)
        await outbox.deliver_due()
        await outbox.deliver_due()
    assert before.sent == []
    assert after.texts() == [BOOKING_LINE.text, "📝 Annulation"]

    again = FakeStaffChat()
    with Store.open(db_file, clock) as store:
        await Outbox(
            store, again, clock, realert_after=REALERT_AFTER, staff_language=FR
        ).deliver_due()
    assert again.calls == 0


async def test_a_send_cut_off_before_its_commit_is_sent_again_after_restart(
    db_file: Path, clock: ManualClock
) -> None:
    """The documented at-least-once window: Telegram took it, the bot died before recording."""
    chat = FakeStaffChat(gate=asyncio.Event())
    with Store.open(db_file, clock) as store:
        outbox = Outbox(store, chat, clock, realert_after=REALERT_AFTER, staff_language=FR)
        outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
        task = asyncio.create_task(outbox.deliver_due())
        await asyncio.sleep(0)
        task.cancel()  # as a shutdown or a kill would, mid-send
        with pytest.raises(asyncio.CancelledError):
            await task

    after = FakeStaffChat()
    with Store.open(db_file, clock) as store:
        await Outbox(
            store, after, clock, realert_after=REALERT_AFTER, staff_language=FR
        ).deliver_due()
    assert after.texts() == [ALERT.text]


async def test_adding_the_appointment_to_a_sent_alert_edits_the_same_message(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    await outbox.deliver_due()
    with_slot = StaffMessage(ALERT.text + "\n📅 RDV mardi à 10:30", ALERT.buttons)

    updated = outbox.update(record.id, with_slot, booking_id="b-1")
    report = await outbox.deliver_due()

    assert updated is not None and updated.needs_edit and updated.booking_id == "b-1"
    assert report.edited == (record.id,)
    assert [(p.message_id, p.message) for p in chat.edits] == [(chat.sent[0].message_id, with_slot)]
    assert len(chat.sent) == 1
    assert (await outbox.deliver_due()).edited == ()


async def test_an_update_before_delivery_is_sent_as_the_message_not_as_an_edit(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    newer = StaffMessage(ALERT.text + "\n📅 RDV", ALERT.buttons)
    outbox.update(record.id, newer)

    await outbox.deliver_due()

    assert [p.message for p in chat.sent] == [newer] and chat.edits == []


async def test_an_update_while_the_send_is_in_flight_becomes_an_edit(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    chat.gate = asyncio.Event()
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    delivering = asyncio.create_task(outbox.deliver_due())
    await asyncio.sleep(0)
    newer = StaffMessage(ALERT.text + "\n📅 RDV", ALERT.buttons)
    outbox.update(record.id, newer)
    chat.gate.set()
    await delivering

    await outbox.deliver_due()

    assert [p.message for p in chat.sent] == [ALERT]
    assert [p.message for p in chat.edits] == [newer]


async def test_the_first_to_take_an_alert_wins_and_re_alerts_stop(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()

    first = outbox.acknowledge(record.id, by_id=7, by_name="Julie")
    second = outbox.acknowledge(record.id, by_id=8, by_name="Paul")
    clock.advance(REALERT_AFTER * 3)
    report = await outbox.deliver_due()

    assert first is not None and (first.acknowledged_by_name, first.acknowledged_at) == (
        "Julie",
        clock() - REALERT_AFTER * 3,
    )
    assert first.realert_at is None
    assert second is None
    assert report.realerted == () and chat.texts() == [ALERT.text]
    assert outbox.acknowledge(999, by_id=7, by_name="Julie") is None


async def test_an_announcement_cannot_be_acknowledged(outbox: Outbox) -> None:
    record = outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)
    assert outbox.acknowledge(record.id, by_id=7, by_name="Julie") is None


async def test_an_untaken_alert_is_sent_again_after_the_delay_quoting_the_alert(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    clock.advance(timedelta(seconds=40))  # delivered late: the delay counts from delivery
    await outbox.deliver_due()

    clock.advance(REALERT_AFTER - timedelta(seconds=1))
    assert (await outbox.deliver_due()).realerted == ()
    clock.advance(timedelta(seconds=1))
    report = await outbox.deliver_due()

    assert report.realerted == (record.id,) and len(report.sent) == 1
    realert = chat.sent[1].message
    assert realert.text.startswith("⏰ <b>Toujours pas pris en charge</b> (depuis 5 min)")
    assert "Mimi (chat, européen, 4 ans)" in realert.text and "Marie" not in realert.text
    assert realert.reply_to_message_id == chat.sent[0].message_id
    assert realert.buttons == ALERT.buttons  # "Je prends" there takes the alert itself
    alert = outbox.get(record.id)
    assert alert is not None and alert.realert_count == 1
    assert alert.realert_at == clock() + REALERT_AFTER


async def test_re_alerts_stop_after_the_cap(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()
    for _ in range(DEFAULT_MAX_REALERTS + 3):
        clock.advance(REALERT_AFTER)
        await outbox.deliver_due()

    assert len(chat.sent) == 1 + DEFAULT_MAX_REALERTS
    assert outbox.next_due() is None


async def test_taking_the_alert_clears_the_buttons_of_its_re_alerts(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()
    clock.advance(REALERT_AFTER)
    await outbox.deliver_due()

    outbox.acknowledge(record.id, by_id=7, by_name="Julie <Accueil>")
    await outbox.deliver_due()

    [edit] = chat.edits
    assert edit.message_id == chat.sent[1].message_id
    assert edit.message.buttons == () and "Julie &lt;Accueil&gt;" in edit.message.text


async def test_a_re_alert_still_pending_when_the_alert_is_taken_is_never_sent(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()
    clock.advance(REALERT_AFTER)
    chat.errors.append(TransientDeliveryError("502"))
    await outbox.deliver_due()  # the re-alert is recorded, its send fails

    outbox.acknowledge(record.id, by_id=7, by_name="Julie")
    clock.advance(REALERT_AFTER)
    await outbox.deliver_due()

    assert chat.texts() == [ALERT.text]


async def test_a_chat_that_refuses_for_good_fails_the_message_and_logs_it(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    chat.errors.append(RefusedDeliveryError("Forbidden: bot was kicked from the group chat"))
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    following = outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, BOOKING_LINE)

    with caplog.at_level(logging.ERROR, logger="vetbot.alerts"):
        report = await outbox.deliver_due()
    clock.advance(REALERT_AFTER * 2)
    later = await outbox.deliver_due()

    assert report.failed == (record.id,) and report.sent == (following.id,)
    failed = outbox.get(record.id)
    assert failed is not None and failed.state is OutboxState.FAILED
    assert failed.last_error is not None and "kicked" in failed.last_error
    assert later == type(later)()  # no retry, no re-alert
    assert "refused for good" in caplog.text


async def test_an_edit_refused_for_good_is_dropped_and_the_rest_goes_on(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
    await outbox.deliver_due()
    outbox.update(record.id, StaffMessage("edited"))
    chat.errors.append(RefusedDeliveryError("message to edit not found"))

    report = await outbox.deliver_due()

    assert report.failed == (record.id,)
    assert outbox.next_due() is None


async def test_a_bug_in_the_transport_delays_the_alert_instead_of_dropping_it(
    outbox: Outbox, chat: FakeStaffChat, clock: ManualClock
) -> None:
    chat.errors.append(RuntimeError("boom"))
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)

    assert (await outbox.deliver_due()).retrying == (record.id,)
    clock.advance(BACKOFF_START)
    assert (await outbox.deliver_due()).sent == (record.id,)


async def test_the_background_task_delivers_as_soon_as_something_is_enqueued(
    outbox: Outbox, chat: FakeStaffChat
) -> None:
    runner = asyncio.create_task(outbox.run())
    try:
        await asyncio.sleep(0.01)
        assert outbox.next_due() is None  # idle: waiting on the event, not polling
        outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)
        async with asyncio.timeout(2):
            await chat.arrived.wait()
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    assert chat.texts() == [ALERT.text]


async def test_wait_until_due_returns_when_woken(outbox: Outbox) -> None:
    waiting = asyncio.create_task(outbox.wait_until_due())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    outbox.wake()
    async with asyncio.timeout(1):
        await waiting


async def test_forgetting_the_owner_drops_their_pending_alert(
    outbox: Outbox, chat: FakeStaffChat, store: Store
) -> None:
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, owner_user_id=42)
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, BOOKING_LINE, owner_user_id=7)

    store.forget_owner(42)
    await outbox.deliver_due()

    assert chat.texts() == [BOOKING_LINE.text]


def test_buttons_are_checked_when_built_not_when_telegram_refuses_them() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        StaffButton("Je prends", callback_data="x" * 65)
    with pytest.raises(ValueError, match="exactly one"):
        StaffButton("Rappeler")


@pytest.mark.parametrize(
    ("setting", "urgent", "announced"),
    [("all", False, True), ("all", True, True), ("urgent", False, False), ("urgent", True, True)],
)
def test_staff_announce_setting(setting: str, urgent: bool, announced: bool) -> None:
    assert should_announce(setting, is_urgent=urgent) is announced  # type: ignore[arg-type]


async def test_a_restart_does_not_burst_past_the_groups_limit(
    db_file: Path, clock: ManualClock
) -> None:
    """Telegram counts the group's last minute across a restart; a new process's rate limiter
    starts empty. The outbox paces by what its store says was sent (the crash run saw 429s)."""
    waited: list[float] = []
    elapsed = [0.0]

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        elapsed[0] += seconds

    def pacer() -> GroupPacer:
        return GroupPacer(FloodLimits(), monotonic=lambda: elapsed[0], sleep=sleep)

    before = FakeStaffChat()
    with Store.open(db_file, clock) as store:
        outbox = Outbox(
            store, before, clock, realert_after=REALERT_AFTER, staff_language=FR, pacer=pacer()
        )
        for number in range(18):
            outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage(f"📅 RDV {number}"))
        await outbox.deliver_due()
    assert len(before.sent) == 18 and waited == []  # a burst the group allows
    clock.advance(timedelta(seconds=3))  # killed, restarted at once

    after = FakeStaffChat()
    with Store.open(db_file, clock) as store:
        outbox = Outbox(
            store, after, clock, realert_after=REALERT_AFTER, staff_language=FR, pacer=pacer()
        )
        outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("📅 RDV 18"))
        outbox.enqueue(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("📅 RDV 19"))
        await outbox.deliver_due()
    assert after.texts() == ["📅 RDV 18", "📅 RDV 19"]
    # 18 sent 3 s before the restart leave 17 in the bucket (it drains one every 3 s): one
    # more fits under the limit less the margin of 2, the next waits its 3 s.
    assert waited == [pytest.approx(3.0)]


async def test_the_re_alert_and_its_taken_line_speak_the_staff_s_language(
    store: Store, chat: FakeStaffChat, clock: ManualClock
) -> None:
    """A clinic whose staff read English gets its re-alerts in English, as its alerts."""
    outbox = Outbox(store, chat, clock, realert_after=REALERT_AFTER, staff_language=CATALOGS["en"])
    record = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()
    clock.advance(REALERT_AFTER)
    await outbox.deliver_due()
    assert chat.sent[1].message.text.startswith("⏰ <b>Still not taken</b> (for 5 min): ")
    outbox.acknowledge(record.id, by_id=7, by_name="Julie")
    await outbox.deliver_due()
    assert [edit.message.text for edit in chat.edits] == ["⏰ ✅ Taken by Julie."]
