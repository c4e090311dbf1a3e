"""PostgreSQL fixtures: one throwaway server per test session (tests/support/postgres.py),
started only when a test asks for it, and a fresh empty database per test.

Without PostgreSQL's server binaries, the tests that ask for it fail with one line saying to
install Debian's `postgresql` package: they never skip silently.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, PostgresStartError, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session; stopped (and its directory removed) at the end,
    also on Ctrl-C."""
    server = PostgresServer()
    problem = None
    try:
        server.start()
    except PostgresUnavailable as error:
        problem = str(error)
    except PostgresStartError as error:
        problem = f"the test PostgreSQL server did not start: {error}"
    if problem is not None:  # failed outside the except block: one line, no chained traceback
        pytest.fail(problem, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database (`postgresql://vetbot@127.0.0.1:PORT/test_…`),
    dropped after the test."""
    url = postgres_server.new_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def postgres_migrated_template(postgres_server: PostgresServer) -> str:
    """The name of a database at the store's schema, migrated once (`vetbot store migrate`'s
    code) for the session; tests copy it rather than each running the migration."""
    from bot.store.db import DatabaseUrl
    from bot.store.schema import migrate

    url = postgres_server.new_database()
    migrate(DatabaseUrl.parse(url))
    return url.rsplit("/", 1)[-1]


@pytest.fixture
def migrated_postgres_url(
    postgres_server: PostgresServer, postgres_migrated_template: str
) -> Iterator[str]:
    """The URL of a fresh database at the store's schema, dropped after the test."""
    url = postgres_server.new_database(template=postgres_migrated_template)
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh store database on each backend: a SQLite file, then a migrated PostgreSQL
    database (the tests that take it run twice)."""
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("store") / "vetbot.sqlite3")
    return request.getfixturevalue("migrated_postgres_url")
