"""The Telegram transport the staff outbox delivers through.

`TelegramStaffTransport` sends and edits the outbox's staff messages (bot/outbox.py) and maps
Telegram's errors to bot/delivery.py's vocabulary. It sits below the handlers, built by the
composition root, so it imports no handler module. (The staff desk itself, with its rules, is
`bot.staff_desk`.)
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode

from bot.delivery import RefusedDeliveryError
from bot.outbox import StaffMessage
from conversations.telegram_errors import mapped_errors

logger = logging.getLogger("vetbot.staff")


class TelegramStaffTransport:
    """Sends and edits staff messages with the bot; maps Telegram errors for the outbox."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, message: StaffMessage) -> int:
        try:
            return await self._send(chat_id, message)
        except RefusedDeliveryError:
            if not _has_links(message):
                raise
            # A link button refused (the owner's privacy settings forbid tg://user links):
            # the alert matters more than the button; its text has the phone.
            logger.warning("staff message refused with its link buttons: sent without them")
            return await self._send(chat_id, _without_links(message))

    async def _send(self, chat_id: int, message: StaffMessage) -> int:
        with mapped_errors():
            sent = await self._bot.send_message(
                chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(message),
                reply_parameters=_quoting(message),
            )
        return sent.message_id

    async def edit(self, chat_id: int, message_id: int, message: StaffMessage) -> None:
        try:
            await self._edit(chat_id, message_id, message)
        except RefusedDeliveryError as error:
            if "not modified" in str(error):
                return
            if not _has_links(message):
                raise
            await self._edit(chat_id, message_id, _without_links(message))

    async def _edit(self, chat_id: int, message_id: int, message: StaffMessage) -> None:
        with mapped_errors():
            await self._bot.edit_message_text(
                message.text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(message),
            )


def _has_links(message: StaffMessage) -> bool:
    return any(button.url for row in message.buttons for button in row)


def _without_links(message: StaffMessage) -> StaffMessage:
    rows = tuple(
        row for row in (tuple(b for b in r if b.url is None) for r in message.buttons) if row
    )
    return StaffMessage(message.text, rows, message.reply_to_message_id)


def _quoting(message: StaffMessage) -> ReplyParameters | None:
    """Re-alerts quote their alert; sent anyway if that message was deleted."""
    if message.reply_to_message_id is None:
        return None
    return ReplyParameters(message.reply_to_message_id, allow_sending_without_reply=True)


def _markup(message: StaffMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data, url=b.url) for b in row]
            for row in message.buttons
        ]
    )
