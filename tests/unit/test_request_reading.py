"""read_request: one message says pet, reason, vet, time and urgency; typos forgiven; never a
wrong pet, type or vet without a word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ClinicConfig
from bot.matching import answer_vet, match_pet, match_type, match_vet
from bot.request_reading import RequestReading, read_request

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC).astimezone(PARIS)
"""The server's clock (UTC) seen in the clinic's zone: Monday 23 November, 15:00 in Paris."""


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


# -- what follows: issue 17, "one message, read right" -----------------------------------


@dataclass(frozen=True)
class Pet:
    id: str
    name: str
    species: str | None = None
    sex: str | None = None


THOMAS = [Pet("p-rex", "Rex", "Chien", "M"), Pet("p-caramel", "Caramel", "Chat", "M")]
THOMAS += [Pet("p-noisette", "Noisette", "Lapin", "F")]
LEA = [Pet("p-nala", "Nala", "Chat", "F"), Pet("p-simba", "Simba", "Chat", "M")]
MARIE = [Pet("p-mimi", "Mimi", "Chat", "F")]
CHLOE = [Pet("p-plume", "Plume", "Lapin", "F"), Pet("p-pirouette", "Pirouette", "Hamster", "F")]
TYPES_WITH_URGENCE = [*TYPES, Named("t-urg", "Urgence")]


def read_for(pets: list[Pet], text: str, **extra: object) -> RequestReading:
    return read_request(text, NOW, pets, TYPES_WITH_URGENCE, VETS, **extra)


def local(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("pets", "text", "pet"),
    [
        (THOMAS, "le chat a besoin de son vaccin", "p-caramel"),
        (THOMAS, "mon chien boite", "p-rex"),
        (THOMAS, "ma lapine ne mange plus", "p-noisette"),
        (THOMAS, "le toutou se gratte", "p-rex"),
        (THOMAS, "le minou tousse", "p-caramel"),
        (THOMAS, "mon NAC a les dents trop longues", "p-noisette"),
        (THOMAS, "my dog needs his shots", "p-rex"),
        (THOMAS, "notre chaton doit être vacciné", "p-caramel"),
        (THOMAS, "Rex a été mordu par un chat", "p-rex"),  # "un chat": another animal
        (THOMAS, "le chat du voisin a griffé Rex", "p-rex"),
        (LEA, "ma chatte a une otite", "p-nala"),  # the one female cat
        (CHLOE, "mon rongeur à poils longs", None),  # two rodents: asked below
    ],
)
def test_a_pet_named_by_its_species(pets: list[Pet], text: str, pet: str | None) -> None:
    assert read_for(pets, text).patient_id == pet


@pytest.mark.parametrize(
    ("pets", "text", "candidates"),
    [
        (LEA, "le chat tousse", ("p-nala", "p-simba")),
        (LEA, "mes minous doivent être vaccinés", ("p-nala", "p-simba")),
        (THOMAS, "le chien et le chat se sont battus", ("p-rex", "p-caramel")),
        (THOMAS, "Rex et Caramel", ("p-rex", "p-caramel")),
        (THOMAS, "Rex, mon chat, tousse", ("p-rex", "p-caramel")),
        (THOMAS, "la noisette est restée coincée", ("p-noisette",)),  # the pet or the nut?
        (CHLOE, "mon rongeur à poils longs", ("p-plume", "p-pirouette")),
    ],
)
def test_several_or_unsure_pets_are_candidates(
    pets: list[Pet], text: str, candidates: tuple[str, ...]
) -> None:
    reading = read_for(pets, text)
    assert reading.patient_id is None
    assert set(reading.pet_candidates) == set(candidates)
    assert reading.must_ask


@pytest.mark.parametrize(
    ("pets", "text", "pet"),
    [
        (CHLOE, "possible de passer avec Plume ?", "p-plume"),
        (THOMAS, "le Dr Martin pourrait-il examiner Noisette ?", "p-noisette"),
        (THOMAS, "Caramel a mangé du chocolat", "p-caramel"),
        (THOMAS, "caramel a des puces", "p-caramel"),
        (THOMAS, "Rex a mangé du caramel", "p-rex"),  # "du caramel" is a sweet
        (THOMAS, "il a mangé du caramel", None),
        (THOMAS, "une noisette est restée dans sa gorge", None),
        (CHLOE, "il a avalé une plume", None),
        (THOMAS, "noisete pour un controle", "p-noisette"),  # a typo in a long name
    ],
)
def test_a_name_that_is_also_a_word(pets: list[Pet], text: str, pet: str | None) -> None:
    reading = read_for(pets, text)
    assert reading.patient_id == pet
    if pet is None:
        assert reading.pet_candidates == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("faire détartrer Rex", "t-dent"),
        ("il faudrait le vacciner", "t-vaccin"),
        ("la faire stériliser", "t-chir"),
        ("le faire castrer", "t-chir"),
        ("castration de Rex", "t-chir"),
        ("son rappel", "t-vaccin"),
        ("rapel de vacin", "t-vaccin"),
        ("un bilan pour Rex", "t-consult"),
        ("check-up annuel", "t-consult"),
        ("retirer les points de Caramel", "t-suivi"),
        ("consultation pour son vaccin", "t-vaccin"),  # an act named beats a visit
        ("contrôle après la stérilisation", "t-suivi"),  # what the visit follows
        ("pas de vaccin cette fois, juste un contrôle", "t-suivi"),
        ("il a été opéré la semaine dernière, je voudrais un contrôle", "t-suivi"),
        ("il vomit depuis hier", "t-consult"),  # a symptom suggests a consultation
        ("spay my cat", "t-chir"),
        ("dental cleaning", "t-dent"),
        ("pouvez-vous me rappeler ?", None),  # "rappeler" is to call back
        ("j'attends votre appel", None),  # "appel" is no typo of "rappel"
        ("il a mangé une tarte", None),  # nor "tarte" of "tartre"
        ("il a été opéré la semaine dernière", None),  # history, not a wish
    ],
)
def test_a_type_named_by_a_verb_or_a_neighbour_word(text: str, kind: str | None) -> None:
    assert read_for(THOMAS, text).appointment_type_id == kind


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("un vaccin et un détartrage pour Rex", ("t-vaccin", "t-dent")),
        ("stérilisation et vaccin", ("t-chir", "t-vaccin")),
    ],
)
def test_two_types_named_are_candidates(text: str, candidates: tuple[str, ...]) -> None:
    reading = read_for(THOMAS, text)
    assert reading.appointment_type_id is None
    assert set(reading.type_candidates) == set(candidates)


def test_a_type_per_species_is_chosen_by_the_pet() -> None:
    types = [Named("t-vc", "Vaccination chien"), Named("t-vt", "Vaccination chat")]
    reading = read_request("vaccin pour Caramel", NOW, THOMAS, types, VETS)
    assert reading.appointment_type_id == "t-vt"
    unknown = read_request("un vaccin", NOW, THOMAS, types, VETS)
    assert unknown.appointment_type_id is None
    assert set(unknown.type_candidates) == {"t-vc", "t-vt"}


def test_the_clinic_adds_its_own_words() -> None:
    types = [*TYPES, Named("t-osteo", "Ostéopathie")]
    words = {"Ostéopathie": ["manipulation", "ostéo*"], "t-suivi": ["rappel"]}

    def read(text: str) -> RequestReading:
        return read_request(text, NOW, THOMAS, types, VETS, type_words=words)

    assert read("une manipulation pour Rex").appointment_type_id == "t-osteo"
    assert read("l'ostéopathe pour Rex").appointment_type_id == "t-osteo"
    assert read("son rappel").appointment_type_id == "t-suivi"  # the clinic's word wins
    assert read("son vaccin").appointment_type_id == "t-vaccin"
    assert read_request("son rappel", NOW, THOMAS, types, VETS).appointment_type_id == "t-vaccin"


def test_the_clinic_files_words_read_as_loaded() -> None:
    clinic = ClinicConfig.model_validate(
        {
            "name": "Clinique",
            "phone": "04 65 71 20 30",
            "opening_hours": "9h-19h",
            "vets": [{"id": "d1a2e116-7ad7-5981-b920-818ef4a76a71", "name": "Dr A"}],
            "type_words": {"dentisterie": ["mauvaise haleine"]},
        }
    )
    reading = read_request(
        "Rex a mauvaise haleine", NOW, THOMAS, TYPES, VETS, type_words=clinic.type_words
    )
    assert reading.appointment_type_id == "t-dent"
    assert match_type("mauvaise haleine", TYPES, clinic_words=clinic.type_words) == "t-dent"


@pytest.mark.parametrize(
    ("text", "vet", "start"),
    [
        ("avec le Dr Durant demain 10h", "v-durand", local(24, 10)),
        ("Dr Durant demain à 10h pour Rex", "v-durand", local(24, 10)),
        ("rdv avec docteur Durant lundi à 9h30", "v-durand", local(30, 9, 30)),
        ("Dr Matin pour Caramel vendredi 9h", "v-martin", local(27, 9)),
    ],
)
def test_a_misspelt_vet_name_does_not_swallow_the_time(
    text: str, vet: str, start: datetime
) -> None:
    reading = read_for(THOMAS, text)
    assert reading.vet_id == vet
    assert reading.when is not None and reading.when.start == start
    assert reading.reason is None  # the vet, the pet and the time: nothing else was said


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("il tousse depuis hier soir, vous auriez un créneau ce soir ?", local(23, 18)),
        ("il a vomi ce matin, vous pouvez le voir cet après-midi ?", local(23, 15)),
        ("elle boite aujourd'hui, dispo demain ?", local(24)),
        ("il a vomi ce matin, demain 10h", local(24, 10)),
        ("he was sick last night, can you see him today at 5pm?", local(23, 17)),
        ("Rex boite jeudi 10h", local(26, 10)),  # a symptom, but Thursday is no history
        ("il a vomi ce matin", None),
        ("il vomit ce matin", None),
        ("il tousse cette nuit", None),
        ("il a vomi lundi, mardi et mercredi", None),
    ],
)
def test_history_is_not_the_wish(text: str, start: datetime | None) -> None:
    reading = read_for(THOMAS, text)
    assert (reading.when.start if reading.when else None) == start


def test_history_stays_in_the_reason() -> None:
    reading = read_for(THOMAS, "il tousse depuis hier soir, vous auriez un créneau ce soir ?")
    assert reading.reason is not None and "depuis hier soir" in reading.reason
    assert "ce soir" not in reading.reason.replace("hier soir", "")


@pytest.mark.parametrize(
    ("pets", "text", "wrong"),
    [
        (THOMAS[1:], "mon lapin ne mange plus", "p-caramel"),  # a cat and a rabbit
        (THOMAS, "mon lapin", "p-rex"),
        (THOMAS, "mon lapin", "p-caramel"),
        (LEA, "le chat tousse", "p-nala"),
        (LEA, "le chat tousse", "p-simba"),
        (MARIE, "mon chien vomit", "p-mimi"),
        (MARIE, "ce midi", "p-mimi"),  # "midi" is no typo of "Mimi"
        (MARIE, "what time tomorrow?", "p-mimi"),  # "what" is no typo of "chat"
        (THOMAS, "is that possible tomorrow", "p-caramel"),  # nor "that"
        (CHLOE, "il perd ses plumes", "p-plume"),
        (THOMAS, "son pouls est faible", None),
        (THOMAS, "radio de la patte", None),
    ],
)
def test_never_a_wrong_pet_silently(pets: list[Pet], text: str, wrong: str | None) -> None:
    reading = read_for(pets, text)
    if wrong is not None:
        assert reading.patient_id != wrong
    assert reading.pet_mismatch is False or reading.patient_id is None


def test_a_species_none_of_the_pets_is_says_so() -> None:
    one_cat = read_for(MARIE, "mon chien vomit depuis ce matin")
    assert one_cat.patient_id is None and one_cat.pet_mismatch and one_cat.must_ask
    assert one_cat.pet_words == "mon chien"
    assert not read_for(MARIE, "vaccin demain").pet_mismatch  # the conversation assigns Mimi
    assert read_for(THOMAS, "my horse is limping").pet_mismatch
    nac = [Pet("p-oscar", "Oscar", "NAC"), *MARIE]
    maybe = read_for(nac, "mon lapin ne mange plus")  # a NAC on record may be the rabbit
    assert (maybe.patient_id, maybe.pet_candidates, maybe.pet_mismatch) == (
        None,
        ("p-oscar",),
        False,
    )


@pytest.mark.parametrize(
    ("text", "vet", "candidates", "unknown"),
    [
        ("avec Claire", "v-martin", (), None),
        ("avec martin jeudi", "v-martin", (), None),
        ("rdv martin jeudi", None, ("v-martin",), None),  # a word or the vet?
        ("Dr Martin ou Dr Durand", None, ("v-martin", "v-durand"), None),
        ("avec le Dr Dupont demain", None, (), "Dupont"),
        ("son urine est claire", None, (), None),
        ("mon berger allemand boite", None, (), None),
        ("chez le véto habituel", None, (), None),
    ],
)
def test_vets_surely_named_or_asked(
    text: str, vet: str | None, candidates: tuple[str, ...], unknown: str | None
) -> None:
    vets = [*VETS, Named("v-berger", "Dr Paul Berger")]
    reading = read_request(text, NOW, THOMAS, TYPES, vets)
    assert (reading.vet_id, reading.vet_candidates, reading.unknown_vet) == (
        vet,
        candidates,
        unknown,
    )


def test_the_whole_time_reading_comes_with_it() -> None:
    plain = read_for(THOMAS, "vaccin pour Rex demain à 15h")
    assert plain.when_reading is not None and plain.when_reading.request == plain.when
    assert not plain.must_ask
    assert read_for(THOMAS, "vaccin pour Rex").when_reading is None
    doubtful = read_for(THOMAS, "Rex jeudi après la promenade")  # after the walk: when?
    assert doubtful.when_reading is not None and doubtful.when_reading.must_ask
    assert doubtful.must_ask
    tuesday = read_for(THOMAS, "Caramel mardi prochain")  # said on a Monday
    assert tuesday.must_ask and tuesday.when_reading is not None
    assert {c.start.date() for d in tuesday.when_reading.questions for c in d.candidates} == {
        (NOW + timedelta(days=1)).date(),
        (NOW + timedelta(days=8)).date(),
    }


def test_the_conversations_matchers_read_the_same_way() -> None:
    pets = [(p.id, p.name) for p in THOMAS]
    assert match_pet("c'est pour noisete", pets) == "p-noisette"
    assert match_pet("du caramel", pets) is None
    assert match_pet("la noisette", pets) == "p-noisette"  # the answer to "which pet?"
    assert match_pet("Rex et Caramel", pets) is None
    assert match_type("faire détartrer", TYPES) == "t-dent"
    assert match_vet("docteur durant", VETS) == "v-durand"
    assert match_vet("le matin", VETS) is None


def test_a_bare_surname_answers_which_vet_but_names_none_in_a_free_message() -> None:
    """Under "Avec quel vétérinaire ?" a word that is one vet's name is that vet; in a first
    message the same word may be anything, and is only a candidate."""
    vets = [Named("v-martin", "Dr Claire Martin"), Named("v-durand", "Dr Julien Durand")]
    assert answer_vet("martin", vets) == "v-martin"
    assert answer_vet("Dr Durand", vets) == "v-durand"
    assert answer_vet("oui", vets) is None
    assert match_vet("martin", vets) is None
