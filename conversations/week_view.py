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
import secrets
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.booking import OfferedSlot
from bot.clock import Clock
from bot.miniapp.init_data import MiniAppUser
from bot.miniapp.week_api import OwnerAtTimeStep
from bot.runtime.persistence import stored_user_data
from bot.store.db import ClinicDb
from bot.store.inbox import UpdateInbox
from conversations import states as st
from conversations.common import Context
from conversations.flow import carry_on, show_slots, show_summary, vet_ids
from conversations.session import Session, restore_session

_CHOOSING_STEPS = (st.WHEN, st.SLOT)


class ChatConversations:
    """`bot.miniapp.week_api.OwnerConversations` over the running PTB application of the
    clinic (a single clinic, or a clinic group in one process)."""

    def __init__(self, application: Application, clock: Clock) -> None:  # type: ignore[type-arg]
        self._application = application
        self._clock = clock
        self._update_ids = itertools.count(-1, -1)

    def __repr__(self) -> str:
        return "ChatConversations()"

    def at_time_step(self, user_id: int) -> OwnerAtTimeStep | None:
        return _choosing(self._application.user_data.get(user_id))

    async def choose(self, user: MiniAppUser, slot: OfferedSlot) -> None:
        payload = _chosen_update(user, slot, next(self._update_ids), self._clock())
        update = Update.de_json(payload, self._application.bot)
        await self._application.update_queue.put(update)


class StoredConversations:
    """`bot.miniapp.week_api.OwnerConversations` for a clinic of a group on PostgreSQL, from
    any instance: the owner's session as the clinic's holder last wrote it, and the choice
    recorded in the group's inbox, which wakes the holder (wherever it runs) to handle it."""

    def __init__(self, db: ClinicDb, inbox: UpdateInbox, clock: Clock) -> None:
        self._db = db
        self._inbox = inbox
        self._clock = clock

    def __repr__(self) -> str:
        return f"StoredConversations({self._db.clinic!r})"

    def at_time_step(self, user_id: int) -> OwnerAtTimeStep | None:
        stored = stored_user_data(self._db, user_id)
        return None if stored is None else _choosing(restore_session(stored))

    async def choose(self, user: MiniAppUser, slot: OfferedSlot) -> None:
        # Negative, and random: instances choose them without agreeing on a counter.
        update_id = -1 - secrets.randbits(62)
        payload = _chosen_update(user, slot, update_id, self._clock())
        self._inbox.record(self._db.clinic, update_id, payload)


def _choosing(session: object) -> OwnerAtTimeStep | None:
    """The owner's draft when their conversation is at the time or slot step, with a type, a
    pet and a vet (or any) chosen: what the week view shows."""
    if not isinstance(session, Session) or session.step not in _CHOOSING_STEPS:
        return None
    draft = session.draft
    if draft is None or draft.appointment_type_id is None or draft.patient_id is None:
        return None
    if draft.vet_id is None and not draft.any_vet:
        return None
    return OwnerAtTimeStep(draft, session.language)


def _chosen_update(
    user: MiniAppUser, slot: OfferedSlot, update_id: int, now: datetime
) -> dict[str, Any]:
    """The update a Telegram client's ``web_app_data`` message would make, as a JSON object."""
    person: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.language_code:
        person["language_code"] = user.language_code
    return {
        "update_id": update_id,
        "message": {
            "message_id": 0,
            "date": int(now.timestamp()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": person,
            "web_app_data": {"data": _encode(slot), "button_text": "🗓"},
        },
    }


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
