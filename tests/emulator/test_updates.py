"""Getting updates: long polling with offsets, allowed_updates, and webhooks."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from bot.standins.emulator import SECRET_TOKEN_HEADER, Person, TelegramWorld, create_emulator_app
from tests.emulator.conftest import BotApi
from tests.support.telegram_fixtures import IN_PROCESS_BASE_URL, TEST_BOT_TOKEN

WEBHOOK_URL = "http://bot.local/hook"


@pytest.fixture
def alice(telegram_world: TelegramWorld) -> Person:
    return telegram_world.person("Alice")


def _ids(body: dict) -> list[int]:
    return [update["update_id"] for update in body["result"]]


async def test_updates_stay_until_a_later_offset_confirms_them(bot_api: BotApi, alice) -> None:
    for text in ("un", "deux", "trois"):
        await alice.send(text)
    assert _ids(await bot_api("getUpdates")) == [1, 2, 3]
    assert _ids(await bot_api("getUpdates")) == [1, 2, 3]  # not confirmed yet
    assert _ids(await bot_api("getUpdates", offset=2, limit=1)) == [2]
    assert _ids(await bot_api("getUpdates")) == [2, 3]  # 1 is gone for good
    assert _ids(await bot_api("getUpdates", offset=-1)) == [3]  # the last one only
    assert _ids(await bot_api("getUpdates", offset=4)) == []


async def test_message_update_shape(bot_api: BotApi, alice) -> None:
    await alice.command("start", "rdv-42")
    [update] = (await bot_api("getUpdates"))["result"]
    message = update["message"]
    assert message["text"] == "/start rdv-42"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"] == {
        "id": alice.user.id,
        "is_bot": False,
        "first_name": "Alice",
        "language_code": "fr",
    }
    assert message["chat"] == {"id": alice.user.id, "type": "private", "first_name": "Alice"}


async def test_long_poll_wakes_up_on_a_new_update(bot_api: BotApi, alice) -> None:
    polling = asyncio.create_task(bot_api("getUpdates", timeout=10))
    await alice.send("Bonjour")
    body = await asyncio.wait_for(polling, 2)
    assert body["result"][0]["message"]["text"] == "Bonjour"


async def test_long_poll_returns_empty_after_its_timeout(bot_api: BotApi) -> None:
    assert (await bot_api("getUpdates", timeout=1))["result"] == []


async def test_a_newer_poll_ends_the_older_one(bot_api: BotApi) -> None:
    older = asyncio.create_task(bot_api("getUpdates", expect=409, timeout=10))
    while not older.done():  # each newer poll ends the older one once it is waiting
        await bot_api("getUpdates")
    body = await older
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


async def _poll_over_a_socket(url: str, **query: object) -> asyncio.StreamWriter:
    """Send ``getUpdates`` over a real connection, as a bot does; close the writer to leave."""
    origin = urlsplit(url)
    assert origin.hostname is not None and origin.port is not None
    _, writer = await asyncio.open_connection(origin.hostname, origin.port)
    target = f"/bot{TEST_BOT_TOKEN}/getUpdates?{urlencode(query)}"
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {origin.netloc}\r\n\r\n".encode())
    await writer.drain()
    return writer


async def test_a_poll_whose_client_leaves_ends_quietly_and_is_recorded(
    telegram_url: str,
    telegram_world: TelegramWorld,
    bot_api: BotApi,
    alice,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bot cancelling its long poll (at SIGTERM) closes the connection: the emulator ends
    that poll at once, as abandoned, neither answered nor refused, and logs nothing."""
    account = telegram_world.bot
    caplog.set_level(logging.WARNING)
    writer = await _poll_over_a_socket(telegram_url, timeout=50)
    await account.wait_for_call("getupdates")
    writer.close()
    await writer.wait_closed()
    abandoned = await asyncio.wait_for(account.wait_for_abandoned("getupdates"), 20)
    assert abandoned.params == {"timeout": "50"}
    assert account.refused == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    await alice.send("après")  # and the next poll gets what comes next
    assert _ids(await bot_api("getUpdates")) == [1]


async def test_what_a_lost_poll_fetched_comes_again_until_a_later_offset(
    telegram_url: str, telegram_world: TelegramWorld, bot_api: BotApi, alice
) -> None:
    """Telegram forgets an update only once a later offset confirms it: a poll whose answer
    never reached the bot (it left first) confirmed nothing, so the next start gets the update
    again, and a poll with a later offset confirms it (PTB's last call at a clean stop)."""
    account = telegram_world.bot
    await alice.send("un")
    writer = await _poll_over_a_socket(telegram_url, timeout=50)  # answered [1] at once...
    await account.wait_for_call("getupdates")
    writer.close()  # ...to nobody: the bot was stopping
    await writer.wait_closed()
    assert _ids(await bot_api("getUpdates", timeout=1)) == [1]  # the next start: again
    await alice.send("deux")
    since = len(account.calls)
    writer = await _poll_over_a_socket(telegram_url, offset=2, timeout=50)  # confirms 1
    await account.wait_for_call("getupdates", since=since)
    writer.close()
    await writer.wait_closed()
    assert _ids(await bot_api("getUpdates", timeout=1)) == [2]
    assert account.refused == []


async def test_allowed_updates_filter_and_are_remembered(bot_api: BotApi, alice) -> None:
    await bot_api("getUpdates", allowed_updates=["callback_query"])
    await alice.send("ignoré")
    assert (await bot_api("getUpdates"))["result"] == []  # the choice is remembered
    await bot_api("getUpdates", allowed_updates=[])  # back to the default
    await alice.send("reçu")
    [update] = (await bot_api("getUpdates"))["result"]
    assert update["message"]["text"] == "reçu"


async def test_get_updates_is_refused_while_a_webhook_is_set(bot_api: BotApi) -> None:
    assert (await bot_api("setWebhook", url=WEBHOOK_URL))["description"] == "Webhook was set"
    body = await bot_api("getUpdates", expect=409)
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert (await bot_api("deleteWebhook"))["description"] == "Webhook was deleted"
    assert (await bot_api("deleteWebhook"))["description"] == "Webhook is already deleted"
    await bot_api("getUpdates")


class _Receiver:
    """A bot's webhook endpoint: records deliveries, failing the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict, str | None]] = []
        self.arrived = asyncio.Condition()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.failures:
            self.failures -= 1
            return httpx.Response(500)
        async with self.arrived:
            update = json.loads(request.content)
            self.received.append((update, request.headers.get(SECRET_TOKEN_HEADER)))
            self.arrived.notify_all()
        return httpx.Response(200)

    async def wait_for(self, count: int) -> None:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.received) >= count), 5)


async def _webhook_world(receiver: _Receiver) -> tuple[TelegramWorld, httpx.AsyncClient]:
    world = TelegramWorld(webhook_client=httpx.AsyncClient(transport=httpx.MockTransport(receiver)))
    world.add_bot(TEST_BOT_TOKEN)
    transport = httpx.ASGITransport(app=create_emulator_app(world))
    return world, httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL)


async def test_webhook_delivers_in_order_with_the_secret_token() -> None:
    receiver = _Receiver()
    world, client = await _webhook_world(receiver)
    alice = world.person("Alice")
    await alice.send("avant")  # pending before the webhook: delivered too
    api = f"/bot{TEST_BOT_TOKEN}"
    async with client:
        await client.post(f"{api}/setWebhook", json={"url": WEBHOOK_URL, "secret_token": "s3cr3t"})
        await alice.send("après")
        await receiver.wait_for(2)
        info = (await client.post(f"{api}/getWebhookInfo")).json()["result"]
    assert [u["message"]["text"] for u, _ in receiver.received] == ["avant", "après"]
    assert {secret for _, secret in receiver.received} == {"s3cr3t"}
    assert info["url"] == WEBHOOK_URL
    assert info["pending_update_count"] == 0
    assert info["has_custom_certificate"] is False
    assert "last_error_date" not in info
    await world.aclose()


async def test_webhook_failures_are_retried_and_reported() -> None:
    receiver = _Receiver(failures=2)
    world, client = await _webhook_world(receiver)
    alice = world.person("Alice")
    api = f"/bot{TEST_BOT_TOKEN}"
    async with client:
        await client.post(f"{api}/setWebhook", json={"url": WEBHOOK_URL})
        await alice.send("insistant")
        await receiver.wait_for(1)
        info = (await client.post(f"{api}/getWebhookInfo")).json()["result"]
    assert world.bot.webhook.attempts == 3
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)
    await world.aclose()


async def test_set_webhook_can_drop_pending_updates(bot_api: BotApi, alice) -> None:
    await alice.send("vieux")
    await bot_api("setWebhook", url="http://127.0.0.1:9/unreachable", drop_pending_updates=True)
    info = (await bot_api("getWebhookInfo"))["result"]
    assert info["pending_update_count"] == 0
    await bot_api("deleteWebhook")
    await alice.send("neuf")
    await bot_api("deleteWebhook", drop_pending_updates=True)
    assert (await bot_api("getUpdates"))["result"] == []


async def test_set_webhook_ends_a_running_poll(
    bot_api: BotApi, telegram_world: TelegramWorld
) -> None:
    polling = asyncio.create_task(bot_api("getUpdates", expect=409, timeout=10))
    await telegram_world.bot.wait_for_call("getupdates")  # its poll is waiting from here on
    await bot_api("setWebhook", url="http://127.0.0.1:9/unreachable")
    body = await asyncio.wait_for(polling, 5)
    assert body["description"] == "Conflict: terminated by setWebhook request"
    await bot_api("deleteWebhook")
