"""Which appointment type an emergency is booked as, and which types are emergencies."""

from __future__ import annotations

import pytest

from bot.emergency_type import UrgentType, choose_urgent_type, chosen_is_urgent, is_urgent
from bot.treats import AppointmentType


def kind(type_id: str, name: str) -> AppointmentType:
    return AppointmentType(id=type_id, name=name, duration_minutes=30)


VACCINATION = kind("t-vacc", "Vaccination")
CONSULTATION = kind("t-consult", "Consultation")
URGENCE = kind("t-urg", "Urgence")
SOINS = kind("t-soins", "Soins immédiats")
CLINIC_TYPES = [VACCINATION, CONSULTATION, SOINS, URGENCE]


# -- which types are emergencies ----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Urgence", "URGENCES vétérinaires", "Consultation d'urgence", "Emergency visit"]
)
def test_by_default_names_that_read_as_an_emergency_are_urgent(name: str) -> None:
    assert is_urgent(None, "t-1", name)


@pytest.mark.parametrize("name", ["Vaccination", "Consultation", "Soins immédiats", ""])
def test_by_default_other_names_are_not(name: str) -> None:
    assert not is_urgent(None, "t-1", name)


def test_a_configured_list_names_types_by_id_or_by_name_without_case_or_accents() -> None:
    listed = ["SOINS IMMEDIATS", "t-9"]
    assert is_urgent(listed, "t-1", "Soins immédiats")
    assert is_urgent(listed, "t-9", "Autre")
    assert not is_urgent(listed, "t-1", "Urgence")  # the list replaces the default words
    assert not is_urgent([], "t-1", "Urgence")  # an empty list: no type is


# -- choosing the type --------------------------------------------------------------------


def test_the_clinics_first_default_urgent_type_replaces_a_routine_choice() -> None:
    chosen = choose_urgent_type(None, "t-vacc", "Vaccination", CLINIC_TYPES)
    assert chosen == UrgentType("t-urg", "Urgence")


def test_the_default_words_find_an_english_emergency_type() -> None:
    types = [kind("t-check", "Check-up"), kind("t-em", "Emergency consultation")]
    assert choose_urgent_type(None, None, None, types) == UrgentType(
        "t-em", "Emergency consultation"
    )


def test_configured_ids_are_found() -> None:
    chosen = choose_urgent_type(["t-soins"], "t-consult", "Consultation", CLINIC_TYPES)
    assert chosen == UrgentType("t-soins", "Soins immédiats")


def test_configured_names_are_found_whatever_their_case_and_accents() -> None:
    chosen = choose_urgent_type(["soins IMMEDIATS"], None, None, CLINIC_TYPES)
    assert chosen == UrgentType("t-soins", "Soins immédiats")


def test_the_first_urgent_type_in_the_apis_order_wins() -> None:
    chosen = choose_urgent_type(["Urgence", "t-soins"], None, None, CLINIC_TYPES)
    assert chosen.id == "t-soins"


def test_a_choice_already_urgent_is_kept_and_its_name_left_alone() -> None:
    types = [kind("t-em", "Emergency"), URGENCE]
    chosen = choose_urgent_type(None, "t-urg", "Urgence", types)
    assert chosen == UrgentType("t-urg", None)
    assert chosen_is_urgent(None, "t-urg", "Urgence")


def test_with_no_urgent_type_the_owners_choice_is_kept() -> None:
    assert choose_urgent_type(None, "t-vacc", "Vaccination", [VACCINATION, CONSULTATION]) == (
        UrgentType("t-vacc", None)
    )
    assert choose_urgent_type([], "t-vacc", "Vaccination", CLINIC_TYPES) == (
        UrgentType("t-vacc", None)
    )


def test_with_nothing_chosen_and_no_urgent_type_there_is_no_type() -> None:
    assert choose_urgent_type(None, None, None, [VACCINATION]) == UrgentType(None, None)
    assert not chosen_is_urgent(None, None, None)


def test_a_chosen_type_without_a_known_name_is_judged_by_its_id_only() -> None:
    assert chosen_is_urgent(["t-urg"], "t-urg", None)
    assert not chosen_is_urgent(None, "t-urg", None)
