"""What owners read from the reminders and the status watcher (bot/reminders.py,
bot/status_watch.py): the texts, the buttons, and "Je serai là". Sent through
`conversations.blocked_owners.tell_owner`: never to an owner who blocked the bot."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.delivery import ChatUnreachableError
from bot.i18n import Translator, pick_language
from bot.ics import ics_filename
from bot.reminders import (
    UNREACHABLE,
    ReminderKind,
    Reminders,
    SendReminder,
)
from bot.services import Services
from bot.status_watch import OnChange, StatusChange, StatusChangeKind
from bot.store import BookingRecord, BookingState
from bot.store.reminder_rows import ReminderRecord
from conversations import callbacks as cb
from conversations.appointments import calendar_file
from conversations.blocked_owners import tell_owner
from conversations.common import Context, answer_callback, esc
from conversations.telegram_errors import mapped_errors


def _owner_language(svc: Services, user_id: int) -> Translator:
    return svc.catalogs[pick_language(svc.store.language(user_id), svc.clinic.locale)]


def reminder_keyboard(_: Translator, record: BookingRecord) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Je serai là"), callback_data=cb.pack(cb.PRESENT, record.booking_id)
                )
            ],
            [
                InlineKeyboardButton(
                    _("🔁 Déplacer"), callback_data=cb.pack(cb.MOVE, record.booking_id)
                ),
                InlineKeyboardButton(
                    _("❌ Annuler"), callback_data=cb.pack(cb.CANCEL_ASK, record.booking_id)
                ),
            ],
        ]
    )


def reminder_text(_: Translator, svc: Services, record: BookingRecord, kind: ReminderKind) -> str:
    head = (
        _("⏰ <b>Rappel</b>") if kind is ReminderKind.DAY_BEFORE else _("⏰ <b>C'est bientôt</b>")
    )
    lines = [
        head,
        _(
            "{pet} a rendez-vous le {when} avec {vet} ({type}).",
            pet=esc(record.pet_name),
            when=_.when(record.scheduled_at),
            vet=esc(record.vet_name),
            type=esc(record.type_name),
        ),
    ]
    if svc.clinic.address:
        lines.append(_("📍 {address}", address=esc(svc.clinic.address)))
    return "\n".join(lines)


def reminder_sender(application: Application) -> SendReminder:
    """The `send` of bot.reminders.Reminders, through this bot."""

    async def send(reminder: ReminderRecord, booking: BookingRecord) -> None:
        svc: Services = application.bot_data.services
        _ = _owner_language(svc, booking.user_id)
        with mapped_errors():
            told = await tell_owner(
                application,
                booking.user_id,
                reminder_text(_, svc, booking, ReminderKind(reminder.kind)),
                parse_mode=ParseMode.HTML,
                reply_markup=reminder_keyboard(_, booking),
            )
        if not told:
            raise ChatUnreachableError(UNREACHABLE)

    return send


def change_notifier(application: Application, reminders: Reminders) -> OnChange:
    """The `on_change` of bot.status_watch: tell the owner what the clinic changed."""

    async def on_change(change: StatusChange) -> None:
        svc: Services = application.bot_data.services
        record = change.booking
        _ = _owner_language(svc, record.user_id)
        bot = application.bot
        if change.kind is StatusChangeKind.CANCELLED:
            text = _(
                "❌ La clinique a annulé le rendez-vous du {when} pour {pet}. Pour en reprendre "
                "un, c'est ici ; pour toute question, appelez le {phone}.",
                when=_.when(change.old_start or record.scheduled_at),
                pet=esc(record.pet_name),
                phone=esc(svc.clinic.phone_display),
            )
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("📅 Prendre rendez-vous"), callback_data=cb.MENU_BOOK)]]
            )
            with mapped_errors():
                told = await tell_owner(application, record.user_id, text, reply_markup=markup)
            if not told:
                raise ChatUnreachableError(UNREACHABLE)
            reminders.drop(record.booking_id)
        elif change.kind is StatusChangeKind.MOVED:
            new_start = change.new_start or record.scheduled_at
            text = _(
                "🔁 La clinique a déplacé le rendez-vous de {pet} : c'est maintenant le {when} "
                "(au lieu du {old}). Voici le calendrier à jour.",
                pet=esc(record.pet_name),
                when=_.when(new_start),
                old=_.when(change.old_start or record.scheduled_at),
            )
            with mapped_errors():
                told = await tell_owner(application, record.user_id, text)
            if not told:
                raise ChatUnreachableError(UNREACHABLE)
            current = svc.store.booking(record.booking_id) or record
            with contextlib.suppress(TelegramError):
                await bot.send_document(
                    record.user_id,
                    InputFile(
                        calendar_file(svc, _, current, sequence=1),
                        filename=ics_filename(current.scheduled_at, current.pet_name),
                    ),
                )
            reminders.schedule(current, told_at=svc.clock())

    return on_change


async def present(update: Update, context: Context) -> None:
    """ "Je serai là": recorded (staff see it on /aujourdhui), the button goes."""
    svc = context.services
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    _ = _owner_language(svc, user.id)
    record = svc.store.booking(cb.value(query.data or "", cb.PRESENT) or "")
    if record is None or record.user_id != user.id or record.state != BookingState.BOOKED:
        await answer_callback(update, context, _("Ce rendez-vous n'est plus modifiable ici."))
        return
    svc.store.confirm_presence(record.booking_id, svc.clock())
    await answer_callback(update, context, _("Merci, c'est noté : à bientôt !"))
    message = query.message
    if message is not None and getattr(message, "text_html", None):
        with contextlib.suppress(TelegramError):
            await query.edit_message_text(
                message.text_html + "\n" + _("✅ Vous avez confirmé votre venue."),
                parse_mode=ParseMode.HTML,
            )
