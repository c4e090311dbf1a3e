"""The booking service of a clinic against the Treats sandbox (in-process), as unit tests of
slots and weeks build it: a Treats client on the sandbox's ASGI app and a store in the test's
folder, both closed at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.booking import BookingService
from bot.clock import ManualClock
from bot.config import ClinicConfig
from bot.standins.sandbox import SandboxState
from bot.store import Store
from bot.treats import RetryPolicy, TreatsClient
from tests.support.treats_fixtures import SANDBOX_ORIGIN

FAST = RetryPolicy(attempts=1, base_delay=0, max_delay=0, attempt_timeout=1.0)

BookingServiceFor = Callable[[ClinicConfig], BookingService]


@pytest.fixture
async def booking_service_for(
    sandbox: SandboxState, sandbox_app: Starlette, sandbox_clock: ManualClock, tmp_path: Path
) -> AsyncIterator[BookingServiceFor]:
    """Builds a booking service for a clinic file, each with its own client and store."""
    opened: list[tuple[TreatsClient, Store]] = []

    def build(clinic: ClinicConfig) -> BookingService:
        treats = TreatsClient(
            SANDBOX_ORIGIN + "/api/v1",
            sandbox.api_key,
            transport=httpx.ASGITransport(app=sandbox_app),
            retry=FAST,
            clock=sandbox_clock,
        )
        store = Store.open(tmp_path / f"store{len(opened)}.sqlite3", sandbox_clock)
        opened.append((treats, store))
        return BookingService(treats, store, clinic, sandbox_clock)

    yield build
    for treats, store in opened:
        await treats.aclose()
        store.close()
