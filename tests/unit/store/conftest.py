"""Fixtures for the store tests: a frozen clock and a fresh database per test.

``store`` runs each test that takes it on both backends, a SQLite file and PostgreSQL
(``store_url``, tests/support/postgres_fixtures.py); ``db_file`` is for the tests about the
SQLite file itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.store import Store, db_path
from bot.store.db import DatabaseUrl, PostgresDatabase

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return db_path(tmp_path / "data")


@pytest.fixture
def store(store_url: str, clock: ManualClock) -> Iterator[Store]:
    with Store.open(store_url, clock) as opened:
        yield opened


@pytest.fixture
def pg_database(migrated_postgres_url: str) -> Iterator[PostgresDatabase]:
    """A connection to a fresh migrated PostgreSQL database (leases, the inbox)."""
    database = PostgresDatabase.open(DatabaseUrl.parse(migrated_postgres_url))
    try:
        yield database
    finally:
        database.close()
