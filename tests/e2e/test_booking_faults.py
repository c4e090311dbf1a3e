"""Nothing trusted, nothing lost, nothing doubled: forged data, double taps, API faults."""

from __future__ import annotations

import pytest

from tests.e2e.flow import identify, next_step, to_summary, to_when
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


def booked_for(vetbot: VetbotRun) -> list:
    return vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)


async def test_forged_callback_with_another_owners_pet(vetbot: VetbotRun, thomas) -> None:
    await identify(thomas)
    await thomas.tap("Prendre rendez-vous")
    await next_step(thomas)
    mimi = vetbot.sandbox.seed.demo_pet  # Marie's cat
    answer = await thomas.tap_data(f"p:{mimi.id}")
    assert answer.text == "Choisissez un de vos animaux dans la liste."
    assert thomas.last_text == "Pour quel animal ?"  # still the same choice, still his pets
    assert "Mimi" not in thomas.transcript.render()
    await thomas.tap("Rex")
    assert "motif du rendez-vous pour Rex" in (await next_step(thomas)).text


async def test_forged_slot_index_and_stale_keyboard(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_when(marie)
    await marie.send("demain à 15h")
    await next_step(marie)
    answer = await marie.tap_data("s:1:99")
    assert "Choisissez un créneau" in answer.text
    answer = await marie.tap_data("s:0:0")  # an older offer's generation
    assert "plus à jour" in answer.text
    assert booked_for(vetbot) == []


async def test_double_tap_on_confirm_books_once(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    summary = await to_summary(marie)
    confirm = next(b for b in summary.inline_buttons if "Confirmer" in b.text)
    await marie.tap_data(confirm.callback_data, summary.message_id)
    second = await marie.tap_data(confirm.callback_data, summary.message_id)
    assert "déjà fait" in second.text
    assert len(booked_for(vetbot)) == 1


async def test_slot_taken_at_confirm_offers_fresh_slots(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.conflict_next_post()
    await marie.tap("Confirmer")
    step = await next_step(marie)
    assert "Ce créneau vient d'être pris" in step.text
    assert any(b[:2].isdigit() for b in marie.buttons)
    await marie.tap(marie.buttons[0])
    await next_step(marie)
    await marie.tap("Confirmer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert len(booked_for(vetbot)) == 1


async def test_api_outage_keeps_the_draft_and_retry_books(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.fail_next(1, "500", method="POST")
    await marie.tap("Confirmer")
    step = await next_step(marie)
    assert "ne répond pas" in step.text and "Réessayer" in " ".join(marie.buttons)
    assert booked_for(vetbot) == []
    await marie.tap("Réessayer")
    done = await next_step(marie)
    assert "C'est confirmé" in done.text
    assert len(booked_for(vetbot)) == 1


async def test_each_failed_retry_shows_a_change(vetbot: VetbotRun, marie) -> None:
    """Tapping "Réessayer" into the same outage must not look like nothing happened."""
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.fail_next(2, "500", method="POST")
    await marie.tap("Confirmer")
    assert "ne répond pas" in (await next_step(marie)).text
    await marie.tap("Réessayer")
    again = await next_step(marie)
    assert "ne répond toujours pas (essai n° 2)" in again.text
    assert vetbot.clinic.phone in again.text and "Réessayer" in " ".join(marie.buttons)
    await marie.tap("Réessayer")
    assert "C'est confirmé" in (await next_step(marie)).text
    assert len(booked_for(vetbot)) == 1


async def test_a_failed_retry_at_any_step_shows_a_change(vetbot: VetbotRun, marie) -> None:
    """Found by the process reliability suite: at the slots step (not only at the
    confirmation) a retry into the same outage edited the panel with the very same text, so
    Telegram changed nothing and the owner saw nothing happen."""
    await identify(marie)
    await to_when(marie)
    vetbot.sandbox.faults.fail_next(6, "500", method="GET")  # two reads, three tries each
    await marie.send("demain à 15h")
    first = await next_step(marie)
    assert "ne répond pas pour le moment" in first.text
    await marie.tap("Réessayer")
    again = await next_step(marie)
    assert "ne répond toujours pas (essai n° 2)" in again.text
    assert vetbot.clinic.phone in again.text and "Réessayer" in " ".join(marie.buttons)
    await marie.tap("Réessayer")
    slots = await next_step(marie)
    assert "Créneaux libres" in slots.text and "15:00" in " ".join(marie.buttons)
    await marie.tap("15:00")
    assert "Récapitulatif" in (await next_step(marie)).text
    vetbot.sandbox.faults.fail_next(1, "500", method="POST")
    await marie.tap("Confirmer")
    assert "ne répond pas :" in (await next_step(marie)).text  # a new outage counts from 1


async def test_reads_ride_out_500s(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    vetbot.sandbox.faults.fail_next(2, "500", method="GET")
    await marie.tap("Prendre rendez-vous")
    step = await next_step(marie)
    assert "motif" in step.text


async def test_lost_answer_is_uncertain_never_confirmed(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    vetbot.sandbox.faults.lose_next_post_answer()
    await marie.tap("Confirmer", timeout=15)
    step = await next_step(marie, within=15)
    vetbot.sandbox.faults.release()
    assert "La clinique vérifie" in step.text
    assert "confirmé" not in step.text.lower().replace("vous confirme", "")
    assert len(booked_for(vetbot)) == 1
    with vetbot.store() as store:
        states = [b.state for b in store.upcoming_bookings(marie.user.id, vetbot.clock())]
    assert states == ["uncertain"]


async def test_restart_mid_flow_continues(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running():
        await identify(marie)
        await marie.tap("Prendre rendez-vous")
        await next_step(marie)
        await marie.tap("Vaccination")
        await next_step(marie)
    async with vetbot_setup.running():
        await marie.tap("Dr Claire Martin")
        step = await next_step(marie)
        assert "Quand" in step.text
        await marie.send("demain à 15h")
        await next_step(marie)
        await marie.tap("15:00")
        await next_step(marie)
        await marie.tap("Confirmer")
        assert "C'est confirmé" in (await next_step(marie)).text
    assert len(booked_for(vetbot_setup)) == 1
