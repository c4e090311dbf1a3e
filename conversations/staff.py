"""The clinic staff's side in Telegram: the handlers' registration, and the staff chat itself
(the bot removed or added back, the group upgraded to a supergroup).

The rules (requests, announcements, urgent alerts) are in `bot.staff_desk` and
`bot.urgent_cases`; the staff's buttons are in conversations/staff_buttons.py, their commands in
conversations/staff_commands.py, and what owner handlers ask of the staff side in
conversations/staff_side.py. Staff commands work only in the staff chat; buttons there answer
only its members.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.staff_chat import StaffChat
from bot.staff_desk import REQUEST
from bot.urgent_cases import ACK, CALL
from conversations.common import Context
from conversations.staff_buttons import MEMBER_STATUSES, acknowledge, call_back, decide
from conversations.staff_commands import (
    STAFF_COMMANDS,
    invitation,
    pause,
    refuse_outside,
    resume,
    stats,
    today,
)
from conversations.telegram_errors import CHAT_GONE


async def _only_private(update: Update, context: Context) -> None:
    """Owners talk to the bot in private; nothing said in groups reaches their conversation."""
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        raise ApplicationHandlerStop


# -- the staff chat itself: the bot removed or added back, the group upgraded --------------


async def bot_membership(update: Update, context: Context) -> None:
    """Telegram's ``my_chat_member`` in the staff chat: the bot removed (staff messages wait,
    /readyz says so) or added back (what waited goes now)."""
    staff, change = context.staff, update.my_chat_member
    if staff is None or change is None or change.chat.id not in staff.chat.ids:
        return
    status = change.new_chat_member.status
    if status in MEMBER_STATUSES:
        staff.chat.regained()
        staff.outbox.retry_now(staff.chat_id)
    else:
        staff.chat.lost(f"the bot's status there is now {status!s}")
    raise ApplicationHandlerStop


async def group_upgraded(update: Update, context: Context) -> None:
    """The service message Telegram posts when a group becomes a supergroup: follow it."""
    staff, message = context.staff, update.effective_message
    if staff is None or message is None:
        return
    if message.migrate_to_chat_id is not None:
        moved = staff.chat.moved(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        moved = staff.chat.moved(message.migrate_from_chat_id, message.chat.id)
    else:
        return
    if moved:
        staff.outbox.wake()
    raise ApplicationHandlerStop


async def check_staff_chat(bot: Bot, chat: StaffChat) -> None:
    """At start: is the bot still in the staff chat? (It may have been removed, or the group
    upgraded, while the bot was stopped.) A network error leaves it to the outbox to find."""
    try:
        member = await bot.get_chat_member(chat.chat_id, bot.id)
    except ChatMigrated as error:
        chat.moved(chat.chat_id, error.new_chat_id)
        return
    except Forbidden as error:
        chat.lost(error.message)
        return
    except BadRequest as error:
        if error.message.lower() in CHAT_GONE:
            chat.lost(error.message)
        return
    except TelegramError:
        return
    if member.status in MEMBER_STATUSES:
        chat.regained()
    else:
        chat.lost(f"the bot's status there is {member.status!s}")


def handlers(chat: StaffChat | None) -> dict[int, list[BaseHandler]]:
    """The staff handlers by handler group: they run before the owners' conversation."""
    staff_chat = filters.Chat(chat.ids if chat is not None else [])
    if chat is not None:
        # Commands keep working in the supergroup the group became.
        chat.on_change(lambda: staff_chat.add_chat_ids(chat.chat_id))
    commands = [
        CommandHandler("aujourdhui", _stopping(today), filters=staff_chat),
        CommandHandler("stats", _stopping(stats), filters=staff_chat),
        CommandHandler("pause", _stopping(pause), filters=staff_chat),
        CommandHandler("reprise", _stopping(resume), filters=staff_chat),
        CommandHandler("invitation", _stopping(invitation), filters=staff_chat),
        CommandHandler(list(STAFF_COMMANDS), refuse_outside),
    ]
    buttons = [
        ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, group_upgraded),
        CallbackQueryHandler(acknowledge, pattern=rf"^{ACK}:"),
        CallbackQueryHandler(call_back, pattern=rf"^{CALL}:"),
        CallbackQueryHandler(decide, pattern=rf"^{REQUEST}:"),
    ]
    return {-2: [*buttons, *commands], -1: [TypeHandler(Update, _only_private)]}


def _stopping(callback):  # type: ignore[no-untyped-def]
    async def wrapped(update: Update, context: Context) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    wrapped.__doc__ = callback.__doc__
    return wrapped
