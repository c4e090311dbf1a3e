"""Time-outs, bot commands, and `vetbot run` as a real process: SIGTERM mid-booking, restart."""

from __future__ import annotations

import asyncio
import re
import signal
from datetime import datetime, time, timedelta

import pytest

from bot.store import BookingDraft
from conversations import callbacks as cb
from tests.e2e.flow import identify, next_step, to_summary
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


async def test_silence_ends_the_booking_kindly(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running(conversation_timeout=timedelta(seconds=1)):
        await identify(marie)
        await marie.tap("Prendre rendez-vous")
        await next_step(marie)
        goodbye = await next_step(marie, within=10)
        assert "j'ai mis cette réservation de côté" in goodbye.text
        await marie.send("vaccin pour Mimi demain à 15h")  # and a new request works at once
        assert "Créneaux libres" in (await next_step(marie)).text


async def test_commands_are_set_in_french_and_english(vetbot: VetbotRun) -> None:
    commands = vetbot.world.bot.commands
    french = next(v for (scope, lang), v in commands.items() if not lang)
    english = next(v for (scope, lang), v in commands.items() if lang == "en")
    assert [c["command"] for c in french] == ["start", "rdv", "annuler", "langue", "oublier"]
    assert [c["command"] for c in english] == ["start", "book", "cancel", "language", "forget"]


@pytest.mark.slow
async def test_sigterm_mid_booking_then_restart_continues(vetbot_setup: VetbotRun, marie) -> None:
    first = await vetbot_setup.spawn()
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    await next_step(marie)
    await marie.tap("Vaccination")
    await next_step(marie)
    first.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(first.communicate(), 15)
    assert first.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert "(polling, uvloop event loop)" in err.decode()  # SIGTERM handled on uvloop too

    second = await vetbot_setup.spawn()
    try:
        await marie.tap("Peu importe")
        step = await next_step(marie)
        assert "Quand souhaitez-vous venir" in step.text
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 15)
    assert second.returncode == 0


async def test_booking_interrupted_mid_post_is_settled_at_start(
    vetbot_setup: VetbotRun, marie
) -> None:
    """A crash after the claim, before the answer: the next start sends the single retry."""
    import uuid
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.store import BookingDraft, BookingState

    sandbox = vetbot_setup.sandbox
    vet = sandbox.seed.vet_named("Dr Claire Martin")
    kind = sandbox.seed.type_named("Vaccination")
    booking_id = str(uuid.uuid4())
    async with vetbot_setup.running():
        await identify(marie)  # the chat exists and the owner is linked
    with vetbot_setup.store() as store:
        claim = store.claim_booking(
            BookingDraft(
                booking_id=booking_id,
                user_id=marie.user.id,
                client_id=sandbox.seed.demo_owner_one_pet.id,
                patient_id=sandbox.seed.demo_pet.id,
                vet_id=vet.id,
                appointment_type_id=kind.id,
                scheduled_at=datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Europe/Paris")),
                duration_minutes=15,
                is_urgent=False,
                pet_name="Mimi",
                vet_name=vet.name,
                type_name=kind.name,
            )
        )
        assert claim.won
    async with vetbot_setup.running():
        told = await next_step(marie)
        assert "mardi 24 novembre à 15:00" in told.text and "est confirmé" in told.text
    with vetbot_setup.store() as store:
        assert store.booking(booking_id).state == BookingState.BOOKED
    assert len(sandbox.appointments_for(sandbox.seed.demo_owner_one_pet.id)) == 1


@pytest.mark.slow
async def test_kill_9_right_after_a_confirmation_loses_nothing(
    vetbot_setup: VetbotRun, marie
) -> None:
    process = await vetbot_setup.spawn()
    try:
        await identify(marie)
        await marie.send("vaccin pour Mimi dès que possible")
        await next_step(marie)
        await marie.tap(marie.buttons[0])
        await next_step(marie)
        await marie.tap("Confirmer")
        told = await next_step(marie)
        assert "C'est confirmé" in told.text
    finally:
        process.kill()  # SIGKILL: no shutdown, no flush
        await process.wait()
    with vetbot_setup.store() as store:
        (record,) = store.upcoming_bookings(marie.user.id, vetbot_setup.clock() - timedelta(days=1))
    assert record.state == "booked" and record.appointment_id is not None
    assert (
        len(vetbot_setup.sandbox.appointments_for(vetbot_setup.sandbox.seed.demo_owner_one_pet.id))
        == 1
    )
    second = await vetbot_setup.spawn()
    try:
        await marie.tap("Mes rendez-vous")
        listing = await next_step(marie)
        assert "Mimi" in listing.text
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 15)


@pytest.mark.refusals_expected  # it injects them
async def test_one_log_line_per_update_with_outcome_and_duration(
    vetbot: VetbotRun, marie, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="vetbot.updates")
    await identify(marie)
    vetbot.world.faults.fail_next(1, status=500, method="sendMessage")
    await marie.send("bonjour")
    sorry = await next_step(marie)
    assert "Oups" in sorry.text  # the owner hears something kind, even then
    await marie.command("start")  # one chat's updates run in order: the failed one is done
    await next_step(marie)
    lines = [r.getMessage() for r in caplog.records if r.name == "vetbot.updates"]
    assert any("kind=command outcome=ok duration_ms=" in line for line in lines)
    (contact,) = [line for line in lines if "kind=contact outcome=ok" in line]
    # Finding her record is an API call: the line says so, and how long it waited on it.
    calls = re.search(r"treats_calls=(\d+) treats_ms=([\d.]+)", contact)
    assert calls is not None and int(calls[1]) >= 1 and float(calls[2]) > 0
    assert any("kind=text outcome=error" in line for line in lines), lines


async def test_back_at_the_summary_of_a_booking_the_restart_settled_nothing_books_twice(
    vetbot_setup: VetbotRun, marie
) -> None:
    """The process died during the confirmation's call to Treats; the restart settled the
    booking and told the owner, but the conversation came back at its summary (the state
    written before the tap). Showing that summary again used to mint a new booking id, and
    "Confirmer" then booked a second appointment: now the booking ends there, saying what
    became of it, and the old "Confirmer" says it is done."""
    sandbox = vetbot_setup.sandbox
    async with vetbot_setup.running():
        await identify(marie)
        summary = await to_summary(marie)
    confirm_data = next(b.callback_data for b in summary.inline_buttons if "Confirmer" in b.text)
    booking_id = cb.value(confirm_data or "", cb.CONFIRM)
    assert booking_id
    tomorrow = vetbot_setup.clock().astimezone(PARIS).date() + timedelta(days=1)
    with vetbot_setup.store() as store:  # the tap's claim, its call to Treats cut short
        assert store.claim_booking(
            BookingDraft(
                booking_id=booking_id,
                user_id=marie.user.id,
                client_id=sandbox.seed.demo_owner_one_pet.id,
                patient_id=sandbox.seed.demo_pet.id,
                vet_id=sandbox.seed.vet_named("Dr Claire Martin").id,
                appointment_type_id=sandbox.seed.type_named("Vaccination").id,
                scheduled_at=datetime.combine(tomorrow, time(15, 0), tzinfo=PARIS),
                duration_minutes=15,
                is_urgent=False,
                pet_name="Mimi",
                vet_name="Dr Claire Martin",
                type_name="Vaccination",
            )
        ).won
    async with vetbot_setup.running():
        told = await next_step(marie)
        assert "est confirmé" in told.text
        await marie.send("euh")  # at the summary the conversation came back to
        reply = await next_step(marie)
        assert "Ce rendez-vous est déjà réservé" in reply.text, reply.text
        assert "Que souhaitez-vous faire" in reply.text and "Confirmer" not in reply.buttons
        answer = await marie.tap_data(confirm_data or "", summary.message_id)
        assert "déjà fait" in (answer.text or "")
    assert len(sandbox.appointments_for(sandbox.seed.demo_owner_one_pet.id)) == 1
