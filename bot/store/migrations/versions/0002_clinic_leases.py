"""Clinics leased to instances: which running vetbot serves each clinic of a group, until when;
and the webhook inbox every instance records updates in.

``instances`` holds one row per running vetbot process (its heartbeat tells the live ones, so
each takes a fair share); ``clinic_leases`` one row per clinic: its holder, the lease's epoch
(one more at each change of holder: the fence a write is checked against) and when it lapses.
Times are the database server's (``now()``), so the instances' clocks never disagree.
``update_inbox``: each update Telegram posted to any instance, once per clinic and update id,
until the clinic's lease holder has handled it (``done_at``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("instance_id", sa.Text(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("seen_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("instance_id"),
    )
    op.create_table(
        "clinic_leases",
        sa.Column("clinic_id", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("expires_at", Instant, nullable=False),
        sa.Column("changed_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("clinic_id"),
    )

    op.create_table(
        "update_inbox",
        sa.Column("clinic_id", sa.Text(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", Instant, nullable=False),
        sa.Column("done_at", Instant, nullable=True),
        sa.PrimaryKeyConstraint("clinic_id", "update_id"),
    )
    op.create_index(
        "update_inbox_pending",
        "update_inbox",
        ["clinic_id", "update_id"],
        postgresql_where=sa.text("done_at IS NULL"),
        sqlite_where=sa.text("done_at IS NULL"),
    )

    # Which vetbots may still run on this schema: a rolling upgrade migrates first, then
    # replaces the instances one at a time, so the old ones must keep working meanwhile. Each
    # later revision rewrites this row (an additive one keeps the oldest reader it can).
    op.create_table("schema_compat", sa.Column("oldest_reader", sa.Text(), nullable=False))
    op.execute("INSERT INTO schema_compat (oldest_reader) VALUES ('0002')")


def downgrade() -> None:
    op.drop_table("schema_compat")
    op.drop_table("update_inbox")
    op.drop_table("clinic_leases")
    op.drop_table("instances")
