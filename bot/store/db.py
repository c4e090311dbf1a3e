"""The database under the store: SQLite (the embedded default) or PostgreSQL, one way to talk to
both, and the clinic every statement is about.

The store's SQL is written once, in the dialect both share (``?`` or ``:name`` parameters,
``ON CONFLICT``, ``RETURNING``); :class:`PostgresDatabase` rewrites the parameters for psycopg.
Rows read by name or position on both (``row["state"]``, ``(n,) = row``).

**Calls are synchronous** although the callers are async: each is a few small statements, and
keeping them on the event-loop thread means no two of them ever interleave in this process. On
SQLite a commit is fsync'ed (about a millisecond); on PostgreSQL it is a round trip to a server
that must be near the bot (same host or LAN), which is the deployment the docs describe.
Time-outs bound the worst case (``connect_timeout``, ``statement_timeout``) so a stuck server
fails a call instead of freezing every clinic.

**Write transactions are serialised per clinic.** SQLite's ``BEGIN IMMEDIATE`` takes the file's
write lock; PostgreSQL's transaction takes a transaction-scoped advisory lock named after the
clinic. Either way a read-then-write inside :meth:`ClinicDb.transaction` (a claim, "at most one
open request per booking") cannot interleave with another writer of the same clinic, even in
another process, while two clinics on PostgreSQL never wait for each other.

**Durability.** SQLite is in WAL mode; the store's connection uses ``synchronous=FULL`` (a
committed write survives a kill -9 and a power cut; a booking the owner was told about must
not be lost), PTB's persistence ``NORMAL`` (a second of conversation state may be lost on power
loss). PostgreSQL commits durably by its own settings.

Every connection is made with ``check_same_thread=True`` (SQLite's default): the bot runs in one
event-loop thread, and a connection used from another thread is a bug we want raised.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import unquote, urlsplit

from bot.store.errors import LeaseLost

DB_FILENAME: Final = "vetbot.sqlite3"
BUSY_TIMEOUT_SECONDS: Final = 5.0
"""How long a SQLite writer waits for another process's write lock before raising (never
in-process: every transaction here completes before its method returns)."""

PG_CONNECT_TIMEOUT_SECONDS: Final = 5
PG_STATEMENT_TIMEOUT_MS: Final = 5000
"""A statement (or a wait for a clinic's lock) longer than this fails instead of freezing the
event loop; the store's statements take well under a millisecond."""

DEFAULT_CLINIC: Final = "default"
"""The clinic key of a single-clinic deployment whose clinic file names no ``id``, and of the
rows a single-clinic version of vetbot wrote before the store was keyed by clinic."""

CLINIC_KEY_PATTERN: Final = r"^[a-z0-9][a-z0-9_-]{0,62}$"
"""A clinic's key: lower-case letters, digits, ``-`` and ``_`` (it names rows, metrics, logs)."""

Params = Sequence[Any] | Mapping[str, Any]


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class Synchronous(StrEnum):
    """The ``PRAGMA synchronous`` levels we use on SQLite (see the module docstring)."""

    NORMAL = "NORMAL"
    FULL = "FULL"


class Cursor(Protocol):
    """What the store reads of a statement's result, on both drivers."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    """One connection to the store's database, shared by every clinic of the process."""

    dialect: Dialect

    def execute(self, sql: str, params: Params = ()) -> Cursor: ...

    def transaction(self, clinic: str, fence: Fence | None = None) -> Any:
        """A context manager: a write transaction holding ``clinic``'s write lock; with a
        ``fence``, refused (``LeaseLost``) unless this process still holds the clinic's lease."""
        ...

    def close(self) -> None: ...


# URLs ---------------------------------------------------------------------------------------


class DatabaseUrlError(ValueError):
    """``DATABASE_URL`` is neither a SQLite path nor a PostgreSQL URL."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """Where the data lives: ``sqlite:///path`` (or a bare path) or ``postgresql://...``.

    The repr hides a password (``postgresql://user:***@host/db``): URLs end up in logs.
    """

    dialect: Dialect
    value: str
    """The SQLite file's path, or the PostgreSQL connection URL (with any password)."""

    @classmethod
    def parse(cls, text: str) -> DatabaseUrl:
        text = text.strip()
        if not text:
            raise DatabaseUrlError("DATABASE_URL is empty")
        scheme, sep, rest = text.partition("://")
        if not sep:
            return cls(Dialect.SQLITE, text)
        scheme = scheme.lower()
        if scheme == "sqlite":  # sqlite:///relative/path, sqlite:////absolute/path
            path = rest[1:] if rest.startswith("/") else rest
            if not path:
                raise DatabaseUrlError("DATABASE_URL sqlite:/// needs a file path")
            return cls(Dialect.SQLITE, path)
        if scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
            return cls(Dialect.POSTGRESQL, "postgresql://" + rest)
        raise DatabaseUrlError(
            f"DATABASE_URL scheme {scheme!r} is not supported: use sqlite:///path or postgresql://"
        )

    @classmethod
    def sqlite(cls, path: Path) -> DatabaseUrl:
        return cls(Dialect.SQLITE, str(path))

    @property
    def password(self) -> str | None:
        """The PostgreSQL URL's password as the server reads it (percent-decoded), if any."""
        written = self.written_password
        return None if written is None else unquote(written)

    @property
    def written_password(self) -> str | None:
        """The password as written in the URL (percent-encoded), if any."""
        if self.dialect is not Dialect.POSTGRESQL:
            return None
        return urlsplit(self.value).password

    def shown(self) -> str:
        """The URL with its password masked, for logs and errors."""
        return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", self.value)

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.shown()!r})"

    __str__ = shown


def db_path(data_dir: Path) -> Path:
    """Where the bot keeps its SQLite file inside ``VETBOT_DATA_DIR`` (no ``DATABASE_URL``)."""
    return data_dir / DB_FILENAME


# SQLite -------------------------------------------------------------------------------------


class SqliteDatabase:
    """One SQLite connection in autocommit mode; transactions are ``BEGIN IMMEDIATE``."""

    dialect = Dialect.SQLITE

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, synchronous: Synchronous = Synchronous.FULL) -> SqliteDatabase:
        """Opens (creating if needed) the file in WAL mode; the schema is not touched here."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode != "wal":
                raise sqlite3.OperationalError(f"could not switch {path} to WAL (got {mode!r})")
            conn.execute(f"PRAGMA synchronous = {Synchronous(synchronous).value}")
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self._conn.execute(sql, params)

    @contextmanager
    def transaction(self, clinic: str, fence: Fence | None = None) -> Iterator[None]:
        """The file's write lock up front, so a read-then-write cannot interleave with another
        writer (the clinic does not matter: SQLite has one writer at a time). No fence: a
        SQLite file is served by one process, leases are PostgreSQL's."""
        if fence is not None:
            raise ValueError("leases need PostgreSQL: a SQLite file has a single process")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def checkpoint(self) -> None:
        """Folds the WAL into the main file (at shutdown; readers never wait for it)."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SqliteDatabase({str(self.path)!r})"


# PostgreSQL ---------------------------------------------------------------------------------

_PARAM = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|\?|(?<!:):([A-Za-z_][A-Za-z0-9_]*)|%""")


def to_pyformat(sql: str) -> str:
    """The store's SQL with psycopg's parameters: ``?`` -> ``%s``, ``:name`` -> ``%(name)s``;
    inside quotes ``?`` and ``:`` are text (and ``::`` a cast), but every literal ``%`` is
    doubled, in quotes too, since psycopg reads ``%`` wherever it stands."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1) is not None:
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")

    return _PARAM.sub(swap, sql)


class PgRow:
    """A row readable by column name and by position, like ``sqlite3.Row``."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: Mapping[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._names[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._names, self._values, strict=True))!r})"


def _pg_rows(cursor: Any) -> Any:
    names = {column.name: index for index, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(names, values)

    return make


def clinic_lock_key(clinic: str) -> int:
    """The 64-bit advisory lock that serialises one clinic's write transactions."""
    digest = hashlib.blake2b(f"vetbot:{clinic}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_CLINIC_LOCK: Final = "SELECT pg_advisory_xact_lock(%s)"
_FENCED_CLINIC_LOCK: Final = """SELECT pg_advisory_xact_lock(%s), EXISTS (
    SELECT 1 FROM clinic_leases WHERE clinic_id = %s AND holder = %s AND epoch = %s
    AND expires_at > now() FOR SHARE)"""
"""The clinic's lock and, in the same statement, its lease checked and share-locked (a
locking clause is allowed in a sub-SELECT: the row stays locked until the transaction ends)."""


class PostgresDatabase:
    """One psycopg connection in autocommit mode, reopened when the server dropped it."""

    dialect = Dialect.POSTGRESQL

    def __init__(self, url: DatabaseUrl) -> None:
        if url.dialect is not Dialect.POSTGRESQL:
            raise ValueError(f"not a PostgreSQL URL: {url}")
        self.url = url
        self._sql: dict[str, str] = {}
        self._conn: Any = None
        self._connect()

    @classmethod
    def open(cls, url: DatabaseUrl) -> PostgresDatabase:
        return cls(url)

    def _connect(self) -> Any:
        import psycopg  # only deployments on PostgreSQL pay for the import

        self._conn = psycopg.connect(
            self.url.value,
            autocommit=True,
            row_factory=_pg_rows,
            connect_timeout=PG_CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
            f" -c lock_timeout={PG_STATEMENT_TIMEOUT_MS}",
            application_name="vetbot",
        )
        return self._conn

    def _live(self) -> Any:
        if self._conn is None or self._conn.closed or self._conn.broken:
            return self._connect()
        return self._conn

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        query = self._sql.get(sql)
        if query is None:
            query = self._sql[sql] = to_pyformat(sql)
        conn = self._live()
        return conn.execute(query, params if params else None)

    @contextmanager
    def transaction(self, clinic: str, fence: Fence | None = None) -> Iterator[None]:
        """A transaction holding the clinic's advisory lock until it commits or rolls back.

        With a ``fence``, the clinic's lease row is read in the same statement, share-locked:
        the transaction goes on only while this process holds the lease at the fence's epoch
        and it has not lapsed, and no other instance can take the clinic over before it
        commits. So a paused or cut-off holder can never mark an alert sent or a booking
        claimed once another instance serves the clinic. One statement, not two: the fence
        costs no round trip of its own (``bench/cluster.py`` counts them)."""
        conn = self._live()
        with conn.transaction():
            if fence is None:
                conn.execute(_CLINIC_LOCK, (clinic_lock_key(clinic),))
            else:
                row = conn.execute(
                    _FENCED_CLINIC_LOCK,
                    (clinic_lock_key(clinic), clinic, fence.holder, fence.epoch),
                ).fetchone()
                if not row[1]:
                    raise LeaseLost(
                        f"clinic {clinic}: the lease of epoch {fence.epoch} is no longer held "
                        "by this instance"
                    )
            yield

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.url.shown()!r})"


# The clinic's view ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fence:
    """Who holds a clinic's lease, at which epoch: what a fenced write checks."""

    holder: str
    epoch: int


@dataclass(frozen=True, slots=True)
class ClinicDb:
    """The database as one clinic's store uses it: every statement names ``clinic``.

    Nothing here adds the clinic to the SQL: each statement says ``clinic_id = ?`` itself, so a
    reader sees the isolation where it happens.
    """

    database: Database
    clinic: str
    fence: Fence | None = None
    """Set when the clinic is leased to this process (a group on several instances): every
    write transaction is checked against it."""

    @property
    def dialect(self) -> Dialect:
        return self.database.dialect

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self.database.execute(sql, params)

    def transaction(self) -> Any:
        return self.database.transaction(self.clinic, self.fence)

    def next_id(self, counter: str) -> int:
        """The clinic's next number for ``counter`` (an outbox row, a request...).

        Numbers are per clinic, so a clinic's rows keep their ids when its data moves to
        another database (``vetbot store copy``), and buttons already sent still name them.
        A number is never given twice, even after the row that had it was deleted.
        """
        row = self.database.execute(
            """INSERT INTO id_counters (clinic_id, name, last_id) VALUES (?, ?, 1)
            ON CONFLICT (clinic_id, name) DO UPDATE SET last_id = id_counters.last_id + 1
            RETURNING last_id""",
            (self.clinic, counter),
        ).fetchone()
        return int(row[0])


# Time columns ---------------------------------------------------------------------------------


def to_db(when: datetime) -> str:
    """An instant as fixed-width UTC ISO text, so that text order is time order in SQL."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: the store only takes aware datetimes")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


def optional_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
