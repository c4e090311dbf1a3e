"""Plays a journey against the real bot: people in the Telegram emulator, Treats' sandbox.

Everything waits on events with a timeout, never on a sleep. Where a step must know that
the bot has finished ("nothing more", "exactly one message"), `settle` waits until the bot has
fetched every update people sent, handled them all, and delivered its staff outbox.

A failing step stops the journey and reports, in French for the reviewer who reads the script
and not the Python: the steps passed (✓) up to the failing one (✗), its file:line, and what was
wrong (the message received with its buttons, or what Treats holds). pytest's « Telegram
transcripts » section (tests/support/telegram_fixtures.py) then shows every chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import traceback
from dataclasses import dataclass
from datetime import time
from typing import NoReturn

import pytest
from telegram.ext import Application

from bot.standins.emulator import CallbackAnswer, Participant, Person, SeenMessage
from bot.standins.emulator.people import fold
from bot.standins.sandbox.records import Appointment, Client, Patient
from conversations.callbacks import MENU_BOOK
from tests.e2e.flow import next_step
from tests.journeys import steps as s
from tests.journeys.wallclock import PARIS, describe
from tests.support.vetbot_fixtures import VetbotRun

WAIT_SECONDS = 5.0
"""How long the bot may take to answer one step."""
SETTLE_SECONDS = 10.0
QUIET_SECONDS = 0.05
"""Once settled, anything the bot did is already in the transcript: this only reads it."""
_SLOT_LABEL = re.compile(r"^(\d{2}):(\d{2})")


@dataclass(frozen=True)
class OwnerSpec:
    record: str
    """"one_pet" (Marie Dubois, Mimi) or "many_pets" (Thomas Moreau)."""
    language: str


OWNER_SPECS = {
    "Marie": OwnerSpec("one_pet", "fr"),
    "Thomas": OwnerSpec("many_pets", "fr"),
    "Alice": OwnerSpec("one_pet", "en"),
}
assert set(OWNER_SPECS) == set(s.OWNERS)


class StepFailed(AssertionError):
    """A step's expectation did not hold; the message says why, in French."""


async def run_journey(journey: s.Journey, setup: VetbotRun) -> None:
    if journey.error is not None:
        pytest.fail(f"{journey.title}\n{journey.error}", pytrace=False)
    await JourneyRunner(journey, setup).run()


class JourneyRunner:
    def __init__(self, journey: s.Journey, setup: VetbotRun) -> None:
        self.journey = journey
        self.setup = setup
        self.people: dict[str, Person] = {}
        self.last_read: dict[str, SeenMessage] = {}
        self.answers: dict[str, CallbackAnswer | None] = {}
        self.found: Appointment | None = None
        self.existing = set(setup.sandbox.appointments)
        self.application: Application | None = None
        self._bot: contextlib.AbstractAsyncContextManager[Application] | None = None

    # -- the run ------------------------------------------------------------------------------

    async def run(self) -> None:
        failed: tuple[s.Step, str] | None = None
        try:
            for step in self.journey.steps:
                if self.application is None and not isinstance(
                    step, s.SetClock | s.TreatsFails | s.SlotTakenMeanwhile
                ):
                    await self._start()
                try:
                    await self.do(step)
                except StepFailed as failure:
                    failed = step, str(failure)
                except AssertionError as failure:  # the emulator's own (timeouts, no button)
                    failed = step, str(failure).split("\n--- ")[0]
                except Exception:
                    failed = step, traceback.format_exc()
                if failed is not None:
                    break
        finally:
            await self._stop()
        if failed is not None:
            self._fail(*failed)

    async def _start(self) -> None:
        self._bot = self.setup.running()
        self.application = await self._bot.__aenter__()

    async def _stop(self) -> None:
        bot, self._bot, self.application = self._bot, None, None
        if bot is not None:
            await bot.__aexit__(None, None, None)

    def _fail(self, step: s.Step, reason: str) -> NoReturn:
        done = self.journey.steps[: self.journey.steps.index(step)]
        report = [
            f"Parcours « {self.journey.title} » ({self.journey.where})",
            *(f"  ✓ {passed.source.text.strip().removeprefix('- ')}" for passed in done),
            f"  ✗ {step.source.text.strip().removeprefix('- ')}",
            "",
            f"Échec à {step.source.where} :",
            "    " + reason.strip().replace("\n", "\n    "),
            "",
            "Ce que chacun a vu : section « Telegram transcripts » plus bas (« > » : la personne,",
            "« < » : le bot, « ~ » : un message du bot modifié, « ! » : une notification).",
        ]
        pytest.fail("\n".join(report), pytrace=False)

    async def do(self, step: s.Step) -> None:
        match step:
            case s.SetClock(at=at):
                self.setup.clock.set(at)
            case s.Identify(who=who):
                await self._identify(who)
            case s.Write(who=who, text=text):
                await self.person(who).send(text)
            case s.Command(who=who, name=name, payload=payload):
                await self.person(who).command(name, payload)
            case s.Sticker(who=who, emoji=emoji):
                person = self.person(who)
                await (person.send_sticker(emoji) if emoji else person.send_sticker())
            case s.Tap(who=who, label=label):
                self.answers[who] = await self.person(who).tap(label, timeout=WAIT_SECONDS)
            case s.TapFirstSlot(who=who):
                first = self._first_slot(who)
                self.answers[who] = await self.person(who).tap(first, timeout=WAIT_SECONDS)
            case s.TapOld(who=who, label=label):
                await self._tap_old(who, label)
            case s.TapData(who=who, data=data):
                self.answers[who] = await self.person(who).tap_data(data, timeout=WAIT_SECONDS)
            case s.ReadAll(who=who):
                await self.settle()
                await self._unread(who)
                self.last_read.pop(who, None)
            case s.BotSays(who=who, fragments=fragments):
                seen = await next_step(self.person(who), WAIT_SECONDS)
                self.last_read[who] = seen
                _expect(fragments, seen.text, f"le message du bot à {who}", seen)
            case s.LastMessageLacks(who=who, fragments=fragments):
                seen = self.last_read[who]
                _expect(fragments, seen.text, f"le dernier message du bot à {who}", seen)
            case s.BotSendsCalendar(who=who):
                seen = await next_step(self.person(who), WAIT_SECONDS)
                self.last_read[who] = seen
                name = seen.document.file_name if seen.document else None
                if not (name or "").endswith(".ics"):
                    raise StepFailed(f"attendu un fichier .ics, reçu : {_show(seen)}")
            case s.BotSilent(who=who):
                await self.settle()
                said = await self._unread(who)
                if said:
                    raise StepFailed(
                        "le bot a encore dit :\n" + "\n".join(_show(seen) for seen in said)
                    )
            case s.Notification(who=who, fragments=fragments):
                answer = self.answers.get(who)
                _expect(fragments, (answer.text if answer else None) or "", "la notification")
            case s.Buttons(who=who, fragments=fragments):
                self._buttons(self.last_read[who], fragments)
            case s.FirstSlotIs(who=who, label=label):
                first = self._first_slot(who)
                if not s.normalized(first).startswith(s.normalized(label)):
                    raise StepFailed(f"le premier créneau est « {first} », pas « {label} »")
            case s.FirstSlotFrom(who=who, at=at):
                first = self._first_slot(who)
                if _slot_time(first) < at:
                    raise StepFailed(f"le premier créneau est « {first} », avant {at:%H:%M}")
            case s.SlotsNameVet(who=who):
                self._slots_name_vet(who)
            case s.Received(who=who, count=count, fragments=fragments):
                await self.settle()
                self._count(who, count, fragments)
            case s.StaffReceives(fragments=fragments):
                await self._staff_receives(fragments)
            case s.StaffSilent():
                await self.settle()
                said = await self._unread(s.STAFF)
                if said:
                    raise StepFailed(
                        "l'équipe a encore reçu :\n" + "\n".join(_show(seen) for seen in said)
                    )
            case s.StaffTap(label=label):
                await self._staff().tap(label, timeout=WAIT_SECONDS)
            case s.StaffCommand(name=name, payload=payload):
                await self._staff().command(name, payload)
            case s.TreatsCount(who=who, count=count):
                booked = self._created(client=self._client(who))
                if len(booked) != count:
                    raise StepFailed(
                        f"Treats a {len(booked)} rendez-vous enregistrés pour {who}, pas {count}"
                        + self._listing()
                    )
            case s.TreatsHas():
                self.found = self._treats_has(step)
            case s.ReasonCheck(fragments=fragments):
                assert self.found is not None
                _expect(fragments, self.found.reason or "", "le motif dans Treats")
            case s.DifferentVets(who=who):
                booked = self._created(client=self._client(who))
                vets = [a.vet_id for a in booked]
                if len(booked) < 2 or len(set(vets)) != len(vets):
                    raise StepFailed("pas des vétérinaires tous différents" + self._listing())
            case s.TreatsFails(count=count, booking=booking):
                only = {"method": "POST", "path_prefix": "/appointments"} if booking else {}
                self.setup.sandbox.faults.fail_next(count, "500", **only)
            case s.SlotTakenMeanwhile():
                self.setup.sandbox.faults.conflict_next_post()
            case s.Restart():
                await self._stop()
                self.last_read.clear()
                await self._start()
            case _:
                raise StepFailed(f"étape inconnue du runner : {type(step).__name__}")

    # -- people -------------------------------------------------------------------------------

    def person(self, who: str) -> Person:
        person = self.people.get(who)
        if person is None:
            spec = OWNER_SPECS[who]
            client = self._record(spec.record)
            person = self.setup.world.person(
                who, client.last_name, phone_number=client.phone, language_code=spec.language
            )
            self.people[who] = person
        return person

    def _staff(self) -> Participant:
        """Léa, of the staff, acting in the staff group."""
        return self.setup.staff_member.in_group(self.setup.staff)

    async def _identify(self, who: str) -> None:
        """/start, share one's own number if asked, until the menu."""
        person = self.person(who)
        await person.command("start")
        seen = await next_step(person, WAIT_SECONDS)
        if not _has_menu(seen):
            await person.share_contact()
            for _ in range(3):
                seen = await next_step(person, WAIT_SECONDS)
                if _has_menu(seen):
                    break
            else:
                raise StepFailed(f"pas de menu après le partage du numéro : {_show(seen)}")
        self.last_read[who] = seen

    async def _tap_old(self, who: str, label: str) -> None:
        """The newest button so labelled in any panel the person saw, even one since changed."""
        person = self.person(who)
        wanted = fold(label)
        for entry in reversed(person.transcript.entries):
            seen = entry.seen
            for button in seen.inline_buttons if seen else ():
                if wanted in fold(button.text) and button.callback_data and seen:
                    self.answers[who] = await person.tap_data(
                        button.callback_data, seen.message_id, timeout=WAIT_SECONDS
                    )
                    return
        raise StepFailed(f"{who} n'a jamais vu de bouton « {label} »")

    # -- what the bot showed --------------------------------------------------------------------

    def _buttons(self, seen: SeenMessage, fragments: s.Fragments) -> None:
        labels = [s.normalized(label) for label in seen.buttons]
        wrong = [f"aucun bouton « {f} »" for f in fragments.present if not _any_in(f, labels)]
        wrong += [f"un bouton « {f} » est là" for f in fragments.absent if _any_in(f, labels)]
        if wrong:
            raise StepFailed("; ".join(wrong) + f"\n  boutons : {_labels(seen)}")

    def _slots(self, who: str) -> list[str]:
        seen = self.last_read[who]
        slots = [label for label in seen.buttons if _SLOT_LABEL.match(label)]
        if not slots:
            raise StepFailed(f"aucun créneau proposé dans : {_show(seen)}")
        return slots

    def _first_slot(self, who: str) -> str:
        return self._slots(who)[0]

    def _slots_name_vet(self, who: str) -> None:
        names = [vet.name for vet in self.setup.clinic.vets]
        bare = [label for label in self._slots(who) if not any(n in label for n in names)]
        if bare:
            raise StepFailed(f"créneaux sans vétérinaire : {', '.join(bare)}")

    # -- waiting for the bot --------------------------------------------------------------------

    async def settle(self) -> None:
        """Return once the bot has fetched and handled every update sent so far, and delivered
        its staff outbox: after this, whatever it will say about them is in the transcripts."""
        assert self.application is not None
        account = self.setup.world.bot
        async with asyncio.timeout(SETTLE_SECONDS):
            while pending := [update.update_id for update in account.updates.pending]:
                newest = max(pending)
                since = len(account.calls)
                fetched = any(
                    call.method == "getupdates" and int(call.params.get("offset") or 0) > newest
                    for call in account.calls
                )
                if fetched:
                    break
                await account.wait_for_call("getupdates", since=since)
            await self.application.update_queue.join()
            desk = self.application.bot_data.staff_desk
            if desk is not None:
                await desk.outbox.deliver_due()

    async def _unread(self, who: str) -> list[SeenMessage]:
        """What the bot did in this chat and nobody read yet (older panels losing their
        buttons aside); takes it as read."""
        chat = self.setup.staff if who == s.STAFF else self.person(who)
        said = []
        while True:
            try:
                seen = await chat.next_reply(QUIET_SECONDS)
            except AssertionError:
                return said
            latest = max((m.message_id for m in chat.messages), default=seen.message_id)
            strip = seen.kind == "edited" and not seen.inline_buttons
            if seen.kind != "deleted" and not (strip and seen.message_id < latest):
                said.append(seen)

    async def _staff_receives(self, fragments: s.Fragments) -> None:
        """The next staff message (new or edited) showing the first fragment; then the rest."""
        key = fragments.present[0]
        skipped: list[SeenMessage] = []
        while True:
            try:
                seen = await self.setup.staff.next_message(WAIT_SECONDS)
            except AssertionError:
                shown = "\n".join(_show(m) for m in skipped) or "(rien)"
                raise StepFailed(
                    f"l'équipe n'a reçu aucun message avec « {key} » ; reçu entre-temps :\n{shown}"
                ) from None
            if s.normalized(key) in s.normalized(seen.text):
                _expect(fragments, seen.text, "le message de l'équipe", seen)
                return
            skipped.append(seen)

    def _count(self, who: str, count: int, fragments: s.Fragments) -> None:
        chat = self.setup.staff if who == s.STAFF else self.person(who)
        matching = [m for m in chat.messages if not fragments.problems(m.text)]
        if len(matching) != count:
            shown = "\n".join(_show(m) for m in matching) or "(aucun)"
            raise StepFailed(f"{len(matching)} message(s) avec {fragments}, pas {count} :\n{shown}")

    # -- Treats ---------------------------------------------------------------------------------

    def _record(self, kind: str) -> Client:
        seed = self.setup.sandbox.seed
        return seed.demo_owner_one_pet if kind == "one_pet" else seed.demo_owner_many_pets

    def _client(self, who: str) -> Client:
        return self._record(OWNER_SPECS[who].record)

    def _pet(self, name: str) -> Patient:
        owners = {self._record(spec.record).id for spec in OWNER_SPECS.values()}
        pets = [
            pet
            for pet in self.setup.sandbox.patients.values()
            if pet.client_id in owners and fold(pet.name) == fold(name)
        ]
        if len(pets) != 1:
            raise StepFailed(f"pas d'animal « {name} » chez Marie ou Thomas")
        return pets[0]

    def _created(self, *, client: Client | None = None) -> list[Appointment]:
        """Appointments created in Treats since the journey began (the seed's aside)."""
        return [
            a
            for key, a in self.setup.sandbox.appointments.items()
            if key not in self.existing and (client is None or a.client_id == client.id)
        ]

    def _treats_has(self, step: s.TreatsHas) -> Appointment:
        pet = self._pet(step.pet)
        candidates = [a for a in self._created() if a.patient_id == pet.id]
        if step.whole_day:
            day = step.at.astimezone(PARIS).date()
            at_time = [a for a in candidates if a.scheduled_at.astimezone(PARIS).date() == day]
            asked = describe(step.at).rsplit(" à ", 1)[0]
        else:
            at_time = [a for a in candidates if a.scheduled_at == step.at]
            asked = describe(step.at)
        if not at_time:
            raise StepFailed(f"aucun rendez-vous pour {pet.name} le {asked}" + self._listing())
        found = at_time[-1]
        wrong = []
        if step.vet is not None:
            vet = self.setup.sandbox.vets.get(found.vet_id)
            if vet is None or fold(vet.name) != fold(step.vet):
                wrong.append(f"il est avec {vet.name if vet else found.vet_id}, pas {step.vet}")
        if step.urgent is not None and found.is_urgent != step.urgent:
            wrong.append(
                "il est marqué urgent" if found.is_urgent else "il n'est pas marqué urgent"
            )
        if wrong:
            raise StepFailed("; ".join(wrong) + self._listing())
        return found

    def _listing(self) -> str:
        created = self._created()
        if not created:
            return "\n  Treats : aucun rendez-vous enregistré pendant ce parcours."
        lines = [self._describe(a) for a in created]
        return "\n  Treats, rendez-vous enregistrés pendant ce parcours :\n  - " + "\n  - ".join(
            lines
        )

    def _describe(self, a: Appointment) -> str:
        sandbox = self.setup.sandbox
        pet = sandbox.patients.get(a.patient_id)
        vet = sandbox.vets.get(a.vet_id)
        urgent = ", urgent" if a.is_urgent else ""
        return (
            f"{pet.name if pet else a.patient_id} le {describe(a.scheduled_at)} "
            f"(UTC {a.scheduled_at:%H:%M}) avec {vet.name if vet else a.vet_id}{urgent}, "
            f"motif « {a.reason or ''} », {a.status}"
        )


# -- helpers ------------------------------------------------------------------------------------


def _expect(fragments: s.Fragments, text: str, what: str, seen: SeenMessage | None = None) -> None:
    problems = fragments.problems(text)
    if problems:
        shown = _show(seen) if seen is not None else f"« {text} »"
        raise StepFailed(f"{what} ne va pas : {'; '.join(problems)}\n  reçu : {shown}")


def _show(seen: SeenMessage) -> str:
    if seen.document is not None:
        return f"[fichier {seen.document.file_name}] {seen.text}".strip()
    kind = {"edited": "(modifié) ", "deleted": "(supprimé) "}.get(seen.kind, "")
    buttons = f"\n    boutons : {_labels(seen)}" if seen.buttons else ""
    return f"{kind}« {seen.text} »{buttons}"


def _labels(seen: SeenMessage) -> str:
    return " ".join(f"[{label}]" for label in seen.buttons) or "aucun"


def _any_in(fragment: str, labels: list[str]) -> bool:
    return any(s.normalized(fragment) in label for label in labels)


def _has_menu(seen: SeenMessage) -> bool:
    return any(button.callback_data == MENU_BOOK for button in seen.inline_buttons)


def _slot_time(label: str) -> time:
    match = _SLOT_LABEL.match(label)
    assert match is not None
    return time(int(match.group(1)), int(match.group(2)))


__all__ = ["JourneyRunner", "run_journey"]
