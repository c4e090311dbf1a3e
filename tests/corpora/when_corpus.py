"""Load tests/corpora/when_phrases.toml; shared by the corpus test and bench/when_bench.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from bot.when import Assumption, Grain, TimeRequest, WhenReading

CORPUS_PATH: Final = Path(__file__).with_name("when_phrases.toml")
CLINIC_ZONE: Final = ZoneInfo("Europe/Paris")
NO_TIME: Final = "none"
OPEN_END: Final = "open"


@dataclass(frozen=True, slots=True)
class Expected:
    start: datetime
    end: datetime | None
    grain: Grain


@dataclass(frozen=True, slots=True)
class Case:
    phrase: str
    now: datetime
    expected: Expected | None
    """None: the phrase holds no time."""
    set_name: str

    @property
    def test_id(self) -> str:
        return f"{self.phrase} @ {self.now:%a %Y-%m-%d %H:%M}"


def _local(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CLINIC_ZONE)
    return moment.astimezone(CLINIC_ZONE)


def _case(row: list[str], now: datetime, set_name: str) -> Case:
    phrase, *rest = row
    if rest == [NO_TIME]:
        return Case(phrase, now, None, set_name)
    start, end, grain = rest
    expected = Expected(_local(start), None if end == OPEN_END else _local(end), Grain(grain))
    return Case(phrase, now, expected, set_name)


@dataclass(frozen=True, slots=True)
class AskCase:
    """A phrase whose right answer is a question: the reading must flag ``kind``."""

    phrase: str
    now: datetime
    kind: Assumption
    expected: tuple[str, ...]
    """For ``UNREAD_WORDS`` the words left unread, as written; otherwise the starts of the
    candidate readings the owner must choose among, local ISO, soonest first."""

    @property
    def test_id(self) -> str:
        return f"{self.phrase} @ {self.now:%a %Y-%m-%d %H:%M}"


def _now(group: dict[str, str]) -> datetime:
    """The group's instant, written as the server's clock gives it (UTC or with an offset),
    seen on the clinic's wall clock."""
    return datetime.fromisoformat(group["now"]).astimezone(CLINIC_ZONE)


def load_cases(path: Path = CORPUS_PATH) -> list[Case]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cases: list[Case] = []
    for group in data["group"]:
        cases.extend(_case(row, _now(group), group["set"]) for row in group["cases"])
    return cases


def load_ask_cases(path: Path = CORPUS_PATH) -> list[AskCase]:
    """The "must ask" section (``[[ask]]`` tables)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        AskCase(phrase, _now(group), Assumption(kind), tuple(expected))
        for group in data.get("ask", ())
        for phrase, kind, *expected in group["cases"]
    ]


def asks_as_expected(reading: WhenReading, case: AskCase) -> bool:
    """The reading says it must ask, for the expected reason, with the expected choices."""
    doubts = [d for d in reading.questions if d.kind is case.kind]
    if not reading.must_ask or not doubts:
        return False
    if case.kind is Assumption.UNREAD_WORDS:
        return reading.unread_words == case.expected
    starts = tuple(_local(start) for start in case.expected)
    return tuple(_utc(c.start) for c in doubts[0].candidates) == tuple(map(_utc, starts))


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def request_matches(request: TimeRequest | None, case: Case) -> bool:
    """Exact window and grain (instants compared in UTC, so DST folds count)."""
    if case.expected is None or request is None:
        return case.expected is None and request is None
    return (
        _utc(request.start) == _utc(case.expected.start)
        and _utc(request.end) == _utc(case.expected.end)
        and request.grain is case.expected.grain
    )


def instant_matches(instant: datetime | None, case: Case) -> bool:
    """Lenient score for a parser that returns one naive instant: right if it falls in the
    expected window (open windows: at or after the start); None is right only for None."""
    if case.expected is None or instant is None:
        return case.expected is None and instant is None
    moment = instant.replace(tzinfo=CLINIC_ZONE) if instant.tzinfo is None else instant
    start, end = _utc(case.expected.start), _utc(case.expected.end)
    at = _utc(moment)
    assert start is not None and at is not None
    return start <= at and (end is None or at < end)
