"""The staff transport maps Telegram's answers for the outbox, and never drops an alert for a
button Telegram refuses. A stand-in for the Bot (Telegram's side, not our code) answers."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.delivery import (
    ChatMovedError,
    ChatUnreachableError,
    RefusedDeliveryError,
    TransientDeliveryError,
)
from bot.outbox import StaffButton, StaffMessage
from conversations.staff_transport import TelegramStaffTransport

ALERT = StaffMessage(
    "🚨 <b>URGENCE</b>",
    (
        (StaffButton("🙋 Je prends", callback_data="ack:1"),),
        (StaffButton("💬 Ouvrir la discussion", url="tg://user?id=100001"),),
    ),
)


class Sent:
    message_id = 42


class FakeBot:
    """Answers send_message with the scripted outcomes, recording the keyboards it got."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.keyboards: list[list[list[str]]] = []

    async def send_message(self, chat_id, text, **kwargs):  # type: ignore[no-untyped-def]
        markup = kwargs.get("reply_markup")
        self.keyboards.append(
            [[b.text for b in row] for row in markup.inline_keyboard] if markup else []
        )
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return Sent()


async def test_a_refused_link_button_does_not_lose_the_alert() -> None:
    bot = FakeBot(BadRequest("BUTTON_USER_PRIVACY_RESTRICTED"), None)
    assert await TelegramStaffTransport(bot).send(-100, ALERT) == 42  # type: ignore[arg-type]
    assert bot.keyboards[1] == [["🙋 Je prends"]]


@pytest.mark.parametrize(
    ("error", "mapped"),
    [
        (RetryAfter(7), TransientDeliveryError),
        (NetworkError("Bad Gateway"), TransientDeliveryError),
        (BadRequest("Message is too long"), RefusedDeliveryError),
        (BadRequest("Chat not found"), ChatUnreachableError),
        (Forbidden("Forbidden: bot was kicked from the supergroup chat"), ChatUnreachableError),
        (ChatMigrated(-1001234), ChatMovedError),
    ],
)
async def test_errors_are_mapped_for_the_outbox(error: Exception, mapped: type) -> None:
    message = StaffMessage("📅 Nouveau RDV")
    with pytest.raises(mapped) as caught:
        await TelegramStaffTransport(FakeBot(error)).send(-100, message)  # type: ignore[arg-type]
    if isinstance(error, RetryAfter):
        assert caught.value.retry_after == 7
