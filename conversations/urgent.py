"""The urgent path: a red flag in the owner's words → "is it an emergency?" → phone and slots.

Triage only classifies (bot/triage.py); the bot never gives medical advice. On "yes" the staff
are alerted at once (before any booking), the owner gets the clinic's phone (the emergency
number when the clinic is closed) and the earliest slots today across all vets, and the
booking is made with isUrgent.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.booking import Draft
from bot.emergency_type import choose_urgent_type, chosen_is_urgent
from bot.i18n import Translator
from bot.matching import means_no, means_yes
from bot.schedule import ClinicSchedule
from bot.treats import TreatsError
from bot.triage import Triage
from bot.when import Grain, TimeRequest
from conversations import callbacks as cb
from conversations import states as st
from conversations.common import Context, answer_callback, esc, show
from conversations.flow import advance, at, paused, show_menu, typed_text, unavailable
from conversations.staff_side import raise_urgent_alert, staff_can_hear


def flag_labels(_: Translator, triage: Triage) -> str:
    labels = [flag.label_en if _.language == "en" else flag.label_fr for flag in triage.flags]
    return ", ".join(dict.fromkeys(labels))


def keyboard(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🚨 Oui, c'est urgent"), callback_data=cb.URGENT_YES)],
            [InlineKeyboardButton(_("Non, ce n'est pas urgent"), callback_data=cb.URGENT_NO)],
        ]
    )


async def ask(
    update: Update, context: Context, draft: Draft, triage: Triage | None, words: str
) -> str:
    """Ask whether it is an emergency; remember the owner's words for the staff alert.

    ``triage`` is None when the owner chose the clinic's emergency type rather than wrote
    red-flag words: the question is the same, without signs to name."""
    _ = context.translator
    if words:
        draft.owner_words = words[:500]
    draft.triage_asked = True
    flags = triage.flags if triage is not None else ()
    draft.triage_seen = draft.triage_seen | {flag.id for flag in flags}
    if flags:
        text = _(
            "Votre message évoque peut-être une urgence ({signs}). Est-ce une urgence ?",
            signs=esc(flag_labels(_, triage)),  # type: ignore[arg-type]
        )
    else:
        text = _(
            "Est-ce une urgence ? Si oui, je préviens l'équipe de la clinique tout de suite "
            "et je vous donne son numéro."
        )
    await show(update, context, text, keyboard(_))
    context.session.step = st.URGENT
    return st.URGENT


def today_from(now: datetime) -> TimeRequest:
    """From now to the end of today, in the clinic's zone."""
    end = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return TimeRequest(start=now, end=end, grain=Grain.DAY, preferred=None, approximate=False)


async def phone_now(update: Update, context: Context, *, alerted: bool = True) -> None:
    """The number to call right now: the clinic's, or the emergency line when it is closed.

    ``alerted``: whether the staff have been told (not for someone not identified yet)."""
    svc = context.services
    _ = context.translator
    now = svc.local_now()
    open_now = ClinicSchedule.from_clinic(svc.clinic).is_open(now)
    if open_now is False and svc.clinic.emergency_display:
        text = _(
            "🚨 La clinique est fermée en ce moment. Appelez tout de suite les urgences au "
            "<b>{phone}</b>.",
            phone=esc(svc.clinic.emergency_display),
        )
        if alerted:
            text += " " + _("L'équipe de la clinique est aussi prévenue.")
    elif alerted:
        text = _(
            "🚨 Appelez la clinique tout de suite au <b>{phone}</b> : l'équipe est prévenue "
            "et vous attend.",
            phone=esc(svc.clinic.phone_display),
        )
    else:
        text = _(
            "🚨 Si c'est une urgence, appelez la clinique tout de suite au <b>{phone}</b>.",
            phone=esc(svc.clinic.phone_display),
        )
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, parse_mode="HTML")


async def urgent_type_id(context: Context, draft: Draft) -> str | None:
    """The clinic's emergency type (its ``urgent_types``) if it has one, else what the owner
    chose."""
    svc = context.services
    urgent_types = svc.clinic.urgent_types
    if chosen_is_urgent(urgent_types, draft.appointment_type_id, draft.type_name):
        return draft.appointment_type_id  # kept: the types need not be read
    types = await svc.booking.appointment_types()
    chosen = choose_urgent_type(urgent_types, draft.appointment_type_id, draft.type_name, types)
    if chosen.name is not None:
        draft.type_name = chosen.name
    return chosen.id


def prepare_urgent_booking(draft: Draft, now: datetime, type_id: str | None) -> None:
    """Any vet, today first, flagged urgent."""
    draft.is_urgent = True
    draft.any_vet = True
    draft.vet_id = None
    draft.appointment_type_id = type_id
    draft.when = today_from(now)
    draft.slot = None


# -- the answers to the emergency question ----------------------------------------------


async def urgent_yes(update: Update, context: Context) -> str:
    """It is an emergency: staff alerted now, the phone to call, today's earliest slots."""
    svc = context.services
    draft = context.session.draft
    user = update.effective_user
    if draft is None or user is None:
        return await show_menu(update, context)
    _ = context.translator
    # Told "prévenue" only when the staff chat takes messages now; the alert waits otherwise.
    alerted = staff_can_hear(context)
    await answer_callback(
        update, context, _("L'équipe de la clinique est prévenue.") if alerted else None
    )
    await raise_urgent_alert(context, user.id, draft)
    await phone_now(update, context, alerted=alerted)
    if await paused(update, context, below=True):
        context.session.end_booking()
        return at(context, st.MENU)
    try:
        type_id = await urgent_type_id(context, draft)
    except TreatsError:
        return await unavailable(update, context, st.PET)
    prepare_urgent_booking(draft, svc.local_now(), type_id)
    query = update.callback_query
    session = context.session
    if query is not None and query.message is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
        if session.panel_message_id == query.message.message_id:
            session.panel_message_id = None  # stripped: never stripped twice (Telegram refuses)
    session.new_panel = True  # the slots go below the phone number
    return await advance(update, context)


async def urgent_no(update: Update, context: Context) -> str:
    """Not an emergency: the booking goes on as usual."""
    return await advance(update, context)


async def urgent_typed(update: Update, context: Context) -> str:
    """ "oui" or "non" typed at the emergency question count as the buttons; anything else
    asks again, with the buttons."""
    text = typed_text(update)
    if means_yes(text):
        return await urgent_yes(update, context)
    if means_no(text):
        return await urgent_no(update, context)
    _ = context.translator
    await show(
        update,
        context,
        _("Est-ce une urgence ? Répondez oui ou non, ou touchez un bouton."),
        keyboard(_),
    )
    return st.URGENT
