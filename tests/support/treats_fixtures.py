"""Treats sandbox fixtures (see bot/standins/sandbox).

`sandbox_clock` starts on Monday 2026-11-23 at 08:30 in Paris (07:30Z), before the clinic
opens, so the whole day is bookable; move it with `.set()` / `.advance()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from bot.clock import ManualClock
from bot.runtime.asgi_server import serve_asgi
from bot.standins.sandbox import SandboxState, create_sandbox_app

PARIS = ZoneInfo("Europe/Paris")
SANDBOX_START = datetime(2026, 11, 23, 8, 30, tzinfo=PARIS)
"""A Monday morning before opening time."""
SANDBOX_ORIGIN = "http://sandbox.test"
API_ROOT = "/api/v1"


@pytest.fixture
def sandbox_clock() -> ManualClock:
    return ManualClock(SANDBOX_START)


@pytest.fixture
def sandbox(sandbox_clock: ManualClock) -> Iterator[SandboxState]:
    state = SandboxState.seeded(sandbox_clock)
    yield state
    state.close()


@pytest.fixture
def sandbox_app(sandbox: SandboxState) -> Starlette:
    return create_sandbox_app(sandbox)


@pytest.fixture
async def sandbox_http(
    sandbox: SandboxState, sandbox_app: Starlette
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client on the sandbox API, with the full-permission key set."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app),
        base_url=SANDBOX_ORIGIN + API_ROOT,
        headers={"X-API-Key": sandbox.api_key},
    ) as client:
        yield client


@pytest.fixture
async def sandbox_url(sandbox: SandboxState, sandbox_app: Starlette) -> AsyncIterator[str]:
    """The sandbox served on loopback; yields the API base URL (`http://127.0.0.1:port/api/v1`)."""
    async with serve_asgi(sandbox_app) as origin:
        try:
            yield origin + API_ROOT
        finally:
            sandbox.close()  # hung requests must end before the server can stop
