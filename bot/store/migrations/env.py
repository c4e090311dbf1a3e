"""Alembic's environment for the store: migrations run on the connection `bot.store.schema`
hands over (``config.attributes["connection"]``), inside one transaction that holds the
database's migration lock, so two processes migrating at once take turns."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)

with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        from sqlalchemy import text

        from bot.store.db import clinic_lock_key

        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": clinic_lock_key("!migrate")}
        )
    context.run_migrations()
