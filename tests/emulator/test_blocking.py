"""A person who blocks the bot: Telegram tells the bot (``my_chat_member``) and refuses, with 403
"Forbidden: bot was blocked by the user", whatever the bot then does in that chat, until the
person unblocks it or writes again (the app's "Restart" unblocks first)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import Forbidden

from bot.standins.emulator import Person, TelegramWorld
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import TEST_BOT_TOKEN

BLOCKED = "Forbidden: bot was blocked by the user"
KEYBOARD = {"inline_keyboard": [[{"text": "Confirmer", "callback_data": "confirm"}]]}


@pytest.fixture
async def alice(telegram_world: TelegramWorld) -> Person:
    """A person who already wrote to the bot (update 1), so the bot may answer her."""
    person = telegram_world.person("Alice", "Martin")
    await person.command("start")
    return person


async def _updates(bot_api: BotApi, offset: int) -> list[dict[str, Any]]:
    return (await bot_api("getUpdates", offset=offset))["result"]


async def test_blocking_tells_the_bot_with_my_chat_member(
    bot_api: BotApi, telegram_world: TelegramWorld, alice: Person
) -> None:
    await alice.block()
    (update,) = await _updates(bot_api, 2)
    change = update["my_chat_member"]
    assert change["chat"] == {
        "id": alice.user.id,
        "type": "private",
        "first_name": "Alice",
        "last_name": "Martin",
    }
    assert change["from"]["id"] == alice.user.id
    assert isinstance(change["date"], int)
    assert change["old_chat_member"] == {
        "user": telegram_world.bot.user.to_api(),
        "status": "member",
    }
    assert change["new_chat_member"] == {
        "user": telegram_world.bot.user.to_api(),
        "status": "kicked",
        "until_date": 0,
    }
    assert alice.blocked


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("sendMessage", {"text": "Rappel"}),
        ("sendChatAction", {"action": "typing"}),
        ("editMessageText", {"message_id": 2, "text": "Changé"}),
        ("editMessageReplyMarkup", {"message_id": 2}),
        ("deleteMessage", {"message_id": 2}),
    ],
)
async def test_everything_the_bot_does_in_a_blocked_chat_is_refused(
    bot_api: BotApi, telegram_world: TelegramWorld, alice: Person, method: str, params: dict
) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    await alice.block()
    body = await bot_api(method, expect=403, chat_id=alice.user.id, **params)
    assert body["description"] == BLOCKED
    assert alice.last_text == "Choisir"  # nothing changed on her screen
    assert [refused.description for refused in telegram_world.bot.refused] == [BLOCKED]


async def test_a_document_to_a_blocked_chat_is_refused(
    telegram_client: httpx.AsyncClient, alice: Person
) -> None:
    await alice.block()
    response = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendDocument",
        data={"chat_id": str(alice.user.id)},
        files={"document": ("rdv.ics", b"BEGIN:VCALENDAR", "text/calendar")},
    )
    assert (response.status_code, response.json()["description"]) == (403, BLOCKED)
    assert alice.documents == []


async def test_reading_a_blocked_chat_still_works(bot_api: BotApi, alice: Person) -> None:
    """getChat and getChatMember are not refused; the bot's own status there reads "kicked"."""
    await alice.block()
    chat = (await bot_api("getChat", chat_id=alice.user.id))["result"]
    assert chat["first_name"] == "Alice"
    me = (await bot_api("getMe"))["result"]
    member = (await bot_api("getChatMember", chat_id=alice.user.id, user_id=me["id"]))["result"]
    assert member["status"] == "kicked"


async def test_unblocking_tells_the_bot_and_lifts_the_block(bot_api: BotApi, alice: Person) -> None:
    await alice.block()
    await alice.unblock()
    blocking, unblocking = await _updates(bot_api, 2)
    assert blocking["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    change = unblocking["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "kicked",
        "member",
    )
    assert not alice.blocked
    await bot_api("sendMessage", chat_id=alice.user.id, text="Bon retour")


async def test_writing_again_restarts_the_bot_first(bot_api: BotApi, alice: Person) -> None:
    await alice.block()
    await alice.send("Finalement, je veux un rendez-vous")
    updates = await _updates(bot_api, 3)
    assert [next(key for key in update if key != "update_id") for update in updates] == [
        "my_chat_member",
        "message",
    ]
    assert updates[0]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert not alice.blocked
    await bot_api("sendMessage", chat_id=alice.user.id, text="Avec plaisir")


async def test_tapping_again_restarts_the_bot_first(bot_api: BotApi, alice: Person) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    await alice.block()
    tapping = asyncio.create_task(alice.tap("Confirmer"))
    updates = (await bot_api("getUpdates", offset=3, timeout=5))["result"]
    while len(updates) < 2:
        updates = (await bot_api("getUpdates", offset=3, timeout=5))["result"]
    assert "my_chat_member" in updates[0] and "callback_query" in updates[1]
    await bot_api("answerCallbackQuery", callback_query_id=updates[1]["callback_query"]["id"])
    await tapping


async def test_block_and_unblock_are_checked_and_shown_in_the_transcript(alice: Person) -> None:
    with pytest.raises(ValueError, match="has not blocked"):
        await alice.unblock()
    await alice.block()
    with pytest.raises(ValueError, match="already blocked"):
        await alice.block()
    await alice.send("Coucou")
    assert alice.transcript.render().splitlines()[-3:] == [
        "- Alice blocked the bot",
        "- Alice restarted the bot (unblocked)",
        "> Alice: Coucou",
    ]


async def test_ptb_raises_forbidden(telegram_world: TelegramWorld, telegram_url: str) -> None:
    alice = telegram_world.person("Alice")
    await alice.command("start")
    await alice.block()
    async with Bot(TEST_BOT_TOKEN, base_url=f"{telegram_url}/bot") as bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(alice.user.id, "Rappel de votre rendez-vous")
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_chat_action(alice.user.id, "typing")
