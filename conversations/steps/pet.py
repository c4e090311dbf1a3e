"""The pet step's answers: a pet tapped or typed (the question is `flow.ask_pet`)."""

from __future__ import annotations

from telegram import Update

from bot.booking import Draft
from bot.matching import match_pet
from conversations import callbacks as cb
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import advance, ask_pet, show_menu, typed_text


async def pet_tapped(update: Update, context: Context) -> str:
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    pet_id = cb.value(query.data or "", cb.PET)
    return await _take_pet(update, context, draft, pet_id)


async def pet_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    offered = context.session.offered_pets
    pet_id = match_pet(typed_text(update), [(pid, name) for pid, (name, _s) in offered.items()])
    return await _take_pet(update, context, draft, pet_id)


async def _take_pet(
    update: Update, context: Context, draft: Draft | None, pet_id: str | None
) -> str:
    if draft is None:
        return await show_menu(update, context)
    offered = context.session.offered_pets
    if pet_id is None or pet_id not in offered:
        _ = context.translator
        await answer_callback(update, context, _("Choisissez un de vos animaux dans la liste."))
        return await ask_pet(update, context, draft)
    draft.patient_id = pet_id
    draft.pet_name, draft.pet_species = offered[pet_id]
    return await advance(update, context)
