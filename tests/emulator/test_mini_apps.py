"""Mini App buttons: sent only as Telegram allows them, opened with signed initData, answered
once with answerWebAppQuery."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

from bot.clock import ManualClock
from bot.miniapp.init_data import verify_init_data
from bot.standins.emulator import MiniAppLaunch, Person, TelegramWorld
from bot.standins.emulator.mini_apps import THEMES, Theme
from tests.emulator.conftest import BotApi
from tests.emulator.in_process import Api, world_at
from tests.support.telegram_fixtures import TEST_BOT_TOKEN

WEEK_URL = "https://rdv.example.fr/semaine?clinic=3"
WEEK_BUTTON = {"text": "🗓 Voir la semaine", "web_app": {"url": WEEK_URL}}
KEYBOARD = {"inline_keyboard": [[WEEK_BUTTON], [{"text": "Annuler", "callback_data": "cancel"}]]}
QUERY_ID_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def marie(telegram_world: TelegramWorld) -> Person:
    person = telegram_world.person("Marie", "Durand", username="marie_d")
    await person.command("start")
    return person


@pytest.fixture
async def clocked() -> AsyncIterator[tuple[TelegramWorld, Api]]:
    """A world stopped at `NOW`, and its Bot API called in-process."""
    async with world_at(ManualClock(NOW)) as world_and_api:
        yield world_and_api


async def _opened(bot_api: BotApi, person: Person, theme: Theme = "light") -> MiniAppLaunch:
    await bot_api(
        "sendMessage", chat_id=person.user.id, text="Votre créneau", reply_markup=KEYBOARD
    )
    return await person.open_mini_app("voir la semaine", theme=theme)


async def test_the_button_is_echoed_and_opens_with_signed_init_data(
    clocked: tuple[TelegramWorld, Api],
) -> None:
    world, api = clocked
    marie = world.person("Marie", "Durand", username="marie_d")
    await marie.command("start")
    sent = await api("sendMessage", chat_id=marie.user.id, text="Créneau", reply_markup=KEYBOARD)
    assert sent["result"]["reply_markup"] == KEYBOARD
    assert marie.messages[-1].inline_buttons[0].web_app_url == WEEK_URL

    page = await marie.open_mini_app("voir la semaine")

    assert page.url == WEEK_URL
    session = verify_init_data(page.init_data, TEST_BOT_TOKEN, now=NOW)
    assert session.user.id == marie.user.id
    assert (session.user.first_name, session.user.last_name) == ("Marie", "Durand")
    assert (session.user.username, session.user.language_code) == ("marie_d", "fr")
    assert session.auth_date == NOW
    assert session.chat_type == "private"
    assert session.query_id
    fields = parse_qs(page.init_data)
    assert json.loads(fields["user"][0])["allows_write_to_pm"] is True
    assert fields["chat_instance"][0]
    assert "> Marie opens the Mini App [🗓 Voir la semaine]" in marie.transcript.render()
    assert page.location == f"{WEEK_URL}#{page.fragment}"


async def test_opening_sends_the_bot_nothing(bot_api: BotApi, marie: Person) -> None:
    await _opened(bot_api, marie)
    updates = (await bot_api("getUpdates", offset=2))["result"]
    assert updates == []


async def test_each_opening_is_a_new_query(bot_api: BotApi, marie: Person) -> None:
    first = await _opened(bot_api, marie)
    second = await marie.open_mini_app("semaine")
    assert parse_qs(first.init_data)["query_id"] != parse_qs(second.init_data)["query_id"]


async def test_init_data_of_another_token_is_refused(bot_api: BotApi, marie: Person) -> None:
    page = await _opened(bot_api, marie)
    with pytest.raises(Exception, match="signature"):
        verify_init_data(page.init_data, "654321:ANOTHER-token", now=datetime.now(UTC))


@pytest.mark.parametrize("theme", ["light", "dark"])
async def test_the_fragment_carries_the_launch_and_the_theme(
    bot_api: BotApi, marie: Person, theme: Theme
) -> None:
    page = await _opened(bot_api, marie, theme)
    parts = dict(part.split("=", 1) for part in page.fragment.split("&"))
    assert list(parts) == [
        "tgWebAppData",
        "tgWebAppVersion",
        "tgWebAppPlatform",
        "tgWebAppThemeParams",
    ]
    assert unquote(parts["tgWebAppData"]) == page.init_data
    assert (parts["tgWebAppVersion"], parts["tgWebAppPlatform"]) == ("8.0", "tdesktop")
    assert json.loads(unquote(parts["tgWebAppThemeParams"])) == THEMES[theme]
    assert THEMES["dark"]["bg_color"] != THEMES["light"]["bg_color"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://rdv.example.fr/semaine", "Only HTTPS links are allowed"),
        ("rdv.example.fr/semaine", "Only HTTPS links are allowed"),
        ("tg://resolve?domain=vetbot", "Only HTTPS links are allowed"),
        ("ftp://rdv.example.fr/semaine", "Unsupported URL protocol"),
        ("https://localhost/semaine", "Wrong HTTP URL"),
    ],
)
async def test_a_web_app_url_must_be_https(
    bot_api: BotApi, marie: Person, url: str, reason: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "Semaine", "web_app": {"url": url}}]]}
    body = await bot_api(
        "sendMessage", expect=400, chat_id=marie.user.id, text="?", reply_markup=markup
    )
    assert body["description"] == (
        f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: {reason}"
    )
    reply = {"keyboard": [[{"text": "Semaine", "web_app": {"url": url}}]]}
    body = await bot_api(
        "sendMessage", expect=400, chat_id=marie.user.id, text="?", reply_markup=reply
    )
    assert body["description"] == (
        f"Bad Request: keyboard button Web App URL '{url}' is invalid: {reason}"
    )
    assert marie.messages == []


@pytest.mark.parametrize(
    ("web_app", "description"),
    [
        ("https://rdv.example.fr/", 'Field "web_app" must be of type Object'),
        ({}, 'Can\'t find field "url"'),
        ({"url": 42}, 'Field "url" must be of type String'),
    ],
)
async def test_a_web_app_is_an_object_with_a_url(
    bot_api: BotApi, marie: Person, web_app: object, description: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "Semaine", "web_app": web_app}]]}
    body = await bot_api(
        "sendMessage", expect=400, chat_id=marie.user.id, text="?", reply_markup=markup
    )
    assert body["description"] == f"Bad Request: can't parse InlineKeyboardButton: {description}"


async def test_web_app_buttons_are_for_private_chats_only(
    bot_api: BotApi, telegram_world: TelegramWorld, marie: Person
) -> None:
    staff = telegram_world.group("Accueil clinique", [marie])
    body = await bot_api(
        "sendMessage", expect=400, chat_id=staff.id, text="?", reply_markup=KEYBOARD
    )
    assert body["description"] == "Bad Request: BUTTON_TYPE_INVALID"
    reply = {"keyboard": [[WEEK_BUTTON]]}
    body = await bot_api("sendMessage", expect=400, chat_id=staff.id, text="?", reply_markup=reply)
    assert body["description"] == "Bad Request: web App buttons can be used in private chats only"
    plain = {"inline_keyboard": [[{"text": "Je prends", "callback_data": "take"}]]}
    sent = await bot_api("sendMessage", chat_id=staff.id, text="Agenda", reply_markup=plain)
    body = await bot_api(
        "editMessageReplyMarkup",
        expect=400,
        chat_id=staff.id,
        message_id=sent["result"]["message_id"],
        reply_markup=KEYBOARD,
    )
    assert body["description"] == "Bad Request: BUTTON_TYPE_INVALID"
    refused = [refusal.method for refusal in telegram_world.bot.refused]
    assert refused == ["sendmessage", "sendmessage", "editmessagereplymarkup"]


async def test_a_callback_button_is_not_a_mini_app(bot_api: BotApi, marie: Person) -> None:
    await bot_api("sendMessage", chat_id=marie.user.id, text="?", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match=r"\[Annuler\] is not a Mini App \(web_app\) button"):
        await marie.open_mini_app("annuler")
    with pytest.raises(AssertionError, match="no inline button matching 'agenda'"):
        await marie.open_mini_app("agenda")


def _article(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "article",
        "id": "slot-1",
        "title": "Créneau choisi",
        "input_message_content": {"message_text": text},
        **extra,
    }


async def test_answer_web_app_query_posts_once_as_the_person(
    bot_api: BotApi, telegram_world: TelegramWorld, marie: Person
) -> None:
    page = await _opened(bot_api, marie)
    query_id = parse_qs(page.init_data)["query_id"][0]

    sent = await bot_api(
        "answerWebAppQuery", web_app_query_id=query_id, result=_article("Mardi 10 h")
    )

    assert sent["result"] == {}  # no inline keyboard: no inline_message_id
    (update,) = (await bot_api("getUpdates", offset=2))["result"]
    message = update["message"]
    assert message["text"] == "Mardi 10 h"
    assert message["from"]["id"] == marie.user.id
    assert message["chat"]["id"] == marie.user.id
    assert message["via_bot"] == telegram_world.bot.user.to_api()
    assert "> Marie (via @vetbot_test_bot): Mardi 10 h" in marie.transcript.render()

    again = await bot_api(
        "answerWebAppQuery", expect=400, web_app_query_id=query_id, result=_article("Encore")
    )
    assert again["description"] == QUERY_ID_INVALID
    unknown = await bot_api(
        "answerWebAppQuery", expect=400, web_app_query_id="AAHdF6IQ", result=_article("?")
    )
    assert unknown["description"] == QUERY_ID_INVALID


async def test_a_result_with_a_keyboard_gets_an_inline_message_id(
    bot_api: BotApi, marie: Person
) -> None:
    page = await _opened(bot_api, marie)
    keyboard = {"inline_keyboard": [[{"text": "Modifier", "callback_data": "edit"}]]}
    sent = await bot_api(
        "answerWebAppQuery",
        web_app_query_id=parse_qs(page.init_data)["query_id"][0],
        result=_article("Mardi 10 h", reply_markup=keyboard),
    )
    assert sent["result"]["inline_message_id"]


async def test_a_bad_result_does_not_use_up_the_query(bot_api: BotApi, marie: Person) -> None:
    page = await _opened(bot_api, marie)
    query_id = parse_qs(page.init_data)["query_id"][0]
    body = await bot_api(
        "answerWebAppQuery",
        expect=400,
        web_app_query_id=query_id,
        result={"type": "article", "id": "1", "title": "x"},
    )
    assert body["description"] == (
        "Bad Request: can't parse InlineQueryResult: Can't find field \"input_message_content\""
    )
    await bot_api("answerWebAppQuery", web_app_query_id=query_id, result=_article("Mardi"))


async def test_a_query_of_another_bot_is_refused(
    telegram_world: TelegramWorld, bot_api: BotApi, marie: Person
) -> None:
    other_token = "654321:OTHER-token"
    other = telegram_world.add_bot(other_token, username="autre_clinique_bot")
    marie_there = telegram_world.same_person_with(marie, other)
    await marie_there.command("start")
    await other.post(
        other.writable_conversation(marie.user.id),
        text="Autre",
        inline_markup={"inline_keyboard": [[WEEK_BUTTON]]},
    )
    page = await marie_there.open_mini_app("semaine")
    verify_init_data(page.init_data, other_token, now=datetime.now(UTC))
    body = await bot_api(
        "answerWebAppQuery",
        expect=400,
        web_app_query_id=parse_qs(page.init_data)["query_id"][0],
        result=_article("Mardi"),
    )
    assert body["description"] == QUERY_ID_INVALID
