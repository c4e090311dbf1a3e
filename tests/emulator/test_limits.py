"""The reference's lengths and shapes, each refused with Telegram's words: a callback answer's
text, an inline button's label and data, setMyCommands, and HTML that does not parse."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.standins.emulator import Person, TelegramWorld
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import TEST_BOT_TOKEN


@pytest.fixture
async def alice(telegram_world: TelegramWorld) -> Person:
    person = telegram_world.person("Alice")
    await person.command("start")
    return person


async def _tap(bot_api: BotApi, alice: Person) -> tuple[str, asyncio.Task[object]]:
    keyboard = {"inline_keyboard": [[{"text": "Confirmer", "callback_data": "confirm"}]]}
    await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=keyboard)
    tapping: asyncio.Task[object] = asyncio.create_task(alice.tap("Confirmer"))
    (update,) = (await bot_api("getUpdates", offset=2, timeout=5))["result"]
    return update["callback_query"]["id"], tapping


async def test_a_callback_answer_has_at_most_200_characters(bot_api: BotApi, alice) -> None:
    query_id, tapping = await _tap(bot_api, alice)
    body = await bot_api(
        "answerCallbackQuery", expect=400, callback_query_id=query_id, text="é" * 201
    )
    assert body["description"] == "Bad Request: MESSAGE_TOO_LONG"
    emoji = "🐶" * 101  # 202 UTF-16 units: counted the stricter way
    await bot_api("answerCallbackQuery", expect=400, callback_query_id=query_id, text=emoji)
    await bot_api("answerCallbackQuery", callback_query_id=query_id, text="é" * 200)
    assert (await tapping).text == "é" * 200


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "", "callback_data": "x"}, "Bad Request: BUTTON_TEXT_INVALID"),
        ({"text": "  ", "url": "https://clinique.example/"}, "Bad Request: BUTTON_TEXT_INVALID"),
        (
            {"text": "A", "callback_data": ""},
            "Bad Request: can't parse InlineKeyboardButton: Text buttons are not allowed in the "
            "inline keyboard",
        ),
        (
            {"text": "A", "url": ""},
            "Bad Request: can't parse InlineKeyboardButton: Text buttons are not allowed in the "
            "inline keyboard",
        ),
        ({"text": "A", "callback_data": "x" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            "A",
            "Bad Request: can't parse InlineKeyboardButton: InlineKeyboardButton must be an Object",
        ),
    ],
)
async def test_inline_buttons(bot_api: BotApi, alice, button: object, description: str) -> None:
    markup = {"inline_keyboard": [[button]]}
    body = await bot_api(
        "sendMessage", expect=400, chat_id=alice.user.id, text="x", reply_markup=markup
    )
    assert body["description"] == description


async def test_keyboards_must_be_arrays_of_arrays(bot_api: BotApi, alice) -> None:
    body = await bot_api(
        "sendMessage",
        expect=400,
        chat_id=alice.user.id,
        text="x",
        reply_markup={"inline_keyboard": [{"text": "A", "callback_data": "a"}]},
    )
    assert body["description"] == (
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of '
        "Arrays"
    )
    body = await bot_api(
        "sendMessage", expect=400, chat_id=alice.user.id, text="x", reply_markup={"keyboard": ["A"]}
    )
    assert body["description"] == 'Bad Request: field "keyboard" must be an Array of Arrays'


def _command(name: str = "rdv", description: str = "Prendre rendez-vous") -> dict[str, str]:
    return {"command": name, "description": description}


@pytest.mark.parametrize(
    ("commands", "description"),
    [
        ([_command(" ")], "Bad Request: command must be non-empty"),
        ([_command("a" * 33)], "Bad Request: command length must not exceed 32"),
        ([_command(description=" ")], "Bad Request: command description must be non-empty"),
        (
            [_command(description="x" * 257)],
            "Bad Request: command description length must not exceed 256",
        ),
        ([_command("Rdv")], "Bad Request: BOT_COMMAND_INVALID"),
        ([_command("prendre-rdv")], "Bad Request: BOT_COMMAND_INVALID"),
        ([_command(f"c{i}") for i in range(101)], "Bad Request: BOT_COMMANDS_TOO_MUCH"),
    ],
)
async def test_set_my_commands_refusals(bot_api: BotApi, commands: list, description: str) -> None:
    body = await bot_api("setMyCommands", expect=400, commands=commands)
    assert body["description"] == description
    assert (await bot_api("getMyCommands"))["result"] == []


async def test_set_my_commands_limits_pass_and_are_trimmed_like_tdlib(bot_api: BotApi) -> None:
    commands = [_command(f"c{i}") for i in range(99)]
    commands.append(_command(" /" + "a" * 32, " " + "é" * 256 + " "))
    await bot_api("setMyCommands", commands=commands)
    stored = (await bot_api("getMyCommands"))["result"]
    assert len(stored) == 100
    assert stored[-1] == {"command": "a" * 32, "description": "é" * 256}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>paragraphe</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>gras</i>", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        (
            "&#xD800; surrogate",
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units",
        ),
        ('<a href="https://a.fr/">lien', 'Can\'t find end tag corresponding to start tag "a"'),
    ],
)
async def test_html_that_does_not_parse_is_refused(
    bot_api: BotApi, alice, text: str, error: str
) -> None:
    body = await bot_api(
        "sendMessage", expect=400, chat_id=alice.user.id, text=text, parse_mode="HTML"
    )
    assert body["description"] == f"Bad Request: can't parse entities: {error}"


async def test_html_entities_telegram_does_not_know_stay_as_text(bot_api: BotApi, alice) -> None:
    """Only &lt; &gt; &amp; &quot; and numeric entities are decoded (#html-style); the rest is
    text, not an error."""
    sent = await bot_api(
        "sendMessage",
        chat_id=alice.user.id,
        text="R&amp;D &eacute;t&#233; &nbsp;",
        parse_mode="HTML",
    )
    assert sent["result"]["text"] == "R&D &eacute;té &nbsp;"


async def test_a_caption_has_at_most_1024_characters(
    telegram_client: httpx.AsyncClient, alice
) -> None:
    async def send(caption: str) -> httpx.Response:
        return await telegram_client.post(
            f"/bot{TEST_BOT_TOKEN}/sendDocument",
            data={"chat_id": str(alice.user.id), "caption": caption},
            files={"document": ("rdv.ics", b"BEGIN:VCALENDAR", "text/calendar")},
        )

    refused = await send("é" * 1025)
    assert (refused.status_code, refused.json()["description"]) == (
        400,
        "Bad Request: message caption is too long",
    )
    assert (await send("é" * 1024)).status_code == 200


async def test_a_document_has_no_text_to_edit(
    telegram_client: httpx.AsyncClient, bot_api: BotApi, alice
) -> None:
    sent = await telegram_client.post(
        f"/bot{TEST_BOT_TOKEN}/sendDocument",
        data={"chat_id": str(alice.user.id), "caption": "Votre RDV"},
        files={"document": ("rdv.ics", b"BEGIN:VCALENDAR", "text/calendar")},
    )
    body = await bot_api(
        "editMessageText",
        expect=400,
        chat_id=alice.user.id,
        message_id=sent.json()["result"]["message_id"],
        text="Autre",
    )
    assert body["description"] == "Bad Request: there is no text in the message to edit"


async def test_a_markup_object_of_no_known_kind_is_refused(bot_api: BotApi, alice) -> None:
    """Stricter than Telegram, which ignores it: a bot sending it has a bug."""
    body = await bot_api(
        "sendMessage", expect=400, chat_id=alice.user.id, text="x", reply_markup={"buttons": []}
    )
    assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
