"""`vetbot run` at SIGTERM, as a real process: the pending long poll is cancelled, not waited
out, and a clean stop writes no ERROR and no traceback.

The bot polls with `POLL_TIMEOUT_SECONDS` (30 s; no setting changes it) and the test allows
`STOP_WITHIN` (20 s) for the whole stop: a bot that waited for its poll to run out would miss
it. The proof is the emulator's, though, not a clock: it records the poll as abandoned (the
client closed the connection) rather than answered.
"""

from __future__ import annotations

import asyncio
import signal

import pytest

from bot.launch.application import POLL_TIMEOUT_SECONDS
from bot.standins.emulator import ApiCall, BotAccount
from tests.support.vetbot_fixtures import VetbotRun

STOP_WITHIN = 20
assert STOP_WITHIN < POLL_TIMEOUT_SECONDS

pytestmark = pytest.mark.slow


async def _pending_long_poll(account: BotAccount) -> ApiCall:
    """The long poll the bot is waiting on (nothing to deliver: it stays pending)."""
    poll = await asyncio.wait_for(account.wait_for_call("getupdates"), STOP_WITHIN)
    assert poll.params["timeout"] == str(POLL_TIMEOUT_SECONDS)
    assert account.updates.pending == []
    return poll


async def _terminate(process: asyncio.subprocess.Process) -> str:
    """SIGTERM, then the exit; the process's log (stderr)."""
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), STOP_WITHIN)
    return err.decode()


async def test_sigterm_cancels_the_pending_long_poll_and_stops_cleanly(
    vetbot_setup: VetbotRun,
) -> None:
    account = vetbot_setup.world.bot
    process = await vetbot_setup.spawn()
    poll = await _pending_long_poll(account)

    log = await _terminate(process)

    assert process.returncode == 0, log
    assert "ERROR" not in log and "Traceback" not in log, log
    assert "stopped cleanly" in log
    abandoned = await asyncio.wait_for(account.wait_for_abandoned("getupdates"), STOP_WITHIN)
    assert abandoned == poll  # ended by the bot closing the connection, never answered
    assert not account.refused, account.refused


@pytest.mark.refusals_expected  # it injects them
async def test_telegram_failing_the_last_confirmation_is_a_warning_not_an_error(
    vetbot_setup: VetbotRun,
) -> None:
    """PTB confirms what it fetched with one more getUpdates after cancelling the poll; that
    call failing (here a 502) is no reason for an ERROR and a traceback at a clean stop."""
    account = vetbot_setup.world.bot
    process = await vetbot_setup.spawn()
    await _pending_long_poll(account)
    vetbot_setup.world.faults.fail_next(1, status=502, method="getUpdates")  # the next one

    log = await _terminate(process)

    assert process.returncode == 0, log
    assert "ERROR" not in log and "Traceback" not in log, log
    assert "Telegram did not confirm the last updates" in log
    assert "stopped cleanly" in log
    assert [(r.method, r.params["timeout"], r.error_code) for r in account.refused] == [
        ("getupdates", "0", 502)
    ]
