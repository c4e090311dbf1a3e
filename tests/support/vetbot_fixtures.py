"""The real vetbot, running against the Telegram emulator and the Treats sandbox.

`vetbot` starts the unmodified application (polling, persistence, rate limiter) pointed at
both over loopback HTTP, with the sandbox's clock as the bot's "now". `marie` (one pet) and
`thomas` (three pets) are seeded owners whose Telegram numbers match the sandbox's records.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.clock import ManualClock
from bot.config import ClinicConfig, Settings, load_clinic, load_settings
from bot.launch.application import running_bot
from bot.runtime.asgi_server import bind_loopback
from bot.runtime.flood_limits import TELEGRAM_FLOOD_LIMITS, FloodLimits
from bot.standins.emulator import Group, Person, RefusedCall, TelegramWorld
from bot.standins.sandbox import SandboxState, render_clinic_toml
from bot.store import Store
from bot.treats import RetryPolicy
from conversations.router import CONVERSATION_TIMEOUT
from tests.support.telegram_fixtures import TEST_BOT_TOKEN

LINK_SECRET = "test-link-secret-0123456789abcdef"
REPO_ROOT = str(Path(__file__).resolve().parents[2])
SPAWN_SECONDS = 30
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, attempt_timeout=2.0)
BOT_POLL_TIMEOUT = 2
REFUSALS_EXPECTED = "refusals_expected"


@dataclass
class VetbotRun:
    """Everything a test needs to drive the bot and check what it did."""

    settings: Settings
    clinic: ClinicConfig
    sandbox: SandboxState
    world: TelegramWorld
    clock: ManualClock
    staff: Group
    staff_member: Person
    data_dir: Path

    @contextlib.asynccontextmanager
    async def running(
        self,
        conversation_timeout: timedelta = CONVERSATION_TIMEOUT,
        mode: Literal["polling", "webhook"] = "polling",
        flood: FloodLimits = TELEGRAM_FLOOD_LIMITS,
    ) -> AsyncIterator[Application]:
        """The bot running until the block exits (a clean stop): restart it by re-entering."""
        async with running_bot(
            self.settings,
            self.clinic,
            clock=self.clock,
            retry=FAST_RETRY,
            poll_timeout=BOT_POLL_TIMEOUT,
            conversation_timeout=conversation_timeout,
            mode=mode,
            flood=flood,
        ) as application:
            yield application

    def environment(self) -> dict[str, str]:
        """The settings as `vetbot run` reads them from its environment."""
        settings = self.settings
        return {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": REPO_ROOT,
            "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value(),
            "TELEGRAM_API_URL": settings.telegram_api_url,
            "TREATS_API_URL": settings.treats_api_url,
            "TREATS_API_KEY": settings.treats_api_key.get_secret_value(),
            "CLINIC_CONFIG": str(settings.clinic_config),
            "STAFF_CHAT_ID": str(settings.staff_chat_id),
            "VETBOT_DATA_DIR": str(settings.vetbot_data_dir),
            "VETBOT_LINK_SECRET": LINK_SECRET,
        } | (
            {"DATABASE_URL": settings.database_url.get_secret_value()}
            if settings.database_url is not None
            else {}
        )

    async def spawn(self) -> asyncio.subprocess.Process:
        """`vetbot run` as a separate process; returns once it polls the emulator.

        That process reads the real clock, not the sandbox's frozen one: tests that use it
        book "au plus tôt" rather than a fixed date.
        """
        account = self.world.bot
        since = len(account.calls)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=self.environment(),
            cwd=self.data_dir.parent,
            stderr=asyncio.subprocess.PIPE,
        )
        await asyncio.wait_for(account.wait_for_call("getupdates", since=since), SPAWN_SECONDS)
        return process

    def on_webhook(self, secret: str) -> str:
        """Webhook mode on a free loopback port, with `secret`; returns the bot's base URL."""
        with bind_loopback() as probe:
            port = probe.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        self.settings = self.settings.model_copy(
            update={
                "webhook_url": f"{base}/telegram",
                "webhook_port": port,
                "webhook_listen": "127.0.0.1",
                "webhook_secret": SecretStr(secret),
            }
        )
        return base

    def with_week_view(self, public: str = "https://vetbot.example/app") -> str:
        """The week view (Mini App) at the public URL ``public``, served on a free loopback
        port; returns the page's local URL (what a browser in the test opens instead)."""
        with bind_loopback() as probe:
            port = probe.getsockname()[1]
        self.settings = self.settings.model_copy(
            update={"mini_app_url": public, "webhook_port": port, "webhook_listen": "127.0.0.1"}
        )
        return f"http://127.0.0.1:{port}{urlsplit(public).path}"

    def store(self) -> Store:
        """A second connection to the bot's store, for assertions."""
        return Store.open(self.settings.database, self.clock, clinic=self.clinic.id)


@pytest.fixture
def vetbot_setup(
    request: pytest.FixtureRequest,
    database_backend: str,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
    sandbox_clock: ManualClock,
    tmp_path: Path,
) -> Iterator[VetbotRun]:
    """The bot's setup; at the end, no Bot API call the bot made may have been refused (as
    Telegram would), unless the test expects it: see `unexpected_refusals`."""
    database_url = (
        request.getfixturevalue("migrated_postgres_url")
        if database_backend == "postgresql"
        else None
    )
    run = _setup(
        telegram_world, telegram_url, sandbox, sandbox_url, sandbox_clock, tmp_path, database_url
    )
    yield run
    marker = request.node.get_closest_marker(REFUSALS_EXPECTED)
    refused = [_described(call) for call in unexpected_refusals(marker, telegram_world.bot.refused)]
    assert not refused, f"the bot made Bot API calls Telegram would refuse: {refused}"


def unexpected_refusals(
    marker: pytest.Mark | None, refused: Sequence[RefusedCall]
) -> list[RefusedCall]:
    """The refusals a test did not declare.

    Unmarked, none is expected. ``@pytest.mark.refusals_expected`` alone expects any (a test
    that injects faults); ``@pytest.mark.refusals_expected("bot was blocked by the user", ...)``
    only those whose description contains one of the given texts, so that a test provoking
    one refusal still catches any other.
    """
    if marker is None:
        return list(refused)
    expected = marker.args
    if not all(isinstance(text, str) and text for text in expected):
        raise TypeError(f"{REFUSALS_EXPECTED} takes descriptions (non-empty str): {expected!r}")
    if not expected:
        return []
    return [call for call in refused if not any(text in call.description for text in expected)]


def _setup(
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    database_url: str | None = None,
) -> VetbotRun:
    clinic_file = tmp_path / "clinic.toml"
    clinic_file.write_text(render_clinic_toml(sandbox), encoding="utf-8")
    staff_member = telegram_world.person("Léa", "Accueil", language_code="fr")
    staff = telegram_world.group("Accueil clinique", [staff_member], admins=[staff_member])
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=SecretStr(TEST_BOT_TOKEN),
        telegram_api_url=telegram_url,
        treats_api_url=sandbox_url,
        treats_api_key=SecretStr(sandbox.api_key),
        clinic_config=clinic_file,
        staff_chat_id=staff.id,
        vetbot_data_dir=tmp_path / "data",
        vetbot_link_secret=SecretStr(LINK_SECRET),
        database_url=None if database_url is None else SecretStr(database_url),
    )
    return VetbotRun(
        settings=settings,
        clinic=load_clinic(clinic_file),
        sandbox=sandbox,
        world=telegram_world,
        clock=sandbox_clock,
        staff=staff,
        staff_member=staff_member,
        data_dir=tmp_path / "data",
    )


@pytest.fixture
async def vetbot(vetbot_setup: VetbotRun) -> AsyncIterator[VetbotRun]:
    """The bot running for the whole test."""
    async with vetbot_setup.running():
        yield vetbot_setup


@pytest.fixture
def marie(telegram_world: TelegramWorld, sandbox: SandboxState) -> Person:
    owner = sandbox.seed.demo_owner_one_pet
    return telegram_world.person(owner.first_name, owner.last_name, phone_number=owner.phone)


@pytest.fixture
def thomas(telegram_world: TelegramWorld, sandbox: SandboxState) -> Person:
    owner = sandbox.seed.demo_owner_many_pets
    return telegram_world.person(owner.first_name, owner.last_name, phone_number=owner.phone)


def _described(call: RefusedCall) -> str:
    """A refused call in one line: method, error, chat and the start of the text."""
    text = str(call.params.get("text", ""))[:60]
    chat = call.params.get("chat_id")
    return f"{call.method} {call.error_code} {call.description} (chat {chat}: {text!r})"
