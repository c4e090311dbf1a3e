"""Named places in the owner's conversation, each with the route a real owner takes there.

A `Position` is one entry point for whatever the owner types next: the menu right after
identifying, each booking step, the list of appointments, just after a booking, after a
restart... Its `route` brings a fresh owner there through the real bot, by taps and typed
text, and returns the panel that step shows. tests/e2e/test_entry_matrix.py checks every
owner promise at every position: a position added to `POSITIONS` is checked against every
promise that applies to it.

Routes are written once for every language: what they tap and expect comes from the owner's
`Words` (French or English), so an English-speaking owner is one more `Owner` away.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import pytest
from telegram.ext import Application

from bot.standins.emulator import Person, SeenMessage, TelegramWorld
from bot.standins.sandbox import SandboxState
from conversations.session import Session
from tests.e2e.flow import next_step
from tests.support.vetbot_fixtures import VetbotRun

STEP_SECONDS = 3.0
"""How long a step may take to show: the bot runs in-process, a step takes milliseconds."""


# -- what the owner reads and taps, in their language ---------------------------------------


@dataclass(frozen=True)
class Words:
    """Fragments of the bot's texts and buttons in one language, and what the owner types."""

    language: str
    greeting: str
    record_found: str
    menu_panel: str
    book: str
    my_appointments: str
    pet_panel: str
    reason_panel: str
    vet_panel: str
    when_panel: str
    slots_panels: tuple[str, ...]
    summary_panel: str
    confirm: str
    confirmed: str
    list_panel: str
    another_pet: str
    add_pet_panel: str
    not_understood: str
    # what the routes type
    tomorrow_at_3pm: str
    thursday_at_915: str
    # what the promises type, and the answers they expect
    urgent_phrase: str
    emergency: str
    urgent_yes: str
    urgent_no: str
    cancel_word: str
    cancelled: tuple[str, ...]
    menu_word: str
    tomorrow_at_10: str
    wednesday_25: str


FRENCH = Words(
    language="fr",
    greeting="partagez votre numéro",
    record_found="Votre dossier est retrouvé",
    menu_panel="Que souhaitez-vous faire",
    book="Prendre rendez-vous",
    my_appointments="Mes rendez-vous",
    pet_panel="Pour quel animal",
    reason_panel="motif du rendez-vous",
    vet_panel="Avec quel vétérinaire",
    when_panel="Quand souhaitez-vous venir",
    slots_panels=("Créneaux libres le", "Voici les créneaux les plus proches"),
    summary_panel="Récapitulatif",
    confirm="Confirmer",
    confirmed="C'est confirmé",
    list_panel="Vos prochains rendez-vous",
    another_pet="Un autre animal",
    add_pet_panel="Écrivez le nom et l'espèce",
    not_understood="pas bien compris",
    tomorrow_at_3pm="demain à 15h",
    thursday_at_915="jeudi à 9h15",
    urgent_phrase="mon chien a mangé du chocolat",
    emergency="urgence",
    urgent_yes="Oui, c'est urgent",
    urgent_no="Non",
    cancel_word="annuler",
    cancelled=("annulé", "Rien en cours"),
    menu_word="menu",
    tomorrow_at_10="demain à 10h",
    wednesday_25="mercredi 25 novembre",
)

ENGLISH = Words(
    language="en",
    greeting="share your phone number",
    record_found="found your record",
    menu_panel="What would you like to do",
    book="Book an appointment",
    my_appointments="My appointments",
    pet_panel="Which pet is this for",
    reason_panel="reason for",
    vet_panel="Which vet would you like",
    when_panel="When would you like to come in",
    slots_panels=("Available times on", "Here are the closest slots"),
    summary_panel="Summary",
    confirm="Confirm",
    confirmed="Confirmed!",
    list_panel="Your upcoming appointments",
    another_pet="Another pet",
    add_pet_panel="Type your pet's name and species",
    not_understood="didn't quite get",
    tomorrow_at_3pm="tomorrow at 3pm",
    thursday_at_915="Thursday at 9:15am",
    urgent_phrase="my dog ate chocolate",
    emergency="emergency",
    urgent_yes="Yes, it's urgent",
    urgent_no="No",
    cancel_word="cancel",
    cancelled=("Canceled", "Nothing in progress"),
    menu_word="menu",
    tomorrow_at_10="tomorrow at 10am",
    wednesday_25="Wednesday 25 November",
)


# -- who -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """A seeded owner: the pytest fixture that makes their Telegram person, their record in
    the sandbox (an attribute of `sandbox.seed`), their pets, and their language."""

    fixture: str
    seed: str
    pets: tuple[str, ...]
    words: Words

    @property
    def one_pet(self) -> bool:
        return len(self.pets) == 1


MARIE = Owner("marie", "demo_owner_one_pet", ("Mimi",), FRENCH)
THOMAS = Owner("thomas", "demo_owner_many_pets", ("Rex", "Caramel", "Noisette"), FRENCH)
ALICE = Owner("alice", "demo_owner_one_pet", ("Mimi",), ENGLISH)


@pytest.fixture
def alice(telegram_world: TelegramWorld, sandbox: SandboxState) -> Person:
    """Marie's record, on a Telegram set to English (import this fixture to use `ALICE`)."""
    owner = sandbox.seed.demo_owner_one_pet
    return telegram_world.person(
        owner.first_name, owner.last_name, phone_number=owner.phone, language_code="en"
    )


# -- the running bot, restartable mid-test ----------------------------------------------------


class LiveBot:
    """`vetbot_setup.running()` entered and left from the test's own task, so that a route can
    restart the bot (leave `running()` and enter it again) halfway through."""

    def __init__(self, vetbot: VetbotRun) -> None:
        self.vetbot = vetbot
        self._stack = contextlib.AsyncExitStack()
        self._application: Application | None = None

    @property
    def application(self) -> Application:
        assert self._application is not None, "the bot is not running"
        return self._application

    async def __aenter__(self) -> Self:
        self._application = await self._stack.enter_async_context(self.vetbot.running())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._application = None
        await self._stack.aclose()

    async def restart(self) -> None:
        """A clean stop (persistence flushed), then a start on the same data."""
        await self.__aexit__(None, None, None)
        self._stack = contextlib.AsyncExitStack()
        await self.__aenter__()

    def session(self, person: Person) -> Session:
        """What the bot keeps for this owner's conversation (the draft, the step...)."""
        return self.application.user_data.get(person.user.id) or Session()


@dataclass
class Trip:
    """One owner's way through the bot in one test."""

    bot: LiveBot
    person: Person
    owner: Owner

    @property
    def vetbot(self) -> VetbotRun:
        return self.bot.vetbot

    @property
    def words(self) -> Words:
        return self.owner.words

    async def step(self) -> SeenMessage:
        return await next_step(self.person, STEP_SECONDS)

    async def expect(self, fragment: str) -> SeenMessage:
        """The next panel, which must contain `fragment`."""
        shown = await self.step()
        assert fragment in shown.text, f"expected {fragment!r}, the bot showed: {shown.text}"
        return shown


# -- routes -----------------------------------------------------------------------------------

Route = Callable[[Trip], Awaitable[SeenMessage | None]]


async def to_menu(trip: Trip) -> SeenMessage:
    """/start, share one's own number: the menu."""
    words = trip.words
    await trip.person.command("start")
    await trip.expect(words.greeting)
    await trip.person.share_contact()
    await trip.expect(words.record_found)
    return await trip.expect(words.menu_panel)


async def to_first_message(trip: Trip) -> None:
    """Linked to their record (earlier, by contact) but no conversation under way: the next
    thing they type is the first message the conversation sees. Nothing is on screen."""
    client = getattr(trip.vetbot.sandbox.seed, trip.owner.seed)
    with trip.vetbot.store() as store:
        store.link_owner(trip.person.user.id, client.id, language=trip.words.language)


async def to_pet(trip: Trip) -> SeenMessage:
    """ "Prendre rendez-vous" (an owner of several pets is asked which one)."""
    await to_menu(trip)
    await trip.person.tap(trip.words.book)
    return await trip.expect(trip.words.pet_panel)


async def to_reason(trip: Trip) -> SeenMessage:
    """ "Prendre rendez-vous" (a one-pet owner's pet is taken for them)."""
    await to_menu(trip)
    await trip.person.tap(trip.words.book)
    return await trip.expect(trip.words.reason_panel)


async def to_vet(trip: Trip) -> SeenMessage:
    await to_reason(trip)
    await trip.person.tap("Vaccination")
    return await trip.expect(trip.words.vet_panel)


async def to_when(trip: Trip) -> SeenMessage:
    await to_vet(trip)
    await trip.person.tap("Dr Claire Martin")
    return await trip.expect(trip.words.when_panel)


async def _slots_for(trip: Trip, when: str) -> SeenMessage:
    await to_when(trip)
    await trip.person.send(when)
    shown = await trip.step()
    assert any(panel in shown.text for panel in trip.words.slots_panels), shown.text
    return shown


async def to_slot(trip: Trip) -> SeenMessage:
    """Slots shown for "demain à 15h" (Tuesday 24 with the default clock)."""
    return await _slots_for(trip, trip.words.tomorrow_at_3pm)


async def to_summary(trip: Trip) -> SeenMessage:
    await to_slot(trip)
    await trip.person.tap("15:00")
    return await trip.expect(trip.words.summary_panel)


async def _book_thursday(trip: Trip) -> None:
    """Book Thursday 26 at 09:15: far enough that no reminder falls due when a promise moves
    the clock on to Tuesday night."""
    await _slots_for(trip, trip.words.thursday_at_915)
    await trip.person.tap("09:15")
    await trip.expect(trip.words.summary_panel)
    await trip.person.tap(trip.words.confirm)
    await trip.expect(trip.words.confirmed)
    calendar = await trip.step()
    assert calendar.document is not None, calendar


async def to_after_booking(trip: Trip) -> SeenMessage:
    """ "C'est confirmé", its .ics, and the menu below them."""
    await _book_thursday(trip)
    return await trip.expect(trip.words.menu_panel)


async def to_my_appointments(trip: Trip) -> SeenMessage:
    """ "Mes rendez-vous" opened, with one appointment booked."""
    await to_after_booking(trip)
    await trip.person.tap(trip.words.my_appointments)
    return await trip.expect(trip.words.list_panel)


async def to_add_pet(trip: Trip) -> SeenMessage:
    """ "Un autre animal" (offered at the reason step to a one-pet owner): describe it."""
    await to_reason(trip)
    await trip.person.tap(trip.words.another_pet)
    return await trip.expect(trip.words.add_pet_panel)


async def to_when_then_restart(trip: Trip) -> SeenMessage:
    """At the time question when the bot restarts (a deployment): nothing new is shown."""
    shown = await to_when(trip)
    await trip.bot.restart()
    return shown


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """A place the owner can be when they type or tap next.

    ``shows``: what the route's last panel contains, in the owner's words (None: nothing on
    screen). ``reads_times``: typed text here may name a day or a time, and the bot must read
    it (the clinic's clock promise applies)."""

    name: str
    owner: Owner
    route: Route
    shows: Callable[[Words], str] | None
    reads_times: bool = False

    def __str__(self) -> str:
        return self.name


async def arrive(position: Position, trip: Trip) -> SeenMessage | None:
    """Take `position`'s route and check that it ends where it says."""
    shown = await position.route(trip)
    if position.shows is not None:
        assert shown is not None, f"{position.name}: the route showed nothing"
        fragment = position.shows(trip.words)
        assert fragment in shown.text, f"{position.name}: {fragment!r} not in {shown.text!r}"
    return shown


POSITIONS: tuple[Position, ...] = (
    Position("menu", MARIE, to_menu, lambda w: w.menu_panel, reads_times=True),
    Position("menu_first_message", MARIE, to_first_message, None, reads_times=True),
    Position("pet", THOMAS, to_pet, lambda w: w.pet_panel),
    Position("reason", MARIE, to_reason, lambda w: w.reason_panel),
    Position("vet", MARIE, to_vet, lambda w: w.vet_panel),
    Position("when", MARIE, to_when, lambda w: w.when_panel, reads_times=True),
    Position("slot", MARIE, to_slot, lambda w: w.slots_panels[0], reads_times=True),
    Position("summary", MARIE, to_summary, lambda w: w.summary_panel),
    Position(
        "my_appointments", MARIE, to_my_appointments, lambda w: w.list_panel, reads_times=True
    ),
    Position("after_booking", MARIE, to_after_booking, lambda w: w.menu_panel, reads_times=True),
    Position("add_pet", MARIE, to_add_pet, lambda w: w.add_pet_panel),
    Position(
        "after_restart", MARIE, to_when_then_restart, lambda w: w.when_panel, reads_times=True
    ),
    Position("menu_en", ALICE, to_menu, lambda w: w.menu_panel, reads_times=True),
    Position("when_en", ALICE, to_when, lambda w: w.when_panel, reads_times=True),
)


@contextlib.asynccontextmanager
async def trip_to(
    position: Position, vetbot: VetbotRun, person: Person
) -> AsyncIterator[tuple[Trip, SeenMessage | None]]:
    """The bot running, `person` brought to `position`; the bot stops when the block exits."""
    async with LiveBot(vetbot) as bot:
        trip = Trip(bot, person, position.owner)
        shown = await arrive(position, trip)
        yield trip, shown
