"""The human rendering of a window and the invariants of TimeRequest."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.when import Grain, TimeRequest, format_request, parse_when, warm_up
from bot.when.fallback import date_parser
from tests.unit.when.zone import MONDAY_AFTERNOON, paris


def _read(text: str) -> TimeRequest:
    request = parse_when(text, MONDAY_AFTERNOON)
    assert request is not None
    return request


@pytest.mark.parametrize(
    ("text", "french", "english"),
    [
        ("mardi prochain à 10h", "mardi 12 mai 2026 à 10:00", "Tuesday 12 May 2026 at 10:00"),
        (
            "demain matin",
            "mardi 12 mai 2026, de 08:00 à 12:00",
            "Tuesday 12 May 2026, from 08:00 to 12:00",
        ),
        ("jeudi", "jeudi 14 mai 2026 (toute la journée)", "Thursday 14 May 2026 (all day)"),
        (
            "vers 18h",
            "lundi 11 mai 2026 vers 18:00 (17:30–18:30)",
            "Monday 11 May 2026 around 18:00 (17:30–18:30)",
        ),
        (
            "la semaine prochaine",
            "du lundi 18 mai 2026 au dimanche 24 mai 2026",
            "from Monday 18 May 2026 to Sunday 24 May 2026",
        ),
        (
            "dès que possible",
            "dès que possible (à partir du lundi 11 mai 2026 15:10)",
            "as soon as possible (from Monday 11 May 2026 15:10)",
        ),
        (
            "à partir de 17h",
            "lundi 11 mai 2026, de 17:00 à 24:00",
            "Monday 11 May 2026, from 17:00 to 24:00",
        ),
    ],
)
def test_format_is_absolute_and_24_hour(text: str, french: str, english: str) -> None:
    request = _read(text)
    assert format_request(request) == french
    assert format_request(request, "en") == english


def test_times_are_shown_in_the_request_zone() -> None:
    request = parse_when("demain 10h", paris(2026, 3, 28, 15, 0))
    assert request is not None
    assert format_request(request).endswith("à 10:00")


def test_request_rejects_naive_or_backwards_windows() -> None:
    with pytest.raises(ValueError, match="aware"):
        TimeRequest(datetime(2026, 5, 11, 10), None, Grain.ASAP)
    with pytest.raises(ValueError, match="after"):
        TimeRequest(MONDAY_AFTERNOON, MONDAY_AFTERNOON, Grain.MINUTE)


def test_request_is_frozen() -> None:
    request = _read("demain")
    with pytest.raises(AttributeError):
        request.start = MONDAY_AFTERNOON  # type: ignore[misc]


def test_warm_up_builds_the_shared_parser_once() -> None:
    warm_up()
    assert date_parser() is date_parser()


def test_dateparser_reads_dashed_dates_but_not_their_time() -> None:
    request = _read("le 15-12-2026")
    assert (request.start, request.grain) == (paris(2026, 12, 15), Grain.DAY)
    with_time = _read("le 15-12-2026 à 10h")
    assert with_time.preferred == paris(2026, 12, 15, 10, 0)
