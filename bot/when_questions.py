"""What to ask, or to show, before slots are searched for a time the owner wrote.

A reading that guessed must never be booked silently (issue 17: a wrong hour read without a
word is the worst outcome). `read_when` records each guess as a `Doubt`; this module decides
what the conversation does with them:

* a doubt the owner must settle (``Doubt.ask``: a weekday that contradicts its date, "mardi
  prochain" said early in the week, time words left unread) becomes one `WhenQuestion`, its
  candidates offered as buttons, before any slot is shown;
* the other guesses ("à 3h" read as 15:00, "le lendemain" counted from today, the earliest of
  "lundi ou jeudi") are safe readings the owner only needs to see: `understood` says whether
  to show what was understood above the slots.

No Telegram here: the conversation words the question and draws the buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.when import Assumption, TimeRequest, WhenReading

MAX_CHOICES: Final = 4
"""Buttons offered at most; "Une autre date" is always there as well."""
SHOWN: Final = frozenset(
    {
        Assumption.AFTERNOON_ASSUMED,
        Assumption.COUNTED_FROM_TODAY,
        Assumption.ALTERNATIVES,
        Assumption.ROLLED_FORWARD,
        Assumption.TIME_IGNORED,
        Assumption.RANGE_REORDERED,
        Assumption.NONEXISTENT_TIME,
        Assumption.AMBIGUOUS_TIME,
    }
)
"""Guesses shown as "J'ai compris : …" above the slots, not asked."""


@dataclass(frozen=True, slots=True)
class WhenQuestion:
    """The one question to settle before slots: ``kind`` (what is unsure), ``words`` (the
    owner's words it is about, as written, when known) and ``choices`` (the readings to offer,
    soonest first; empty when nothing could be read but the owner must say it again)."""

    kind: Assumption
    words: tuple[str, ...]
    choices: tuple[TimeRequest, ...]


def question_for(reading: WhenReading) -> WhenQuestion | None:
    """The first doubt the owner must settle, or None when the reading can be used as is."""
    for doubt in reading.questions:
        words = doubt.words or (
            reading.unread_words if doubt.kind is Assumption.UNREAD_WORDS else ()
        )
        return WhenQuestion(doubt.kind, words, doubt.candidates[:MAX_CHOICES])
    if reading.unread_words and reading.request is not None:
        return WhenQuestion(Assumption.UNREAD_WORDS, reading.unread_words, (reading.request,))
    return None


def understood(request: TimeRequest | None) -> bool:
    """Whether the owner should see in words what was understood before picking a slot."""
    return request is not None and bool(request.assumptions & SHOWN)
