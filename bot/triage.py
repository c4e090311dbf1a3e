"""Red-flag triage: spot owner texts that suggest an emergency, so staff are alerted at once.

It only classifies; it never phrases advice. The phrases live in `triage_lexicon.toml`, as data,
so a clinic can extend them with a file of its own in the same format (`Lexicon.merge`).

Matching is deliberately forgiving, because owners write in a hurry and on a phone: accents,
case and punctuation are ignored, words are reduced to a crude stem (`convulsions` ~ `convulse`),
one or two typos are tolerated in longer words, and a few words may sit between the words of a
phrase (`a mangé toute une tablette de chocolat` hits `mangé chocolat`). Precision comes from the
phrases themselves, not from negation rules: a false alarm costs a glance, a miss costs more.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from bot.text import APOSTROPHES as _APOSTROPHES
from bot.text import distance, fold

LEXICON_RESOURCE = "triage_lexicon.toml"
MAX_GAP = 3
"""Words allowed between two consecutive words of a phrase (stop words don't count)."""
MAX_ASSESSED_CHARS = 10_000
"""Longer texts are cut: Telegram caps a message at 4096 characters, so this only bounds abuse."""
MAX_PHRASE_WORDS = 8
"""Longer phrases are refused: they would never match a hurried message anyway."""
MIN_FUZZY_LENGTH = 5
"""Shorter words must match exactly: one typo in `sang` or `os` makes another word."""
LONG_WORD_LENGTH = 9
"""From this length two typos are tolerated instead of one."""
MIN_STEM_LENGTH = 3
TOKEN_CACHE_SIZE = 8192

_T = TypeVar("_T")
_CATEGORY_ID = re.compile(r"[a-z][a-z0-9_]*")
_TOKEN = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}]t\b)?")
"""Letters and digits; English "n't" stays attached ("can't") so that it can be read as "not"."""
_CONTRACTED_HEADS: Mapping[str, str] = {"ca": "can", "wo": "will", "sha": "shall"}
_EXPANSIONS: Mapping[str, tuple[str, ...]] = {"cannot": ("can", "not")}


def _wordlist(words: str) -> tuple[str, ...]:
    return tuple(words.split())


STOP_WORDS = frozenset(
    # French articles, pronouns, prepositions and auxiliaries; "ne" too, since spoken French
    # drops it ("il respire plus") while "pas" / "plus" / "sans" carry the meaning and stay.
    # "my" / "mes" stay too: "a mangé mes médicaments" is not "a mangé ses médicaments".
    _wordlist(
        "a ai as au aux avec avons avez c ce ces cet cette d dans de des du elle elles en es est "
        "et etait il ils j je l la le les leur leurs lui m me n ne nos notre nous on "
        "ont ou par pour qu que qui s sa se ses son sont suis sur t ta te tes ton un une vos "
        "votre vous y"
    )
    + _wordlist(
        "an and are at be been by did do does for from had has have he her him his i in into is "
        "it its me of on or our she so some that the their them they this to was we were with "
        "your"
    )
)
# Suffixes stripped once, longest first, to bring inflections and derivations together
# (French without accents, then English). Crude on purpose: both sides go through it.
_SUFFIXES = frozenset(
    _wordlist(
        "issements issement ements ement ations ation atoires atoire atory ateurs ateur "
        "ions ion aient ait ais ees ee es er ez ent e s x ings ing ed ly"
    )
)
_SUFFIX_LENGTHS = tuple(sorted({len(suffix) for suffix in _SUFFIXES}, reverse=True))


class LexiconError(ValueError):
    """A lexicon file that would silently match less than its author thinks."""


@dataclass(frozen=True, slots=True)
class RedFlag:
    """One red-flag category found in a text; `matched` is the owner's own words."""

    id: str
    label_fr: str
    label_en: str
    matched: str


@dataclass(frozen=True, slots=True)
class Triage:
    """The red flags found in one text, in the order the owner wrote them."""

    flags: tuple[RedFlag, ...]

    @property
    def urgent_suspected(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True, slots=True)
class Category:
    """A red-flag category; empty labels in an extension file mean "keep the base labels"."""

    id: str
    label_fr: str
    label_en: str
    phrases_fr: tuple[str, ...] = ()
    phrases_en: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return self.phrases_fr + self.phrases_en


def _stem(form: str) -> str:
    for length in _SUFFIX_LENGTHS:
        if len(form) - length >= MIN_STEM_LENGTH and form[-length:] in _SUFFIXES:
            return form[:-length]
    return form


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _analyse(raw: str) -> tuple[tuple[str, str], ...]:
    """A raw token as (form, stem) pairs: none for a stop word, two for `can't` or `cannot`."""
    forms: list[str] = []
    for piece in fold(raw).split("'"):  # only `ʼ`, a letter to Unicode, gets here mid-word
        if piece == "t" and forms and forms[-1].endswith("n"):
            head = forms.pop()[:-1]
            forms += (_CONTRACTED_HEADS.get(head, head), "not")
        else:
            forms += _EXPANSIONS.get(piece, (piece,))
    return tuple((form, _stem(form)) for form in forms if form and form not in STOP_WORDS)


def _phrase_forms(phrase: str) -> tuple[str, ...]:
    return tuple(form for match in _TOKEN.finditer(phrase) for form, _ in _analyse(match.group()))


def _max_typos(length: int) -> int:
    if length < MIN_FUZZY_LENGTH:
        return 0
    return 1 if length < LONG_WORD_LENGTH else 2


def _deletions(word: str, depth: int) -> set[str]:
    """`word` with up to `depth` letters removed: two words within that many edits share one."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _close(a: str, b: str) -> bool:
    """Same first letter (typos rarely hit it) and few enough edits for the shorter word."""
    typos = _max_typos(min(len(a), len(b)))
    return a[:1] == b[:1] and (a == b or (typos > 0 and distance(a, b, typos) <= typos))


@dataclass(frozen=True, slots=True)
class _Phrase:
    category: int
    slots: tuple[int, ...]


class Lexicon:
    """The red-flag phrases, compiled for fast matching; immutable once built."""

    __slots__ = (
        "_by_first",
        "_categories",
        "_index",
        "_not_typos",
        "_slot_forms",
        "_slot_stems",
        "_token_slots",
    )

    def __init__(self, categories: Iterable[Category], not_typos: Iterable[str] = ()) -> None:
        self._categories = tuple(categories)
        self._not_typos = frozenset(fold(word) for word in not_typos)
        ids = [category.id for category in self._categories]
        if len(set(ids)) != len(ids):
            raise LexiconError(f"duplicate red-flag ids in {ids}")
        slot_of: dict[str, int] = {}
        by_first: dict[int, list[_Phrase]] = {}
        for number, category in enumerate(self._categories):
            for phrase in category.phrases:
                forms = _phrase_forms(phrase)
                if not forms or len(forms) > MAX_PHRASE_WORDS:
                    raise LexiconError(
                        f"{category.id}: phrase {phrase!r} must have 1 to {MAX_PHRASE_WORDS} "
                        "words besides stop words"
                    )
                slots = tuple(slot_of.setdefault(form, len(slot_of)) for form in forms)
                by_first.setdefault(slots[0], []).append(_Phrase(number, slots))
        self._slot_forms = tuple(slot_of)
        self._slot_stems = tuple(_stem(form) for form in self._slot_forms)
        self._by_first: Mapping[int, tuple[_Phrase, ...]] = {
            slot: tuple(phrases) for slot, phrases in by_first.items()
        }
        # Symmetric-deletion index over forms and stems: two words within k edits share a
        # variant with k letters deleted, so a few dict look-ups find the fuzzy candidates.
        index: dict[str, set[int]] = {}
        for slot, variants in enumerate(zip(self._slot_forms, self._slot_stems, strict=True)):
            for variant in set(variants):
                for deleted in _deletions(variant, _max_typos(len(variant))):
                    index.setdefault(deleted, set()).add(slot)
        self._index: Mapping[str, frozenset[int]] = {
            key: frozenset(slots) for key, slots in index.items()
        }
        self._token_slots = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._match_token)

    def __repr__(self) -> str:
        phrases = sum(len(category.phrases) for category in self._categories)
        return f"<Lexicon: {len(self._categories)} red flags, {phrases} phrases>"

    @property
    def categories(self) -> tuple[Category, ...]:
        return self._categories

    @property
    def not_typos(self) -> frozenset[str]:
        """Real words a typo away from a trigger (`poisson`, `raison`): only matched verbatim."""
        return self._not_typos

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """Read a lexicon file; without a path, the one shipped with vetbot."""
        if path is None:
            source = resources.files(__package__ or "bot").joinpath(LEXICON_RESOURCE)
            text, name = source.read_text(encoding="utf-8"), LEXICON_RESOURCE
        else:
            text, name = path.read_text(encoding="utf-8"), str(path)
        return cls.from_toml(text, name=name)

    @classmethod
    def from_toml(cls, text: str, *, name: str = "<lexicon>") -> Lexicon:
        """Parse and validate; unknown keys are errors, so a misspelt `fr =` is not ignored."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise LexiconError(f"{name}: {error}") from error
        _check_keys(data, {"not_typos", "flag"}, name)
        categories = [_category(table, name) for table in _list(data, "flag", name, dict)]
        return cls(categories, _list(data, "not_typos", name, str))

    def merge(self, other: Lexicon) -> Lexicon:
        """This lexicon extended by `other`: phrases are added, non-empty labels replace."""
        merged = {category.id: category for category in self._categories}
        for extra in other.categories:
            base = merged.get(extra.id)
            if base is None:
                if not (extra.label_fr and extra.label_en):
                    raise LexiconError(f"new red flag {extra.id!r} needs label_fr and label_en")
                merged[extra.id] = extra
                continue
            merged[extra.id] = Category(
                id=base.id,
                label_fr=extra.label_fr or base.label_fr,
                label_en=extra.label_en or base.label_en,
                phrases_fr=_unique(base.phrases_fr + extra.phrases_fr),
                phrases_en=_unique(base.phrases_en + extra.phrases_en),
            )
        return Lexicon(merged.values(), self._not_typos | other.not_typos)

    def _match_word(self, form: str, stem: str) -> frozenset[int]:
        """The lexicon words a text word may stand for, typos and inflections included."""
        index = self._index
        if form in self._not_typos:
            exact = index.get(form, frozenset())
            return frozenset(slot for slot in exact if self._slot_forms[slot] == form)
        candidates: set[int] = set()
        for variant in {form, stem}:
            for deleted in _deletions(variant, _max_typos(len(variant))):
                if deleted in index:
                    candidates |= index[deleted]
        return frozenset(
            slot
            for slot in candidates
            if _close(form, self._slot_forms[slot]) or _close(stem, self._slot_stems[slot])
        )

    def _match_token(self, raw: str) -> tuple[frozenset[int], ...]:
        return tuple(self._match_word(form, stem) for form, stem in _analyse(raw))

    def _read(self, text: str) -> tuple[list[tuple[int, int]], list[frozenset[int]]]:
        """The text's words as character spans, and the lexicon words each may stand for."""
        spans: list[tuple[int, int]] = []
        slots: list[frozenset[int]] = []
        for match in _TOKEN.finditer(text):
            for found in self._token_slots(match.group()):
                spans.append(match.span())
                slots.append(found)
        return spans, slots

    def _scan(self, slots: list[frozenset[int]]) -> Iterator[tuple[int, int, int]]:
        """Every phrase occurrence as (category number, first word, last word), in text order."""
        for start, found in enumerate(slots):
            for slot in found:
                for phrase in self._by_first.get(slot, ()):
                    end = _match_from(phrase.slots, start, slots)
                    if end is not None:
                        yield phrase.category, start, end


def _match_from(phrase: tuple[int, ...], start: int, slots: list[frozenset[int]]) -> int | None:
    """Where `phrase`, begun at word `start`, ends soonest with at most MAX_GAP words per gap."""
    reachable = {start}
    for slot in phrase[1:]:
        reachable = {
            position
            for previous in reachable
            for position in range(previous + 1, min(previous + 2 + MAX_GAP, len(slots)))
            if slot in slots[position]
        }
        if not reachable:
            return None
    return min(reachable)


def assess(text: str, lexicon: Lexicon) -> Triage:
    """The red flags in an owner's text, one per category, earliest occurrence first."""
    text = text[:MAX_ASSESSED_CHARS]
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # so that `é` typed as `e` + `´` is one letter
    spans, slots = lexicon._read(text)
    best: dict[int, tuple[int, int]] = {}
    for category, start, end in lexicon._scan(slots):
        best.setdefault(category, (start, end))
    flags = []
    for category, (start, end) in sorted(best.items(), key=lambda item: (item[1][0], item[0])):
        entry = lexicon.categories[category]
        flags.append(
            RedFlag(
                id=entry.id,
                label_fr=entry.label_fr or entry.label_en or entry.id,
                label_en=entry.label_en or entry.label_fr or entry.id,
                matched=text[spans[start][0] : spans[end][1]],
            )
        )
    return Triage(tuple(flags))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The packaged lexicon, read and compiled once per process."""
    return Lexicon.load()


def _unique(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(phrases))


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise LexiconError(f"{where}: unknown keys {unknown} (expected some of {sorted(allowed)})")


def _list(table: Mapping[str, Any], key: str, where: str, kind: type[_T]) -> list[_T]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, kind) for item in value):
        raise LexiconError(f"{where}: {key!r} must be a list of {kind.__name__}")
    return value


def _category(table: Mapping[str, Any], name: str) -> Category:
    _check_keys(table, {"id", "label_fr", "label_en", "fr", "en"}, name)
    category_id = table.get("id")
    if not isinstance(category_id, str) or not _CATEGORY_ID.fullmatch(category_id):
        raise LexiconError(f"{name}: red-flag id {category_id!r} must be like 'heavy_bleeding'")
    where = f"{name} [{category_id}]"
    labels = [table.get(key, "") for key in ("label_fr", "label_en")]
    if not all(isinstance(label, str) for label in labels):
        raise LexiconError(f"{where}: labels must be strings")
    return Category(
        id=category_id,
        label_fr=labels[0].strip(),
        label_en=labels[1].strip(),
        phrases_fr=tuple(_list(table, "fr", where, str)),
        phrases_en=tuple(_list(table, "en", where, str)),
    )
