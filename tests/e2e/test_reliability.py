"""Fifty owners book at once while the Treats API fails under them: 500s, time-outs, 429s
with Retry-After, slots taken at the last moment. Nothing is lost and nothing is doubled:
every "confirmé" is exactly one appointment, every appointment was confirmed to its owner,
everyone gets an answer, and the bot is still up, with no traceback in its logs."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from bot.flood import TELEGRAM_FLOOD_LIMITS
from bot.sandbox import SandboxState
from tests.e2e.flow import next_step
from tests.support.owners import EnrolledOwner, Outcome, SimulatedOwner, enrol_owners
from tests.support.vetbot_fixtures import VetbotRun

OWNERS = 50
PATIENT = 30.0
"""Seconds an owner waits for an answer before counting it as none (the machine may be
shared: fifty owners, the bot, the emulator and the sandbox all run in this process)."""
FLOOD = TELEGRAM_FLOOD_LIMITS.scaled(0.01)
"""Fifty bookings are announced to the staff group: Telegram's 20 a minute would take three."""


def fault_for(number: int, sandbox: SandboxState):
    """Owner `number` breaks the API once, just before one of their actions (a different way
    for each owner in a cycle of ten); the fault hits whichever request comes next."""
    faults = sandbox.faults
    plans = {
        0: ("confirm", lambda: faults.fail_next(1, "500", method="POST")),
        1: ("time", lambda: faults.fail_next(1, "timeout", method="GET")),
        2: ("confirm", lambda: faults.fail_next(1, "429", method="POST")),
        3: ("confirm", faults.conflict_next_post),
        4: ("contact", lambda: faults.fail_next(2, "500", method="GET")),
        5: ("confirm", lambda: faults.fail_next(1, "timeout", method="POST")),
        6: ("menu", lambda: faults.fail_next(1, "429", method="GET")),
        7: ("slot", lambda: faults.fail_next(3, "500")),
    }
    action, arm = plans.get(number % 10, (None, None))
    armed = False

    async def before(name: str) -> None:
        nonlocal armed
        if name == action and arm is not None and not armed:
            armed = True  # once: an owner re-arming a conflict at every try never books
            arm()

    return before


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

    report = _report(enrolled, owners)
    assert set(outcomes) <= {Outcome.CONFIRMED, Outcome.UNCERTAIN}, report
    assert outcomes.count(Outcome.CONFIRMED) >= OWNERS * 3 // 4, report
    staff_checks = [m.text for m in vetbot.staff.messages if "RDV à vérifier" in m.text]
    for entry, owner in zip(enrolled, owners, strict=True):
        appointments = vetbot.sandbox.appointments_for(entry.client_id)
        if owner.outcome is Outcome.CONFIRMED:  # told "confirmé": exactly one appointment
            assert len(appointments) == 1, f"{entry.person.user.full_name}: {appointments}"
        else:  # a time-out creates nothing: no appointment that its owner was not told of
            assert appointments == [], f"{entry.person.user.full_name}: {appointments}"
            assert any(entry.plan.pet in text for text in staff_checks), staff_checks
    assert all(owner.oops == 0 for owner in owners), report

    faults_seen = Counter(call.fault for call in vetbot.sandbox.calls if call.fault)
    assert {"500", "timeout", "429"} <= set(faults_seen), faults_seen
    conflicts = [c for c in vetbot.sandbox.calls if c.method == "POST" and c.status == 409]
    assert conflicts, "no slot was taken under anyone"

    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]


def _report(enrolled: list[EnrolledOwner], owners: list[SimulatedOwner]) -> str:
    """Each owner's outcome, and the transcript of the first who did not book."""
    lines = [
        f"{e.person.user.full_name}: {o.outcome} after {[s.action for s in o.steps]}"
        for e, o in zip(enrolled, owners, strict=True)
    ]
    for outcome in (Outcome.SILENT, Outcome.GAVE_UP):
        stuck = next((o for o in owners if o.outcome is outcome), None)
        if stuck is not None:
            lines.append(str(stuck.person.transcript))
    return "\n".join(lines)
