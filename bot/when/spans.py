"""Where the time expression is in the owner's own text, so the bot can take it out.

The grammar works on normalised text; ``Normalized.original_span`` maps its spans back. Here
they are widened to the little words that introduce them ("pour lundi", "l'après-midi", "in
the morning") and joined when only spaces, commas or "ou" / "et" separate them ("demain à
15h", "lundi ou mardi"), so that removing them leaves the rest of the message readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

Span = tuple[int, int]

_LEAD_WORD: Final = re.compile(
    r"(?:(?<![\w'’])(?:pour|à|a|au|aux|le|la|les|du|de|des|dès|en|dans|ce|cet|cette|vers|entre"
    r"|plutôt|plutot|on|at|in|the|for|this|by|around|between|rather)\s+|(?<![\w'’])[ld]['’]\s*)$",
    re.IGNORECASE,
)
"""A preposition, an article or "plutôt" right before a span, which goes with it."""
LEAD_WINDOW: Final = 40
"""Characters looked at before a span for its lead word (spaces included)."""
MAX_LEAD_WORDS: Final = 3
""""dans la matinée", "in the morning": at most three such words."""
_JOINER: Final = re.compile(
    r"[\s,;:/\-–—]*(?:(?:et|ou|ou bien|and|or|sinon|voire|mais|but|plutôt|plutot|rather|non"
    r"|no|ni|nor|puis|then|pardon|enfin|finalement|en fait|correction|je veux dire|sorry"
    r"|actually|I mean)\b[\s,;:/\-–—]*)*",
    re.IGNORECASE,
)
"""What may separate two spans that are one expression ("lundi ou mardi", "mardi, non
mercredi", "à 25h, pardon 15h")."""


def _with_lead_words(text: str, span: Span) -> Span:
    start, end = span
    for _ in range(MAX_LEAD_WORDS):
        lead = _LEAD_WORD.search(text, max(0, start - LEAD_WINDOW), start)
        if lead is None:
            break
        start = lead.start()
    return start, end


def expression_spans(text: str, spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted, disjoint spans of ``text``: ``spans`` with their lead words, joined when only
    spaces, punctuation or a conjunction separate them."""
    merged: list[Span] = []
    for start, end in sorted(_with_lead_words(text, span) for span in spans if span[0] < span[1]):
        if merged and (start <= merged[-1][1] or _JOINER.fullmatch(text, merged[-1][1], start)):
            merged[-1] = merged[-1][0], max(end, merged[-1][1])
        else:
            merged.append((start, end))
    return tuple(merged)
