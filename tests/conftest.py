"""Shared fixtures for the whole suite; the heavy ones live in tests/support/."""

pytest_plugins = [
    "tests.support.telegram_fixtures",
    "tests.support.treats_fixtures",
    "tests.support.vetbot_fixtures",
    "tests.support.log_guard",
]
