"""The slot step's answers: a slot tapped, earlier/later days, or another time typed.

A tap from an older list (its generation no longer the draft's) shows the current list; the
list itself is `flow.show_slots`."""

from __future__ import annotations

from telegram import Update

from bot.booking import Draft, OfferedSlot, SlotPage
from bot.treats import TreatsError
from bot.when import Grain, WhenReading, read_when
from conversations import callbacks as cb
from conversations import states as st
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import (
    advance,
    impossible_time,
    show_menu,
    show_slots,
    take_reading,
    typed_text,
    unavailable,
    vet_ids,
)


async def slot_tapped(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    pick = cb.slot_pick(query.data or "")
    _ = context.translator
    if draft is None:
        return await show_menu(update, context)
    if pick is None or pick.generation != draft.offer_generation:
        await answer_callback(
            update, context, _("Cette liste n'est plus à jour : voici la nouvelle.")
        )
        return await show_slots(update, context, draft)
    if pick.choice in (cb.EARLIER, cb.LATER):
        assert draft.offer_day is not None and draft.appointment_type_id is not None
        step = -1 if pick.choice == cb.EARLIER else 1
        try:
            page = await svc.booking.page(
                draft.appointment_type_id,
                vet_ids(context, draft),
                draft.offer_day,
                step,
                draft.when,
                urgent=draft.is_urgent,
            )
        except TreatsError:
            return await unavailable(update, context, st.SLOT)
        if page is None:
            await answer_callback(update, context, _("Pas d'autre créneau de ce côté-là."))
            return st.SLOT
        return await show_slots(update, context, draft, page)
    if not pick.choice.isdigit() or int(pick.choice) >= len(draft.offer):
        await answer_callback(update, context, _("Choisissez un créneau dans la liste."))
        return await show_slots(update, context, draft)
    draft.slot = draft.offer[int(pick.choice)]
    return await advance(update, context)


async def slot_typed(update: Update, context: Context) -> str:
    """Typed text at the slot step: another time to look for, else the same slots again."""
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    _ = context.translator
    reading = read_when(
        typed_text(update), svc.local_now(), language=_.language, on_day=draft.offer_day
    )
    if reading.problem is not None:
        return await impossible_time(update, context, reading)
    if reading.request is not None:  # a bare "à 11h" is read on the day on screen
        chosen = _offered_at(draft, reading)
        if chosen is not None:  # "15:00" typed under a list showing 15:00: that slot
            draft.slot = chosen
            return await advance(update, context)
        asked = await take_reading(update, context, draft, reading)
        return asked if asked is not None else await show_slots(update, context, draft)
    note = _("Je n'ai pas trouvé de date ni d'heure dans votre message.") + "\n"
    if draft.offer_day is None or not draft.offer:
        return await show_slots(update, context, draft, note=note)
    page = SlotPage(draft.offer_day, draft.offer)
    return await show_slots(update, context, draft, page, note=note)


def _offered_at(draft: Draft, reading: WhenReading) -> OfferedSlot | None:
    """The one slot on screen starting at the exact time typed ("15:00", "à 15h"), when there
    is nothing to ask about the reading; None otherwise (a window, "vers 15h", two vets at
    that time: the list is shown again around it)."""
    request = reading.request
    if request is None or reading.must_ask or request.grain is not Grain.MINUTE:
        return None
    offered = [slot for slot in draft.offer if slot.start == request.start]
    return offered[0] if len(offered) == 1 else None
