"""Which Treats client a Telegram user is, which language they chose, whether the bot can
write to them.

The language lives in its own ``user_prefs`` table rather than on the link: an owner picks a
language before they are linked (or without ever being linked), and a re-link must not reset it.

Reachability lives in ``owner_reach``, one row per owner the bot cannot write to (they blocked
it): a row is an unreachable episode, deleted when the owner is back. Kept in the store rather
than in memory so that a restart does not send every reminder once more to find out again.
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


@dataclass(frozen=True, slots=True)
class Unreachable:
    """An owner Telegram refuses messages to, since when, and what said so."""

    user_id: int
    since: datetime
    reason: str
    """Telegram's refusal ("Forbidden: bot was blocked by the user") or the member update."""
    staff_told_at: datetime | None
    """When the staff were told of this episode (None: not told, or nothing to tell)."""


def mark_unreachable(conn: sqlite3.Connection, now: datetime, user_id: int, reason: str) -> bool:
    """Records that the bot cannot write to the user; True if that is news (a new episode)."""
    with transaction(conn):
        return bool(
            conn.execute(
                """INSERT INTO owner_reach (user_id, unreachable_since, reason) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO NOTHING""",
                (user_id, to_db(now), reason[:200]),
            ).rowcount
        )


def mark_reachable(conn: sqlite3.Connection, user_id: int) -> bool:
    """The user wrote, tapped or unblocked the bot; True if they were unreachable until now.

    Read first: this runs for every owner update, and a write would fsync for nothing."""
    if unreachable(conn, user_id) is None:
        return False
    with transaction(conn):
        return bool(conn.execute("DELETE FROM owner_reach WHERE user_id = ?", (user_id,)).rowcount)


def unreachable(conn: sqlite3.Connection, user_id: int) -> Unreachable | None:
    """The user's current unreachable episode, or None when the bot may write to them."""
    row = conn.execute("SELECT * FROM owner_reach WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        return None
    told = row["staff_told_at"]
    return Unreachable(
        user_id=row["user_id"],
        since=from_db(row["unreachable_since"]),
        reason=row["reason"],
        staff_told_at=None if told is None else from_db(told),
    )


def claim_staff_notice(conn: sqlite3.Connection, now: datetime, user_id: int) -> bool:
    """True for the one caller that may tell the staff of this episode (False: already told,
    or the user is reachable). Atomic, so two refusals at once make one staff message."""
    with transaction(conn):
        return bool(
            conn.execute(
                """UPDATE owner_reach SET staff_told_at = ?
                WHERE user_id = ? AND staff_told_at IS NULL""",
                (to_db(now), user_id),
            ).rowcount
        )
