"""One message is enough: read pet, reason, vet, time and urgency from a first message.

"Bonjour, je voudrais un rendez-vous pour Mimi mardi prochain vers 10h pour son vaccin"
gives Mimi, Vaccination, no vet, Tuesday 09:30–10:30; the conversation asks only the rest.
What the owner wrote about the animal is kept as the reason, without the words that named the
pet, the vet or the time: Treats and the staff read "son vaccin", not the whole sentence.

Never a wrong pet, type, vet or time without a word: when the message points at several pets
or types, or at one unsurely, the reading gives the candidates and takes none; when it names
a kind of animal none of the owner's pets is, or a doctor the clinic does not have, it says so;
the time reading's own doubts come whole (``when_reading``). ``must_ask`` sums them up.

The time is read from the message without the names of the pet and vet ("Dr Durant demain
10h": *durant* is "during", which would hide the time), and without the clauses that tell
the pet's story ("il tousse depuis hier soir, vous auriez un créneau ce soir ?": tonight;
``bot.history``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.history import history_spans
from bot.matching import TITLES, ClinicWords, Named, find_type_words, read_types, read_vets
from bot.pet_reading import read_pets
from bot.text import fold, words
from bot.triage import Lexicon, assess, default_lexicon
from bot.when import TimeRequest, WhenReading, read_when
from bot.word_index import Token, tokenize

Span = tuple[int, int]
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
TIME_HINTS: Final = frozenset(
    {
        *("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "demain"),
        *("matin", "midi", "soir", "nuit", "semaine", "mois", "prochain", "prochaine"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("today", "tomorrow", "morning", "afternoon", "evening", "week", "next"),
        *("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout"),
        *("septembre", "octobre", "novembre", "decembre"),
    }
)
"""Words that make it worth reading the time again without the pet's story ("Mimi a été
vaccinée le 3 mars, rappel à faire jeudi": the time reader set "jeudi" aside with the past)."""


@dataclass(frozen=True, slots=True)
class RequestReading:
    """What a message says; each field None (urgent_hint False) when it does not say it.

    ``patient_id``, ``appointment_type_id`` and ``vet_id`` are set only when the message
    surely names one; ``when`` is the time read (its doubts in ``when_reading``). When the
    owner has one pet and names none, ``patient_id`` stays None and the conversation assigns
    it, unless ``pet_mismatch`` says the message speaks of another kind of animal.
    """

    patient_id: str | None
    appointment_type_id: str | None
    vet_id: str | None
    when: TimeRequest | None
    urgent_hint: bool
    reason: str | None = None
    """The owner's own words about the visit, without those that named the pet, vet or time."""
    time_problem: WhenReading | None = None
    """Set when the message names a time that does not exist ("31 février", "25h")."""
    when_reading: WhenReading | None = None
    """The whole time reading (``request`` is ``when``): its ``doubts``, ``unread_words``,
    ``must_ask`` and ``questions`` say what to show or ask before a slot is chosen. None when
    the message holds nothing the time reader read (no time, no problem)."""
    pet_candidates: tuple[str, ...] = ()
    """Patient ids the message may mean when it points at several pets or at one unsurely
    ("le chat" with two cats, "Mimi et Rex", "la noisette"): ask, with these as buttons.
    ``patient_id`` is then None."""
    pet_mismatch: bool = False
    """The message names a kind of animal none of the owner's pets is ("mon chien" from the
    owner of a cat): do not assign the only pet; ask (or offer to add the animal)."""
    pet_words: str | None = None
    """The owner's words that pointed at a pet, as written ("mon chien", "Noisette"), to
    quote in the question; None when no pet was named."""
    type_candidates: tuple[str, ...] = ()
    """Appointment type ids named as strongly as each other ("un vaccin et un détartrage",
    "vaccin" with a type per species and no pet known): ask, with these as buttons.
    ``appointment_type_id`` is then None."""
    vet_candidates: tuple[str, ...] = ()
    """Vet ids the message may mean when it names several, or one unsurely ("martin" in
    lower case with no title may be a word): ask rather than take one or any."""
    unknown_vet: str | None = None
    """A name after a doctor's title that is none of the clinic's vets ("le Dr Dupont"), as
    written: the owner asked for someone, so "any vet" must not be assumed."""

    @property
    def must_ask(self) -> bool:
        """Whether something read must be settled by the owner before a slot is chosen: pet,
        type or vet candidates, a pet of another kind, an unknown vet, or a time doubt."""
        return bool(
            self.pet_candidates
            or self.pet_mismatch
            or self.type_candidates
            or self.vet_candidates
            or self.unknown_vet
            or (self.when_reading is not None and self.when_reading.must_ask)
        )


def mentions_urgency(text: str) -> bool:
    """Whether the owner says in so many words that it is urgent. "Ce n'est pas urgent", "rien
    d'urgent", "sans urgence", "not an emergency" say the opposite: the urgent word is negated
    when the nearest word before it that carries meaning is a negation. Symptoms are a separate
    matter (`bot.triage.assess` reads red flags whatever the owner thinks of them)."""
    folded = words(text)
    return any(
        word in URGENT_WORDS and not _negated(folded[:index]) for index, word in enumerate(folded)
    )


BOOKING_WORDS: Final = frozenset(
    {"rdv", "rendez", "reserver", "reservation", "appointment", "book", "booking"}
)


def asks_to_book(text: str) -> bool:
    """Whether the message says the owner wants an appointment ("je voudrais un rendez-vous",
    "I'd like to book"), whatever else it names or does not name: such a message starts a
    booking at its first step, never a "not understood"."""
    return any(word in BOOKING_WORDS for word in words(text))


_NEGATIONS: Final = frozenset(
    {"pas", "non", "sans", "rien", "not", "no", "nothing", "isn", "never"}
)
_BETWEEN: Final = frozenset(
    {"tres", "trop", "si", "vraiment", "une", "un", "de", "d", "du", "tout", "an", "a", "t"}
    | {"very", "really", "that", "so", "too"}
)
"""Words that may stand between a negation and "urgent" without lifting it: "pas très
urgent", "pas d'urgence", "not an emergency", "isn't urgent" (read "isn", "t")."""


def _negated(before: list[str]) -> bool:
    for word in reversed(before[-4:]):
        if word in _NEGATIONS:
            return True
        if word not in _BETWEEN:
            return False
    return False


def read_request(
    text: str,
    now: datetime,
    pets: Sequence[Named],
    appointment_types: Sequence[Named],
    vets: Sequence[Named],
    *,
    lexicon: Lexicon | None = None,
    language: str = "fr",
    type_words: ClinicWords | None = None,
) -> RequestReading:
    """Read a free-text booking request. `now` is aware, in the clinic's zone; `lexicon`
    defaults to the built-in red flags; `language` is the owner's (see `parse_when`);
    `type_words` is the clinic's ``[type_words]`` (``ClinicConfig.type_words``). Pets are
    read with their ``species`` and ``sex`` when they have them."""
    urgent = mentions_urgency(text) or assess(text, lexicon or default_lexicon()).urgent_suspected
    tokens = tokenize(text)
    pet = read_pets(text, tokens, pets)
    vet = read_vets(text, tokens, vets)
    names = frozenset(
        word for named in (*pets, *vets) for word in words(named.name) if word not in TITLES
    )
    acts = find_type_words(tokens, appointment_types, type_words)
    act_spans = [(tokens[hit.first].start, tokens[hit.last - 1].end) for hit in acts]
    story = history_spans(text, tokens, names, act_spans)
    species = next((getattr(p, "species", None) for p in pets if p.id == pet.patient_id), None)
    kind = read_types(
        tokens,
        appointment_types,
        clinic_words=type_words,
        history=story,
        pet_species=species,
        found=acts,
    )
    not_time = [*pet.name_spans, *vet.spans, *kind.followed]
    when = _read_time(text, now, language, not_time, story, tokens)
    cut = [*pet.chosen_spans, *(vet.spans if vet.vet_id is not None else ())]
    read = when.request is not None or when.problem is not None
    return RequestReading(
        patient_id=pet.patient_id,
        appointment_type_id=kind.type_id,
        vet_id=vet.vet_id,
        when=when.request,
        urgent_hint=urgent,
        reason=reason_from(text, when.spans, (), cut=cut),
        time_problem=when if when.problem is not None else None,
        when_reading=when if read else None,
        pet_candidates=pet.candidates,
        pet_mismatch=pet.mismatch,
        pet_words=pet.said,
        type_candidates=kind.candidates,
        vet_candidates=vet.candidates,
        unknown_vet=vet.unknown_name,
    )


def _blanked(text: str, spans: Iterable[Span]) -> str:
    """``text`` with ``spans`` replaced by as many spaces: positions stay those of ``text``."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _overlaps(spans: Iterable[Span], others: Sequence[Span]) -> bool:
    return any(a < d and c < b for a, b in spans for c, d in others)


def _time_like(tokens: Sequence[Token], outside: Sequence[Span]) -> bool:
    """Whether a word outside ``outside`` may say when: a number or a word for a day or a
    moment ("jeudi", "demain", "10h")."""
    return any(
        (t.word[:1].isdigit() or t.word in TIME_HINTS)
        and not any(a <= t.start < b for a, b in outside)
        for t in tokens
    )


def _read_time(
    text: str,
    now: datetime,
    language: str,
    names: Sequence[Span],
    story: Sequence[Span],
    tokens: Sequence[Token],
) -> WhenReading:
    """The time asked for, read without ``names`` (the pet's and vet's, "après la
    stérilisation") and, when the reading used them or found nothing, without the clauses
    telling the pet's story."""
    seen = _blanked(text, names)
    when = read_when(seen, now, language=language)
    if not story:
        return when
    read = when.request is not None or when.problem is not None
    if read and not _overlaps(when.spans, story):
        return when
    if not read and not _time_like(tokens, story):
        return when
    wish = read_when(_blanked(seen, story), now, language=language)
    return wish if read or wish.request is not None else when


def reason_from(
    text: str,
    time_spans: Iterable[tuple[int, int]],
    names: Iterable[str],
    *,
    cut: Iterable[Span] = (),
) -> str | None:
    """The owner's description: ``text`` without the time words (``time_spans``), the pet's
    and vet's ``names`` (with a title before a vet's) and the spans ``cut`` (names as the
    owner wrote them, typos and all), greetings and booking words; None when nothing is
    left."""
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
    removed = [*spans, *cut] + [(s, e) for (_, s, e), d in zip(tokens, drop, strict=True) if d]
    kept = _without(text, removed)
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
