"""Owners who blocked the bot, as Telegram shows it: 403 on a send, ``my_chat_member``.

Every message the bot sends an owner on its own initiative (a staff decision, a booking
settled after a restart, reminders, clinic-side changes) goes through `tell_owner`: nothing is
sent to an owner marked unreachable, and a 403 marks them (and tells the staff when they have
an urgent case under way) instead of being swallowed. Replies inside the owner's own
conversation need none of this: the owner has just written.

The mark clears when the owner writes or taps in their private chat, or unblocks the bot
(``my_chat_member`` back to "member"). The rules are in `bot.owner_reach`.
"""

from __future__ import annotations

import contextlib
import html
import re
from typing import Any, Final

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden
from telegram.ext import Application, BaseHandler, ChatMemberHandler, TypeHandler

from bot import owner_reach
from bot.outbox import OutboxKind, OutboxRecord
from bot.services import Services
from bot.treats import TreatsError
from conversations.common import Context

REACH_GROUP: Final = -3
"""Before the staff handlers (-2, which stop the update) and the private-chat gate (-1): an
owner's message or tap clears the mark whatever handles it next. Nothing here stops it."""
GONE_STATUSES: Final = frozenset({ChatMemberStatus.BANNED, ChatMemberStatus.LEFT})
"""The bot's status in an owner's private chat once they blocked it ("kicked")."""


async def tell_owner(
    application: Application,  # type: ignore[type-arg]
    user_id: int,
    text: str,
    **send_kwargs: Any,
) -> bool:
    """Sends ``text`` to the owner unless they are unreachable; False if not sent for that
    reason (marked now, on a 403, or before). Other Telegram errors are the caller's."""
    svc: Services = application.bot_data.services
    if not owner_reach.reachable(svc.store, user_id):
        return False
    try:
        await application.bot.send_message(user_id, text, **send_kwargs)
    except Forbidden as error:
        await owner_lost(application, user_id, error.message)
        return False
    return True


async def owner_lost(application: Application, user_id: int, reason: str) -> None:  # type: ignore[type-arg]
    """Marks the owner unreachable; news of it reaches the staff if a case of theirs is urgent."""
    svc: Services = application.bot_data.services
    if owner_reach.lost(svc.store, user_id, reason):
        await tell_staff_unreachable(application, user_id)


def owner_back(application: Application, user_id: int) -> None:  # type: ignore[type-arg]
    """Clears the mark; clinic-side notices held meanwhile go out at once."""
    svc: Services = application.bot_data.services
    if owner_reach.regained(svc.store, user_id):
        watcher = application.bot_data.watcher
        if watcher is not None:
            watcher.wake()


async def _membership(update: Update, context: Context) -> None:
    """The owner blocked the bot ("kicked") or unblocked it ("member")."""
    change = update.my_chat_member
    assert change is not None
    status = change.new_chat_member.status
    if status in GONE_STATUSES:
        reason = f"my_chat_member says {status!s}: the owner {owner_reach.BLOCKED} the bot"
        await owner_lost(context.application, change.chat.id, reason)
    elif status == ChatMemberStatus.MEMBER:
        owner_back(context.application, change.chat.id)


async def _active(update: Update, context: Context) -> None:
    """The owner wrote or tapped: they can be written to."""
    user = update.effective_user
    assert user is not None
    owner_back(context.application, user.id)


class _PrivateMembership(ChatMemberHandler[Any, None]):
    """``my_chat_member`` in private chats only: the staff group's own is the staff module's."""

    def check_update(self, update: object) -> bool:
        return bool(
            super().check_update(update)
            and isinstance(update, Update)
            and update.my_chat_member is not None
            and update.my_chat_member.chat.type == ChatType.PRIVATE
        )


class _OwnerActivity(TypeHandler[Update, Any, None]):
    """A message or a tap from a user in their private chat with the bot."""

    def __init__(self) -> None:
        super().__init__(Update, _active)

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        chat = update.effective_chat
        acted = update.message is not None or update.callback_query is not None
        return acted and chat is not None and chat.type == ChatType.PRIVATE


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """For ``REACH_GROUP``; each handles its own updates and lets them go on."""
    return [_PrivateMembership(_membership, ChatMemberHandler.MY_CHAT_MEMBER), _OwnerActivity()]


# -- the staff told ------------------------------------------------------------------------


async def tell_staff_unreachable(application: Application, user_id: int) -> bool:  # type: ignore[type-arg]
    """The owner of an urgent case under way can no longer be reached on Telegram: one line
    in the staff chat, quoting the alert, with the phone to call instead (the Treats record's,
    else the alert's, else "?"). At most once per unreachable episode (see
    `bot.owner_reach.staff_must_hear`); True if posted."""
    staff = application.bot_data.staff_desk
    if staff is None:
        return False
    svc: Services = application.bot_data.services
    alert = owner_reach.staff_must_hear(svc.store, user_id, svc.clock())
    away = svc.store.unreachable(user_id)
    if alert is None or away is None:
        return False
    name, phone = _case_contact(alert)
    owner = svc.store.owner(user_id)
    if owner is not None:
        with contextlib.suppress(TreatsError):
            client = await svc.treats.get_client(owner.client_id)
            name, phone = client.full_name, client.phone or phone
    _ = svc.catalogs[svc.clinic.locale]
    notice = owner_reach.unreachable_notice(
        _,
        owner=name or "?",
        phone=phone,
        blocked=owner_reach.was_blocked(away.reason),
        quote=alert.message_id if alert.chat_id == staff.chat_id else None,
    )
    staff.outbox.enqueue(OutboxKind.NOTICE, staff.chat_id, notice, owner_user_id=user_id)
    return True


_CONTACT_LINE: Final = re.compile(r"^👤 (?P<name>.*) · 📞 (?P<phone>.*)$", re.MULTILINE)
"""The owner's line in `bot.urgent_cases.urgent_message`."""


def _case_contact(alert: OutboxRecord) -> tuple[str | None, str | None]:
    """The owner's name and phone as the alert shows them: what the staff saw, for when
    Treats cannot be asked now."""
    match = _CONTACT_LINE.search(alert.message.text)
    if match is None:
        return None, None
    name, phone = (html.unescape(match[key]).strip() for key in ("name", "phone"))
    return (name if name != "?" else None), (phone if phone != "?" else None)
