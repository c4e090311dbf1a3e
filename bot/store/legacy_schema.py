"""The SQLite schema of the single-clinic versions of vetbot (``PRAGMA user_version`` 1 to 5),
frozen: it is only read to bring an old file to version 5, from which the first Alembic
revision moves its rows in under the clinic that file belonged to (``bot.store.schema``).
Never edit it; new schema changes are Alembic revisions in ``bot/store/migrations/``.
"""

from __future__ import annotations

from typing import Final

LEGACY_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: owners, bookings, flow events, processed updates, PTB persistence.
    (
        """CREATE TABLE owner_links (
            user_id INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL,
            linked_at TEXT NOT NULL,
            via TEXT NOT NULL
        )""",
        """CREATE TABLE user_prefs (
            user_id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE bookings (
            booking_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            client_id TEXT NOT NULL,
            patient_id TEXT NOT NULL,
            vet_id TEXT NOT NULL,
            appointment_type_id TEXT,
            scheduled_at TEXT NOT NULL,
            duration_minutes INTEGER,
            reason TEXT,
            is_urgent INTEGER NOT NULL CHECK (is_urgent IN (0, 1)),
            pet_name TEXT NOT NULL,
            vet_name TEXT NOT NULL,
            type_name TEXT NOT NULL,
            state TEXT NOT NULL,
            appointment_id TEXT,
            detail TEXT,
            api_status TEXT,
            display_status TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            confirmed_at TEXT
        )""",
        "CREATE INDEX bookings_by_user ON bookings (user_id, scheduled_at)",
        "CREATE INDEX bookings_by_time ON bookings (scheduled_at)",
        "CREATE INDEX bookings_by_state ON bookings (state)",
        """CREATE TABLE flow_events (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX flow_events_by_kind ON flow_events (kind, at)",
        "CREATE INDEX flow_events_by_user ON flow_events (user_id)",
        """CREATE TABLE processed_updates (
            update_id INTEGER PRIMARY KEY,
            seen_at TEXT NOT NULL
        )""",
        "CREATE INDEX processed_updates_by_time ON processed_updates (seen_at)",
        # Written by bot.runtime.persistence.SqlitePersistence; PTB owns their contents.
        "CREATE TABLE ptb_user_data (user_id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE TABLE ptb_chat_data (chat_id INTEGER PRIMARY KEY, data BLOB NOT NULL)",
        """CREATE TABLE ptb_bot_data (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            data BLOB NOT NULL
        )""",
        """CREATE TABLE ptb_conversations (
            name TEXT NOT NULL,
            conv_key TEXT NOT NULL,
            state BLOB NOT NULL,
            PRIMARY KEY (name, conv_key)
        )""",
    ),
    # 2: the staff outbox (alerts, announcements, requests), staff requests, bot-wide flags.
    (
        """CREATE TABLE staff_outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            buttons TEXT NOT NULL,
            reply_to_message_id INTEGER,
            revision INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            message_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            needs_edit INTEGER NOT NULL DEFAULT 0 CHECK (needs_edit IN (0, 1)),
            user_id INTEGER,
            booking_id TEXT,
            needs_ack INTEGER NOT NULL DEFAULT 0 CHECK (needs_ack IN (0, 1)),
            acknowledged_by_id INTEGER,
            acknowledged_by_name TEXT,
            acknowledged_at TEXT,
            realert_at TEXT,
            realert_count INTEGER NOT NULL DEFAULT 0,
            realert_of INTEGER
        )""",
        "CREATE INDEX staff_outbox_by_state ON staff_outbox (state, next_attempt_at)",
        "CREATE INDEX staff_outbox_by_realert ON staff_outbox (realert_at)",
        "CREATE INDEX staff_outbox_by_kind ON staff_outbox (kind, created_at)",
        "CREATE INDEX staff_outbox_by_user ON staff_outbox (user_id)",
        """CREATE TABLE staff_requests (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            client_id TEXT,
            booking_id TEXT,
            details TEXT NOT NULL,
            state TEXT NOT NULL,
            outbox_id INTEGER,
            created_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by_id INTEGER,
            decided_by_name TEXT
        )""",
        "CREATE INDEX staff_requests_by_state ON staff_requests (state, created_at)",
        "CREATE INDEX staff_requests_by_user ON staff_requests (user_id)",
        """CREATE TABLE flags (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    # 3: owners' reminders, "Je serai là", status checks and the changes owners must hear of.
    (
        """CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            booking_id TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            appointment_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL,
            sent_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (booking_id, kind)
        )""",
        "CREATE INDEX reminders_by_state ON reminders (state, next_attempt_at)",
        "CREATE INDEX reminders_by_user ON reminders (user_id)",
        "ALTER TABLE bookings ADD COLUMN reminders_planned_for TEXT",
        "ALTER TABLE bookings ADD COLUMN presence_confirmed_at TEXT",
        "ALTER TABLE bookings ADD COLUMN status_checked_at TEXT",
        """CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            booking_id TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            old_start TEXT NOT NULL,
            new_start TEXT NOT NULL,
            api_status TEXT NOT NULL,
            display_status TEXT,
            detected_at TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            notified_at TEXT,
            last_error TEXT
        )""",
        "CREATE INDEX status_changes_by_state ON status_changes (state, detected_at)",
        "CREATE INDEX status_changes_by_user ON status_changes (user_id)",
    ),
    (
        "ALTER TABLE bookings ADD COLUMN urgent_alert_id TEXT",
        "ALTER TABLE bookings ADD COLUMN told_at TEXT",
        # Bookings settled before this version were told at the time (or never will be).
        "UPDATE bookings SET told_at = updated_at WHERE state != 'sending'",
        "CREATE INDEX bookings_untold ON bookings (told_at) WHERE told_at IS NULL",
    ),
    # 5: owners the bot cannot write to (they blocked it): a row per unreachable owner.
    (
        """CREATE TABLE owner_reach (
            user_id INTEGER PRIMARY KEY,
            unreachable_since TEXT NOT NULL,
            reason TEXT NOT NULL,
            staff_told_at TEXT
        )""",
    ),
)
"""Append-only: migration *n* (1-based) brings a file from ``user_version`` n-1 to n.
Never edit a released entry; add a new one (a table, a column, an index)."""

LEGACY_VERSION: Final = len(LEGACY_MIGRATIONS)
