"""Load tests/corpora/one_message_phrases.toml: first messages and what must be read from them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

CORPUS_PATH: Final = Path(__file__).with_name("one_message_phrases.toml")
CLINIC_ZONE: Final = ZoneInfo("Europe/Paris")
NO_TIME: Final = "none"
ASK_KINDS: Final = frozenset({"pet", "pet_mismatch", "type", "vet", "unknown_vet", "when"})


@dataclass(frozen=True, slots=True)
class Named:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Pet:
    id: str
    name: str
    species: str | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class Clinic:
    types: tuple[Named, ...]
    vets: tuple[Named, ...]
    owners: dict[str, tuple[Pet, ...]]


@dataclass(frozen=True, slots=True)
class Case:
    """A message read whole: pet, type, vet ("" for none) and the local start of the time."""

    phrase: str
    owner: str
    now: datetime
    pet: str
    type: str
    vet: str
    when: str

    @property
    def test_id(self) -> str:
        return f"{self.owner}: {self.phrase}"


@dataclass(frozen=True, slots=True)
class AskCase:
    """A message whose right answer is a question (``what``), with the choices to offer."""

    phrase: str
    owner: str
    now: datetime
    what: str
    choices: tuple[str, ...]

    @property
    def test_id(self) -> str:
        return f"{self.owner}: {self.phrase}"


def _data(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _now(group: dict[str, Any]) -> datetime:
    """The group's instant as the server's clock gives it (UTC), on the clinic's wall clock."""
    return datetime.fromisoformat(group["now"]).astimezone(CLINIC_ZONE)


def load_clinic(path: Path = CORPUS_PATH) -> Clinic:
    data = _data(path)
    return Clinic(
        types=tuple(Named(*row) for row in data["clinic"]["types"]),
        vets=tuple(Named(*row) for row in data["clinic"]["vets"]),
        owners={owner: tuple(Pet(*row) for row in pets) for owner, pets in data["owners"].items()},
    )


def load_cases(path: Path = CORPUS_PATH) -> list[Case]:
    return [
        Case(row[0], group["owner"], _now(group), *row[1:])
        for group in _data(path)["group"]
        for row in group["cases"]
    ]


def load_ask_cases(path: Path = CORPUS_PATH) -> list[AskCase]:
    cases = [
        AskCase(phrase, group["owner"], _now(group), what, tuple(choices))
        for group in _data(path).get("ask", ())
        for phrase, what, *choices in group["cases"]
    ]
    unknown = {case.what for case in cases} - ASK_KINDS
    if unknown:
        raise ValueError(f"unknown ask kinds in the corpus: {sorted(unknown)}")
    return cases


def local_start(moment: datetime | None) -> str:
    """A window's start as the corpus writes it ("2026-11-24T15:00"), or "none"."""
    if moment is None:
        return NO_TIME
    return moment.astimezone(CLINIC_ZONE).strftime("%Y-%m-%dT%H:%M")
