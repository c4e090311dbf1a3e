"""Callback queries: a tap on an inline button, waiting for the bot's answer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ANSWER_WINDOW = timedelta(seconds=15)
"""How long Telegram accepts answerCallbackQuery after the tap (the client gives up then); the
Bot API reference gives no figure. See `answer_callback_query` in methods.py for the rule."""


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a tap: a toast or an alert (`show_alert`), or nothing."""

    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class PendingCallbackQuery:
    id: str
    chat_id: int
    message_id: int
    data: str
    asked_at: datetime
    answer: CallbackAnswer | None = None
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def expired(self, now: datetime) -> bool:
        return now - self.asked_at > ANSWER_WINDOW
