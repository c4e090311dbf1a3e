"""Basic groups, and their upgrade to a supergroup: a new id, two service messages, and the old
id refused with 400 and ``parameters.migrate_to_chat_id`` (PTB's ``ChatMigrated``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot
from telegram.error import ChatMigrated

from bot.standins.emulator import Group, Person, TelegramWorld
from tests.emulator.chat_calls import CALLS_ABOUT_A_CHAT
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import TEST_BOT_TOKEN

UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"
KEYBOARD = {"inline_keyboard": [[{"text": "Je prends", "callback_data": "take"}]]}


@pytest.fixture
def lea(telegram_world: TelegramWorld) -> Person:
    return telegram_world.person("Léa", "Accueil")


@pytest.fixture
def small(telegram_world: TelegramWorld, lea: Person) -> Group:
    return telegram_world.group("Petite clinique", [lea], admins=[lea], kind="group")


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [update["message"] for update in body["result"]]


async def test_basic_groups_have_their_own_ids_and_type(
    bot_api: BotApi, telegram_world: TelegramWorld, small: Group, lea: Person
) -> None:
    other = telegram_world.group("Autre", [lea], kind="group")
    supergroup = telegram_world.group("Grande clinique", [lea])
    assert (small.id, other.id) == (-4000000001, -4000000002)
    assert str(supergroup.id).startswith("-100")
    assert small.kind == "group" and supergroup.kind == "supergroup"
    chat = (await bot_api("getChat", chat_id=small.id))["result"]
    assert (chat["type"], chat["title"]) == ("group", "Petite clinique")
    with pytest.raises(ValueError, match="kind"):
        telegram_world.group("Canal", [lea], kind="channel")


async def test_the_upgrade_posts_both_service_messages(
    bot_api: BotApi, small: Group, lea: Person
) -> None:
    old_id = small.id
    await lea.in_group(small).send("Bonjour")
    new_id = await small.upgrade_to_supergroup()
    assert str(new_id).startswith("-100") and small.id == new_id != old_id
    assert small.kind == "supergroup"
    hello, moved_to, moved_from = _messages(await bot_api("getUpdates"))
    assert hello["chat"]["id"] == old_id
    assert moved_to["chat"] == {"id": old_id, "type": "group", "title": "Petite clinique"}
    assert moved_to["from"]["id"] == lea.user.id
    assert moved_to["migrate_to_chat_id"] == new_id
    assert moved_to["message_id"] == hello["message_id"] + 1
    new_chat = {"id": new_id, "type": "supergroup", "title": "Petite clinique"}
    assert moved_from["chat"] == new_chat
    assert moved_from["sender_chat"] == new_chat
    assert moved_from["from"]["username"] == "GroupAnonymousBot"
    assert (moved_from["message_id"], moved_from["migrate_from_chat_id"]) == (1, old_id)


@pytest.mark.parametrize(("method", "params"), CALLS_ABOUT_A_CHAT)
async def test_the_old_id_is_refused_with_the_new_one(
    bot_api: BotApi, small: Group, method: str, params: dict
) -> None:
    old_id = small.id
    await bot_api("sendMessage", chat_id=old_id, text="Agenda", reply_markup=KEYBOARD)
    new_id = await small.upgrade_to_supergroup()
    body = await bot_api(method, expect=400, chat_id=old_id, **params)
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": UPGRADED,
        "parameters": {"migrate_to_chat_id": new_id},
    }


async def test_the_group_now_views_the_supergroup(
    bot_api: BotApi, telegram_world: TelegramWorld, small: Group, lea: Person
) -> None:
    old_id = small.id
    before = lea.in_group(small)  # taken before the upgrade: follows the group
    await before.send("Bonjour")
    sent = await bot_api("sendMessage", chat_id=old_id, text="Ancien", reply_markup=KEYBOARD)
    assert sent["result"]["message_id"] == 2  # the new chat starts again at 1
    assert (await small.next_message()).text == "Ancien"
    new_id = await small.upgrade_to_supergroup()
    assert small.member_ids == {lea.user.id}
    assert small.messages == [] and small.buttons == []  # old messages stay in the old chat

    body = await bot_api(
        "editMessageText",
        expect=400,
        chat_id=new_id,
        message_id=sent["result"]["message_id"],
        text="Repris",
    )
    assert body["description"] == "Bad Request: message to edit not found"

    await bot_api("sendMessage", chat_id=new_id, text="Nouveau", reply_markup=KEYBOARD)
    assert (await small.next_message()).text == "Nouveau"
    tapping = asyncio.create_task(before.tap("Je prends"))
    updates = (await bot_api("getUpdates", offset=-1, timeout=5))["result"]
    while "callback_query" not in updates[-1]:
        updates = (await bot_api("getUpdates", offset=-1, timeout=5))["result"]
    query = updates[-1]["callback_query"]
    assert query["message"]["chat"]["id"] == new_id
    await bot_api("answerCallbackQuery", callback_query_id=query["id"], text="Noté")
    assert (await tapping).text == "Noté"
    rendered = telegram_world.render_transcripts()
    assert f"(group chat {old_id})" in rendered and f"(supergroup chat {new_id})" in rendered


async def test_only_a_basic_group_the_bot_is_in_is_upgraded(
    telegram_world: TelegramWorld, small: Group, lea: Person
) -> None:
    with pytest.raises(ValueError, match="only a basic group"):
        await telegram_world.group("Grande", [lea]).upgrade_to_supergroup()
    await small.remove_bot()
    with pytest.raises(ValueError, match="not in"):
        await small.upgrade_to_supergroup()


async def test_the_supergroup_creation_message_cannot_be_deleted(
    bot_api: BotApi, telegram_world: TelegramWorld, lea: Person
) -> None:
    small = telegram_world.group("Petite", [lea], kind="group", bot_admin=True)
    new_id = await small.upgrade_to_supergroup()
    body = await bot_api("deleteMessage", expect=400, chat_id=new_id, message_id=1)
    assert body["description"] == "Bad Request: message can't be deleted"


async def test_ptb_raises_chat_migrated_with_the_new_id(
    telegram_world: TelegramWorld, telegram_url: str, small: Group
) -> None:
    old_id = small.id
    new_id = await small.upgrade_to_supergroup()
    async with Bot(TEST_BOT_TOKEN, base_url=f"{telegram_url}/bot") as bot:
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(old_id, "URGENCE")
        assert migrated.value.new_chat_id == new_id
        with pytest.raises(ChatMigrated):
            await bot.get_chat_member(old_id, bot.id)
        sent = await bot.send_message(new_id, "URGENCE")
        assert sent.chat.type == "supergroup"
    (refused, _) = telegram_world.bot.refused
    assert refused.parameters == {"migrate_to_chat_id": new_id}
