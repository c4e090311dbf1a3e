"""The week view (Mini App) in end-to-end tests: its page served by the running bot, initData
as Telegram would sign it for the cases a real opening cannot give, and a slot taken at the
desk while the page is open."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.miniapp.init_data import sign_init_data
from bot.standins.emulator import Person
from bot.standins.sandbox import SandboxState
from tests.support.telegram_fixtures import TEST_BOT_TOKEN
from tests.support.vetbot_fixtures import VetbotRun

PUBLIC = "https://vetbot.example/app"
"""The page's public address: https, as Telegram opens nothing else."""


@pytest.fixture
def week_view_page(vetbot_setup: VetbotRun) -> str:
    """The week view served by the bot; returns the page's loopback URL. Telegram's clock is
    the bot's (the sandbox's frozen one), as in life both read the same time: initData signed
    "now" is recent for the bot."""
    vetbot_setup.world.bot.clock = vetbot_setup.clock
    return vetbot_setup.with_week_view(PUBLIC)


def signed_for(
    person: Person, now: datetime, *, token: str = TEST_BOT_TOKEN, age: float = 0
) -> str:
    """initData for ``person`` as Telegram would sign it with ``token``, ``age`` seconds old."""
    user = {"id": person.user.id, "first_name": person.user.first_name, "language_code": "fr"}
    fields = {
        "query_id": "AAE-test-query",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(now.timestamp() - age)),
    }
    return sign_init_data(fields, token)


def taken_at_the_desk(sandbox: SandboxState, slot_id: str, kind: str = "Vaccination") -> None:
    """Somebody else books the slot the page shows as ``slot_id`` (``<vet>|<UTC start>``)."""
    vet_id, start = slot_id.split("|")
    hugo = sandbox.seed.client_named("Hugo", "Bonnet")
    sandbox.create_appointment(
        client_id=hugo.id,
        patient_id=next(p.id for p in sandbox.patients.values() if p.client_id == hugo.id),
        vet_id=vet_id,
        scheduled_at=datetime.fromisoformat(start.replace("Z", "+00:00")),
        appointment_type_id=sandbox.seed.type_named(kind).id,
        reason="au comptoir",
        is_urgent=False,
    )
