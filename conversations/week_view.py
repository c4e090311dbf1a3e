"""The week view's way into the chat: what the page may read of a conversation, and the slot it
chose arriving as a message, so that the usual summary and "Confirmer" follow.

The page's choice is checked by the server (`bot.miniapp.week_api`), then put on the bot's
update queue as the message a Telegram client sends when a Mini App hands data to its bot
(``web_app_data``): it goes through the same per-chat order, persistence and handlers as
anything the owner does, and ``week_slot_chosen`` shows the summary. Its update ids are
negative, so they never meet Telegram's.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime

from telegram import Update
from telegram.ext import Application

from bot.booking import OfferedSlot
from bot.clock import Clock
from bot.miniapp.init_data import MiniAppUser
from bot.miniapp.week_api import OwnerAtTimeStep
from conversations import states as st
from conversations.common import Context
from conversations.flow import carry_on, show_slots, show_summary, vet_ids
from conversations.session import Session

_CHOOSING_STEPS = (st.WHEN, st.SLOT)


class ChatConversations:
    """`bot.miniapp.week_api.OwnerConversations` over a running PTB application."""

    def __init__(self, application: Application, clock: Clock) -> None:  # type: ignore[type-arg]
        self._application = application
        self._clock = clock
        self._update_ids = itertools.count(-1, -1)

    def __repr__(self) -> str:
        return "ChatConversations()"

    def at_time_step(self, user_id: int) -> OwnerAtTimeStep | None:
        session = self._application.user_data.get(user_id)
        if not isinstance(session, Session) or session.step not in _CHOOSING_STEPS:
            return None
        draft = session.draft
        if draft is None or draft.appointment_type_id is None or draft.patient_id is None:
            return None
        if draft.vet_id is None and not draft.any_vet:
            return None
        return OwnerAtTimeStep(draft, session.language)

    async def choose(self, user: MiniAppUser, slot: OfferedSlot) -> None:
        person = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        if user.language_code:
            person["language_code"] = user.language_code
        payload = {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": 0,
                "date": int(self._clock().timestamp()),
                "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                "from": person,
                "web_app_data": {"data": _encode(slot), "button_text": "🗓"},
            },
        }
        update = Update.de_json(payload, self._application.bot)
        await self._application.update_queue.put(update)


async def week_slot_chosen(update: Update, context: Context) -> str:
    """A slot chosen in the week view: the summary, as after a tap on a slot in the chat."""
    svc = context.services
    _ = context.translator
    session = context.session
    draft = session.draft
    message = update.effective_message
    data = message.web_app_data.data if message and message.web_app_data else ""
    slot = _decode(data[:1024])
    chat = update.effective_chat
    if (
        slot is None
        or draft is None
        or session.step not in _CHOOSING_STEPS
        or draft.appointment_type_id is None
        or slot.vet_id not in vet_ids(context, draft)
    ):
        if chat is not None:
            await chat.send_message(_("Ce choix n'est plus valable : reprenons ici."))
        return await carry_on(update, context)
    if svc.booking.too_soon(slot, urgent=draft.is_urgent):
        note = _("Ce créneau est maintenant trop proche pour être réservé ici, désolé.")
        return await show_slots(update, context, draft, note=note + "\n")
    draft.slot = slot
    draft.when_question = None
    return await show_summary(update, context, draft)


def _encode(slot: OfferedSlot) -> str:
    return json.dumps(
        {"vet": slot.vet_id, "start": slot.start.isoformat(), "end": slot.end.isoformat()}
    )


def _decode(data: str) -> OfferedSlot | None:
    """The slot a week view sent; None for anything else (a forged or garbled message)."""
    try:
        raw = json.loads(data)
        start, end = datetime.fromisoformat(raw["start"]), datetime.fromisoformat(raw["end"])
        vet = raw["vet"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(vet, str) or start.tzinfo is None or end <= start:
        return None
    return OfferedSlot(vet_id=vet, start=start, end=end)
