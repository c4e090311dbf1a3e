"""Reminding owners of their appointments: when (planning) and how (a delivery loop).

Planning rules (``plan_reminders``), in this order
    1. **Offsets in elapsed time.** The first reminder is due ``first`` (default 24 h) before
       the appointment, the second ``second`` (default 2 h) before, subtracted as real time.
       Across a daylight-saving change "24 h before" is 24 real hours, so the wall-clock time
       of the day-before reminder shifts by an hour (an appointment at 10:00 on Sunday
       2026-03-29 is reminded at 09:00 on Saturday). Chosen because the settings are hours
       (they may be 36 or 1.5, where "the same time the day before" means nothing), and
       because elapsed time never lands on a local time that does not exist or happens twice.
       Quiet hours (rule 2) are read on the wall clock, so no reminder lands at night either way.
    2. **Quiet hours** (``[start, end)`` on the clinic's clock, default 21:00-08:00). A reminder
       due inside them goes out *before* them: at the last minute before they began (20:59 the
       evening before for an appointment at 08:30 whose 2-hour reminder would be 06:30).
    3. **Just told.** A reminder due less than ``MIN_GAP`` (1 h) after ``told_at`` (when the
       owner last heard of this appointment: the booking's confirmation, or a move notice) is
       dropped; this includes reminders whose time came before the booking was even made.
    4. **Past.** A reminder whose instant has passed (planning after a downtime, or for a
       moved appointment) is dropped, except the second one, which is caught up: sent now (at
       the end of quiet hours if now is quiet) provided the appointment is still at least
       ``CATCH_UP_MIN_LEAD`` (30 min) away.
    5. **Collisions.** Two reminders less than ``MIN_GAP`` apart: the first one is dropped.

Delivery (``Reminders``) follows ``bot.outbox.Outbox``: every reminder is a committed row
(``bot.store.reminder_rows``) before it is a message; one background task ``run()`` delivers what is
due, then sleeps until the next due instant, a ``wake()``, or at most ``MAX_IDLE``.

    * Nothing is sent during quiet hours: a reminder that falls there after a retry or a
      downtime waits for their end. A first reminder whose second one is also due (or already
      sent) is dropped, and so is a reminder more than ``LATE_AFTER`` late when the appointment
      is less than ``CATCH_UP_MIN_LEAD`` away.
    * A row moves to SENT in the commit right after ``send`` returns; a SENT row is never sent
      again for the same appointment time (a restart, a re-plan, ``rebuild``).
    * **At-least-once, not exactly-once.** A kill -9 (or the task cancelled at shutdown) after
      Telegram accepted the message but before that commit leaves the row PENDING: after the
      restart the owner gets the reminder twice. Telegram has no idempotency key for
      ``sendMessage``, so no ordering of writes closes this window (the few milliseconds of the
      commit); a duplicate reminder is preferred to a lost one.
    * Only rows whose booking is still ``booked``, ahead, and at the time they were planned for
      are sent: a cancelled, past or moved appointment is never reminded at its old time. A
      booking moved anywhere (status watcher, owner's list, staff) is re-planned at the next
      pass; call ``schedule`` (or ``wake``) to have it done at once.
    * Only one bot process may deliver from a given file (as only one may poll Telegram).

Errors from ``send`` (`bot.delivery`): ``TransientDeliveryError`` reschedules the row with
backoff (with ``retry_after``, flood control: nothing more is sent before then, and the pass
ends); ``RefusedDeliveryError`` or ``ChatUnreachableError`` (the owner blocked the bot) drops
the row; any other exception is logged and rescheduled like a transient one.

An owner marked unreachable in the store (they blocked the bot: ``bot.owner_reach``) gets
nothing: each of their reminders falling due is dropped with ``UNREACHABLE`` as its reason,
without a Telegram call, and those due after the owner is back are sent as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from typing import Final

from bot.clock import Clock
from bot.config import QuietHours
from bot.delivery import ChatUnreachableError, RefusedDeliveryError, TransientDeliveryError
from bot.runtime.background import (
    BACKOFF_MAX,
    BACKOFF_START,
    Waker,
    describe_failure,
    retry_delay,
    run_passes,
)
from bot.store import BookingRecord, BookingState, Store
from bot.store.reminder_rows import (
    PlannedReminder,
    ReminderKind,
    ReminderRecord,
    ReminderState,
)

__all__ = [
    "BACKOFF_MAX",
    "BACKOFF_START",
    "BEFORE_QUIET",
    "CATCH_UP_MIN_LEAD",
    "LATE_AFTER",
    "MAX_IDLE",
    "MIN_GAP",
    "UNREACHABLE",
    "PlannedReminder",
    "QuietHours",
    "ReminderKind",
    "ReminderRecord",
    "ReminderReport",
    "ReminderState",
    "Reminders",
    "SendReminder",
    "plan_reminders",
]

logger = logging.getLogger("vetbot.reminders")

MIN_GAP: Final = timedelta(hours=1)
"""Never two messages about one appointment closer than this (reminders, confirmation)."""
CATCH_UP_MIN_LEAD: Final = timedelta(minutes=30)
"""A late reminder is still worth sending only if the owner has this long to get there."""
BEFORE_QUIET: Final = timedelta(minutes=1)
"""A reminder moved out of quiet hours goes this long before they begin (20:59 for 21:00)."""
LATE_AFTER: Final = timedelta(minutes=15)
"""A reminder this much past its instant counts as late (see ``CATCH_UP_MIN_LEAD``)."""
MAX_IDLE: Final = timedelta(minutes=15)
"""The loop looks at the store at least this often, to re-plan bookings moved elsewhere."""
RUN_ERROR_PAUSE: Final = timedelta(seconds=30)
"""How long ``run`` waits after an unexpected error (e.g. a locked database) before retrying."""
UNREACHABLE: Final = "the owner is unreachable (blocked the bot)"
"""Why a reminder is dropped without a Telegram call (see ``bot.owner_reach``)."""

SendReminder = Callable[[ReminderRecord, BookingRecord], Awaitable[None]]
"""Sends one reminder to the owner (text and "Je serai là" / "Annuler" / "Déplacer" buttons
are the Telegram layer's business). Return normally once Telegram has accepted it."""


@dataclass(frozen=True, slots=True)
class ReminderReport:
    """What one ``deliver_due`` pass did (reminder ids; booking ids for ``replanned``)."""

    sent: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()
    replanned: tuple[str, ...] = ()
    held: bool = False
    """Nothing was sent because of quiet hours or flood control."""


def plan_reminders(
    appointment_start: datetime,
    *,
    now: datetime,
    tz: tzinfo,
    first: timedelta | None,
    second: timedelta | None,
    quiet: QuietHours | None,
    told_at: datetime | None = None,
) -> list[PlannedReminder]:
    """The reminders an appointment should get, soonest first; see the module docstring.

    ``first``/``second`` of None (or zero) turn that reminder off. ``told_at``: when the owner
    last heard of this appointment (None: unknown, rule 3 is skipped).
    """
    # In UTC: arithmetic on datetimes sharing a zone would be wall-clock arithmetic.
    appointment_start, now = appointment_start.astimezone(UTC), now.astimezone(UTC)
    planned: list[PlannedReminder] = []
    for kind, offset in ((ReminderKind.DAY_BEFORE, first), (ReminderKind.SOON, second)):
        if offset is None or offset <= timedelta(0):
            continue
        due = _before_quiet(appointment_start - offset, quiet, tz)
        if told_at is not None and due < told_at + MIN_GAP:
            continue
        if due < now:
            if kind is not ReminderKind.SOON:
                continue
            due = _after_quiet(now, quiet, tz)
            if appointment_start - due < CATCH_UP_MIN_LEAD:
                continue
        planned.append(PlannedReminder(kind, due))
    planned.sort(key=lambda reminder: reminder.due_at)
    if len(planned) == 2 and planned[1].due_at - planned[0].due_at < MIN_GAP:
        planned = [r for r in planned if r.kind is ReminderKind.SOON]
    return planned


def _before_quiet(due: datetime, quiet: QuietHours | None, tz: tzinfo) -> datetime:
    began = None if quiet is None else quiet.began_at(due, tz)
    return due if began is None else began.astimezone(UTC) - BEFORE_QUIET


def _after_quiet(instant: datetime, quiet: QuietHours | None, tz: tzinfo) -> datetime:
    ends = None if quiet is None else quiet.ends_after(instant, tz)
    return instant if ends is None else ends.astimezone(UTC)


class Reminders:
    """Plans owners' reminders and delivers them; see the module docstring for the rules."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        send: SendReminder,
        *,
        tz: tzinfo,
        first: timedelta | None,
        second: timedelta | None,
        quiet: QuietHours | None,
    ) -> None:
        for name, offset in (("first", first), ("second", second)):
            if offset is not None and offset <= timedelta(0):
                raise ValueError(f"the {name} reminder offset must be positive (None: off)")
        if first is not None and second is not None and first <= second:
            raise ValueError("the first reminder must come before the second")
        self._store = store
        self._clock = clock
        self._send_reminder = send
        self._tz = tz
        self._first = first
        self._second = second
        self._quiet = quiet
        self._hold_until: datetime | None = None
        self._waker = Waker()
        self._lock = asyncio.Lock()

    # Planning -------------------------------------------------------------------------------

    def schedule(
        self, booking: BookingRecord, *, told_at: datetime | None = None
    ) -> list[ReminderRecord]:
        """(Re-)plans the booking's reminders from its stored state (committed) and wakes the loop.

        Call it after a booking is confirmed and after the clinic moved one (with
        ``told_at=now`` when the owner was just told, so no reminder follows within the hour).
        ``told_at`` defaults to the booking's last change (its confirmation, usually). A booking
        that is no longer booked or already past gets its pending reminders dropped instead.
        Returns the booking's rows.
        """
        rows = self._plan(booking.booking_id, told_at=told_at)
        self.wake()
        return rows

    def drop(self, booking_id: str) -> int:
        """Drops the booking's pending reminders (e.g. the owner cancelled); how many."""
        dropped = self._store.reminders.drop_for_booking(booking_id)
        self.wake()
        return dropped

    def rebuild(self) -> int:
        """At start-up (and at every pass): drops reminders of cancelled or past bookings and
        plans every upcoming booked booking never planned or moved since. Pending rows are kept
        as they are and SENT ones are never re-sent. Returns how many bookings were planned."""
        planned = self._replan(self._now())
        if planned:
            self.wake()
        return len(planned)

    # Delivering -----------------------------------------------------------------------------

    async def deliver_due(self) -> ReminderReport:
        """One pass: re-plan what needs it, then send what is due, oldest first."""
        async with self._lock:
            now = self._now()
            tally = _Tally(replanned=self._replan(now))
            if self._held(now):
                return tally.freeze(held=True)
            due = self._store.reminders.due(now)
            for listed in due:
                # Read again: an earlier send was awaited, the owner or staff may have acted.
                record = self._store.reminders.get(listed.id)
                booking = self._store.booking(listed.booking_id)
                if not _still_due(record, booking, now):
                    continue
                assert record is not None and booking is not None
                reason = self._obsolete(record, booking, due, now)
                if reason is not None:
                    logger.info("reminder %s (%s) dropped: %s", record.id, record.kind, reason)
                    if self._store.reminders.mark_dropped(record.id, reason):
                        tally.dropped.append(record.id)
                    continue
                outcome = await self._send(record, booking)
                tally.add(outcome, record.id)
                if self._hold_until is not None:
                    break
            return tally.freeze()

    def next_due(self) -> datetime | None:
        """When the next pass has something to send (a past instant: now); None: nothing.

        Accounts for quiet hours and flood control, so the loop sleeps through them.
        """
        due = self._store.reminders.next_due()
        if due is None:
            return None
        due = max(due, self._now())
        if self._hold_until is not None:
            due = max(due, self._hold_until)
        return _after_quiet(due, self._quiet, self._tz)

    def wake(self) -> None:
        """Makes ``wait_until_due`` return now (called by ``schedule``, ``drop``...)."""
        self._waker.wake()

    async def wait_until_due(self) -> None:
        """Returns when woken, when the next reminder falls due, or after ``MAX_IDLE``."""
        await self._waker.sleep_until(self.next_due(), self._now(), at_most=MAX_IDLE)

    async def run(self) -> None:
        """The background task: deliver, wait, forever (cancel it to stop)."""
        await run_passes(
            self.deliver_due,
            self.wait_until_due,
            self._waker,
            name="reminders",
            error_pause=RUN_ERROR_PAUSE,
            now=self._now,
        )

    # Internals ------------------------------------------------------------------------------

    def _now(self) -> datetime:
        """The clock in UTC, so that adding a delay is adding real time."""
        return self._clock().astimezone(UTC)

    def _plan(self, booking_id: str, *, told_at: datetime | None) -> list[ReminderRecord]:
        now = self._now()
        current = self._store.booking(booking_id)
        if current is None:
            return []
        if current.state is not BookingState.BOOKED or current.scheduled_at <= now:
            self._store.reminders.drop_for_booking(booking_id)
            return self._store.reminders.for_booking(booking_id)
        planned = plan_reminders(
            current.scheduled_at,
            now=now,
            tz=self._tz,
            first=self._first,
            second=self._second,
            quiet=self._quiet,
            told_at=current.updated_at if told_at is None else told_at,
        )
        return self._store.reminders.plan(booking_id, planned)

    def _replan(self, now: datetime) -> tuple[str, ...]:
        self._store.reminders.drop_stale(now)
        booking_ids = tuple(self._store.reminders.bookings_to_plan(now))
        for booking_id in booking_ids:
            self._plan(booking_id, told_at=None)
        return booking_ids

    def _held(self, now: datetime) -> bool:
        if self._hold_until is not None and now < self._hold_until:
            return True
        self._hold_until = None
        return self._quiet is not None and self._quiet.contains(now, self._tz)

    def _obsolete(
        self,
        record: ReminderRecord,
        booking: BookingRecord,
        due: Sequence[ReminderRecord],
        now: datetime,
    ) -> str | None:
        """Why a due reminder should not be sent after all (None: send it)."""
        if self._store.unreachable(booking.user_id) is not None:
            return UNREACHABLE
        if record.kind is ReminderKind.DAY_BEFORE and self._second_reminder_taken_over(
            booking, due
        ):
            return "the second reminder is due or sent"
        late = now - record.due_at > LATE_AFTER
        if late and booking.scheduled_at - now < CATCH_UP_MIN_LEAD:
            return "too late, the appointment is about to start"
        return None

    def _second_reminder_taken_over(
        self, booking: BookingRecord, due: Sequence[ReminderRecord]
    ) -> bool:
        if any(r.booking_id == booking.booking_id and r.kind is ReminderKind.SOON for r in due):
            return True
        return any(
            r.kind is ReminderKind.SOON
            and r.state is ReminderState.SENT
            and r.appointment_at == booking.scheduled_at
            for r in self._store.reminders.for_booking(booking.booking_id)
        )

    async def _send(self, record: ReminderRecord, booking: BookingRecord) -> _Outcome:
        try:
            await self._send_reminder(record, booking)
        except (RefusedDeliveryError, ChatUnreachableError) as error:
            logger.warning("reminder %s cannot reach user %s: %s", record.id, record.user_id, error)
            self._store.reminders.mark_dropped(record.id, describe_failure(error))
            return _Outcome.DROPPED
        except Exception as error:
            retry_after = error.retry_after if isinstance(error, TransientDeliveryError) else None
            if isinstance(error, TransientDeliveryError):
                logger.warning("reminder %s delayed: %s", record.id, error)
            else:
                logger.exception("reminders: unexpected error sending %s", record.id)
            at = self._now() + retry_delay(record.attempts, retry_after)
            self._store.reminders.retry_later(record.id, at, describe_failure(error))
            if retry_after is not None:
                self._hold_until = at  # flood control covers the whole bot
            return _Outcome.RETRY
        self._store.reminders.mark_sent(record.id, self._now())
        return _Outcome.SENT


@dataclass(slots=True)
class _Tally:
    replanned: tuple[str, ...]
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)

    def add(self, outcome: _Outcome, reminder_id: int) -> None:
        bucket = {_Outcome.SENT: self.sent, _Outcome.RETRY: self.retrying}
        bucket.get(outcome, self.dropped).append(reminder_id)

    def freeze(self, *, held: bool = False) -> ReminderReport:
        return ReminderReport(
            sent=tuple(self.sent),
            retrying=tuple(self.retrying),
            dropped=tuple(self.dropped),
            replanned=self.replanned,
            held=held,
        )


class _Outcome(Enum):
    SENT = "sent"
    RETRY = "retrying"
    DROPPED = "dropped"


def _still_due(record: ReminderRecord | None, booking: BookingRecord | None, now: datetime) -> bool:
    return (
        record is not None
        and booking is not None
        and record.state is ReminderState.PENDING
        and record.next_attempt_at is not None
        and record.next_attempt_at <= now
        and booking.state is BookingState.BOOKED
        and booking.scheduled_at == record.appointment_at
        and booking.scheduled_at > now
    )
