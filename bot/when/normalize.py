"""Turn an owner's message into canonical, accent-free French tokens the grammar can match.

Owners type on phones: no accents, glued digits ("demain10h"), typos ("mercredy", "demian"),
English, numbers in words ("dix heures et demie"). Rewriting all of that into one small
vocabulary here keeps the grammar short and lets it ignore spelling entirely.

Every rewrite keeps track of where each canonical character came from (``normalize_aligned``),
so what the grammar finds can be pointed at in the owner's own text ("DEMAIN à 15h").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from bot.when.lexicon import (
    FUZZY_BLOCKLIST,
    FUZZY_MIN_LENGTH,
    FUZZY_TARGETS,
    MONTHS,
    PART_ALIASES,
    TEENS,
    TENS,
    TOKEN_REWRITES,
    UNITS,
    WEEKDAYS,
)

_APOSTROPHES: Final = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "œ": "oe", "–": "-", "—": "-", "\u00a0": " "}
)
_DROPPED_SPANS: Final = re.compile(r"\b(?:24 ?h ?/ ?24|24 ?/ ?24|7 ?j ?/ ?7|7 ?/ ?7)\b")
_MERIDIEM_DOTS: Final = re.compile(r"\b([ap])\.\s?m\b\.?")
_WEEKEND: Final = re.compile(r"\bweek[\s-]?ends?\b")
_WEEKDAY_ABBREVIATION: Final = re.compile(
    r"\b(lun|mar|mer|jeu|ven|sam|dim|mon|tue|wed|thu|fri|sat|sun)\b(\.?)"
)
_BEFORE_A_TIME: Final = re.compile(
    r" ?\d| (?:matin|soir|apr|midi|prochain|suivant|morning|afternoon|evening|night)"
)
_ALONE_ABBREVIATIONS: Final = frozenset(
    {"lun", "mar", "mer", "jeu", "ven", "dim", "tue", "thu", "fri"}
)
"""Abbreviations read alone ("jeu.", "ven ?"); not "sam" (a pet's name) nor English words."""
_ONLY_FILLERS: Final = re.compile(r"[\s,!?.]*(?:(?:plutot|pour|ce|et|ou|sinon|ok|oui)[\s,!?.]+)*")
_ONLY_PUNCTUATION: Final = re.compile(r"[\s,!?.]*")
_ARTICLE_BEFORE: Final = re.compile(
    r"\b(?:le|la|les|un|une|du|des|de|d|au|aux|a|en|mon|ma|ton|ta|son|sa|ce|cette)[\s']*$"
)


def _expand_weekday(match: re.Match[str]) -> str:
    """An abbreviated weekday, expanded where it is one: before a time ("ven. 18h"), alone in
    the message ("jeu."), or with a dot and no article before it ("lun. ou mar."). "mer"
    in a sentence is the sea, "le jeu." a game."""
    word, text = match[1], match.string
    if _BEFORE_A_TIME.match(text, match.end()):
        return _ABBREVIATED_DAYS[word]
    if word not in _ALONE_ABBREVIATIONS:
        return match[0]
    alone = _ONLY_FILLERS.fullmatch(text, 0, match.start()) and _ONLY_PUNCTUATION.fullmatch(
        text, match.end()
    )
    dotted = match[2] and not _ARTICLE_BEFORE.search(text, 0, match.start())
    return _ABBREVIATED_DAYS[word] + match[2] if alone or dotted else match[0]


_ABBREVIATED_DAYS: Final = MappingProxyType(
    {
        "lun": "lundi",
        "mar": "mardi",
        "mer": "mercredi",
        "jeu": "jeudi",
        "ven": "vendredi",
        "sam": "samedi",
        "dim": "dimanche",
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
        "sun": "sunday",
    }
)
_WORD_HYPHEN: Final = re.compile(r"(?<=[a-z])-(?=[a-z])")
_DIGIT_PUNCT: Final = re.compile(r"(?<=\d)\s*([:/.])\s*(?=\d)")
_SEPARATORS: Final = re.compile(r"[,;!?()\[\]\"«»…*]|(?<!\d)\.|\.(?!\d)")
_DASHES: Final = re.compile(r"[-–—]")
_LETTER_DIGIT: Final = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_ORDINAL_SUFFIX: Final = re.compile(r"(?<=\d) (?:er|ere|eme|em|e|th|st|nd|rd)\b")
_SPACES: Final = re.compile(r" {2,}")
"""Runs of spaces left by rewriting; tokens are joined by single spaces, the only whitespace."""

_PHRASES: Final[tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...]] = tuple(
    (triggers, re.compile(pattern), replacement)
    for triggers, pattern, replacement in (
        (("midi",), r"\bapres (?:le )?midi\b|\bap midi\b", "aprem"),
        (
            ("bon", "belle", "excellent"),
            r"\b(?:bonne|bon|bonnes|belle|excellente?) (?:fin (?:de |d )?)?"
            r"(?:journee|soiree|nuit|aprem|matinee|weekend|semaine|dejeuner|diner|appetit)\b",
            " ",
        ),
        (("hui",), r"\bauj hui\b|\bau jour d hui\b|\ba[a-z]{2,6}d hui\b", "auj"),
        (("an heure",), r"\ban (?=heure)", "1 "),
        (
            ("half", "demi heure", "heure demi"),
            r"\bhalf (?:1 )?heure\b|\b1 demi heure\b|\b1 heure demi\b",
            "30 minutes",
        ),
        (("quart d",), r"\b(?:1 )?quart d heure\b", "15 minutes"),
        (("quart",), r"\b3 quarts? d heure\b", "45 minutes"),
        (("quinzaine",), r"\b(?:1 )?quinzaine\b", "15 jours"),
        (("huitaine",), r"\b(?:1 )?huitaine\b", "8 jours"),
        (("demain",), r"\b(?:le )?jour apres demain\b|\bapres demain\b", "apresdemain"),
        (("hier",), r"\bavant hier\b", "avanthier"),
        (
            (
                "que ",
                "plus ",
                "maintenant",
                "suite",
                "away",
                "right now",
                "creneau",
                "dispo",
                "available",
                "earliest",
                "asap",
                "urgen",
            ),
            r"\b(?:des que (?:possible|vous (?:pouvez|pourrez)|tu (?:peux|pourras)|"
            r"(?:vous avez|il y a) (?:de la )?(?:place|1 (?:place|dispo|creneau)))"
            r"|(?:le|au) plus (?:tot|vite|rapidement)(?: possible)?"
            r"|aussi (?:tot|vite|rapidement) que possible"
            r"|des maintenant|tout de suite|as soon as possible|(?:right|straight) away|right now"
            r"|(?:le )?premier creneau(?: disponible| libre| dispo)?|premiere? dispo"
            r"|premier available|earliest (?:possible|available)|asap|en urgence|urgemment)\b",
            " asap ",
        ),
        (
            ("importe", "quand", "any", "whenever", "flexible"),
            r"\b(?:n importe quand|n importe quel jour"
            r"|quand (?:vous|tu) (?:voulez|veux|pouvez|peux)"
            r"|quand ca vous arrange|peu importe (?:le jour|quand|l heure|le moment)"
            r"|any ?time|anytime|whenever|je suis (?:tres )?flexible)\b",
            " anytime ",
        ),
        (("clock",), r"\bo clock\b", " h "),
        (("premier",), rf"\b(?:le )?premier (?:de |d )?(?=(?:{'|'.join(MONTHS)})\b)", "le 1 "),
        (("premier",), r"\ble premier\b(?! creneau| dispo)", "le 1"),
        (("half",), r"\bhalf past (\d{1,2})\b", r"\1 h 30"),
        (("quart",), r"\bquart past (\d{1,2})\b", r"\1 h 15"),
        (("quart",), r"\bquart a (\d{1,2})\b", r"\1 h moins le quart"),
        (("midi et 2",), r"\bmidi et 2\b(?! ?h)", "midi et 14 h"),
        (
            ("plus tard", "pas apres"),
            r"\bpas plus tard que\b|\bau plus tard(?: a| pour| vers| le)?\b|\bpas apres\b",
            "jusqua",
        ),
        (("plus tard que",), r"\bplus tard que\b", "apres"),
        (("pas avant",), r"\bpas avant\b", "apartir"),
        (("partir", "compter"), r"\ba (?:partir|compter) du\b", "apartir le"),
        (("partir", "compter"), r"\ba (?:partir|compter) (?:de|d)\b", "apartir"),
        (("des le",), r"\bdes le\b", "apartir le"),
        (("d ici",), r"\b(come|drop|stop|pop|swing|call) d ici\b", r"\1"),
        (("d ici",), r"\bd ici\b", "dici"),
        (("jusqu",), r"\bjusqu a(?:u)?\b", "jusqua"),
        (
            ("heure", "tot", "matinee", "premier thing", "ouverture"),
            r"\b(?:a la premier heure|de bonne heure|tot le matin|en tout debut de matinee"
            r"|premier thing|a l ouverture|des l ouverture|matin tot)\b",
            " debutjournee ",
        ),
        (
            ("journee", "travail", "boulot"),
            r"\b(?:fin|en fin) (?:de |d )?(?:la )?journee\b|\bapres le (?:travail|boulot)\b",
            " finjournee ",
        ),
        (("journee",), r"\b(?:en |au )?debut (?:de |d )?(?:la )?journee\b", " debutjournee "),
        (
            ("journee",),
            r"\b(?:en |au )?(?:milieu|mi) (?:de |d )?(?:la )?journee\b",
            " milieujournee ",
        ),
        (
            ("journee",),
            r"\b(?:dans la|en|en cours de|au cours de la) journee\b",
            " enjournee ",
        ),
        (("petit",), r"\bpetit (?:dejeuner|dej)\b", "petitdej"),
    )
)
"""Multi-word idioms collapsed to one canonical token, applied after word-level rewriting.
Each is tried only when one of its trigger substrings is present: most messages hit none."""

_MINUTES_PAST: Final = re.compile(r"\b([0-5]?\d) (?:minutes )?past (1?\d)\b")
_NOW: Final = re.compile(r"\b(?:en ce moment|maintenant)\b")
_AVAILABILITY: Final = re.compile(
    r"\b(?:possible|dispo\w*|disponib\w*|places?|creneaux?|rdv|rendez vous|venir|passer"
    r"|recevoir|prendre|voir|libre|consultation|ouvert|ouverts|urgence|available|come)\b"
)
_CLAUSE_BREAK: Final = re.compile(r".*(?:,|\b(?:et|mais|car|donc|alors|puis)\b)")
_NEXT_CLAUSE: Final = re.compile(r",|\b(?:et|mais|car|donc|alors|puis)\b")
_NOW_FILLERS: Final = frozenset({"", "ok", "oui", "alors", "et", "ou", "sinon", "plutot", "des"})


def _minutes_past(match: re.Match[str]) -> str:
    """ "ten past three" -> "3 h 10"; "five past three" -> "3 h 05" (not 3:50)."""
    return f"{match[2]} h {int(match[1]):02d}"


def _now_when_asked(match: re.Match[str]) -> str:
    """ "en ce moment", "maintenant": now, when the owner asks for it ("vous pouvez le voir
    maintenant ?", "possible en ce moment ?", or the word alone); not in a description of the
    animal ("il tousse beaucoup en ce moment")."""
    before, after = match.string[: match.start()], match.string[match.end() :]
    clause_break = _CLAUSE_BREAK.match(before)
    clause = before[clause_break.end() :] if clause_break else before
    clause += " " + _NEXT_CLAUSE.split(after, maxsplit=1)[0]
    alone = not after.replace(",", " ").split() and all(
        word in _NOW_FILLERS for word in before.replace(",", " ").split()
    )
    return " asap " if alone or _AVAILABILITY.search(clause) else match[0]


_ALL_TRIGGERS: Final = frozenset(
    {*(t for rule in _PHRASES for t in rule[0]), "past", "maintenant", "moment"}
)
_TRIGGERS: Final = re.compile(
    "(?=(" + "|".join(sorted(map(re.escape, _ALL_TRIGGERS), key=len, reverse=True)) + "))"
)
"""Finds, at every position, the longest trigger; shorter ones sharing its start are added back
through ``_TRIGGER_PREFIXES``."""
_RULES_BY_TRIGGER: Final = MappingProxyType(
    {
        trigger: tuple(i for i, rule in enumerate(_PHRASES) if trigger in rule[0])
        for trigger in _ALL_TRIGGERS
    }
)
"""The phrase rules each trigger calls for, so a message runs only its own (in list order)."""
_TRIGGER_PREFIXES: Final = MappingProxyType(
    {t: frozenset(p for p in _ALL_TRIGGERS if t.startswith(p)) for t in _ALL_TRIGGERS}
)


def _deletions(word: str) -> Iterable[str]:
    return (word[:i] + word[i + 1 :] for i in range(len(word)))


def _build_fuzzy_index(targets: Iterable[str]) -> Mapping[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for target in targets:
        for key in (target, *_deletions(target)):
            index.setdefault(key, set()).add(target)
    return MappingProxyType({key: tuple(sorted(words)) for key, words in index.items()})


_FUZZY_INDEX: Final = _build_fuzzy_index(FUZZY_TARGETS)
"""Symmetric-delete index: a one-edit typo shares a deletion with its target."""

_KNOWN_WORDS: Final = frozenset(
    {*WEEKDAYS, *MONTHS, *PART_ALIASES, *UNITS, *TEENS, *TENS, *FUZZY_TARGETS}
)


def _within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance <= 1 (one insertion, deletion, change or swap)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _typo_matches(token: str) -> list[str]:
    """The vocabulary words one edit away from ``token`` (none for short, real or known words)."""
    if len(token) < FUZZY_MIN_LENGTH or token in FUZZY_BLOCKLIST or token in _KNOWN_WORDS:
        return []
    if not token.isalpha():
        return []
    candidates: set[str] = set()
    for key in (token, *_deletions(token)):
        candidates.update(_FUZZY_INDEX.get(key, ()))
    return sorted(c for c in candidates if _within_one_edit(token, c))


def _meanings(matches: list[str]) -> set[str]:
    return {PART_ALIASES.get(c, c).rstrip("se") for c in matches}


def correct_typo(token: str) -> str:
    """Return the vocabulary word one edit away from ``token``, or ``token`` unchanged."""
    matches = _typo_matches(token)
    return matches[0] if len(_meanings(matches)) == 1 else token


def _rewrite(token: str) -> tuple[str, bool]:
    """The canonical word(s) for ``token``, and whether it is a typo of a time word we could
    not correct (several meanings are one edit away)."""
    rewritten = TOKEN_REWRITES.get(token)
    if rewritten is not None:
        return rewritten, False
    matches = _typo_matches(token)
    meanings = _meanings(matches)
    if len(meanings) != 1:
        return token, len(meanings) > 1
    return TOKEN_REWRITES.get(matches[0], matches[0]), False


Token = tuple[str, int, int]
"""A canonical word and the span [start, end) of the original text it was read from."""


_CLOCK_WORDS: Final = frozenset({"h", "heure", "heures", "midi", "minuit"})
"""After these a spelled unit is minutes: "dix heures cinq" is 10:05, "minuit trois" 00:03
(padded, so the grammar does not read it as a typed "10h5", which means 10:50)."""


def _numbers_to_digits(tokens: list[Token]) -> list[Token]:
    """Spelled numbers to digits: "dix sept" -> 17, "vingt et une" -> 21, "quinze" -> 15,
    "dix heures cinq" -> "10 heures 05"."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token, start, end = tokens[i]
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        after = tokens[i + 2][0] if i + 2 < len(tokens) else ""
        if token in TENS:
            value = TENS[token]
            if nxt == "et" and after in ("un", "une", "one"):
                value, i = value + 1, i + 2
            elif nxt in UNITS:
                value, i = value + UNITS[nxt], i + 1
            out.append((str(value), start, tokens[i][2]))
        elif token == "dix" and nxt in ("sept", "huit", "neuf"):
            out.append((str(10 + UNITS[nxt]), start, tokens[i + 1][2]))
            i += 1
        elif token in TEENS:
            out.append((str(TEENS[token]), start, end))
        elif token in UNITS and not (token == "sept" and out and out[-1][0].isdigit()):
            minutes = out and out[-1][0] in _CLOCK_WORDS and nxt not in ("quart", "quarts")
            digits = str(UNITS[token])
            out.append((digits.zfill(2) if minutes else digits, start, end))
        else:
            out.append(tokens[i])
        i += 1
    return out


def _add_words(tokens: list[Token], words: str, start: int, end: int) -> None:
    """Append the words of a rewritten token, each standing for the whole original token."""
    if " " in words:
        tokens.extend((word, start, end) for word in words.split())
    elif words:
        tokens.append((words, start, end))


class Aligned:
    """Text being rewritten, with the original span every character came from.

    ``starts[i]`` / ``ends[i]`` bound the original characters that character ``i`` stands
    for. A replacement stands for everything its match covered; an inserted character (a
    space between glued words) for the empty span where it was inserted. Rewriting keeps the
    order, so both lists never decrease.
    """

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends

    @classmethod
    def identity(cls, text: str) -> Aligned:
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def same_length(self, text: str) -> Aligned:
        """A character-for-character rewrite (``str.translate`` with one-character values)."""
        if len(text) != len(self.text):
            raise ValueError("same_length: the rewrite changed the length")
        return Aligned(text, self.starts, self.ends)

    def _origin(self, start: int, end: int) -> tuple[int, int]:
        if start < end:
            return self.starts[start], self.ends[end - 1]
        at = self.starts[start] if start < len(self.text) else (self.ends[-1] if self.ends else 0)
        return at, at

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Aligned:
        """``pattern.sub(repl, text)`` keeping the alignment."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        last = 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            pieces.append(self.text[last:start])
            starts += self.starts[last:start]
            ends += self.ends[last:start]
            new = repl(match) if callable(repl) else _expand(match, repl)
            origin_start, origin_end = self._origin(start, end)
            pieces.append(new)
            starts += [origin_start] * len(new)
            ends += [origin_end] * len(new)
            last = end
        if not pieces:
            return self
        pieces.append(self.text[last:])
        starts += self.starts[last:]
        ends += self.ends[last:]
        return Aligned("".join(pieces), starts, ends)

    def per_character(self, rewrite: Callable[[str], str]) -> Aligned:
        """Rewrite each character on its own (lower-casing, accent folding)."""
        return self.sub(_ANY_CHARACTER, lambda match: rewrite(match[0]))

    @classmethod
    def join(cls, tokens: list[Token]) -> Aligned:
        """The tokens separated by single spaces (a space goes with the word before it, so
        spans never decrease even when one word became several: "tonight" -> "ce soir")."""
        starts: list[int] = []
        ends: list[int] = []
        for index, (token, start, end) in enumerate(tokens):
            if index:
                starts.append(starts[-1] if starts else start)
                ends.append(ends[-1] if ends else start)
            starts += [start] * len(token)
            ends += [end] * len(token)
        return cls(" ".join(token for token, _, _ in tokens), starts, ends)

    def strip(self) -> Aligned:
        stripped = self.text.strip()
        if len(stripped) == len(self.text):
            return self
        start = len(self.text) - len(self.text.lstrip())
        end = start + len(stripped)
        return Aligned(stripped, self.starts[start:end], self.ends[start:end])


_ANY_CHARACTER: Final = re.compile(r".", re.DOTALL)
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_LIGATURE: Final = re.compile("œ")
_WORD: Final = re.compile(r"\S+")


def _expand(match: re.Match[str], template: str) -> str:
    """``match.expand(template)``, which parses the template on every call: most are plain."""
    return match.expand(template) if "\\" in template else template


@cache
def _fold(character: str) -> str:
    """One character without its accents; other non-ASCII symbols carry no time."""
    return unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode()


@dataclass(frozen=True, slots=True)
class Normalized:
    """The canonical text and, for each of its characters, where it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    suspects: tuple[tuple[int, int], ...] = ()
    """Spans of the original text holding a typo of a time word that could not be corrected
    (one edit away from several): time words the reader could not read."""

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that canonical ``text[start:end]`` was read from
        (spaces at either end ignored); empty at the right place for an empty span."""
        while start < end and self.text[start] == " ":
            start += 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        if start < end:
            return self.starts[start], self.ends[end - 1]
        if start < len(self.text):
            return self.starts[start], self.starts[start]
        last = self.ends[-1] if self.ends else 0
        return last, last


def normalize_aligned(text: str) -> Normalized:
    """``normalize(text)`` with the original span of every canonical character."""
    lowered = Aligned.identity(text)
    lower = text.lower()
    if len(lower) == len(text):
        lowered = lowered.same_length(lower)
    else:  # a few characters lower-case to two ("İ")
        lowered = lowered.per_character(str.lower)
    lowered = lowered.sub(_LIGATURE, "oe")
    lowered = lowered.same_length(lowered.text.translate(_APOSTROPHES))
    plain = lowered if lowered.text.isascii() else lowered.sub(_NON_ASCII, lambda m: _fold(m[0]))
    plain = plain.sub(_MERIDIEM_DOTS, r" \1m ")
    plain = plain.sub(_DROPPED_SPANS, " ")
    plain = plain.sub(_WEEKEND, "weekend")
    plain = plain.sub(_WEEKDAY_ABBREVIATION, _expand_weekday)
    plain = plain.sub(_WORD_HYPHEN, " ")
    plain = plain.same_length(plain.text.replace("'", " "))
    plain = plain.sub(_SEPARATORS, " , ")
    plain = plain.sub(_DIGIT_PUNCT, lambda match: f" {match[1]} ")
    plain = plain.sub(_DASHES, " - ")
    tokens: list[Token] = []
    suspects: list[tuple[int, int]] = []
    starts, ends = plain.starts, plain.ends
    for word in _WORD.finditer(plain.text):
        raw, (first, last) = word[0], word.span()
        if raw in TOKEN_REWRITES:  # whole-token slang like "2main", before splitting
            _add_words(tokens, TOKEN_REWRITES[raw], starts[first], ends[last - 1])
            continue
        cuts = (0, len(raw))
        if not (raw.isalpha() or raw.isdigit()):
            cuts = (0, *(match.start() for match in _LETTER_DIGIT.finditer(raw)), len(raw))
        for cut, next_cut in pairwise(cuts):
            part, suspect = _rewrite(raw[cut:next_cut])
            origin = starts[first + cut], ends[first + next_cut - 1]
            _add_words(tokens, part, *origin)
            if suspect:
                suspects.append(origin)
    joined = Aligned.join(_numbers_to_digits(tokens)).sub(_ORDINAL_SUFFIX, "")
    present: set[str] = set()
    for trigger in _TRIGGERS.findall(joined.text):
        present |= _TRIGGER_PREFIXES[trigger]
    for index in sorted({i for trigger in present for i in _RULES_BY_TRIGGER.get(trigger, ())}):
        _, pattern, replacement = _PHRASES[index]
        joined = joined.sub(pattern, replacement)
    if "past" in present:
        joined = joined.sub(_MINUTES_PAST, _minutes_past)
    if "maintenant" in present or "moment" in present:
        joined = joined.sub(_NOW, _now_when_asked)
    final = joined.sub(_SPACES, " ").strip()
    return Normalized(final.text, tuple(final.starts), tuple(final.ends), tuple(suspects))


def normalize(text: str) -> str:
    """Canonical form of ``text``: lower-case, accent-free, canonical French words, digits."""
    return normalize_aligned(text).text
