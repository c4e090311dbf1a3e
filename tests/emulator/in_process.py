"""A world whose clock the test holds, its Bot API called in-process (no socket)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from bot.clock import ManualClock
from bot.standins.emulator import TelegramWorld, create_emulator_app
from tests.support.telegram_fixtures import IN_PROCESS_BASE_URL, TEST_BOT_TOKEN

Api = Callable[..., Awaitable[dict[str, Any]]]
"""``await api("sendMessage", chat_id=..., text=..., expect=400)``: the answer's JSON."""


@contextlib.asynccontextmanager
async def world_at(clock: ManualClock) -> AsyncIterator[tuple[TelegramWorld, Api]]:
    """The test bot's world at ``clock``, and a caller of its Bot API checking the status."""
    world = TelegramWorld(clock)
    world.add_bot(TEST_BOT_TOKEN)
    transport = httpx.ASGITransport(app=create_emulator_app(world))
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_BASE_URL) as client:

        async def api(method: str, *, expect: int = 200, **params: Any) -> dict[str, Any]:
            response = await client.post(f"/bot{TEST_BOT_TOKEN}/{method}", json=params)
            assert response.status_code == expect, response.json()
            return response.json()

        yield world, api
    await world.aclose()
