"""Asking the clinic to cancel: one request per appointment, however often the owner taps; the
appointment reads "annulation demandée" until staff decide; one decision, one answer; and a
slip noticed at once may be undone even close to the appointment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.staff_requests import RequestState
from bot.standins.emulator import Person, SeenMessage
from tests.e2e.flow import confirm, identify, next_step, to_summary
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases

ALREADY_ASKED = "déjà transmise à la clinique"


async def book_thursday(owner: Person) -> None:
    await identify(owner)
    await to_summary(owner, when="jeudi à 9h15", slot="09:15")
    await confirm(owner)


async def my_appointments(owner: Person) -> SeenMessage:
    await owner.tap("Mes rendez-vous")
    return await next_step(owner)


def data_of(message: SeenMessage, label_part: str) -> str:
    """The callback data of a button, to tap it again later as a stale button would be."""
    (button,) = [b for b in message.inline_buttons if label_part in b.text]
    assert button.callback_data is not None
    return button.callback_data


async def ask_to_cancel(owner: Person, day: str = "jeu.") -> SeenMessage:
    """From the menu: Mes rendez-vous, Annuler, Oui. Returns the owner's "transmise"."""
    await my_appointments(owner)
    await owner.tap(f"Annuler · {day}")
    assert "Demander à la clinique d'annuler" in (await next_step(owner)).text
    await owner.tap("Oui, demander")
    told = await next_step(owner)
    assert "demande d'annulation est transmise" in told.text
    return told


async def staff_requests(vetbot: VetbotRun, application) -> list[SeenMessage]:
    """Every request the staff chat shows, once the outbox has delivered all it holds."""
    await application.bot_data.staff_desk.outbox.deliver_due()
    return [m for m in vetbot.staff.messages if "Demande d'annulation" in m.text]


async def test_repeated_taps_file_one_cancellation(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday(marie)
        listing = await my_appointments(marie)
        cancel = data_of(listing, "Annuler")
        await marie.tap("Annuler · jeu.")
        question = await next_step(marie)
        yes = data_of(question, "Oui, demander")
        # A double tap: both taps leave before the bot has answered the first.
        _, second = await asyncio.gather(
            marie.tap("Oui, demander"), marie.tap_data(yes, question.message_id)
        )
        assert "demande d'annulation est transmise" in (await next_step(marie)).text
        # Then "Annuler" again, twice, on the old list's buttons.
        again = [await marie.tap_data(cancel, listing.message_id) for _ in range(2)]

        requests = await staff_requests(vetbot_setup, application)
        assert len(requests) == 1 and "Mimi" in requests[0].text
        for answer in (second, *again):
            assert ALREADY_ASKED in (answer.text or "")
    with vetbot_setup.store() as store:
        assert len([r for r in store.open_requests() if r.user_id == marie.user.id]) == 1


async def test_the_list_shows_the_pending_cancellation_without_its_buttons(
    vetbot: VetbotRun, marie
) -> None:
    await book_thursday(marie)
    await ask_to_cancel(marie)
    await marie.tap("Menu")
    await next_step(marie)
    listing = await my_appointments(marie)
    assert "jeudi 26 novembre à 09:15" in listing.text
    assert "annulation demandée" in listing.text and "Planifié" not in listing.text
    assert any("Agenda" in label for label in listing.buttons)
    assert not any("Annuler" in label or "Déplacer" in label for label in listing.buttons)


async def test_done_cancels_it_and_refused_gives_it_back(vetbot: VetbotRun, marie) -> None:
    """Refused: the appointment is as before, with its buttons, and the staff message has no
    check mark; a second decision is refused and the owner hears once. Done, later: gone."""
    await book_thursday(marie)
    await ask_to_cancel(marie)
    request = await vetbot.staff.next_message()
    while "Demande d'annulation" not in request.text:
        request = await vetbot.staff.next_message()
    lea = vetbot.staff_member.in_group(vetbot.staff)
    done = data_of(request, "Fait")

    await lea.tap("Refusé")
    told = await next_step(marie)
    assert "n'a pas pu annuler" in told.text
    decided = await vetbot.staff.next_message()
    while decided.message_id != request.message_id:
        decided = await vetbot.staff.next_message()
    assert "Refusé — Léa Accueil" in decided.text
    assert "✅" not in decided.text and not decided.inline_buttons

    second = await lea.tap_data(done, request.message_id)
    assert "Déjà traité" in (second.text or "")
    with vetbot.store() as store:
        (booking,) = store.upcoming_bookings(marie.user.id, vetbot.clock())
        assert booking.state == "booked"
        assert store.open_requests() == []

    await marie.tap("Menu")
    await next_step(marie)
    listing = await my_appointments(marie)
    assert "annulation demandée" not in listing.text
    assert any("Annuler" in label for label in listing.buttons)
    answers = [m.text for m in marie.messages if "annul" in m.text and "clinique" in m.text]
    assert sum("n'a pas pu annuler" in text for text in answers) == 1
    assert not any("a bien annulé" in text for text in answers)

    # Asked again, and done this time: the appointment leaves the list.
    await marie.tap("Menu")
    await next_step(marie)
    await ask_to_cancel(marie)
    again = await vetbot.staff.next_message()
    while "Demande d'annulation" not in again.text or again.message_id == request.message_id:
        again = await vetbot.staff.next_message()
    await lea.tap("Fait")
    assert "a bien annulé votre rendez-vous" in (await next_step(marie)).text
    await marie.tap("Menu")
    await next_step(marie)
    assert "Aucun rendez-vous à venir" in (await my_appointments(marie)).text


async def test_staff_deciding_twice_tells_the_owner_once(vetbot_setup: VetbotRun, marie) -> None:
    """The owner double-taps "Oui"; staff tap "Fait" on the request, then "Refusé" on the last
    request shown (the same one: there is only one). The owner hears "annulé", only."""
    async with vetbot_setup.running() as application:
        await book_thursday(marie)
        await my_appointments(marie)
        await marie.tap("Annuler · jeu.")
        question = await next_step(marie)
        yes = data_of(question, "Oui, demander")
        await asyncio.gather(marie.tap("Oui, demander"), marie.tap_data(yes, question.message_id))
        requests = await staff_requests(vetbot_setup, application)
        lea = vetbot_setup.staff_member.in_group(vetbot_setup.staff)

        first = await lea.tap_data(data_of(requests[0], "Fait"), requests[0].message_id)
        late = await lea.tap_data(data_of(requests[-1], "Refusé"), requests[-1].message_id)

        assert "noté" in (first.text or "") and "Déjà traité" in (late.text or "")
        told = await next_step(marie)
        while "clinique a bien annulé" not in told.text:
            told = await next_step(marie)
        await application.bot_data.staff_desk.outbox.deliver_due()
        assert not any("n'a pas pu annuler" in m.text for m in marie.messages)
    with vetbot_setup.store() as store:
        assert store.open_requests() == []
        assert store.upcoming_bookings(marie.user.id, vetbot_setup.clock()) == []


async def test_old_buttons_of_a_pending_appointment_are_kindly_refused(
    vetbot: VetbotRun, marie
) -> None:
    await book_thursday(marie)
    listing = await my_appointments(marie)
    cancel, move = data_of(listing, "Annuler"), data_of(listing, "Déplacer")
    await marie.tap("Menu")
    await next_step(marie)
    await ask_to_cancel(marie)

    for stale in (move, cancel):
        answer = await marie.tap_data(stale, listing.message_id)
        assert ALREADY_ASKED in (answer.text or "")
    assert "demande d'annulation est transmise" in (marie.last_text or "")


async def test_a_moved_appointment_waits_for_its_cancellation(
    vetbot_setup: VetbotRun, marie
) -> None:
    """The move asks the clinic to cancel the old one: the list says so, and the old one's
    buttons file nothing more."""
    async with vetbot_setup.running() as application:
        await book_thursday(marie)
        listing = await my_appointments(marie)
        cancel_old = data_of(listing, "Annuler")
        await marie.tap("Déplacer")
        await next_step(marie)
        await marie.send("vendredi à 15h")
        await next_step(marie)
        await marie.tap("15:00")
        await next_step(marie)
        await marie.tap("Confirmer")
        assert "C'est confirmé" in (await next_step(marie)).text
        assert (await next_step(marie)).document is not None
        told = await next_step(marie)
        assert "l'ancien rendez-vous du jeudi 26 novembre à 09:15" in told.text
        assert "j'ai demandé à la clinique de l'annuler" in told.text
        assert "Que souhaitez-vous faire" in (await next_step(marie)).text

        after = await my_appointments(marie)
        old_line, new_line = (line for line in after.text.splitlines() if line.startswith("•"))
        assert "jeudi 26 novembre à 09:15" in old_line and "annulation demandée" in old_line
        assert "vendredi 27 novembre à 15:00" in new_line and "annulation" not in new_line
        assert not any("jeu." in label and "Annuler" in label for label in after.buttons)
        assert any("ven." in label and "Annuler" in label for label in after.buttons)

        answer = await marie.tap_data(cancel_old, listing.message_id)
        assert ALREADY_ASKED in (answer.text or "")
        requests = await staff_requests(vetbot_setup, application)
        assert len(requests) == 1 and "Remplacé par" in requests[0].text


async def _book_in_two_hours(vetbot: VetbotRun, owner: Person) -> None:
    await identify(owner)
    await to_summary(owner, when="aujourd'hui à 10h30", slot="10:30")  # 2 h away
    await confirm(owner)


async def test_a_slip_noticed_at_once_can_still_be_cancelled(vetbot: VetbotRun, marie) -> None:
    await _book_in_two_hours(vetbot, marie)
    vetbot.clock.advance(timedelta(minutes=5))
    await my_appointments(marie)
    await marie.tap("Annuler · lun.")
    assert "Demander à la clinique d'annuler" in (await next_step(marie)).text
    await marie.tap("Oui, demander")
    assert "demande d'annulation est transmise" in (await next_step(marie)).text
    with vetbot.store() as store:
        (request,) = store.open_requests()
    assert request.state is RequestState.OPEN


async def test_a_slip_noticed_at_once_can_still_be_moved(vetbot: VetbotRun, marie) -> None:
    await _book_in_two_hours(vetbot, marie)
    vetbot.clock.advance(timedelta(minutes=5))
    await my_appointments(marie)
    await marie.tap("Déplacer · lun.")
    assert (
        "Déplacement du rendez-vous du lundi 23 novembre à 10:30" in (await next_step(marie)).text
    )


async def test_after_the_grace_period_it_is_a_phone_call(vetbot: VetbotRun, marie) -> None:
    await _book_in_two_hours(vetbot, marie)
    vetbot.clock.advance(timedelta(minutes=20))
    await my_appointments(marie)
    await marie.tap("Annuler · lun.")
    answer = await next_step(marie)
    assert "moins de 24 heures" in answer.text and vetbot.clinic.phone in answer.text
