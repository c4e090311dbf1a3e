"""The ways an owner books: several pets, any vet, quick buttons, one message, start over."""

from __future__ import annotations

import pytest

from bot.standins.emulator import Person
from tests.e2e.flow import identify, next_step, to_summary, to_when
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


def appointments_of(vetbot: VetbotRun, client) -> list:
    return [
        a
        for a in vetbot.sandbox.appointments_for(client.id)
        if a.created_at is not None and a.created_at >= vetbot.clock()
    ]


async def test_owner_with_several_pets_picks_one_and_any_vet(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.tap("Prendre rendez-vous")
    step = await next_step(thomas)
    assert step.text == "Pour quel animal ?"
    assert {"Rex (Chien)", "Caramel (Chat)", "Noisette (Lapin)"} <= set(thomas.buttons)
    await thomas.tap("Caramel")
    await next_step(thomas)
    await thomas.tap("Consultation")
    await next_step(thomas)
    await thomas.tap("Peu importe")
    step = await next_step(thomas)
    assert "Quand" in step.text
    await thomas.tap("Au plus tôt")
    slots = await next_step(thomas)
    assert "Créneaux libres le lundi 23 novembre" in slots.text  # today, still open
    assert " · Dr " in thomas.buttons[0]  # any vet: each slot says with whom
    await thomas.tap(thomas.buttons[0])
    summary = await next_step(thomas)
    assert "Caramel" in summary.text
    await thomas.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(thomas)).text
    booked = vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_many_pets.id)
    caramel = [a for a in booked if a.patient_id.startswith("11898648")]
    assert len(caramel) == 1


async def test_quick_button_tomorrow(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_when(marie, vet="Dr Julien Durand")
    await marie.tap("Demain")
    slots = await next_step(marie)
    assert "mardi 24 novembre" in slots.text
    assert len([b for b in marie.buttons if b[:2].isdigit()]) == 6


async def test_one_message_fills_pet_type_and_time(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.send(
        "Bonjour, je voudrais un rendez-vous pour mimi demain vers 15h avec le dr martin "
        "pour son vacin"
    )
    slots = await next_step(marie)
    assert "mardi 24 novembre" in slots.text, slots.text
    assert marie.buttons[0] == "15:00"
    await marie.tap("15:00")
    summary = await next_step(marie)
    assert "Vaccination" in summary.text and "Dr Claire Martin" in summary.text
    assert "Mimi" in summary.text


async def test_one_message_asks_only_what_is_missing(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.send("un vaccin pour Rex stp")
    step = await next_step(thomas)
    assert "Quand souhaitez-vous venir" in step.text


async def test_one_message_and_two_taps(vetbot: VetbotRun, marie) -> None:
    """The shortest way: one typed message, a slot, confirm (any vet when none is named)."""
    await identify(marie)
    await marie.send("vaccin pour Mimi demain à 15h")
    slots = await next_step(marie)
    assert marie.buttons[0].startswith("15:00 · Dr ")
    await marie.tap(marie.buttons[0])
    await next_step(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert "mardi 24 novembre" in slots.text


async def test_cancel_midway_then_book_again(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    await next_step(marie)
    await marie.tap("Vaccination")
    await next_step(marie)
    await marie.command("annuler")
    cancelled = await next_step(marie)
    assert "aucun rendez-vous n'a été pris" in cancelled.text
    await to_summary(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert len(vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)) == 1


async def test_back_returns_to_the_previous_step(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    await next_step(marie)
    await marie.tap("Vaccination")
    await next_step(marie)
    await marie.tap("Retour")
    step = await next_step(marie)
    assert "motif" in step.text


async def test_typed_answers_where_buttons_are_expected(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.tap("Prendre rendez-vous")
    await next_step(thomas)
    await thomas.send("noisete")  # a typo
    step = await next_step(thomas)
    assert "Noisette" in step.text and "motif" in step.text
    await thomas.send("c'est pour un rappel de vaccin")
    step = await next_step(thomas)
    assert "vétérinaire" in step.text
    await thomas.send("dr durant")
    step = await next_step(thomas)
    assert "Quand" in step.text
    await thomas.send("jeudi après-midi")
    slots = await next_step(thomas)
    assert "jeudi 26 novembre" in slots.text
    await thomas.tap(thomas.buttons[0])
    await next_step(thomas)
    await thomas.send("oui")
    assert "C'est confirmé" in (await next_step(thomas)).text


@pytest.fixture
def alice(vetbot: VetbotRun, sandbox) -> Person:
    """The one-pet owner, on a Telegram set to English."""
    owner = sandbox.seed.demo_owner_one_pet
    return vetbot.world.person(
        owner.first_name, owner.last_name, phone_number=owner.phone, language_code="en"
    )


async def test_english_speaking_owner(alice: Person) -> None:
    await alice.command("start")
    greeting = await next_step(alice)
    assert "share your phone number" in greeting.text.lower()
    await alice.share_contact()
    await next_step(alice)
    menu = await next_step(alice)
    assert "Book an appointment" in " ".join(alice.buttons), menu
    await alice.tap("Book")
    await next_step(alice)
    await alice.tap("Vaccination")
    await next_step(alice)
    await alice.tap("Dr Claire Martin")
    await next_step(alice)
    await alice.send("tomorrow at 3pm")
    slots = await next_step(alice)
    assert "Tuesday 24 November" in slots.text or "Tuesday, November 24" in slots.text


async def test_english_one_message_with_an_article_finds_its_time(alice: Person) -> None:
    """'a vaccine' is not the French 'a vacciné' (a past event) for an English writer."""
    await alice.command("start")
    await next_step(alice)
    await alice.share_contact()
    await next_step(alice)
    await next_step(alice)
    await alice.send("a vaccine for Mimi tomorrow at 3pm")
    slots = await next_step(alice)
    assert "Tuesday 24 November" in slots.text or "Tuesday, November 24" in slots.text
    assert any("15:00" in button for button in alice.buttons)


async def test_asking_for_an_appointment_in_so_many_words_starts_the_booking(
    alice: Person,
) -> None:
    """ "I'd like to book an appointment" names nothing to read, but it is not "not understood":
    the booking starts at its first question."""
    await alice.command("start")
    await next_step(alice)
    await alice.share_contact()
    await next_step(alice)
    await next_step(alice)
    await alice.send("Hello, I'd like to book an appointment please")
    question = await next_step(alice)
    assert "reason for Mimi" in question.text or "Mimi" in question.text, question.text
    assert "didn't quite get" not in question.text
    assert "Vaccination" in " ".join(alice.buttons)


async def test_language_switch_command(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.command("langue")
    await next_step(marie)
    await marie.tap("English")
    done = await next_step(marie)
    assert "English" in done.text
    await marie.command("start")
    menu = await next_step(marie)
    assert "What would you like to do" in menu.text


async def test_my_appointments_lists_what_was_booked(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.tap("Mes rendez-vous")
    assert "Aucun rendez-vous" in (await next_step(marie)).text
    await marie.tap("Menu")
    await next_step(marie)
    await to_summary(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert (await next_step(marie)).document is not None
    assert "Que souhaitez-vous faire" in (await next_step(marie)).text
    await marie.tap("Mes rendez-vous")
    listing = await next_step(marie)
    assert "mardi 24 novembre à 15:00" in listing.text and "Mimi" in listing.text
