"""The database itself: a SQLite file created where asked, in WAL, at this vetbot's schema; a file
of the single-clinic versions taken over with every row; a newer one refused; URLs shown
without their password; the store's SQL rewritten for psycopg."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.store import BookingState, SchemaTooNewError, Store, db_path
from bot.store.db import DatabaseUrl, DatabaseUrlError, Dialect, clinic_lock_key, to_pyformat
from bot.store.legacy_schema import LEGACY_MIGRATIONS, LEGACY_VERSION
from bot.store.schema import HEAD, MANAGED_USER_VERSION, SQLITE_HEAD, sqlite_head_schema
from tests.support.stores import persistence_on


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def _revision(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()


def test_the_file_lives_in_the_data_dir_and_is_created_with_its_folder(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = db_path(tmp_path / "not-yet")
    with Store.open(path, clock):
        pass
    assert path == tmp_path / "not-yet" / "vetbot.sqlite3"
    assert _pragma(path, "journal_mode") == "wal"
    assert _revision(path) == HEAD
    assert _pragma(path, "user_version") == MANAGED_USER_VERSION


def test_an_existing_empty_file_is_brought_up_to_date(db_file: Path, clock: ManualClock) -> None:
    db_file.parent.mkdir(parents=True)
    sqlite3.connect(db_file).close()

    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")

    assert _revision(db_file) == HEAD


def test_reopening_keeps_the_data(db_file: Path, clock: ManualClock) -> None:
    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")
    with Store.open(db_file, clock) as store:
        assert store.language(1) == "fr"


def test_a_file_from_a_newer_bot_is_refused_and_left_alone(
    db_file: Path, clock: ManualClock
) -> None:
    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.execute("DELETE FROM schema_compat")  # the newer bot declared no older reader
    conn.commit()
    conn.close()

    with pytest.raises(SchemaTooNewError, match="newer vetbot"):
        Store.open(db_file, clock)

    assert _revision(db_file) == "9999"


def test_the_store_is_bound_to_the_thread_that_opened_it(db_file: Path, clock) -> None:
    """The bot runs in one event-loop thread; use from another thread is a bug, so it raises."""
    errors: list[BaseException] = []
    with Store.open(db_file, clock) as store:

        def use() -> None:
            try:
                store.language(1)
            except sqlite3.ProgrammingError as exc:
                errors.append(exc)

        thread = threading.Thread(target=use)
        thread.start()
        thread.join()
    assert len(errors) == 1


# A file of the single-clinic versions ----------------------------------------------------------

T0 = "2026-11-20T09:00:00.000000+00:00"


def _legacy_file(path: Path, version: int = LEGACY_VERSION) -> None:
    """A file as the single-clinic vetbot left it, at legacy ``version``, with an owner mid-way
    through a booking, a booked appointment, its reminder, an urgent alert and a request."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for number, statements in enumerate(LEGACY_MIGRATIONS[:version], start=1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(
        "INSERT INTO owner_links VALUES (?, ?, ?, ?)", (5_000_000_001, "client-1", T0, "contact")
    )
    conn.execute("INSERT INTO user_prefs VALUES (?, ?, ?)", (5_000_000_001, "en", T0))
    conn.execute(
        """INSERT INTO bookings (booking_id, user_id, client_id, patient_id, vet_id,
        scheduled_at, is_urgent, pet_name, vet_name, type_name, state, appointment_id,
        created_at, updated_at) VALUES ('b-1', ?, 'client-1', 'p-1', 'v-1',
        '2026-11-24T09:00:00.000000+00:00', 1, 'Caramel', 'Dr Morel', 'Consultation',
        'booked', 'appt-1', ?, ?)""",
        (5_000_000_001, T0, T0),
    )
    if version >= 2:
        conn.execute(
            """INSERT INTO staff_outbox (id, kind, chat_id, text, buttons, state, created_at,
            needs_ack) VALUES (7, 'urgent', -1001234567890, 'URGENT Caramel', '[]', 'sent', ?, 1)
            """,
            (T0,),
        )
        conn.execute(
            """INSERT INTO staff_requests (id, kind, user_id, booking_id, details, state,
            created_at) VALUES (3, 'cancel', ?, 'b-1', '{}', 'open', ?)""",
            (5_000_000_001, T0),
        )
    if version >= 3:
        conn.execute(
            """INSERT INTO reminders (id, booking_id, user_id, kind, appointment_at, due_at,
            state, created_at) VALUES (4, 'b-1', ?, 'day_before',
            '2026-11-24T09:00:00.000000+00:00', '2026-11-23T09:00:00.000000+00:00',
            'pending', ?)""",
            (5_000_000_001, T0),
        )
    conn.execute(
        "INSERT INTO ptb_user_data VALUES (?, ?)",
        (5_000_000_001, pickle.dumps({"language": "en"})),
    )
    conn.execute(
        "INSERT INTO ptb_conversations VALUES ('owner', ?, ?)",
        ("[5000000001,5000000001]", pickle.dumps("pet")),
    )
    conn.close()


@pytest.mark.parametrize("version", [2, 3, LEGACY_VERSION])
async def test_a_single_clinic_file_is_taken_over_with_every_row(
    db_file: Path, clock: ManualClock, version: int
) -> None:
    _legacy_file(db_file, version)

    with Store.open(db_file, clock, clinic="lyon") as store:
        link = store.owner(5_000_000_001)
        assert link is not None and link.client_id == "client-1" and link.language == "en"
        booking = store.booking("b-1")
        assert booking is not None and booking.state is BookingState.BOOKED
        assert booking.is_urgent and booking.appointment_id == "appt-1"
        assert store.outbox.get(7) is not None, "the alert's buttons name it: same id"
        request = store.request(3)
        assert request is not None and request.booking_id == "b-1"
        # New rows take the next numbers, never one a sent button already names.
        counters = dict(
            store.database.execute(
                "SELECT name, last_id FROM id_counters WHERE clinic_id = 'lyon'"
            ).fetchall()
        )
        expected = {"staff_outbox": 7, "staff_requests": 3}
        assert counters == (expected | {"reminders": 4} if version >= 3 else expected)
        assert store.for_clinic("other").owner(5_000_000_001) is None
        if version >= 3:
            assert [r.id for r in store.reminders.for_booking("b-1")] == [4]

    persistence = persistence_on(db_file, clinic="lyon")
    try:
        assert (await persistence.get_user_data()) == {5_000_000_001: {"language": "en"}}
        assert (await persistence.get_conversations("owner")) == {
            (5_000_000_001, 5_000_000_001): "pet"
        }
    finally:
        persistence.close()
    assert _revision(db_file) == HEAD
    assert _pragma(db_file, "user_version") == MANAGED_USER_VERSION


def test_a_taken_over_file_is_refused_by_a_single_clinic_vetbot(db_file: Path, clock) -> None:
    """An older vetbot reads ``user_version`` and refuses anything above its own 5."""
    _legacy_file(db_file)
    with Store.open(db_file, clock):
        pass
    assert _pragma(db_file, "user_version") > LEGACY_VERSION


# URLs and SQL ---------------------------------------------------------------------------------


def test_database_urls() -> None:
    assert DatabaseUrl.parse("data/vetbot.sqlite3") == DatabaseUrl(
        Dialect.SQLITE, "data/vetbot.sqlite3"
    )
    assert DatabaseUrl.parse("sqlite:///data/x.sqlite3").value == "data/x.sqlite3"
    assert DatabaseUrl.parse("sqlite:////var/lib/x.sqlite3").value == "/var/lib/x.sqlite3"
    url = DatabaseUrl.parse("postgres://vetbot:s3cr%40t@db.internal:5432/vetbot")
    assert url.dialect is Dialect.POSTGRESQL
    assert url.password == "s3cr@t"
    assert "s3cr" not in repr(url) and "s3cr" not in str(url) and "***" in url.shown()
    with pytest.raises(DatabaseUrlError, match="mysql"):
        DatabaseUrl.parse("mysql://x/y")


def test_the_store_sql_is_rewritten_for_psycopg() -> None:
    assert to_pyformat("SELECT * FROM t WHERE a = ? AND b = ?") == (
        "SELECT * FROM t WHERE a = %s AND b = %s"
    )
    assert to_pyformat("DELETE FROM t WHERE at < :cutoff") == "DELETE FROM t WHERE at < %(cutoff)s"
    assert to_pyformat("SELECT '?', 'a:b', x::text, '50%' FROM t WHERE y LIKE 'a%' AND z = ?") == (
        "SELECT '?', 'a:b', x::text, '50%%' FROM t WHERE y LIKE 'a%%' AND z = %s"
    )
    assert to_pyformat("SELECT 100 % 7") == "SELECT 100 %% 7"


def test_each_clinic_has_its_own_lock() -> None:
    keys = {clinic_lock_key(name) for name in ("lyon", "nantes", "default", "lyon-2")}
    assert len(keys) == 4
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert clinic_lock_key("lyon") == clinic_lock_key("lyon")


def test_time_columns_are_utc_text() -> None:
    from bot.store.db import from_db, to_db

    local = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert to_db(local) == "2026-11-23T09:00:00.000000+00:00"
    assert from_db(to_db(local)) == local


def test_the_schema_a_new_file_gets_is_the_one_alembic_makes() -> None:
    """An empty file is given ``sqlite_head.sql`` in one step; it must be exactly what running
    the revisions produces (after a new revision: ``python -m bot.store.schema``)."""
    assert SQLITE_HEAD.read_text(encoding="utf-8") == sqlite_head_schema()


@pytest.mark.parametrize("oldest_reader", [HEAD, "9998"])
def test_a_newer_schema_is_run_on_only_when_it_says_this_vetbot_still_can(
    db_file: Path, clock: ManualClock, oldest_reader: str
) -> None:
    """A rolling upgrade: the database migrated by the new version first; the old instances
    go on (and restart) only if the migration declared them able to."""
    with Store.open(db_file, clock) as store:
        store.set_language(1, "fr")
    conn = sqlite3.connect(db_file)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.execute("UPDATE schema_compat SET oldest_reader = ?", (oldest_reader,))
    conn.commit()
    conn.close()
    if oldest_reader == HEAD:
        with Store.open(db_file, clock) as store:
            assert store.language(1) == "fr"
    else:
        with pytest.raises(SchemaTooNewError, match="newer vetbot"):
            Store.open(db_file, clock)
    assert _revision(db_file) == "9999", "never migrated backwards"
