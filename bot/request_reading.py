"""One message is enough: read pet, reason, vet, time and urgency from a first message.

"Bonjour, je voudrais un rendez-vous pour Mimi mardi prochain vers 10h pour son vaccin"
gives Mimi, Vaccination, no vet, Tuesday 09:30–10:30; the conversation asks only the rest.
What the owner wrote about the animal is kept as the reason, without the words that named the
pet, the vet or the time: Treats and the staff read "son vaccin", not the whole sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.matching import TITLES, Named, match_pet, match_species, match_type, match_vet
from bot.text import fold, words
from bot.triage import Lexicon, assess, default_lexicon
from bot.when import TimeRequest, WhenReading, read_when

URGENT_WORDS: Final = frozenset(
    {"urgent", "urgente", "urgence", "urgences", "emergency", "urgently", "vite", "asap"}
)
"""Words by which an owner says it is urgent, whatever the symptoms."""
MAX_REASON: Final = 200
_TOKEN: Final = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_FILLERS: Final = (
    ("bonjour",),
    ("bonsoir",),
    ("salut",),
    ("hello",),
    ("hi",),
    ("merci",),
    ("svp",),
    ("stp",),
    ("s'il", "vous", "plait"),
    ("je", "voudrais"),
    ("je", "souhaiterais"),
    ("je", "souhaite"),
    ("j'aimerais",),
    ("je", "veux"),
    ("prendre",),
    ("un", "rendez", "vous"),
    ("rendez", "vous"),
    ("un", "rdv"),
    ("rdv",),
    ("i", "would", "like"),
    ("i'd", "like"),
    ("an", "appointment"),
    ("appointment",),
    ("pouvez", "vous", "la", "voir"),
    ("pouvez", "vous", "le", "voir"),
    ("pouvez", "vous", "les", "voir"),
    ("pourriez", "vous", "la", "voir"),
    ("pourriez", "vous", "le", "voir"),
    ("pourriez", "vous", "les", "voir"),
    ("can", "you", "see", "her"),
    ("can", "you", "see", "him"),
    ("could", "you", "see", "her"),
    ("could", "you", "see", "him"),
    ("please",),
    ("thanks",),
    ("book",),
)
"""Greetings and booking words: they say that the owner wants a booking, not why."""
_DANGLING: Final = frozenset(
    {
        "pour",
        "avec",
        "le",
        "la",
        "les",
        "l'",
        "de",
        "du",
        "des",
        "d'",
        "a",
        "au",
        "aux",
        "chez",
        "et",
        "ou",
        "un",
        "une",
        "for",
        "with",
        "at",
        "on",
        "and",
        "the",
        "to",
    }
)
"""Words left hanging at either end once a name or a time is taken out ("vaccin pour")."""


@dataclass(frozen=True, slots=True)
class RequestReading:
    """What a message says; each field None (urgent_hint False) when it does not say it."""

    patient_id: str | None
    appointment_type_id: str | None
    vet_id: str | None
    when: TimeRequest | None
    urgent_hint: bool
    reason: str | None = None
    """The owner's own words about the visit, without those that named the pet, vet or time."""
    time_problem: WhenReading | None = None
    """Set when the message names a time that does not exist ("31 février", "25h")."""


def mentions_urgency(text: str) -> bool:
    """Whether the owner says in so many words that it is urgent."""
    return bool(URGENT_WORDS.intersection(words(text)))


def read_request(
    text: str,
    now: datetime,
    pets: Sequence[Named],
    appointment_types: Sequence[Named],
    vets: Sequence[Named],
    *,
    lexicon: Lexicon | None = None,
    language: str = "fr",
) -> RequestReading:
    """Read a free-text booking request. `now` is aware, in the clinic's zone; `lexicon`
    defaults to the built-in red flags; `language` is the owner's (see `parse_when`)."""
    urgent = mentions_urgency(text) or assess(text, lexicon or default_lexicon()).urgent_suspected
    when = read_when(text, now, language=language)
    patient_id = match_pet(text, [(pet.id, pet.name) for pet in pets]) or match_species(
        text, [(pet.id, getattr(pet, "species", None)) for pet in pets]
    )
    vet_id = match_vet(text, vets)
    names = [pet.name for pet in pets if pet.id == patient_id]
    names += [vet.name for vet in vets if vet.id == vet_id]
    return RequestReading(
        patient_id=patient_id,
        appointment_type_id=match_type(text, appointment_types),
        vet_id=vet_id,
        when=when.request,
        urgent_hint=urgent,
        reason=reason_from(text, when.spans, names),
        time_problem=when if when.problem is not None else None,
    )


def reason_from(
    text: str, time_spans: Iterable[tuple[int, int]], names: Iterable[str]
) -> str | None:
    """The owner's description: ``text`` without the time words (``time_spans``), the pet's
    and vet's ``names`` (with a title before a vet's), greetings and booking words; None when
    nothing is left."""
    spans = sorted(time_spans)
    name_words = {word for name in names for word in words(name) if word not in TITLES}
    tokens = [
        (fold(m.group()).replace("’", "'"), m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if not any(a <= m.start() < b for a, b in spans)
    ]
    drop = [word in name_words for word, _, _ in tokens]
    for i, (word, _, _) in enumerate(tokens):
        if word in TITLES and i + 1 < len(tokens) and drop[i + 1]:
            drop[i] = True
    folded = [word for word, _, _ in tokens]
    for phrase in _FILLERS:
        for i in range(len(folded) - len(phrase) + 1):
            if tuple(folded[i : i + len(phrase)]) == phrase:
                drop[i : i + len(phrase)] = [True] * len(phrase)
    cut = [(a, b) for a, b in spans] + [
        (s, e) for (_, s, e), d in zip(tokens, drop, strict=True) if d
    ]
    kept = _without(text, cut)
    return _tidy(kept)


def _without(text: str, cuts: Iterable[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in sorted(cuts):
        if start >= position:
            out.append(text[position:start])
            out.append(" ")
        position = max(position, end)
    out.append(text[position:])
    return "".join(out)


def _tidy(text: str) -> str | None:
    """Spaces collapsed, punctuation left alone at an end dropped, and the little words that
    hung on a removed name or time ("vaccin pour") too."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.)])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    while True:
        before = text
        text = text.strip(" ,;:.?!-–—/()'\"«»")
        parts = text.split(" ")
        while parts and fold(parts[-1]).strip(",;:.!?") in _DANGLING:
            parts.pop()
        while parts and fold(parts[0]).strip(",;:.!?") in _DANGLING:
            parts.pop(0)
        text = " ".join(parts)
        if text == before:
            break
    if not any(ch.isalpha() for ch in text):
        return None
    return text[:MAX_REASON]
