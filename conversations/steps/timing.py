"""The time step's answers: a time button ("demain", a reading to choose) or a typed time.

Named for the step, not `when`: bot/when is the time reader these answers call."""

from __future__ import annotations

from telegram import Update

from bot.when import (
    parse_when,
    read_when,
)
from conversations import callbacks as cb
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import (
    advance,
    ask_when,
    impossible_time,
    show_menu,
    take_reading,
    typed_text,
)


async def when_tapped(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    if draft is None:
        return await show_menu(update, context)
    data = query.data or ""
    if data == cb.WHEN_OTHER:
        draft.when_question = None
        return await ask_when(update, context)
    pick = cb.when_pick(data)
    if pick is not None:
        question = draft.when_question
        if question is None or pick >= len(question.choices):
            _ = context.translator
            await answer_callback(update, context, _("Ce bouton n'est plus valable."))
            return await advance(update, context)
        draft.when, draft.slot, draft.when_question = question.choices[pick], None, None
        return await advance(update, context)
    now = svc.local_now()
    phrase = {
        cb.WHEN_ASAP: "dès que possible",
        cb.WHEN_TOMORROW: "demain",
        cb.WHEN_THIS_WEEK: "cette semaine",
    }.get(query.data or "")
    request = parse_when(phrase, now) if phrase else None
    if request is None:
        return await ask_when(update, context)
    draft.when = request
    return await advance(update, context)


async def when_typed(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    _ = context.translator
    reading = read_when(typed_text(update), svc.local_now(), language=_.language)
    if reading.problem is not None:
        return await impossible_time(update, context, reading)
    if reading.request is None:
        draft.when_question = None
        return await ask_when(
            update, context, _("Je n'ai pas trouvé de date ni d'heure dans votre message.") + " "
        )
    asked = await take_reading(update, context, draft, reading)
    return asked if asked is not None else await advance(update, context)
