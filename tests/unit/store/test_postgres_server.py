"""The throwaway PostgreSQL server the suite starts itself (tests/support/postgres.py)."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.postgres import PostgresServer


def test_server_runs_and_answers(postgres_server: PostgresServer) -> None:
    assert postgres_server.running
    assert postgres_server.admin_url.startswith("postgresql://vetbot@127.0.0.1:")
    with psycopg.connect(postgres_server.admin_url) as conn:
        user, addr, version = conn.execute(
            "SELECT current_user, inet_server_addr()::text, current_setting('server_version_num')"
        ).fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()[0]
    assert user == "vetbot"
    assert addr.startswith("127.0.0.1")
    assert int(version) >= 130000
    assert fsync == "off"


def test_new_database_is_empty_and_usable(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
        assert tables == 0
        conn.execute("CREATE TABLE pets (id serial PRIMARY KEY, name text NOT NULL)")
        conn.execute("INSERT INTO pets (name) VALUES (%s)", ["Médor"])
        assert conn.execute("SELECT name FROM pets").fetchall() == [("Médor",)]


def test_databases_are_isolated(postgres_server: PostgresServer, postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE pets (name text)")
    other = postgres_server.new_database()
    try:
        assert other != postgres_url
        with psycopg.connect(other) as conn:
            found = conn.execute("SELECT to_regclass('public.pets')").fetchone()[0]
        assert found is None
    finally:
        postgres_server.drop_database(other)


def test_two_connections_see_committed_rows(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as writer, psycopg.connect(postgres_url) as reader:
        writer.execute("CREATE TABLE pets (name text)")
        writer.commit()
        writer.execute("INSERT INTO pets VALUES ('Rex')")
        assert reader.execute("SELECT count(*) FROM pets").fetchone()[0] == 0
        reader.rollback()
        writer.commit()
        assert reader.execute("SELECT name FROM pets").fetchall() == [("Rex",)]


def test_dropped_database_is_gone(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    held = psycopg.connect(url)  # DROP ... WITH (FORCE) must not wait for it
    postgres_server.drop_database(url)
    held.close()
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(url).close()
