"""Text folding and forgiving word comparison, shared by matching, triage and reading.

Owners type on phones: missing accents, capitals, typos, "œ" spelled "oe", apostrophes of
every kind. Comparisons happen on folded words, allowing a few typos in longer words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

APOSTROPHES: Final = "'’‘ʼ`´"
_FOLDS: Final = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"} | dict.fromkeys(APOSTROPHES, "'"))
_WORD: Final = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelled out, one kind of apostrophe."""
    if text.isascii():
        return text.lower().translate(_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words (letters and digits); apostrophes and punctuation split."""
    return _WORD.findall(fold(text))


def typo_budget(length: int) -> int:
    """How many typos a word of this length may carry and still be recognised."""
    if length <= 3:
        return 0
    if length <= 8:
        return 1
    return 2


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count one), or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def close(typed: str, known: str) -> bool:
    """Whether a typed folded word is the known folded word, give or take typos."""
    if typed == known:
        return True
    budget = typo_budget(len(known))
    return budget > 0 and distance(typed, known, budget) <= budget
