"""`vetbot when` prints the window, then the assumptions and what the bot would ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

MONDAY = "2026-05-11T13:10:00Z"
"""Monday 11 May 2026, 15:10 in Paris, given as the server's UTC clock."""


@pytest.fixture(autouse=True)
def _no_clinic_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLINIC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env


def _when(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["when", *args, "--now", MONDAY])
    return code, capsys.readouterr().out.splitlines()


def test_a_clear_phrase_prints_only_the_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert _when(capsys, "demain à 10h") == (0, ["mardi 12 mai 2026 à 10:00"])


def test_a_weekday_that_contradicts_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = _when(capsys, "jeudi 15")
    assert code == 0
    assert lines == [
        "vendredi 15 mai 2026 (toute la journée)",
        "Hypothèse : le jour de la semaine ne correspond pas à la date",
        "  - jeudi 14 mai 2026 (toute la journée)",
        "  - vendredi 15 mai 2026 (toute la journée)",
        "Je demanderais : « jeudi 14 mai 2026 (toute la journée) ou vendredi 15 mai 2026 "
        "(toute la journée) ? »",
    ]


def test_unread_words_and_the_question(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = _when(capsys, "demain au dîner")
    assert code == 0
    assert "Mots non lus : « dîner »" in lines
    assert lines[-1].startswith("Je demanderais : « J'ai compris mardi 12 mai 2026")


def test_a_safe_assumption_is_shown_not_asked(capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = _when(capsys, "à 5h")
    assert lines[1] == (
        "Hypothèse : heure sans matin ni soir, lue l'après-midi (à montrer au propriétaire)"
    )
    assert not any(line.startswith("Je demanderais") for line in lines)


def test_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    _, lines = _when(capsys, "thursday the 15th", "--lang", "en")
    assert lines[0] == "Friday 15 May 2026 (all day)"
    assert lines[1] == "Assumption: the weekday does not match the date"
    assert lines[-1] == (
        'I would ask: "Thursday 14 May 2026 (all day) or Friday 15 May 2026 (all day)?"'
    )


def test_no_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert _when(capsys, "mon chat tousse") == (1, ["Aucune date ni heure ici."])


def test_every_assumption_is_described_in_both_languages() -> None:
    from bot.cli import _WHEN_ASSUMPTIONS
    from bot.when import Assumption

    for language in ("fr", "en"):
        assert set(_WHEN_ASSUMPTIONS[language]) == {kind.value for kind in Assumption}
