"""The vet step's answers: a vet tapped or typed, or "any vet" (the question is
`flow.ask_vet`)."""

from __future__ import annotations

from telegram import Update

from bot.matching import answer_vet, means_any
from conversations import callbacks as cb
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import advance, ask_vet, show_menu, typed_text


async def vet_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    if data == cb.VET_ANY:
        return await _take_vet(update, context, None, any_vet=True)
    return await _take_vet(update, context, cb.value(data, cb.VET), any_vet=False)


async def vet_typed(update: Update, context: Context) -> str:
    svc = context.services
    text = typed_text(update)
    if means_any(text):
        return await _take_vet(update, context, None, any_vet=True)
    return await _take_vet(update, context, answer_vet(text, svc.clinic.vets), any_vet=False)


async def _take_vet(update: Update, context: Context, vet_id: str | None, *, any_vet: bool) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None or draft.appointment_type_id is None:
        return await show_menu(update, context)
    allowed = {vet.id for vet in svc.booking.vets_for(draft.appointment_type_id)}
    if not any_vet and (vet_id is None or vet_id not in allowed):
        _ = context.translator
        choose = _("Choisissez un vétérinaire dans la liste.")
        if update.callback_query is not None:
            await answer_callback(update, context, choose)
        else:  # typed: no toast to carry it, so it is said above the question
            draft.step_note = choose
        return await ask_vet(update, context, draft)
    draft.vet_id, draft.any_vet = vet_id, any_vet
    return await advance(update, context)
