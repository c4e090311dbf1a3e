"""The reliability promise kept by `vetbot run` itself: a separate process, on its own event
loop (uvloop), with the production retry delays and Telegram's flood limits, while the
sandbox answers 500s, 429 with Retry-After and 409s. Afterwards the process is still alive
and answers a newcomer, every "confirmé" is exactly one appointment, and its log holds no
traceback; a SIGTERM then stops it cleanly.

Time-outs stay with the in-process suite (test_reliability.py): here each would wait the
production read time-out of 10 s.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime

import pytest

from bot.clock import ManualClock
from tests.e2e.flow import next_step
from tests.support.owners import (
    Outcome,
    Plan,
    SimulatedOwner,
    distinct_slot_plans,
    enrol_owners,
)
from tests.support.reliability import broken_promises, fault_for, outcomes_report
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

OWNERS = 50
PATIENT = 30.0
"""Seconds an owner waits for an answer (production retry delays and 429 waits included)."""


@pytest.fixture
def sandbox_clock() -> ManualClock:
    """The sandbox at the real time, as the bot process reads it."""
    return ManualClock(datetime.now(PARIS).replace(microsecond=0))


@pytest.mark.slow
@pytest.mark.refusals_expected  # fifty owners greeted at once under flood limits
async def test_the_bot_process_keeps_its_word_under_faults(vetbot_setup: VetbotRun) -> None:
    vetbot = vetbot_setup
    enrolled = enrol_owners(vetbot.sandbox, vetbot.world, OWNERS)
    plans = distinct_slot_plans(vetbot.sandbox, OWNERS)
    owners = [
        SimulatedOwner(
            entry.person,
            Plan(entry.plan.pet, vet, when, slot=slot),
            within=PATIENT,
            before=fault_for(number, vetbot.sandbox, timeouts=False),
        )
        for number, (entry, (vet, when, slot)) in enumerate(zip(enrolled, plans, strict=True))
    ]
    process = await vetbot.spawn()
    assert process.stderr is not None
    logged: list[str] = []

    async def read_log() -> None:  # drained as it comes: a full pipe would block the bot
        assert process.stderr is not None
        async for line in process.stderr:
            logged.append(line.decode(errors="replace"))

    reader = asyncio.create_task(read_log())
    try:
        outcomes = await asyncio.gather(*(owner.book() for owner in owners))
        latecomer = vetbot.world.person("Nouveau", "Client", phone_number="06 50 99 99 11")
        await latecomer.command("start")
        assert "partagez votre numéro" in (await next_step(latecomer)).text
        assert process.returncode is None, "the bot process died"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
        await reader

    log = "".join(logged)
    report = outcomes_report(enrolled, owners)
    assert set(outcomes) == {Outcome.CONFIRMED}, report
    assert broken_promises(enrolled, owners, vetbot.sandbox, vetbot.staff.messages) == []
    assert {"500", "429"} <= {call.fault for call in vetbot.sandbox.calls if call.fault}
    assert any(c.method == "POST" and c.status == 409 for c in vetbot.sandbox.calls)
    assert "uvloop event loop" in log
    assert "Traceback" not in log, log
    assert process.returncode == 0 and "stopped cleanly" in log, log[-2000:]
