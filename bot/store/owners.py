"""Which Treats client a Telegram user is, which language they chose, whether the bot can
write to them.

The language lives in its own ``user_prefs`` table rather than on the link: an owner picks a
language before they are linked (or without ever being linked), and a re-link must not reset it.

Reachability lives in ``owner_reach``, one row per owner the bot cannot write to (they blocked
it): a row is an unreachable episode, deleted when the owner is back. Kept in the store rather
than in memory so that a restart does not send every reminder once more to find out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.store.db import ClinicDb, from_db, to_db


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
    db: ClinicDb,
    now: datetime,
    user_id: int,
    client_id: str,
    *,
    language: str | None,
    via: str,
) -> OwnerLink:
    """Links (or re-links) the user; ``language=None`` keeps any language already chosen."""
    method = LinkVia(via)
    with db.transaction():
        db.execute(
            """INSERT INTO owner_links (clinic_id, user_id, client_id, linked_at, via)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (clinic_id, user_id) DO UPDATE SET
                client_id = excluded.client_id, linked_at = excluded.linked_at, via = excluded.via
            """,
            (db.clinic, user_id, client_id, to_db(now), method.value),
        )
        if language is not None:
            _upsert_language(db, now, user_id, language)
        chosen = get_language(db, user_id)
    return OwnerLink(user_id, client_id, chosen, from_db(to_db(now)), method)


def owner(db: ClinicDb, user_id: int) -> OwnerLink | None:
    row = db.execute(
        """SELECT l.user_id, l.client_id, p.language, l.linked_at, l.via
        FROM owner_links AS l LEFT JOIN user_prefs AS p USING (clinic_id, user_id)
        WHERE l.clinic_id = ? AND l.user_id = ?""",
        (db.clinic, user_id),
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


def set_language(db: ClinicDb, now: datetime, user_id: int, language: str) -> None:
    """Remembers the language for any user, linked or not."""
    _upsert_language(db, now, user_id, language)


def get_language(db: ClinicDb, user_id: int) -> str | None:
    row = db.execute(
        "SELECT language FROM user_prefs WHERE clinic_id = ? AND user_id = ?", (db.clinic, user_id)
    ).fetchone()
    return None if row is None else str(row["language"])


def _upsert_language(db: ClinicDb, now: datetime, user_id: int, lang: str) -> None:
    db.execute(
        """INSERT INTO user_prefs (clinic_id, user_id, language, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (clinic_id, user_id) DO UPDATE SET
            language = excluded.language, updated_at = excluded.updated_at""",
        (db.clinic, user_id, lang, to_db(now)),
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


def mark_unreachable(db: ClinicDb, now: datetime, user_id: int, reason: str) -> bool:
    """Records that the bot cannot write to the user; True if that is news (a new episode)."""
    with db.transaction():
        return bool(
            db.execute(
                """INSERT INTO owner_reach (clinic_id, user_id, unreachable_since, reason)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (clinic_id, user_id) DO NOTHING""",
                (db.clinic, user_id, to_db(now), reason[:200]),
            ).rowcount
        )


def mark_reachable(db: ClinicDb, user_id: int) -> bool:
    """The user wrote, tapped or unblocked the bot; True if they were unreachable until now.

    Read first: this runs for every owner update, and a write transaction would take the
    clinic's write lock and commit for nothing."""
    if unreachable(db, user_id) is None:
        return False
    with db.transaction():
        return bool(
            db.execute(
                "DELETE FROM owner_reach WHERE clinic_id = ? AND user_id = ?", (db.clinic, user_id)
            ).rowcount
        )


def unreachable(db: ClinicDb, user_id: int) -> Unreachable | None:
    """The user's current unreachable episode, or None when the bot may write to them."""
    row = db.execute(
        "SELECT * FROM owner_reach WHERE clinic_id = ? AND user_id = ?", (db.clinic, user_id)
    ).fetchone()
    if row is None:
        return None
    told = row["staff_told_at"]
    return Unreachable(
        user_id=row["user_id"],
        since=from_db(row["unreachable_since"]),
        reason=row["reason"],
        staff_told_at=None if told is None else from_db(told),
    )


def claim_staff_notice(db: ClinicDb, now: datetime, user_id: int) -> bool:
    """True for the one caller that may tell the staff of this episode (False: already told,
    or the user is reachable). Atomic, so two refusals at once make one staff message."""
    with db.transaction():
        return bool(
            db.execute(
                """UPDATE owner_reach SET staff_told_at = ?
                WHERE clinic_id = ? AND user_id = ? AND staff_told_at IS NULL""",
                (to_db(now), db.clinic, user_id),
            ).rowcount
        )
