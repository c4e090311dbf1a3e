"""'Retour' at each booking step: which choice is undone and which step shows again, with the
steps the owner never saw skipped (one vet for the type, one pet)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.booking import BookingStep, Draft, OfferedSlot, step_back
from bot.when import parse_when

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # Monday 08:30 in Paris, on a UTC server


def full_draft() -> Draft:
    draft = Draft(client_id="c1", started_at=NOW, patient_id="p1", appointment_type_id="t1")
    draft.vet_id = "v1"
    draft.when = parse_when("demain à 10h", NOW)
    draft.slot = OfferedSlot(vet_id="v1", start=NOW, end=NOW)
    return draft


def test_from_the_summary_the_slot_is_undone_and_the_slots_show_again() -> None:
    draft = full_draft()
    assert step_back(draft, "summary", several_vets=True, several_pets=True) is BookingStep.SLOT
    assert draft.slot is None and draft.when is not None


def test_from_the_slots_the_time_is_asked_again() -> None:
    draft = full_draft()
    assert step_back(draft, "slot", several_vets=True, several_pets=True) is BookingStep.WHEN
    assert draft.when is None and draft.vet_id == "v1"


@pytest.mark.parametrize(
    ("several_vets", "shown", "type_kept"),
    [(True, BookingStep.VET, True), (False, BookingStep.REASON, False)],
)
def test_from_the_time_step_the_vet_step_is_skipped_when_only_one_vet_does_the_type(
    several_vets: bool, shown: BookingStep, type_kept: bool
) -> None:
    draft = full_draft()
    draft.any_vet = True
    assert step_back(draft, "when", several_vets=several_vets, several_pets=True) is shown
    assert (draft.vet_id, draft.any_vet) == (None, False)
    assert (draft.appointment_type_id is not None) is type_kept


def test_from_the_vet_step_the_type_is_asked_again() -> None:
    draft = full_draft()
    assert step_back(draft, "vet", several_vets=True, several_pets=True) is BookingStep.REASON
    assert draft.appointment_type_id is None and draft.patient_id == "p1"


@pytest.mark.parametrize(("several_pets", "shown"), [(True, BookingStep.PET), (False, None)])
def test_from_the_reason_step_a_one_pet_owner_leaves_the_booking(
    several_pets: bool, shown: BookingStep | None
) -> None:
    draft = full_draft()
    assert step_back(draft, "reason", several_vets=True, several_pets=several_pets) is shown


@pytest.mark.parametrize("at", ["pet", "urgent", "menu", None])
def test_from_the_first_step_or_elsewhere_there_is_nothing_to_go_back_to(at: str | None) -> None:
    assert step_back(full_draft(), at, several_vets=True, several_pets=True) is None
