"""The buttons in the staff chat: "Je prends", "Rappeler", and a request's decision.

They answer only members of the staff chat: a forged callback from anyone else is refused. What
the staff decided is recorded by `bot.staff_requests`, shown by `bot.staff_desk`, and told to
the owner here, in the owner's language.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.i18n import pick_language
from bot.staff_desk import DONE, REFUSED, request_message
from bot.staff_requests import RequestKind, RequestRecord
from bot.treats import TreatsError
from bot.urgent_cases import ACK, CALL, with_line
from conversations.blocked_owners import tell_owner
from conversations.callbacks import MENU_BOOK
from conversations.common import Context, answer_callback, esc
from conversations.staff_side import staff_language

logger = logging.getLogger("vetbot.staff")

MEMBER_STATUSES: Final = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)
"""A user with one of these statuses in the staff chat is staff."""


async def _from_staff(update: Update, context: Context) -> str | None:
    """The tapping staff member's name, or None (and a refusal) for anyone else."""
    staff = context.staff
    query, user = update.callback_query, update.effective_user
    if staff is None or query is None or user is None:
        return None
    _ = staff_language(context.services)
    in_staff_chat = query.message is not None and query.message.chat.id == staff.chat_id
    member = False
    if in_staff_chat:
        with contextlib.suppress(TelegramError):
            status = (await context.bot.get_chat_member(staff.chat_id, user.id)).status
            member = status in MEMBER_STATUSES
    if not member:
        logger.warning("staff button refused for user %s", user.id)
        await answer_callback(update, context, _("Réservé à l'équipe de la clinique."), alert=True)
        return None
    return user.full_name


async def acknowledge(update: Update, context: Context) -> None:
    """ "Je prends": the first staff member takes the case; the alert shows who and when."""
    staff, query = context.staff, update.callback_query
    assert query is not None
    name = await _from_staff(update, context)
    if staff is None or name is None or update.effective_user is None:
        raise ApplicationHandlerStop
    _ = staff_language(context.services)
    outbox_id = _int_after(query.data, ACK)
    taken = staff.outbox.acknowledge(outbox_id, by_id=update.effective_user.id, by_name=name)
    if taken is None:
        await answer_callback(update, context, _("Déjà pris en charge."))
        raise ApplicationHandlerStop
    now = context.services.clock()
    waited = (now - (taken.sent_at or taken.created_at)).total_seconds()
    context.services.metrics.ack_seconds.observe(max(0.0, waited))
    label = _("✅ Pris en charge par {name} à {time}", name=name, time=_.time(now))
    staff.outbox.update(outbox_id, with_line(taken.message, esc(label), drop_ack=True))
    await answer_callback(update, context, _("C'est noté, merci !"))
    raise ApplicationHandlerStop


async def call_back(update: Update, context: Context) -> None:
    """ "Rappeler": show the owner's phone to the staff member."""
    query = update.callback_query
    assert query is not None
    if await _from_staff(update, context) is None:
        raise ApplicationHandlerStop
    svc, staff = context.services, context.staff
    _ = staff_language(svc)
    alert = staff.outbox.get(_int_after(query.data, CALL)) if staff else None
    owner = svc.store.owner(alert.owner_user_id) if alert and alert.owner_user_id else None
    client = None
    if owner is not None:
        with contextlib.suppress(TreatsError):
            client = await svc.treats.get_client(owner.client_id)
    if client is None:
        await answer_callback(
            update, context, _("Numéro introuvable : voir le dossier."), alert=True
        )
    else:
        text = _("{name} : {phone}", name=client.full_name, phone=client.phone or "?")
        await answer_callback(update, context, text, alert=True)
    raise ApplicationHandlerStop


async def decide(update: Update, context: Context) -> None:
    """ "Fait" / "Refusé" (or "Bien réservé" / "Pas réservé"): record, tell the owner."""
    staff, query = context.staff, update.callback_query
    assert query is not None
    name = await _from_staff(update, context)
    if staff is None or name is None or update.effective_user is None:
        raise ApplicationHandlerStop
    _ = staff_language(context.services)
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in (DONE, REFUSED):
        await answer_callback(update, context)
        raise ApplicationHandlerStop
    decided = staff.requests.decide(
        int(parts[1]), done=parts[2] == DONE, by_id=update.effective_user.id, by_name=name
    )
    if decided is None:
        await answer_callback(update, context, _("Déjà traité."))
        raise ApplicationHandlerStop
    if decided.outbox_id is not None:
        staff.outbox.update(decided.outbox_id, request_message(decided, decided.outbox_id, _))
    await answer_callback(update, context, _("C'est noté, merci !"))
    await tell_owner_decision(context, decided)
    raise ApplicationHandlerStop


async def tell_owner_decision(context: Context, request: RequestRecord) -> None:
    """The staff's decision, told to the owner in their language (a refusal with the phone)."""
    svc = context.services

    _ = svc.catalogs[pick_language(svc.store.language(request.user_id), svc.clinic.locale)]
    done = request.state == "done"
    texts = {
        (RequestKind.CANCEL, True): _("✅ La clinique a bien annulé votre rendez-vous."),
        (RequestKind.CANCEL, False): _(
            "La clinique n'a pas pu annuler ce rendez-vous. Appelez-la au {phone}."
        ),
        (RequestKind.RESCHEDULE, True): _("✅ La clinique a déplacé votre rendez-vous."),
        (RequestKind.RESCHEDULE, False): _(
            "La clinique n'a pas pu déplacer ce rendez-vous. Appelez-la au {phone}."
        ),
        (RequestKind.REGISTER, True): _(
            "✅ La clinique a créé votre dossier. Tapez /start pour prendre rendez-vous."
        ),
        (RequestKind.REGISTER, False): _(
            "La clinique n'a pas pu créer votre dossier ici. Appelez-la au {phone}."
        ),
        (RequestKind.ADD_PET, True): _(
            "✅ La clinique a ajouté votre animal à votre dossier : vous pouvez prendre "
            "rendez-vous pour lui."
        ),
        (RequestKind.ADD_PET, False): _(
            "La clinique n'a pas pu ajouter votre animal. Appelez-la au {phone}."
        ),
        (RequestKind.CHECK_BOOKING, True): _(
            "✅ La clinique a vérifié : votre rendez-vous est bien enregistré."
        ),
        (RequestKind.CHECK_BOOKING, False): _(
            "La clinique a vérifié : ce rendez-vous n'a pas pu être enregistré. Choisissons un "
            "autre créneau."
        ),
    }
    text = texts[(RequestKind(request.kind), done)].format(phone=svc.clinic.phone_display)
    markup = None
    if RequestKind(request.kind) is RequestKind.CHECK_BOOKING and not done:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📅 Choisir un autre créneau"), callback_data=MENU_BOOK)]]
        )
    elif RequestKind(request.kind) is RequestKind.ADD_PET and done:  # never a dead end
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📅 Prendre rendez-vous"), callback_data=MENU_BOOK)]]
        )
    try:
        await tell_owner(context.application, request.user_id, text, reply_markup=markup)
    except TelegramError as error:  # the decision stands; the staff see it in the chat
        logger.warning(
            "telling user %s of request %s failed: %s", request.user_id, request.id, error
        )


def _int_after(data: str | None, kind: str) -> int:
    raw = (data or "").removeprefix(kind + ":")
    return int(raw) if raw.isdigit() else -1
