"""Shared fixtures for the whole suite; the heavy ones live in tests/support/."""

import asyncio

pytest_plugins = [
    "tests.support.telegram_fixtures",
    "tests.support.treats_fixtures",
    "tests.support.vetbot_fixtures",
    "tests.support.log_guard",
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
