"""Every Bot API call the bot makes about one chat, with minimal parameters: what Telegram
refuses all at once when the chat is shut to the bot (removed from it, or the chat upgraded)."""

from __future__ import annotations

from typing import Any, Final

CALLS_ABOUT_A_CHAT: Final[list[tuple[str, dict[str, Any]]]] = [
    ("sendMessage", {"text": "URGENCE"}),
    ("sendChatAction", {"action": "typing"}),
    ("editMessageText", {"message_id": 1, "text": "Pris"}),
    ("editMessageReplyMarkup", {"message_id": 1}),
    ("deleteMessage", {"message_id": 1}),
    ("getChat", {}),
    ("getChatMember", {"user_id": 123456}),
]
