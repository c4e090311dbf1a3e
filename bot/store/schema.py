"""The store's schema version, and bringing a database up to it with Alembic.

Alembic keeps the version (its ``alembic_version`` table) and runs the revisions in
``bot/store/migrations/versions/``, written once for both SQLite and PostgreSQL. Why Alembic:
it is the migration tool SQLAlchemy's authors keep; its operations render each dialect's DDL
from one description; on PostgreSQL the whole upgrade is one transaction.

- **SQLite** files are migrated when the bot opens them (the demo and a single clinic need no
  step of their own). A file written by a single-clinic vetbot (``PRAGMA user_version`` 1 to 5,
  no Alembic table) is first brought to version 5 by the frozen ``bot.store.legacy_schema``;
  the first revision then moves its rows in under the clinic the bot is serving. Once under
  Alembic, ``user_version`` is set to :data:`MANAGED_USER_VERSION`, so an older vetbot refuses
  the file ("written by a newer vetbot") instead of misreading it.
- **PostgreSQL** is migrated by the operator, ``vetbot store migrate``: several processes share
  it, and a schema change is a deliberate step. A bot finding it behind refuses to start with
  one line that says so.

Reading the version is one query, so opening an up-to-date file never imports Alembic.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Final

from bot.store.db import (
    DEFAULT_CLINIC,
    Database,
    DatabaseUrl,
    Dialect,
    PostgresDatabase,
    SqliteDatabase,
    Synchronous,
)
from bot.store.errors import SchemaBehindError, SchemaTooNewError
from bot.store.legacy_schema import LEGACY_MIGRATIONS, LEGACY_VERSION

logger = logging.getLogger("vetbot.store")

HEAD: Final = "0002"
"""The newest revision this vetbot knows (``bot/store/migrations/versions/``)."""
KNOWN: Final = frozenset({"0001", "0002"})
OLDEST_READER: Final = "0002"
"""The oldest vetbot revision that can run on :data:`HEAD` (as the newest migration writes it
in ``schema_compat``)."""
MANAGED_USER_VERSION: Final = 1000
"""``PRAGMA user_version`` of a SQLite file under Alembic: above every legacy version."""


def as_url(where: Path | str | DatabaseUrl) -> DatabaseUrl:
    """A SQLite path or a ``DATABASE_URL``'s text, as a :class:`DatabaseUrl`."""
    if isinstance(where, DatabaseUrl):
        return where
    if isinstance(where, Path):
        return DatabaseUrl.sqlite(where)
    return DatabaseUrl.parse(where)


def open_database(
    url: DatabaseUrl,
    *,
    clinic: str = DEFAULT_CLINIC,
    synchronous: Synchronous = Synchronous.FULL,
) -> Database:
    """Opens the database at this vetbot's schema: a SQLite file is migrated on the spot (a
    legacy file's rows going to ``clinic``); PostgreSQL must have been migrated already."""
    if url.dialect is Dialect.SQLITE:
        path = Path(url.value)
        # On a connection of its own, closed before the bot's opens: a connection that read
        # the schema before another changed it can keep preparing against the old one.
        probe = SqliteDatabase.open(path, synchronous=synchronous)
        try:
            migrate_sqlite_if_behind(probe, legacy_clinic=clinic)
        finally:
            probe.close()
        return SqliteDatabase.open(path, synchronous=synchronous)
    postgres = PostgresDatabase.open(url)
    try:
        check_current(postgres)
    except BaseException:
        postgres.close()
        raise
    return postgres


def revision(database: Database) -> str | None:
    """The database's schema revision; None for an empty database (or a legacy SQLite file)."""
    try:
        row = database.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception as error:  # no such table, in each driver's words
        if "alembic_version" not in str(error):
            raise
        return None
    return None if row is None else str(row[0])


def readable_here(database: Database) -> bool:
    """A schema newer than this vetbot's that its migrations declared this vetbot can still
    run on (``schema_compat``: the oldest revision that can): the old instances of a rolling
    upgrade go on, and restart, while the new ones replace them."""
    try:
        row = database.execute("SELECT oldest_reader FROM schema_compat").fetchone()
    except Exception as error:  # no such table: no newer revision said anything
        if "schema_compat" not in str(error):
            raise
        return False
    return row is not None and str(row[0]) in KNOWN


def check_current(database: Database) -> None:
    """Raises unless the database is at this vetbot's revision (or a newer one that declared
    itself readable by this vetbot)."""
    current = revision(database)
    if current == HEAD:
        return
    if current is not None and current not in KNOWN and readable_here(database):
        logger.warning(
            "the database is at schema revision %s, newer than this vetbot's %s, which it "
            "still supports: replace this vetbot with the newer one",
            current,
            HEAD,
        )
        return
    if current is not None and current not in KNOWN:
        raise SchemaTooNewError(
            f"the database is at schema revision {current}, which this vetbot does not know: "
            "it was migrated by a newer vetbot"
        )
    raise SchemaBehindError(
        f"the database is at schema revision {current or 'none'}, this vetbot needs {HEAD}: "
        "run `vetbot store migrate`"
    )


def migrate(url: DatabaseUrl, *, legacy_clinic: str = DEFAULT_CLINIC) -> str | None:
    """Brings the database to :data:`HEAD`; returns the revision it was at before.

    ``legacy_clinic``: the clinic a single-clinic SQLite file's rows belong to.
    """
    if url.dialect is Dialect.SQLITE:
        path = Path(url.value)
        _legacy_to_last_version(path)
        sqlalchemy_url = f"sqlite:///{path.resolve()}"
    else:
        sqlalchemy_url = url.value.replace("postgresql://", "postgresql+psycopg://", 1)
    before = _upgrade(sqlalchemy_url, legacy_clinic)
    if url.dialect is Dialect.SQLITE:
        conn = sqlite3.connect(url.value)
        try:
            conn.execute(f"PRAGMA user_version = {MANAGED_USER_VERSION}")
        finally:
            conn.close()
    return before


def migrate_sqlite_if_behind(database: SqliteDatabase, *, legacy_clinic: str) -> None:
    """What opening a SQLite file does: nothing when it is current, the head schema in one
    step when the file is empty, else :func:`migrate`."""
    current = revision(database)
    if current == HEAD:
        return
    if current is None and _create_if_empty(database):
        return
    (user_version,) = database.execute("PRAGMA user_version").fetchone()
    if current is not None and current not in KNOWN and readable_here(database):
        return
    if (current is not None and current not in KNOWN) or (
        current is None and LEGACY_VERSION < user_version < MANAGED_USER_VERSION
    ):
        raise SchemaTooNewError(
            f"{database.path} was written by a newer vetbot (schema {current or user_version})"
        )
    migrate(DatabaseUrl.sqlite(database.path), legacy_clinic=legacy_clinic)


SQLITE_HEAD: Final = Path(__file__).with_name("sqlite_head.sql")
"""The SQLite schema Alembic's revisions produce at :data:`HEAD`, statement by statement
(``python -m bot.store.schema`` writes it; a test checks it against a real migration). An empty
file gets it in one step: a migration run costs tens of milliseconds, which every new file of
the test suite would pay."""


def _create_if_empty(database: SqliteDatabase) -> bool:
    """Creates the head schema in an empty file (no table yet); False if the file has tables."""
    statements = [
        part.strip()
        for part in SQLITE_HEAD.read_text(encoding="utf-8").split(";\n")
        if part.strip()
    ]
    with database.transaction("!migrate"):
        if database.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall():
            return False
        for statement in statements:
            database.execute(statement)
        database.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD,))
        # The row Alembic's data step writes (the head file holds the tables only).
        database.execute("INSERT INTO schema_compat (oldest_reader) VALUES (?)", (OLDEST_READER,))
        database.execute(f"PRAGMA user_version = {MANAGED_USER_VERSION}")
    return True


def sqlite_head_schema() -> str:
    """The schema a real Alembic run produces on an empty SQLite file, as ``sqlite_head.sql``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vetbot-schema-") as scratch:
        path = Path(scratch) / "head.sqlite3"
        migrate(DatabaseUrl.sqlite(path))
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
        finally:
            conn.close()
    header = (
        f"-- The SQLite schema at Alembic revision {HEAD}, as a migration run creates it.\n"
        "-- Generated by `python -m bot.store.schema`: never edit by hand.\n"
    )
    return header + "".join(f"{sql};\n" for (sql,) in rows)


def _legacy_to_last_version(path: Path) -> None:
    """A single-clinic file older than legacy version 5 is brought to it, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if 0 < version < LEGACY_VERSION:
            for number, statements in enumerate(LEGACY_MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def _upgrade(sqlalchemy_url: str, legacy_clinic: str) -> str | None:
    """Runs Alembic to head on its own connection; returns the revision before."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(sqlalchemy_url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        # pysqlite would not begin a transaction before DDL: take the write lock ourselves,
        # so the upgrade is all or nothing and two processes do not both run it.
        @event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: object) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]

    config = Config()
    config.set_main_option("script_location", "bot.store:migrations")
    config.attributes["legacy_clinic"] = legacy_clinic
    try:
        with engine.connect() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()
    return before


if __name__ == "__main__":
    SQLITE_HEAD.write_text(sqlite_head_schema(), encoding="utf-8")
    print(f"wrote {SQLITE_HEAD}")
