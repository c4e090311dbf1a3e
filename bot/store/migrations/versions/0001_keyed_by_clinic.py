"""The store keyed by clinic: every table names the clinic its row belongs to.

On a SQLite file written by a single-clinic vetbot (``PRAGMA user_version`` 5, brought there by
``bot.store.legacy_schema``), its tables are renamed aside, the new ones created, and every row
moved in under the clinic that file belonged to (``config.attributes["legacy_clinic"]``), ids
kept, so the buttons already sent and the conversations under way go on.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A Telegram id (users, chats and messages pass 2**31) or a row number."""

COUNTED = ("staff_outbox", "staff_requests", "reminders", "status_changes")
"""Tables whose ids are numbered per clinic (``ClinicDb.next_id``)."""


def _clinic() -> sa.Column:
    return sa.Column("clinic_id", sa.Text(), nullable=False)


def _flag(name: str) -> tuple[sa.Column, sa.CheckConstraint]:
    column = sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
    return column, sa.CheckConstraint(f"{name} IN (0, 1)", name=f"{name}_is_boolean")


def _create_tables() -> None:
    op.create_table(
        "owner_links",
        _clinic(),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("linked_at", sa.Text(), nullable=False),
        sa.Column("via", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "user_id"),
    )
    op.create_table(
        "user_prefs",
        _clinic(),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "user_id"),
    )
    urgent, urgent_check = _flag("is_urgent")
    op.create_table(
        "bookings",
        _clinic(),
        sa.Column("booking_id", sa.Text(), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Text(), nullable=False),
        sa.Column("vet_id", sa.Text(), nullable=False),
        sa.Column("appointment_type_id", sa.Text()),
        sa.Column("scheduled_at", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer()),
        sa.Column("reason", sa.Text()),
        urgent,
        sa.Column("pet_name", sa.Text(), nullable=False),
        sa.Column("vet_name", sa.Text(), nullable=False),
        sa.Column("type_name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("appointment_id", sa.Text()),
        sa.Column("detail", sa.Text()),
        sa.Column("api_status", sa.Text()),
        sa.Column("display_status", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.Text()),
        sa.Column("reminders_planned_for", sa.Text()),
        sa.Column("presence_confirmed_at", sa.Text()),
        sa.Column("status_checked_at", sa.Text()),
        sa.Column("urgent_alert_id", sa.Text()),
        sa.Column("told_at", sa.Text()),
        sa.PrimaryKeyConstraint("clinic_id", "booking_id"),
        urgent_check,
    )
    op.create_index("bookings_of_user", "bookings", ["clinic_id", "user_id", "scheduled_at"])
    op.create_index("bookings_in_time", "bookings", ["clinic_id", "scheduled_at"])
    op.create_index("bookings_in_state", "bookings", ["clinic_id", "state"])
    op.create_index("bookings_told", "bookings", ["clinic_id", "told_at"])
    op.create_table(
        "flow_events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        _clinic(),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
    )
    op.create_index("flow_events_of_kind", "flow_events", ["clinic_id", "kind", "at"])
    op.create_index("flow_events_of_user", "flow_events", ["clinic_id", "user_id"])
    op.create_table(
        "processed_updates",
        _clinic(),
        sa.Column("update_id", BigId, nullable=False),
        sa.Column("seen_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "update_id"),
    )
    op.create_index("processed_updates_seen", "processed_updates", ["seen_at"])
    # Written by bot.runtime.persistence.StorePersistence; PTB owns their contents.
    op.create_table(
        "ptb_user_data",
        _clinic(),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "user_id"),
    )
    op.create_table(
        "ptb_chat_data",
        _clinic(),
        sa.Column("chat_id", BigId, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "chat_id"),
    )
    op.create_table(
        "ptb_bot_data",
        _clinic(),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id"),
    )
    op.create_table(
        "ptb_conversations",
        _clinic(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("conv_key", sa.Text(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "name", "conv_key"),
    )
    needs_edit, needs_edit_check = _flag("needs_edit")
    needs_ack, needs_ack_check = _flag("needs_ack")
    op.create_table(
        "staff_outbox",
        _clinic(),
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("chat_id", BigId, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("reply_to_message_id", BigId),
        sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("message_id", BigId),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text()),
        needs_edit,
        sa.Column("user_id", BigId),
        sa.Column("booking_id", sa.Text()),
        needs_ack,
        sa.Column("acknowledged_by_id", BigId),
        sa.Column("acknowledged_by_name", sa.Text()),
        sa.Column("acknowledged_at", sa.Text()),
        sa.Column("realert_at", sa.Text()),
        sa.Column("realert_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("realert_of", BigId),
        sa.PrimaryKeyConstraint("clinic_id", "id"),
        needs_edit_check,
        needs_ack_check,
    )
    op.create_index("outbox_due", "staff_outbox", ["clinic_id", "state", "next_attempt_at"])
    op.create_index("outbox_realert", "staff_outbox", ["clinic_id", "realert_at"])
    op.create_index("outbox_of_kind", "staff_outbox", ["clinic_id", "kind", "created_at"])
    op.create_index("outbox_of_user", "staff_outbox", ["clinic_id", "user_id"])
    op.create_table(
        "staff_requests",
        _clinic(),
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("client_id", sa.Text()),
        sa.Column("booking_id", sa.Text()),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("outbox_id", BigId),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.Text()),
        sa.Column("decided_by_id", BigId),
        sa.Column("decided_by_name", sa.Text()),
        sa.PrimaryKeyConstraint("clinic_id", "id"),
    )
    op.create_index("requests_in_state", "staff_requests", ["clinic_id", "state", "created_at"])
    op.create_index("requests_of_user", "staff_requests", ["clinic_id", "user_id"])
    op.create_table(
        "flags",
        _clinic(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "name"),
    )
    op.create_table(
        "reminders",
        _clinic(),
        sa.Column("id", BigId, nullable=False),
        sa.Column("booking_id", sa.Text(), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("appointment_at", sa.Text(), nullable=False),
        sa.Column("due_at", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "id"),
        sa.UniqueConstraint("clinic_id", "booking_id", "kind", name="reminders_one_per_kind"),
    )
    op.create_index("reminders_due", "reminders", ["clinic_id", "state", "next_attempt_at"])
    op.create_index("reminders_of_user", "reminders", ["clinic_id", "user_id"])
    op.create_table(
        "status_changes",
        _clinic(),
        sa.Column("id", BigId, nullable=False),
        sa.Column("booking_id", sa.Text(), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("old_start", sa.Text(), nullable=False),
        sa.Column("new_start", sa.Text(), nullable=False),
        sa.Column("api_status", sa.Text(), nullable=False),
        sa.Column("display_status", sa.Text()),
        sa.Column("detected_at", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("notified_at", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("clinic_id", "id"),
    )
    op.create_index("changes_in_state", "status_changes", ["clinic_id", "state", "detected_at"])
    op.create_index("changes_of_user", "status_changes", ["clinic_id", "user_id"])
    op.create_table(
        "owner_reach",
        _clinic(),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("unreachable_since", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("staff_told_at", sa.Text()),
        sa.PrimaryKeyConstraint("clinic_id", "user_id"),
    )
    op.create_table(
        "id_counters",
        _clinic(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("last_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", "name"),
    )


LEGACY_TABLES = (
    "owner_links",
    "user_prefs",
    "bookings",
    "flow_events",
    "processed_updates",
    "ptb_user_data",
    "ptb_chat_data",
    "ptb_bot_data",
    "ptb_conversations",
    "staff_outbox",
    "staff_requests",
    "flags",
    "reminders",
    "status_changes",
    "owner_reach",
)


def _legacy_tables(bind: sa.Connection) -> bool:
    """A single-clinic file's tables are here (the file is at legacy version 5)."""
    if bind.dialect.name != "sqlite":
        return False
    return (
        "clinic_id" not in {column["name"] for column in sa.inspect(bind).get_columns("bookings")}
        if sa.inspect(bind).has_table("bookings")
        else False
    )


def _move_legacy_rows(bind: sa.Connection, clinic: str) -> None:
    for table in LEGACY_TABLES:
        old = {row[1] for row in bind.exec_driver_sql(f"PRAGMA table_info(legacy_{table})")}
        new = {row[1] for row in bind.exec_driver_sql(f"PRAGMA table_info({table})")}
        columns = sorted((old & new) - {"clinic_id"})
        if table == "flow_events":
            columns.remove("id")  # numbered anew: nothing outside the store names them
        listed = ", ".join(columns)
        bind.execute(
            sa.text(
                f"INSERT INTO {table} (clinic_id, {listed}) "
                f"SELECT :clinic, {listed} FROM legacy_{table}"
            ),
            {"clinic": clinic},
        )
        op.drop_table(f"legacy_{table}")
    for table in COUNTED:
        bind.execute(
            sa.text(
                "INSERT INTO id_counters (clinic_id, name, last_id) "
                f"SELECT :clinic, :name, MAX(id) FROM {table} "
                f"WHERE clinic_id = :clinic HAVING MAX(id) IS NOT NULL"
            ),
            {"clinic": clinic, "name": table},
        )


def upgrade() -> None:
    bind = op.get_bind()
    legacy = _legacy_tables(bind)
    if legacy:
        for table in LEGACY_TABLES:
            op.rename_table(table, f"legacy_{table}")
        for (name,) in bind.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall():
            op.drop_index(name)
    _create_tables()
    if legacy:
        clinic = context.config.attributes.get("legacy_clinic")
        if not clinic:
            raise RuntimeError("a single-clinic file needs the clinic its rows belong to")
        _move_legacy_rows(bind, clinic)
