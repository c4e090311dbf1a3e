"""The people API: what persons send, what they see, and how a failing test reads."""

from __future__ import annotations

import asyncio

import pytest

from bot.standins.emulator import Person, TelegramWorld
from tests.emulator.conftest import BotApi

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Créneau 10 h", "callback_data": "slot:10"},
            {"text": "Créneau 11 h", "callback_data": "slot:11"},
        ],
        [{"text": "Annuler", "callback_data": "cancel"}, {"text": "Site", "url": "https://a.b/"}],
    ]
}


@pytest.fixture
async def alice(telegram_world: TelegramWorld) -> Person:
    person = telegram_world.person("Alice", "Martin", phone_number="+33612345678")
    await person.command("start")
    return person


async def _last_update(bot_api: BotApi) -> dict:
    return (await bot_api("getUpdates", offset=-1))["result"][0]


async def test_send_rejects_what_a_client_cannot_send(alice: Person) -> None:
    with pytest.raises(ValueError, match="at most 4096"):
        await alice.send("x" * 4097)
    with pytest.raises(ValueError, match="empty"):
        await alice.send("  ")


async def test_send_long_splits_like_a_client(alice: Person, bot_api: BotApi) -> None:
    sent = await alice.send_long("é" * 5000)
    assert [len(message.text or "") for message in sent] == [4096, 904]
    updates = (await bot_api("getUpdates", offset=2))["result"]
    assert [len(u["message"]["text"]) for u in updates] == [4096, 904]


async def test_commands_anywhere_are_marked(alice: Person, bot_api: BotApi) -> None:
    await alice.send("voir /aide ou /start@vetbot_test_bot")
    message = (await _last_update(bot_api))["message"]
    assert message["entities"] == [
        {"type": "bot_command", "offset": 5, "length": 5},
        {"type": "bot_command", "offset": 14, "length": 22},
    ]


async def test_contacts(alice: Person, telegram_world: TelegramWorld, bot_api: BotApi) -> None:
    await alice.share_contact()
    own = (await _last_update(bot_api))["message"]["contact"]
    assert own == {
        "phone_number": "+33612345678",
        "first_name": "Alice",
        "last_name": "Martin",
        "user_id": alice.user.id,
    }
    await alice.share_contact_of("+33698765432", "Paul")
    other = (await _last_update(bot_api))["message"]["contact"]
    assert other == {"phone_number": "+33698765432", "first_name": "Paul"}
    with pytest.raises(ValueError, match="no phone_number"):
        await telegram_world.person("Bob").share_contact()


async def test_stickers_photos_and_voice(alice: Person, bot_api: BotApi) -> None:
    await alice.send_sticker("🐶")
    assert (await _last_update(bot_api))["message"]["sticker"]["emoji"] == "🐶"
    await alice.send_photo(caption="Sa patte")
    message = (await _last_update(bot_api))["message"]
    assert message["caption"] == "Sa patte"
    assert len(message["photo"]) == 3
    await alice.send_voice(duration=4)
    assert (await _last_update(bot_api))["message"]["voice"]["duration"] == 4


async def test_tap_matches_labels_without_case_or_accents(alice: Person, bot_api: BotApi) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Quand ?", reply_markup=KEYBOARD)
    tapping = asyncio.create_task(alice.tap("CRENEAU 11"))
    query = (await bot_api("getUpdates", offset=2, timeout=5))["result"][0]["callback_query"]
    assert query["data"] == "slot:11"
    await bot_api("answerCallbackQuery", callback_query_id=query["id"])
    answer = await tapping
    assert answer.text is None


async def test_tap_explains_ambiguity_and_absence(alice: Person, bot_api: BotApi) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Quand ?", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match=r"ambiguous.*\[Créneau 10 h\], \[Créneau 11 h\]"):
        await alice.tap("créneau")
    with pytest.raises(AssertionError, match=r"visible buttons: #2 \[Créneau 10 h\]"):
        await alice.tap("demain")
    with pytest.raises(AssertionError, match="not a callback button"):
        await alice.tap("site")


async def test_a_tap_the_bot_never_answers_fails_with_the_transcript(
    alice: Person, bot_api: BotApi
) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Quand ?", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match="did not answer callback query 'cancel'") as failure:
        await alice.tap("annuler", timeout=0.05)
    assert "> Alice taps [Annuler]" in str(failure.value)


async def test_tap_data_forges_callback_data(alice: Person, bot_api: BotApi) -> None:
    sent = await bot_api("sendMessage", chat_id=alice.user.id, text="?", reply_markup=KEYBOARD)
    tapping = asyncio.create_task(alice.tap_data("slot:99", sent["result"]["message_id"]))
    query = (await bot_api("getUpdates", offset=2, timeout=5))["result"][0]["callback_query"]
    assert query["data"] == "slot:99"
    await bot_api("answerCallbackQuery", callback_query_id=query["id"], text="Créneau inconnu")
    assert (await tapping).text == "Créneau inconnu"


async def test_next_reply_times_out_with_the_transcript(alice: Person) -> None:
    with pytest.raises(AssertionError, match="did nothing more") as failure:
        await alice.next_reply(timeout=0.05)
    assert "> Alice: /start" in str(failure.value)


async def test_transcript_reads_like_the_chat(alice: Person, bot_api: BotApi) -> None:
    sent = await bot_api(
        "sendMessage", chat_id=alice.user.id, text="Quand ?\nDites-moi.", reply_markup=KEYBOARD
    )
    await bot_api(
        "editMessageText",
        chat_id=alice.user.id,
        message_id=sent["result"]["message_id"],
        text="Choisi",
    )
    await bot_api(
        "sendMessage",
        chat_id=alice.user.id,
        text="Numéro ?",
        reply_markup={"keyboard": [["Partager"]]},
    )
    await bot_api("deleteMessage", chat_id=alice.user.id, message_id=sent["result"]["message_id"])
    assert alice.transcript.render().splitlines() == [
        "--- Alice Martin (private chat 100001) ---",
        "> Alice: /start",
        "< bot: Quand ?",
        "    Dites-moi. [Créneau 10 h] [Créneau 11 h] [Annuler] [Site]",
        "~ edited #2: Choisi",
        "< bot: Numéro ? (Partager)",
        "x deleted #2",
    ]
    assert [seen.kind for seen in [await alice.next_reply() for _ in range(4)]] == [
        "sent",
        "edited",
        "sent",
        "deleted",
    ]
    assert alice.last_text == "Numéro ?"
    assert alice.buttons == ["Partager"]


async def test_staff_group(telegram_world: TelegramWorld, bot_api: BotApi) -> None:
    vet = telegram_world.person("Claire", username="dr_claire")
    staff = telegram_world.group("Équipe", [vet])
    await vet.in_group(staff).command("agenda")
    message = (await _last_update(bot_api))["message"]
    assert message["chat"] == {"id": staff.id, "type": "supergroup", "title": "Équipe"}
    assert message["from"]["username"] == "dr_claire"
    await bot_api("sendMessage", chat_id=staff.id, text="Agenda du jour", reply_markup=KEYBOARD)
    posted = await staff.next_message()
    assert posted.text == "Agenda du jour"
    tapping = asyncio.create_task(vet.in_group(staff).tap("10"))
    query = await bot_api("getUpdates", offset=message["message_id"] + 1, timeout=5)
    callback = query["result"][0]["callback_query"]
    assert callback["message"]["chat"]["id"] == staff.id
    await bot_api("answerCallbackQuery", callback_query_id=callback["id"])
    await tapping
    with pytest.raises(ValueError, match="not a member"):
        telegram_world.person("Intrus").in_group(staff)


async def test_world_renders_every_chat(telegram_world: TelegramWorld, alice: Person) -> None:
    telegram_world.person("Silencieux")
    rendered = telegram_world.render_transcripts()
    assert "Alice Martin" in rendered
    assert "Silencieux" not in rendered
