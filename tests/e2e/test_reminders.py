"""Reminders at the right instants (injected clock, quiet hours), across restarts, once;
"Je serai là" for the staff; a clinic-side cancellation reaches the owner."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.flow import confirm, identify, next_step, to_summary
from tests.support.treats_fixtures import PARIS
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


async def book_thursday_915(marie) -> None:
    await identify(marie)
    await to_summary(marie, when="jeudi à 9h15", slot="09:15")
    await confirm(marie)


async def at(vetbot: VetbotRun, application, when: datetime) -> None:
    """Move the clock, and let the reminders loop see it (an event, not a sleep)."""
    vetbot.clock.set(when)
    await application.bot_data.reminders.deliver_due()


def reminders_seen(marie) -> list[str]:
    return [m.text for m in marie.messages if m.text.startswith("⏰")]


async def test_day_before_and_quiet_hours(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        await at(vetbot_setup, application, datetime(2026, 11, 25, 9, 14, tzinfo=PARIS))
        assert reminders_seen(marie) == []
        await at(vetbot_setup, application, datetime(2026, 11, 25, 9, 15, tzinfo=PARIS))
        first = await next_step(marie)
        assert first.text.startswith("⏰ Rappel") and "jeudi 26 novembre à 09:15" in first.text
        assert {"✅ Je serai là", "🔁 Déplacer", "❌ Annuler"} <= set(first.buttons)
        # 2 h before is 07:15, inside the quiet hours: it goes out the evening before, 20:59
        await at(vetbot_setup, application, datetime(2026, 11, 25, 20, 58, tzinfo=PARIS))
        assert len(reminders_seen(marie)) == 1
        await at(vetbot_setup, application, datetime(2026, 11, 25, 20, 59, tzinfo=PARIS))
        second = await next_step(marie)
        assert second.text.startswith("⏰ C'est bientôt")
        await at(vetbot_setup, application, datetime(2026, 11, 26, 8, 0, tzinfo=PARIS))
        assert len(reminders_seen(marie)) == 2


async def test_i_will_be_there_is_shown_to_staff(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        await at(vetbot_setup, application, datetime(2026, 11, 25, 9, 15, tzinfo=PARIS))
        await next_step(marie)
        answer = await marie.tap("Je serai là")
        assert "à bientôt" in answer.text
        vetbot_setup.clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=PARIS))
        await vetbot_setup.staff_member.in_group(vetbot_setup.staff).command("aujourdhui")
        listing = await vetbot_setup.staff.next_message()
        while "aujourd'hui" not in listing.text:
            listing = await vetbot_setup.staff.next_message()
        assert "Mimi" in listing.text and "sera là" in listing.text


async def test_a_restart_loses_no_reminder_and_repeats_none(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running():
        await book_thursday_915(marie)
    vetbot_setup.clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=PARIS))  # while it was down
    async with vetbot_setup.running() as application:
        await application.bot_data.reminders.deliver_due()
        assert (await next_step(marie)).text.startswith("⏰ Rappel")
    async with vetbot_setup.running() as application:
        await application.bot_data.reminders.deliver_due()
    assert len(reminders_seen(marie)) == 1


async def test_a_cancelled_appointment_gets_no_reminder(vetbot_setup: VetbotRun, marie) -> None:
    async with vetbot_setup.running() as application:
        await book_thursday_915(marie)
        (appointment,) = vetbot_setup.sandbox.appointments_for(
            vetbot_setup.sandbox.seed.demo_owner_one_pet.id
        )
        vetbot_setup.sandbox.set_status(appointment.id, "CANCELLED")
        vetbot_setup.clock.advance(timedelta(minutes=11))
        watcher = application.bot_data.watcher
        watcher.wake()
        told = await next_step(marie, within=10)
        assert "La clinique a annulé le rendez-vous du jeudi 26 novembre à 09:15" in told.text
        await at(vetbot_setup, application, datetime(2026, 11, 25, 9, 15, tzinfo=PARIS))
    assert reminders_seen(marie) == []
