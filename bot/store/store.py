"""The bot's durable store: one object over one SQLite connection, and the clock it stamps with.

Methods are synchronous although the callers are async: each is a few small statements that
commit (and fsync) in about a millisecond, less than the cost of handing them to a thread, and
keeping them on the event-loop thread means no two of them ever interleave in this process.
Every write is committed before the method returns, so whatever the bot tells the owner after
a call survives a kill -9 (and, with ``synchronous=FULL``, a power cut); see ``bot.store.db``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.clock import Clock
from bot.store import bookings, events, owners, privacy, updates
from bot.store.bookings import ON_CALENDAR, BookingDraft, BookingRecord, BookingState, Claim
from bot.store.db import Synchronous, connect
from bot.store.events import FlowEvent
from bot.store.owners import LinkVia, OwnerLink


class Store:
    """Owner links, bookings, flow events and processed updates, in one SQLite file."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    @classmethod
    def open(cls, path: Path, clock: Clock) -> Self:
        """Opens (creating and migrating if needed) the file; close it with ``close()``."""
        return cls(connect(path, synchronous=Synchronous.FULL), clock)

    def close(self) -> None:
        self._conn.close()

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
            self._conn, self._clock(), user_id, client_id, language=language, via=via
        )

    def owner(self, user_id: int) -> OwnerLink | None:
        return owners.owner(self._conn, user_id)

    def set_language(self, user_id: int, language: str) -> None:
        """Remembers the language, whether or not the user is linked."""
        owners.set_language(self._conn, self._clock(), user_id, language)

    def language(self, user_id: int) -> str | None:
        return owners.get_language(self._conn, user_id)

    def forget_owner(self, user_id: int) -> int:
        """Deletes the link, the language, the bookings and the flow events of the user.

        Returns the number of rows deleted. PTB's user_data and conversation state are not
        touched here: drop them with ``application.drop_user_data(user_id)`` and by ending the
        conversation, or PTB would write its in-memory copy back.
        """
        return privacy.forget_user(self._conn, user_id)

    # Bookings -------------------------------------------------------------------------------

    def claim_booking(self, draft: BookingDraft) -> Claim:
        """Claims the booking id; only a winner may send the POST."""
        return bookings.claim_booking(self._conn, self._clock(), draft)

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
            self._conn,
            self._clock(),
            booking_id,
            state,
            appointment_id=appointment_id,
            detail=detail,
        )

    def booking(self, booking_id: str) -> BookingRecord | None:
        return bookings.booking(self._conn, booking_id)

    def bookings_in_state(self, state: BookingState) -> list[BookingRecord]:
        """E.g. the ``sending`` rows a crash left behind, for startup recovery."""
        return bookings.bookings_in_state(self._conn, state)

    def upcoming_bookings(self, user_id: int, now: datetime) -> list[BookingRecord]:
        return bookings.upcoming_bookings(self._conn, user_id, now)

    def bookings_between(
        self,
        start: datetime,
        end: datetime,
        states: Collection[BookingState] = ON_CALENDAR,
    ) -> list[BookingRecord]:
        """Booked and uncertain bookings (by default) scheduled in ``[start, end)``."""
        return bookings.bookings_between(self._conn, start, end, states)

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
            self._conn,
            self._clock(),
            booking_id,
            api_status=api_status,
            display_status=display_status,
            scheduled_at=scheduled_at,
        )

    def mark_cancelled(self, booking_id: str) -> BookingRecord:
        return bookings.mark_cancelled(self._conn, self._clock(), booking_id)

    # Flow events and processed updates ------------------------------------------------------

    def record_event(self, user_id: int, kind: str, at: datetime | None = None) -> None:
        events.record_event(self._conn, user_id, kind, self._clock() if at is None else at)

    def events_since(self, kind: str, since: datetime) -> list[FlowEvent]:
        return events.events_since(self._conn, kind, since)

    def seen_update(self, update_id: int) -> bool:
        """Records the update id; True if this update was already handled (a redelivery)."""
        return updates.seen_update(self._conn, self._clock(), update_id)
