"""Every first message of the one-message corpus is read whole and right (pet, type, vet,
time, nothing left to ask); every "must ask" message takes nothing it is unsure of and offers
exactly the expected choices."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.request_reading import RequestReading, read_request
from tests.corpora.one_message_corpus import (
    AskCase,
    Case,
    load_ask_cases,
    load_cases,
    load_clinic,
    local_start,
)

CLINIC = load_clinic()
CASES = load_cases()
ASK_CASES = load_ask_cases()
MIN_CASES = 60
MIN_ASK_CASES = 20


def read(phrase: str, owner: str, now: datetime) -> RequestReading:
    return read_request(phrase, now, CLINIC.owners[owner], CLINIC.types, CLINIC.vets)


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= MIN_CASES
    assert len(ASK_CASES) >= MIN_ASK_CASES
    assert {case.what for case in ASK_CASES} >= {"pet", "pet_mismatch", "type", "vet", "when"}


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_message_is_read_whole(case: Case) -> None:
    reading = read(case.phrase, case.owner, case.now)
    got = (
        reading.patient_id or "",
        reading.appointment_type_id or "",
        reading.vet_id or "",
        local_start(reading.when.start if reading.when else None),
    )
    assert got == (case.pet, case.type, case.vet, case.when), reading
    assert not reading.must_ask, reading
    assert not reading.pet_mismatch


def _asks(reading: RequestReading, case: AskCase) -> bool:
    if case.what == "pet":
        return reading.patient_id is None and set(reading.pet_candidates) == set(case.choices)
    if case.what == "pet_mismatch":
        return (
            reading.patient_id is None
            and reading.pet_mismatch
            and set(reading.pet_candidates) == set(case.choices)
        )
    if case.what == "type":
        return reading.appointment_type_id is None and set(reading.type_candidates) == set(
            case.choices
        )
    if case.what == "vet":
        return reading.vet_id is None and set(reading.vet_candidates) == set(case.choices)
    if case.what == "unknown_vet":
        return reading.vet_id is None and reading.unknown_vet == case.choices[0]
    return reading.when_reading is not None and reading.when_reading.must_ask


@pytest.mark.parametrize("case", ASK_CASES, ids=[case.test_id for case in ASK_CASES])
def test_must_ask(case: AskCase) -> None:
    reading = read(case.phrase, case.owner, case.now)
    assert reading.must_ask, reading
    assert _asks(reading, case), reading
