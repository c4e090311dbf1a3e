"""One message is enough: read pet, reason, vet, time and urgency from a first message.

"Bonjour, je voudrais un rendez-vous pour Mimi mardi prochain vers 10h pour son vaccin"
gives Mimi, Vaccination, no vet, Tuesday 09:30–10:30; the conversation asks only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.matching import Named, match_pet, match_type, match_vet
from bot.text import words
from bot.triage import Lexicon, assess, default_lexicon
from bot.when import TimeRequest, parse_when

_URGENT_WORDS: Final = frozenset({"urgent", "urgence", "urgences", "emergency", "vite", "asap"})


@dataclass(frozen=True, slots=True)
class RequestReading:
    """What a message says; each field None (urgent_hint False) when it does not say it."""

    patient_id: str | None
    appointment_type_id: str | None
    vet_id: str | None
    when: TimeRequest | None
    urgent_hint: bool


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
    urgent = bool(_URGENT_WORDS.intersection(words(text)))
    urgent = urgent or assess(text, lexicon or default_lexicon()).urgent_suspected
    return RequestReading(
        patient_id=match_pet(text, [(pet.id, pet.name) for pet in pets]),
        appointment_type_id=match_type(text, appointment_types),
        vet_id=match_vet(text, vets),
        when=parse_when(text, now, language=language),
        urgent_hint=urgent,
    )
