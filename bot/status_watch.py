"""Watching booked appointments for changes the clinic makes (cancelled, moved, confirmed).

The API cannot push changes, and it cannot list appointments: the only way to learn that the
clinic cancelled or moved one is to re-read it (``GET /appointments/{id}``). Reads cost quota,
and the quota is shared with owners booking, so the watcher spends a fixed share of it.

Pace
    * Budget: ``share`` (``STATUS_QUOTA_SHARE``, default 10 %) of the key's hourly quota, as
      the API last reported it (``treats.quota.limit``), or of ``ASSUMED_HOURLY_QUOTA`` (1000)
      before any answer. Reads are spread evenly: two reads are at least
      ``3600 s / budget`` apart (36 s with the defaults), one booking per read, the least
      recently checked first. N upcoming appointments are each re-read about every
      ``N / budget`` hours, and never more often than every ``MIN_RECHECK`` (10 minutes).
      The client's own retries of a failed read (5xx) are not counted: they are rare.
    * Rate-limited (429) or unavailable: the round is skipped quietly (logged at INFO); after a
      429 nothing is read before its ``Retry-After``. A refused key (401/403) is logged as an
      error and pauses reads for ``REFUSED_PAUSE``.

Changes
    * CANCELLED by the clinic, or **404**: the appointment no longer exists for the API (the
      clinic deleted it), which for the owner is a cancellation; recorded with ``api_status``
      ``NOT_FOUND`` and logged. The booking becomes ``cancelled``; its reminders are dropped by
      ``bot.reminders`` (they only fire for booked bookings).
    * MOVED: the booking gets the new time and loses "Je serai là"; its reminders must be
      re-planned: in ``on_change``, call ``reminders.schedule(change.booking, told_at=now)``
      (``Reminders`` also re-plans moved bookings on its own within ``MAX_IDLE``, but then a
      reminder may follow the notice within the hour).
    * STATUS: same time, another status the owner had not seen (e.g. CONFIRMED). A status
      first seen (the store had none) is recorded without a notice.

Delivery to the owner is at-least-once: the booking update and a PENDING notice are one commit
(``bot.store.status_changes``); ``run`` passes each pending notice to ``on_change`` and marks it
notified when ``on_change`` returns. If ``on_change`` raises, the notice is retried at the next
round (up to ``MAX_NOTICE_ATTEMPTS``); a kill -9 between Telegram accepting the message and the
commit makes the owner get it twice after the restart.

An owner marked unreachable (they blocked the bot: ``bot.owner_reach``) is not written to: their
notices stay pending, ``last_error`` ``HELD``, with no Telegram call and no attempt counted after
the first, and go out at the first round after the owner is back. Held rather than dropped: an
owner who unblocks the bot before the appointment must still learn that the clinic cancelled
or moved it. A notice whose appointment has passed is never sent (``OUTDATED``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

from bot.clock import Clock
from bot.runtime.background import Waker, run_passes
from bot.store import BookingRecord, BookingState, Store
from bot.store.status_changes import (
    MAX_NOTICE_ATTEMPTS,
    NOT_FOUND_STATUS,
    NoticeState,
    StatusChange,
    StatusChangeKind,
)
from bot.treats import TreatsClient
from bot.treats.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TreatsError,
    Unavailable,
)
from bot.treats.models import Appointment, AppointmentStatus

__all__ = [
    "ASSUMED_HOURLY_QUOTA",
    "HELD",
    "MAX_NOTICE_ATTEMPTS",
    "MAX_SHARE",
    "MIN_RECHECK",
    "AppointmentReader",
    "OnChange",
    "StatusChange",
    "StatusChangeKind",
    "StatusWatcher",
    "classify",
    "refreshed_booking",
]

logger = logging.getLogger("vetbot.status_watch")

ASSUMED_HOURLY_QUOTA: Final = 1000
"""The hourly quota assumed until the API's headers have said it."""
MAX_SHARE: Final = 0.5
"""Half the quota at most: owners booking must always have the rest."""
MIN_RECHECK: Final = timedelta(minutes=10)
"""An appointment is never re-read more often: changes this recent can wait a few minutes."""
REFUSED_PAUSE: Final = timedelta(minutes=10)
"""How long reads stop after the key was refused (401/403): staff must fix the key."""
MAX_IDLE: Final = timedelta(minutes=15)
"""The loop looks at the store at least this often (new bookings, notices to retry)."""
RUN_ERROR_PAUSE: Final = timedelta(seconds=30)
SECONDS_PER_HOUR: Final = 3600.0
HELD: Final = "held: the owner is unreachable (blocked the bot)"
"""A notice's ``last_error`` while its owner cannot be written to (see ``bot.owner_reach``)."""

OnChange = Callable[[StatusChange], Awaitable[None]]
"""Tells the owner about one change; return once Telegram accepted it, raise to retry later."""


class AppointmentReader(Protocol):
    """What ``refreshed_booking`` needs of the Treats client (a fake one in tests)."""

    async def get_appointment(self, appointment_id: str) -> Appointment: ...


async def refreshed_booking(
    reader: AppointmentReader, store: Store, record: BookingRecord
) -> BookingRecord:
    """The booking with the clinic's current status, read now for an owner looking at it
    ("Mes rendez-vous"), and recorded in the store.

    Read the way the watcher reads it (``classify`` says what a cancellation is), but written
    without a notice: the owner sees the change on the screen they asked for. A 404 means the
    clinic deleted the appointment: cancelled. When the API cannot answer, the record is kept
    as it is: an owner is never shown a cancellation that is only a failed read. Only booked
    bookings with an appointment id are read; the others are returned unchanged.
    """
    if record.state != BookingState.BOOKED or record.appointment_id is None:
        return record
    try:
        appointment = await reader.get_appointment(record.appointment_id)
    except NotFound:
        return store.mark_cancelled(record.booking_id)
    except TreatsError:
        return record
    updated = store.set_booking_status(
        record.booking_id,
        api_status=appointment.status,
        display_status=appointment.display_status,
        scheduled_at=appointment.scheduled_at,
    )
    if classify(record, appointment) is StatusChangeKind.CANCELLED:
        return store.mark_cancelled(record.booking_id)
    return updated


def classify(booking: BookingRecord, appointment: Appointment) -> StatusChangeKind | None:
    """What the owner must hear about, comparing the stored booking with the API's appointment."""
    if appointment.status == AppointmentStatus.CANCELLED:
        return StatusChangeKind.CANCELLED
    if appointment.scheduled_at != booking.scheduled_at:
        return StatusChangeKind.MOVED
    if booking.api_status is not None and appointment.status != booking.api_status:
        return StatusChangeKind.STATUS
    return None


class StatusWatcher:
    """Re-reads upcoming booked appointments at a pace within a share of the quota."""

    def __init__(self, treats: TreatsClient, store: Store, clock: Clock, *, share: float) -> None:
        if not 0 < share <= MAX_SHARE:
            raise ValueError(f"share must be more than 0 and at most {MAX_SHARE}")
        self._treats = treats
        self._store = store
        self._clock = clock
        self._share = share
        self._last_read_at: datetime | None = None
        self._hold_until: datetime | None = None
        self._waker = Waker()
        self._lock = asyncio.Lock()

    # Pace -----------------------------------------------------------------------------------

    @property
    def hourly_budget(self) -> float:
        """Reads allowed per hour: the share of the quota last reported (or assumed)."""
        limit = self._treats.quota.limit
        quota = limit if limit is not None and limit > 0 else ASSUMED_HOURLY_QUOTA
        return self._share * quota

    @property
    def spacing(self) -> timedelta:
        """The least time between two reads."""
        return timedelta(seconds=SECONDS_PER_HOUR / self.hourly_budget)

    def recheck_interval(self) -> timedelta:
        """About how often each upcoming appointment is re-read now."""
        watched = self._store.status_changes.count_watched(self._now())
        return max(MIN_RECHECK, self.spacing * watched)

    def next_check_at(self, now: datetime | None = None) -> datetime | None:
        """When the next read may happen (a past instant: now); None: nothing to watch.

        Decide with the caller's ``now``: with a running clock, an unread appointment is due
        at the instant asked about, which a later reading of the clock would call the future.
        """
        now = now or self._now()
        queue = self._store.status_changes.to_check(now, 1)
        if not queue:
            return None
        checked = queue[0].status_checked_at
        candidates = [now if checked is None else checked + MIN_RECHECK]
        if self._last_read_at is not None:
            candidates.append(self._last_read_at + self.spacing)
        if self._hold_until is not None:
            candidates.append(self._hold_until)
        return max(candidates)

    # Reading --------------------------------------------------------------------------------

    async def refresh_due(self) -> list[StatusChange]:
        """Re-reads the appointment next in line if the pace allows; returns the change found
        (already recorded, its notice PENDING) or nothing."""
        async with self._lock:
            now = self._now()
            due = self.next_check_at(now)
            if due is None or due > now:
                return []
            booking = self._store.status_changes.to_check(now, 1)[0]
            assert booking.appointment_id is not None
            self._last_read_at = now
            try:
                appointment = await self._treats.get_appointment(booking.appointment_id)
            except NotFound:
                logger.warning(
                    "appointment %s of booking %s no longer exists: treated as cancelled",
                    booking.appointment_id,
                    booking.booking_id,
                )
                return self._record(
                    booking,
                    NOT_FOUND_STATUS,
                    None,
                    booking.scheduled_at,
                    StatusChangeKind.CANCELLED,
                )
            except RateLimited as error:
                logger.info("status watch: rate-limited, next read in %.0f s", error.retry_after)
                self._hold_until = self._now() + timedelta(seconds=error.retry_after)
                return []
            except Unavailable as error:
                logger.info("status watch: API unavailable (%s), skipping a round", error.message)
                return []
            except (AuthError, PermissionDenied) as error:
                logger.error("status watch: the API key was refused (%s)", error.message)
                self._hold_until = self._now() + REFUSED_PAUSE
                return []
            except TreatsError as error:
                logger.warning("status watch: reading %s failed: %s", booking.booking_id, error)
                self._store.status_changes.mark_checked(booking.booking_id, self._now())
                return []
            return self._record(
                booking,
                appointment.status,
                appointment.display_status,
                appointment.scheduled_at,
                classify(booking, appointment),
            )

    async def notify_pending(self, on_change: OnChange) -> int:
        """Passes each pending notice to ``on_change``; marks it notified when it returns.
        Returns how many were delivered."""
        delivered = 0
        for change in self._store.status_changes.pending():
            if max(change.old_start, change.new_start) <= self._now():
                self._store.status_changes.mark_outdated(change.id)
                logger.info("status watch: notice %s outdated (its appointment is past)", change.id)
                continue
            if self._store.unreachable(change.booking.user_id) is not None:
                self._hold(change)
                continue
            try:
                await on_change(change)
            except Exception as error:
                if self._store.unreachable(change.booking.user_id) is not None:
                    self._hold(change)  # this very send found the owner gone
                    continue
                state = self._store.status_changes.notice_failed(change.id, _describe(error))
                logger.exception(
                    "status watch: telling user %s about %s failed (%s)",
                    change.booking.user_id,
                    change.kind,
                    "given up" if state is NoticeState.FAILED else "will retry",
                )
                continue
            self._store.status_changes.mark_notified(change.id, self._now())
            delivered += 1
        return delivered

    def _hold(self, change: StatusChange) -> None:
        """The owner blocked the bot: the notice waits, without a Telegram call, for them to
        be back; the reason is recorded once (one attempt counted), not at every round."""
        if change.last_error == HELD:
            return
        self._store.status_changes.notice_failed(change.id, HELD)
        logger.info(
            "status watch: notice %s for user %s held: the owner is unreachable",
            change.id,
            change.booking.user_id,
        )

    # Loop -----------------------------------------------------------------------------------

    def wake(self) -> None:
        """Makes ``wait_until_due`` return now (e.g. after a booking, to start watching it)."""
        self._waker.wake()

    async def wait_until_due(self) -> None:
        """Returns when woken, when the next read is allowed, or after ``MAX_IDLE``."""
        now = self._now()
        await self._waker.sleep_until(self.next_check_at(now), now, at_most=MAX_IDLE)

    async def run(self, on_change: OnChange) -> None:
        """The background task: tell pending notices, read, tell, wait; forever (cancel it)."""

        async def one_round() -> None:
            await self.notify_pending(on_change)
            if await self.refresh_due():
                await self.notify_pending(on_change)

        await run_passes(
            one_round,
            self.wait_until_due,
            self._waker,
            name="status watch",
            error_pause=RUN_ERROR_PAUSE,
            now=self._now,
        )

    # Internals ------------------------------------------------------------------------------

    def _now(self) -> datetime:
        """The clock in UTC, so that adding a delay is adding real time."""
        return self._clock().astimezone(UTC)

    def _record(
        self,
        seen: BookingRecord,
        api_status: str,
        display_status: str | None,
        scheduled_at: datetime,
        change: StatusChangeKind | None,
    ) -> list[StatusChange]:
        recorded = self._store.status_changes.record_check(
            seen,
            self._now(),
            api_status=api_status,
            display_status=display_status,
            scheduled_at=scheduled_at,
            change=change,
        )
        if recorded is not None:
            logger.info(
                "booking %s: %s by the clinic (%s)", seen.booking_id, recorded.kind, api_status
            )
        return [] if recorded is None else [recorded]


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]
