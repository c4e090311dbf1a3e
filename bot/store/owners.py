"""Which Treats client a Telegram user is, and which language they chose.

The language lives in its own ``user_prefs`` table rather than on the link: an owner picks a
language before they are linked (or without ever being linked), and a re-link must not reset it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.store.db import from_db, to_db, transaction


class LinkVia(StrEnum):
    """How the owner proved who they are."""

    CONTACT = "contact"  # shared their phone number, matched to a client
    INVITE = "invite"  # opened a clinic-issued invite link


@dataclass(frozen=True, slots=True)
class OwnerLink:
    user_id: int
    client_id: str
    language: str | None
    linked_at: datetime
    via: LinkVia


def link_owner(
    conn: sqlite3.Connection,
    now: datetime,
    user_id: int,
    client_id: str,
    *,
    language: str | None,
    via: str,
) -> OwnerLink:
    """Links (or re-links) the user; ``language=None`` keeps any language already chosen."""
    method = LinkVia(via)
    with transaction(conn):
        conn.execute(
            """INSERT INTO owner_links (user_id, client_id, linked_at, via) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                client_id = excluded.client_id, linked_at = excluded.linked_at, via = excluded.via
            """,
            (user_id, client_id, to_db(now), method.value),
        )
        if language is not None:
            _upsert_language(conn, now, user_id, language)
        chosen = get_language(conn, user_id)
    return OwnerLink(user_id, client_id, chosen, from_db(to_db(now)), method)


def owner(conn: sqlite3.Connection, user_id: int) -> OwnerLink | None:
    row = conn.execute(
        """SELECT l.user_id, l.client_id, p.language, l.linked_at, l.via
        FROM owner_links AS l LEFT JOIN user_prefs AS p USING (user_id)
        WHERE l.user_id = ?""",
        (user_id,),
    ).fetchone()
    if row is None:
        return None
    return OwnerLink(
        user_id=row["user_id"],
        client_id=row["client_id"],
        language=row["language"],
        linked_at=from_db(row["linked_at"]),
        via=LinkVia(row["via"]),
    )


def set_language(conn: sqlite3.Connection, now: datetime, user_id: int, language: str) -> None:
    """Remembers the language for any user, linked or not."""
    _upsert_language(conn, now, user_id, language)


def get_language(conn: sqlite3.Connection, user_id: int) -> str | None:
    row = conn.execute("SELECT language FROM user_prefs WHERE user_id = ?", (user_id,)).fetchone()
    return None if row is None else str(row["language"])


def _upsert_language(conn: sqlite3.Connection, now: datetime, user_id: int, lang: str) -> None:
    conn.execute(
        """INSERT INTO user_prefs (user_id, language, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            language = excluded.language, updated_at = excluded.updated_at""",
        (user_id, lang, to_db(now)),
    )
