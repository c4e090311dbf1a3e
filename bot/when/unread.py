"""Words that look like time but that the reading did not use: never a confident wrong reading.

"jeud 11h" once read as tomorrow 11:00 because "jeud" was no word we knew; "demain au dîner"
as all of tomorrow. A reading that leaves time words aside may be wrong, so it must say so.
Time-like words are the ones an owner uses to say when: a weekday, a month, a number with
"h" / "heure", a part of the day, a meal, "avant" / "après" / "dès" / "à partir de", "demain",
a typo of one of these (one edit from several, so not corrected), and minutes trailing a
clock ("15h passé de 15 minutes"). They count as read when the grammar read them, or set them
aside on purpose (after "depuis", "pendant", "toutes les", "pas", in a past-tense clause, in
"bonne journée"), so history and routine never make the bot ask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.when.dayparts import ALIASES, IDIOMS, MEALS
from bot.when.grammar import in_past_clause, past_event_ends
from bot.when.lexicon import MONTHS, WEEKDAYS
from bot.when.normalize import Normalized

Span = tuple[int, int]

MONTH_ABBREVIATIONS: Final = frozenset(
    {"janv", "fevr", "fev", "avr", "juil", "sept", "oct", "nov", "dec", "jan", "feb", "apr", "aug"}
)
"""Short month names count only next to a number ("15 oct"): "Jan" is also a name."""
TIME_WORDS: Final = frozenset(
    {
        *WEEKDAYS,
        *(m for m in MONTHS if m not in MONTH_ABBREVIATIONS),
        *ALIASES,
        *IDIOMS,
        *MEALS,
        "demain",
        "auj",
        "apresdemain",
        "lendemain",
        "surlendemain",
        "veille",
        "minuit",
    }
)
"""Canonical words that say when on their own."""
PART_WORDS: Final = frozenset({*ALIASES, *MEALS, "journee"})
POLITE: Final = frozenset({"bon", "bonne", "bonnes", "bons", "belle"})
""""bonne journée", "bonne soirée", "bon appétit": wishes, not times."""
BOUNDS: Final = frozenset({"avant", "apres", "apartir"})
NOT_A_BOUND_AFTER: Final = frozenset(
    {"", ",", "de", "d", "que", "qu", "avoir", "etre", "ca", "cela", "tout", "coup", "quoi"}
)
""""avant de venir", "après avoir mangé", "après ça", "et après ?": no time is bounded."""
NOT_A_BOUND_BEFORE: Final = frozenset({"d", "comme", "ci"})
""""d'après le véto" (according to), "comme avant", "ci-après"."""
HOUR_WORDS: Final = frozenset({"h", "heure", "heures", "am", "pm"})
LAST_HOUR: Final = 24
DURATION_BEFORE: Final = frozenset(
    {"en", "dure", "durer", "duree", "prend", "prendre", "faut", "attendre", "attente", "de"}
)
""""en 2h", "ça dure 2h", "une attente de 2h": durations."""
TAIL_WORDS: Final = frozenset({"minutes", "quart", "quarts"})
TAIL_REACH: Final = 16
"""Minutes trailing a clock read just before ("15h passé de 15 minutes"), within a few words."""
_TOKEN: Final = re.compile(r"\S+")
_SET_ASIDE_BEFORE: Final = re.compile(
    r"(?:depuis|pendant|durant|toutes les|tous les|chaque|il y a|ca fait|sauf|hors|pas|hier"
    r"|avanthier)(?: (?:le|la|les|l|ce|du|au|de))? $"
)
_DURATION_AFTER: Final = re.compile(r" (?:de|d)\b(?! (?:l aprem|la nuit|preference)\b)")


def _covered(start: int, spans: Sequence[Span]) -> bool:
    return any(a <= start < b for a, b in spans)


def _time_like(
    tokens: Sequence[tuple[str, int, int]], index: int, text: str, normalized: Normalized
) -> bool:
    token, start, end = tokens[index]
    before = tokens[index - 1][0] if index else ""
    after = tokens[index + 1][0] if index + 1 < len(tokens) else ""
    if token in TIME_WORDS:
        return not (token in PART_WORDS and before in POLITE)
    if token in MONTH_ABBREVIATIONS:
        return before.isdigit() or after.isdigit()
    if token.isdigit():
        if before in HOUR_WORDS or before == ":":  # the minutes of "11 h 30", "14 : 30"
            return index >= 2 and _clock_number(tokens, index - 2, normalized.text)
        return _clock_number(tokens, index, normalized.text)
    if token in HOUR_WORDS or token == ":":
        return before.isdigit() and _clock_number(tokens, index - 1, normalized.text)
    if token in BOUNDS:
        return token == "apartir" or (
            before not in NOT_A_BOUND_BEFORE and after not in NOT_A_BOUND_AFTER
        )
    if token == "des":
        original = text[slice(*normalized.original_span(start, end))]
        return original.lower() == "dès" and after not in ("que", "qu")
    return False


def _clock_number(tokens: Sequence[tuple[str, int, int]], index: int, canonical: str) -> bool:
    """ "11 h", "9 heures", "14 : 30", "3 pm": a clock, unless a duration ("2 h de route")."""
    token = tokens[index][0]
    after = tokens[index + 1][0] if index + 1 < len(tokens) else ""
    before = tokens[index - 1][0] if index else ""
    if not token.isdigit() or int(token) > LAST_HOUR:
        return False
    if after == ":":
        return index + 2 < len(tokens) and tokens[index + 2][0].isdigit()
    if after not in HOUR_WORDS or before in DURATION_BEFORE:
        return False
    return _DURATION_AFTER.match(canonical, tokens[index + 1][2]) is None


def unread_words(
    text: str,
    normalized: Normalized,
    read: Sequence[Span],
    *,
    english: bool = False,
) -> tuple[str, ...]:
    """The time-like words of ``text`` that no span of ``read`` (canonical spans: read,
    excluded, set aside) covers, as written; neighbouring ones are joined ("jeud 11h" is one
    phrase). ``english``: the owner writes in English (see ``past_event_ends``)."""
    canonical = normalized.text
    tokens = [(m[0], m.start(), m.end()) for m in _TOKEN.finditer(canonical)]
    past_ends: list[int] | None = None
    hits: list[int] = []
    for index, (token, start, _) in enumerate(tokens):
        if _covered(start, read):
            continue
        if token in TAIL_WORDS:
            if any(0 <= start - b <= TAIL_REACH and "," not in canonical[b:start] for _, b in read):
                hits.append(index)
            continue
        if not _time_like(tokens, index, text, normalized):
            continue
        if _SET_ASIDE_BEFORE.search(canonical, max(0, start - 30), start):
            continue
        if past_ends is None:
            past_ends = past_event_ends(canonical, english=english)
        if in_past_clause(canonical, start, past_ends):
            continue
        hits.append(index)
    spans = _joined([(tokens[i][1], tokens[i][2]) for i in hits], canonical)
    original = [normalized.original_span(a, b) for a, b in spans]
    original += [s for s in normalized.suspects if not _read_original(s, read, normalized)]
    return tuple(text[a:b] for a, b in sorted(set(original)))


def _joined(spans: list[Span], canonical: str) -> list[Span]:
    """Neighbouring spans (only spaces between) as one."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and not canonical[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _read_original(span: Span, read: Sequence[Span], normalized: Normalized) -> bool:
    """Whether an original-text span lies in one that was read (a typo inside "depuis")."""
    start, end = span
    return any(a <= start and end <= b for a, b in (normalized.original_span(*r) for r in read))
