"""After booking: fresh statuses, the calendar file again, moving, and forgetting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.flow import confirm, identify, next_step, to_summary
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases

GRACE_PASSED = timedelta(minutes=20)
"""Past the clinic's grace period (15 min by default) after booking."""


async def book_thursday(marie) -> None:
    await identify(marie)
    await to_summary(marie, when="jeudi à 9h15", slot="09:15")
    await confirm(marie)


def the_appointment(vetbot: VetbotRun):
    (appointment,) = vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)
    return appointment


async def test_list_shows_the_clinics_current_status(vetbot: VetbotRun, marie) -> None:
    await book_thursday(marie)
    vetbot.sandbox.set_status(the_appointment(vetbot).id, "CONFIRMED")
    await marie.tap("Mes rendez-vous")
    listing = await next_step(marie)
    assert "jeudi 26 novembre à 09:15" in listing.text and "Confirmé" in listing.text


async def test_a_clinic_side_cancellation_leaves_the_list(vetbot: VetbotRun, marie) -> None:
    await book_thursday(marie)
    vetbot.sandbox.set_status(the_appointment(vetbot).id, "CANCELLED")
    await marie.tap("Mes rendez-vous")
    assert "Aucun rendez-vous à venir" in (await next_step(marie)).text


async def test_calendar_file_sent_again(vetbot: VetbotRun, marie) -> None:
    await book_thursday(marie)
    await marie.tap("Mes rendez-vous")
    await next_step(marie)
    await marie.tap("Agenda")
    again = await next_step(marie)
    assert again.document is not None and again.document.file_name == "rdv-2026-11-26-mimi.ics"
    first, second = marie.documents[0], marie.documents[-1]
    assert b"UID:" in second.data
    uid = [line for line in second.data.split(b"\r\n") if line.startswith(b"UID:")]
    assert uid and uid[0] in first.data  # the same event, not a new one


async def test_move_books_the_new_slot_and_asks_to_cancel_the_old(vetbot: VetbotRun, marie) -> None:
    await book_thursday(marie)
    await marie.tap("Mes rendez-vous")
    await next_step(marie)
    await marie.tap("Déplacer")
    step = await next_step(marie)
    assert "Déplacement du rendez-vous du jeudi 26 novembre à 09:15" in step.text
    await marie.send("vendredi à 15h")
    await next_step(marie)
    await marie.tap("15:00")
    await next_step(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert (await next_step(marie)).document is not None
    told = await next_step(marie)
    assert "l'ancien rendez-vous du jeudi 26 novembre à 09:15" in told.text
    request = await vetbot.staff.next_message()
    while "Demande d'annulation" not in request.text:
        request = await vetbot.staff.next_message()
    assert "Remplacé par" in request.text
    starts = sorted(
        a.scheduled_at
        for a in vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)
    )
    assert len(starts) == 2  # the clinic cancels the old one itself


async def test_forget_removes_what_the_bot_stored(vetbot: VetbotRun, marie) -> None:
    await book_thursday(marie)
    await marie.command("oublier")
    assert "On efface" in (await next_step(marie)).text
    await marie.tap("Oui, tout effacer")
    assert "j'ai tout oublié" in (await next_step(marie)).text
    with vetbot.store() as store:
        assert store.owner(marie.user.id) is None
        assert store.upcoming_bookings(marie.user.id, vetbot.clock()) == []
    await marie.command("start")
    assert "partagez votre numéro" in (await next_step(marie)).text


async def test_late_cancellation_asks_to_call(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie, when="aujourd'hui à 15h", slot="15:00")  # 6 h 30 away
    await confirm(marie)
    vetbot.clock.advance(GRACE_PASSED)  # just booked, a slip could still be undone here
    await marie.tap("Mes rendez-vous")
    await next_step(marie)
    await marie.tap("Annuler · lun.")
    answer = await next_step(marie)
    assert "moins de 24 heures" in answer.text and vetbot.clinic.phone in answer.text


async def test_the_late_cancellation_limit_is_a_setting(vetbot_setup: VetbotRun, marie) -> None:
    vetbot_setup.settings = vetbot_setup.settings.model_copy(update={"late_cancellation_hours": 4})
    async with vetbot_setup.running():
        await identify(marie)
        await to_summary(marie, when="aujourd'hui à 15h", slot="15:00")
        await confirm(marie)
        vetbot_setup.clock.advance(GRACE_PASSED)
        await marie.tap("Mes rendez-vous")
        await next_step(marie)
        await marie.tap("Annuler · lun.")
        assert "Demander à la clinique d'annuler" in (await next_step(marie)).text
