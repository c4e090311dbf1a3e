"""Several vetbot instances as real processes, for the end-to-end tests of a clinic group on
PostgreSQL: the group's clinics declared, each instance's log read as it comes, the lease
table read, and a round-robin balancer in front of webhook instances."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from bot.runtime.asgi_server import bind_loopback
from bot.standins.emulator import BotAccount, Group, TelegramWorld
from bot.standins.sandbox import SandboxState, render_clinic_toml
from bot.standins.sandbox.keys import ALL_PERMISSIONS
from bot.store.db import DatabaseUrl, PostgresDatabase
from bot.store.inbox import UpdateInbox
from bot.store.leases import LeaseTable
from tests.support.vetbot_fixtures import REPO_ROOT, SPAWN_SECONDS

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


@dataclass(frozen=True)
class DeclaredClinic:
    id: str
    bot: BotAccount
    staff: Group


def declare_group(
    folder: Path,
    world: TelegramWorld,
    sandbox: SandboxState,
    clinic_ids: list[str],
    env: dict[str, str],
    bot_keys: Mapping[str, Mapping[str, float | str]] | None = None,
) -> dict[str, DeclaredClinic]:
    """Each clinic in ``folder`` (CLINICS_DIR) with its bot, staff group and Treats key; their
    secrets added to ``env``. ``bot_keys``: a clinic's own settings (``[bot]`` overrides)."""
    folder.mkdir(exist_ok=True)
    declared = {}
    for number, clinic_id in enumerate(clinic_ids, start=1):
        token = f"{777100 + number}:{clinic_id.upper()}-token-of-the-instances-test"
        bot = world.add_bot(token, username=f"vetbot_{clinic_id}_bot")
        member = world.person("Accueil", clinic_id.title(), bot=bot)
        staff = world.group(f"Accueil {clinic_id}", [member], admins=[member], bot=bot)
        prefix = clinic_id.upper()
        env[f"{prefix}_TOKEN"] = token
        env[f"{prefix}_TREATS_KEY"] = sandbox.add_key(set(ALL_PERMISSIONS))
        (folder / f"{clinic_id}.toml").write_text(
            f'id = "{clinic_id}"\n{render_clinic_toml(sandbox)}\n\n[bot]\n'
            f'telegram_token_env = "{prefix}_TOKEN"\n'
            f'treats_api_key_env = "{prefix}_TREATS_KEY"\n'
            f"staff_chat_id = {staff.id}\n"
            + "".join(
                f"{key} = {json.dumps(value)}\n"
                for key, value in (bot_keys or {}).get(clinic_id, {}).items()
            ),
            encoding="utf-8",
        )
        declared[clinic_id] = DeclaredClinic(clinic_id, bot, staff)
    return declared


def group_environment(
    tmp_path: Path, telegram_url: str, sandbox_url: str, database_url: str
) -> dict[str, str]:
    """What every instance's `vetbot` process reads (the clinics' secrets are added)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": REPO_ROOT,
        "CLINICS_DIR": str(tmp_path / "clinics"),
        "DATABASE_URL": database_url,
        "TELEGRAM_API_URL": telegram_url,
        "TREATS_API_URL": sandbox_url,
        "VETBOT_DATA_DIR": str(tmp_path / "data"),
    }


def lease_holders(url: str) -> dict[str, str | None]:
    """Each clinic's holder, as the lease table says (the test holds nothing itself)."""
    database = PostgresDatabase.open(DatabaseUrl.parse(url))
    try:
        return LeaseTable(database, "the-test", timedelta(seconds=1)).holders()
    finally:
        database.close()


async def inbox_handled(url: str, clinic_id: str) -> None:
    """Until every update of the clinic in the inbox is marked handled."""
    database = PostgresDatabase.open(DatabaseUrl.parse(url))
    try:
        for _ in range(200):
            if not UpdateInbox(database).pending(clinic_id):
                return
            await asyncio.sleep(0.05)
    finally:
        database.close()
    pytest.fail(f"{clinic_id}: updates still not marked handled")


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
            query = f"?{request.url.query}" if request.url.query else ""
            try:
                answer = await self._http.request(
                    request.method,
                    upstream + request.url.path + query,
                    content=body,
                    headers=headers,
                )
            except httpx.HTTPError:
                continue
            kind = answer.headers.get("content-type")
            response = Response(answer.content, answer.status_code, media_type=kind)
            await response(scope, receive, send)
            return
        await Response("no instance answered", status_code=502)(scope, receive, send)

    async def aclose(self) -> None:
        await self._http.aclose()


def _free_port() -> int:
    with bind_loopback() as probe:
        return probe.getsockname()[1]


def free_port() -> int:
    with bind_loopback() as probe:
        return probe.getsockname()[1]


@pytest.fixture
async def instances(tmp_path: Path) -> AsyncIterator[list[Instance]]:
    """The instances a test starts, each killed at the end if still running; their logs are
    left in the test's folder (``instance-<n>.log``) for a failure to be read."""
    started: list[Instance] = []
    try:
        yield started
    finally:
        for number, instance in enumerate(started, 1):
            await instance.close()
            (tmp_path / f"instance-{number}.log").write_text("".join(instance.lines))
