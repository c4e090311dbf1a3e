"""read_request: one message says pet, reason, vet, time and urgency; typos forgiven."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.request_reading import read_request

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


@dataclass(frozen=True)
class Named:
    id: str
    name: str


PETS = [Named("p-mimi", "Mimi"), Named("p-rex", "Rex"), Named("p-noisette", "Noisette")]
TYPES = [
    Named("t-consult", "Consultation générale"),
    Named("t-vaccin", "Vaccination"),
    Named("t-suivi", "Contrôle / suivi"),
    Named("t-chir", "Chirurgie"),
    Named("t-dent", "Dentisterie"),
]
VETS = [Named("v-martin", "Dr Claire Martin"), Named("v-durand", "Dr Julien Durand")]


def read(text: str):
    return read_request(text, NOW, PETS, TYPES, VETS)


def test_the_issue_example() -> None:
    reading = read(
        "Bonjour, je voudrais un rendez-vous pour Mimi mardi prochain vers 10h pour son vaccin"
    )
    assert reading.patient_id == "p-mimi"
    assert reading.appointment_type_id == "t-vaccin"
    assert reading.vet_id is None
    assert reading.when is not None and reading.when.preferred is not None
    assert reading.when.preferred.hour == 10 and reading.when.preferred.weekday() == 1
    assert reading.urgent_hint is False


@pytest.mark.parametrize(
    ("text", "pet", "kind", "vet"),
    [
        ("mimi vacin", "p-mimi", "t-vaccin", None),
        ("noisete pour un controle", "p-noisette", "t-suivi", None),
        ("rex chez le dr durant pour ses dents", "p-rex", "t-dent", "v-durand"),
        ("operation de REX avec docteur martin", "p-rex", "t-chir", "v-martin"),
        ("consultation pour mon chien", None, "t-consult", None),
    ],
)
def test_typos_case_and_missing_accents(text: str, pet, kind, vet) -> None:
    reading = read(text)
    assert (reading.patient_id, reading.appointment_type_id, reading.vet_id) == (pet, kind, vet)


def test_the_morning_is_not_dr_martin() -> None:
    assert read("un vaccin pour Rex jeudi matin").vet_id is None


def test_nothing_found_is_none_not_a_guess() -> None:
    reading = read("bonjour")
    assert (reading.patient_id, reading.appointment_type_id, reading.vet_id, reading.when) == (
        None,
        None,
        None,
        None,
    )


def test_two_pets_named_is_no_pet() -> None:
    assert read("pour Mimi et Rex demain").patient_id is None


@pytest.mark.parametrize(
    "text", ["mon chien a mangé du chocolat", "c'est urgent", "il convulse depuis ce matin"]
)
def test_urgency_hint(text: str) -> None:
    assert read(text).urgent_hint is True
