"""The clinic's zone and a local-time builder shared by the time-phrase tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Paris wall-clock instant (first occurrence when the hour repeats)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


MONDAY_AFTERNOON = paris(2026, 5, 11, 15, 10)


def server_now(utc: str) -> datetime:
    """The clinic's "now" as the bot builds it: the server's UTC clock ("2026-05-11T13:10Z")
    seen on the clinic's wall clock, as ``Services.local_now`` does."""
    return datetime.fromisoformat(utc).astimezone(PARIS)
