"""A clinic group on several instances, as real processes sharing one PostgreSQL: the clinics
are shared out, a second instance takes its share without a bot ever polling from two places,
a kill -9 costs the clinics of the killed instance no more than the takeover time, their
owners carry on where they stood, and a SIGTERM hands the clinics over at once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from bot.runtime.asgi_server import bind_loopback, serve_asgi
from bot.standins.emulator import BotAccount, TelegramWorld
from bot.standins.sandbox import SandboxState, render_clinic_toml
from bot.standins.sandbox.keys import ALL_PERMISSIONS
from bot.store.db import DatabaseUrl, PostgresDatabase
from bot.store.inbox import UpdateInbox
from bot.store.leases import LeaseTable
from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import REPO_ROOT, SPAWN_SECONDS

pytestmark = pytest.mark.slow

CLINICS = ("brest", "lyon", "nantes", "paris")
TAKEOVER_AIM_SECONDS = 15.0
_SERVING = re.compile(r"clinic=(\S+) .*serving as @")


class Instance:
    """One `vetbot run` process of the group, its log read line by line as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._new_line = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], command: str = "run") -> Instance:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", command, env=env, stderr=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            async with self._new_line:
                self.lines.append(line.decode())
                self._new_line.notify_all()

    async def until(self, found: Callable[[list[str]], bool], what: str) -> None:
        """Waits for the log to show ``what`` (each new line wakes the check)."""

        async def check() -> None:
            async with self._new_line:
                await self._new_line.wait_for(lambda: found(self.lines))

        try:
            await asyncio.wait_for(check(), SPAWN_SECONDS)
        except TimeoutError:
            pytest.fail(f"{what}: not in the log:\n{''.join(self.lines)}")

    def serving(self) -> set[str]:
        """The clinics this instance started serving (by its log)."""
        return {m.group(1) for line in self.lines if (m := _SERVING.search(line))}

    @property
    def pid(self) -> int:
        return self.process.pid

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reader


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
    folder = tmp_path / "clinics"
    folder.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": REPO_ROOT,
        "CLINICS_DIR": str(folder),
        "DATABASE_URL": migrated_postgres_url,
        "TELEGRAM_API_URL": telegram_url,
        "TREATS_API_URL": sandbox_url,
        "VETBOT_DATA_DIR": str(tmp_path / "data"),
    }
    bots = {}
    for number, clinic_id in enumerate(CLINICS, start=1):
        token = f"77710{number}:{clinic_id.upper()}-token-of-the-instances-test"
        bot = telegram_world.add_bot(token, username=f"vetbot_{clinic_id}_bot")
        member = telegram_world.person("Accueil", clinic_id.title(), bot=bot)
        staff = telegram_world.group(f"Accueil {clinic_id}", [member], admins=[member], bot=bot)
        prefix = clinic_id.upper()
        env[f"{prefix}_TOKEN"] = token
        env[f"{prefix}_TREATS_KEY"] = sandbox.add_key(set(ALL_PERMISSIONS))
        (folder / f"{clinic_id}.toml").write_text(
            f'id = "{clinic_id}"\n{render_clinic_toml(sandbox)}\n\n[bot]\n'
            f'telegram_token_env = "{prefix}_TOKEN"\n'
            f'treats_api_key_env = "{prefix}_TREATS_KEY"\n'
            f"staff_chat_id = {staff.id}\n",
            encoding="utf-8",
        )
        bots[clinic_id] = bot
    return env, bots


@pytest.fixture
async def instances() -> AsyncIterator[list[Instance]]:
    started: list[Instance] = []
    try:
        yield started
    finally:
        for instance in started:
            await instance.close()


def _holders(url: str) -> dict[str, str | None]:
    """Each clinic's holder, as the lease table says (the test holds nothing itself)."""
    database = PostgresDatabase.open(DatabaseUrl.parse(url))
    try:
        return LeaseTable(database, "the-test", timedelta(seconds=1)).holders()
    finally:
        database.close()


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
    holders = _holders(env["DATABASE_URL"])
    assert {cid for cid, holder in holders.items() if f"-{second.pid}-" in (holder or "")} == moved

    # An owner of a clinic the second instance serves, part-way through a booking.
    clinic_id = sorted(moved)[0]
    marie = telegram_world.person(
        "Marie",
        "Durand",
        phone_number=sandbox.seed.demo_owner_one_pet.phone,
        bot=bots[clinic_id],
    )
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
    assert set(_holders(env["DATABASE_URL"]).values()) == {None}, "every lease given back"


class RoundRobin:
    """A load balancer in front of the instances, as a reverse proxy would be: each request
    to the next instance in turn; one that refuses or does not answer within a second is
    skipped (an active health check would take it out)."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self._turn = 0
        self._http = httpx.AsyncClient(timeout=1.0)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = Request(scope, receive)
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in self.upstreams:
            upstream = self.upstreams[self._turn % len(self.upstreams)]
            self._turn += 1
            try:
                answer = await self._http.request(
                    request.method, upstream + request.url.path, content=body, headers=headers
                )
            except httpx.HTTPError:
                continue
            response = Response(answer.content, status_code=answer.status_code)
            await response(scope, receive, send)
            return
        await Response("no instance answered", status_code=502)(scope, receive, send)

    async def aclose(self) -> None:
        await self._http.aclose()


def _free_port() -> int:
    with bind_loopback() as probe:
        return probe.getsockname()[1]


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
    ports = [_free_port(), _free_port()]
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
            marie = telegram_world.person(
                "Marie",
                "Durand",
                phone_number=sandbox.seed.demo_owner_one_pet.phone,
                bot=bots[clinic_id],
            )
            await identify(marie)
            await _handled(env["DATABASE_URL"], clinic_id)

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


async def _handled(url: str, clinic_id: str) -> None:
    """Until every update of the clinic in the inbox is marked handled. (An update handled
    but not yet marked when its holder dies is handled again by the next holder: at least
    once. The test freezes the holder after that window, not inside it.)"""
    database = PostgresDatabase.open(DatabaseUrl.parse(url))
    try:
        for _ in range(200):
            if not UpdateInbox(database).pending(clinic_id):
                return
            await asyncio.sleep(0.05)
    finally:
        database.close()
    pytest.fail(f"{clinic_id}: updates still not marked handled")
