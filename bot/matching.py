"""Recognise what an owner typed where a button was expected: a pet, a type, a vet, yes/no.

Everything is compared on folded words with a typo allowance (bot/text.py). A match must be
unambiguous: when two candidates fit equally, none is returned and the owner sees the buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from bot.text import close, fold, words

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

# Words owners use for appointment types, by folded keyword found in the type's name.
TYPE_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "vaccin": (
        "vaccin",
        "vaccins",
        "vaccination",
        "rappel",
        "vaccine",
        "shot",
        "shots",
        "booster",
        "piqure",
    ),
    "consult": (
        "consultation",
        "consult",
        "visite",
        "checkup",
        "check",
        "bilan",
        "examen",
        "malade",
        "mal",
        "boite",
        "vomit",
        "tousse",
        "gratte",
        "visit",
    ),
    "controle": ("controle", "suivi", "control", "followup", "follow", "pansement", "points"),
    "chirurg": (
        "chirurgie",
        "operation",
        "operer",
        "sterilisation",
        "steriliser",
        "castration",
        "castrer",
        "surgery",
        "spay",
        "neuter",
    ),
    "urgence": ("urgence", "urgent", "emergency"),
    "dent": ("dent", "dents", "detartrage", "tartre", "dentaire", "teeth", "dental"),
}


SPECIES_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "chien": ("chien", "chienne", "chiens", "chiot", "toutou", "dog", "puppy"),
    "chat": ("chat", "chatte", "chats", "chaton", "minou", "cat", "kitten", "kitty"),
    "lapin": ("lapin", "lapine", "lapins", "rabbit", "bunny"),
    "furet": ("furet", "ferret"),
    "cochon d'inde": ("cochon d'inde", "cobaye", "guinea pig"),
    "hamster": ("hamster",),
    "rat": ("rat",),
    "tortue": ("tortue", "tortoise", "turtle"),
    "perroquet": ("perroquet", "parrot"),
    "perruche": ("perruche", "budgie", "parakeet"),
    "oiseau": ("oiseau", "bird"),
}
"""How owners name a species ("mon chien", "my cat"), by the folded species of the record."""


class Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


def _phrase_in(typed: list[str], phrase: list[str]) -> bool:
    """All words of `phrase`, in order and adjacent, somewhere in `typed` (typos allowed)."""
    n = len(phrase)
    return any(
        all(close(typed[i + k], phrase[k]) for k in range(n)) for i in range(len(typed) - n + 1)
    )


def _unique(found: Iterable[str]) -> str | None:
    distinct = list(dict.fromkeys(found))
    return distinct[0] if len(distinct) == 1 else None


def match_pet(text: str, pets: Sequence[tuple[str, str]]) -> str | None:
    """The id of the one pet named in `text`; pets are (id, name)."""
    typed = words(text)
    return _unique(pid for pid, name in pets if words(name) and _phrase_in(typed, words(name)))


def match_species(text: str, pets: Sequence[tuple[str, str | None]]) -> str | None:
    """The id of the one pet of the species the text names ("mon chien" for an owner with one
    dog among cats); pets are (id, species). None when no species is named, or several pets
    are of it."""
    typed = words(text)
    named = [
        key
        for key, synonyms in SPECIES_WORDS.items()
        if any(_phrase_in(typed, words(s)) for s in synonyms)
    ]
    if len(named) != 1:
        return None
    return _unique(pid for pid, species in pets if species and fold(species).startswith(named[0]))


def match_vet(text: str, vets: Sequence[Named]) -> str | None:
    """The id of the one vet named ("Dr Martin", "claire", "docteur durant").

    A name is recognised with typos only right after a title: alone, "matin" is the morning,
    not Dr Martin.
    """
    typed = words(text)
    found = []
    for vet in vets:
        parts = [w for w in words(vet.name) if w not in TITLES and len(w) > 2]
        for i, word in enumerate(typed):
            titled = i > 0 and typed[i - 1] in TITLES
            if any(word == part or (titled and close(word, part)) for part in parts):
                found.append(vet.id)
                break
    return _unique(found)


def match_type(text: str, types: Sequence[Named]) -> str | None:
    """The id of the one appointment type the text speaks of (by name or usual words)."""
    typed = words(text)
    by_name = [t.id for t in types if _phrase_in(typed, _significant(t.name))]
    if by_name:
        return _unique(by_name)
    found = []
    for t in types:
        folded_name = fold(t.name)
        for key, synonyms in TYPE_SYNONYMS.items():
            if key in folded_name and any(_phrase_in(typed, [s]) for s in synonyms):
                found.append(t.id)
    return _unique(found)


def _significant(name: str) -> list[str]:
    parts = [w for w in words(name) if len(w) > 3]
    return parts[:1] if parts else words(name)


def means_yes(text: str) -> bool:
    return fold(text).strip(" !.") in _YES


def means_no(text: str) -> bool:
    return fold(text).strip(" !.") in _NO


def means_any(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in _ANY)
