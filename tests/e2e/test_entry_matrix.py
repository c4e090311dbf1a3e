"""Every owner promise, checked at every place in the conversation it applies to.

Positions (tests/support/states.py) × promises (below): one case per pair that applies.
A promise that holds where its feature was built but not at the menu, after a booking or
after a restart is a broken promise; this matrix is where that shows.

To add a promise: an async check of a `Trip` already at its position, and a `Promise` in
`PROMISES` (with `applies` when it makes sense only at some positions). To add a position:
a route and a `Position` in `states.POSITIONS`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.services import load_lexicon
from bot.standins.emulator import SeenMessage
from bot.triage import assess
from tests.support.states import (
    ENGLISH,
    FRENCH,
    POSITIONS,
    Position,
    Trip,
    alice,  # noqa: F401 - the English-speaking owner's fixture, used by name
    trip_to,
)
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

ALERT_SECONDS = 3.0
"""The staff must see an urgent alert within a few seconds of the owner's "yes"."""
TUESDAY_00_30 = datetime(2026, 11, 24, 0, 30, tzinfo=PARIS).astimezone(UTC)
"""Just after midnight in Paris, still Monday 23:30 on a server's UTC clock (set as UTC, as a
server's clock reads): "demain" is Wednesday for the clinic and the owner, Tuesday for a
reading on UTC."""
MAX_QUESTIONS = 4
"""Questions the bot may still ask (pet, reason, vet) before the slots of a typed time."""


# -- the promises -----------------------------------------------------------------------------


async def urgent_text_is_triaged_first(trip: Trip) -> None:
    """Red-flag words, wherever typed, first ask "is it an emergency?"; "yes" alerts the
    staff at once, with the pet named when the owner has only one."""
    words = trip.words
    await trip.person.send(words.urgent_phrase)
    question = await trip.step()
    assert words.not_understood not in question.text, question.text
    assert words.emergency in question.text.lower(), question.text
    assert any(words.urgent_yes in label for label in question.buttons), question.buttons
    assert any(label.startswith(words.urgent_no) for label in question.buttons), question.buttons
    await trip.person.tap(words.urgent_yes)
    alert = await urgent_alert(trip.vetbot)
    if trip.owner.one_pet:
        assert "🐾 ?" not in alert.text, alert.text
        assert trip.owner.pets[0] in alert.text, alert.text


async def typed_cancel_works_like_the_command(trip: Trip) -> None:
    """ "annuler" ("cancel") typed does what /annuler does: nothing left in progress."""
    words = trip.words
    await trip.person.send(words.cancel_word)
    answer = await trip.step()
    assert any(said in answer.text for said in words.cancelled), answer.text
    assert any(words.book in label for label in answer.buttons), answer.buttons
    assert trip.bot.session(trip.person).draft is None, "a booking is still in progress"


async def typed_menu_shows_the_menu(trip: Trip) -> None:
    """ "menu" typed shows the menu."""
    words = trip.words
    await trip.person.send(words.menu_word)
    answer = await trip.step()
    assert words.menu_panel in answer.text, answer.text
    assert any(words.book in label for label in answer.buttons), answer.buttons


async def times_are_read_on_the_clinics_clock(trip: Trip) -> None:
    """ "demain à 10h" typed at 00:30 in Paris (23:30 UTC the day before) is Wednesday 10:00;
    at the slot step it moves the offer to that day."""
    words = trip.words
    trip.vetbot.clock.set(TUESDAY_00_30)
    await trip.person.send(words.tomorrow_at_10)
    slots = await slots_shown(trip)
    assert words.wednesday_25 in slots.text, slots.text
    assert slots.buttons[0].startswith("10:00"), slots.buttons


@dataclass(frozen=True)
class Promise:
    """What the bot promises owners, as a check run once the owner is at a position."""

    name: str
    check: Callable[[Trip], Awaitable[None]]
    applies: Callable[[Position], bool] = lambda position: True

    def __str__(self) -> str:
        return self.name


PROMISES: tuple[Promise, ...] = (
    Promise("urgent_first", urgent_text_is_triaged_first),
    Promise("typed_cancel", typed_cancel_works_like_the_command),
    Promise("typed_menu", typed_menu_shows_the_menu),
    Promise(
        "clinic_clock",
        times_are_read_on_the_clinics_clock,
        applies=lambda position: position.reads_times,
    ),
)

CASES = [
    pytest.param(position, promise, id=f"{position.name}-{promise.name}")
    for position in POSITIONS
    for promise in PROMISES
    if promise.applies(position)
]


# -- helpers ----------------------------------------------------------------------------------


async def urgent_alert(vetbot: VetbotRun) -> SeenMessage:
    """The next urgent alert in the staff chat (announcements of bookings may come first)."""
    async with asyncio.timeout(ALERT_SECONDS):
        while True:
            message = await vetbot.staff.next_message(ALERT_SECONDS)
            if "URGENCE" in message.text:
                return message


async def slots_shown(trip: Trip) -> SeenMessage:
    """The slots offered for a typed time, answering by taps what the bot may still ask (the
    pet, "Vaccination", "Dr Claire Martin"); asking the time again means it was lost."""
    words = trip.words
    answers = (trip.owner.pets[0], "Vaccination", "Dr Claire Martin")
    for _ in range(MAX_QUESTIONS):
        shown = await trip.step()
        if any(panel in shown.text for panel in words.slots_panels):
            return shown
        assert words.when_panel not in shown.text, f"the typed time was not read: {shown.text}"
        tap = next((b for b in shown.buttons if b.startswith(answers)), None)
        assert tap is not None, f"expected slots, the bot showed: {shown.render()}"
        await trip.person.tap(tap)
    raise AssertionError(f"no slots after {MAX_QUESTIONS} questions")


# -- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize(("position", "promise"), CASES)
async def test_promise_holds_at_position(
    position: Position, promise: Promise, vetbot_setup: VetbotRun, request: pytest.FixtureRequest
) -> None:
    person = request.getfixturevalue(position.owner.fixture)
    async with trip_to(position, vetbot_setup, person) as (trip, _shown):
        await promise.check(trip)


def test_the_urgent_phrases_are_red_flags() -> None:
    lexicon = load_lexicon(None)
    for words in (FRENCH, ENGLISH):
        assert assess(words.urgent_phrase, lexicon).urgent_suspected, words.urgent_phrase
