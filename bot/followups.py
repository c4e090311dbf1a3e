"""What follows a confirmation, Telegram aside: the count, the staff told, reminders planned,
the status watcher woken, the calendar file and the replaced booking's cancellation, the event.

The confirmation step (conversations/steps/summary.py) only says the outcome to the owner and
hands the result here. What reaches the owner goes through one Protocol, `OwnerDelivery`
(Telegram in production, conversations/after_booking.py; a list in unit tests), passed per
call, and the staff side through `StaffFollowUps` (`bot.staff_desk.StaffDesk`, or
`NoStaffChat`), so these rules are tested without the emulator (tests/unit/test_followups.py).
The composition root (bot/launch/application.py) builds one `BookingFollowUps` for the bot.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.booking import ConfirmResult

if TYPE_CHECKING:
    from bot.i18n import Translator
    from bot.reminders import Reminders
    from bot.runtime.metrics import Metrics
    from bot.staff_desk import Filing
    from bot.status_watch import StatusWatcher
    from bot.store import BookingRecord, Store


class OwnerDelivery(Protocol):
    """How the owner hears of a booking's follow-ups: their chat, in their language."""

    @property
    def translator(self) -> Translator:
        """The owner's language, for what the follow-ups say."""
        ...

    async def send_calendar(self, record: BookingRecord) -> None:
        """The booking as a calendar file."""
        ...

    async def send_text(self, text: str) -> None:
        """One message (HTML) below the outcome."""
        ...


class StaffFollowUps(Protocol):
    """The staff side of a settled booking (the outbox and the staff requests), in the staff's
    language ``_``."""

    def announce_settled(self, record: BookingRecord, _: Translator) -> None:
        """Announce it, or file "RDV à vérifier" for an uncertain one (see
        `bot.staff_desk.StaffDesk.announce_settled`)."""
        ...

    def ask_to_cancel(
        self, record: BookingRecord, _: Translator, *, replaced_by: BookingRecord | None = None
    ) -> Filing:
        """File the cancellation of a booking a move replaced; falsy when nobody could take
        it (no staff chat): the owner must phone."""
        ...


@dataclass(frozen=True, slots=True)
class BookingFollowUps:
    """What follows every confirmation, built once for the bot. ``staff_language`` is the
    staff's (the clinic's locale); ``reminders`` and ``watcher`` are None in a bare
    application (tests that do not run the loops)."""

    store: Store
    metrics: Metrics
    staff: StaffFollowUps
    staff_language: Translator
    phone_display: str
    reminders: Reminders | None = None
    watcher: StatusWatcher | None = None

    def count(self, result: ConfirmResult) -> None:
        """One confirmation counted by outcome; a repeated tap is not a second one."""
        if not result.repeated:
            self.metrics.bookings.labels(str(result.outcome)).inc()

    def told(self, result: ConfirmResult) -> None:
        """The staff side of the outcome, then the mark that both sides know, so that a restart
        does not tell them again (`conversations.after_booking.tell_untold`)."""
        if result.repeated:
            return
        self.tell_staff(result.record)
        self.store.mark_told(result.record.booking_id)

    def tell_staff(self, record: BookingRecord) -> None:
        """The staff side of a settled booking, the same whichever path settled it: announced,
        or "RDV à vérifier" filed for an uncertain one."""
        self.staff.announce_settled(record, self.staff_language)

    def plan(self, record: BookingRecord) -> None:
        """Plan the reminders of a booking just confirmed, and start watching it for
        clinic-side changes."""
        if self.reminders is not None:
            self.reminders.schedule(record)
        if self.watcher is not None:
            self.watcher.wake()

    async def booked(
        self,
        result: ConfirmResult,
        owner: OwnerDelivery | None,
        *,
        replaces: BookingRecord | None = None,
    ) -> None:
        """Everything after "C'est confirmé !", once (never for a repeated tap): the staff
        told, reminders and watcher, the calendar file, the booking a move replaced, the event.
        ``owner`` None (no chat to write to) skips what is said to the owner, and the
        cancellation with it: the owner would never learn of it."""
        if result.repeated:
            return
        self.told(result)
        self.plan(result.record)
        if owner is not None:
            await owner.send_calendar(result.record)
            if replaces is not None:
                await self._cancel_replaced(replaces, result.record, owner)
        self.store.record_event(result.record.user_id, "booked")

    async def _cancel_replaced(
        self, old: BookingRecord, new: BookingRecord, owner: OwnerDelivery
    ) -> None:
        """A move booked its new slot: ask the clinic to cancel the old one, and say so (or,
        with no staff chat, ask the owner to phone)."""
        _ = owner.translator
        filed = self.staff.ask_to_cancel(old, self.staff_language, replaced_by=new)
        text = (
            _(
                "Et l'ancien rendez-vous du {when} : j'ai demandé à la clinique de l'annuler, "
                "elle vous le confirmera ici.",
                when=_.when(old.scheduled_at),
            )
            if filed
            else _(
                "Pensez à appeler la clinique au {phone} pour annuler l'ancien rendez-vous du "
                "{when}.",
                phone=html.escape(self.phone_display, quote=False),
                when=_.when(old.scheduled_at),
            )
        )
        await owner.send_text(text)
