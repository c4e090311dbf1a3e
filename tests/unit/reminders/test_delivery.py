"""Delivering reminders with an injected clock: the right instants, retries, restarts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import parse_quiet_hours
from bot.delivery import ChatUnreachableError, TransientDeliveryError
from bot.reminders import ReminderKind, ReminderRecord, Reminders, ReminderState, SendReminder
from bot.store import BookingRecord, Store
from tests.unit.reminders.conftest import PARIS, book, paris

DAY_BEFORE, SOON = ReminderKind.DAY_BEFORE, ReminderKind.SOON
WEDNESDAY_15 = paris(2026, 11, 25, 15)


class Owner:
    """The Telegram side: what each owner received, when; optionally failing first."""

    def __init__(self, clock: ManualClock, failures: list[Exception] | None = None) -> None:
        self._clock = clock
        self.failures = failures or []
        self.received: list[tuple[str, ReminderKind, datetime]] = []
        self.arrived = asyncio.Event()

    async def __call__(self, reminder: ReminderRecord, booking: BookingRecord) -> None:
        assert reminder.booking_id == booking.booking_id
        if self.failures:
            raise self.failures.pop(0)
        self.received.append((booking.booking_id, reminder.kind, self._clock().astimezone(PARIS)))
        self.arrived.set()

    async def next_arrival(self) -> None:
        async with asyncio.timeout(2):
            await self.arrived.wait()
        self.arrived.clear()


def reminders_for(store: Store, clock: ManualClock, owner: SendReminder, **overrides) -> Reminders:
    settings = {
        "tz": PARIS,
        "first": timedelta(hours=24),
        "second": timedelta(hours=2),
        "quiet": parse_quiet_hours("21:00-08:00"),
        **overrides,
    }
    return Reminders(store, clock, owner, **settings)


async def run_until(reminders: Reminders, clock: ManualClock, end: datetime) -> None:
    """What ``run`` does, with the clock jumping to each due instant instead of sleeping."""
    for _ in range(200):
        await reminders.deliver_due()
        due = reminders.next_due()
        if due is None or due > end:
            clock.set(end)
            await reminders.deliver_due()
            return
        clock.set(max(due, clock()))
    raise AssertionError("the delivery loop does not settle")


@pytest.fixture
def owner(clock: ManualClock) -> Owner:
    return Owner(clock)


@pytest.fixture
def reminders(store: Store, clock: ManualClock, owner: Owner) -> Reminders:
    return reminders_for(store, clock, owner)


async def test_reminders_go_out_the_day_before_and_two_hours_before(
    store: Store, clock: ManualClock, owner: Owner, reminders: Reminders
) -> None:
    reminders.schedule(book(store, WEDNESDAY_15))
    await run_until(reminders, clock, paris(2026, 11, 26, 12))
    assert owner.received == [
        ("b-1", DAY_BEFORE, paris(2026, 11, 24, 15)),
        ("b-1", SOON, paris(2026, 11, 25, 13)),
    ]


async def test_a_reminder_due_at_night_arrives_the_evening_before(
    store: Store, clock: ManualClock, owner: Owner, reminders: Reminders
) -> None:
    reminders.schedule(book(store, paris(2026, 11, 25, 8, 30)))
    await run_until(reminders, clock, paris(2026, 11, 26, 12))
    assert owner.received == [
        ("b-1", DAY_BEFORE, paris(2026, 11, 24, 8, 30)),
        ("b-1", SOON, paris(2026, 11, 24, 20, 59)),
    ]


@pytest.mark.parametrize(
    ("booked_at", "start", "expected"),
    [
        (
            paris(2026, 3, 27, 9),
            paris(2026, 3, 29, 10),
            [paris(2026, 3, 28, 9), paris(2026, 3, 29, 8)],
        ),
        (
            paris(2026, 3, 27, 9),
            paris(2026, 3, 29, 9),
            [paris(2026, 3, 28, 8), paris(2026, 3, 28, 20, 59)],
        ),
        (
            paris(2026, 10, 23, 9),
            paris(2026, 10, 25, 10),
            [paris(2026, 10, 24, 11), paris(2026, 10, 25, 8)],
        ),
        (
            paris(2026, 10, 23, 9),
            paris(2026, 10, 25, 9),
            [paris(2026, 10, 24, 10), paris(2026, 10, 24, 20, 59)],
        ),
    ],
    ids=["spring", "spring-early", "autumn", "autumn-early"],
)
async def test_across_a_daylight_saving_change(
    store: Store,
    clock: ManualClock,
    owner: Owner,
    reminders: Reminders,
    booked_at: datetime,
    start: datetime,
    expected: list[datetime],
) -> None:
    clock.set(booked_at)
    reminders.schedule(book(store, start))
    await run_until(reminders, clock, start)
    assert [when for _, _, when in owner.received] == expected
    assert [when.utcoffset() for when in expected] == [w.utcoffset() for _, _, w in owner.received]


async def test_a_transient_failure_is_retried_and_the_owner_gets_it_once(
    store: Store, clock: ManualClock
) -> None:
    owner = Owner(clock, failures=[TransientDeliveryError()])
    reminders = reminders_for(store, clock, owner, first=None)
    reminders.schedule(book(store, WEDNESDAY_15))
    clock.set(paris(2026, 11, 25, 13))

    first = await reminders.deliver_due()
    assert first.retrying and not first.sent
    assert reminders.next_due() == paris(2026, 11, 25, 13, 0, 5)

    await run_until(reminders, clock, WEDNESDAY_15)
    assert owner.received == [("b-1", SOON, paris(2026, 11, 25, 13, 0, 5))]
    (row,) = store.reminders.for_booking("b-1")
    assert (row.state, row.attempts) == (ReminderState.SENT, 2)


async def test_flood_control_holds_every_reminder(store: Store, clock: ManualClock) -> None:
    owner = Owner(clock, failures=[TransientDeliveryError(retry_after=30)])
    reminders = reminders_for(store, clock, owner, first=None)
    reminders.schedule(book(store, WEDNESDAY_15, booking_id="a"))
    reminders.schedule(book(store, WEDNESDAY_15, booking_id="b", user_id=7))
    clock.set(paris(2026, 11, 25, 13))

    report = await reminders.deliver_due()

    assert (report.sent, len(report.retrying)) == ((), 1)
    assert reminders.next_due() == paris(2026, 11, 25, 13, 0, 30)
    await run_until(reminders, clock, WEDNESDAY_15)
    assert sorted(owner.received) == [
        ("a", SOON, paris(2026, 11, 25, 13, 0, 30)),
        ("b", SOON, paris(2026, 11, 25, 13, 0, 30)),
    ]


async def test_a_bug_in_the_sender_delays_the_reminder_without_losing_it(
    store: Store, clock: ManualClock
) -> None:
    owner = Owner(clock, failures=[RuntimeError("oops")])
    reminders = reminders_for(store, clock, owner, first=None)
    reminders.schedule(book(store, WEDNESDAY_15))
    await run_until(reminders, clock, WEDNESDAY_15)
    assert owner.received == [("b-1", SOON, paris(2026, 11, 25, 13, 0, 5))]


async def test_an_owner_who_blocked_the_bot_is_not_retried(
    store: Store, clock: ManualClock
) -> None:
    owner = Owner(clock, failures=[ChatUnreachableError("Forbidden: bot was blocked")])
    reminders = reminders_for(store, clock, owner)
    reminders.schedule(book(store, WEDNESDAY_15))
    await run_until(reminders, clock, WEDNESDAY_15)
    assert owner.received == [("b-1", SOON, paris(2026, 11, 25, 13))]
    assert [r.state for r in store.reminders.for_booking("b-1")] == [
        ReminderState.DROPPED,
        ReminderState.SENT,
    ]


async def test_no_reminder_for_a_cancelled_or_past_appointment(
    store: Store, clock: ManualClock, owner: Owner, reminders: Reminders
) -> None:
    reminders.schedule(book(store, WEDNESDAY_15, booking_id="cancelled"))
    reminders.schedule(book(store, paris(2026, 11, 23, 9, 30), booking_id="soon-past"))
    store.mark_cancelled("cancelled")
    await run_until(reminders, clock, paris(2026, 11, 26, 12))
    assert owner.received == []
    assert {r.state for r in store.reminders.for_booking("cancelled")} == {ReminderState.DROPPED}


async def test_a_booking_moved_elsewhere_is_reminded_at_its_new_time_only(
    store: Store, clock: ManualClock, owner: Owner, reminders: Reminders
) -> None:
    """Moved by the owner's list refresh, without anyone calling ``schedule``."""
    reminders.schedule(book(store, WEDNESDAY_15))
    thursday = paris(2026, 11, 26, 16)
    store.set_booking_status(
        "b-1", api_status="SCHEDULED", display_status="Planifié", scheduled_at=thursday
    )
    await run_until(reminders, clock, paris(2026, 11, 27, 12))
    assert owner.received == [
        ("b-1", DAY_BEFORE, paris(2026, 11, 25, 16)),
        ("b-1", SOON, paris(2026, 11, 26, 14)),
    ]


class TestRestart:
    """A restart is a new ``Reminders`` on a new ``Store`` over the same file."""

    @pytest.fixture
    def reopen(self, db_file: Path, clock: ManualClock) -> Iterator:
        opened: list[Store] = []

        def reopen() -> Store:
            store = Store.open(db_file, clock)
            opened.append(store)
            return store

        yield reopen
        for store in opened:
            store.close()

    async def test_between_scheduling_and_firing_loses_none_and_duplicates_none(
        self, store: Store, clock: ManualClock, owner: Owner, reminders: Reminders, reopen
    ) -> None:
        reminders.schedule(book(store, WEDNESDAY_15))
        await run_until(reminders, clock, paris(2026, 11, 24, 18))  # the first one is sent
        store.close()

        after = reminders_for(reopen(), clock, owner)
        assert after.rebuild() == 0
        await run_until(after, clock, paris(2026, 11, 26, 12))

        assert owner.received == [
            ("b-1", DAY_BEFORE, paris(2026, 11, 24, 15)),
            ("b-1", SOON, paris(2026, 11, 25, 13)),
        ]

    async def test_a_booking_never_scheduled_before_the_crash_is_planned_at_start_up(
        self, store: Store, clock: ManualClock, owner: Owner, reopen
    ) -> None:
        book(store, WEDNESDAY_15)
        store.close()
        after = reminders_for(reopen(), clock, owner)
        assert after.rebuild() == 1
        await run_until(after, clock, paris(2026, 11, 26, 12))
        assert [kind for _, kind, _ in owner.received] == [DAY_BEFORE, SOON]

    async def test_after_a_long_downtime_only_the_second_reminder_goes(
        self, store: Store, clock: ManualClock, owner: Owner, reminders: Reminders, reopen
    ) -> None:
        reminders.schedule(book(store, WEDNESDAY_15))
        store.close()
        clock.set(paris(2026, 11, 25, 13, 30))  # down since Monday
        after = reminders_for(reopen(), clock, owner)
        after.rebuild()
        await run_until(after, clock, paris(2026, 11, 26, 12))
        assert owner.received == [("b-1", SOON, paris(2026, 11, 25, 13, 30))]

    async def test_back_at_night_the_overdue_reminder_waits_for_the_morning(
        self, store: Store, clock: ManualClock, owner: Owner, reminders: Reminders, reopen
    ) -> None:
        reminders.schedule(book(store, paris(2026, 11, 25, 9)))
        reminders.schedule(book(store, paris(2026, 11, 25, 8, 15), booking_id="too-early"))
        store.close()
        clock.set(paris(2026, 11, 24, 22))  # the 20:59 reminders were missed
        after = reminders_for(reopen(), clock, owner)
        await run_until(after, clock, paris(2026, 11, 26, 12))
        assert owner.received == [("b-1", SOON, paris(2026, 11, 25, 8))]


async def test_the_background_task_sends_when_due_and_when_woken(
    store: Store, clock: ManualClock, owner: Owner, reminders: Reminders
) -> None:
    reminders.schedule(book(store, WEDNESDAY_15))
    clock.set(paris(2026, 11, 24, 15))
    task = asyncio.create_task(reminders.run())
    try:
        await owner.next_arrival()
        clock.set(paris(2026, 11, 25, 13))  # the loop sleeps on the real clock: wake it
        reminders.wake()
        await owner.next_arrival()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [kind for _, kind, _ in owner.received] == [DAY_BEFORE, SOON]


async def test_a_booking_cancelled_while_a_pass_is_sending_is_not_reminded(
    store: Store, clock: ManualClock
) -> None:
    sent: list[str] = []

    async def send(reminder: ReminderRecord, booking: BookingRecord) -> None:
        sent.append(booking.booking_id)
        store.mark_cancelled("b")  # meanwhile, staff cancel the other appointment

    reminders = reminders_for(store, clock, send, first=None)
    reminders.schedule(book(store, WEDNESDAY_15, booking_id="a"))
    reminders.schedule(book(store, WEDNESDAY_15, booking_id="b", user_id=7))
    clock.set(paris(2026, 11, 25, 13))
    await reminders.deliver_due()
    assert sent == ["a"]
