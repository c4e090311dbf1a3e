"""Find known words and phrases in an owner's message, typos forgiven, on every menu message.

The first-message reader looks for a few hundred known words (species, appointment types) in
each message. Comparing every word of the message with every known word, typos allowed, took
most of ``read_request``'s time; here the known words are indexed by their first word, a
message word is looked up exactly first, and compared with the known words of about its
length only once per distinct word (memoised: owners use the same few hundred words).

A known word ending in ``*`` matches any ending ("vaccin*": vacciner, vaccinée, vaccination),
so that verbs need not be conjugated by hand; one starting with ``=`` must be written right
("=tartre": "tarte" is a cake). Typos are allowed only in words of ``MIN_FUZZY`` letters or
more, that start with the right letter, and that are not themselves ordinary words
(``COMMON_WORDS``): "what" is not a typo of "chat", "midi" of "Mimi", nor "appel" of
"rappel".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Generic, TypeVar

from bot.text import distance, fold, typo_budget

T = TypeVar("T")

MIN_FUZZY: Final = 5
"""Shorter words must be written right: one typo in "chat" or "rat" makes another word."""
MIN_STEM: Final = 4
"""A ``*`` entry needs this many letters before the star, or it would match half the language."""
MEMO_SIZE: Final = 4096
"""Distinct message words remembered per index; the memo is emptied when full."""
_TOKEN: Final = re.compile(r"[^\W_]+", re.UNICODE)


def word_set(words: str) -> frozenset[str]:
    """A set of folded words written as one string, one space or line between them."""
    return frozenset(words.split())


_FOLDED_WORD: Final = re.compile(r"[a-z0-9]+")

COMMON_WORDS: Final = word_set(
    """
    a ai as au aux avec avez avons ce ces cet cette chez comme dans de des du elle elles en et
    est etait il ils je la le les leur lui ma mais me mes moi mon ne ni nos notre nous on ont
    ou par pas peu plus pour qu que qui sa sans se ses si son sont sur ta te tes toi ton tous
    tout toute tres tu un une vos votre vous y oui non merci bonjour bonsoir salut svp stp
    plait faire fait veux voudrais peux pouvez pourriez possible besoin avoir etre encore
    aussi alors bien bon bonne juste quand quel quelle rien deja depuis pendant durant apres
    avant vers entre jusqu
    lundi mardi mercredi jeudi vendredi samedi dimanche demain hier aujourd auj matin matinee
    midi minuit soir soiree nuit journee semaine mois heure heures minute minutes janvier
    fevrier mars avril mai juin juillet aout septembre octobre novembre decembre prochain
    prochaine suivant suivante dernier derniere
    the and or but for with at on in to of my our your his her him she he it is are was were
    this that what when where which who why how can could would should will please thanks
    hello hi yes no not any some there their then than have has had want need like book
    today tomorrow yesterday morning afternoon evening night week month next last monday
    tuesday wednesday thursday friday saturday sunday
    """
)
"""Ordinary French and English words (folded): never read as a typo of a known word or a
name ("what" is not "chat", "midi" is not "Mimi", "mais" is not "Maïs")."""


@dataclass(frozen=True, slots=True)
class Token:
    """A folded word of the message, with where it was written (``text[start:end]``)."""

    word: str
    start: int
    end: int


def tokenize(text: str) -> tuple[Token, ...]:
    """The folded words of ``text`` with their positions; apostrophes and punctuation split
    ("l'examen": "l", "examen"), as ``bot.text.words`` does."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        folded = fold(match.group())
        if folded.isalnum() and folded.isascii():
            tokens.append(Token(folded, match.start(), match.end()))
            continue
        tokens.extend(
            Token(part, match.start(), match.end()) for part in _FOLDED_WORD.findall(folded)
        )
    return tuple(tokens)


def capitalised_inside(text: str, token: Token) -> bool:
    """Whether ``token`` is written with a capital where no sentence starts, in a message not
    written all in capitals: a name ("avec Plume", "du Caramel"), not a word."""
    written = text[token.start : token.end]
    if not written[:1].isupper() or text.isupper():
        return False
    before = text[: token.start].rstrip()
    return bool(before) and before[-1] not in ".!?\n"


@lru_cache(maxsize=MEMO_SIZE * 4)
def similar(typed: str, known: str) -> bool:
    """Whether ``typed`` is ``known`` give or take typos, for a word long enough to carry one
    that is not an ordinary word of its own."""
    if typed == known:
        return True
    if len(typed) < MIN_FUZZY or len(known) < MIN_FUZZY or typed in COMMON_WORDS:
        return False
    if typed[0] != known[0]:
        return False
    budget = typo_budget(len(known))
    return distance(typed, known, budget) <= budget


def stem_matches(typed: str, stem: str) -> bool:
    """Whether ``typed`` starts with ``stem``, give or take a typo in a long stem."""
    if typed.startswith(stem):
        return True
    if len(stem) < MIN_FUZZY or len(typed) < len(stem) - 1 or typed in COMMON_WORDS:
        return False
    if typed[0] != stem[0]:
        return False
    budget = typo_budget(len(stem))
    return any(
        distance(typed[:cut], stem, budget) <= budget
        for cut in (len(stem) - 1, len(stem), len(stem) + 1)
        if cut <= len(typed)
    )


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    words: tuple[str, ...]
    """The folded words of the phrase; the last may end in ``*``."""
    value: T
    exact_only: bool = False
    """Written with a leading ``=``: no typo allowed."""


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A known phrase found at tokens ``[first, last)``; ``exact`` when written right."""

    value: T
    first: int
    last: int
    exact: bool


def _word_matches(typed: str, known: str, exact_only: bool = False) -> bool | None:
    """True written right, False with typos, None not at all."""
    if exact_only:
        return (
            True
            if typed == known or (known.endswith("*") and typed.startswith(known[:-1]))
            else None
        )
    if known.endswith("*"):
        stem = known[:-1]
        if typed.startswith(stem):
            return True
        return False if stem_matches(typed, stem) else None
    if typed == known:
        return True
    return False if similar(typed, known) else None


class WordIndex(Generic[T]):
    """Known phrases (as written, folded here) and what each stands for."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._by_head: dict[str, list[_Entry[T]]] = {}
        self._stems: list[str] = []
        for phrase, value in entries:
            words = phrase_words(phrase)
            if not words:
                continue
            exact_only = phrase.lstrip().startswith("=")
            self._by_head.setdefault(words[0], []).append(_Entry(words, value, exact_only))
            if words[0].endswith("*") and words[0] not in self._stems:
                self._stems.append(words[0])
        self._plain = [
            head
            for head, entries in self._by_head.items()
            if not head.endswith("*") and not all(entry.exact_only for entry in entries)
        ]
        self._memo: dict[str, tuple[tuple[str, bool], ...]] = {}

    def _heads(self, typed: str) -> tuple[tuple[str, bool], ...]:
        """The first words of known phrases that ``typed`` may be, each with ``exact``."""
        found = self._memo.get(typed)
        if found is not None:
            return found
        heads: list[tuple[str, bool]] = []
        if typed in self._by_head:
            heads.append((typed, True))
        for stem in self._stems:
            if (how := _word_matches(typed, stem)) is not None:
                heads.append((stem, how))
        if not heads and len(typed) >= MIN_FUZZY and typed not in COMMON_WORDS:
            heads.extend(
                (head, False)
                for head in self._plain
                if abs(len(head) - len(typed)) <= 2 and similar(typed, head)
            )
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        found = self._memo[typed] = tuple(heads)
        return found

    def find(self, tokens: Sequence[Token]) -> list[Hit[T]]:
        """Every known phrase in ``tokens``; where phrases overlap the longest is kept
        ("bilan sanguin" over "bilan")."""
        hits: list[Hit[T]] = []
        for index, token in enumerate(tokens):
            for head, head_exact in self._heads(token.word):
                for entry in self._by_head[head]:
                    end = index + len(entry.words)
                    if end > len(tokens) or (entry.exact_only and not head_exact):
                        continue
                    exact = head_exact
                    for known, typed in zip(entry.words[1:], tokens[index + 1 : end], strict=True):
                        how = _word_matches(typed.word, known, entry.exact_only)
                        if how is None:
                            break
                        exact = exact and how
                    else:
                        hits.append(Hit(entry.value, index, end, exact))
        return _longest(hits)


def _longest(hits: list[Hit[T]]) -> list[Hit[T]]:
    """Hits not strictly inside a longer one, in the order of the message."""
    kept = [
        hit
        for hit in hits
        if not any(
            other.first <= hit.first
            and hit.last <= other.last
            and other.last - other.first > hit.last - hit.first
            for other in hits
        )
    ]
    return sorted(kept, key=lambda hit: (hit.first, hit.last))


@lru_cache(maxsize=MEMO_SIZE)
def phrase_words(phrase: str) -> tuple[str, ...]:
    """The folded words of a known phrase, a trailing ``*`` kept ("ostéo*": ("osteo*",)); a
    leading ``=`` is dropped."""
    star = phrase.rstrip().endswith("*")
    words = _FOLDED_WORD.findall(fold(phrase))
    if star and words:
        words[-1] += "*"
    return tuple(words)
