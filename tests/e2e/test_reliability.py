"""Fifty owners book at once while the Treats API fails under them: 500s, time-outs, 429s
with Retry-After, slots taken at the last moment. Nothing is lost and nothing is doubled:
every "confirmé" is exactly one appointment, every appointment was confirmed to its owner,
everyone gets an answer, and the bot is still up, with no traceback in its logs."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from bot.runtime.flood_limits import TELEGRAM_FLOOD_LIMITS
from tests.e2e.flow import next_step
from tests.support.owners import Outcome, SimulatedOwner, enrol_owners
from tests.support.reliability import broken_promises, fault_for, outcomes_report
from tests.support.vetbot_fixtures import VetbotRun

OWNERS = 50
PATIENT = 30.0
"""Seconds an owner waits for an answer before counting it as none (the machine may be
shared: fifty owners, the bot, the emulator and the sandbox all run in this process)."""
FLOOD = TELEGRAM_FLOOD_LIMITS.scaled(0.01)
"""Fifty bookings are announced to the staff group: Telegram's 20 a minute would take three."""


@pytest.mark.both_loops
async def test_fifty_owners_under_faults_lose_nothing_and_double_nothing(
    vetbot_setup: VetbotRun, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    vetbot = vetbot_setup
    enrolled = enrol_owners(vetbot.sandbox, vetbot.world, OWNERS)
    owners = [
        SimulatedOwner(e.person, e.plan, within=PATIENT, before=fault_for(n, vetbot.sandbox))
        for n, e in enumerate(enrolled)
    ]
    vetbot.world.bot.flood.configure(FLOOD)
    async with vetbot.running(flood=FLOOD):
        outcomes = await asyncio.gather(*(owner.book() for owner in owners))
        vetbot.sandbox.faults.release()  # nothing may hang past the test
        latecomer = vetbot.world.person("Nouveau", "Client", phone_number="06 50 99 99 11")
        await latecomer.command("start")
        assert "partagez votre numéro" in (await next_step(latecomer)).text

    report = outcomes_report(enrolled, owners)
    assert set(outcomes) <= {Outcome.CONFIRMED, Outcome.UNCERTAIN}, report
    assert outcomes.count(Outcome.CONFIRMED) >= OWNERS * 3 // 4, report
    assert broken_promises(enrolled, owners, vetbot.sandbox, vetbot.staff.messages) == []

    faults_seen = Counter(call.fault for call in vetbot.sandbox.calls if call.fault)
    assert {"500", "timeout", "429"} <= set(faults_seen), faults_seen
    conflicts = [c for c in vetbot.sandbox.calls if c.method == "POST" and c.status == 409]
    assert conflicts, "no slot was taken under anyone"

    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]
