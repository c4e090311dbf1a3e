"""Every refused Bot API call is recorded on the bot account (`BotAccount.refused`), so that a
test sees what would be an error line in production: a tap answered twice or too late above
all (Telegram refuses both), and any ordinary refusal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.standins.emulator import (
    ANSWER_WINDOW,
    Person,
    RefusedCall,
    TelegramWorld,
    create_emulator_app,
)
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import IN_PROCESS_BASE_URL, TEST_BOT_TOKEN

QUERY_ID_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
KEYBOARD = {"inline_keyboard": [[{"text": "Confirmer", "callback_data": "confirm"}]]}


@pytest.fixture
async def alice(telegram_world: TelegramWorld) -> Person:
    """A person who already wrote to the bot (update 1), so the bot may answer her."""
    person = telegram_world.person("Alice", "Martin")
    await person.command("start")
    return person


async def _tap(bot_api: BotApi, alice: Person) -> tuple[str, asyncio.Task[object]]:
    """Alice taps [Confirmer] under a bot message: the query's id, and her waiting tap."""
    await bot_api("sendMessage", chat_id=alice.user.id, text="Choisir", reply_markup=KEYBOARD)
    tapping: asyncio.Task[object] = asyncio.create_task(alice.tap("Confirmer"))
    (update,) = (await bot_api("getUpdates", offset=2, timeout=5))["result"]
    return update["callback_query"]["id"], tapping


async def test_nothing_is_recorded_when_nothing_is_refused(
    bot_api: BotApi, telegram_world: TelegramWorld, alice: Person
) -> None:
    query_id, tapping = await _tap(bot_api, alice)
    await bot_api("answerCallbackQuery", callback_query_id=query_id, text="Noté")
    await tapping
    assert telegram_world.bot.refused == []


async def test_a_second_answer_to_a_tap_is_refused_and_recorded(
    bot_api: BotApi, telegram_world: TelegramWorld, alice: Person
) -> None:
    query_id, tapping = await _tap(bot_api, alice)
    await bot_api("answerCallbackQuery", callback_query_id=query_id, text="Noté")
    assert (await tapping).text == "Noté"  # the person saw the first answer only
    body = await bot_api("answerCallbackQuery", expect=400, callback_query_id=query_id, text="Bis")
    assert body["description"] == QUERY_ID_INVALID
    assert telegram_world.bot.refused == [
        RefusedCall(
            "answercallbackquery",
            {"callback_query_id": query_id, "text": "Bis"},
            400,
            QUERY_ID_INVALID,
        )
    ]


@pytest.fixture
async def late_world() -> AsyncIterator[tuple[TelegramWorld, ManualClock, httpx.AsyncClient]]:
    """A world whose clock the test moves, and a client calling its Bot API in-process."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    world = TelegramWorld(clock)
    world.add_bot(TEST_BOT_TOKEN)
    transport = httpx.ASGITransport(app=create_emulator_app(world))
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL) as client:
        yield world, clock, client
    await world.aclose()


async def test_an_answer_after_the_window_is_refused_and_recorded(
    late_world: tuple[TelegramWorld, ManualClock, httpx.AsyncClient],
) -> None:
    world, clock, client = late_world
    api = f"/bot{TEST_BOT_TOKEN}"
    alice = world.person("Alice")
    await alice.command("start")
    await client.post(
        f"{api}/sendMessage", json={"chat_id": alice.user.id, "text": "?", "reply_markup": KEYBOARD}
    )
    tapping = asyncio.create_task(alice.tap("Confirmer"))
    updates = await client.post(f"{api}/getUpdates", json={"offset": 2, "timeout": 5})
    query_id = updates.json()["result"][0]["callback_query"]["id"]
    clock.advance(ANSWER_WINDOW + timedelta(seconds=1))
    response = await client.post(f"{api}/answerCallbackQuery", json={"callback_query_id": query_id})
    tapping.cancel()  # no answer ever reached her
    assert response.status_code == 400
    (refused,) = world.bot.refused
    assert (refused.method, refused.params) == (
        "answercallbackquery",
        {"callback_query_id": query_id},
    )
    assert (refused.error_code, refused.description) == (400, QUERY_ID_INVALID)


async def test_an_ordinary_refusal_is_recorded_with_its_error(
    bot_api: BotApi, telegram_world: TelegramWorld
) -> None:
    await bot_api("sendMessage", expect=400, chat_id=999, text="Bonjour")
    (refused,) = telegram_world.bot.refused
    assert refused == RefusedCall(
        "sendmessage", {"chat_id": 999, "text": "Bonjour"}, 400, "Bad Request: chat not found"
    )
    assert str(refused) == (
        "sendmessage {'chat_id': 999, 'text': 'Bonjour'}: 400 Bad Request: chat not found"
    )


async def test_refusals_before_the_method_runs_are_recorded_too(
    bot_api: BotApi, telegram_world: TelegramWorld, alice: Person
) -> None:
    """An unknown method, an injected fault: each is an error the bot receives."""
    await bot_api("sendSticker", expect=404, chat_id=alice.user.id)
    telegram_world.faults.fail_next(1, status=502, method="sendMessage")
    await bot_api("sendMessage", expect=502, chat_id=alice.user.id, text="x")
    await bot_api("sendMessage", chat_id=alice.user.id, text="x")  # the next one passes
    assert [(r.method, r.error_code, r.description) for r in telegram_world.bot.refused] == [
        ("sendsticker", 404, "Not Found"),
        ("sendmessage", 502, "Bad Gateway"),
    ]
    assert [call.method for call in telegram_world.bot.calls] == ["sendmessage"]
