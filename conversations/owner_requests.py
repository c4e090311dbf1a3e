"""What owners ask the clinic that the Treats API cannot do: registration and cancellation.

Each becomes a staff request (`bot/staff_desk.py`): the owner is told it is with the clinic,
and hears back when a staff member marks it done or refused. An appointment has at most one
open request: while one is with the clinic, "Annuler" and "Déplacer" on it are kindly refused.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.change_policy import (
    Allowed,
    AlreadyAsked,
    NotYoursOrGone,
    TooClose,
    change_verdict,
    is_own_upcoming,
)
from bot.i18n import Translator
from bot.staff_requests import RequestKind, RequestRecord
from bot.store import BookingRecord
from bot.treats import TreatsError
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import Context, answer_callback, esc, show
from conversations.staff_side import Filing, ask_to_cancel, open_request


def registration_offer(_) -> InlineKeyboardMarkup:  # type: ignore[no-untyped-def]
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📝 Demander mon inscription"), callback_data=cb.REGISTER)]]
    )


async def ask_registration(update: Update, context: Context) -> str:
    """An unknown number asks the clinic to create their record."""
    user = update.effective_user
    assert user is not None
    _ = context.translator
    contact = context.session.shared_contact
    if contact is None:
        await answer_callback(update, context, _("Partagez d'abord votre numéro, s'il vous plaît."))
        return st.END
    filed = open_request(
        context,
        RequestKind.REGISTER,
        user.id,
        details={
            "Nom": contact.name,
            "Téléphone": contact.phone,
            "Telegram": f"@{user.username}" if user.username else str(user.id),
        },
    )
    context.session.shared_contact = None
    svc = context.services
    text = (
        _(
            "C'est transmis : la clinique va créer votre dossier et vous préviendra ici. "
            "Vous pouvez aussi l'appeler au {phone}.",
            phone=esc(svc.clinic.phone_display),
        )
        if filed
        else _(
            "Appelez la clinique au {phone} pour créer votre dossier.",
            phone=esc(svc.clinic.phone_display),
        )
    )
    await show(update, context, text)
    return st.END


def own_booking(update: Update, context: Context, kind: str):  # type: ignore[no-untyped-def]
    """The booking named in the tap, if it is this owner's, booked and still to come."""
    svc = context.services
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    record = svc.store.booking(cb.value(query.data or "", kind) or "")
    return record if is_own_upcoming(record, user.id, svc.clock()) else None


def already_asked(_: Translator, pending: RequestRecord) -> str:
    """The kind refusal of a second request for an appointment the clinic is already asked
    about."""
    if RequestKind(pending.kind) is RequestKind.CANCEL:
        return _(
            "La demande d'annulation de ce rendez-vous est déjà transmise à la clinique, "
            "qui vous répondra ici."
        )
    return _(
        "Une demande pour ce rendez-vous est déjà transmise à la clinique, qui vous répondra ici."
    )


async def changeable(update: Update, context: Context, kind: str) -> BookingRecord | None:
    """The tapped appointment if the owner may still cancel or move it here; else say why."""
    svc = context.services
    _ = context.translator
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    record = svc.store.booking(cb.value(query.data or "", kind) or "")
    pending = None if record is None else svc.store.pending_request(record.booking_id)
    verdict = change_verdict(
        record,
        user.id,
        svc.clock(),
        pending,
        late_cancellation=svc.late_cancellation,
        grace=svc.clinic.grace,
    )
    match verdict:
        case Allowed(record=allowed):
            return allowed
        case NotYoursOrGone():
            await answer_callback(update, context, _("Ce rendez-vous n'est plus modifiable ici."))
        case AlreadyAsked(pending=asked):
            await answer_callback(update, context, already_asked(_, asked))
        case TooClose():
            text = _(
                "Ce rendez-vous est dans moins de {hours} heures : pour l'annuler ou le "
                "déplacer, appelez la clinique au {phone}, merci !",
                hours=f"{verdict.hours:g}",
                phone=esc(svc.clinic.phone_display),
            )
            await show(update, context, text, kb.back_to_menu(_))
    return None


async def cancel_ask(update: Update, context: Context) -> str | None:
    """ "Annuler" on an appointment: confirm first, or ask to phone when it is too close.

    Refused, the owner stays where they were (a booking in progress goes on)."""
    _ = context.translator
    record = await changeable(update, context, cb.CANCEL_ASK)
    if record is None:
        return None
    text = _(
        "Demander à la clinique d'annuler le rendez-vous du {when} pour {pet} ?",
        when=_.when(record.scheduled_at),
        pet=esc(record.pet_name),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Oui, demander l'annulation"),
                    callback_data=cb.pack(cb.CANCEL_CONFIRM, record.booking_id),
                )
            ],
            [InlineKeyboardButton(_("↩️ Non, garder ce rendez-vous"), callback_data=cb.MENU)],
        ]
    )
    await show(update, context, text, keyboard)
    return st.MENU


async def cancel_confirmed(update: Update, context: Context) -> str | None:
    """File the cancellation with the staff; the owner is told it is with the clinic."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    _ = context.translator
    record = own_booking(update, context, cb.CANCEL_CONFIRM)
    if record is None:
        await answer_callback(update, context, _("Ce rendez-vous n'est plus modifiable ici."))
        return None
    filed = ask_to_cancel(context, record)
    if filed is Filing.PENDING:  # a repeated tap or an old button: nothing new was filed
        pending = svc.store.pending_request(record.booking_id)
        refusal = (
            already_asked(_, pending)
            if pending is not None
            else _("Ce rendez-vous n'est plus modifiable ici.")
        )
        await answer_callback(update, context, refusal)
        return None  # the panel stays as it was
    if filed is Filing.FILED:
        text = _(
            "Votre demande d'annulation est transmise à la clinique, qui vous confirmera ici. "
            "D'ici là, le rendez-vous reste prévu."
        )
    else:
        text = _(
            "Pour annuler, appelez la clinique au {phone}.", phone=esc(svc.clinic.phone_display)
        )
    await show(update, context, text, kb.back_to_menu(_))
    return st.MENU


async def add_pet_ask(update: Update, context: Context) -> str:
    """ "Un autre animal": the clinic adds pets; ask for what it needs in one message."""
    _ = context.translator
    text = _(
        "Écrivez le nom et l'espèce de votre animal, par exemple « Félix, chat, 2 ans ». "
        "Je transmets à la clinique, qui l'ajoutera à votre dossier."
    )
    await show(update, context, text, kb.back_to_menu(_))
    return st.ADD_PET


async def add_pet_described(update: Update, context: Context) -> str:
    """The owner described the pet: file it with the staff."""
    svc = context.services
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    _ = context.translator
    owner = svc.store.owner(user.id)
    if owner is None:
        return st.END
    name = "?"
    with contextlib.suppress(TreatsError):
        name = (await svc.treats.get_client(owner.client_id)).full_name
    filed = open_request(
        context,
        RequestKind.ADD_PET,
        user.id,
        client_id=owner.client_id,
        details={"Client": name, "Animal": (message.text or "")[:200]},
    )
    text = (
        _("C'est transmis : la clinique ajoute votre animal et vous préviendra ici.")
        if filed
        else _(
            "Appelez la clinique au {phone} pour ajouter votre animal.",
            phone=esc(svc.clinic.phone_display),
        )
    )
    await show(update, context, text, kb.back_to_menu(_))
    return st.MENU
