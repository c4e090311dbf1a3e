"""Accuracy and speed of parse_when against plain dateparser on the booking-time corpus.

Run from the repo root: ``python bench/when_bench.py``. The first parse_when call is timed
right after ``warm_up()`` in this fresh process, before any other call, and compared with the
median: the first owner of the day must not wait for lazy initialisation. The "must ask"
phrases are scored apart: right when ``read_when`` asks, for the expected reason, with the
expected choices (dateparser cannot ask, so it has no column there).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import dateparser  # noqa: E402

from bot.when import parse_when, read_when, warm_up  # noqa: E402
from tests.corpora.when_corpus import (  # noqa: E402
    Case,
    asks_as_expected,
    instant_matches,
    load_ask_cases,
    load_cases,
    request_matches,
)

PARSE_WHEN_ROUNDS: Final = 5
DATEPARSER_ROUNDS: Final = 1
WARM_UP_ROUNDS: Final = 1
SAME_PHRASE_ROUNDS: Final = 200
FIRST_CALL_PHRASE: Final = "jeudi prochain vers 17h30 si possible"
FIRST_CALL_NOW: Final = "2026-05-11T15:10:00+02:00"
MICROSECONDS: Final = 1e6
P99: Final = 0.99


def plain_dateparser(phrase: str, now: datetime) -> datetime | None:
    """The baseline the issue measured: dateparser with French first and future preference."""
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.replace(tzinfo=None)}
    return dateparser.parse(phrase, languages=["fr", "en"], settings=settings)


def time_calls(call: Callable[[Case], object], cases: Sequence[Case], rounds: int) -> list[float]:
    """Microseconds per call, every phrase ``rounds`` times."""
    samples: list[float] = []
    for _ in range(rounds):
        for case in cases:
            start = time.perf_counter()
            call(case)
            samples.append((time.perf_counter() - start) * MICROSECONDS)
    return samples


def p99(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * P99))]


def accuracy(hits: Sequence[bool]) -> str:
    return f"{100 * sum(hits) / len(hits):5.1f} % ({sum(hits)}/{len(hits)})"


def main() -> None:
    started = time.perf_counter()
    warm_up()
    warm_up_ms = (time.perf_counter() - started) * 1e3
    first_now = datetime.fromisoformat(FIRST_CALL_NOW)
    started = time.perf_counter()
    parse_when(FIRST_CALL_PHRASE, first_now)
    first_call_us = (time.perf_counter() - started) * MICROSECONDS

    cases = load_cases()
    ours = [request_matches(parse_when(c.phrase, c.now), c) for c in cases]
    theirs = [instant_matches(plain_dateparser(c.phrase, c.now), c) for c in cases]

    time_calls(lambda c: plain_dateparser(c.phrase, c.now), cases, WARM_UP_ROUNDS)
    our_times = time_calls(lambda c: parse_when(c.phrase, c.now), cases, PARSE_WHEN_ROUNDS)
    their_times = time_calls(lambda c: plain_dateparser(c.phrase, c.now), cases, DATEPARSER_ROUNDS)

    def subset(hits: Sequence[bool], keep: Callable[[Case], bool]) -> list[bool]:
        return [hit for hit, case in zip(hits, cases, strict=True) if keep(case)]

    rows = (
        ("all phrases", lambda c: True),
        ("  dev set", lambda c: c.set_name == "dev"),
        ("  holdout set", lambda c: c.set_name == "holdout"),
        ("  issue 17 set", lambda c: c.set_name == "issue17"),
        ("  no-time phrases", lambda c: c.expected is None),
        ("  English phrases", _looks_english),
    )
    print(f"corpus: {len(cases)} phrases ({sum(c.expected is None for c in cases)} without time)")
    print(f"{'':38} {'parse_when':>22} {'plain dateparser':>22}")
    for label, keep in rows:
        mine, base = accuracy(subset(ours, keep)), accuracy(subset(theirs, keep))
        print(f"{label:38} {mine:>22} {base:>22}")
    print("  (parse_when: exact start, end and grain; dateparser: its instant inside the window)")
    print(
        f"{'median µs / phrase':38} {statistics.median(our_times):>22.0f} "
        f"{statistics.median(their_times):>22.0f}"
    )
    print(f"{'p99 µs / phrase':38} {p99(our_times):>22.0f} {p99(their_times):>22.0f}")
    ask_cases = load_ask_cases()
    asked = [asks_as_expected(read_when(c.phrase, c.now), c) for c in ask_cases]
    read_whole = [
        not read_when(c.phrase, c.now).unread_words for c in cases if c.expected is not None
    ]
    print(f"{'must-ask phrases flagged':38} {accuracy(asked):>22}")
    print(f"{'phrases with a time read whole':38} {accuracy(read_whole):>22}")
    same_phrase = time_calls(
        lambda c: parse_when(FIRST_CALL_PHRASE, first_now), cases[:1], SAME_PHRASE_ROUNDS
    )
    print(f"{'first call after warm_up, µs':38} {first_call_us:>22.0f}")
    print(f"{'  same phrase once warm (median), µs':38} {statistics.median(same_phrase):>22.0f}")
    print(f"warm_up() took {warm_up_ms:.0f} ms at start-up")
    misses = [c for c, hit in zip(cases, ours, strict=True) if not hit]
    for case in misses:
        print(f"  parse_when miss: {case.test_id}")
    for ask_case, hit in zip(ask_cases, asked, strict=True):
        if not hit:
            print(f"  must-ask miss: {ask_case.test_id}")


_ENGLISH_MARKERS: Final = frozenset(
    {
        "tomorrow",
        "next",
        "at",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "this",
        "around",
        "after",
        "before",
        "in",
        "the",
        "on",
        "tonight",
        "asap",
        "week",
        "december",
        "february",
        "feb",
        "tmrw",
        "hello",
        "my",
        "wed.",
    }
)


def _looks_english(case: Case) -> bool:
    words = set(case.phrase.lower().replace(",", " ").split())
    return bool(words & _ENGLISH_MARKERS) and case.phrase.isascii()


if __name__ == "__main__":
    main()
