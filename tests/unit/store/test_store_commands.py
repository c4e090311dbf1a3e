"""`vetbot store migrate` and `vetbot store copy` as an operator runs them: against a real
PostgreSQL, from a single-clinic vetbot's SQLite file, with one line per outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.store import BookingState, SchemaBehindError, Store
from bot.store.schema import HEAD
from tests.unit.store.test_db import _legacy_file


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> str:
    """An empty PostgreSQL database named by DATABASE_URL, with a password in the URL."""
    url = postgres_url.replace("vetbot@", "vetbot:hunter2@", 1)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    return url


def test_the_bot_refuses_an_unmigrated_database_with_one_line(
    database: str, clock: ManualClock
) -> None:
    with pytest.raises(SchemaBehindError, match="run `vetbot store migrate`"):
        Store.open(database, clock)


def test_migrate_then_again(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "migrate"]) == 0
    first = capsys.readouterr()
    assert f"migrated from revision none to {HEAD}" in first.out
    assert "hunter2" not in first.out + first.err
    assert main(["store", "migrate"]) == 0
    assert f"already at schema revision {HEAD}" in capsys.readouterr().out


def test_a_single_clinic_file_is_copied_in_with_its_ids(
    database: str, tmp_path: Path, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = tmp_path / "vetbot.sqlite3"
    _legacy_file(legacy)
    before = legacy.read_bytes()
    assert main(["store", "migrate"]) == 0

    assert main(["store", "copy", str(legacy), "--clinic", "lyon"]) == 0
    out = capsys.readouterr().out
    assert "clinic 'lyon'" in out and "bookings 1" in out and "hunter2" not in out
    assert legacy.read_bytes() == before, "the source file is never written"

    with Store.open(database, clock, clinic="lyon") as store:
        booking = store.booking("b-1")
        assert booking is not None and booking.state is BookingState.BOOKED
        assert store.outbox.get(7) is not None and store.request(3) is not None
        assert store.owner(5_000_000_001) is not None
        assert store.for_clinic("nantes").owner(5_000_000_001) is None

    assert main(["store", "copy", str(legacy), "--clinic", "lyon"]) == 1
    assert "already has data" in capsys.readouterr().err


def test_copy_refusals_are_one_line(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "migrate"]) == 0
    capsys.readouterr()
    assert main(["store", "copy", str(tmp_path / "nope.sqlite3"), "--clinic", "lyon"]) == 1
    assert capsys.readouterr().err.strip().endswith("no such file")
    assert main(["store", "copy", str(tmp_path / "x"), "--clinic", "Lyon 2"]) == 1
    assert "not a clinic id" in capsys.readouterr().err


def test_an_unreachable_database_is_one_line_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://vetbot:hunter2@127.0.0.1:1/vetbot")
    assert main(["store", "migrate"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "hunter2" not in err and "***" in err


def test_a_bad_database_url_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://db/vetbot")
    assert main(["store", "migrate"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err
