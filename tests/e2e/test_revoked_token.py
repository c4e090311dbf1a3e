"""A token revoked while the bot runs: PTB's polling gives up quietly, the bot says so and
stops cleanly instead of staying up deaf (for a group's clinic: test_clinic_group.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.runtime.polling_watch import UpdatesLost, serve_until
from tests.support.vetbot_fixtures import VetbotRun


async def test_a_revoked_token_stops_the_bot_with_the_reason(vetbot_setup: VetbotRun) -> None:
    async with vetbot_setup.running() as application:
        await vetbot_setup.world.bot.wait_for_call("getupdates")
        vetbot_setup.world.revoke_token(vetbot_setup.world.bot)
        never = asyncio.Event()
        with pytest.raises(UpdatesLost, match="refused the bot token while running"):
            await asyncio.wait_for(serve_until(application, never), 30)
    # The block exited: the bot stopped cleanly after the loss (no error from the stop).
    assert not application.running
