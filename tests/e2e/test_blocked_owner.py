"""An owner who blocks the bot: nothing is sent to them any more, nothing is retried, the staff
hear of it when the owner has an urgent case, and all resumes when the owner writes again."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from bot.reminders import UNREACHABLE
from bot.standins.emulator import Person
from bot.store import ReminderState
from tests.e2e.flow import confirm, identify, next_step, to_summary
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases

BLOCKED = "bot was blocked by the user"
WEDNESDAY_915 = datetime(2026, 11, 25, 9, 15, tzinfo=PARIS)
"""The day-before reminder of Thursday 09:15."""
WEDNESDAY_2059 = datetime(2026, 11, 25, 20, 59, tzinfo=PARIS)
"""The second reminder (07:15 is in the quiet hours: the evening before)."""
POLL_SECONDS = 0.02
SETTLE_POLLS = 250
"""5 s: what the bot does on a member update shows in the store only."""
SENDS = frozenset({"sendmessage", "senddocument", "editmessagetext", "editmessagereplymarkup"})


async def book_thursday_915(owner: Person) -> None:
    await identify(owner)
    await to_summary(owner, when="jeudi à 9h15", slot="09:15")
    await confirm(owner)


async def reach_settles(vetbot: VetbotRun, owner: Person, *, unreachable: bool) -> None:
    """Until the bot has handled the owner's block or return, which nobody sees an answer to
    (the store says so)."""

    def settled() -> bool:
        return (store.unreachable(owner.user.id) is not None) == unreachable

    with vetbot.store() as store:
        for _ in range(SETTLE_POLLS):
            if settled():
                return
            await asyncio.sleep(POLL_SECONDS)
    state = "unreachable" if unreachable else "reachable"
    raise AssertionError(f"{owner.user.full_name} not {state} in the store within 5 s")


def sends_to(vetbot: VetbotRun, owner: Person, since: int) -> list[str]:
    """What the bot tried to do in the owner's chat since call ``since``, refused or not."""
    return [
        call.method
        for call in vetbot.world.bot.calls[since:]
        if call.method in SENDS and str(call.params.get("chat_id")) == str(owner.user.id)
    ]


def refused_for(vetbot: VetbotRun, owner: Person) -> list[str]:
    return [
        call.description
        for call in vetbot.world.bot.refused
        if str(call.params.get("chat_id")) == str(owner.user.id)
    ]


async def deliver_at(vetbot: VetbotRun, application, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Move the clock and let the reminders loop see it (an event, not a sleep)."""
    vetbot.clock.set(when)
    await application.bot_data.reminders.deliver_due()


async def report_emergency(owner: Person) -> None:
    await owner.tap("Prendre rendez-vous")
    await next_step(owner)
    await owner.send("il a mangé une tablette de chocolat et il tremble")
    assert "Est-ce une urgence" in (await next_step(owner)).text
    await owner.tap("Oui, c'est urgent")


async def test_a_blocked_owner_gets_no_reminder_and_nothing_is_retried(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        since = len(vetbot_setup.world.bot.calls)
        await marie.block()
        await reach_settles(vetbot_setup, marie, unreachable=True)

        await deliver_at(vetbot_setup, application, WEDNESDAY_915)
        await deliver_at(vetbot_setup, application, WEDNESDAY_915 + timedelta(hours=1))
        await deliver_at(vetbot_setup, application, WEDNESDAY_2059)
        await deliver_at(vetbot_setup, application, WEDNESDAY_2059 + timedelta(hours=12))

        assert sends_to(vetbot_setup, marie, since) == []
    with vetbot_setup.store() as store:
        away = store.unreachable(marie.user.id)
        assert away is not None and "blocked" in away.reason
        (booking,) = store.upcoming_bookings(marie.user.id, vetbot_setup.clock())
        rows = store.reminders.for_booking(booking.booking_id)
    assert [(r.state, r.last_error) for r in rows] == [(ReminderState.DROPPED, UNREACHABLE)] * 2


@pytest.mark.refusals_expected(BLOCKED)
async def test_a_refused_reminder_marks_the_owner_and_the_next_one_is_not_tried(
    vetbot_setup: VetbotRun, marie
) -> None:
    """The bot never heard of the block (it was down, the update lost): Telegram's 403 on the
    first reminder is enough."""
    async with vetbot_setup.running():
        await book_thursday_915(marie)
    await marie.block()
    vetbot_setup.world.bot.updates.drop_pending()
    vetbot_setup.clock.set(WEDNESDAY_915)
    async with vetbot_setup.running() as application:
        await deliver_at(vetbot_setup, application, WEDNESDAY_915)
        await reach_settles(vetbot_setup, marie, unreachable=True)
        since = len(vetbot_setup.world.bot.calls)
        await deliver_at(vetbot_setup, application, WEDNESDAY_2059)
        assert sends_to(vetbot_setup, marie, since) == []
    assert refused_for(vetbot_setup, marie) == [f"Forbidden: {BLOCKED}"]
    with vetbot_setup.store() as store:
        (booking,) = store.upcoming_bookings(marie.user.id, vetbot_setup.clock())
        first, second = store.reminders.for_booking(booking.booking_id)
    assert (first.state, second.state) == (ReminderState.DROPPED, ReminderState.DROPPED)
    assert second.last_error == UNREACHABLE


async def test_the_owner_writes_again_and_reminders_resume(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        await marie.block()
        await reach_settles(vetbot_setup, marie, unreachable=True)
        await deliver_at(vetbot_setup, application, WEDNESDAY_915)

        await marie.command("start")  # the app's "Restart": unblocks, then writes
        await next_step(marie)
        await reach_settles(vetbot_setup, marie, unreachable=False)
        await deliver_at(vetbot_setup, application, WEDNESDAY_2059)

    (reminder,) = [m.text for m in marie.messages if m.text.startswith("⏰")]
    assert reminder.startswith("⏰ C'est bientôt") and "jeudi 26 novembre à 09:15" in reminder


async def test_the_staff_hear_once_when_the_owner_of_an_urgent_case_blocks_the_bot(
    vetbot_setup: VetbotRun, marie
) -> None:
    vetbot_setup.clock.advance(timedelta(hours=1, minutes=30))  # Monday 10:00: open
    async with vetbot_setup.running() as application:
        outbox = application.bot_data.staff_desk.outbox
        await identify(marie)
        await report_emergency(marie)
        alert = await vetbot_setup.staff.next_message()
        assert "URGENCE" in alert.text
        await next_step(marie)  # the phone to call
        await next_step(marie)  # today's slots

        await marie.block()
        notice = await vetbot_setup.staff.next_message()
        while "a bloqué le bot" not in notice.text:
            notice = await vetbot_setup.staff.next_message()
        assert notice.text == (
            "⚠️ Marie Dubois a bloqué le bot : impossible de lui écrire par Telegram. "
            "📞 06 39 98 12 34"
        )
        assert notice.raw["reply_to_message"]["message_id"] == alert.message_id

        await application.bot_data.reminders.deliver_due()
        vetbot_setup.clock.advance(timedelta(minutes=6))  # a re-alert of the untaken case
        await outbox.deliver_due()
        await outbox.deliver_due()
    notices = [m for m in vetbot_setup.staff.messages if "a bloqué le bot" in m.text]
    assert len(notices) == 1


async def request_cancel(vetbot: VetbotRun, owner: Person) -> None:
    """The owner asks the clinic to cancel their booking; the request reaches the staff."""
    await owner.tap("Mes rendez-vous")
    await next_step(owner)
    await owner.tap("Annuler · jeu.")
    await next_step(owner)
    await owner.tap("Oui, demander")
    assert "demande d'annulation est transmise" in (await next_step(owner)).text
    request = await vetbot.staff.next_message()
    while "Demande d'annulation" not in request.text:
        request = await vetbot.staff.next_message()


async def test_a_staff_decision_for_a_blocked_owner_is_neither_sent_nor_retried(
    vetbot_setup: VetbotRun, marie, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        await request_cancel(vetbot_setup, marie)
        await marie.block()
        await reach_settles(vetbot_setup, marie, unreachable=True)
        since = len(vetbot_setup.world.bot.calls)

        lea = vetbot_setup.staff_member.in_group(vetbot_setup.staff)
        assert "noté" in (await lea.tap("Fait")).text
        await lea.command("stats")  # answered once the tap is handled: the staff chat's order
        figures = await vetbot_setup.staff.next_message()
        while "7 derniers jours" not in figures.text:
            figures = await vetbot_setup.staff.next_message()
        await application.bot_data.staff_desk.outbox.deliver_due()
        assert sends_to(vetbot_setup, marie, since) == []
    with vetbot_setup.store() as store:
        assert store.upcoming_bookings(marie.user.id, vetbot_setup.clock()) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [r for r in caplog.records if "failed" in r.getMessage()]


@pytest.mark.refusals_expected(BLOCKED)
async def test_a_refused_staff_decision_marks_the_owner_without_an_error(
    vetbot_setup: VetbotRun, marie, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with vetbot_setup.running():
        await book_thursday_915(marie)
        await request_cancel(vetbot_setup, marie)
    await marie.block()
    vetbot_setup.world.bot.updates.drop_pending()
    async with vetbot_setup.running():
        await vetbot_setup.staff_member.in_group(vetbot_setup.staff).tap("Fait")
        await reach_settles(vetbot_setup, marie, unreachable=True)
    assert refused_for(vetbot_setup, marie) == [f"Forbidden: {BLOCKED}"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [r for r in caplog.records if "failed" in r.getMessage()]
