"""The bot removed from a group and added back: Telegram tells the bot (``my_chat_member``) and,
meanwhile, refuses every call about that chat with 403 "bot was kicked from the ... chat"."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden

from bot.standins.emulator import Group, Person, TelegramWorld
from tests.emulator.chat_calls import CALLS_ABOUT_A_CHAT
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import TEST_BOT_TOKEN

KICKED_FROM_SUPERGROUP = "Forbidden: bot was kicked from the supergroup chat"
KICKED_FROM_GROUP = "Forbidden: bot was kicked from the group chat"
KEYBOARD = {"inline_keyboard": [[{"text": "Je prends", "callback_data": "take"}]]}


@pytest.fixture
def lea(telegram_world: TelegramWorld) -> Person:
    return telegram_world.person("Léa", "Accueil")


@pytest.fixture
def staff(telegram_world: TelegramWorld, lea: Person) -> Group:
    return telegram_world.group("Accueil clinique", [lea], admins=[lea])


async def _bot_id(bot_api: BotApi) -> int:
    return (await bot_api("getMe"))["result"]["id"]


async def test_removal_tells_the_bot_it_was_kicked(
    bot_api: BotApi, telegram_world: TelegramWorld, staff: Group, lea: Person
) -> None:
    await staff.remove_bot()
    (update,) = (await bot_api("getUpdates"))["result"]
    change = update["my_chat_member"]
    assert change["chat"] == {"id": staff.id, "type": "supergroup", "title": "Accueil clinique"}
    assert change["from"]["id"] == lea.user.id  # the group's administrator
    assert change["old_chat_member"]["status"] == "member"
    assert change["new_chat_member"] == {
        "user": telegram_world.bot.user.to_api(),
        "status": "kicked",
        "until_date": 0,
    }
    assert staff.bot_removed


@pytest.mark.parametrize(("method", "params"), CALLS_ABOUT_A_CHAT)
async def test_every_call_about_the_chat_is_refused_once_removed(
    bot_api: BotApi, staff: Group, method: str, params: dict
) -> None:
    await bot_api("sendMessage", chat_id=staff.id, text="Agenda", reply_markup=KEYBOARD)
    await staff.remove_bot()
    body = await bot_api(method, expect=403, chat_id=staff.id, **params)
    assert body["description"] == KICKED_FROM_SUPERGROUP


async def test_a_basic_group_says_group_chat(
    bot_api: BotApi, telegram_world: TelegramWorld, lea: Person
) -> None:
    small = telegram_world.group("Petite clinique", [lea], kind="group")
    await small.remove_bot(by=lea)
    body = await bot_api("sendMessage", expect=403, chat_id=small.id, text="x")
    assert body["description"] == KICKED_FROM_GROUP


async def test_members_cannot_act_where_the_bot_is_not(staff: Group, lea: Person) -> None:
    await staff.remove_bot()
    with pytest.raises(ValueError, match="not in 'Accueil clinique' any more"):
        await lea.in_group(staff).command("aujourdhui")
    with pytest.raises(ValueError, match="already out"):
        await staff.remove_bot()


async def test_added_back_as_a_plain_member(
    bot_api: BotApi, telegram_world: TelegramWorld, lea: Person
) -> None:
    staff = telegram_world.group("Accueil", [lea], admins=[lea], bot_admin=True)
    bot_id = await _bot_id(bot_api)
    member = await bot_api("getChatMember", chat_id=staff.id, user_id=bot_id)
    assert member["result"]["status"] == "administrator"
    assert member["result"]["can_delete_messages"] is True
    await staff.remove_bot()
    await staff.add_bot()
    with pytest.raises(ValueError, match="already in"):
        await staff.add_bot()
    changes = [update["my_chat_member"] for update in (await bot_api("getUpdates"))["result"]]
    statuses = [
        (change["old_chat_member"]["status"], change["new_chat_member"]["status"])
        for change in changes
    ]
    assert statuses == [("administrator", "kicked"), ("kicked", "member")]
    member = await bot_api("getChatMember", chat_id=staff.id, user_id=bot_id)
    assert member["result"]["status"] == "member"
    await lea.in_group(staff).command("aujourdhui")
    await bot_api("sendMessage", chat_id=staff.id, text="Aucun rendez-vous")
    assert (await staff.next_message()).text == "Aucun rendez-vous"


async def test_who_removes_must_be_a_member(telegram_world: TelegramWorld, staff: Group) -> None:
    with pytest.raises(ValueError, match="not a member"):
        await staff.remove_bot(by=telegram_world.person("Intrus"))


async def test_the_transcript_shows_it(staff: Group, lea: Person) -> None:
    await staff.remove_bot()
    await staff.add_bot(by=lea)
    assert staff.transcript.render().splitlines()[-2:] == [
        "- Léa removed the bot",
        "- Léa added the bot back",
    ]


async def test_ptb_raises_forbidden(
    telegram_world: TelegramWorld, telegram_url: str, staff: Group
) -> None:
    await staff.remove_bot()
    async with Bot(TEST_BOT_TOKEN, base_url=f"{telegram_url}/bot") as bot:
        with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
            await bot.send_message(staff.id, "URGENCE")
        with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
            await bot.get_chat_member(staff.id, bot.id)
