"""An owner who blocked the bot gets no reminder and no notice, and no Telegram call is made
for them; once they are back, what is still due reaches them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bot.clock import ManualClock
from bot.config import parse_quiet_hours
from bot.delivery import ChatUnreachableError
from bot.reminders import UNREACHABLE, ReminderKind, ReminderRecord, Reminders, ReminderState
from bot.status_watch import HELD, StatusChange, StatusChangeKind, StatusWatcher
from bot.store import BookingRecord, NoticeState, Store
from bot.treats import RetryPolicy, TreatsClient
from tests.support.treats_fixtures import API_ROOT, SANDBOX_ORIGIN
from tests.unit.reminders.conftest import PARIS, book, paris

BLOCKED = "Forbidden: bot was blocked by the user"
THURSDAY_915 = paris(2026, 11, 26, 9, 15)


class OwnerChat:
    """The Telegram side as the loops see it: what reached the owner, what was attempted.
    ``refuse`` plays Telegram's 403 after the owner blocked the bot: the Telegram layer marks
    them in the store and raises, as conversations.blocked_owners does."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.attempts = 0
        self.received: list[str] = []
        self.refuse = False

    async def reminder(self, reminder: ReminderRecord, booking: BookingRecord) -> None:
        self._attempt(booking.user_id)
        self.received.append(str(reminder.kind))

    async def notice(self, change: StatusChange) -> None:
        self._attempt(change.booking.user_id)
        self.received.append(str(change.kind))

    def _attempt(self, user_id: int) -> None:
        self.attempts += 1
        if self.refuse:
            self._store.mark_unreachable(user_id, BLOCKED)
            raise ChatUnreachableError(BLOCKED)


def reminders_for(store: Store, clock: ManualClock, chat: OwnerChat) -> Reminders:
    return Reminders(
        store,
        clock,
        chat.reminder,
        tz=PARIS,
        first=timedelta(hours=24),
        second=timedelta(hours=2),
        quiet=parse_quiet_hours("21:00-08:00"),
    )


async def at(reminders: Reminders, clock: ManualClock, when: datetime) -> None:
    clock.set(when)
    await reminders.deliver_due()


async def test_no_reminder_is_attempted_while_the_owner_is_unreachable(
    store: Store, clock: ManualClock
) -> None:
    chat = OwnerChat(store)
    reminders = reminders_for(store, clock, chat)
    reminders.schedule(book(store, THURSDAY_915))
    store.mark_unreachable(42, BLOCKED)  # Telegram's my_chat_member: kicked

    await at(reminders, clock, paris(2026, 11, 25, 9, 15))
    await at(reminders, clock, paris(2026, 11, 25, 9, 16))

    assert chat.attempts == 0
    first, second = store.reminders.for_booking("b-1")
    assert (first.kind, first.state, first.last_error) == (
        ReminderKind.DAY_BEFORE,
        ReminderState.DROPPED,
        UNREACHABLE,
    )
    assert second.state is ReminderState.PENDING  # not due yet


async def test_reminders_resume_once_the_owner_is_back(store: Store, clock: ManualClock) -> None:
    chat = OwnerChat(store)
    reminders = reminders_for(store, clock, chat)
    reminders.schedule(book(store, THURSDAY_915))
    store.mark_unreachable(42, BLOCKED)
    await at(reminders, clock, paris(2026, 11, 25, 9, 15))

    store.mark_reachable(42)  # the owner wrote again
    await at(reminders, clock, paris(2026, 11, 25, 20, 59))  # the second one, before quiet hours

    assert chat.received == [ReminderKind.SOON]


async def test_a_refused_reminder_is_not_retried_and_the_next_is_not_attempted(
    store: Store, clock: ManualClock
) -> None:
    chat = OwnerChat(store)
    chat.refuse = True  # blocked, and the bot has not heard of it yet
    reminders = reminders_for(store, clock, chat)
    reminders.schedule(book(store, THURSDAY_915))

    await at(reminders, clock, paris(2026, 11, 25, 9, 15))
    await at(reminders, clock, paris(2026, 11, 25, 9, 45))
    await at(reminders, clock, paris(2026, 11, 25, 20, 59))
    await at(reminders, clock, paris(2026, 11, 26, 9, 0))

    assert chat.attempts == 1
    assert store.unreachable(42) is not None
    first, second = store.reminders.for_booking("b-1")
    assert (first.state, second.state) == (ReminderState.DROPPED, ReminderState.DROPPED)
    assert second.last_error == UNREACHABLE


@pytest.fixture
async def watcher(
    sandbox_app: Starlette, clock: ManualClock, store: Store
) -> AsyncIterator[StatusWatcher]:
    async with TreatsClient(
        SANDBOX_ORIGIN + API_ROOT,
        "unused: no read in these tests",
        transport=httpx.ASGITransport(app=sandbox_app),
        clock=clock,
        retry=RetryPolicy(attempts=1, base_delay=0, max_delay=0, attempt_timeout=1.0),
    ) as treats:
        yield StatusWatcher(treats, store, clock, share=0.10)


def cancelled_by_clinic(store: Store, clock: ManualClock) -> StatusChange:
    booking = book(store, THURSDAY_915)
    change = store.status_changes.record_check(
        booking,
        clock(),
        api_status="CANCELLED",
        display_status="Annulé",
        scheduled_at=booking.scheduled_at,
        change=StatusChangeKind.CANCELLED,
    )
    assert change is not None
    return change


async def test_a_clinic_notice_waits_without_a_call_and_reaches_the_owner_when_back(
    store: Store, clock: ManualClock, watcher: StatusWatcher
) -> None:
    chat = OwnerChat(store)
    change = cancelled_by_clinic(store, clock)
    store.mark_unreachable(42, BLOCKED)

    for _ in range(3):
        assert await watcher.notify_pending(chat.notice) == 0

    held = store.status_changes.get(change.id)
    assert held is not None and chat.attempts == 0
    assert (held.state, held.last_error, held.attempts) == (NoticeState.PENDING, HELD, 1)

    store.mark_reachable(42)
    assert await watcher.notify_pending(chat.notice) == 1
    assert chat.received == [StatusChangeKind.CANCELLED]
    told = store.status_changes.get(change.id)
    assert told is not None and told.state is NoticeState.NOTIFIED


async def test_a_refused_notice_is_held_not_retried(
    store: Store, clock: ManualClock, watcher: StatusWatcher
) -> None:
    chat = OwnerChat(store)
    chat.refuse = True
    change = cancelled_by_clinic(store, clock)

    for _ in range(3):
        await watcher.notify_pending(chat.notice)

    assert chat.attempts == 1
    held = store.status_changes.get(change.id)
    assert held is not None and (held.state, held.last_error) == (NoticeState.PENDING, HELD)


async def test_a_held_notice_whose_appointment_has_passed_is_never_sent(
    store: Store, clock: ManualClock, watcher: StatusWatcher
) -> None:
    chat = OwnerChat(store)
    change = cancelled_by_clinic(store, clock)
    store.mark_unreachable(42, BLOCKED)
    await watcher.notify_pending(chat.notice)

    clock.advance(THURSDAY_915 - clock() + timedelta(hours=1))  # the appointment is past
    store.mark_reachable(42)
    delivered = await watcher.notify_pending(chat.notice)

    assert delivered == 0 and chat.attempts == 0
    outdated = store.status_changes.get(change.id)
    assert outdated is not None and outdated.state is NoticeState.OUTDATED
