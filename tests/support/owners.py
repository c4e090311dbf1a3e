"""Simulated owners who book through whatever the bot shows them, timing each answer.

The load bench and the reliability suite both need many owners going through the real flow
(identification, pet, reason, vet, a French time, slot, confirm) while things go wrong: a
slot taken by someone faster, an API that answers 500, a "Réessayer" button. An owner here
reads the latest panel and does what a person would, until the bot says "confirmé" or "la
clinique vérifie", or stops answering.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from babel.dates import format_date

from bot.standins.emulator import Person, SeenMessage, TelegramWorld
from bot.standins.sandbox import SandboxState
from bot.standins.sandbox.availability import free_slots

REASON: Final = "Consultation"
VETS: Final = ("Dr Claire Martin", "Dr Julien Durand", "Dr Sophie Lefèvre")
WHEN: Final = (
    "jeudi à 10h",
    "mardi prochain à 14h30",
    "demain matin",
    "vendredi vers 16h",
    "mercredi prochain à 9h",
    "lundi prochain en fin d'après-midi",
    "jeudi prochain à 11h",
    "vendredi prochain le matin",
)
PATIENCE: Final = 30
"""Actions an owner takes before giving up (a flow takes 9)."""
_SLOT: Final = re.compile(r"^\d{2}:\d{2}$")
_CONFIRMED: Final = ("C'est confirmé", "est confirmé.", "déjà réservé")
"""Told at the tap; told after a restart settled the tap's booking; told on the way back."""


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    """Told "C'est confirmé", or that the booking "est confirmé" after a restart."""
    UNCERTAIN = "uncertain"
    """Told the clinic checks the booking (an answer lost on the way)."""
    GAVE_UP = "gave up"
    """Still no booking after `PATIENCE` actions."""
    SILENT = "no answer"
    """The bot did not answer an action in time."""


@dataclass(frozen=True)
class Plan:
    """What an owner wants: labels of the buttons to tap, and the time phrase to type."""

    pet: str
    vet: str
    when: str
    reason: str = REASON
    slot: str | None = None
    """The slot to tap ("10:30") if offered; else the first one shown."""


@dataclass(frozen=True)
class Step:
    """One action and the time until the bot's first answer to it."""

    action: str
    seconds: float


@dataclass
class SimulatedOwner:
    person: Person
    plan: Plan
    within: float = 15.0
    before: Callable[[str], Awaitable[None]] | None = None
    """Called before each action with its name: where a test injects a fault."""
    steps: list[Step] = field(default_factory=list)
    outcome: Outcome | None = None
    oops: int = 0
    """Times the bot said "Oups, un souci de mon côté" (a handler failed)."""
    problem: str | None = None
    """Why the last action got no answer: what was waited for, or the button not found."""

    async def book(self) -> Outcome:
        """From /start to an outcome; never raises for what the bot does."""
        seen = await self._act("start", self.person.command("start"))
        for _ in range(PATIENCE):
            if seen is None:
                self.outcome = Outcome.SILENT
                return self.outcome
            if any(words in seen.text for words in _CONFIRMED):
                self.outcome = Outcome.CONFIRMED
                return self.outcome
            if "La clinique vérifie" in seen.text:
                self.outcome = Outcome.UNCERTAIN
                return self.outcome
            seen = await self._next_move(seen)
        self.outcome = Outcome.GAVE_UP
        return self.outcome

    async def _next_move(self, seen: SeenMessage) -> SeenMessage | None:
        text, buttons = seen.text, seen.buttons
        person, plan = self.person, self.plan
        if "Oups" in text:
            self.oops += 1
            return await self._act("restart", person.command("start"))
        if any("Partager mon numéro" in label for label in buttons):
            return await self._act("contact", person.share_contact())
        if _has(buttons, "Réessayer"):
            return await self._act("retry", self._tap("Réessayer"))
        if _has(buttons, "Confirmer"):
            return await self._act("confirm", self._tap("Confirmer"))
        slots = [label for label in buttons if _SLOT.match(label)]
        if slots:
            wanted = plan.slot if plan.slot in slots else slots[0]
            return await self._act("slot", self._tap(wanted))
        if _has(buttons, "Une autre date"):  # the bot asks which reading: the first one
            return await self._act("time", self._tap(buttons[0]))
        if "Quand souhaitez-vous venir" in text:
            return await self._act("time", person.send(plan.when))
        if "Avec quel vétérinaire" in text:
            return await self._act("vet", self._tap(plan.vet))
        if "motif" in text and _has(buttons, plan.reason):
            return await self._act("reason", self._tap(plan.reason))
        if "Pour quel animal" in text:
            return await self._act("pet", self._tap(plan.pet))
        if _has(buttons, "Prendre rendez-vous"):
            return await self._act("menu", self._tap("Prendre rendez-vous"))
        if _has(buttons, "Plus tard"):
            return await self._act("later", self._tap("Plus tard"))
        return await self._act("restart", person.command("start"))

    def _tap(self, label: str) -> Awaitable[object]:
        return self.person.tap(label, timeout=self.within)

    async def _act(self, name: str, action: Awaitable[object]) -> SeenMessage | None:
        """Do one thing; time the first answer; return the panel to act on next."""
        if self.before is not None:
            await self.before(name)
        started = time.perf_counter()
        try:
            await action
            first = await self.person.next_reply(self.within)
        except AssertionError as error:  # no answer in time, or a button no longer shown
            self.problem = f"{name}: {str(error).splitlines()[0]}"
            return None
        self.steps.append(Step(name, time.perf_counter() - started))
        return await self._settled(first)

    async def _settled(self, seen: SeenMessage) -> SeenMessage | None:
        """The message to act on: skip stripped panels, thanks, calendar files."""
        while not _actionable(seen):
            try:
                seen = await self.person.next_reply(self.within)
            except AssertionError as error:
                self.problem = f"after {seen.text[:40]!r}: {str(error).splitlines()[0]}"
                return None
        return seen


def _has(buttons: list[str], part: str) -> bool:
    return any(part in label for label in buttons)


def _actionable(seen: SeenMessage) -> bool:
    if seen.kind == "deleted":
        return False
    if any(words in seen.text for words in (*_CONFIRMED, "La clinique vérifie", "Oups")):
        return True
    return bool(seen.buttons)


@dataclass(frozen=True)
class EnrolledOwner:
    person: Person
    client_id: str
    plan: Plan


def enrol_owners(
    sandbox: SandboxState, world: TelegramWorld, count: int, *, first: int = 0
) -> list[EnrolledOwner]:
    """`count` owners known to the clinic (two pets each) and on Telegram with the same number.

    Their plans spread over the vets and a week of time phrases, so that most find a free
    slot at once and some race each other for the same one.
    """
    owners = []
    for number in range(first, first + count):
        phone = f"06 50 {number // 100 % 100:02d} {number % 100:02d} 11"
        client = sandbox.add_client("Client", f"N{number:05d}", phone=phone)
        sandbox.add_patient(client.id, f"Pitou{number}", species="Chien")
        sandbox.add_patient(client.id, f"Minou{number}", species="Chat")
        person = world.person("Client", f"N{number:05d}", phone_number=phone)
        plan = Plan(
            pet=f"Pitou{number}",
            vet=VETS[number % len(VETS)],
            when=WHEN[number // len(VETS) % len(WHEN)],
        )
        owners.append(EnrolledOwner(person, client.id, plan))
    return owners


def distinct_slot_plans(sandbox: SandboxState, count: int) -> list[tuple[str, str, str]]:
    """(vet name, time phrase, "HH:MM") for `count` different free slots, from tomorrow on."""
    kind = next(t for t in sandbox.appointment_types.values() if REASON in t.name)
    vets = [vet for vet in sandbox.vets.values() if vet.does(kind.id)]
    now = sandbox.now()
    day = sandbox.today() + timedelta(days=1)
    plans: list[tuple[str, str, str]] = []
    while len(plans) < count:
        for vet in vets:
            slots = free_slots(
                vet, day, kind.duration, sandbox.zone, now, sandbox.appointments.values()
            )
            for start, _ in slots:
                local = start.astimezone(sandbox.zone)
                plans.append((vet.name, _phrase(local, len(plans)), local.strftime("%H:%M")))
        day += timedelta(days=1)
    return plans[:count]


def _phrase(when: datetime, number: int) -> str:
    """A French way to ask for that start; three styles in turn."""
    hour = f"{when.hour}h{when.minute:02d}" if when.minute else f"{when.hour}h"
    match number % 3:
        case 0:
            return f"le {format_date(when, 'd MMMM', locale='fr')} à {hour}"
        case 1:
            return f"{format_date(when, 'EEEE d MMMM', locale='fr')} à {hour}"
    return f"{when:%d/%m} à {hour}"
