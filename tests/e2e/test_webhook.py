"""Webhook mode: Telegram pushes updates with its secret; a wrong secret is refused, a
redelivered update is handled once; /healthz and /readyz answer with real checks."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import VetbotRun

SECRET = "test-webhook-secret-token"

# `vetbot webhook` runs on uvloop: its web server (tornado) must run there as on asyncio.
pytestmark = pytest.mark.both_loops


@pytest.fixture
def webhook_run(vetbot_setup: VetbotRun) -> tuple[VetbotRun, str]:
    return vetbot_setup, vetbot_setup.on_webhook(SECRET)


def an_update(update_id: int, user, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 999,
            "date": 1795000000,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_owner_identified_through_webhook_deliveries(webhook_run, marie) -> None:
    vetbot, _ = webhook_run
    async with vetbot.running(mode="webhook"):
        delivery = vetbot.world.bot.webhook
        assert delivery.active and delivery.config.url.endswith("/telegram")
        await identify(marie)  # /start, contact, menu: all pushed by the emulator


async def test_wrong_secret_refused_and_redelivery_handled_once(webhook_run, marie) -> None:
    vetbot, base = webhook_run
    async with vetbot.running(mode="webhook"), httpx.AsyncClient() as http:
        await marie.command("start")  # the chat exists; the bot greets once
        await next_step(marie)
        update = an_update(500001, marie.user, "/start")
        refused = await http.post(
            f"{base}/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        )
        assert refused.status_code == 403
        missing = await http.post(f"{base}/telegram", json=update)
        assert missing.status_code == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(2):  # Telegram redelivers when it missed our answer
            answer = await http.post(f"{base}/telegram", json=update, headers=headers)
            assert answer.status_code == 200
        greeting = await next_step(marie)
        assert "partagez votre numéro" in greeting.text
        with pytest.raises(AssertionError):
            await marie.next_reply(timeout=1.5)  # not a second greeting


async def test_health_and_readiness(webhook_run) -> None:
    vetbot, base = webhook_run
    async with vetbot.running(mode="webhook"), httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/healthz")).text == "ok"
        ready = await http.get(f"{base}/readyz")
        assert ready.status_code == 200
        checks = ready.json()["checks"]
        assert checks["telegram"]["ok"] and checks["treats"]["ok"] and checks["store"]["ok"]


async def test_metrics_count_what_happened(webhook_run, marie) -> None:
    vetbot, base = webhook_run
    async with vetbot.running(mode="webhook"), httpx.AsyncClient() as http:
        await identify(marie)
        await marie.send("vaccin pour Mimi demain à 15h")
        await next_step(marie)
        await marie.tap(marie.buttons[0])
        await next_step(marie)
        await marie.tap("Confirmer")
        assert "C'est confirmé" in (await next_step(marie)).text
        await next_step(marie)  # the calendar file
        await next_step(marie)  # the menu: the confirmation's handler is (almost) done
        text = (await http.get(f"{base}/metrics")).text
    metrics = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert metrics["vetbot_updates_total"] >= 4  # 5 updates sent; the last may still be returning
    assert metrics['vetbot_bookings_total{outcome="booked"}'] == 1
    assert metrics['vetbot_treats_calls_total{endpoint="appointments",status="201"}'] == 1
    assert metrics["vetbot_treats_quota_remaining"] > 900
    assert metrics["vetbot_handler_seconds_count"] == metrics["vetbot_updates_total"]
