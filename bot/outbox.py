"""Delivering staff messages (urgent alerts, booking announcements, requests) from the outbox.

Every staff message is first a committed row (``bot.store.outbox_rows``), then a Telegram message:
a Telegram error or a restart delays it, never loses it. One background task runs
``Outbox.run()``: it delivers what is due, then sleeps until the next due instant or until
``enqueue``/``update``/``acknowledge`` wakes it.

Delivery guarantees
    * A row moves to SENT in the same commit that records its Telegram ``message_id``; a SENT
      row is never sent again, and one ``Outbox`` never runs two deliveries at once (a lock).
    * **At-least-once, not exactly-once.** A kill -9 (or a task cancelled at shutdown) after
      Telegram accepted a message but before that commit leaves the row PENDING: after the
      restart it is sent again, and the staff chat shows it twice. Telegram has no idempotency
      key for ``sendMessage``, so no ordering of writes closes this window (the few
      milliseconds of the commit); a duplicate alert is preferred to a lost one. The orphaned
      first copy keeps working buttons (they name the same row) but later edits reach only the
      second copy.
    * An edit interrupted the same way is simply made again (an identical edit is harmless).
    * A re-alert is recorded and the alert's next re-alert time moved in one commit, so a crash
      never re-alerts twice for the same instant.
    * Only one bot process may deliver from a given file (as only one may poll Telegram).

Errors: ``TransientDeliveryError`` (429, 5xx, network) reschedules the row with backoff and ends
the pass, so later messages do not overtake it; with ``retry_after`` (flood control) nothing is
sent to Telegram before that delay. ``RefusedDeliveryError`` (a bad request) marks the row
FAILED and logs it. ``ChatUnreachableError`` (the bot removed from the staff group) holds the
whole outbox with backoff, nothing marked failed: an urgent alert waits for the bot to be back
(``retry_now``), and `bot.staff_chat.StaffChat` reports the outage once. ``ChatMovedError``
(the group became a supergroup) re-aims every row at the new id and delivers at once. Any
other exception from the transport is logged and treated as transient: a bug in the Telegram
layer delays alerts, it does not drop them.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Final, Literal, Protocol

from bot.clock import Clock
from bot.delivery import (
    ChatMovedError,
    ChatUnreachableError,
    RefusedDeliveryError,
    TransientDeliveryError,
)
from bot.i18n import Translator
from bot.runtime.background import (
    BACKOFF_MAX,
    BACKOFF_START,
    Waker,
    describe_failure,
    retry_delay,
    run_passes,
)
from bot.runtime.flood_limits import GroupPacer
from bot.staff_chat import StaffChat
from bot.store import Store
from bot.store.outbox_rows import (
    MessageFor,
    OutboxKind,
    OutboxRecord,
    OutboxState,
    StaffButton,
    StaffMessage,
)

__all__ = [
    "BACKOFF_MAX",
    "BACKOFF_START",
    "DEFAULT_MAX_REALERTS",
    "DeliveryReport",
    "MessageFor",
    "Outbox",
    "OutboxKind",
    "OutboxRecord",
    "OutboxState",
    "StaffButton",
    "StaffMessage",
    "StaffTransport",
    "realert_message",
    "should_announce",
]

logger = logging.getLogger("vetbot.alerts")

DEFAULT_MAX_REALERTS: Final = 6
"""With the 5-minute default, half an hour of reminders; after that more would be noise."""
RUN_ERROR_PAUSE: Final = timedelta(seconds=30)
"""How long ``run`` waits after an unexpected error (e.g. a locked database) before retrying."""
_TAG: Final = re.compile(r"<[^>]*>")


class StaffTransport(Protocol):
    """What the Telegram layer implements. Raise the two errors above; nothing else is expected.

    ``edit`` should treat Telegram's "message is not modified" as success.
    """

    async def send(self, chat_id: int, message: StaffMessage) -> int:
        """Posts the message; returns its Telegram ``message_id``."""
        ...

    async def edit(self, chat_id: int, message_id: int, message: StaffMessage) -> None:
        """Replaces the text and buttons of a message the bot posted."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """Outbox ids touched by one ``deliver_due`` pass."""

    sent: tuple[int, ...] = ()
    edited: tuple[int, ...] = ()
    realerted: tuple[int, ...] = ()
    """The alerts that got a re-alert (the re-alerts themselves are in ``sent`` when sent)."""
    retrying: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()


def should_announce(setting: Literal["all", "urgent"], *, is_urgent: bool) -> bool:
    """Whether a booking is announced in the staff chat under ``STAFF_ANNOUNCE``."""
    return setting == "all" or is_urgent


def realert_message(alert: OutboxRecord, now: datetime, _: Translator) -> StaffMessage:
    """The default re-alert, in the staff's language: a reply to the alert, its first line,
    the alert's own buttons (so "Je prends" on the re-alert acknowledges the alert itself)."""
    headline = _TAG.sub("", alert.message.text.split("\n", 1)[0]).strip()
    since = alert.sent_at or alert.created_at
    minutes = max(1, round((now - since).total_seconds() / 60))
    return StaffMessage(
        text=_(
            "⏰ <b>Toujours pas pris en charge</b> (depuis {minutes} min) : {headline}",
            minutes=minutes,
            headline=headline,
        ),
        buttons=alert.message.buttons,
        reply_to_message_id=alert.message_id,
    )


def acknowledged_realert_message(by_name: str, _: Translator) -> StaffMessage:
    """What a sent re-alert becomes once the alert is acknowledged: no buttons left to tap."""
    return StaffMessage(text=_("⏰ ✅ Pris en charge par {name}.", name=html.escape(by_name)))


class Outbox:
    """Records staff messages and delivers them; see the module docstring for the guarantees."""

    def __init__(
        self,
        store: Store,
        transport: StaffTransport,
        clock: Clock,
        *,
        realert_after: timedelta,
        staff_language: Translator,
        max_realerts: int | None = DEFAULT_MAX_REALERTS,
        render_realert: Callable[
            [OutboxRecord, datetime, Translator], StaffMessage
        ] = realert_message,
        pacer: GroupPacer | None = None,
        staff_chat: StaffChat | None = None,
    ) -> None:
        if realert_after <= timedelta(0):
            raise ValueError("realert_after must be positive")
        self._store = store
        self._transport = transport
        self._clock = clock
        self._realert_after = realert_after
        self._max_realerts = max_realerts
        self._render_realert = render_realert
        self._staff_language = staff_language
        """The staff chat's language (the clinic's), for what the outbox writes itself."""
        self._pacer = pacer
        self._staff_chat = staff_chat
        self._hold_until: datetime | None = None
        self._waker = Waker()
        self._lock = asyncio.Lock()

    # Recording ------------------------------------------------------------------------------

    def enqueue(
        self,
        kind: OutboxKind,
        chat_id: int,
        message: StaffMessage | MessageFor,
        *,
        owner_user_id: int | None = None,
        booking_id: str | None = None,
        needs_ack: bool = False,
    ) -> OutboxRecord:
        """Records the message (committed on return) and wakes the dispatcher.

        ``message`` may be a function of the new row's id, for buttons that name it
        (``lambda oid: StaffMessage(text, ((StaffButton("Je prends", f"ack:{oid}"),),))``).

        ``needs_ack``: an alert staff must take ("Je prends"); re-alerted every
        ``realert_after`` until acknowledged, counted from when it reached the chat.
        """
        realert_at = self._clock() + self._realert_after if needs_ack else None
        record = self._store.outbox.add(
            kind,
            chat_id,
            message,
            owner_user_id=owner_user_id,
            booking_id=booking_id,
            needs_ack=needs_ack,
            realert_at=realert_at,
        )
        self.wake()
        return record

    def update(
        self, outbox_id: int, message: StaffMessage, *, booking_id: str | None = None
    ) -> OutboxRecord | None:
        """New text and buttons: sent with the message if still pending, else edited into the
        same Telegram message (the appointment added to an alert, who took it). ``booking_id``
        links the alert to the booking it led to. None if the row is unknown (forgotten)."""
        record = self._store.outbox.replace(outbox_id, message, booking_id=booking_id)
        if record is not None:
            self.wake()
        return record

    def acknowledge(self, outbox_id: int, *, by_id: int, by_name: str) -> OutboxRecord | None:
        """ "Je prends": the first one wins. None if already taken, unknown or not an alert.

        Stops re-alerts; sent re-alerts lose their buttons. Checking that ``by_id`` is a member
        of the staff chat is the caller's job. Show who took it with ``update``.
        """
        record = self._store.outbox.acknowledge(
            outbox_id,
            by_id=by_id,
            by_name=by_name,
            realert_update=acknowledged_realert_message(by_name, self._staff_language),
        )
        if record is not None:
            self.wake()
        return record

    def get(self, outbox_id: int) -> OutboxRecord | None:
        return self._store.outbox.get(outbox_id)

    def retry_now(self, chat_id: int) -> None:
        """The bot is back in ``chat_id``: what waits there goes now, not after the back-off."""
        self._hold_until = None
        self._store.outbox.due_now(chat_id)
        self.wake()

    # Delivering -----------------------------------------------------------------------------

    async def deliver_due(self) -> DeliveryReport:
        """One pass: re-alerts due, then pending sends (urgent first, then oldest), then edits.

        A pass stops at the first transient failure, so later messages do not overtake it.
        """
        async with self._lock:
            now = self._clock()
            report = _Tally(realerted=self._enqueue_realerts(now))
            if self._held(now):
                return report.freeze()
            for record in self._store.outbox.due_sends(now):
                outcome = await self._send(record)
                report.add(outcome, record.id, edit=False)
                if outcome is _Outcome.RETRY:
                    return report.freeze()
            for record in self._store.outbox.due_edits(self._clock()):
                outcome = await self._edit(record)
                report.add(outcome, record.id, edit=True)
                if outcome is _Outcome.RETRY:
                    break
            return report.freeze()

    def next_due(self) -> datetime | None:
        """When the next pass has work (a past instant: now); None when nothing is waiting."""
        due = self._store.outbox.next_due()
        if due is not None and self._hold_until is not None:
            return max(due, self._hold_until)
        return due

    def wake(self) -> None:
        """Makes ``wait_until_due`` return now (called by every recording method)."""
        self._waker.wake()

    async def wait_until_due(self) -> None:
        """Returns when woken or when the next row falls due, whichever comes first."""
        await self._waker.sleep_until(self.next_due(), self._clock())

    async def run(self) -> None:
        """The background task: deliver, wait, forever (cancel it to stop)."""
        await run_passes(
            self.deliver_due,
            self.wait_until_due,
            self._waker,
            name="staff outbox",
            error_pause=RUN_ERROR_PAUSE,
            now=self._clock,
        )

    # Internals ------------------------------------------------------------------------------

    def _enqueue_realerts(self, now: datetime) -> tuple[int, ...]:
        done: list[int] = []
        for alert in self._store.outbox.due_realerts(now):
            count = alert.realert_count + 1
            last = self._max_realerts is not None and count >= self._max_realerts
            next_at = None if last else now + self._realert_after
            child = self._store.outbox.add_realert(
                alert.id,
                self._render_realert(alert, now, self._staff_language),
                next_realert_at=next_at,
            )
            if child is not None:
                logger.info("staff outbox: alert %s unacknowledged, re-alert %s", alert.id, count)
                done.append(alert.id)
        return tuple(done)

    async def _wait_turn(self, chat_id: int) -> None:
        """Into a group, wait for Telegram's per-group limit, counting what the store says was
        sent there before this process started (see `GroupPacer`)."""
        if self._pacer is None or chat_id >= 0:
            return
        if not self._pacer.primed(chat_id):
            now = self._clock()
            since = now - timedelta(seconds=self._pacer.period)
            sent = self._store.outbox.sent_times(chat_id, since)
            self._pacer.prime(chat_id, [(now - at).total_seconds() for at in sent])
        await self._pacer.wait_turn(chat_id)

    def _held(self, now: datetime) -> bool:
        if self._hold_until is not None and now < self._hold_until:
            return True
        self._hold_until = None
        return False

    async def _send(self, record: OutboxRecord) -> _Outcome:
        await self._wait_turn(record.chat_id)
        try:
            message_id = await self._transport.send(record.chat_id, record.message)
        except RefusedDeliveryError as error:
            logger.error("staff outbox: %s %s refused for good: %s", record.kind, record.id, error)
            self._store.outbox.mark_failed(record.id, error=describe_failure(error))
            return _Outcome.FAILED
        except ChatMovedError as error:
            self._follow(record.chat_id, error.new_chat_id)
            return _Outcome.RETRY
        except Exception as error:
            self._retry(record, error)
            return _Outcome.RETRY
        self._reached(record.chat_id)
        realert_at = self._clock() + self._realert_after if record.needs_ack else None
        self._store.outbox.mark_sent(
            record.id, message_id=message_id, revision=record.revision, realert_at=realert_at
        )
        return _Outcome.DONE

    async def _edit(self, record: OutboxRecord) -> _Outcome:
        assert record.message_id is not None
        try:
            await self._transport.edit(record.chat_id, record.message_id, record.message)
        except RefusedDeliveryError as error:
            logger.warning("staff outbox: edit of %s refused for good: %s", record.id, error)
            self._store.outbox.give_up_edit(record.id, error=describe_failure(error))
            return _Outcome.FAILED
        except ChatMovedError as error:
            self._follow(record.chat_id, error.new_chat_id)
            return _Outcome.RETRY
        except Exception as error:
            self._retry(record, error)
            return _Outcome.RETRY
        self._reached(record.chat_id)
        self._store.outbox.mark_edited(record.id, revision=record.revision)
        return _Outcome.DONE

    def _follow(self, old_chat_id: int, new_chat_id: int) -> None:
        """Every row of the old chat moves to the new one; the next pass starts at once."""
        if self._staff_chat is None or not self._staff_chat.moved(old_chat_id, new_chat_id):
            self._store.move_staff_chat(old_chat_id, new_chat_id)
        self.wake()

    def _reached(self, chat_id: int) -> None:
        if self._staff_chat is not None and chat_id == self._staff_chat.chat_id:
            self._staff_chat.regained()

    def _retry(self, record: OutboxRecord, error: Exception) -> None:
        retry_after = error.retry_after if isinstance(error, TransientDeliveryError) else None
        if isinstance(error, TransientDeliveryError):
            logger.warning("staff outbox: %s %s delayed: %s", record.kind, record.id, error)
        elif isinstance(error, ChatUnreachableError):
            if self._staff_chat is not None and record.chat_id == self._staff_chat.chat_id:
                self._staff_chat.lost(str(error))  # logs once per outage, not per retry
            else:
                logger.warning("staff outbox: chat %s unreachable: %s", record.chat_id, error)
        else:
            logger.exception("staff outbox: unexpected error delivering %s", record.id)
        at = self._clock() + retry_delay(record.attempts, retry_after)
        self._store.outbox.retry_later(record.id, at=at, error=describe_failure(error))
        if retry_after is not None or isinstance(error, ChatUnreachableError):
            # Flood control, or the bot shut out of the chat, covers the whole chat: nothing
            # else is tried before then (``retry_now`` ends the wait when the bot is back).
            self._hold_until = at


class _Outcome(Enum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(slots=True)
class _Tally:
    """The ids one pass touched, by outcome."""

    realerted: tuple[int, ...]
    sent: list[int] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def add(self, outcome: _Outcome, outbox_id: int, *, edit: bool) -> None:
        if outcome is _Outcome.DONE:
            (self.edited if edit else self.sent).append(outbox_id)
        elif outcome is _Outcome.RETRY:
            self.retrying.append(outbox_id)
        else:
            self.failed.append(outbox_id)

    def freeze(self) -> DeliveryReport:
        return DeliveryReport(
            sent=tuple(self.sent),
            edited=tuple(self.edited),
            realerted=self.realerted,
            retrying=tuple(self.retrying),
            failed=tuple(self.failed),
        )
