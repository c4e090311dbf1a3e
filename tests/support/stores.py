"""Opening the store's database in tests the way the bot does, on either backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.runtime.persistence import StorePersistence
from bot.store.db import DEFAULT_CLINIC, ClinicDb, DatabaseUrl, Synchronous
from bot.store.schema import open_database


def persistence_on(
    where: Path | str, *, clinic: str = DEFAULT_CLINIC, **kwargs: Any
) -> StorePersistence[Any, Any, Any]:
    """PTB persistence over a SQLite file (its own NORMAL connection, as the bot opens it) or a
    migrated PostgreSQL database, owning its connection."""
    url = DatabaseUrl.sqlite(where) if isinstance(where, Path) else DatabaseUrl.parse(where)
    database = open_database(url, clinic=clinic, synchronous=Synchronous.NORMAL)
    return StorePersistence(ClinicDb(database, clinic), owns_database=True, **kwargs)
