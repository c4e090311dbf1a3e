"""The file itself: created where asked, WAL, versioned, and refused when from a newer bot."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.store import SCHEMA_VERSION, SchemaTooNewError, Store, db_path


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_the_file_lives_in_the_data_dir_and_is_created_with_its_folder(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = db_path(tmp_path / "not-yet")
    with Store.open(path, clock):
        pass
    assert path == tmp_path / "not-yet" / "vetbot.sqlite3"
    assert _pragma(path, "journal_mode") == "wal"
    assert _pragma(path, "user_version") == SCHEMA_VERSION


def test_an_existing_empty_file_is_brought_up_to_date(db_file: Path, clock: ManualClock) -> None:
    db_file.parent.mkdir(parents=True)
    sqlite3.connect(db_file).close()

    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")

    assert _pragma(db_file, "user_version") == SCHEMA_VERSION


def test_reopening_does_not_migrate_again(db_file: Path, clock: ManualClock) -> None:
    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")
    with Store.open(db_file, clock) as store:
        assert store.language(1) == "fr"


def test_a_file_from_a_newer_bot_is_refused_and_left_alone(
    db_file: Path, clock: ManualClock
) -> None:
    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")
    conn = sqlite3.connect(db_file)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()

    with pytest.raises(SchemaTooNewError, match="newer vetbot"):
        Store.open(db_file, clock)

    assert _pragma(db_file, "user_version") == SCHEMA_VERSION + 1


def test_the_store_is_bound_to_the_thread_that_opened_it(store: Store) -> None:
    """The bot runs in one event-loop thread; use from another thread is a bug, so it raises."""
    errors: list[BaseException] = []

    def use() -> None:
        try:
            store.language(1)
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(errors) == 1
