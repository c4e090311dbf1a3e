"""Clinic-side changes reach the owner, against the real sandbox, within the quota share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.clock import ManualClock
from bot.config import parse_quiet_hours
from bot.reminders import ReminderKind, Reminders, ReminderState
from bot.standins.sandbox import Permission, SandboxState
from bot.status_watch import StatusChange, StatusChangeKind, StatusWatcher
from bot.store import BookingRecord, BookingState, NoticeState, Store, db_path
from bot.treats import RetryPolicy, TreatsClient
from tests.support.treats_fixtures import API_ROOT, PARIS, SANDBOX_ORIGIN
from tests.unit.reminders.conftest import book

FAST = RetryPolicy(attempts=3, base_delay=0, max_delay=0, attempt_timeout=2.0)
READ_ONE = ("GET", f"{API_ROOT}/appointments/{{id}}")
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def store(tmp_path: Path, sandbox_clock: ManualClock) -> Iterator[Store]:
    with Store.open(db_path(tmp_path / "data"), sandbox_clock) as opened:
        yield opened


@pytest.fixture
def key(sandbox: SandboxState) -> str:
    return sandbox.api_key


@pytest.fixture
async def treats(
    sandbox_app: Starlette, sandbox_clock: ManualClock, key: str
) -> AsyncIterator[TreatsClient]:
    async with TreatsClient(
        SANDBOX_ORIGIN + API_ROOT,
        key,
        transport=httpx.ASGITransport(app=sandbox_app),
        clock=sandbox_clock,
        retry=FAST,
        sleep=_no_sleep,
    ) as client:
        yield client


@pytest.fixture
def watcher(treats: TreatsClient, store: Store, sandbox_clock: ManualClock) -> StatusWatcher:
    return StatusWatcher(treats, store, sandbox_clock, share=0.10)


def booked(
    sandbox: SandboxState, store: Store, start: datetime = TUESDAY_10, booking_id: str = "b-1"
) -> BookingRecord:
    """An appointment in the clinic's calendar and the bot's booked row for it."""
    owner = sandbox.seed.demo_owner_one_pet
    appointment = sandbox.create_appointment(
        client_id=owner.id,
        patient_id=sandbox.seed.demo_pet.id,
        vet_id=sandbox.seed.vet_named("Dr Claire Martin").id,
        scheduled_at=start,
        appointment_type_id=sandbox.seed.type_named("Vaccination").id,
        reason="Rappel annuel",
        is_urgent=False,
    )
    return book(store, start, booking_id=booking_id, appointment_id=appointment.id)


def reads(sandbox: SandboxState) -> int:
    return len(sandbox.statuses(*READ_ONE))


async def watch_for(watcher: StatusWatcher, clock: ManualClock, span: timedelta) -> list:
    """Rounds for ``span`` of simulated time, the clock jumping to each allowed read."""
    end = clock() + span
    changes: list[StatusChange] = []
    while (due := watcher.next_check_at()) is not None and due < end:
        clock.set(max(due, clock()))
        changes += await watcher.refresh_due()
    clock.set(end)
    return changes


class TickingClock(ManualClock):
    """Like the real clock, a microsecond later at every reading."""

    def __call__(self) -> datetime:
        self.advance(timedelta(microseconds=1))
        return super().__call__()


async def test_a_running_clock_reads_an_unread_appointment_instead_of_spinning(
    sandbox: SandboxState, store: Store, treats: TreatsClient, sandbox_clock: ManualClock
) -> None:
    """With a clock that moves between two readings, a never-read appointment was "due in a
    microsecond" forever: the loop woke, skipped and slept 0 s, at full CPU."""
    clock = TickingClock(sandbox_clock())
    watcher = StatusWatcher(treats, store, clock, share=0.10)
    booking = booked(sandbox, store)
    sandbox.set_status(booking.appointment_id, "CANCELLED")
    changes = await watcher.refresh_due()
    assert [c.kind for c in changes] == [StatusChangeKind.CANCELLED]
    assert reads(sandbox) == 1


async def test_a_clinic_cancellation_is_detected_once(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher, sandbox_clock: ManualClock
) -> None:
    booking = booked(sandbox, store)
    assert await watcher.refresh_due() == []  # unchanged
    sandbox.set_status(booking.appointment_id, "CANCELLED")

    changes = await watch_for(watcher, sandbox_clock, timedelta(hours=2))

    assert [(c.kind, c.api_status, c.display_status) for c in changes] == [
        (StatusChangeKind.CANCELLED, "CANCELLED", "Annulé")
    ]
    assert changes[0].booking.state is BookingState.CANCELLED
    assert store.booking("b-1").state is BookingState.CANCELLED
    assert reads(sandbox) == 2  # a cancelled booking is no longer watched


async def test_a_move_is_detected_once_and_its_reminders_follow(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher, sandbox_clock: ManualClock
) -> None:
    booking = booked(sandbox, store)
    store.confirm_presence("b-1")
    thursday = datetime(2026, 11, 26, 16, 0, tzinfo=PARIS)
    sandbox.move(booking.appointment_id, thursday)

    changes = await watch_for(watcher, sandbox_clock, timedelta(hours=2))

    assert [(c.kind, c.old_start, c.new_start) for c in changes] == [
        (StatusChangeKind.MOVED, TUESDAY_10, thursday)
    ]
    moved = store.booking("b-1")
    assert moved.scheduled_at == thursday and moved.presence_confirmed_at is None
    reminders = Reminders(
        store,
        sandbox_clock,
        _never_sent,
        tz=PARIS,
        first=timedelta(hours=24),
        second=timedelta(hours=2),
        quiet=parse_quiet_hours("21:00-08:00"),
    )
    reminders.schedule(changes[0].booking, told_at=sandbox_clock())
    assert [(r.kind, r.due_at) for r in store.reminders.for_booking("b-1")] == [
        (ReminderKind.DAY_BEFORE, thursday - timedelta(hours=24)),
        (ReminderKind.SOON, thursday - timedelta(hours=2)),
    ]


async def test_a_status_the_owner_had_not_seen_is_a_change(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher
) -> None:
    booking = booked(sandbox, store)
    sandbox.set_status(booking.appointment_id, "CONFIRMED")
    (change,) = await watcher.refresh_due()
    assert (change.kind, change.api_status, change.display_status) == (
        StatusChangeKind.STATUS,
        "CONFIRMED",
        "Confirmé",
    )


async def test_an_appointment_gone_from_the_api_counts_as_cancelled(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher
) -> None:
    booking = booked(sandbox, store)
    del sandbox.appointments[booking.appointment_id]
    (change,) = await watcher.refresh_due()
    assert (change.kind, change.api_status) == (StatusChangeKind.CANCELLED, "NOT_FOUND")
    assert store.booking("b-1").state is BookingState.CANCELLED


async def test_one_appointment_is_read_at_most_every_ten_minutes(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher, sandbox_clock: ManualClock
) -> None:
    booked(sandbox, store)
    assert await watch_for(watcher, sandbox_clock, timedelta(hours=1)) == []
    assert reads(sandbox) == 6


@pytest.fixture
def small_quota_key(sandbox: SandboxState) -> str:
    return sandbox.add_key(set(Permission), hourly_quota=200)


async def test_the_pace_keeps_within_the_share_of_the_quota(
    sandbox: SandboxState,
    store: Store,
    sandbox_app: Starlette,
    sandbox_clock: ManualClock,
    small_quota_key: str,
) -> None:
    """200 requests an hour, 10 % of it: 20 reads an hour however many appointments."""
    for number in range(30):
        booked(sandbox, store, TUESDAY_10 + timedelta(minutes=15 * number), f"b-{number}")
    async with TreatsClient(
        SANDBOX_ORIGIN + API_ROOT,
        small_quota_key,
        transport=httpx.ASGITransport(app=sandbox_app),
        clock=sandbox_clock,
        retry=FAST,
    ) as treats:
        watcher = StatusWatcher(treats, store, sandbox_clock, share=0.10)
        for _hour in range(2):
            before = reads(sandbox)
            await watch_for(watcher, sandbox_clock, timedelta(hours=1))
            assert reads(sandbox) - before == 20  # the whole share, never more
        assert watcher.hourly_budget == 20
        assert watcher.recheck_interval() == timedelta(hours=1.5)
    assert 429 not in sandbox.statuses(*READ_ONE)
    checked = [store.booking(f"b-{n}").status_checked_at for n in range(30)]
    assert sum(1 for when in checked if when is not None) == 30  # everyone had a turn


async def test_rate_limited_or_unavailable_skips_the_round_quietly(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher, sandbox_clock: ManualClock
) -> None:
    booking = booked(sandbox, store)
    sandbox.faults.fail_next(3, "500", path_prefix="/appointments/")
    assert await watcher.refresh_due() == []
    sandbox.faults.fail_next(1, "429", path_prefix="/appointments/", retry_after=600)
    sandbox_clock.advance(timedelta(minutes=1))
    assert await watcher.refresh_due() == []
    assert watcher.next_check_at() == sandbox_clock() + timedelta(minutes=10)
    assert sandbox.statuses(*READ_ONE) == [500, 500, 500, 429]
    assert store.booking("b-1").status_checked_at is None  # still first in line
    sandbox.set_status(booking.appointment_id, "CANCELLED")

    changes = await watch_for(watcher, sandbox_clock, timedelta(minutes=11))
    assert [c.kind for c in changes] == [StatusChangeKind.CANCELLED]


async def test_a_cancellation_reaches_the_owner_and_their_reminders_stop(
    sandbox: SandboxState, store: Store, watcher: StatusWatcher, sandbox_clock: ManualClock
) -> None:
    """The whole path: clinic cancels, the background task tells the owner once, and the
    reminder planned for that appointment never goes out."""
    told: list[StatusChange] = []
    failed, delivered = asyncio.Event(), asyncio.Event()

    async def tell_owner(change: StatusChange) -> None:
        if not failed.is_set():
            failed.set()
            raise RuntimeError("Telegram hiccup")
        told.append(change)
        delivered.set()

    reminded: list[str] = []

    async def remind(reminder, booking) -> None:
        reminded.append(booking.booking_id)

    reminders = Reminders(
        store,
        sandbox_clock,
        remind,
        tz=PARIS,
        first=None,
        second=timedelta(hours=2),
        quiet=None,
    )
    booking = booked(sandbox, store)
    reminders.schedule(booking)
    sandbox.set_status(booking.appointment_id, "CANCELLED")

    task = asyncio.create_task(watcher.run(tell_owner))
    try:
        async with asyncio.timeout(2):
            await failed.wait()
            watcher.wake()  # the next round retries the notice
            await delivered.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert [(c.booking.booking_id, c.kind) for c in told] == [("b-1", StatusChangeKind.CANCELLED)]
    assert store.status_changes.pending() == []
    notice = store.status_changes.get(told[0].id)
    assert (notice.state, notice.attempts) == (NoticeState.NOTIFIED, 2)
    sandbox_clock.set(TUESDAY_10 - timedelta(hours=2))
    await reminders.deliver_due()
    assert reminded == []
    assert [r.state for r in store.reminders.for_booking("b-1")] == [ReminderState.DROPPED]


async def _never_sent(reminder, booking) -> None:
    raise AssertionError("not expected to send")
