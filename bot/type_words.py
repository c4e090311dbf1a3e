"""The words owners use for each kind of appointment, and the clinic's own on top.

Clinics name their appointment types as they like ("Vaccination", "Dentisterie", "Contrôle /
suivi") and owners do not write those names: they write "faire détartrer", "son rappel", "la
faire stériliser", "un bilan". Each usual kind of appointment (``KINDS``) says which clinic
types are of it (by a word of the type's name) and which words of an owner's mean it; the
clinic adds words of its own for a type in its TOML (``[type_words]``), which take precedence
over these for the same word.

Words are folded ("détartrer" and "detartrer" are one); a word ending in ``*`` matches any
ending ("vaccin*": vacciner, vaccinée, vaccinal). Three strengths, because a message often
holds several: a specific act ("vaccin", "détartrage") outweighs a generic visit
("consultation", "un bilan"), which outweighs a symptom ("il vomit" suggests a consultation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Final

from bot.text import fold
from bot.word_index import MIN_STEM, WordIndex, phrase_words


class Strength(IntEnum):
    """How surely words name a type; the strongest found decides."""

    HINT = 1
    """A symptom: suggests a consultation when nothing else is said."""
    GENERIC = 2
    """A visit of any kind ("consultation", "un bilan"): any specific act named wins."""
    SPECIFIC = 3
    """An act ("vaccin", "détartrage"), the type's own name, or a word the clinic gave."""


@dataclass(frozen=True, slots=True)
class Kind:
    """A usual kind of appointment, as clinics name it and as owners say it."""

    key: str
    names: tuple[str, ...]
    """Folded pieces of a clinic type's name that make it of this kind ("vaccin" in
    "Vaccination chien")."""
    words: tuple[str, ...]
    """Owners' words for it, French and English; ``*`` for any ending."""
    hints: tuple[str, ...] = ()
    """Words that only suggest it (``Strength.HINT``). Not "ne mange plus": the journeys
    have the owner choose the type then (tests/journeys/demandes.md)."""
    generic: bool = False
    """A visit of any kind: its words are ``Strength.GENERIC``."""
    fallback: str | None = None
    """The kind whose types the words point to when the clinic has no type of this one
    ("stériliser" with only a "Chirurgie" type)."""


KINDS: Final[tuple[Kind, ...]] = (
    Kind(
        "vaccination",
        ("vaccin",),
        (
            "vaccin*", "rappel", "rappels", "rappel de vaccin", "primovaccination",
            "vaccine", "vaccines", "vaccinate*", "vaccination", "shot", "shots", "booster",
            "boosters", "piqure de rappel",
        ),
    ),
    Kind(
        "consultation",
        ("consult", "visite", "generalist", "medecine generale"),
        (
            "consult*", "visite", "visites", "checkup", "check up", "bilan", "bilan de sante",
            "examen", "examens", "examiner", "ausculter", "visit", "exam", "check",
        ),
        hints=(
            "malade", "mal", "boite", "boiter", "boitille", "vomi*", "touss*", "gratte",
            "grattent", "diarrhee", "fievre", "otite", "bosse", "grosseur", "plaie",
            "blesse*", "saigne*", "eternu*", "constip*", "sick", "ill", "limp*", "cough*",
            "vomit*", "itch*", "diarrhea", "lump", "wound", "sneez*",
        ),
        generic=True,
    ),
    Kind(
        "controle",
        ("controle", "suivi", "control", "follow", "recheck"),
        (
            "control*", "suivi", "recheck", "follow up", "followup", "pansement",
            "pansements", "points de suture", "retirer les points", "enlever les points",
            "retirer les fils", "enlever les fils", "stitches", "dressing",
        ),
    ),
    Kind(
        "chirurgie",
        ("chirurg", "operat", "surgery", "bloc"),
        ("chirurg*", "operation", "operations", "operer", "opere", "operee", "surgery",
         "surgical", "operate"),
    ),
    Kind(
        "sterilisation",
        ("steril", "castr", "ovari"),
        ("steril*", "castr*", "ovariectomie", "ovariohysterectomie", "spay*", "neuter*"),
        fallback="chirurgie",
    ),
    Kind(
        "dentaire",
        ("dent", "detartr", "dental"),
        ("dent", "dents", "dentaire", "dentaires", "detartr*", "=tartre", "teeth", "tooth",
         "dental", "scaling"),
    ),
    Kind(
        "urgence",
        ("urgen", "emergenc"),
        ("urgence", "urgences", "urgent", "urgente", "emergency", "urgently"),
    ),
    Kind(
        "analyses",
        ("analys", "prise de sang", "biolog", "laboratoire"),
        ("analyse*", "prise de sang", "bilan sanguin", "bilan sanguins", "blood test",
         "blood work", "bloodwork"),
        fallback="consultation",
    ),
    Kind(
        "imagerie",
        ("radio", "echo", "imager", "scanner", "irm"),
        ("radio*", "echographie", "echographies", "echo", "xray", "x ray", "ultrasound",
         "scanner", "irm"),
        fallback="consultation",
    ),
    Kind(
        "identification",
        ("identif", "puce", "tatouage"),
        ("identif*", "=pucer", "puce electronique", "tatouage", "tatouer", "microchip*"),
    ),
    Kind(
        "toilettage",
        ("toilett", "griffe", "grooming"),
        ("toilett*", "griffes", "tonte", "tondre", "grooming", "nail trim"),
    ),
    Kind(
        "comportement",
        ("comport", "behavio"),
        ("comportement*", "behaviour", "behavior", "behavioural", "behavioral"),
        fallback="consultation",
    ),
    Kind(
        "certificat",
        ("certificat", "passeport"),
        ("certificat*", "passeport*", "passport"),
        fallback="consultation",
    ),
    Kind("euthanasie", ("euthanas",), ("euthanas*", "euthaniz*")),
)  # fmt: skip
"""Every usual kind of appointment. Bare "puce" is left out (fleas: "il a des puces"), and
"rappel" is a vaccine's booster here ("son rappel"): a clinic where it means something else
gives the word to its own type in ``[type_words]``."""

MIN_WORD: Final = 3
"""A clinic word shorter than this ("rx") would be found inside too many messages."""
MIN_NAME_STEM: Final = 7
"""A type's name word this long also matches its first six letters with any ending
("Ostéopathie": ostéopathe)."""


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a word found in a message says: these types, this surely."""

    type_ids: tuple[str, ...]
    strength: Strength
    kind: str | None = None
    """The built-in kind whose word it is; None for a type's own name or a clinic word."""


def kinds_of(type_name: str) -> tuple[str, ...]:
    """The keys of the kinds a clinic type is of, by its name ("Contrôle / suivi":
    controle)."""
    folded = fold(type_name)
    return tuple(kind.key for kind in KINDS if any(piece in folded for piece in kind.names))


def _significant(name: str) -> tuple[str, ...]:
    """The first word of a type's name that says something ("Consultation générale":
    consultation); its six-letter stem too when it is long ("consul*")."""
    words = [w for w in phrase_words(name) if len(w) > 3 and not w.endswith("*")]
    if not words:
        return ()
    first = words[0]
    return (first, first[:6] + "*") if len(first) >= MIN_NAME_STEM else (first,)


def _kind_meanings(
    types: Sequence[tuple[str, str]],
) -> Iterable[tuple[str, Meaning]]:
    by_kind: dict[str, list[str]] = {}
    generic_only: set[str] = set()
    for type_id, name in types:
        kinds = kinds_of(name)
        for key in kinds:
            by_kind.setdefault(key, []).append(type_id)
        if kinds and all(k.generic for k in KINDS if k.key in kinds):
            generic_only.add(type_id)
    for kind in KINDS:
        owner = kind
        ids = by_kind.get(kind.key)
        if not ids and kind.fallback is not None:
            owner = next(k for k in KINDS if k.key == kind.fallback)
            ids = by_kind.get(owner.key)
        if not ids:
            continue
        strength = Strength.GENERIC if owner.generic else Strength.SPECIFIC
        for word in kind.words:
            yield word, Meaning(tuple(ids), strength, kind.key)
        for word in kind.hints:
            yield word, Meaning(tuple(ids), Strength.HINT, kind.key)
    for type_id, name in types:
        strength = Strength.GENERIC if type_id in generic_only else Strength.SPECIFIC
        for word in _significant(name):
            yield word, Meaning((type_id,), strength)


def resolve_type_key(key: str, types: Sequence[tuple[str, str]]) -> str | None:
    """The id of the type a ``[type_words]`` key names: its id, or its name in any case or
    accent; None when the clinic has no such type (any more)."""
    for type_id, name in types:
        if key == type_id or fold(key).strip() == fold(name).strip():
            return type_id
    return None


@lru_cache(maxsize=16)
def vocabulary(
    types: tuple[tuple[str, str], ...],
    clinic_words: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> WordIndex[Meaning]:
    """The index of every word meaning one of ``types`` ((id, name) pairs), the clinic's
    words (``[type_words]``: type id or name, words) first: a word the clinic gives a type
    means that type only. Cached: the types and the clinic file change rarely."""
    own: list[tuple[str, Meaning]] = []
    for key, words in clinic_words:
        type_id = resolve_type_key(key, types)
        if type_id is not None:
            own.extend((word, Meaning((type_id,), Strength.SPECIFIC)) for word in words)
    taken = {phrase_words(word) for word, _ in own}
    built_in = [(w, m) for w, m in _kind_meanings(types) if phrase_words(w) not in taken]
    return WordIndex([*own, *built_in])


def clinic_words_key(
    clinic_words: Mapping[str, Sequence[str]] | Iterable[tuple[str, Sequence[str]]] | None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[type_words]`` in any of its shapes as the hashable key ``vocabulary`` takes."""
    if not clinic_words:
        return ()
    pairs = clinic_words.items() if isinstance(clinic_words, Mapping) else clinic_words
    return tuple((key, tuple(words)) for key, words in pairs)


def check_word(word: str) -> str | None:
    """Why a clinic's word cannot be used (None when it can): it must hold a letter, have at
    least three characters, and a ``*`` only at its end after ``MIN_STEM`` letters."""
    words = phrase_words(word)
    if not words or not any(ch.isalpha() for ch in fold(word)):
        return "has no letter"
    if "*" in word.rstrip().rstrip("*") or word.rstrip().count("*") > 1:
        return "may hold a * only at its end"
    if words[-1].endswith("*") and len(words[-1]) - 1 < MIN_STEM:
        return f"needs at least {MIN_STEM} letters before its *"
    if len("".join(words).rstrip("*")) < MIN_WORD:
        return "is shorter than 3 letters"
    return None
