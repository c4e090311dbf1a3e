"""What Telegram does to a clinic's staff group, and what the bot does about it.

The bot removed from the group: Telegram refuses every message there (403). An urgent case
must not be lost and the owner must not be told "the team is alerted": the alert waits, the
owner is told to call, /readyz and the metrics say so, and the alert arrives once the bot is
added back. The group upgraded to a supergroup: Telegram refuses the old id (400 with
``migrate_to_chat_id``); the bot follows, also after a restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from telegram.ext import Application

from bot.staff_chat import StaffChat
from tests.e2e.flow import identify, next_step
from tests.e2e.test_staff import report_emergency
from tests.support.vetbot_fixtures import VetbotRun

SETTLE_SECONDS = 10
WEBHOOK_SECRET = "test-webhook-secret-token"
KICKED = "bot was kicked"
UPGRADED = "group chat was upgraded"


def staff_chat(application: Application) -> StaffChat:
    return application.bot_data.staff_chat


async def until(application: Application, condition: Callable[[StaffChat], bool]) -> None:
    """Waits for the bot to take in an update that gets no visible answer (the bot removed,
    added back, the group upgraded): the staff chat's own change signal, no polling."""
    chat = staff_chat(application)
    changed = asyncio.Event()
    chat.on_change(changed.set)
    async with asyncio.timeout(SETTLE_SECONDS):
        while not condition(chat):
            await changed.wait()
            changed.clear()


def basic_group_staff(vetbot: VetbotRun) -> VetbotRun:
    """The same setup with a basic group as the staff chat (a small clinic's first group)."""
    lea = vetbot.staff_member
    group = vetbot.world.group("Accueil (groupe)", [lea], admins=[lea], kind="group")
    settings = vetbot.settings.model_copy(update={"staff_chat_id": group.id})
    return dataclasses.replace(vetbot, settings=settings, staff=group)


def gauges(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


@pytest.mark.refusals_expected(KICKED)
async def test_an_urgent_case_while_the_bot_is_out_of_the_staff_group_waits_for_its_return(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running() as application:
        vetbot_setup.clock.advance(timedelta(hours=1, minutes=30))  # Monday 10:00, open
        await vetbot_setup.staff.remove_bot()
        await until(application, lambda chat: not chat.reachable)
        await identify(marie)
        refused_before = len(vetbot_setup.world.bot.refused)
        await report_emergency(marie)

        phone = await next_step(marie)
        assert "appelez la clinique tout de suite" in phone.text.lower()
        assert "prévenue" not in phone.text  # nobody has seen it yet: not promised
        tried = await vetbot_setup.world.bot.wait_for_refusal("sendmessage", since=refused_before)
        assert tried.params["chat_id"] == str(vetbot_setup.staff.id)  # the alert, refused

        await vetbot_setup.staff.add_bot()
        alert = await vetbot_setup.staff.next_message()
        while "URGENCE" not in alert.text:
            alert = await vetbot_setup.staff.next_message()
        assert "Marie Dubois" in alert.text and "chocolat" in alert.text
        await until(application, lambda chat: chat.reachable)


@pytest.mark.refusals_expected(KICKED)
@pytest.mark.both_loops
async def test_readiness_and_metrics_say_the_bot_is_out_of_the_staff_group(
    vetbot_setup: VetbotRun,
) -> None:
    base = vetbot_setup.on_webhook(WEBHOOK_SECRET)
    async with (
        vetbot_setup.running(mode="webhook") as application,
        httpx.AsyncClient() as http,
    ):
        ready = await http.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["staff_chat"]["ok"]

        await vetbot_setup.staff.remove_bot()
        await until(application, lambda chat: not chat.reachable)
        ready = await http.get(f"{base}/readyz")
        assert ready.status_code == 503
        assert not ready.json()["checks"]["staff_chat"]["ok"]
        metrics = gauges((await http.get(f"{base}/metrics")).text)
        assert metrics["vetbot_staff_chat_reachable"] == 0

        await vetbot_setup.staff.add_bot()
        await until(application, lambda chat: chat.reachable)
        assert (await http.get(f"{base}/readyz")).status_code == 200
        metrics = gauges((await http.get(f"{base}/metrics")).text)
        assert metrics["vetbot_staff_chat_reachable"] == 1


@pytest.mark.refusals_expected(KICKED)
async def test_a_bot_removed_while_stopped_knows_it_at_start(vetbot_setup: VetbotRun) -> None:
    await vetbot_setup.staff.remove_bot()
    async with vetbot_setup.running() as application:
        assert not staff_chat(application).reachable


@pytest.mark.refusals_expected(UPGRADED)
async def test_staff_group_upgraded_to_a_supergroup_keeps_getting_alerts_and_taking_them(
    vetbot_setup: VetbotRun, marie
) -> None:
    vetbot = basic_group_staff(vetbot_setup)
    old_id = vetbot.staff.id
    async with vetbot.running() as application:
        new_id = await vetbot.staff.upgrade_to_supergroup()
        assert new_id != old_id and vetbot.staff.id == new_id
        await until(application, lambda chat: chat.chat_id == new_id)
        await identify(marie)
        await report_emergency(marie)
        alert = await vetbot.staff.next_message()
        while "URGENCE" not in alert.text:
            alert = await vetbot.staff.next_message()

        lea = vetbot.staff_member.in_group(vetbot.staff)
        answer = await lea.tap("Je prends")
        assert "noté" in answer.text


@pytest.mark.refusals_expected(UPGRADED)
async def test_a_group_upgraded_while_the_bot_was_stopped_is_followed_at_start_and_after(
    vetbot_setup: VetbotRun,
) -> None:
    vetbot = basic_group_staff(vetbot_setup)
    async with vetbot.running():
        pass
    new_id = await vetbot.staff.upgrade_to_supergroup()
    async with vetbot.running() as application:  # STAFF_CHAT_ID still names the old group
        await until(application, lambda chat: chat.chat_id == new_id)
        lea = vetbot.staff_member.in_group(vetbot.staff)
        await lea.command("aujourdhui")
        answer = await vetbot.staff.next_message()
        assert "Aucun rendez-vous" in answer.text
    async with vetbot.running() as application:  # and the next start remembers it
        assert staff_chat(application).chat_id == new_id
