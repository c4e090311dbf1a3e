"""Turn an owner's message into canonical, accent-free French tokens the grammar can match.

Owners type on phones: no accents, glued digits ("demain10h"), typos ("mercredy", "demian"),
English, numbers in words ("dix heures et demie"). Rewriting all of that into one small
vocabulary here keeps the grammar short and lets it ignore spelling entirely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
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
    r"\b(lun|mar|mer|jeu|ven|sam|dim|mon|tue|wed|thu|fri|sat|sun)\b\.?"
    r"(?= ?\d| (?:matin|soir|apr|midi|prochain|morning|afternoon|evening|night))"
)
"""Abbreviated weekdays are only read as such before a time: "mer" alone is the sea."""
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
_SPACES: Final = re.compile(r"\s+")

_PHRASES: Final[tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...]] = tuple(
    (triggers, re.compile(pattern), replacement)
    for triggers, pattern, replacement in (
        (("midi",), r"\bapres (?:le )?midi\b|\bap midi\b", "aprem"),
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
        (("pas avant", "plus tard que"), r"\bpas avant\b|\bplus tard que\b", "apres"),
        (
            ("partir", "compter", "des le"),
            r"\ba (?:partir|compter) (?:de|d|du)\b|\bdes le\b",
            "apartir",
        ),
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
    )
)
"""Multi-word idioms collapsed to one canonical token, applied after word-level rewriting.
Each is tried only when one of its trigger substrings is present: most messages hit none."""

_ALL_TRIGGERS: Final = frozenset(t for rule in _PHRASES for t in rule[0])
_TRIGGERS: Final = re.compile(
    "(?=(" + "|".join(sorted(map(re.escape, _ALL_TRIGGERS), key=len, reverse=True)) + "))"
)
"""Finds, at every position, the longest trigger; shorter ones sharing its start are added back
through ``_TRIGGER_PREFIXES``."""
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


def correct_typo(token: str) -> str:
    """Return the vocabulary word one edit away from ``token``, or ``token`` unchanged."""
    if len(token) < FUZZY_MIN_LENGTH or token in FUZZY_BLOCKLIST or token in _KNOWN_WORDS:
        return token
    if not token.isalpha():
        return token
    candidates: set[str] = set()
    for key in (token, *_deletions(token)):
        candidates.update(_FUZZY_INDEX.get(key, ()))
    matches = sorted(c for c in candidates if _within_one_edit(token, c))
    meanings = {PART_ALIASES.get(c, c).rstrip("se") for c in matches}
    return matches[0] if len(meanings) == 1 else token


def _rewrite(token: str) -> str:
    rewritten = TOKEN_REWRITES.get(token)
    if rewritten is not None:
        return rewritten
    corrected = correct_typo(token)
    return TOKEN_REWRITES.get(corrected, corrected)


def _numbers_to_digits(tokens: list[str]) -> list[str]:
    """Spelled numbers to digits: "dix sept" -> 17, "vingt et une" -> 21, "quinze" -> 15."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        after = tokens[i + 2] if i + 2 < len(tokens) else ""
        if token in TENS:
            value = TENS[token]
            if nxt == "et" and after in ("un", "une", "one"):
                value, i = value + 1, i + 2
            elif nxt in UNITS:
                value, i = value + UNITS[nxt], i + 1
            out.append(str(value))
        elif token == "dix" and nxt in ("sept", "huit", "neuf"):
            out.append(str(10 + UNITS[nxt]))
            i += 1
        elif token in TEENS:
            out.append(str(TEENS[token]))
        elif token in UNITS and not (token == "sept" and out and out[-1].isdigit()):
            out.append(str(UNITS[token]))
        else:
            out.append(token)
        i += 1
    return out


def normalize(text: str) -> str:
    """Canonical form of ``text``: lower-case, accent-free, canonical French words, digits."""
    lowered = text.lower().translate(_APOSTROPHES)
    if lowered.isascii():
        plain = lowered
    else:  # accents off; other non-ASCII symbols carry no time
        plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    plain = _MERIDIEM_DOTS.sub(r" \1m ", plain)
    plain = _DROPPED_SPANS.sub(" ", plain)
    plain = _WEEKEND.sub("weekend", plain)
    plain = _WEEKDAY_ABBREVIATION.sub(lambda m: _ABBREVIATED_DAYS[m[1]], plain)
    plain = _WORD_HYPHEN.sub(" ", plain).replace("'", " ")
    plain = _SEPARATORS.sub(" , ", plain)
    plain = _DIGIT_PUNCT.sub(r" \1 ", plain)
    plain = _DASHES.sub(" - ", plain)
    raw_tokens = plain.split()
    # Glued letters and digits are split, except whole-token slang like "2main".
    tokens: list[str] = []
    for raw in raw_tokens:
        if raw in TOKEN_REWRITES:
            tokens.extend(TOKEN_REWRITES[raw].split())
            continue
        for part in _LETTER_DIGIT.sub(" ", raw).split():
            tokens.extend(_rewrite(part).split())
    joined = " ".join(_numbers_to_digits(tokens))
    joined = _ORDINAL_SUFFIX.sub("", joined)
    present: set[str] = set()
    for trigger in _TRIGGERS.findall(joined):
        present |= _TRIGGER_PREFIXES[trigger]
    for triggers, pattern, replacement in _PHRASES:
        if present.intersection(triggers):
            joined = pattern.sub(replacement, joined)
    return _SPACES.sub(" ", joined).strip()
