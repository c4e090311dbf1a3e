"""The reason step's answers: a type tapped, or a reason typed in the owner's words.

An urgent appointment type asks the emergency question before going on (`urgent.ask`); a time
said with the reason ("un vaccin demain à 10h") is kept for the time step."""

from __future__ import annotations

from telegram import Update

from bot.matching import match_type
from bot.request_reading import reason_from
from bot.treats import TreatsError
from bot.when import (
    read_when,
)
from conversations import callbacks as cb
from conversations import states as st
from conversations import urgent
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import advance, ask_reason, show_menu, typed_text, unavailable


async def type_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    return await _take_type(update, context, cb.value(query.data or "", cb.TYPE))


async def reason_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    svc = context.services
    text = typed_text(update).strip()
    try:
        types = await svc.booking.appointment_types()
    except TreatsError:
        return await unavailable(update, context, st.REASON)
    _ = context.translator
    when = read_when(text, context.services.local_now(), language=_.language)
    if when.request is not None and draft.when is None:
        draft.when = when.request  # "un vaccin demain à 10h": the time is kept for later
    draft.reason = reason_from(text, when.spans, [draft.pet_name or ""]) or draft.reason
    type_id = match_type(text, types, clinic_words=svc.clinic.type_words)
    if type_id is None:
        return await ask_reason(update, context, draft)
    return await _take_type(update, context, type_id)


async def _take_type(update: Update, context: Context, type_id: str | None) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    try:
        types = {t.id: t for t in await svc.booking.appointment_types()}
    except TreatsError:
        return await unavailable(update, context, st.REASON)
    if type_id is None or type_id not in types:
        _ = context.translator
        await answer_callback(update, context, _("Choisissez un motif dans la liste."))
        return await ask_reason(update, context, draft)
    draft.appointment_type_id, draft.type_name = type_id, types[type_id].name
    if draft.vet_id is not None and not svc.clinic.vet(draft.vet_id).does(type_id):  # type: ignore[union-attr]
        draft.vet_id = None
    if svc.clinic.is_urgent_type(type_id, types[type_id].name) and not draft.is_urgent:
        return await urgent.ask(update, context, draft, None, draft.reason or "")
    return await advance(update, context)
