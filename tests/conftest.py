"""Shared fixtures for the whole suite; the heavy ones live in tests/support/."""

import asyncio

import pytest

pytest_plugins = [
    "tests.support.telegram_fixtures",
    "tests.support.treats_fixtures",
    "tests.support.vetbot_fixtures",
    "tests.support.log_guard",
    "tests.support.postgres_fixtures",
    "tests.support.instances",
    "tests.support.booking_services",
    "tests.support.week_view",
    "tests.support.browser",
]


def pytest_asyncio_loop_factories(config, item):
    """Tests marked ``both_loops`` run on asyncio's loop and on uvloop, the loop `vetbot run`
    uses (bot/runtime/event_loop.py); every other test runs on asyncio's."""
    loops = {"asyncio": asyncio.new_event_loop}
    if item.get_closest_marker("both_loops") is not None:
        try:
            import uvloop
        except ImportError:  # not on Windows: vetbot runs on asyncio's loop there
            return loops
        loops["uvloop"] = uvloop.new_event_loop
    return loops


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def database_backend() -> str:
    """Where the bot under test keeps its data: a SQLite file, unless the test is marked
    ``both_databases`` (see pytest_generate_tests)."""
    return "sqlite"


def pytest_generate_tests(metafunc):
    """Tests marked ``both_databases`` (the end-to-end journeys that write the store) run on a
    SQLite file and on PostgreSQL."""
    if "database_backend" in metafunc.fixturenames and (
        metafunc.definition.get_closest_marker("both_databases") is not None
    ):
        metafunc.parametrize("database_backend", BACKENDS)
