"""Identification, the menu, clinic info and language: the owner's way in.

An unknown Telegram user shares their own number (a `request_contact` button); only a contact
whose user_id is the sender's is accepted. A signed invite link is the second way in.
"""

from __future__ import annotations

import functools
import logging

from telegram import ReplyKeyboardRemove, Update
from telegram.constants import ParseMode

from bot.client_choice import oldest_client
from bot.invites import InviteError, read_invite
from bot.phones import mask
from bot.treats import TreatsError
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import (
    Context,
    answer_callback,
    esc,
    show,
)
from conversations.flow import show_menu
from conversations.owner_requests import registration_offer
from conversations.session import SharedContact

logger = logging.getLogger("vetbot.start")


async def start(update: Update, context: Context) -> str:
    """/start [invite]: greet; link the owner by invite or ask for their number."""
    svc = context.services
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    _ = context.translator
    await answer_callback(update, context)  # when a tap led here (an old menu, before identifying)
    svc.store.record_event(user.id, "start")
    if context.args:
        return await _accept_invite(update, context, context.args[0])
    if svc.store.owner(user.id) is not None:
        return await show_menu(update, context)
    await update.effective_message.reply_text(
        _(
            "Bonjour ! Je suis l'assistant de rendez-vous de la clinique : <b>{clinic}</b>. "
            "Quelques messages suffisent pour réserver.\n\nPour retrouver votre dossier, "
            "partagez votre numéro de téléphone avec le bouton ci-dessous.",
            clinic=esc(svc.clinic.name),
        ),
        parse_mode=ParseMode.HTML,
        reply_markup=kb.share_contact(_),
    )
    return st.SHARE_CONTACT


async def contact_shared(update: Update, context: Context) -> str:
    """A contact arrived: accept only the sender's own, then match it to a client."""
    svc = context.services
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.contact is not None and user is not None
    _ = context.translator
    if message.contact.user_id != user.id:
        await message.reply_text(
            _(
                "Pour protéger les dossiers de chacun, je ne peux utiliser que votre propre "
                "numéro. Appuyez sur « 📱 Partager mon numéro »."
            ),
            reply_markup=kb.share_contact(_),
        )
        return st.SHARE_CONTACT
    try:
        clients = await svc.treats.find_clients_by_phone(message.contact.phone_number)
    except TreatsError:
        await message.reply_text(
            _(
                "Je n'arrive pas à joindre le dossier de la clinique pour l'instant. "
                "Réessayez dans quelques minutes en partageant à nouveau votre numéro."
            ),
            reply_markup=kb.share_contact(_),
        )
        return st.SHARE_CONTACT
    if not clients:
        logger.info("unknown number %s", mask(message.contact.phone_number))
        await message.reply_text(
            _(
                "Je ne trouve pas ce numéro dans les dossiers de la clinique ({clinic}). "
                "Appelez-nous au {phone} ({hours}) : nous créerons votre dossier, puis vous "
                "pourrez réserver ici.",
                clinic=svc.clinic.name,
                phone=svc.clinic.phone_display,
                hours=svc.clinic.opening_hours,
            ),
            reply_markup=ReplyKeyboardRemove(),
        )
        name = " ".join(filter(None, [message.contact.first_name, message.contact.last_name]))
        context.session.shared_contact = SharedContact(name, message.contact.phone_number)
        await message.reply_text(
            _("Ou bien, je transmets votre demande d'inscription à la clinique :"),
            reply_markup=registration_offer(_),
        )
        return st.END
    client = oldest_client(clients)
    svc.store.link_owner(user.id, client.id, language=_.language, via="contact")
    await message.reply_text(
        _("Merci, {name} ! Votre dossier est retrouvé.", name=client.first_name),
        reply_markup=ReplyKeyboardRemove(),
    )
    return await show_menu(update, context, fresh=True)


async def contact_expected(update: Update, context: Context) -> str:
    """Anything but a contact while we wait for one: explain, show the button again."""
    _ = context.translator
    await answer_callback(update, context)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            _(
                "Pour commencer, j'ai besoin de votre numéro : appuyez sur le bouton "
                "« 📱 Partager mon numéro » en bas de l'écran. (Un numéro tapé au clavier ne "
                "suffit pas : le bouton prouve que c'est bien le vôtre.)"
            ),
            reply_markup=kb.share_contact(_),
        )
    return st.SHARE_CONTACT


async def _accept_invite(update: Update, context: Context, token: str) -> str:
    svc = context.services
    user = update.effective_user
    assert user is not None and update.effective_message is not None
    _ = context.translator
    if svc.link_secret is None:
        problem = InviteError.INVALID
    else:
        try:
            client_id = read_invite(token, svc.link_secret, now=svc.clock())
        except InviteError as error:
            problem = error
        else:
            try:
                client = await svc.treats.get_client(client_id)
            except TreatsError:
                problem = InviteError.INVALID
            else:
                svc.store.link_owner(user.id, client.id, language=_.language, via="invite")
                await update.effective_message.reply_text(
                    _("Bienvenue, {name} ! Votre dossier est relié.", name=client.first_name),
                    reply_markup=ReplyKeyboardRemove(),
                )
                return await show_menu(update, context, fresh=True)
    text = (
        _(
            "Ce lien d'invitation a expiré. Demandez-en un nouveau à la clinique, ou partagez "
            "votre numéro avec le bouton ci-dessous."
        )
        if problem is InviteError.EXPIRED
        else _(
            "Ce lien d'invitation n'est pas valable. Partagez votre numéro avec le bouton "
            "ci-dessous, ou demandez un nouveau lien à la clinique."
        )
    )
    await update.effective_message.reply_text(text, reply_markup=kb.share_contact(_))
    return st.SHARE_CONTACT


async def clinic_info(update: Update, context: Context) -> str:
    """Address, phone, hours."""
    svc = context.services
    _ = context.translator
    lines = [f"<b>{esc(svc.clinic.name)}</b>"]
    if svc.clinic.address:
        lines.append(_("📍 {address}", address=esc(svc.clinic.address)))
    lines.append(_("📞 {phone}", phone=esc(svc.clinic.phone_display)))
    lines.append(_("🕘 {hours}", hours=esc(svc.clinic.opening_hours)))
    if svc.clinic.emergency_display:
        lines.append(_("🚨 Urgences : {phone}", phone=esc(svc.clinic.emergency_display)))
    await show(update, context, "\n".join(lines), kb.back_to_menu(_))
    return st.MENU


async def choose_language(update: Update, context: Context) -> None:
    """/langue (/language): pick French or English."""
    _ = context.translator
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            _("Choisissez votre langue :"), reply_markup=kb.languages()
        )


async def language_chosen(update: Update, context: Context) -> str | None:
    svc = context.services
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    language = cb.value(query.data or "", cb.LANGUAGE)
    if language not in ("fr", "en"):
        await answer_callback(update, context)
        return
    svc.store.set_language(user.id, language)
    _ = context.choose_language(language)
    noted = _("C'est noté : je vous parlerai en français.")
    if svc.store.owner(user.id) is None:
        await answer_callback(update, context, noted)
        return await start(update, context)
    return await show_menu(update, context, note=noted)  # an answer that ends a step shows the next


def linked_or(handler):  # type: ignore[no-untyped-def]
    """While the phone number is awaited: an owner already linked (a state restored a step
    behind after a crash, a link made meanwhile) goes on with ``handler``, never asked for the
    number again; anyone else is shown the share button."""

    @functools.wraps(handler)
    async def linked_or(update: Update, context: Context) -> str | None:
        user = update.effective_user
        if user is not None and context.services.store.owner(user.id) is not None:
            return await handler(update, context)  # type: ignore[no-any-return]
        return await contact_expected(update, context)

    return linked_or
