"""Which of the owner's pets a message is about: by name, by species, or not surely.

"vaccin pour Noisette", "le chat tousse", "mon NAC ne mange plus": the owner names a pet by
its name or by a word for its kind. The reading must never pick a pet the owner did not
mean: "mon lapin" from the owner of a cat and a rabbit is the rabbit; "le chat" with two cats
is one of two (the conversation asks); "mon chien" from the owner of a cat is none of their
pets (``mismatch``: the conversation must not book the cat).

Pets are often named with words ("Noisette", "Plume", "Caramel"), so a name counts as the
pet by its context: "possible de passer avec Plume ?" is the pet; "il a mangé du caramel",
"une plume" are words; "la noisette" is either (unsure: offered, never taken). A name that
is also a time ("Minuit") after "à" or "vers" is the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Final, Protocol

from bot.species_words import (
    GROUPS,
    SPECIES,
    group_members,
    record_group,
    record_species,
)
from bot.word_index import Token, WordIndex, capitalised_inside, phrase_words, similar, word_set

Span = tuple[int, int]

NOT_A_NAME_AFTER: Final = frozenset({"du", "des", "un", "une", "some"})
"""Partitive and indefinite articles: "du caramel", "une plume" are things, not the pet."""
NOT_A_NAME_AFTER_PAIR: Final = frozenset({("de", "la"), ("de", "l"), ("d", "un"), ("d", "une")})
UNSURE_AFTER: Final = frozenset(
    {"le", "la", "l", "les", "the", "au", "aux", "ses", "sa", "son", "mes", "ma", "mon"}
)
"""Before a name written in lower case, these leave it unsure ("la noisette", "ses plumes");
capitalised, it is the pet ("la Noisette", "ma Plume")."""
TIME_BEFORE: Final = frozenset(
    {"a", "vers", "avant", "apres", "des", "jusqu", "at", "before", "after", "around", "by"}
)
"""Before a name that is also a time word ("à minuit"), the time is meant."""
TIME_NAMES: Final = word_set(
    """
    lundi mardi mercredi jeudi vendredi samedi dimanche minuit midi matin soir demain
    """
)
INDEFINITE: Final = frozenset({"un", "une", "des", "du", "a", "an", "d", "some"})
"""Before a species word: another animal ("mordu par un chien")..."""
OWNING_BEFORE: Final = frozenset({"ai", "avons", "have", "has", "est", "c"})
"""...unless the owner says it is theirs ("j'ai un chat qui vomit", "c'est une chatte")."""
OTHERS_AFTER: Final = word_set(
    """
    voisin voisine voisins voisines neighbour neighbor neighbours neighbors ami amie amis
    copain copine errant errants errante rue
    """
)
"""After a species word, someone else's animal ("le chat du voisin")."""
OTHERS_REACH: Final = 3
DETERMINERS: Final = frozenset({"ma", "mon", "notre", "la", "le", "l", "my", "our"})
"""Taken out of the reason with the name they go with ("ma Plume")."""
FEMALE_RECORDS: Final = frozenset({"f", "femelle", "female", "fe", "fs"})


class PetLike(Protocol):
    """A pet as the API gives it; ``species`` and ``sex`` are read when present."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


class Sureness(Enum):
    SURE = "sure"
    UNSURE = "unsure"
    WORD = "word"


@dataclass(frozen=True, slots=True)
class PetReading:
    """The pet a message is about.

    ``patient_id`` is set only when one pet is surely meant. ``candidates`` are the pets the
    message may mean when it points at several or unsurely ("le chat" with two cats, "Mimi
    et Rex", "la noisette"); ``mismatch`` is True when it names a kind of animal none of the
    owner's pets is ("mon chien" from the owner of a cat). ``said`` is the owner's words that
    pointed at the pet, as written ("mon chien"); ``name_spans`` the spans of the pet's name
    where it was surely written (taken out of the reason, and of what the time reader sees).
    """

    patient_id: str | None = None
    candidates: tuple[str, ...] = ()
    mismatch: bool = False
    said: str | None = None
    name_spans: tuple[Span, ...] = ()
    chosen_spans: tuple[Span, ...] = ()
    """The spans that named the pet taken, by its name (cut from the reason)."""


@dataclass(frozen=True, slots=True)
class _Ref:
    ids: tuple[str, ...]
    sure: bool
    span: Span
    by_name: bool
    possible: tuple[str, ...] = ()
    """Pets of unknown species that a species word may mean."""
    female: bool = False


@dataclass(frozen=True, slots=True)
class _SpeciesWord:
    key: str
    group: bool
    female: bool


@lru_cache(maxsize=1)
def species_index() -> WordIndex[_SpeciesWord]:
    """Owners' words for species and groups, built once."""
    entries = [
        (word, _SpeciesWord(species.key, False, word in species.female))
        for species in SPECIES
        for word in species.words
    ]
    entries += [(word, _SpeciesWord(key, True, False)) for word, (key, _) in GROUPS.items()]
    return WordIndex(entries)


def _name_sureness(text: str, tokens: Sequence[Token], first: int, last: int) -> Sureness:
    prev = tokens[first - 1].word if first else ""
    prev2 = tokens[first - 2].word if first > 1 else ""
    capital = capitalised_inside(text, tokens[first])
    if last - first == 1 and tokens[first].word in TIME_NAMES and prev in TIME_BEFORE:
        return Sureness.WORD
    if prev in NOT_A_NAME_AFTER or (prev2, prev) in NOT_A_NAME_AFTER_PAIR:
        return Sureness.UNSURE if capital else Sureness.WORD
    if prev in UNSURE_AFTER and not capital:
        return Sureness.UNSURE
    return Sureness.SURE


def _name_refs(text: str, tokens: Sequence[Token], pets: Sequence[PetLike]) -> list[_Ref]:
    """Where each pet's name is written, right or with typos (exact names win)."""
    found: dict[tuple[int, int], tuple[list[str], bool]] = {}
    for pet in pets:
        name = phrase_words(pet.name)
        if not name:
            continue
        for first in range(len(tokens) - len(name) + 1):
            typed = [t.word for t in tokens[first : first + len(name)]]
            exact = typed == list(name)
            if not exact and not all(similar(a, b) for a, b in zip(typed, name, strict=True)):
                continue
            ids, was_exact = found.get((first, first + len(name)), ([], False))
            if exact and not was_exact:
                ids = []
            if exact or not was_exact:
                found[(first, first + len(name))] = ([*ids, pet.id], exact or was_exact)
    refs: list[_Ref] = []
    for (first, last), (ids, _) in sorted(found.items()):
        sureness = _name_sureness(text, tokens, first, last)
        if sureness is not Sureness.WORD:
            span = (tokens[first].start, tokens[last - 1].end)
            refs.append(_Ref(tuple(ids), sureness is Sureness.SURE, span, by_name=True))
    return refs


def _someone_elses(tokens: Sequence[Token], first: int, last: int) -> bool:
    prev = tokens[first - 1].word if first else ""
    prev2 = tokens[first - 2].word if first > 1 else ""
    after = {t.word for t in tokens[last : last + OTHERS_REACH]}
    if after & OTHERS_AFTER:
        return True
    return prev in INDEFINITE and prev2 not in OWNING_BEFORE


def _of_species(pet: PetLike, word: _SpeciesWord) -> tuple[bool, bool]:
    """(surely of it, possibly of it) for a pet and a species or group word."""
    record = getattr(pet, "species", None)
    key, group = record_species(record), record_group(record)
    if word.group:
        members = group_members(word.key)
        if key is not None:
            return key in members or key == word.key, False
        return group == word.key, group is None
    if key is not None:
        return key == word.key, False
    return False, group is None or word.key in group_members(group)


def _species_refs(tokens: Sequence[Token], pets: Sequence[PetLike], taken: set[int]) -> list[_Ref]:
    refs: list[_Ref] = []
    for hit in species_index().find(tokens):
        if any(i in taken for i in range(hit.first, hit.last)):
            continue
        if _someone_elses(tokens, hit.first, hit.last):
            continue
        first, last = hit.first, hit.last
        if first and tokens[first - 1].word in UNSURE_AFTER | {"notre", "nos", "my", "our"}:
            first -= 1
        sure, possible = [], []
        for pet in pets:
            surely, maybe = _of_species(pet, hit.value)
            if surely:
                sure.append(pet.id)
            elif maybe:
                possible.append(pet.id)
        span = (tokens[first].start, tokens[last - 1].end)
        refs.append(_Ref(tuple(sure), True, span, False, tuple(possible), female=hit.value.female))
    return refs


def _female_one(ids: Sequence[str], pets: Sequence[PetLike]) -> str | None:
    """The one female among ``ids`` ("ma chienne" with a male and a female dog)."""
    females = [
        pet.id
        for pet in pets
        if pet.id in ids and str(getattr(pet, "sex", "") or "").strip().lower() in FEMALE_RECORDS
    ]
    return females[0] if len(females) == 1 else None


def _with_determiner(text: str, tokens: Sequence[Token], span: Span) -> Span:
    """``span`` with the possessive or article written before the name ("ma Plume"), so that
    the reason does not keep it alone ("ma a une otite")."""
    before = [t for t in tokens if t.end <= span[0]]
    if (
        before
        and before[-1].word in DETERMINERS
        and not text[before[-1].end : span[0]].strip(" '’")
    ):
        return before[-1].start, span[1]
    return span


def _distinct(ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def read_pets(text: str, tokens: Sequence[Token], pets: Sequence[PetLike]) -> PetReading:
    """Which of ``pets`` the message ``text`` (``tokens``: ``tokenize(text)``) is about."""
    if not pets or not tokens:
        return PetReading()
    names = _name_refs(text, tokens, pets)
    taken = {
        i
        for ref in names
        for i, token in enumerate(tokens)
        if ref.span[0] <= token.start < ref.span[1]
    }
    kinds = _species_refs(tokens, pets, taken)
    name_spans = tuple(ref.span for ref in names if ref.sure)
    sure_names = [ref for ref in names if ref.sure]

    def said(refs: Sequence[_Ref]) -> str | None:
        return text[slice(*refs[0].span)] if refs else None

    if sure_names:
        named = _distinct([i for ref in sure_names for i in ref.ids])
        others = _distinct([i for ref in kinds for i in ref.ids if i not in named])
        if len(named) == 1 and not others:
            chosen = tuple(_with_determiner(text, tokens, ref.span) for ref in sure_names)
            return PetReading(named[0], (), False, said(sure_names), name_spans, chosen)
        return PetReading(None, _distinct([*named, *others]), False, said(sure_names), name_spans)
    if kinds:
        sure = _distinct([i for ref in kinds for i in ref.ids])
        if len(sure) == 1:
            return PetReading(sure[0], (), False, said(kinds), name_spans)
        if len(sure) > 1:
            female = _female_one(sure, pets) if all(ref.female for ref in kinds) else None
            if female is not None:
                return PetReading(female, (), False, said(kinds), name_spans)
            return PetReading(None, sure, False, said(kinds), name_spans)
        possible = _distinct([i for ref in kinds for i in ref.possible])
        return PetReading(None, possible, not possible, said(kinds), name_spans)
    if names:
        unsure = _distinct([i for ref in names for i in ref.ids])
        return PetReading(None, unsure, False, said(names), name_spans)
    return PetReading()
