"""A tap on an old booking button is handed to its step only when the draft already holds
what that step builds on (the router's ``StepButton.ready``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from bot.booking import (
    Draft,
    confirm_tap_ready,
    pet_tap_ready,
    slot_tap_ready,
    type_tap_ready,
    urgent_answer_ready,
    vet_tap_ready,
    when_tap_ready,
)

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # Monday 08:30 in Paris, on a UTC server


def empty() -> Draft:
    return Draft(client_id="c1", started_at=NOW)


@pytest.mark.parametrize("ready", [pet_tap_ready, confirm_tap_ready])
def test_a_pet_or_a_confirmation_is_always_handed_on(ready: Callable[[Draft], bool]) -> None:
    """Their steps check the tapped id themselves (offered pets, the summary's booking id)."""
    assert ready(empty())


def test_a_type_needs_a_pet() -> None:
    draft = empty()
    assert not type_tap_ready(draft)
    draft.patient_id = "p1"
    assert type_tap_ready(draft)


def test_a_vet_needs_a_type() -> None:
    draft = empty()
    draft.patient_id = "p1"
    assert not vet_tap_ready(draft)
    draft.appointment_type_id = "t1"
    assert vet_tap_ready(draft)


@pytest.mark.parametrize(
    ("type_id", "vet_id", "any_vet", "ready"),
    [
        (None, None, False, False),
        (None, "v1", False, False),
        (None, None, True, False),
        ("t1", None, False, False),
        ("t1", "v1", False, True),
        ("t1", None, True, True),
    ],
)
def test_a_time_needs_a_type_and_a_vet_or_any_vet(
    type_id: str | None, vet_id: str | None, any_vet: bool, ready: bool
) -> None:
    draft = empty()
    draft.appointment_type_id, draft.vet_id, draft.any_vet = type_id, vet_id, any_vet
    assert when_tap_ready(draft) is ready


@pytest.mark.parametrize(
    ("type_id", "offer_day", "ready"),
    [
        (None, None, False),
        ("t1", None, False),
        (None, date(2026, 11, 24), False),
        ("t1", date(2026, 11, 24), True),
    ],
)
def test_a_slot_needs_a_type_and_a_page_of_slots_shown(
    type_id: str | None, offer_day: date | None, ready: bool
) -> None:
    draft = empty()
    draft.appointment_type_id, draft.offer_day = type_id, offer_day
    assert slot_tap_ready(draft) is ready


def test_an_answer_to_the_emergency_question_needs_the_question_asked() -> None:
    draft = empty()
    assert not urgent_answer_ready(draft)
    draft.triage_asked = True
    assert urgent_answer_ready(draft)
