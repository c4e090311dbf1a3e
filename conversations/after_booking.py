"""The Telegram side of what follows a confirmation: the owner's chat as the `OwnerDelivery` of
`bot.followups.BookingFollowUps` (built once by the composition root, with the staff desk as
its staff side); and, at start-up, `tell_untold` for bookings that settled while nobody was
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


def owner_chat(context: Context, chat: Chat | None) -> TelegramOwnerChat | None:
    """The owner's chat as an `OwnerDelivery`, in their language (None: no chat)."""
    if chat is None:
        return None
    return TelegramOwnerChat(chat, context.services, context.translator)


async def tell_untold(
    application: Application,  # type: ignore[type-arg]
    svc: Services,
    followups: BookingFollowUps,
) -> int:
    """At start-up: tell the owner and the staff how each booking settled while nobody was told
    (the process died between the API's answer and the telling, or during the POST and the
    restart settled it). The same staff messages as after a tap; returns how many."""
    untold = svc.store.untold_bookings()
    for record in untold:
        followups.tell_staff(record)
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
