"""Clinic staff: urgent alerts, acknowledgement, re-alerts, requests, commands, pause."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.standins.emulator import Person
from tests.e2e.flow import confirm, identify, next_step, to_summary
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


def outbox(vetbot: VetbotRun, application):
    return application.bot_data.staff_desk.outbox


async def report_emergency(owner: Person) -> None:
    """The owner types a reason with red flags and says yes, it is urgent."""
    await owner.tap("Prendre rendez-vous")
    await next_step(owner)
    await owner.send("il a mangé une tablette de chocolat et il tremble")
    question = await next_step(owner)
    assert "Est-ce une urgence" in question.text
    assert "Intoxication" in question.text or "intoxication" in question.text.lower()
    await owner.tap("Oui, c'est urgent")


async def test_urgent_case_reaches_staff_with_details_then_is_booked(
    vetbot: VetbotRun, marie
) -> None:
    vetbot.clock.advance(timedelta(hours=1, minutes=30))  # Monday 10:00: the clinic is open
    await identify(marie)
    await report_emergency(marie)
    alert = await vetbot.staff.next_message()
    assert "URGENCE" in alert.text
    assert "Mimi" in alert.text and "Marie Dubois" in alert.text and "06 39 98 12 34" in alert.text
    assert "chocolat" in alert.text
    assert {"🙋 Je prends", "📞 Rappeler", "💬 Ouvrir la discussion"} <= set(alert.buttons)
    phone = await next_step(marie)
    assert "Appelez la clinique tout de suite" in phone.text and vetbot.clinic.phone in phone.text
    slots = await next_step(marie)
    assert "lundi 23 novembre" in slots.text  # today, across all vets
    await marie.tap(marie.buttons[0])
    await next_step(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    booked = vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)
    assert len(booked) == 1 and booked[0].is_urgent
    edited = await vetbot.staff.next_message()
    while "RDV pris" not in edited.text:
        edited = await vetbot.staff.next_message()
    assert edited.message_id == alert.message_id  # the same alert, edited


async def test_acknowledgement_shows_who_and_stops_realerts(vetbot_setup: VetbotRun, marie):
    async with vetbot_setup.running() as application:
        await identify(marie)
        await report_emergency(marie)
        alert = await vetbot_setup.staff.next_message()
        lea = vetbot_setup.staff_member.in_group(vetbot_setup.staff)
        phone = await lea.tap("Rappeler")
        assert phone.text == "Marie Dubois : 06 39 98 12 34" and phone.show_alert
        answer = await lea.tap("Je prends")
        assert "noté" in answer.text
        taken = await vetbot_setup.staff.next_message()
        while "Pris en charge" not in taken.text:
            taken = await vetbot_setup.staff.next_message()
        assert "Léa Accueil" in taken.text and taken.message_id == alert.message_id
        assert "🙋 Je prends" not in taken.buttons
        vetbot_setup.clock.advance(timedelta(minutes=30))
        report = await outbox(vetbot_setup, application).deliver_due()
        assert report.realerted == ()


async def test_no_acknowledgement_realerts(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await identify(marie)
        await report_emergency(marie)
        alert = await vetbot_setup.staff.next_message()
        await outbox(vetbot_setup, application).deliver_due()  # the pass that sent it is over
        vetbot_setup.clock.advance(timedelta(minutes=6))
        outbox(vetbot_setup, application).wake()
        again = await vetbot_setup.staff.next_message()
        while again.message_id == alert.message_id:
            again = await vetbot_setup.staff.next_message()
        assert "Toujours pas pris en charge" in again.text


async def test_forged_acknowledgement_from_an_owner_is_refused(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await report_emergency(marie)
    alert = await vetbot.staff.next_message()
    ack = next(b for b in alert.inline_buttons if "Je prends" in b.text)
    # Her last message has no buttons left: the forged tap rides on it all the same.
    answer = await marie.tap_data(ack.callback_data, marie.messages[-1].message_id)
    assert "Réservé à l'équipe" in answer.text
    assert "Pris en charge" not in (vetbot.staff.last_text or "")


@pytest.mark.refusals_expected  # it injects them
async def test_staff_message_survives_telegram_errors_and_a_restart_once(
    vetbot_setup: VetbotRun, marie
) -> None:
    """A re-alert meets Telegram 502s, then a restart: delivered later, exactly once."""
    async with vetbot_setup.running() as application:
        await identify(marie)
        await report_emergency(marie)
        await vetbot_setup.staff.next_message()
        await outbox(vetbot_setup, application).deliver_due()
        vetbot_setup.world.faults.fail_next(3, status=502, method="sendMessage")
        vetbot_setup.clock.advance(timedelta(minutes=6))
        report = await outbox(vetbot_setup, application).deliver_due()
        assert report.retrying and not report.sent  # delayed, not lost
    realerts = [m for m in vetbot_setup.staff.messages if "Toujours pas" in m.text]
    assert realerts == []
    vetbot_setup.clock.advance(timedelta(minutes=1))  # past the backoff
    async with vetbot_setup.running() as application:
        again = await vetbot_setup.staff.next_message(timeout=10)
        while "Toujours pas" not in again.text:
            again = await vetbot_setup.staff.next_message(timeout=10)
        await outbox(vetbot_setup, application).deliver_due()
    realerts = [m for m in vetbot_setup.staff.messages if "Toujours pas" in m.text]
    assert len(realerts) == 1
    alerts = [m for m in vetbot_setup.staff.messages if m.text.startswith("🚨 URGENCE")]
    assert len(alerts) == 1


async def test_closed_clinic_gives_the_emergency_number(vetbot_setup: VetbotRun, marie) -> None:
    vetbot_setup.clock.advance(timedelta(hours=13))  # Monday 21:30
    async with vetbot_setup.running():
        await identify(marie)
        await report_emergency(marie)
        phone = await next_step(marie)
        assert "La clinique est fermée" in phone.text
        assert vetbot_setup.clinic.emergency_phone in phone.text


async def test_cancel_request_round_trip(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie, when="jeudi à 9h15", slot="09:15")
    await confirm(marie)
    await marie.tap("Mes rendez-vous")
    await next_step(marie)
    await marie.tap("Annuler · jeu.")
    question = await next_step(marie)
    assert "Demander à la clinique d'annuler" in question.text
    await marie.tap("Oui, demander")
    told = await next_step(marie)
    assert "demande d'annulation est transmise" in told.text
    request = await vetbot.staff.next_message()
    while "Demande d'annulation" not in request.text:
        request = await vetbot.staff.next_message()
    assert "Mimi" in request.text
    await vetbot.staff_member.in_group(vetbot.staff).tap("Fait")
    done = await next_step(marie)
    assert "a bien annulé votre rendez-vous" in done.text
    with vetbot.store() as store:
        assert store.upcoming_bookings(marie.user.id, vetbot.clock()) == []


async def test_staff_commands_only_in_the_staff_chat(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.command("stats")
    refused = await next_step(marie)
    assert "réservée au groupe de l'équipe" in refused.text
    lea = vetbot.staff_member.in_group(vetbot.staff)
    await lea.command("stats")
    figures = await vetbot.staff.next_message()
    assert "7 derniers jours" in figures.text


async def test_pause_then_resume(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    lea = vetbot.staff_member.in_group(vetbot.staff)
    await lea.command("pause", "1h")
    assert "en pause" in (await vetbot.staff.next_message()).text
    await marie.tap("Prendre rendez-vous")
    paused = await next_step(marie)
    assert "en pause" in paused.text and vetbot.clinic.phone in paused.text
    await lea.command("reprise")
    assert "rouverte" in (await vetbot.staff.next_message()).text
    await marie.tap("Menu")
    await next_step(marie)
    await marie.tap("Prendre rendez-vous")
    assert "motif" in (await next_step(marie)).text


async def test_today_lists_bookings_made_by_the_bot(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie, when="aujourd'hui à 15h", slot="15:00")
    await confirm(marie)
    await vetbot.staff_member.in_group(vetbot.staff).command("aujourdhui")
    listing = await vetbot.staff.next_message()
    while "aujourd'hui" not in listing.text:
        listing = await vetbot.staff.next_message()
    assert "Mimi" in listing.text and "Vaccination" in listing.text


async def test_unknown_number_can_ask_to_be_registered(vetbot: VetbotRun) -> None:
    stranger = vetbot.world.person("Paul", "Nouveau", phone_number="+33 6 00 00 00 07")
    await stranger.command("start")
    await next_step(stranger)
    await stranger.share_contact()
    await next_step(stranger)
    await next_step(stranger)
    await stranger.tap("Demander mon inscription")
    told = await next_step(stranger)
    assert "C'est transmis" in told.text
    request = await vetbot.staff.next_message()
    while "inscription" not in request.text:
        request = await vetbot.staff.next_message()
    assert "Paul Nouveau" in request.text and "+33 6 00 00 00 07" in request.text


async def test_uncertain_booking_is_checked_by_staff(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.lose_next_post_answer()
    await marie.tap("Confirmer", timeout=15)
    told = await next_step(marie, within=15)
    vetbot.sandbox.faults.release()
    assert "La clinique vérifie" in told.text
    check = await vetbot.staff.next_message()
    while "RDV à vérifier" not in check.text:
        check = await vetbot.staff.next_message()
    assert "Mimi" in check.text
    assert {"✅ Bien réservé", "✖️ Pas réservé"} <= set(check.buttons)
    await vetbot.staff_member.in_group(vetbot.staff).tap("Bien réservé")
    outcome = await next_step(marie)
    while "La clinique a vérifié" not in outcome.text:
        outcome = await next_step(marie)
    assert "bien enregistré" in outcome.text
    with vetbot.store() as store:
        states = [b.state for b in store.upcoming_bookings(marie.user.id, vetbot.clock())]
    assert states == ["booked"]
    decided = await vetbot.staff.next_message()
    assert decided.message_id == check.message_id and "Léa Accueil" in decided.text


async def test_add_a_pet_request_round_trip(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.tap("Prendre rendez-vous")
    await next_step(thomas)
    await thomas.tap("Un autre animal")
    assert "nom et l'espèce" in (await next_step(thomas)).text
    await thomas.send("Félix, chat, 2 ans")
    assert "C'est transmis" in (await next_step(thomas)).text
    request = await vetbot.staff.next_message()
    while "Nouvel animal" not in request.text:
        request = await vetbot.staff.next_message()
    assert "Félix, chat, 2 ans" in request.text and "Thomas Moreau" in request.text
    owner = vetbot.sandbox.seed.demo_owner_many_pets
    vetbot.sandbox.add_patient(owner.id, "Félix", species="Chat")  # the staff's part, in Treats
    await vetbot.staff_member.in_group(vetbot.staff).tap("Fait")
    told = await next_step(thomas)
    assert "a ajouté votre animal" in told.text
    await thomas.tap("Prendre rendez-vous")  # never a dead end: book for the new pet at once
    assert "Pour quel animal" in (await next_step(thomas)).text
    assert any("Félix" in label for label in thomas.buttons), thomas.buttons


async def test_an_owner_with_one_pet_can_ask_for_another(vetbot: VetbotRun, marie) -> None:
    """Mimi is chosen for Marie (her only pet), so the reason step offers another animal."""
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    reason = await next_step(marie)
    assert "motif" in reason.text and "Mimi" in reason.text
    assert "➕ Un autre animal" in reason.buttons
    await marie.tap("Un autre animal")
    assert "nom et l'espèce" in (await next_step(marie)).text
    await marie.send("Caramel, lapin, 1 an")
    assert "C'est transmis" in (await next_step(marie)).text
    request = await vetbot.staff.next_message()
    while "Nouvel animal" not in request.text:
        request = await vetbot.staff.next_message()
    assert "Caramel, lapin, 1 an" in request.text


async def test_a_pet_picked_from_several_is_not_second_guessed(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.tap("Prendre rendez-vous")
    pets = await next_step(thomas)
    assert "➕ Un autre animal" in pets.buttons
    await thomas.tap(pets.buttons[0])
    reason = await next_step(thomas)
    assert "motif" in reason.text
    assert "➕ Un autre animal" not in reason.buttons


async def test_not_booked_after_check_offers_slots_again(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.lose_next_post_answer()
    await marie.tap("Confirmer", timeout=15)
    await next_step(marie, within=15)
    vetbot.sandbox.faults.release()
    check = await vetbot.staff.next_message()
    while "RDV à vérifier" not in check.text:
        check = await vetbot.staff.next_message()
    await vetbot.staff_member.in_group(vetbot.staff).tap("Pas réservé")
    outcome = await next_step(marie)
    while "La clinique a vérifié" not in outcome.text:
        outcome = await next_step(marie)
    assert "n'a pas pu être enregistré" in outcome.text
    await marie.tap("Choisir un autre créneau")
    assert "motif" in (await next_step(marie)).text
