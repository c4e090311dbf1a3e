"""Every phrase of the booking-time corpus gives exactly its expected window, read whole; every
"must ask" phrase makes the reading ask, for the expected reason, with the expected choices."""

from __future__ import annotations

import pytest

from bot.when import format_request, parse_when, read_when
from tests.corpora.when_corpus import (
    AskCase,
    Case,
    asks_as_expected,
    load_ask_cases,
    load_cases,
    request_matches,
)

CASES = load_cases()
ASK_CASES = load_ask_cases()
MIN_CORPUS_SIZE = 580
MIN_NO_TIME_CASES = 35
MIN_ASK_CASES = 18


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= MIN_CORPUS_SIZE
    assert sum(case.expected is None for case in CASES) >= MIN_NO_TIME_CASES
    assert len(ASK_CASES) >= MIN_ASK_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_phrase(case: Case) -> None:
    request = parse_when(case.phrase, case.now)
    shown = None if request is None else format_request(request)
    assert request_matches(request, case), f"got {request!r} ({shown}), expected {case.expected!r}"


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.expected is not None], ids=lambda case: case.test_id
)
def test_phrase_is_read_whole(case: Case) -> None:
    """A phrase with a window leaves no time word unread: its reading is a confident one."""
    assert read_when(case.phrase, case.now).unread_words == ()


@pytest.mark.parametrize("case", ASK_CASES, ids=[case.test_id for case in ASK_CASES])
def test_must_ask(case: AskCase) -> None:
    reading = read_when(case.phrase, case.now)
    shown = [
        (doubt.kind.value, [format_request(c) for c in doubt.candidates], doubt.words)
        for doubt in reading.doubts
    ]
    assert asks_as_expected(reading, case), f"got {shown}, expected {case.kind} {case.expected}"
