"""What a bad day must not turn into a lie or a dead end (issue 15).

A repeated "Confirmer" says what is true of the booking now; a booking settled while nobody was
told (the process died between the API's answer and the telling, or during the POST) reaches
the owner and the staff at the next start, once, with the same staff messages as after a tap;
a screen a step ahead of the state restored after a crash still works; each tap is answered
once.
"""

from __future__ import annotations

import pickle
import uuid
from collections import Counter

import pytest

from bot.store import BookingDraft, BookingState
from tests.e2e.flow import confirm, identify, next_step, to_summary, to_when
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


def booked_for(vetbot: VetbotRun) -> list:
    return vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)


def answers_per_tap(vetbot: VetbotRun) -> Counter[str]:
    """How many times the bot answered each callback query (Telegram takes one)."""
    return Counter(
        str(call.params.get("callback_query_id"))
        for call in vetbot.world.bot.calls
        if call.method == "answercallbackquery"
    )


async def test_confirm_again_after_the_slot_was_taken_is_not_dejà_fait(
    vetbot: VetbotRun, marie
) -> None:
    await identify(marie)
    summary = await to_summary(marie)
    confirm = next(b for b in summary.inline_buttons if "Confirmer" in b.text)
    vetbot.sandbox.faults.conflict_next_post()
    await marie.tap_data(confirm.callback_data, summary.message_id)
    assert "Ce créneau vient d'être pris" in (await next_step(marie)).text
    second = await marie.tap_data(confirm.callback_data, summary.message_id)
    assert "déjà fait" not in (second.text or "")
    assert "pas pu être pris" in (second.text or "")
    assert "Créneaux libres" in (await next_step(marie)).text  # the way forward, on screen
    assert booked_for(vetbot) == []


async def test_confirm_again_while_the_clinic_checks_says_so(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    summary = await to_summary(marie)
    confirm = next(b for b in summary.inline_buttons if "Confirmer" in b.text)
    vetbot.sandbox.faults.lose_next_post_answer()
    await marie.tap_data(confirm.callback_data, summary.message_id, timeout=15)
    assert "La clinique vérifie" in (await next_step(marie, within=15)).text
    vetbot.sandbox.faults.release()
    second = await marie.tap_data(confirm.callback_data, summary.message_id)
    assert "déjà fait" not in (second.text or "")
    assert "vérifie" in (second.text or "")


async def test_every_tap_of_a_booking_is_answered_once(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await to_summary(marie)
    await confirm(marie)
    await marie.tap_data("p:not-a-pet")  # a refused tap answers with a text, once too
    twice = {query: n for query, n in answers_per_tap(vetbot).items() if n > 1}
    assert twice == {}, f"taps answered more than once: {twice}"


def left_in_flight(vetbot: VetbotRun, marie_user_id: int) -> str:
    """A booking the process was sending when it died: claimed, no answer recorded."""
    seed = vetbot.sandbox.seed
    vet = seed.vet_named("Dr Claire Martin")
    kind = seed.type_named("Vaccination")
    day = vetbot.sandbox.today()
    start = vetbot.clock().replace(hour=14, minute=0, second=0, microsecond=0)
    assert start.date() == day
    booking_id = str(uuid.uuid4())
    with vetbot.store() as store:
        claim = store.claim_booking(
            BookingDraft(
                booking_id=booking_id,
                user_id=marie_user_id,
                client_id=seed.demo_owner_one_pet.id,
                patient_id=seed.demo_pet.id,
                vet_id=vet.id,
                appointment_type_id=kind.id,
                scheduled_at=start,
                duration_minutes=15,
                is_urgent=False,
                pet_name="Mimi",
                vet_name=vet.name,
                type_name=kind.name,
            )
        )
        assert claim.won
    return booking_id


async def test_a_booking_settled_uncertain_at_restart_is_checked_by_the_staff(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
    left_in_flight(vetbot_setup, marie.user.id)
    vetbot_setup.sandbox.faults.fail_next(3, "500", method="POST")
    async with vetbot_setup.running():
        told = await marie.next_reply()
        assert "La clinique vérifie" in told.text
        request = await vetbot_setup.staff.next_message()
        assert "RDV à vérifier" in request.text and "Mimi" in request.text


async def test_a_booking_settled_booked_at_restart_is_announced_once(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
    left_in_flight(vetbot_setup, marie.user.id)
    async with vetbot_setup.running():
        told = await marie.next_reply()
        assert "est confirmé" in told.text
        announced = await vetbot_setup.staff.next_message()
        assert "Nouveau RDV" in announced.text and "Mimi" in announced.text
    seen = len(marie.messages)
    async with vetbot_setup.running():
        await marie.command("start")
        await marie.next_reply()
    assert not any("est confirmé" in m.text for m in marie.messages[seen:])
    assert len(booked_for(vetbot_setup)) == 1


async def test_booked_but_never_told_is_told_at_the_next_start(
    vetbot_setup: VetbotRun, marie
) -> None:
    """The process died after Treats said 201 and before anyone was told."""
    async with vetbot_setup.running():
        await identify(marie)
    booking_id = left_in_flight(vetbot_setup, marie.user.id)
    with vetbot_setup.store() as store:
        store.finish_booking(booking_id, BookingState.BOOKED, appointment_id="appt-1")
    async with vetbot_setup.running():
        assert "est confirmé" in (await marie.next_reply()).text
        assert "Nouveau RDV" in (await vetbot_setup.staff.next_message()).text


def restore_a_step_behind(vetbot: VetbotRun, state: str) -> None:
    """What a kill between a reply and PTB's next write leaves: the previous step's state."""
    with vetbot.store() as store:
        rows = store.database.execute(
            "SELECT conv_key FROM ptb_conversations WHERE name = 'owner'"
        ).fetchall()
        keys = [key for (key,) in rows]
        assert len(keys) == 1, keys
        store.database.execute(
            "UPDATE ptb_conversations SET state = ? WHERE name = 'owner'",
            (pickle.dumps(state),),
        )


async def test_a_screen_ahead_of_the_restored_state_still_works(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
        await marie.tap("Prendre rendez-vous")
        await next_step(marie)
        await marie.tap("Vaccination")
        assert "vétérinaire" in (await next_step(marie)).text
    restore_a_step_behind(vetbot_setup, "reason")
    async with vetbot_setup.running():
        answer = await marie.tap("Dr Claire Martin")
        assert "plus valable" not in (answer.text or "")
        assert "Quand souhaitez-vous venir" in (await next_step(marie)).text


async def test_a_known_owner_is_never_asked_for_the_number_again(
    vetbot_setup: VetbotRun, marie
) -> None:
    async with vetbot_setup.running():
        await identify(marie)
        await to_when(marie)
    restore_a_step_behind(vetbot_setup, "share_contact")
    async with vetbot_setup.running():
        await marie.send("demain à 15h")
        step = await next_step(marie)
        assert "numéro" not in step.text, step.text
        assert "Créneaux libres" in step.text or "motif" in step.text, step.text
