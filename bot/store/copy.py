"""Moving one clinic's data from a SQLite file into another database (``vetbot store copy``).

The way from a single-clinic deployment to a clinic group: every row the clinic's bot wrote
(owners, bookings and their claims, the staff outbox, reminders, requests, conversation state,
the numbers its ids were at) is copied under the clinic's key, ids kept, so buttons already
sent and conversations under way go on. The copy is one transaction on the target, holding
the clinic's write lock; a clinic that already has data there is refused, never merged.

The source file is never written: a legacy file (from before the store was keyed by clinic)
is migrated in a temporary copy first.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.store.db import ClinicDb, Database, DatabaseUrl, Synchronous
from bot.store.errors import StoreError
from bot.store.schema import check_current, open_database

CLINIC_TABLES: Final = (
    "owner_links",
    "user_prefs",
    "owner_reach",
    "bookings",
    "flow_events",
    "processed_updates",
    "staff_outbox",
    "staff_requests",
    "flags",
    "reminders",
    "status_changes",
    "ptb_user_data",
    "ptb_chat_data",
    "ptb_bot_data",
    "ptb_conversations",
    "id_counters",
)
"""Every table of the schema; each row names its clinic."""

RENUMBERED: Final = frozenset({"flow_events"})
"""Tables whose ids are the target's own (nothing outside the store names them)."""


class CopyRefused(StoreError):
    """The copy cannot be made as asked (the clinic is unknown, or already in the target)."""


@dataclass(frozen=True, slots=True)
class Copied:
    clinic: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def clinics_in(database: Database) -> list[str]:
    """The clinics that have data in the database (by their owners, bookings or state)."""
    found: set[str] = set()
    for table in ("owner_links", "user_prefs", "bookings", "ptb_user_data", "id_counters"):
        found.update(row[0] for row in database.execute(f"SELECT DISTINCT clinic_id FROM {table}"))
    return sorted(found)


def copy_clinic(source: Database, target: Database, *, from_clinic: str, to_clinic: str) -> Copied:
    """Copies every row of ``from_clinic`` in ``source`` to ``to_clinic`` in ``target``."""
    check_current(target)
    into = ClinicDb(target, to_clinic)
    counts: dict[str, int] = {}
    with into.transaction():
        for table in CLINIC_TABLES:
            if target.execute(
                f"SELECT 1 FROM {table} WHERE clinic_id = ? LIMIT 1", (to_clinic,)
            ).fetchone():
                raise CopyRefused(
                    f"clinic {to_clinic!r} already has data in the target ({table}): "
                    "nothing was copied"
                )
        for table in CLINIC_TABLES:
            rows = source.execute(
                f"SELECT * FROM {table} WHERE clinic_id = ?", (from_clinic,)
            ).fetchall()
            counts[table] = len(rows)
            if not rows:
                continue
            # A row iterates over its values: its column names are keys().
            columns = [name for name in rows[0].keys() if name != "clinic_id"]  # noqa: SIM118
            if table in RENUMBERED:
                columns.remove("id")
            listed = ", ".join(("clinic_id", *columns))
            marks = ", ".join("?" * (len(columns) + 1))
            statement = f"INSERT INTO {table} ({listed}) VALUES ({marks})"
            for row in rows:
                target.execute(statement, (to_clinic, *(row[name] for name in columns)))
    return Copied(to_clinic, counts)


def copy_from_sqlite(
    source_path: Path,
    target_url: DatabaseUrl,
    *,
    to_clinic: str,
    from_clinic: str | None = None,
) -> Copied:
    """``vetbot store copy``: the clinic's rows of the file at ``source_path`` into the
    database at ``target_url`` (which must be migrated). ``from_clinic``: the clinic's key in
    the file; by default the only clinic it holds (a legacy file's rows are ``to_clinic``'s)."""
    if not source_path.is_file():
        raise CopyRefused(f"{source_path}: no such file")
    with tempfile.TemporaryDirectory(prefix="vetbot-copy-") as scratch:
        snapshot = Path(scratch) / "source.sqlite3"
        _snapshot(source_path, snapshot)
        source = open_database(
            DatabaseUrl.sqlite(snapshot),
            clinic=from_clinic or to_clinic,
            synchronous=Synchronous.NORMAL,
        )
        try:
            present = clinics_in(source)
            if from_clinic is None:
                if len(present) > 1:
                    raise CopyRefused(
                        f"{source_path} holds several clinics ({', '.join(present)}): "
                        "name one with --from-clinic"
                    )
                from_clinic = present[0] if present else to_clinic
            elif from_clinic not in present:
                raise CopyRefused(
                    f"{source_path} holds no clinic {from_clinic!r} "
                    f"(it holds: {', '.join(present) or 'nothing'})"
                )
            target = open_database(target_url, clinic=to_clinic)
            try:
                return copy_clinic(source, target, from_clinic=from_clinic, to_clinic=to_clinic)
            finally:
                target.close()
        finally:
            source.close()


def _snapshot(source: Path, into: Path) -> None:
    """A consistent copy of a SQLite file that may be in use (SQLite's online backup)."""
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(into)
        try:
            origin.backup(copy)
        finally:
            copy.close()
    finally:
        origin.close()
