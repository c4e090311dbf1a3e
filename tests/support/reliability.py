"""What the reliability suites share: the faults each owner meets, and the promises checked
afterwards (tests/e2e/test_reliability.py in process, test_reliability_process.py against
`vetbot run`)."""

from __future__ import annotations

from bot.standins.emulator import SeenMessage
from bot.standins.sandbox import SandboxState
from tests.support.owners import EnrolledOwner, Outcome, SimulatedOwner


def fault_for(number: int, sandbox: SandboxState, *, timeouts: bool = True):
    """Owner `number` breaks the API once, just before one of their actions (a different way
    for each owner in a cycle of ten); the fault hits whichever request comes next.
    ``timeouts=False`` makes the two time-outs 500s (a separate bot process waits its
    production time-out, 10 s, for each)."""
    faults = sandbox.faults
    timeout = "timeout" if timeouts else "500"
    plans = {
        0: ("confirm", lambda: faults.fail_next(1, "500", method="POST")),
        1: ("time", lambda: faults.fail_next(1, timeout, method="GET")),
        2: ("confirm", lambda: faults.fail_next(1, "429", method="POST")),
        3: ("confirm", faults.conflict_next_post),
        4: ("contact", lambda: faults.fail_next(2, "500", method="GET")),
        5: ("confirm", lambda: faults.fail_next(1, timeout, method="POST")),
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


def broken_promises(
    enrolled: list[EnrolledOwner],
    owners: list[SimulatedOwner],
    sandbox: SandboxState,
    staff_messages: list[SeenMessage],
) -> list[str]:
    """Every owner told "confirmé" has exactly one appointment; no appointment exists that its
    owner was not told of (an uncertain booking created nothing and went to the staff as a
    check); nobody met an "oops". Returns what was broken, empty when all was kept."""
    broken = []
    staff_checks = [m.text for m in staff_messages if "RDV à vérifier" in m.text]
    for entry, owner in zip(enrolled, owners, strict=True):
        name = entry.person.user.full_name
        appointments = sandbox.appointments_for(entry.client_id)
        if owner.outcome is Outcome.CONFIRMED and len(appointments) != 1:
            broken.append(f"{name} was told confirmé and has {len(appointments)} appointment(s)")
        if owner.outcome is not Outcome.CONFIRMED and appointments:
            broken.append(f"{name} was not told confirmé ({owner.outcome}) yet has {appointments}")
        if owner.outcome is Outcome.UNCERTAIN and not any(
            entry.plan.pet in text for text in staff_checks
        ):
            broken.append(f"{name}'s uncertain booking never reached the staff")
        if owner.oops:
            broken.append(f"{name} met {owner.oops} 'oops'")
    return broken


def outcomes_report(enrolled: list[EnrolledOwner], owners: list[SimulatedOwner]) -> str:
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
