"""A clinic group on several instances, as real processes sharing one PostgreSQL: the clinics
are shared out, a second instance takes its share without a bot ever polling from two places,
a kill -9 costs the clinics of the killed instance no more than the takeover time, their
owners carry on where they stood, and a SIGTERM hands the clinics over at once."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from bot.runtime.asgi_server import serve_asgi
from bot.standins.emulator import BotAccount, Person, TelegramWorld
from bot.standins.sandbox import SandboxState
from tests.e2e.flow import identify, next_step, to_when
from tests.support.instances import (
    Instance,
    RoundRobin,
    declare_group,
    free_port,
    group_environment,
    inbox_handled,
    lease_holders,
)
from tests.support.vetbot_fixtures import SPAWN_SECONDS

pytestmark = pytest.mark.slow

CLINICS = ("brest", "lyon", "nantes", "paris")
TAKEOVER_AIM_SECONDS = 15.0


@pytest.fixture
def group_env(
    tmp_path: Path,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
    migrated_postgres_url: str,
) -> tuple[dict[str, str], dict[str, BotAccount]]:
    """Four clinics in CLINICS_DIR, each with its bot and staff group; the group on PostgreSQL."""
    env = group_environment(tmp_path, telegram_url, sandbox_url, migrated_postgres_url)
    declared = declare_group(tmp_path / "clinics", telegram_world, sandbox, list(CLINICS), env)
    return env, {clinic_id: clinic.bot for clinic_id, clinic in declared.items()}


async def test_a_killed_instance_s_clinics_are_taken_over_and_carry_on(
    group_env: tuple[dict[str, str], dict[str, BotAccount]],
    instances: list[Instance],
    telegram_world: TelegramWorld,
    sandbox: SandboxState,
) -> None:
    env, bots = group_env
    first = await Instance.start(env)
    instances.append(first)
    await first.until(lambda _: first.serving() == set(CLINICS), "the first instance serves all")

    second = await Instance.start(env)
    instances.append(second)
    await second.until(lambda _: len(second.serving()) == 2, "the second instance takes half")
    await first.until(lambda lines: any("gave back" in line for line in lines), "half given")
    moved = second.serving()
    holders = lease_holders(env["DATABASE_URL"])
    assert {cid for cid, holder in holders.items() if f"-{second.pid}-" in (holder or "")} == moved

    # An owner of a clinic the second instance serves, part-way through a booking.
    clinic_id = sorted(moved)[0]
    marie = _marie_at(telegram_world, sandbox, bots[clinic_id])
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    assert "motif" in (await next_step(marie)).text.lower()

    killed_at = time.monotonic()
    second.process.send_signal(signal.SIGKILL)
    await second.process.wait()
    await first.until(
        lambda lines: sum(clinic_id in line and "serving as @" in line for line in lines) >= 2,
        f"{clinic_id} served again by the first instance",
    )
    takeover = time.monotonic() - killed_at
    assert takeover < TAKEOVER_AIM_SECONDS, f"took {takeover:.1f} s"
    print(f"takeover after kill -9: {takeover:.1f} s")

    # She carries on where she stood: her tap on the reason is answered, by the first instance.
    await marie.tap("Vaccination")
    assert "vétérinaire" in (await next_step(marie, within=10)).text.lower()

    # No bot ever polled from two instances at once (Telegram would have refused one: 409).
    for bot in bots.values():
        assert not [r for r in bot.refused if r.error_code == 409], bot.refused

    first.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(first.process.wait(), SPAWN_SECONDS) == 0
    assert set(lease_holders(env["DATABASE_URL"]).values()) == {None}, "every lease given back"


async def test_webhooks_behind_a_load_balancer_survive_the_holder_s_death(
    group_env: tuple[dict[str, str], dict[str, BotAccount]],
    instances: list[Instance],
    telegram_world: TelegramWorld,
    sandbox: SandboxState,
) -> None:
    """Any instance takes any clinic's update; an update Telegram was told was received, while
    its clinic's holder was frozen then killed, is handled once by the instance that takes the
    clinic over."""
    env, bots = group_env
    ports = [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    async with serve_asgi(balancer) as public:
        try:
            first = await Instance.start(_webhook_env(env, public, ports[0]), command="webhook")
            instances.append(first)
            await first.until(lambda _: first.serving() == set(CLINICS), "first serves all")
            second = await Instance.start(_webhook_env(env, public, ports[1]), command="webhook")
            instances.append(second)
            await second.until(lambda _: len(second.serving()) == 2, "second takes half")
            clinic_id = sorted(second.serving())[0]
            assert bots[clinic_id].webhook.config.url == f"{public}/hooks/{clinic_id}"

            # Her updates reach the balancer, which spreads them over both instances.
            marie = _marie_at(telegram_world, sandbox, bots[clinic_id])
            await identify(marie)
            await inbox_handled(env["DATABASE_URL"], clinic_id)

            # The holder freezes; her tap is taken by the other instance, and Telegram told.
            second.process.send_signal(signal.SIGSTOP)
            tapping = asyncio.create_task(
                marie.tap("Prendre rendez-vous", timeout=TAKEOVER_AIM_SECONDS + 5)
            )
            await _delivered(bots[clinic_id])
            second.process.send_signal(signal.SIGKILL)
            await second.process.wait()

            await tapping  # answered by the instance that took the clinic over
            reply = await next_step(marie, within=5)
            assert "motif" in reply.text.lower(), reply.text
            with pytest.raises(AssertionError):
                await marie.next_reply(timeout=1.5)  # handled once: no second answer
        finally:
            await balancer.aclose()


def _webhook_env(env: dict[str, str], public: str, port: int) -> dict[str, str]:
    return {
        **env,
        "WEBHOOK_URL": f"{public}/hooks",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_LISTEN": "127.0.0.1",
    }


async def _delivered(bot: BotAccount) -> None:
    """Until the emulator has no update of ``bot`` waiting: the last one was answered 200."""
    for _ in range(200):
        if not bot.updates.pending:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"updates still waiting: {bot.updates.pending}")


async def test_the_week_view_answers_from_any_instance_behind_the_balancer(
    group_env: tuple[dict[str, str], dict[str, BotAccount]],
    instances: list[Instance],
    telegram_world: TelegramWorld,
    sandbox: SandboxState,
) -> None:
    """A clinic's week view behind a round-robin balancer: whichever instance answers, the
    owner sees the week of what they chose in the chat, and the slot chosen there reaches
    the clinic's holder, which shows the summary in the chat."""
    env, bots = group_env
    ports = [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    week_view = {"MINI_APP_URL": "https://vetbot.example/app"}
    async with serve_asgi(balancer) as public, httpx.AsyncClient() as http:
        try:
            for number, port in enumerate(ports):
                instance = await Instance.start(
                    {**_webhook_env(env, public, port), **week_view}, command="webhook"
                )
                instances.append(instance)
                share = len(CLINICS) // (number + 1)
                await instance.until(lambda _, i=instance, n=share: len(i.serving()) == n, "share")
            clinic_id = sorted(instances[1].serving())[0]
            marie = _marie_at(telegram_world, sandbox, bots[clinic_id])
            await identify(marie)
            step = await to_when(marie)
            button = next(b for b in step.inline_buttons if "Voir la semaine" in b.text)
            assert button.web_app_url == f"https://vetbot.example/app/{clinic_id}"
            await inbox_handled(env["DATABASE_URL"], clinic_id)  # her state is written
            launch = await marie.open_mini_app("Voir la semaine")
            tma = {"Authorization": f"tma {launch.init_data}"}
            weeks = [
                await http.get(f"{public}/app/{clinic_id}/api/week", headers=tma)
                for _ in ports  # the balancer sends one to each instance
            ]
            assert [w.status_code for w in weeks] == [200, 200], [w.text for w in weeks]
            assert weeks[0].json()["week"] == weeks[1].json()["week"]
            assert weeks[0].json()["summary"]["pet"] == "Mimi"
            slot = next(s for day in weeks[0].json()["week"]["days"] for s in day["slots"])
            page = await http.get(f"{public}/app/{clinic_id}")
            assert page.status_code == 200 and "<main" in page.text
            chosen = await http.post(
                f"{public}/app/{clinic_id}/api/choose", json={"slot": slot["id"]}, headers=tma
            )
            assert chosen.status_code == 200, chosen.text
            summary = await next_step(marie, within=10)
            assert "Récapitulatif" in summary.text and slot["time"] in summary.text
            unknown = await http.get(f"{public}/app/nowhere/api/week", headers=tma)
            assert unknown.status_code == 404
        finally:
            await balancer.aclose()


def _marie_at(world: TelegramWorld, sandbox: SandboxState, bot: BotAccount) -> Person:
    """The demo owner, in her chat with one clinic's bot."""
    phone = sandbox.seed.demo_owner_one_pet.phone
    return world.person("Marie", "Durand", phone_number=phone, bot=bot)
