"""The Telegram side of what follows a confirmation: `bot.followups.BookingFollowUps` built for
one update, with the owner's chat behind its `OwnerDelivery` and the staff desk behind its
`StaffFollowUps`; and, at start-up, `tell_untold` for bookings that settled while nobody was
told (a crash between the API's answer and the telling).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Chat, InputFile
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.followups import BookingFollowUps
from bot.i18n import Translator, pick_language
from bot.ics import ics_filename
from bot.services import Services
from bot.store import BookingRecord, BookingState
from conversations import keyboards as kb
from conversations.appointments import calendar_file
from conversations.blocked_owners import tell_owner
from conversations.common import Context, esc
from conversations.staff import announce_settled, ask_to_cancel

logger = logging.getLogger("vetbot.booking")


@dataclass(frozen=True, slots=True)
class TelegramOwnerChat:
    """`OwnerDelivery` through the chat the owner just confirmed in."""

    chat: Chat
    services: Services
    translator: Translator

    async def send_calendar(self, record: BookingRecord) -> None:
        _ = self.translator
        await self.chat.send_document(
            InputFile(
                calendar_file(self.services, _, record),
                filename=ics_filename(record.scheduled_at, record.pet_name or "rdv"),
            ),
            caption=_("Ajoutez-le à votre agenda 📅"),
        )

    async def send_text(self, text: str) -> None:
        await self.chat.send_message(text)


@dataclass(frozen=True, slots=True)
class TelegramStaffSide:
    """`StaffFollowUps` through the staff desk of this update (none without a staff chat)."""

    context: Context

    def announce_settled(self, record: BookingRecord) -> None:
        announce_settled(self.context.application, record)

    def ask_to_cancel(self, old: BookingRecord, replaced_by: BookingRecord) -> bool:
        """The staff see the old appointment and its replacement in the clinic's language."""
        return bool(ask_to_cancel(self.context, old, replaced_by=replaced_by))


def followups(context: Context) -> BookingFollowUps:
    """The follow-up service for this update, from what the composition root set in
    ``bot_data`` (reminders and the watcher only once the bot runs)."""
    svc = context.services
    return BookingFollowUps(
        store=svc.store,
        metrics=svc.metrics,
        staff=TelegramStaffSide(context),
        phone_display=svc.clinic.phone_display,
        reminders=context.reminders,
        watcher=context.watcher,
    )


def owner_chat(context: Context, chat: Chat | None) -> TelegramOwnerChat | None:
    """The owner's chat as an `OwnerDelivery`, in their language (None: no chat)."""
    if chat is None:
        return None
    return TelegramOwnerChat(chat, context.services, context.translator)


async def tell_untold(application: Application, svc: Services) -> int:  # type: ignore[type-arg]
    """At start-up: tell the owner and the staff how each booking settled while nobody was told
    (the process died between the API's answer and the telling, or during the POST and the
    restart settled it). The same staff messages as after a tap; returns how many."""
    untold = svc.store.untold_bookings()
    for record in untold:
        announce_settled(application, record)
        await _tell_owner(application, svc, record)
        svc.store.mark_told(record.booking_id)
    return len(untold)


async def _tell_owner(application: Application, svc: Services, record: BookingRecord) -> None:  # type: ignore[type-arg]
    """The owner's message for a booking settled after a restart (none to an owner who blocked
    the bot; a refusal marks them, see `tell_owner`)."""
    _ = svc.catalogs[pick_language(svc.store.language(record.user_id), svc.clinic.locale)]
    when, pet = _.when(record.scheduled_at), esc(record.pet_name)
    if record.state is BookingState.BOOKED:
        text = _("✅ Votre rendez-vous du {when} pour {pet} est confirmé.", when=when, pet=pet)
    elif record.state is BookingState.UNCERTAIN:
        text = _(
            "⏳ Votre demande de rendez-vous du {when} pour {pet} est bien partie, mais le "
            "logiciel de la clinique n'a pas répondu. La clinique vérifie et vous confirme "
            "très vite ici.",
            when=when,
            pet=pet,
        )
    else:
        text = _(
            "Votre demande de rendez-vous du {when} pour {pet} n'a pas pu aboutir : rien "
            "n'est réservé. Reprenez la réservation quand vous voulez, ou appelez la clinique "
            "au {phone}.",
            when=when,
            pet=pet,
            phone=esc(svc.clinic.phone_display),
        )
    try:
        await tell_owner(
            application, record.user_id, text, parse_mode=ParseMode.HTML, reply_markup=kb.menu(_)
        )
    except TelegramError as error:  # told or not, it is settled: never told again
        logger.warning(
            "telling user %s how %s settled failed: %s", record.user_id, record.booking_id, error
        )
