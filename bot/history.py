"""What happened is not what is asked: the parts of a message that tell the pet's story.

"il tousse depuis hier soir, vous auriez un créneau ce soir ?" asks for tonight; "il a vomi ce
matin" asks for no time at all; "elle boite aujourd'hui, dispo demain ?" asks for tomorrow.
The time reader (``bot.when``) sets aside times after "depuis" or in a past-tense clause; the
first-message reader also needs the clauses it cannot see as history: a symptom in the
present with a moment of today ("il vomit ce matin"), and a list that continues a past clause
("il a vomi lundi, mardi et mercredi"). ``history_spans`` gives those clauses, so the reader
can read the time from the rest of the message.

A clause is cut at sentence ends, commas, colons and brackets. It tells history when it holds
a past-tense verb ("a vomi", "s'est coupé", "toussait", "vomited") or a past adverb ("hier",
"depuis", "il y a", "la semaine dernière", "last night"), or a symptom in the present with
a moment of today ("il tousse cette nuit"), and no word of a wish ("rdv", "possible",
"pouvez-vous", "venir", "faire", a question mark): a clause with both is the wish, and the
time reader's own rules apply to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.word_index import COMMON_WORDS, Token, word_set

Span = tuple[int, int]

_CUT: Final = re.compile(r"[.;!?\n,:()]+|\s+-\s+")
"""Clause ends: a sentence end, a comma, a colon, brackets, a dash between spaces."""
_CONTINUING: Final = re.compile(r"[\s,:()]*")
"""What separates a clause from the one it continues: a comma, not a sentence end."""

WISH_WORDS: Final = word_set(
    """
    rdv rendez creneau creneaux dispo dispos disponible disponibles disponibilite
    disponibilites possible pouvez pourriez pourrait pourrais pourrions peut peux puis
    voudrais voudrait voudrions souhaite souhaiterais souhaiterait aimerais aimerait veux
    faut faudrait doit dois devrait venir revenir viens passer amener emmener ramener
    prendre reserver voir revoir examiner faire prevoir prevu prevue besoin auriez avez
    urgent urgence
    book booking appointment slot slots available can could would like need want bring
    come see schedule
    """
)
"""Words by which an owner asks for something: a clause holding one is the wish."""
PAST_WORDS: Final = frozenset(
    {"hier", "depuis", "derniere", "dernier", "derniers", "dernieres", "passee", "passees"}
    | {"yesterday", "since", "ago", "last", "earlier", "was", "were", "had"}
)
"""Words that put a clause in the past ("hier", "lundi dernier", "last night")."""
PAST_PHRASES: Final = (("il", "y", "a"), ("ca", "fait"), ("tout", "a", "l", "heure"))
"""Phrases that put a clause in the past ("il y a deux jours", "ça fait une semaine")."""
AUXILIARIES: Final = word_set(
    """
    a ai as avons avez ont avait avaient avais eu est suis es sommes etes sont etait
    etaient ete
    """
)
"""Avoir and être, which make a past tense with a participle ("a vomi", "s'est coupé")."""
BETWEEN: Final = word_set(
    """
    pas plus encore deja bien beaucoup trop tout jamais rien souvent vraiment un peu
    toujours aussi presque meme completement
    """
)
"""Words that may sit between the auxiliary and the participle ("n'a pas mangé")."""
PARTICIPLE_ENDINGS: Final = ("i", "ie", "is", "it", "u", "ue", "us", "ert", "ee", "ees")
"""Past participles ("vomi", "pris", "mordu", "ouvert", "mangée"); "-é" is told apart by its
accent (``ACCENTED_ENDINGS``)."""
SUBJECTS: Final = frozenset({"il", "elle", "on", "qui", "ca", "cela", "n", "m", "l", "t"})
"""Words before "a" that make it the verb ("il a vomi", "il n'a pas mangé", "ça l'a piqué"):
folded, "à" is "a" too ("rappel à Mimi")."""
AMBIGUOUS_AUXILIARIES: Final = frozenset({"a", "as"})
NOT_PARTICIPLES: Final = word_set(
    """
    malade malades possible urgent urgente normale normal calme seule seul pour rendez sur
    que qui quoi quelque ici fini
    """
)
"""Words after "est" / "a" that are no past participle ("il est malade" is now)."""
ACCENTED_ENDINGS: Final = ("é", "ée", "és", "ées", "É", "ÉE", "ÉS", "ÉES")
"""A participle in "-é" must be written with its accent: "a domicile" is no past tense."""
IMPERFECT_EXCEPTIONS: Final = frozenset({"souhait", "plait", "fait", "lait", "parfait", "extrait"})
"""Words ending in "-ait" that are no imperfect ("s'il vous plaît", "il fait")."""
ENGLISH_PRESENT_ED: Final = frozenset({"need", "feed", "bleed", "breed", "speed", "seed"})
SYMPTOM_WORDS: Final = word_set(
    """
    vomit vomissent vomis tousse toussent boite boitent gratte grattent saigne saignent
    eternue tremble tremblent bave halete souffre pleure miaule gemit diarrhee fievre mal
    crise malade
    vomits vomiting coughs coughing limps limping bleeds bleeding sick scratching sneezing
    shaking
    """
)
"""Symptoms an owner tells in the present ("il vomit"): history when said of today."""
TODAY_PAST: Final = (
    ("ce", "matin"),
    ("cette", "nuit"),
    ("ce", "midi"),
    ("aujourd", "hui"),
    ("this", "morning"),
    ("today",),
)
"""Moments of today an owner tells a symptom by ("il tousse cette nuit": last night)."""
FUTURE_WORDS: Final = word_set(
    """
    demain prochain prochaine prochains suivant suivante dans bientot apresdemain pour
    tomorrow next soon
    """
)
"""Words by which a clause that continues a past one asks on its own ("il a vomi ce matin,
demain 10h ?"): it is not part of the story."""
LIST_WORDS: Final = frozenset({"et", "ou", "puis", "and", "or", "then"})
"""A clause continues a past one only as a list ("il a vomi lundi, mardi et mercredi"): one
without these ("il a vomi hier, jeudi 10h") may be the wish."""


@dataclass(frozen=True, slots=True)
class _Clause:
    start: int
    end: int
    tokens: tuple[Token, ...]
    continues: bool
    """Separated from the previous clause by a comma, not a sentence end."""
    question: bool
    """A question mark ends it."""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(token.word for token in self.tokens)


def _clauses(text: str, tokens: Sequence[Token]) -> list[_Clause]:
    clauses: list[_Clause] = []
    position, continues = 0, False
    for cut in [*_CUT.finditer(text), None]:
        end = len(text) if cut is None else cut.start()
        inside = tuple(t for t in tokens if position <= t.start < end)
        if inside:
            question = cut is not None and "?" in cut.group()
            clauses.append(_Clause(position, end, inside, continues, question))
        if cut is not None:
            continues = bool(inside) and _CONTINUING.fullmatch(cut.group()) is not None
            position = cut.end()
    return clauses


def _has_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


def _participle(token: Token, text: str, names: frozenset[str]) -> bool:
    """A past participle, as written: not a name, not an ordinary word, "-é" accented."""
    word, written = token.word, text[token.start : token.end]
    if len(word) < 3 or word in NOT_PARTICIPLES or word in COMMON_WORDS or word in names:
        return False
    if written[:1].isupper() and not written.isupper():
        return False  # "c'est Mimi": a name
    return word.endswith(PARTICIPLE_ENDINGS) or written.endswith(ACCENTED_ENDINGS)


def _auxiliary(tokens: Sequence[Token], index: int, text: str) -> bool:
    word = tokens[index].word
    if word not in AUXILIARIES:
        return False
    if word not in AMBIGUOUS_AUXILIARIES:
        return True
    written = text[tokens[index].start : tokens[index].end]
    return written in ("a", "as", "A") and index > 0 and tokens[index - 1].word in SUBJECTS


def _past_tense(tokens: Sequence[Token], text: str, names: frozenset[str]) -> bool:
    for index, token in enumerate(tokens):
        word = token.word
        if _auxiliary(tokens, index, text):
            for after in tokens[index + 1 : index + 4]:
                if after.word in BETWEEN:
                    continue
                if _participle(after, text, names):
                    return True
                break
        if (
            len(word) >= 6
            and word.endswith(("ait", "aient"))
            and not word.endswith(("rait", "raient"))
            and word not in IMPERFECT_EXCEPTIONS
        ):
            return True
        if len(word) >= 5 and word.endswith("ed") and word not in ENGLISH_PRESENT_ED:
            return True
    return False


def _tells_the_past(clause: _Clause, text: str, names: frozenset[str]) -> bool:
    words = clause.words
    return (
        any(word in PAST_WORDS for word in words)
        or any(_has_phrase(words, phrase) for phrase in PAST_PHRASES)
        or _past_tense(clause.tokens, text, names)
    )


def _symptom_today(words: Sequence[str]) -> bool:
    return any(word in SYMPTOM_WORDS for word in words) and any(
        _has_phrase(words, phrase) for phrase in TODAY_PAST
    )


def _asks(clause: _Clause) -> bool:
    return clause.question or any(word in WISH_WORDS for word in clause.words)


def _continues_the_story(clause: _Clause, acts: Sequence[Span]) -> bool:
    """A list after a past clause ("..., mardi et mercredi"), naming no act and asking for
    nothing ("..., contrôle jeudi" asks for a check-up)."""
    words = clause.words
    return (
        clause.continues
        and any(word in LIST_WORDS for word in words)
        and not any(word in FUTURE_WORDS for word in words)
        and not any(clause.start <= a < clause.end for a, _ in acts)
    )


def history_spans(
    text: str,
    tokens: Sequence[Token],
    names: frozenset[str] = frozenset(),
    acts: Sequence[Span] = (),
) -> tuple[Span, ...]:
    """The [start, end) spans of ``text`` that tell what happened rather than what is asked,
    sorted and disjoint. ``tokens`` are ``tokenize(text)``; ``names`` are the folded words
    of the pets' and vets' names, which are never a verb ("c'est Mimi"); ``acts`` are the
    spans of words naming an appointment ("contrôle"): a clause holding one after a past
    clause is a wish, not more of the story."""
    spans: list[Span] = []
    story = False
    for clause in _clauses(text, tokens):
        if _asks(clause):
            story = False
            continue
        if _tells_the_past(clause, text, names) or _symptom_today(clause.words):
            story = True
        elif not (story and _continues_the_story(clause, acts)):
            story = False
            continue
        spans.append((clause.start, clause.end))
    return tuple(spans)
