"""An owner books from /start to confirmation, and the sandbox holds the appointment."""

from __future__ import annotations

import pytest

from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import VetbotRun

pytestmark = pytest.mark.both_databases


async def test_one_pet_owner_books_with_taps_and_a_typed_time(vetbot: VetbotRun, marie) -> None:
    await identify(marie)
    await marie.tap("Prendre rendez-vous")
    step = await next_step(marie)
    assert "motif" in step.text and "Mimi" in step.text  # one pet: the pet step is skipped
    await marie.tap("Vaccination")
    step = await next_step(marie)
    assert "vétérinaire" in step.text
    await marie.tap("Dr Claire Martin")
    step = await next_step(marie)
    assert "Quand" in step.text
    await marie.send("demain à 15h")
    step = await next_step(marie)
    assert "Créneaux libres le mardi 24 novembre" in step.text
    assert marie.buttons[:6] == ["15:00", "15:15", "15:30", "15:45", "16:00", "16:15"]
    await marie.tap("15:00")
    summary = await next_step(marie)
    assert "Récapitulatif" in summary.text and "mardi 24 novembre à 15:00" in summary.text
    await marie.tap("Confirmer")
    done = await next_step(marie)
    assert "C'est confirmé" in done.text and "Planifié" in done.text
    document = await next_step(marie)
    assert document.document is not None and document.document.file_name.endswith(".ics")
    booked = vetbot.sandbox.appointments_for(vetbot.sandbox.seed.demo_owner_one_pet.id)
    assert len(booked) == 1
    assert booked[0].scheduled_at.isoformat().startswith("2026-11-24T14:00")  # 15:00 Paris
    assert booked[0].patient_id == vetbot.sandbox.seed.demo_pet.id
