"""The staff outbox: every message for the staff chat is a row before it is a Telegram message.

A row is written (and committed) first, then ``bot.outbox.Outbox`` delivers it. The row records
what was sent (``message_id``), what must still be edited (``needs_edit``, ``revision``) and who
acknowledged an urgent alert. This module is the bookkeeping only; the rules of delivery (order,
backoff, re-alerts) are in ``bot.outbox``.

Rows belong to one clinic and are numbered per clinic (``ClinicDb.next_id``): the id in a
button's callback data means a row of the clinic whose bot received the tap, and every statement
here names that clinic, so a button naming another clinic's row finds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.clock import Clock
from bot.store.db import ClinicDb, from_db, optional_from_db, to_db

CALLBACK_DATA_MAX_BYTES: Final = 64
"""Telegram refuses a button whose callback data is longer, and with it the whole message."""


class OutboxKind(StrEnum):
    URGENT = "urgent"
    """An urgent case (and its re-alerts): delivered before everything else."""
    BOOKING = "booking"
    """A booking made through the bot, announced in one line."""
    REQUEST = "request"
    """A staff request (cancel, reschedule, register, add a pet, check a booking)."""
    NOTICE = "notice"
    """Something staff should know about a case, no action asked (an owner no longer
    reachable on Telegram)."""


class OutboxState(StrEnum):
    PENDING = "pending"
    """Recorded, not yet in the chat (never tried, or waiting to retry)."""
    SENT = "sent"
    """In the chat; ``message_id`` says which message."""
    FAILED = "failed"
    """Telegram refused it for good (chat gone, bad request); logged, never retried."""
    DROPPED = "dropped"
    """A re-alert not sent because the alert was acknowledged meanwhile."""


@dataclass(frozen=True, slots=True)
class StaffButton:
    """An inline button: ``callback_data`` (answered by the bot) or ``url`` (opened), not both."""

    label: str
    callback_data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError(f"button {self.label!r} needs exactly one of callback_data or url")
        data = self.callback_data
        if data is not None and len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
            raise ValueError(
                f"button {self.label!r}: callback data over {CALLBACK_DATA_MAX_BYTES} bytes"
            )


@dataclass(frozen=True, slots=True)
class StaffMessage:
    """What the staff chat shows: HTML text and rows of buttons.

    ``reply_to_message_id`` makes Telegram quote an earlier message (re-alerts quote the alert);
    send it without failing when that message was deleted.
    """

    text: str
    buttons: tuple[tuple[StaffButton, ...], ...] = ()
    reply_to_message_id: int | None = None


MessageFor = Callable[[int], StaffMessage]
"""Builds the message from its outbox id, for buttons whose callback data names the row."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRecord:
    id: int
    kind: OutboxKind
    chat_id: int
    message: StaffMessage
    revision: int
    """Bumped by every ``update``: an edit is done only when the chat shows the last revision."""
    state: OutboxState
    message_id: int | None
    attempts: int
    """Telegram calls made for this row (sends and edits), successful or not."""
    next_attempt_at: datetime | None
    """Pending: when to try sending. Sent: when to retry a failed edit (None: at once)."""
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    needs_edit: bool
    owner_user_id: int | None
    booking_id: str | None
    needs_ack: bool
    acknowledged_by_id: int | None
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    realert_at: datetime | None
    """When to re-alert if still unacknowledged (None: never, or no longer)."""
    realert_count: int
    realert_of: int | None
    """For a re-alert: the id of the alert it recalls."""


class OutboxTable:
    """One clinic's ``staff_outbox`` rows, over the store's database; every write commits."""

    def __init__(self, db: ClinicDb, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(
        self,
        kind: OutboxKind,
        chat_id: int,
        message: StaffMessage | MessageFor,
        *,
        owner_user_id: int | None = None,
        booking_id: str | None = None,
        needs_ack: bool = False,
        realert_at: datetime | None = None,
    ) -> OutboxRecord:
        """Records a pending message, due at once. ``message`` may be built from the row's id
        (the clinic's next outbox number, taken first; one commit either way: the row is never
        seen without its buttons)."""
        now = to_db(self._clock())
        with self._db.transaction():
            row_id = self._db.next_id("staff_outbox")
            self._insert(
                row_id,
                OutboxKind(kind),
                chat_id,
                message if isinstance(message, StaffMessage) else message(row_id),
                now,
                owner_user_id=owner_user_id,
                booking_id=booking_id,
                needs_ack=needs_ack,
                realert_at=realert_at,
                realert_of=None,
            )
            return self._require(row_id)

    def get(self, outbox_id: int) -> OutboxRecord | None:
        found = self._db.execute(
            "SELECT * FROM staff_outbox WHERE clinic_id = ? AND id = ?",
            (self._db.clinic, outbox_id),
        ).fetchone()
        return None if found is None else _record(found)

    def replace(
        self, outbox_id: int, message: StaffMessage, *, booking_id: str | None = None
    ) -> OutboxRecord | None:
        """New text and buttons; a sent message is flagged for an edit. None if unknown."""
        with self._db.transaction():
            updated = self._db.execute(
                """UPDATE staff_outbox SET text = ?, buttons = ?, reply_to_message_id = ?,
                    revision = revision + 1,
                    needs_edit = CASE WHEN state = ? THEN 1 ELSE needs_edit END,
                    booking_id = COALESCE(?, booking_id)
                WHERE clinic_id = ? AND id = ?""",
                (
                    message.text,
                    _buttons_to_db(message.buttons),
                    message.reply_to_message_id,
                    OutboxState.SENT.value,
                    booking_id,
                    self._db.clinic,
                    outbox_id,
                ),
            ).rowcount
            return self._require(outbox_id) if updated else None

    def due_sends(self, now: datetime) -> list[OutboxRecord]:
        """Pending rows due by ``now``: urgent ones first, then in creation order."""
        rows = self._db.execute(
            """SELECT * FROM staff_outbox
            WHERE clinic_id = ? AND state = ? AND next_attempt_at <= ?
            ORDER BY CASE WHEN kind = ? THEN 0 ELSE 1 END, created_at, id""",
            (self._db.clinic, OutboxState.PENDING.value, to_db(now), OutboxKind.URGENT.value),
        )
        return [_record(row) for row in rows]

    def sent_times(self, chat_id: int, since: datetime) -> list[datetime]:
        """When messages reached ``chat_id`` from ``since`` on, whichever process sent them."""
        rows = self._db.execute(
            "SELECT sent_at FROM staff_outbox WHERE clinic_id = ? AND chat_id = ? AND sent_at >= ?",
            (self._db.clinic, chat_id, to_db(since)),
        )
        return [from_db(sent_at) for (sent_at,) in rows]

    def due_edits(self, now: datetime) -> list[OutboxRecord]:
        """Sent rows whose chat copy is out of date, not waiting for a retry."""
        rows = self._db.execute(
            """SELECT * FROM staff_outbox WHERE clinic_id = ? AND state = ? AND needs_edit = 1
                AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY CASE WHEN kind = ? THEN 0 ELSE 1 END, created_at, id""",
            (self._db.clinic, OutboxState.SENT.value, to_db(now), OutboxKind.URGENT.value),
        )
        return [_record(row) for row in rows]

    def due_realerts(self, now: datetime) -> list[OutboxRecord]:
        """Sent alerts still unacknowledged whose re-alert time has come."""
        rows = self._db.execute(
            """SELECT * FROM staff_outbox WHERE clinic_id = ? AND state = ?
                AND acknowledged_at IS NULL AND realert_at <= ?
            ORDER BY created_at, id""",
            (self._db.clinic, OutboxState.SENT.value, to_db(now)),
        )
        return [_record(row) for row in rows]

    def next_due(self) -> datetime | None:
        """The earliest instant at which something will be due (a past one: due now)."""
        (pending,) = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM staff_outbox WHERE clinic_id = ? AND state = ?",
            (self._db.clinic, OutboxState.PENDING.value),
        ).fetchone()
        (edit,) = self._db.execute(
            """SELECT MIN(COALESCE(next_attempt_at, sent_at)) FROM staff_outbox
            WHERE clinic_id = ? AND state = ? AND needs_edit = 1""",
            (self._db.clinic, OutboxState.SENT.value),
        ).fetchone()
        (realert,) = self._db.execute(
            """SELECT MIN(realert_at) FROM staff_outbox
            WHERE clinic_id = ? AND state = ? AND acknowledged_at IS NULL""",
            (self._db.clinic, OutboxState.SENT.value),
        ).fetchone()
        instants = [from_db(text) for text in (pending, edit, realert) if text is not None]
        return min(instants, default=None)

    def mark_sent(
        self, outbox_id: int, *, message_id: int, revision: int, realert_at: datetime | None
    ) -> None:
        """Records the Telegram message id and SENT in one commit.

        If the message was updated while the send was in flight (``revision`` is older), the
        row is flagged for an edit. ``realert_at`` replaces the alert's re-alert time, counted
        from now that staff can see it; ignored when the alert is already acknowledged.
        """
        now = to_db(self._clock())
        with self._db.transaction():
            self._db.execute(
                """UPDATE staff_outbox SET state = ?, message_id = ?, sent_at = ?,
                    attempts = attempts + 1, next_attempt_at = NULL, last_error = NULL,
                    needs_edit = CASE WHEN revision = ? THEN 0 ELSE 1 END,
                    realert_at = CASE WHEN needs_ack = 1 AND acknowledged_at IS NULL
                        THEN ? ELSE NULL END
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    OutboxState.SENT.value,
                    message_id,
                    now,
                    revision,
                    None if realert_at is None else to_db(realert_at),
                    self._db.clinic,
                    outbox_id,
                    OutboxState.PENDING.value,
                ),
            )

    def mark_edited(self, outbox_id: int, *, revision: int) -> None:
        """The chat shows ``revision``; the flag stays if a newer update came meanwhile."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE staff_outbox SET attempts = attempts + 1, next_attempt_at = NULL,
                    last_error = NULL, needs_edit = CASE WHEN revision = ? THEN 0 ELSE 1 END
                WHERE clinic_id = ? AND id = ?""",
                (revision, self._db.clinic, outbox_id),
            )

    def retry_later(self, outbox_id: int, *, at: datetime, error: str) -> None:
        """A failed send or edit, to try again at ``at``."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE staff_outbox SET attempts = attempts + 1, next_attempt_at = ?,
                    last_error = ?
                WHERE clinic_id = ? AND id = ?""",
                (to_db(at), error, self._db.clinic, outbox_id),
            )

    def due_now(self, chat_id: int) -> int:
        """Every message waiting for ``chat_id`` is due at once (the bot is back in the chat)."""
        with self._db.transaction():
            return self._db.execute(
                """UPDATE staff_outbox SET next_attempt_at = ?
                WHERE clinic_id = ? AND chat_id = ? AND state = ? AND next_attempt_at > ?""",
                (
                    to_db(self._clock()),
                    self._db.clinic,
                    chat_id,
                    OutboxState.PENDING.value,
                    to_db(self._clock()),
                ),
            ).rowcount

    def mark_failed(self, outbox_id: int, *, error: str) -> None:
        """A send refused for good: never retried, no re-alert."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE staff_outbox SET state = ?, attempts = attempts + 1,
                    next_attempt_at = NULL, last_error = ?, realert_at = NULL
                WHERE clinic_id = ? AND id = ? AND state = ?""",
                (
                    OutboxState.FAILED.value,
                    error,
                    self._db.clinic,
                    outbox_id,
                    OutboxState.PENDING.value,
                ),
            )

    def give_up_edit(self, outbox_id: int, *, error: str) -> None:
        """An edit refused for good (e.g. the message was deleted): the chat keeps the old copy."""
        with self._db.transaction():
            self._db.execute(
                """UPDATE staff_outbox SET attempts = attempts + 1, needs_edit = 0,
                    next_attempt_at = NULL, last_error = ?
                WHERE clinic_id = ? AND id = ?""",
                (error, self._db.clinic, outbox_id),
            )

    def acknowledge(
        self,
        outbox_id: int,
        *,
        by_id: int,
        by_name: str,
        realert_update: StaffMessage | None = None,
    ) -> OutboxRecord | None:
        """First acknowledgement wins; None if already acknowledged, unknown or not an alert.

        In the same commit: no more re-alerts, pending re-alerts are dropped, and sent ones get
        ``realert_update`` (when given) so that their buttons go away.
        """
        now = to_db(self._clock())
        with self._db.transaction():
            won = self._db.execute(
                """UPDATE staff_outbox SET acknowledged_by_id = ?, acknowledged_by_name = ?,
                    acknowledged_at = ?, realert_at = NULL
                WHERE clinic_id = ? AND id = ? AND needs_ack = 1 AND acknowledged_at IS NULL""",
                (by_id, by_name, now, self._db.clinic, outbox_id),
            ).rowcount
            if not won:
                return None
            self._db.execute(
                """UPDATE staff_outbox SET state = ?
                WHERE clinic_id = ? AND realert_of = ? AND state = ?""",
                (
                    OutboxState.DROPPED.value,
                    self._db.clinic,
                    outbox_id,
                    OutboxState.PENDING.value,
                ),
            )
            if realert_update is not None:
                self._db.execute(
                    """UPDATE staff_outbox SET text = ?, buttons = ?, revision = revision + 1,
                        needs_edit = 1
                    WHERE clinic_id = ? AND realert_of = ? AND state = ?""",
                    (
                        realert_update.text,
                        _buttons_to_db(realert_update.buttons),
                        self._db.clinic,
                        outbox_id,
                        OutboxState.SENT.value,
                    ),
                )
            return self._require(outbox_id)

    def add_realert(
        self, original_id: int, message: StaffMessage, *, next_realert_at: datetime | None
    ) -> OutboxRecord | None:
        """Records a re-alert of a due, unacknowledged alert and moves its re-alert time, in one
        commit (a crash cannot re-alert twice). None if the alert is no longer due."""
        now = self._clock()
        with self._db.transaction():
            original = self.get(original_id)
            if (
                original is None
                or original.acknowledged_at is not None
                or original.realert_at is None
                or original.realert_at > now
            ):
                return None
            self._db.execute(
                """UPDATE staff_outbox SET realert_at = ?, realert_count = realert_count + 1
                WHERE clinic_id = ? AND id = ?""",
                (
                    None if next_realert_at is None else to_db(next_realert_at),
                    self._db.clinic,
                    original_id,
                ),
            )
            row_id = self._db.next_id("staff_outbox")
            self._insert(
                row_id,
                original.kind,
                original.chat_id,
                message,
                to_db(now),
                owner_user_id=original.owner_user_id,
                booking_id=original.booking_id,
                needs_ack=False,
                realert_at=None,
                realert_of=original_id,
            )
            return self._require(row_id)

    def alerts_between(self, start: datetime, end: datetime) -> list[OutboxRecord]:
        """Urgent alerts (not their re-alerts) created in ``[start, end)``, oldest first."""
        rows = self._db.execute(
            """SELECT * FROM staff_outbox WHERE clinic_id = ? AND kind = ? AND realert_of IS NULL
                AND created_at >= ? AND created_at < ?
            ORDER BY created_at, id""",
            (self._db.clinic, OutboxKind.URGENT.value, to_db(start), to_db(end)),
        )
        return [_record(row) for row in rows]

    def urgent_alerts_of(self, owner_user_id: int, since: datetime) -> list[OutboxRecord]:
        """The owner's urgent alerts (not their re-alerts) created from ``since`` on, newest
        first, whatever their state."""
        rows = self._db.execute(
            """SELECT * FROM staff_outbox WHERE clinic_id = ? AND kind = ? AND realert_of IS NULL
                AND user_id = ? AND created_at >= ?
            ORDER BY created_at DESC, id DESC""",
            (self._db.clinic, OutboxKind.URGENT.value, owner_user_id, to_db(since)),
        )
        return [_record(row) for row in rows]

    def _insert(
        self,
        row_id: int,
        kind: OutboxKind,
        chat_id: int,
        message: StaffMessage,
        now: str,
        *,
        owner_user_id: int | None,
        booking_id: str | None,
        needs_ack: bool,
        realert_at: datetime | None,
        realert_of: int | None,
    ) -> None:
        """Inside the caller's transaction; ``row_id`` is from ``next_id("staff_outbox")``."""
        self._db.execute(
            """INSERT INTO staff_outbox (clinic_id, id, kind, chat_id, text, buttons,
                reply_to_message_id, state, next_attempt_at, created_at, user_id, booking_id,
                needs_ack, realert_at, realert_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self._db.clinic,
                row_id,
                kind.value,
                chat_id,
                message.text,
                _buttons_to_db(message.buttons),
                message.reply_to_message_id,
                OutboxState.PENDING.value,
                now,
                now,
                owner_user_id,
                booking_id,
                int(needs_ack),
                None if realert_at is None else to_db(realert_at),
                realert_of,
            ),
        )

    def _require(self, outbox_id: int) -> OutboxRecord:
        record = self.get(outbox_id)
        assert record is not None, f"outbox row {outbox_id} vanished inside its transaction"
        return record


def _buttons_to_db(buttons: tuple[tuple[StaffButton, ...], ...]) -> str:
    return json.dumps(
        [
            [{"label": b.label, "callback_data": b.callback_data, "url": b.url} for b in row]
            for row in buttons
        ],
        ensure_ascii=False,
    )


def _buttons_from_db(text: str) -> tuple[tuple[StaffButton, ...], ...]:
    return tuple(tuple(StaffButton(**button) for button in row) for row in json.loads(text))


def _record(row: Any) -> OutboxRecord:
    return OutboxRecord(
        id=row["id"],
        kind=OutboxKind(row["kind"]),
        chat_id=row["chat_id"],
        message=StaffMessage(
            text=row["text"],
            buttons=_buttons_from_db(row["buttons"]),
            reply_to_message_id=row["reply_to_message_id"],
        ),
        revision=row["revision"],
        state=OutboxState(row["state"]),
        message_id=row["message_id"],
        attempts=row["attempts"],
        next_attempt_at=optional_from_db(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=from_db(row["created_at"]),
        sent_at=optional_from_db(row["sent_at"]),
        needs_edit=bool(row["needs_edit"]),
        owner_user_id=row["user_id"],
        booking_id=row["booking_id"],
        needs_ack=bool(row["needs_ack"]),
        acknowledged_by_id=row["acknowledged_by_id"],
        acknowledged_by_name=row["acknowledged_by_name"],
        acknowledged_at=optional_from_db(row["acknowledged_at"]),
        realert_at=optional_from_db(row["realert_at"]),
        realert_count=row["realert_count"],
        realert_of=row["realert_of"],
    )
