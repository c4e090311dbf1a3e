"""Every phrase of the booking-time corpus gives exactly its expected window."""

from __future__ import annotations

import pytest

from bot.when import format_request, parse_when
from tests.corpora.when_corpus import Case, load_cases, request_matches

CASES = load_cases()
MIN_CORPUS_SIZE = 250
MIN_NO_TIME_CASES = 12


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= MIN_CORPUS_SIZE
    assert sum(case.expected is None for case in CASES) >= MIN_NO_TIME_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_phrase(case: Case) -> None:
    request = parse_when(case.phrase, case.now)
    shown = None if request is None else format_request(request)
    assert request_matches(request, case), f"got {request!r} ({shown}), expected {case.expected!r}"
