"""Flood control: bursts of 200 staff alerts or 200 reminders stay under Telegram's limits
(the emulator enforces them and refuses none) and every message arrives, once, in order.

Telegram's periods are shortened (same rates per period) so a burst takes a couple of
seconds; the bot's rate limiter and the emulator get the same limits.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from http import HTTPStatus

import pytest

from bot.runtime.flood_limits import TELEGRAM_FLOOD_LIMITS
from bot.standins.emulator import Person
from bot.store import BookingDraft, BookingState, OutboxKind, StaffMessage
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

BURST = 200
GROUP_FLOOD = TELEGRAM_FLOOD_LIMITS.scaled(0.005)
"""20 messages per 0.3 s into one group: the burst takes about 3 s."""
OVERALL_FLOOD = TELEGRAM_FLOOD_LIMITS.scaled(0.5)
"""30 messages per 0.5 s overall (a third of what the bot could send): the limiter paces them."""
APPOINTMENT = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


@pytest.mark.refusals_expected  # it injects them
async def test_a_burst_of_staff_alerts_respects_the_group_limit(vetbot_setup: VetbotRun) -> None:
    world, staff = vetbot_setup.world, vetbot_setup.staff
    world.bot.flood.configure(GROUP_FLOOD)
    async with vetbot_setup.running(flood=GROUP_FLOOD) as application:
        outbox = application.bot_data.staff_desk.outbox
        # Telegram also refuses one message outright: it is waited out, not dropped.
        world.faults.fail_next(1, status=HTTPStatus.TOO_MANY_REQUESTS, method="sendmessage")
        for number in range(BURST):
            outbox.enqueue(OutboxKind.BOOKING, staff.id, StaffMessage(f"Annonce n° {number}"))
        received = [(await staff.next_message(timeout=30)).text for _ in range(BURST)]
    assert received == [f"Annonce n° {number}" for number in range(BURST)]
    assert world.bot.flood.refusals == []
    assert world.bot.flood.admitted >= BURST
    assert world.faults.pending == 0


@pytest.mark.refusals_expected  # it injects them
async def test_a_burst_of_reminders_respects_the_overall_limit(vetbot_setup: VetbotRun) -> None:
    world = vetbot_setup.world
    owners = [world.person(f"Client {number}") for number in range(BURST)]
    async with vetbot_setup.running(flood=OVERALL_FLOOD) as application:
        # Each owner has written to the bot once (Telegram lets a bot answer only then).
        await asyncio.gather(*(owner.command("start") for owner in owners))
        await asyncio.gather(*(owner.next_reply(30) for owner in owners))
        world.bot.flood.configure(OVERALL_FLOOD)
        with vetbot_setup.store() as store:
            bookings = [_booked(store, number, owner) for number, owner in enumerate(owners)]
        reminders = application.bot_data.reminders
        for booking in bookings:
            reminders.schedule(booking)
        vetbot_setup.clock.set(APPOINTMENT - timedelta(hours=24))
        report = await reminders.deliver_due()
        seen = await asyncio.gather(*(owner.next_reply(30) for owner in owners))
    assert len(report.sent) == BURST
    for number, reminder in enumerate(seen):
        assert reminder.text.startswith("⏰ Rappel") and f"Animal {number}" in reminder.text
    assert all(len(_reminders(owner)) == 1 for owner in owners)
    assert world.bot.flood.refusals == []


def _booked(store, number: int, owner: Person):
    draft = BookingDraft(
        booking_id=f"flood-{number}",
        user_id=owner.user.id,
        client_id=f"cli-{number}",
        patient_id=f"pat-{number}",
        vet_id="vet-1",
        scheduled_at=APPOINTMENT,
        duration_minutes=20,
        is_urgent=False,
        pet_name=f"Animal {number}",
        vet_name="Dr Claire Martin",
        type_name="Consultation",
    )
    store.claim_booking(draft)
    return store.finish_booking(
        draft.booking_id, BookingState.BOOKED, appointment_id=f"apt-{number}"
    )


def _reminders(owner: Person) -> list[str]:
    return [message.text for message in owner.messages if message.text.startswith("⏰")]
