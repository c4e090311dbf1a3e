"""Small readings of an owner's words: a species for a pet, a typed word for a command, the
reason kept from a first message, the clinic's urgent types. Each is what an owner would see
go right or wrong: the staff alert naming the right pet, "annuler" doing what /annuler does,
Treats getting "vaccin" rather than "vaccin pour Mimi demain à 15h"."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.booking import Draft
from bot.config import ClinicConfig
from bot.pet_reading import read_pets
from bot.request_reading import mentions_urgency, read_request
from bot.species_words import SPECIES, record_group, record_species
from bot.type_words import KINDS, check_word, kinds_of
from bot.word_index import WordIndex, similar, tokenize
from conversations.navigation import command_word


@dataclass(frozen=True, slots=True)
class _Pet:
    """A pet known by its species only: what names it in these tests is the species word."""

    id: str
    name: str
    species: str | None


def match_species(text: str, pets: list[tuple[str, str | None]]) -> str | None:
    """The one pet of the species the text names, as the one-message reader finds it."""
    return read_pets(
        text, tokenize(text), [_Pet(pid, "", species) for pid, species in pets]
    ).patient_id


PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=PARIS)
THOMAS_PETS = [("p-rex", "Chien"), ("p-caramel", "Chat"), ("p-noisette", "Lapin")]


@dataclass(frozen=True)
class Pet:
    id: str
    name: str
    species: str | None = None


@dataclass(frozen=True)
class Named:
    id: str
    name: str


PETS = [Pet("p-mimi", "Mimi", "Chat")]
TYPES = [Named("t-vaccin", "Vaccination"), Named("t-consult", "Consultation générale")]
VETS = [Named("v-martin", "Dr Claire Martin"), Named("v-durand", "Dr Julien Durand")]


@pytest.mark.parametrize(
    ("text", "pet"),
    [
        ("mon chien a mangé du chocolat", "p-rex"),
        ("ma chienne boite", "p-rex"),
        ("my dog ate chocolate", "p-rex"),
        ("le chaton tousse", "p-caramel"),
        ("notre lapine ne mange plus", "p-noisette"),
        ("il a mangé du chocolat", None),  # no species named
        ("le chien et le chat se sont battus", None),  # two species: which one?
    ],
)
def test_a_pet_named_by_its_species(text: str, pet: str | None) -> None:
    assert match_species(text, THOMAS_PETS) == pet


def test_two_pets_of_one_species_are_not_guessed() -> None:
    assert match_species("mon chat vomit", [("p-nala", "Chat"), ("p-simba", "Chat")]) is None


@pytest.mark.parametrize(
    "text",
    [
        "is that possible tomorrow?",  # "that" is one letter from "chat"
        "what time?",
        "son pouls est faible",  # "pouls" is one letter from "poule"
        "radio de la patte",
        "un chat m'a griffé",  # someone else's cat
        "le chat du voisin",
    ],
)
def test_ordinary_words_name_no_species(text: str) -> None:
    pets = [("p-1", "Chat"), ("p-2", "Poule"), ("p-3", "Rat")]
    assert match_species(text, pets) is None


@pytest.mark.parametrize(
    ("record", "key"),
    [
        ("Chien", "chien"),
        ("Chienne", "chien"),
        ("Dog", "chien"),
        ("Chat européen", "chat"),
        ("Cochon d'Inde", "cochon d'inde"),
        ("Cobaye", "cochon d'inde"),
        ("NAC", None),  # says nothing sure: offered for any of its species, never taken
        ("", None),
        (None, None),
    ],
)
def test_a_records_species(record: str | None, key: str | None) -> None:
    assert record_species(record) == key


def test_group_records() -> None:
    assert record_group("NAC") == "nac"
    assert record_group("Chien") is None


def test_every_species_and_kind_is_written_once() -> None:
    """One place each: a word in two species (or a species key twice) would make the reading
    unsure of every message holding it."""
    species_words = [word.lstrip("=") for species in SPECIES for word in species.words]
    assert len(species_words) == len(set(species_words))
    assert len({species.key for species in SPECIES}) == len(SPECIES)
    assert len({kind.key for kind in KINDS}) == len(KINDS)
    assert all(kind.fallback in {k.key for k in KINDS} for kind in KINDS if kind.fallback)


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("Vaccination", ("vaccination",)),
        ("Consultation générale", ("consultation",)),
        ("Contrôle / suivi", ("controle",)),
        ("Chirurgie", ("chirurgie",)),
        ("Stérilisation", ("sterilisation",)),
        ("Dentisterie", ("dentaire",)),
        ("Urgence", ("urgence",)),
        ("Pension", ()),
    ],
)
def test_a_clinic_types_kind_is_read_from_its_name(name: str, kinds: tuple[str, ...]) -> None:
    assert kinds_of(name) == kinds


def test_the_word_index_reads_stems_phrases_and_typos() -> None:
    index = WordIndex([("vaccin*", "v"), ("prise de sang", "p"), ("sang", "s"), ("=tartre", "t")])

    def found(text: str) -> list[str]:
        return [hit.value for hit in index.find(tokenize(text))]

    assert found("il faut la vacciner") == ["v"]
    assert found("une vaccinnation") == ["v"]  # a typo in a long stem
    assert found("une prise de sang") == ["p"]  # the longest phrase, not "sang" besides
    assert found("du sang") == ["s"]
    assert found("du tartre") == ["t"]
    assert found("une tarte") == []  # "=": written right only


@pytest.mark.parametrize(
    ("typed", "known", "same"),
    [
        ("noisete", "noisette", True),
        ("vacin", "vaccin", True),
        ("midi", "mimi", False),  # short words: no typo allowed
        ("that", "chat", False),
        ("appel", "rappel", False),  # a typo never changes the first letter
        ("matin", "martin", False),  # an ordinary word is no typo of a name
    ],
)
def test_typos_are_forgiven_only_where_safe(typed: str, known: str, same: bool) -> None:
    assert similar(typed, known) is same


@pytest.mark.parametrize(
    ("word", "problem"),
    [
        ("détartrage", None),
        ("mauvaise haleine", None),
        ("ostéo*", None),
        ("rx", "is shorter than 3 letters"),
        ("os*", "needs at least 4 letters before its *"),
        ("os*téo", "may hold a * only at its end"),
        ("123", "has no letter"),
    ],
)
def test_a_clinics_word_is_checked(word: str, problem: str | None) -> None:
    assert check_word(word) == problem


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("annuler", "abort"),
        ("Annuler", "abort"),
        ("  annuler !", "abort"),
        ("STOP", "abort"),
        ("arrêter", "abort"),
        ("cancel", "abort"),
        ("retour", "back"),
        ("Back", "back"),
        ("précédent", "back"),
        ("menu", "menu"),
        ("Main menu", "menu"),
        ("annuler mon rendez-vous de mardi", None),  # a sentence is read, not obeyed
        ("stop au chocolat", None),
        ("retour de vacances demain", None),
        ("mardi", None),
    ],
)
def test_a_typed_word_works_like_its_command(text: str, action: str | None) -> None:
    assert command_word(text) == action


def read(text: str):
    return read_request(text, NOW, PETS, TYPES, VETS)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("vaccin pour Mimi demain à 15h", "vaccin"),
        ("vaccine for Mimi next friday at 3pm", "vaccine"),
        (
            "Mimi ne mange plus depuis 2 jours, pouvez-vous la voir demain matin ?",
            "ne mange plus depuis 2 jours",
        ),
        ("demain à 10h", None),
        ("Mimi", None),
    ],
)
def test_the_reason_is_the_owners_description_alone(text: str, reason: str | None) -> None:
    assert read(text).reason == reason


def test_the_reason_keeps_the_symptoms_and_drops_the_names() -> None:
    reason = read("Bonjour, je voudrais un rendez-vous avec le Dr Martin pour Mimi : elle boite")
    assert reason.reason == "elle boite"


@pytest.mark.parametrize(
    ("text", "said"),
    [("c'est urgent", True), ("URGENCE !", True), ("emergency please", True), ("vaccin", False)],
)
def test_urgency_said_in_so_many_words(text: str, said: bool) -> None:
    assert mentions_urgency(text) is said


def clinic(**extra: object) -> ClinicConfig:
    return ClinicConfig.model_validate(
        {
            "name": "Clinique",
            "phone": "04 65 71 20 30",
            "opening_hours": "9h-19h",
            "vets": [{"id": "d1a2e116-7ad7-5981-b920-818ef4a76a71", "name": "Dr A"}],
            **extra,
        }
    )


def test_types_that_read_as_an_emergency_are_urgent_by_default() -> None:
    default = clinic()
    assert default.is_urgent_type("t1", "Urgence")
    assert default.is_urgent_type("t2", "Urgences vétérinaires")
    assert default.is_urgent_type("t3", "Emergency visit")
    assert not default.is_urgent_type("t4", "Vaccination")


def test_the_clinic_names_its_own_urgent_types() -> None:
    listed = clinic(urgent_types=["Soins immédiats", "t-9"])
    assert listed.is_urgent_type("t1", "soins IMMEDIATS")
    assert listed.is_urgent_type("t-9", "Autre")
    assert not listed.is_urgent_type("t2", "Urgence")  # the list replaces the default
    assert not clinic(urgent_types=[]).is_urgent_type("t1", "Urgence")


def test_a_draft_saved_before_a_field_was_added_still_loads() -> None:
    """A conversation stored by the previous version goes on after an upgrade."""
    draft = Draft(client_id="c-1", started_at=datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    draft.pet_name = "Mimi"
    _cls, _args, state = draft.__reduce_ex__(pickle.HIGHEST_PROTOCOL)[:3]
    older = (None, {k: v for k, v in state[1].items() if k != "triage_seen"})
    revived = Draft.__new__(Draft)
    revived.__setstate__(older)
    assert revived.pet_name == "Mimi" and revived.triage_seen == frozenset()
    assert pickle.loads(pickle.dumps(draft)).pet_name == "Mimi"
