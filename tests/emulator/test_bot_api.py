"""Each Bot API method, and each refusal, as Telegram documents and words them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.standins.emulator import ANSWER_WINDOW, TelegramWorld, create_emulator_app
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import IN_PROCESS_BASE_URL, TEST_BOT_TOKEN

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_ID_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
KEYBOARD = {"inline_keyboard": [[{"text": "Confirmer", "callback_data": "confirm"}]]}


@pytest.fixture
async def alice(telegram_world: TelegramWorld):
    """A person who already wrote to the bot, so the bot may answer her."""
    person = telegram_world.person("Alice", "Martin", phone_number="+33612345678")
    await person.command("start")
    return person


async def test_get_me_describes_the_bot(bot_api: BotApi) -> None:
    me = (await bot_api("getMe"))["result"]
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "vetbot_test_bot"


async def test_unknown_token_is_unauthorized(telegram_client: httpx.AsyncClient) -> None:
    response = await telegram_client.post("/bot999:WRONG-TOKEN-value/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(telegram_client: httpx.AsyncClient) -> None:
    response = await telegram_client.post(f"/bot{TEST_BOT_TOKEN}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive_and_get_works(
    telegram_client: httpx.AsyncClient,
) -> None:
    response = await telegram_client.get(f"/bot{TEST_BOT_TOKEN}/GETME")
    assert response.json()["result"]["first_name"] == "VetBot"


async def test_form_bodies_carry_nested_values_as_json(telegram_client: httpx.AsyncClient, alice):
    response = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendMessage",
        data={
            "chat_id": str(alice.user.id),
            "text": "Bonjour",
            "reply_markup": json.dumps(KEYBOARD),
        },
    )
    assert response.json()["result"]["reply_markup"] == KEYBOARD
    assert alice.buttons == ["Confirmer"]


async def test_send_message_returns_a_real_message(bot_api: BotApi, alice) -> None:
    sent = (
        await bot_api(
            "sendMessage",
            chat_id=alice.user.id,
            text="<b>RDV</b> 🐶 ok",
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    )["result"]
    assert sent["message_id"] == 2  # the person's /start was 1: ids count per chat
    assert sent["chat"] == {
        "id": alice.user.id,
        "type": "private",
        "first_name": "Alice",
        "last_name": "Martin",
    }
    assert sent["from"]["is_bot"] is True
    assert sent["text"] == "RDV 🐶 ok"
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    assert sent["reply_markup"] == KEYBOARD
    assert isinstance(sent["date"], int)


async def test_reply_keyboards_show_to_the_person_but_are_not_echoed(bot_api: BotApi, alice):
    keyboard = {
        "keyboard": [[{"text": "Partager mon numéro", "request_contact": True}]],
        "one_time_keyboard": True,
    }
    sent = (
        await bot_api("sendMessage", chat_id=alice.user.id, text="Numéro ?", reply_markup=keyboard)
    )["result"]
    assert "reply_markup" not in sent
    assert alice.buttons == ["Partager mon numéro"]
    await bot_api(
        "sendMessage", chat_id=alice.user.id, text="Merci", reply_markup={"remove_keyboard": True}
    )
    assert alice.buttons == []


@pytest.mark.parametrize(
    ("params", "status", "description"),
    [
        ({"chat_id": 42, "text": "x"}, 400, "Bad Request: chat not found"),
        ({"text": ""}, 400, "Bad Request: message text is empty"),
        ({"text": " \n "}, 400, "Bad Request: message text is empty"),
        ({"text": "<b></b>", "parse_mode": "HTML"}, 400, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, 400, "Bad Request: message is too long"),
        (
            {"text": "1.5", "parse_mode": "MarkdownV2"},
            400,
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
            "with the preceding '\\'",
        ),
        (
            {"text": "<b>x", "parse_mode": "HTML"},
            400,
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        ({"text": "x", "parse_mode": "bbcode"}, 400, "Bad Request: unsupported parse_mode"),
        (
            {
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 33}]]},
            },
            400,
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
            400,
            "Bad Request: can't parse InlineKeyboardButton: Text buttons are not allowed in the "
            "inline keyboard",
        ),
        (
            {"text": "x", "reply_markup": "{not json"},
            400,
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
    ],
)
async def test_send_message_refusals(bot_api: BotApi, alice, params, status, description):
    body = await bot_api("sendMessage", expect=status, **{"chat_id": alice.user.id, **params})
    assert body["description"] == description


async def test_missing_chat_id_is_named(bot_api: BotApi) -> None:
    body = await bot_api("sendMessage", expect=400, text="x")
    assert body["description"] == "Bad Request: chat_id is empty"


async def test_text_of_exactly_4096_characters_and_64_byte_data_pass(bot_api: BotApi, alice):
    keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 32}]]}
    await bot_api("sendMessage", chat_id=alice.user.id, text="x" * 4096, reply_markup=keyboard)


async def test_bot_cannot_start_a_private_chat(bot_api: BotApi, telegram_world: TelegramWorld):
    bob = telegram_world.person("Bob")
    body = await bot_api("sendMessage", expect=403, chat_id=bob.user.id, text="Hello")
    assert body["description"] == "Forbidden: bot can't initiate conversation with a user"


async def test_edit_message_text_in_place(bot_api: BotApi, alice) -> None:
    sent = (
        await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    )["result"]
    await alice.next_reply()
    edited = (
        await bot_api(
            "editMessageText",
            chat_id=alice.user.id,
            message_id=sent["message_id"],
            text="Choisi : *oui*",
            parse_mode="MarkdownV2",
        )
    )["result"]
    assert edited["text"] == "Choisi : oui"
    assert edited["entities"] == [{"type": "bold", "offset": 9, "length": 3}]
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    assert isinstance(edited["edit_date"], int)
    seen = await alice.next_reply()
    assert (seen.kind, seen.message_id, seen.text) == ("edited", sent["message_id"], "Choisi : oui")


async def test_edit_with_identical_content_is_not_modified(bot_api: BotApi, alice) -> None:
    sent = (
        await bot_api(
            "sendMessage",
            chat_id=alice.user.id,
            text="<b>Même</b>",
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    )["result"]
    body = await bot_api(
        "editMessageText",
        expect=400,
        chat_id=alice.user.id,
        message_id=sent["message_id"],
        text="*Même*",
        parse_mode="MarkdownV2",
        reply_markup=KEYBOARD,
    )
    assert body["description"] == NOT_MODIFIED
    body = await bot_api(
        "editMessageReplyMarkup",
        expect=400,
        chat_id=alice.user.id,
        message_id=sent["message_id"],
        reply_markup=KEYBOARD,
    )
    assert body["description"] == NOT_MODIFIED


async def test_edit_reply_markup(bot_api: BotApi, alice) -> None:
    sent = (
        await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    )["result"]
    edited = (
        await bot_api(
            "editMessageReplyMarkup", chat_id=alice.user.id, message_id=sent["message_id"]
        )
    )["result"]
    assert "reply_markup" not in edited
    assert alice.buttons == []


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        (
            "editMessageText",
            {"message_id": 99, "text": "x"},
            "Bad Request: message to edit not found",
        ),
        ("editMessageText", {"text": "x"}, "Bad Request: message identifier is not specified"),
        ("editMessageText", {"message_id": 1, "text": "x"}, "Bad Request: message can't be edited"),
        ("editMessageReplyMarkup", {"message_id": 99}, "Bad Request: message to edit not found"),
        ("deleteMessage", {"message_id": 99}, "Bad Request: message to delete not found"),
    ],
)
async def test_unknown_messages_are_refused(bot_api: BotApi, alice, method, params, description):
    body = await bot_api(method, expect=400, chat_id=alice.user.id, **params)
    assert body["description"] == description


async def test_delete_message(bot_api: BotApi, alice) -> None:
    sent = (await bot_api("sendMessage", chat_id=alice.user.id, text="Bientôt effacé"))["result"]
    await alice.next_reply()
    assert (await bot_api("deleteMessage", chat_id=alice.user.id, message_id=sent["message_id"]))[
        "result"
    ] is True
    seen = await alice.next_reply()
    assert (seen.kind, seen.message_id) == ("deleted", sent["message_id"])
    assert alice.last_text is None
    await bot_api("deleteMessage", expect=400, chat_id=alice.user.id, message_id=sent["message_id"])


async def test_answer_callback_query_once(bot_api: BotApi, alice) -> None:
    await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    tapping = asyncio.create_task(alice.tap("confirm"))
    updates = (await bot_api("getUpdates", offset=2, timeout=5))["result"]
    query = updates[0]["callback_query"]
    assert query["data"] == "confirm"
    assert query["message"]["text"] == "Choisir"
    assert query["from"]["id"] == alice.user.id
    assert query["chat_instance"]
    await bot_api(
        "answerCallbackQuery", callback_query_id=query["id"], text="Noté", show_alert=True
    )
    answer = await tapping
    assert (answer.text, answer.show_alert) == ("Noté", True)
    body = await bot_api("answerCallbackQuery", expect=400, callback_query_id=query["id"])
    assert body["description"] == QUERY_ID_INVALID
    body = await bot_api("answerCallbackQuery", expect=400, callback_query_id="12345")
    assert body["description"] == QUERY_ID_INVALID


async def test_answer_callback_query_too_late() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = TelegramWorld(clock)
    world.add_bot(TEST_BOT_TOKEN)
    alice = world.person("Alice")
    await alice.command("start")
    transport = httpx.ASGITransport(app=create_emulator_app(world))
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL) as client:
        api = f"/bot{TEST_BOT_TOKEN}"
        await client.post(
            f"{api}/sendMessage",
            json={"chat_id": alice.user.id, "text": "?", "reply_markup": KEYBOARD},
        )
        tapping = asyncio.create_task(alice.tap("Confirmer"))
        updates = await client.post(f"{api}/getUpdates", json={"offset": 2, "timeout": 5})
        query_id = updates.json()["result"][0]["callback_query"]["id"]
        clock.advance(ANSWER_WINDOW + timedelta(seconds=1))
        response = await client.post(
            f"{api}/answerCallbackQuery", json={"callback_query_id": query_id}
        )
        tapping.cancel()
    assert response.status_code == 400
    assert response.json()["description"] == QUERY_ID_INVALID
    await world.aclose()


async def test_send_document_keeps_the_upload(telegram_client: httpx.AsyncClient, alice) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    response = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendDocument",
        data={"chat_id": str(alice.user.id), "caption": "<i>Votre RDV</i>", "parse_mode": "HTML"},
        files={"document": ("rdv.ics", ics, "text/calendar")},
    )
    sent = response.json()["result"]
    document = sent["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "rdv.ics",
        "text/calendar",
        len(ics),
    )
    assert document["file_id"] and document["file_unique_id"]
    assert sent["caption"] == "Votre RDV"
    assert sent["caption_entities"] == [{"type": "italic", "offset": 0, "length": 9}]
    [seen] = alice.documents
    assert (seen.file_name, seen.data) == ("rdv.ics", ics)

    again = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendDocument",
        data={"chat_id": str(alice.user.id), "document": document["file_id"]},
    )
    assert again.json()["result"]["document"] == document
    assert len(alice.documents) == 2


async def test_send_document_refusals(bot_api: BotApi, telegram_client: httpx.AsyncClient, alice):
    body = await bot_api("sendDocument", expect=400, chat_id=alice.user.id, document="AgADnope")
    assert body["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    response = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendDocument",
        data={"chat_id": str(alice.user.id)},
        files={"document": ("vide.txt", b"", "text/plain")},
    )
    assert response.json()["description"] == "Bad Request: file must be non-empty"


async def test_send_chat_action(bot_api: BotApi, telegram_world: TelegramWorld, alice) -> None:
    assert (await bot_api("sendChatAction", chat_id=alice.user.id, action="typing"))["result"]
    body = await bot_api("sendChatAction", expect=400, chat_id=alice.user.id, action="dancing")
    assert body["description"] == "Bad Request: wrong parameter action in request"
    assert telegram_world.bot.conversations[alice.user.id].chat_actions == ["typing"]


async def test_commands_per_scope_and_language(bot_api: BotApi) -> None:
    french = [{"command": "rdv", "description": "Prendre rendez-vous"}]
    english = [{"command": "book", "description": "Book an appointment"}]
    await bot_api("setMyCommands", commands=french, language_code="fr")
    await bot_api("setMyCommands", commands=english)
    staff = {"type": "chat", "chat_id": -1001}
    await bot_api(
        "setMyCommands", commands=[{"command": "agenda", "description": "Agenda"}], scope=staff
    )
    assert (await bot_api("getMyCommands", language_code="fr"))["result"] == french
    assert (await bot_api("getMyCommands"))["result"] == english
    assert (await bot_api("getMyCommands", scope=staff))["result"][0]["command"] == "agenda"
    assert (await bot_api("getMyCommands", language_code="de"))["result"] == []
    body = await bot_api(
        "setMyCommands", expect=400, commands=[{"command": "Pas bien!", "description": "x"}]
    )
    assert body["description"] == "Bad Request: BOT_COMMAND_INVALID"


async def test_get_chat(bot_api: BotApi, telegram_world: TelegramWorld, alice) -> None:
    staff = telegram_world.group("Clinique — équipe", [alice])
    chat = (await bot_api("getChat", chat_id=staff.id))["result"]
    assert (chat["id"], chat["type"], chat["title"]) == (
        staff.id,
        "supergroup",
        "Clinique — équipe",
    )
    assert staff.id < 0
    assert (await bot_api("getChat", chat_id=alice.user.id))["result"]["first_name"] == "Alice"
    body = await bot_api("getChat", expect=400, chat_id=-42)
    assert body["description"] == "Bad Request: chat not found"


async def test_get_chat_member_tells_staff_from_others(
    bot_api: BotApi, telegram_world: TelegramWorld, alice
) -> None:
    vet = telegram_world.person("Dr", "Vétérinaire")
    boss = telegram_world.person("Chef")
    staff = telegram_world.group("Équipe", [vet], admins=[boss])

    async def status(user_id: int) -> str:
        return (await bot_api("getChatMember", chat_id=staff.id, user_id=user_id))["result"][
            "status"
        ]

    assert await status(vet.user.id) == "member"
    assert await status(boss.user.id) == "administrator"
    assert await status(alice.user.id) == "left"
    body = await bot_api("getChatMember", expect=400, chat_id=staff.id, user_id=999)
    assert body["description"] == "Bad Request: user not found"


async def test_faults_answer_429_with_retry_after_then_5xx(
    bot_api: BotApi, telegram_world: TelegramWorld, alice
) -> None:
    telegram_world.faults.fail_next(1, retry_after=7, method="sendMessage")
    telegram_world.faults.fail_next(1, status=502)
    assert (await bot_api("getMe", expect=502))["description"] == "Bad Gateway"
    body = await bot_api("sendMessage", expect=429, chat_id=alice.user.id, text="x")
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    await bot_api("sendMessage", chat_id=alice.user.id, text="x")
    assert telegram_world.faults.pending == 0


async def test_calls_are_kept_for_inspection(bot_api: BotApi, telegram_world: TelegramWorld):
    await bot_api("getMe")
    assert telegram_world.bot.calls[-1].method == "getme"
