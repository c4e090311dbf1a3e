"""The crash run's parts (tests/e2e/test_crash_run.py): a gate that slows the Treats sandbox's
answers, the `vetbot run` process killed and restarted, owners who carry on from whatever their
screen shows, and the invariants read afterwards from what owners and staff were told and what
Treats received.

Everything random comes from one `random.Random(seed)`, drawn before anything runs, so a seed
names the same owners, faults and kill moments on every run; the bot process still runs on the
real clock, so the interleavings (and a few outcomes) may differ from one run to the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from bot.i18n import Catalogs, Translator
from bot.standins.emulator import Group, Person, SeenMessage, TelegramWorld
from bot.standins.sandbox import SandboxState
from bot.standins.sandbox.records import Appointment, AppointmentStatus
from bot.store import RequestKind, Store
from tests.support.owners import EnrolledOwner, Plan, _has
from tests.support.vetbot_fixtures import VetbotRun

APPOINTMENTS: Final = "/api/v1/appointments"
SLOTS: Final = "/api/v1/appointments/available-slots"
PATIENCE: Final = 30
"""Actions an owner takes before giving up (a flow takes 9)."""
STALE: Final = "n'est plus valable"
LEAVING_STEPS: Final = ("pet", "reason", "vet", "time", "slot", "confirm")
"""Where an owner who walks away mid-flow stops."""
_SLOT: Final = re.compile(r"^\d{2}:\d{2}\b")
"""A slot button: "10:30", or "10:30 · Dr Claire Martin" when any vet will do."""

# -- a gate in front of the sandbox: slow answers, a POST held while the bot is killed ---------

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(eq=False)
class _Hold:
    method: str
    path: str
    seconds: float
    before: bool
    """Hold the request before the API sees it (nothing is created), not its answer after."""
    created_only: bool = False
    """Hold only an answer 201 (something was created); let other answers through."""
    held: bool = False
    """A request is (or was) held by it."""


class SlowGate:
    """An ASGI wrapper around the sandbox app: the next request matching an armed hold is held
    `seconds` (a slow answer), or until its client goes away (a process killed mid-request).

    A hold ``before=False`` lets the API do the work (create the appointment) and holds the
    answer (with ``created_only``, only a 201: an answer a fault made goes through and the hold
    waits for the next request); ``before=True`` holds the request itself, and drops it if the
    client goes away (a request lost with the process). `holding` counts requests held now.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._armed: list[_Hold] = []
        self.holding = 0
        self.dropped: list[str] = []
        """Requests whose client went away while held: "POST /api/v1/appointments: answer 201
        lost"."""
        self._changed = asyncio.Event()
        self._release = asyncio.Event()

    def slow_next(
        self,
        method: str,
        path: str,
        seconds: float,
        *,
        before: bool = False,
        created_only: bool = False,
    ) -> _Hold:
        hold = _Hold(method, path, seconds, before, created_only)
        self._armed.append(hold)
        return hold

    def disarm(self, hold: _Hold | None = None) -> None:
        """Forget `hold` if no request took it yet; every armed hold without one."""
        if hold is None:
            self._armed.clear()
        elif hold in self._armed:
            self._armed.remove(hold)

    def release(self) -> None:
        """Answer every held request now, and hold no more (before stopping the server)."""
        self._armed.clear()
        self._release.set()

    async def wait_holding(self, hold: _Hold, within: float) -> bool:
        """Whether `hold` holds a request, waiting up to `within` seconds for one."""
        deadline = time.monotonic() + within
        while not hold.held:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)
        return True

    def _take(self, method: str, path: str) -> _Hold | None:
        for hold in self._armed:
            if hold.method == method and path == hold.path:
                self._armed.remove(hold)
                return hold
        return None

    def _set_holding(self, value: int) -> None:
        self.holding = value
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hold = self._take(scope["method"], scope["path"])
        if hold is None:
            await self.app(scope, receive, send)
            return
        what = f"{scope['method']} {scope['path']}"
        if hold.before:
            body = [await receive()]
            while body[-1].get("type") == "http.request" and body[-1].get("more_body"):
                body.append(await receive())
            if await self._held(hold, receive):
                self.dropped.append(f"{what}: request lost")
                return
            replay = iter(body)

            async def replayed() -> Message:
                return next(replay, None) or await receive()

            await self.app(scope, replayed, send)
            return
        answer: list[Message] = []

        async def kept(message: Message) -> None:
            answer.append(message)

        await self.app(scope, receive, kept)
        status = next((m["status"] for m in answer if m["type"] == "http.response.start"), 0)
        if hold.created_only and status != 201:  # a fault answered first: wait for a creation
            self._armed.insert(0, hold)
        elif await self._held(hold, receive):
            self.dropped.append(f"{what}: answer {status} lost")
            return
        for message in answer:
            await send(message)

    async def _held(self, hold: _Hold, receive: Receive) -> bool:
        """Hold for `hold.seconds`; True if the client went away meanwhile."""

        async def gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        hold.held = True
        self._set_holding(self.holding + 1)
        client_gone = asyncio.ensure_future(gone())
        released = asyncio.ensure_future(self._release.wait())
        try:
            await asyncio.wait(
                {client_gone, released}, timeout=hold.seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in (client_gone, released):
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await waiter
            self._set_holding(self.holding - 1)
        return client_gone.done() and not client_gone.cancelled()


# -- the faults each owner meets ---------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One fault an owner meets, armed just before one of their actions; it hits whichever
    request comes next (theirs or another owner's, as on a shared API)."""

    name: str
    action: str
    arm: Callable[[SandboxState, SlowGate], None]


FAULTS: Final = (
    Fault(
        "500 on the confirmation",
        "confirm",
        lambda s, g: s.faults.fail_next(1, "500", method="POST"),
    ),
    Fault("500 on the slots", "time", lambda s, g: s.faults.fail_next(1, "500", method="GET")),
    Fault("500 twice on the records", "contact", lambda s, g: s.faults.fail_next(2, "500")),
    Fault(
        "429 on the confirmation",
        "confirm",
        lambda s, g: s.faults.fail_next(1, "429", method="POST", retry_after=1),
    ),
    Fault(
        "429 on the menu",
        "menu",
        lambda s, g: s.faults.fail_next(1, "429", method="GET", retry_after=1),
    ),
    Fault("slot stolen (409)", "confirm", lambda s, g: s.faults.conflict_next_post()),
    Fault("slow slots (2 s)", "time", lambda s, g: g.slow_next("GET", SLOTS, 2.0)),
    Fault(
        "slow confirmation (3 s)", "confirm", lambda s, g: g.slow_next("POST", APPOINTMENTS, 3.0)
    ),
)
NO_FAULT_WEIGHT: Final = 4
"""Out of NO_FAULT_WEIGHT + len(FAULTS): the share of owners who meet no fault of their own."""


def draw_fault(rng: random.Random) -> Fault | None:
    pick = rng.randrange(NO_FAULT_WEIGHT + len(FAULTS))
    return FAULTS[pick - NO_FAULT_WEIGHT] if pick >= NO_FAULT_WEIGHT else None


# -- owners ----------------------------------------------------------------------------------


class Told(StrEnum):
    CONFIRMED = "confirmed"
    UNCERTAIN = "uncertain"
    FAILED = "failed"


@dataclass(frozen=True)
class Said:
    """Something the bot told an owner about a booking: a message (or edit), or a tap's toast."""

    told: Told
    line: str
    text: str
    toast: bool

    @property
    def final(self) -> bool:
        """The booking flow ends here (a toast "n'a pas pu être pris : choisissez un autre
        créneau" shows the slots again: the owner goes on)."""
        return not (self.told is Told.FAILED and "choisissez" in self.text)


def what_was_said(person: Person) -> list[Said]:
    """Every booking outcome the bot told `person`, in order (messages, edits and toasts)."""
    said = []
    for entry in person.transcript.entries:
        seen = entry.seen
        if seen is not None:
            if seen.kind == "deleted":
                continue
            text, toast = seen.text, False
        elif entry.line.startswith("! "):
            text, toast = entry.line, True
        else:
            continue
        told = _told(text, toast=toast)
        if told is not None:
            said.append(Said(told, entry.line.splitlines()[0][:200], text, toast))
    return said


def _told(text: str, *, toast: bool) -> Told | None:
    if "est confirmé" in text or (toast and "ce rendez-vous est enregistré" in text):
        return Told.CONFIRMED
    if "La clinique vérifie" in text:
        return Told.UNCERTAIN
    if "n'a pas pu" in text and "rendez-vous" in text:
        return Told.FAILED
    return None


@dataclass
class CrashOwner:
    """An owner booking through whatever the bot shows, who survives the bot's restarts.

    No answer to an action (the process died with it) is no reason to give up: the owner looks
    at the screen and carries on from the latest panel, and types /start when there is none or
    when that did not help either. They stop once told the booking is confirmed, being checked,
    or impossible, or after PATIENCE actions or their deadline; or walk away mid-flow
    (`leaves_before`), to come back after the run (`probe_can_book`).
    """

    entry: EnrolledOwner
    plan: Plan
    fault: Fault | None
    start_after: float
    within: float
    sandbox: SandboxState
    gate: SlowGate
    actions: list[str] = field(default_factory=list)
    confirms: int = 0
    """Confirmations attempted: "Confirmer" tapped, or "Réessayer" on a failed confirmation."""
    silences: int = 0
    stale_taps: int = 0
    """Taps the bot answered only with "Ce bouton n'est plus valable"."""
    restarts: int = 0
    """/start typed to get going again (not the first one)."""
    restarted_after_stale: bool = False
    leaves_before: str | None = None
    """The action before which this owner walks away, mid-flow, to come back after the run."""
    left: bool = False
    problems: list[str] = field(default_factory=list)
    _armed: bool = False
    _stale_pending: bool = False

    @property
    def person(self) -> Person:
        return self.entry.person

    @property
    def name(self) -> str:
        return self.person.user.full_name

    def outcome(self) -> Told | None:
        """The last booking outcome the bot told this owner, if any."""
        said = what_was_said(self.person)
        return said[-1].told if said else None

    def done(self) -> bool:
        said = what_was_said(self.person)
        return self.left or (bool(said) and said[-1].final)

    async def book(self, deadline: float) -> None:
        """From /start to an outcome; never raises for what the bot does."""
        await asyncio.sleep(self.start_after)
        seen = await self._act("start", self.person.command("start"))
        quiet = 0
        while len(self.actions) < PATIENCE and time.monotonic() < deadline:
            if self.done():
                return
            if seen is None:
                self.silences += 1
                quiet += 1
                seen = self._on_screen() if quiet == 1 else None
                if seen is None:
                    seen = await self._restart()
                    continue
            else:
                quiet = 0
            seen = await self._next_move(seen)

    async def _restart(self) -> SeenMessage | None:
        self.restarts += 1
        if self._stale_pending:
            self.restarted_after_stale = True
            self._stale_pending = False
        return await self._act("restart", self.person.command("start"))

    def _on_screen(self) -> SeenMessage | None:
        """The latest panel on screen that one can act on (a button, or an outcome)."""
        for message in reversed(self.person.messages):
            if _actionable(message):
                return message
        return None

    async def _next_move(self, seen: SeenMessage) -> SeenMessage | None:
        text, buttons = seen.text, seen.buttons
        person, plan = self.person, self.plan
        if "Oups" in text:
            return await self._restart()
        if any("Partager mon numéro" in label for label in buttons):
            return await self._act("contact", person.share_contact())
        if _has(buttons, "Réessayer"):
            if "rendez-vous n'est pas encore pris" in text:
                self.confirms += 1
            return await self._tap("retry", "Réessayer")
        if _has(buttons, "Confirmer"):
            self.confirms += 1
            return await self._tap("confirm", "Confirmer")
        slots = [label for label in buttons if _SLOT.match(label)]
        if slots:
            wanted = [label for label in slots if plan.slot and label.startswith(plan.slot)]
            return await self._tap("slot", (wanted or slots)[0])
        if _has(buttons, "Une autre date"):  # the bot asks which reading: the first one
            return await self._tap("time", buttons[0])
        if "Quand souhaitez-vous venir" in text:
            return await self._act("time", person.send(plan.when))
        if "Avec quel vétérinaire" in text and _has(buttons, plan.vet):
            return await self._tap("vet", plan.vet)
        if "motif" in text and _has(buttons, plan.reason):
            return await self._tap("reason", plan.reason)
        if "Pour quel animal" in text and _has(buttons, plan.pet):
            return await self._tap("pet", plan.pet)
        if _has(buttons, "Prendre rendez-vous"):
            return await self._tap("menu", "Prendre rendez-vous")
        if _has(buttons, "Plus tard"):
            return await self._tap("later", "Plus tard")
        return await self._restart()

    async def _tap(self, name: str, label: str) -> SeenMessage | None:
        person = self.person

        async def tap() -> None:
            answer = await person.tap(label, timeout=self.within)
            if answer.text and STALE in answer.text:
                self.stale_taps += 1
                self._stale_pending = True
            else:
                self._stale_pending = False

        return await self._act(name, tap())

    async def _act(self, name: str, action: Awaitable[object]) -> SeenMessage | None:
        """Do one thing; return the panel to act on next, None if the bot said nothing."""
        if name == self.leaves_before:
            self.left = True
            if asyncio.iscoroutine(action):
                action.close()
            return None
        if self.fault is not None and name == self.fault.action and not self._armed:
            self._armed = True  # once: a conflict re-armed at every try never books
            self.fault.arm(self.sandbox, self.gate)
        self.actions.append(name)
        try:
            await action
            seen = await self.person.next_reply(self.within)
            while not _actionable(seen):
                seen = await self.person.next_reply(self.within)
        except AssertionError as error:  # no answer in time, or the button is gone
            self.problems.append(f"{name}: {str(error).splitlines()[0]}")
            return None
        return seen


def _actionable(seen: SeenMessage) -> bool:
    if seen.kind == "deleted":
        return False
    if _told(seen.text, toast=False) is not None or "Oups" in seen.text:
        return True
    return bool(seen.buttons)


def draw_owners(
    rng: random.Random,
    enrolled: list[EnrolledOwner],
    plans: list[tuple[str, str, str]],
    *,
    sandbox: SandboxState,
    gate: SlowGate,
    stagger: float,
    within: float,
    racing: float,
    walking_away: float,
) -> list[CrashOwner]:
    """Each owner's slot (a `racing` share aim at the previous owner's: a real race), fault,
    start time and whether they walk away mid-flow (a `walking_away` share), all drawn from
    `rng` in owner order."""
    owners = []
    for number, entry in enumerate(enrolled):
        vet, when, slot = plans[number - 1 if number and rng.random() < racing else number]
        fault = draw_fault(rng)
        start_after = round(rng.uniform(0, stagger), 2)
        leaves = rng.choice(LEAVING_STEPS) if rng.random() < walking_away else None
        owners.append(
            CrashOwner(
                entry,
                Plan(entry.plan.pet, vet, when, slot=slot),
                fault,
                start_after=start_after,
                within=within,
                sandbox=sandbox,
                gate=gate,
                leaves_before=leaves,
            )
        )
    return owners


# -- the bot process ---------------------------------------------------------------------------


@dataclass
class BotProcess:
    """`vetbot run` on one data directory: started, killed and restarted; its logs kept."""

    vetbot: VetbotRun
    process: asyncio.subprocess.Process | None = None
    logs: list[list[str]] = field(default_factory=list)
    """Each run's stderr lines, in order of the runs."""
    _reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await self.vetbot.spawn()
        lines: list[str] = []
        self.logs.append(lines)
        self._reader = asyncio.create_task(_drain(self.process, lines))

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no flush."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self._ended(10)

    async def terminate(self, within: float = 15) -> int | None:
        """SIGTERM, then the exit code (None if it did not exit: it is killed then)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await self._ended(within)
        except TimeoutError:
            self.process.kill()
            await self._ended(10)
            return None
        return self.process.returncode

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def _ended(self, within: float) -> None:
        assert self.process is not None and self._reader is not None
        await asyncio.wait_for(self.process.wait(), within)
        await asyncio.wait_for(self._reader, within)


async def _drain(process: asyncio.subprocess.Process, lines: list[str]) -> None:
    """Read the log as it comes: a full pipe would block the bot."""
    assert process.stderr is not None
    async for line in process.stderr:
        lines.append(line.decode(errors="replace"))


async def quiet_bot(world: TelegramWorld, *, calm: float = 1.5, within: float = 15.0) -> None:
    """Return once the bot made no Bot API call but polling for `calm` seconds (or after
    `within`): late confirmations and the staff outbox have gone out by then."""
    deadline = time.monotonic() + within
    calls = world.bot.calls

    def busy() -> int:
        return sum(1 for call in calls if call.method != "getupdates")

    last, still_since = busy(), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = busy()
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= calm:
            return


# -- after the run: can an owner without a booking still get one? ------------------------------


@dataclass(frozen=True)
class Probe:
    """An owner with no appointment tries again after the run."""

    reached_booking: bool
    how: str
    """The moves made: "menu → /start → menu"."""
    last: str
    """The last thing the bot did (or the failure), for the report."""


async def probe_can_book(owner: CrashOwner, within: float) -> Probe:
    """Come back after the run: tap "Prendre rendez-vous" if a menu is still on screen, then
    /start (sharing one's number if asked) and "Prendre rendez-vous" on the menu it shows.

    Each must lead on within `within` seconds: a dead end is a step the bot never answers, or
    answers only with "Ce bouton n'est plus valable"."""
    person = owner.person
    moves: list[str] = []
    last = "(nothing)"
    with contextlib.suppress(AssertionError):  # what came after the owner stopped: seen now
        while True:
            await person.next_reply(0.05)

    async def step(name: str, action: Awaitable[object]) -> SeenMessage | None:
        nonlocal last
        moves.append(name)
        try:
            answer = await action
            toast = getattr(answer, "text", None)
            if toast:
                last = f"! toast: {toast}"
            seen = await person.next_reply(within)
            while not _actionable(seen):
                seen = await person.next_reply(within)
        except AssertionError as error:
            last = f"{last} → {str(error).splitlines()[0][:120]}"
            return None
        last = seen.render().splitlines()[0][:160]
        return seen

    def booking_or_menu(seen: SeenMessage | None) -> bool:
        return seen is not None and (
            "Pour quel animal" in seen.text or _has(seen.buttons, "Prendre rendez-vous")
        )

    if any(_has(message.buttons, "Prendre rendez-vous") for message in person.messages):
        seen = await step("old menu", person.tap("Prendre rendez-vous", timeout=within))
        if not booking_or_menu(seen):
            return Probe(False, " → ".join(moves), last)
    seen = await step("/start", person.command("start"))
    if seen is not None and any("Partager mon numéro" in label for label in seen.buttons):
        seen = await step("contact", person.share_contact())
    if seen is not None and _has(seen.buttons, "Prendre rendez-vous"):
        seen = await step("menu", person.tap("Prendre rendez-vous", timeout=within))
    return Probe(seen is not None and "Pour quel animal" in seen.text, " → ".join(moves), last)


# -- the invariants ----------------------------------------------------------------------------

INVARIANTS: Final = {
    1: "no appointment made twice",
    2: "no 'confirmé' without that appointment in Treats",
    3: "every uncertain booking is checked by the staff ('RDV à vérifier')",
    4: "every appointment made in Treats is known to its owner",
    5: "no owner stuck: one without a booking can start again",
    6: "no Bot API call refused",
    7: "no traceback; a final SIGTERM exits 0",
}


@dataclass(frozen=True)
class Broken:
    invariant: int
    who: str
    example: str


@dataclass
class Ledger:
    """What happened, read after the run: Treats' appointments, the staff chat, the store."""

    owners: list[CrashOwner]
    fr: Translator
    created: list[Appointment]
    """Appointments the run created (any status), seed ones left out."""
    staff_checks: list[str]
    """Texts of the "RDV à vérifier" messages in the staff chat."""
    filed_checks: set[int]
    """Users with a check request filed in the bot's store (delivered to the chat or not)."""

    @classmethod
    def read(
        cls,
        owners: list[CrashOwner],
        sandbox: SandboxState,
        staff: Group,
        seeded_ids: set[str],
        store: Store | None = None,
    ) -> Ledger:
        created = [a for a in sandbox.appointments.values() if a.id not in seeded_ids]
        filed: set[int] = set()
        if store is not None:
            filed = {
                request.user_id
                for request in store.open_requests()
                if request.kind == RequestKind.CHECK_BOOKING
            }
        fr = Catalogs(sandbox.zone)["fr"]
        return cls(owners, fr, created, staff_check_texts(staff), filed)

    def of(self, owner: CrashOwner) -> list[Appointment]:
        return [a for a in self.created if a.client_id == owner.entry.client_id]

    def checked(self, owner: CrashOwner) -> bool:
        return is_checked(owner, self.staff_checks)

    def broken(self) -> list[Broken]:
        """Invariants 1 to 4 (5 to 7 need the process and the probes)."""
        broken: list[Broken] = []
        per_slot = Counter((a.client_id, a.scheduled_at) for a in self.created)
        attempted = sum(owner.confirms for owner in self.owners)
        if len(self.created) > attempted:
            broken.append(
                Broken(1, "the run", f"{len(self.created)} created > {attempted} attempted")
            )
        for owner in self.owners:
            mine = self.of(owner)
            said = what_was_said(owner.person)
            twice = [a for a in mine if per_slot[(a.client_id, a.scheduled_at)] > 1]
            if twice:
                broken.append(
                    Broken(1, owner.name, f"{len(twice)} appointments at {self._when(twice[0])}")
                )
            scheduled = [a for a in mine if a.status == AppointmentStatus.SCHEDULED]
            for item in said:
                if item.told is not Told.CONFIRMED:
                    continue
                at_that_time = (
                    bool(scheduled)
                    if item.toast
                    else any(self._when(a) in item.text for a in scheduled)
                )
                if not at_that_time:
                    broken.append(Broken(2, owner.name, item.line))
            uncertain = next((item for item in said if item.told is Told.UNCERTAIN), None)
            if uncertain is not None and not self.checked(owner):
                where = (
                    "filed in the store, not in the staff chat by the end"
                    if owner.person.user.id in self.filed_checks
                    else "no check request filed"
                )
                broken.append(Broken(3, owner.name, f"{uncertain.line} [{where}]"))
            for appointment in mine:
                if not self._known(appointment, said):
                    last = said[-1].line if said else _last_line(owner.person)
                    broken.append(
                        Broken(4, owner.name, f"{self._when(appointment)} made; last: {last}")
                    )
        return broken

    def _when(self, appointment: Appointment) -> str:
        return self.fr.when(appointment.scheduled_at)

    def _known(self, appointment: Appointment, said: list[Said]) -> bool:
        """Told confirmé or vérifie for it (a message naming its time, or a toast on a tap)."""
        when = self._when(appointment)
        return any(
            item.told in (Told.CONFIRMED, Told.UNCERTAIN) and (item.toast or when in item.text)
            for item in said
        )


def without_booking(
    owners: list[CrashOwner], sandbox: SandboxState, seeded_ids: set[str]
) -> list[CrashOwner]:
    """Owners with no appointment in Treats from this run."""
    clients = {a.client_id for a in sandbox.appointments.values() if a.id not in seeded_ids}
    return [owner for owner in owners if owner.entry.client_id not in clients]


def staff_check_texts(staff: Group) -> list[str]:
    return [
        entry.seen.text
        for entry in staff.transcript.entries
        if entry.seen is not None and "RDV à vérifier" in entry.seen.text
    ]


def is_checked(owner: CrashOwner, checks: list[str]) -> bool:
    """A "RDV à vérifier" in the staff chat names this owner's pet (one pet per owner here)."""
    pet = re.compile(rf"\b{re.escape(owner.plan.pet)}\b")
    return any(pet.search(text) for text in checks)


async def wait_for_checks(owners: list[CrashOwner], staff: Group, within: float) -> None:
    """Give the staff outbox up to `within` seconds to deliver a check for every owner told
    "La clinique vérifie" (it may be queued behind announcements held by flood control)."""
    deadline = time.monotonic() + within
    waiting = [
        owner
        for owner in owners
        if any(item.told is Told.UNCERTAIN for item in what_was_said(owner.person))
    ]
    while time.monotonic() < deadline:
        checks = staff_check_texts(staff)
        if all(is_checked(owner, checks) for owner in waiting):
            return
        await asyncio.sleep(0.25)


def _last_line(person: Person) -> str:
    lines = [entry.line for entry in person.transcript.entries if entry.line.strip()]
    return lines[-1].splitlines()[0][:160] if lines else "(nothing)"


def report(broken: Iterable[Broken]) -> str:
    """One paragraph per broken invariant: how many owners, who, one example each."""
    by_invariant: dict[int, list[Broken]] = {}
    for item in broken:
        by_invariant.setdefault(item.invariant, []).append(item)
    parts = []
    for number, items in sorted(by_invariant.items()):
        who = sorted({item.who for item in items})
        lines = [
            f"invariant {number} ({INVARIANTS[number]}) broken for {len(who)}: {', '.join(who)}"
        ]
        seen: set[str] = set()
        for item in items:
            if item.who not in seen and len(seen) < 3:
                seen.add(item.who)
                lines.append(f"    e.g. {item.who}: {item.example}")
        parts.append("\n".join(lines))
    return "\n".join(parts)


def failed_invariants(broken: Iterable[Broken]) -> list[int]:
    return sorted({item.invariant for item in broken})


def stuck(probed: list[CrashOwner], probes: list[Probe]) -> list[Broken]:
    """Invariant 5: every owner without a booking reached the booking's first step again."""
    return [
        Broken(5, owner.name, f"{probe.how}: {probe.last}")
        for owner, probe in zip(probed, probes, strict=True)
        if not probe.reached_booking
    ]


def refusals(refused: list[Any]) -> list[Broken]:
    """Invariant 6: each Bot API call the emulator refused."""
    return [Broken(6, f"call {number}", str(call)[:240]) for number, call in enumerate(refused, 1)]


def process_faults(bot: BotProcess, *, alive: bool, exit_code: int | None) -> list[Broken]:
    """Invariant 7: no traceback in any run's log; the last run alive until its clean stop."""
    broken = []
    for run, lines in enumerate(bot.logs, start=1):
        at = next((i for i, line in enumerate(lines) if "Traceback" in line), None)
        if at is not None:
            tail = " | ".join(line.strip() for line in lines[at : at + 40][-3:])
            broken.append(Broken(7, f"run {run}", tail[:300]))
    last = f"run {len(bot.logs)}"
    if not alive:
        broken.append(Broken(7, last, "the bot process died on its own"))
    if exit_code != 0 or "stopped cleanly" not in "".join(bot.logs[-1]):
        broken.append(Broken(7, last, f"SIGTERM: exit code {exit_code}, no 'stopped cleanly'"))
    return broken


def summary(
    seed: int,
    owners: list[CrashOwner],
    ledger: Ledger,
    *,
    kills_in_flight: list[bool],
    probes: list[Probe],
    refused: list[Any] | None,
    broken: list[Broken],
    seconds: float,
) -> str:
    """The run in one line (the README quotes these figures)."""
    outcomes = Counter(owner.outcome() for owner in owners)
    left = sum(1 for owner in owners if owner.left and owner.outcome() is None)
    silent = outcomes[None] - left
    stale = sum(1 for owner in owners if owner.restarted_after_stale)
    return (
        f"crash run seed={seed}: {len(owners)} owners, {len(kills_in_flight)} kills "
        f"({sum(kills_in_flight)} with a POST in flight), "
        f"{len(ledger.created)} appointments created, {outcomes[Told.CONFIRMED]} confirmed, "
        f"{outcomes[Told.UNCERTAIN]} uncertain, {outcomes[Told.FAILED]} failed, "
        f"{left} walked away, {silent} without an answer, "
        f"{len(ledger.staff_checks)} staff checks filed, "
        f"refused calls {'n/a' if refused is None else len(refused)}, "
        f"{sum(p.reached_booking for p in probes)}/{len(probes)} owners without a booking "
        f"could start again, {stale} typed /start after 'Ce bouton n'est plus valable', "
        f"{sum(owner.silences for owner in owners)} unanswered actions, {seconds:.0f} s; "
        f"invariants broken: {', '.join(map(str, failed_invariants(broken))) or 'none'}"
    )


def details(owners: list[CrashOwner], gate: SlowGate, bot: BotProcess) -> str:
    """For the report section: who met which fault, who typed /start after a stale button,
    what the kills interrupted."""
    lines = [f"requests lost with a killed process: {gate.dropped}"]
    settled = [
        line.split("logger=vetbot.app ", 1)[-1].strip()
        for log in bot.logs
        for line in log
        if "interrupted by a restart" in line
    ]
    lines.append(f"settled after a restart: {settled}")
    stale = [owner.name for owner in owners if owner.restarted_after_stale]
    lines.append(f"typed /start after 'Ce bouton n'est plus valable': {stale}")
    for owner in owners:
        fault = owner.fault.name if owner.fault else "-"
        outcome = owner.outcome() or ("walked away" if owner.left else "no answer")
        lines.append(
            f"{owner.name}: {outcome}; fault {fault}; {' '.join(owner.actions)}; "
            f"{owner.stale_taps} stale taps; unanswered: {owner.problems}"
        )
    return "\n".join(lines)
