"""Recognise what an owner typed where a button was expected, and who or what a first message
names: a pet, an appointment type, a vet, yes/no.

Everything is compared on folded words with a typo allowance (bot/text.py, bot/word_index.py).
A match must be sure: when two candidates fit equally, or the words may mean something else,
none is taken and the candidates are given, so that the owner sees the buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

from bot.pet_reading import read_pets
from bot.species_words import SPECIES, record_species
from bot.text import close, fold
from bot.type_words import Meaning, Strength, clinic_words_key, vocabulary
from bot.word_index import (
    COMMON_WORDS,
    Hit,
    Token,
    capitalised_inside,
    phrase_words,
    tokenize,
    word_set,
)

_YES: Final = frozenset(
    {
        "oui",
        "ok",
        "okay",
        "d'accord",
        "daccord",
        "yes",
        "confirme",
        "confirmer",
        "je confirme",
        "parfait",
        "c'est bon",
        "cest bon",
        "go",
        "ouais",
        "yep",
        "valider",
        "valide",
        "sure",
    }
)
_NO: Final = frozenset({"non", "no", "annuler", "annule", "cancel", "stop", "nope"})
_ANY: Final = (
    "peu importe",
    "n'importe",
    "nimporte",
    "pas de preference",
    "indifferent",
    "any",
    "whoever",
    "no preference",
    "le premier",
    "la premiere",
)
TITLES: Final = frozenset({"dr", "docteur", "doctor", "doc", "docteure", "vet", "veto"})
DOCTOR_TITLES: Final = frozenset({"dr", "docteur", "doctor", "doc", "docteure", "drs"})
"""Titles always followed by a name: "le Dr Dupont" names a vet even if the clinic has none
of that name ("le véto habituel" does not)."""
INTRODUCING: Final = frozenset({"avec", "chez", "par", "voir", "with", "see", "by"})
"""Words after which a vet's name is surely the vet ("avec Martin")."""
NOT_A_VET_AFTER: Final = word_set(
    """
    un une des du de le la les l mon ma mes ton ta tes son sa ses notre nos votre vos leur
    leurs a an the my his her our their tres plus est sont etait trop assez bien pas
    """
)
"""Before a vet's name written without a title, a word: "mon berger allemand", "l'urine est
claire" (Dr Berger, Dr Claire Martin) are no vets."""
NEGATIONS: Final = (("pas",), ("pas", "de"), ("pas", "d"), ("pas", "besoin", "de"),
                    ("pas", "besoin", "d"), ("sans",), ("no",), ("not",), ("pas", "un"),
                    ("pas", "une"), ("pas", "pour"), ("not", "a"), ("not", "for"))  # fmt: skip
"""Before a type's word, a refusal: "pas de vaccin cette fois", "c'est pas urgent"."""
AFTER_AN_ACT: Final = (("apres",), ("suite", "a"), ("post",), ("depuis",), ("after",),
                       ("since",), ("following",))  # fmt: skip
"""Before a type's word (and an article), what the visit follows, not what it is: "contrôle
après la stérilisation"."""
ARTICLES: Final = frozenset(
    {"la", "le", "l", "sa", "son", "ses", "une", "un", "ma", "mon", "the", "his", "her"}
)
FOLLOW_UP_KIND: Final = "controle"


class Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


Span = tuple[int, int]
ClinicWords = Mapping[str, Sequence[str]] | Iterable[tuple[str, Sequence[str]]]
"""A clinic's ``[type_words]``: type id or name, and its words."""


@dataclass(frozen=True, slots=True)
class _Pet:
    id: str
    name: str


def match_pet(text: str, pets: Sequence[tuple[str, str]]) -> str | None:
    """The id of the one pet named in `text`, typed as the answer to "which pet?"; pets are
    (id, name). There a name the words leave unsure ("la noisette") is the answer when it is
    the only one; two pets named are none."""
    reading = read_pets(text, tokenize(text), [_Pet(pid, name) for pid, name in pets])
    if reading.patient_id is None and len(reading.candidates) == 1:
        return reading.candidates[0]
    return reading.patient_id


# -- vets ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VetReading:
    """The vet a message names.

    ``vet_id`` only when one vet is surely named ("Dr Martin", "avec Claire", "Martin"
    capitalised). ``candidates`` when several fit, or one fits unsurely ("martin" alone in
    lower case may be a word). ``unknown_name`` is the name written after a doctor's title
    that is none of the clinic's vets ("le Dr Dupont"), as written: the owner asked for
    someone, so "any vet" would be wrong. ``spans`` cover the titles and names read.
    """

    vet_id: str | None = None
    candidates: tuple[str, ...] = ()
    unknown_name: str | None = None
    spans: tuple[Span, ...] = ()


@lru_cache(maxsize=256)
def _vet_parts(name: str) -> tuple[str, ...]:
    """The words of a vet's name that can name them ("Dr Claire Martin": claire, martin)."""
    return tuple(w for w in phrase_words(name) if w not in TITLES and len(w) > 2)


def read_vets(text: str, tokens: Sequence[Token], vets: Sequence[Named]) -> VetReading:
    """Which of ``vets`` the message names. A name is read with typos only right after a
    title ("Dr Durant": Durand): alone, "matin" is the morning, not Dr Martin."""
    sure: list[str] = []
    unsure: list[str] = []
    spans: list[Span] = []
    unknown: str | None = None
    parts = [(vet.id, _vet_parts(vet.name)) for vet in vets]
    for index, token in enumerate(tokens):
        prev = tokens[index - 1].word if index else ""
        titled = prev in TITLES
        found = [
            vet_id
            for vet_id, names in parts
            if any(token.word == part or (titled and close(token.word, part)) for part in names)
        ]
        if not found:
            continue
        start = tokens[index - 1].start if titled else token.start
        if titled or prev in INTRODUCING or capitalised_inside(text, token):
            sure.extend(found)
        elif prev in NOT_A_VET_AFTER:
            continue
        else:
            unsure.extend(found)
        spans.append((start, token.end))
    for index, token in enumerate(tokens[:-1]):
        name = tokens[index + 1]
        if (
            token.word in DOCTOR_TITLES
            and not any(a <= name.start < b for a, b in spans)
            and not any(a <= token.start < b for a, b in spans)
            and name.word.isalpha()
            and len(name.word) >= 3
            and name.word not in COMMON_WORDS
            and name.word not in TITLES
        ):
            unknown = text[name.start : name.end]
            break
    distinct = list(dict.fromkeys(sure))
    if len(distinct) == 1 and unknown is None:
        return VetReading(distinct[0], (), None, tuple(spans))
    candidates = tuple(dict.fromkeys([*sure, *unsure]))
    return VetReading(None, candidates, unknown, tuple(spans))


def match_vet(text: str, vets: Sequence[Named]) -> str | None:
    """The id of the one vet surely named ("Dr Martin", "avec claire", "docteur durant")."""
    return read_vets(text, tokenize(text), vets).vet_id


def answer_vet(text: str, vets: Sequence[Named]) -> str | None:
    """The vet named in the answer to "Avec quel vétérinaire ?": as ``match_vet``, and also a
    bare name that is one vet's only ("martin", "lefevre"). In a free first message such a
    word may be anything; typed under that question it is a vet's name."""
    reading = read_vets(text, tokenize(text), vets)
    if reading.vet_id is not None:
        return reading.vet_id
    return reading.candidates[0] if len(reading.candidates) == 1 else None


# -- appointment types -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeReading:
    """The appointment type a message asks for.

    ``type_id`` when one type is named more strongly than any other (``Strength``: "vaccin"
    over "consultation" over "il vomit"); ``candidates`` when several are named as strongly
    ("un vaccin et un détartrage", "vaccin" where the clinic has a type per species).
    """

    type_id: str | None = None
    candidates: tuple[str, ...] = ()
    followed: tuple[Span, ...] = ()
    """Spans of the words telling what the visit follows ("après la stérilisation"): no
    time, though "après" often starts one."""


def _ends_with(tokens: Sequence[Token], end: int, phrases: Iterable[tuple[str, ...]]) -> bool:
    words = tuple(token.word for token in tokens[max(0, end - 3) : end])
    return any(words[len(words) - len(p) :] == p for p in phrases if len(p) <= len(words))


def _following(tokens: Sequence[Token], hit: Hit[Meaning]) -> Span | None:
    """The span of "après la stérilisation" when ``hit`` is the act a visit follows."""
    article = hit.first and tokens[hit.first - 1].word in ARTICLES
    before = hit.first - 1 if article else hit.first
    for phrase in AFTER_AN_ACT:
        start = before - len(phrase)
        if start >= 0 and tuple(t.word for t in tokens[start:before]) == phrase:
            return tokens[start].start, tokens[hit.last - 1].end
    return None


def _set_aside(tokens: Sequence[Token], hit: Hit[Meaning], history: Sequence[Span]) -> bool:
    """A type's word that the owner refuses, or that tells what the visit follows or what
    happened before ("pas de vaccin", "après sa stérilisation", "il a été opéré")."""
    if _ends_with(tokens, hit.first, NEGATIONS):
        return True
    if hit.value.kind != FOLLOW_UP_KIND and _following(tokens, hit) is not None:
        return True
    start = tokens[hit.first].start
    in_history = any(a <= start < b for a, b in history)
    return in_history and hit.value.strength > Strength.HINT


@lru_cache(maxsize=256)
def _species_of_type(name: str) -> frozenset[str]:
    """The species a type's name is for ("Vaccination chien": chien), if any."""
    words = {token.word for token in tokenize(name)}
    return frozenset(
        species.key
        for species in SPECIES
        if any(phrase_words(word) in {(w,) for w in words} for word in species.words)
    )


def _narrowed(
    candidates: tuple[str, ...], types: Sequence[Named], pet_species: str | None
) -> tuple[str, ...]:
    """Among types for several species ("Vaccination chien", "Vaccination chat"), those for
    the pet's species, when the pet is known."""
    key = record_species(pet_species)
    if key is None:
        return candidates
    names = {t.id: t.name for t in types}
    kept = tuple(c for c in candidates if _species_of_type(names.get(c, "")) <= {key})
    for_it = tuple(c for c in kept if key in _species_of_type(names.get(c, "")))
    return for_it if len(for_it) == 1 else kept or candidates


def find_type_words(
    tokens: Sequence[Token], types: Sequence[Named], clinic_words: ClinicWords | None = None
) -> list[Hit[Meaning]]:
    """Every word of ``tokens`` that names one of ``types`` (by name, ``KINDS``, the clinic's
    ``[type_words]``), before context is weighed; ``read_types`` weighs it."""
    if not types or not tokens:
        return []
    index = vocabulary(tuple((t.id, t.name) for t in types), clinic_words_key(clinic_words))
    return index.find(tokens)


def read_types(
    tokens: Sequence[Token],
    types: Sequence[Named],
    *,
    clinic_words: ClinicWords | None = None,
    history: Sequence[Span] = (),
    pet_species: str | None = None,
    found: Sequence[Hit[Meaning]] | None = None,
) -> TypeReading:
    """Which of ``types`` the message asks for, by name, by owners' words (``KINDS``) and by
    the clinic's (``clinic_words``). ``history``: spans telling what happened, whose act
    words do not count ("il a été opéré"); ``pet_species``: the pet's, to choose among types
    for several species; ``found``: ``find_type_words``, when already called."""
    if found is None:
        found = find_type_words(tokens, types, clinic_words)
    followed = tuple(
        span
        for hit in found
        if hit.value.kind != FOLLOW_UP_KIND and (span := _following(tokens, hit)) is not None
    )
    hits = [hit for hit in found if not _set_aside(tokens, hit, history)]
    if not hits:
        return TypeReading(followed=followed)
    strongest = max(hit.value.strength for hit in hits)
    ids = tuple(
        dict.fromkeys(
            i for hit in hits if hit.value.strength == strongest for i in hit.value.type_ids
        )
    )
    if len(ids) > 1:
        ids = _narrowed(ids, types, pet_species)
    if len(ids) == 1:
        return TypeReading(ids[0], (), followed)
    return TypeReading(None, ids, followed)


def match_type(
    text: str, types: Sequence[Named], *, clinic_words: ClinicWords | None = None
) -> str | None:
    """The id of the one appointment type the text speaks of (by name, usual words, or the
    clinic's ``[type_words]``)."""
    return read_types(tokenize(text), types, clinic_words=clinic_words).type_id


def means_yes(text: str) -> bool:
    return fold(text).strip(" !.") in _YES


def means_no(text: str) -> bool:
    return fold(text).strip(" !.") in _NO


def means_any(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in _ANY)
