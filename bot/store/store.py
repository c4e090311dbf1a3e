"""The bot's durable store for one clinic: one object over the database (SQLite or PostgreSQL),
the clinic every row it reads or writes belongs to, and the clock it stamps with.

Methods are synchronous although the callers are async: each is a few small statements that
commit in about a millisecond, less than the cost of handing them to a thread, and keeping them
on the event-loop thread means no two of them ever interleave in this process. Every write is
committed before the method returns, so whatever the bot tells the owner after a call survives
a kill -9 (and, on SQLite with ``synchronous=FULL``, a power cut); see ``bot.store.db``.

Several clinics served by one process share one database connection: ``for_clinic`` gives
another clinic's store over it. Nothing a store does reaches another clinic's rows.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.clock import Clock
from bot.store import (
    bookings,
    events,
    flags,
    owners,
    privacy,
    reminder_rows,
    request_rows,
    seen_updates,
    stats,
)
from bot.store.bookings import ON_CALENDAR, BookingDraft, BookingRecord, BookingState, Claim
from bot.store.db import DEFAULT_CLINIC, ClinicDb, Database, DatabaseUrl, Synchronous
from bot.store.events import FlowEvent
from bot.store.outbox_rows import OutboxTable
from bot.store.owners import LinkVia, OwnerLink, Unreachable
from bot.store.reminder_rows import ReminderTable
from bot.store.request_rows import Opened, RequestKind, RequestRecord
from bot.store.schema import as_url, open_database
from bot.store.stats import MadeBooking
from bot.store.status_changes import StatusChangeTable


class Store:
    """One clinic's owner links, bookings, flow events, processed updates and staff side."""

    def __init__(self, db: ClinicDb, clock: Clock, *, owns_database: bool = False) -> None:
        self._db = db
        self._clock = clock
        self._owns_database = owns_database

    @classmethod
    def open(
        cls, where: Path | str | DatabaseUrl, clock: Clock, *, clinic: str = DEFAULT_CLINIC
    ) -> Self:
        """Opens the database (a SQLite path or a ``DATABASE_URL``) for ``clinic``; a SQLite
        file is created and migrated if needed, PostgreSQL must already be migrated. Close it
        with ``close()``."""
        database = open_database(as_url(where), clinic=clinic, synchronous=Synchronous.FULL)
        return cls(ClinicDb(database, clinic), clock, owns_database=True)

    @property
    def clinic(self) -> str:
        return self._db.clinic

    @property
    def owns_database(self) -> bool:
        """Whether closing this store closes the connection (False when clinics share it)."""
        return self._owns_database

    @property
    def database(self) -> Database:
        return self._db.database

    @property
    def clinic_db(self) -> ClinicDb:
        """The clinic's view of the database, with its lease's fence if it has one (PTB's
        persistence writes through it too)."""
        return self._db

    def for_clinic(self, clinic: str) -> Store:
        """Another clinic's store over the same connection (closing it leaves this one open)."""
        return Store(ClinicDb(self._db.database, clinic), self._clock)

    def close(self) -> None:
        if self._owns_database:
            self._db.database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Owners ---------------------------------------------------------------------------------

    def link_owner(
        self,
        user_id: int,
        client_id: str,
        *,
        language: str | None = None,
        via: str = LinkVia.CONTACT,
    ) -> OwnerLink:
        """Links (or re-links) the Telegram user to a Treats client."""
        return owners.link_owner(
            self._db, self._clock(), user_id, client_id, language=language, via=via
        )

    def owner(self, user_id: int) -> OwnerLink | None:
        return owners.owner(self._db, user_id)

    def set_language(self, user_id: int, language: str) -> None:
        """Remembers the language, whether or not the user is linked."""
        owners.set_language(self._db, self._clock(), user_id, language)

    def language(self, user_id: int) -> str | None:
        return owners.get_language(self._db, user_id)

    def mark_unreachable(self, user_id: int, reason: str) -> bool:
        """Telegram refuses messages to the user (blocked); True if that is news."""
        return owners.mark_unreachable(self._db, self._clock(), user_id, reason)

    def mark_reachable(self, user_id: int) -> bool:
        """The user is back (wrote, tapped, unblocked); True if they were unreachable."""
        return owners.mark_reachable(self._db, user_id)

    def unreachable(self, user_id: int) -> Unreachable | None:
        """The user's unreachable episode, or None when the bot may write to them."""
        return owners.unreachable(self._db, user_id)

    def claim_unreachable_notice(self, user_id: int) -> bool:
        """True once per unreachable episode: the caller tells the staff."""
        return owners.claim_staff_notice(self._db, self._clock(), user_id)

    def forget_owner(self, user_id: int) -> int:
        """Deletes the link, the language, the bookings and the flow events of the user.

        Returns the number of rows deleted. PTB's user_data and conversation state are not
        touched here: drop them with ``application.drop_user_data(user_id)`` and by ending the
        conversation, or PTB would write its in-memory copy back.
        """
        return privacy.forget_user(self._db, user_id)

    def purge_old(self) -> int:
        """Deletes appointments (and what they left) older than a year; see privacy.RETENTION."""
        return privacy.purge_old(self._db, self._clock())

    # Bookings -------------------------------------------------------------------------------

    def claim_booking(self, draft: BookingDraft) -> Claim:
        """Claims the booking id; only a winner may send the POST."""
        return bookings.claim_booking(self._db, self._clock(), draft)

    def finish_booking(
        self,
        booking_id: str,
        state: BookingState,
        *,
        appointment_id: str | None = None,
        detail: str | None = None,
    ) -> BookingRecord:
        """Records the outcome of a ``sending`` booking; committed before the owner is told."""
        return bookings.finish_booking(
            self._db,
            self._clock(),
            booking_id,
            state,
            appointment_id=appointment_id,
            detail=detail,
        )

    def booking(self, booking_id: str) -> BookingRecord | None:
        return bookings.booking(self._db, booking_id)

    def bookings_in_state(self, state: BookingState) -> list[BookingRecord]:
        """E.g. the ``sending`` rows a crash left behind, for startup recovery."""
        return bookings.bookings_in_state(self._db, state)

    def untold_bookings(self) -> list[BookingRecord]:
        """Settled bookings whose owner and staff were not told yet (a crash in between)."""
        return bookings.untold_bookings(self._db)

    def mark_told(self, booking_id: str) -> None:
        bookings.mark_told(self._db, self._clock(), booking_id)

    def upcoming_bookings(self, user_id: int, now: datetime) -> list[BookingRecord]:
        return bookings.upcoming_bookings(self._db, user_id, now)

    def bookings_between(
        self,
        start: datetime,
        end: datetime,
        states: Collection[BookingState] = ON_CALENDAR,
    ) -> list[BookingRecord]:
        """Booked and uncertain bookings (by default) scheduled in ``[start, end)``."""
        return bookings.bookings_between(self._db, start, end, states)

    def set_booking_status(
        self,
        booking_id: str,
        *,
        api_status: str,
        display_status: str | None,
        scheduled_at: datetime | None = None,
    ) -> BookingRecord:
        """Records the clinic's status (and new time, if moved); ``state`` is unchanged."""
        return bookings.set_booking_status(
            self._db,
            self._clock(),
            booking_id,
            api_status=api_status,
            display_status=display_status,
            scheduled_at=scheduled_at,
        )

    def mark_cancelled(self, booking_id: str) -> BookingRecord:
        return bookings.mark_cancelled(self._db, self._clock(), booking_id)

    # Reminders, presence, status watching --------------------------------------------------

    @property
    def reminders(self) -> ReminderTable:
        """Owners' reminder rows; ``bot.reminders.Reminders`` plans and delivers them."""
        return ReminderTable(self._db, self._clock)

    @property
    def status_changes(self) -> StatusChangeTable:
        """Status checks and clinic-side changes; ``bot.status_watch`` drives them."""
        return StatusChangeTable(self._db, self._clock)

    def confirm_presence(self, booking_id: str, at: datetime | None = None) -> BookingRecord:
        """The owner tapped "Je serai là" (booked bookings only; the first tap is kept)."""
        return reminder_rows.confirm_presence(
            self._db, booking_id, self._clock() if at is None else at
        )

    # Flow events and processed updates ------------------------------------------------------

    def record_event(self, user_id: int, kind: str, at: datetime | None = None) -> None:
        events.record_event(self._db, user_id, kind, self._clock() if at is None else at)

    def events_since(self, kind: str, since: datetime) -> list[FlowEvent]:
        return events.events_since(self._db, kind, since)

    def seen_update(self, update_id: int) -> bool:
        """Records the update id; True if this update was already handled (a redelivery)."""
        return seen_updates.seen_update(self._db, self._clock(), update_id)

    # Staff: outbox, requests, pause, stats ---------------------------------------------------

    @property
    def outbox(self) -> OutboxTable:
        """The staff outbox's rows; ``bot.outbox.Outbox`` is what delivers them."""
        return OutboxTable(self._db, self._clock)

    def open_request(
        self,
        kind: RequestKind,
        *,
        user_id: int,
        client_id: str | None = None,
        booking_id: str | None = None,
        details: Mapping[str, str],
    ) -> Opened:
        """Files the request, unless one naming the same booking is still open (then returns
        that one, ``filed=False``): at most one open request per appointment, atomically."""
        return request_rows.open_request(
            self._db,
            self._clock(),
            kind,
            user_id=user_id,
            client_id=client_id,
            booking_id=booking_id,
            details=details,
        )

    def decide_request(
        self, request_id: int, *, done: bool, by_id: int, by_name: str
    ) -> RequestRecord | None:
        """First decision wins (None otherwise); the booking follows in the same commit."""
        return request_rows.decide_request(
            self._db, self._clock(), request_id, done=done, by_id=by_id, by_name=by_name
        )

    def request(self, request_id: int) -> RequestRecord | None:
        return request_rows.get_request(self._db, request_id)

    def open_requests(self) -> list[RequestRecord]:
        return request_rows.open_requests(self._db)

    def pending_request(self, booking_id: str) -> RequestRecord | None:
        """The undecided request naming this booking (cancel, move...), if any."""
        return request_rows.pending_request(self._db, booking_id)

    def link_request_outbox(self, request_id: int, outbox_id: int) -> RequestRecord | None:
        return request_rows.link_outbox(self._db, request_id, outbox_id)

    def resolve_uncertain(self, booking_id: str, state: BookingState) -> BookingRecord:
        """Moves an ``uncertain`` booking to ``booked`` or ``failed`` once staff have checked."""
        return request_rows.resolve_uncertain(self._db, self._clock(), booking_id, state)

    def set_paused_until(self, when: datetime | None) -> None:
        """Pauses online booking until ``when`` (``flags.PAUSED_INDEFINITELY``: until resumed);
        None resumes it."""
        flags.set_paused_until(self._db, self._clock(), when)

    def paused_until(self) -> datetime | None:
        """When the booking pause ends; None when booking is open (a past pause has ended)."""
        return flags.paused_until(self._db, self._clock())

    def staff_chat_moved_to(self, old_chat_id: int) -> int | None:
        """The supergroup the staff group ``old_chat_id`` was upgraded to, if it was."""
        return flags.staff_chat_moved_to(self._db, old_chat_id)

    def move_staff_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follows the staff group to its new id: remembered, and the outbox's rows moved."""
        return flags.move_staff_chat(self._db, self._clock(), old_chat_id, new_chat_id)

    def bookings_made_between(self, start: datetime, end: datetime) -> list[MadeBooking]:
        """Bookings owners confirmed in ``[start, end)`` (booked, uncertain or cancelled since)."""
        return stats.bookings_made_between(self._db, start, end)
