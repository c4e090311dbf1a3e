"""`vetbot run` runs on uvloop where it is installed (it is a dependency on Linux and macOS)."""

import asyncio

import pytest

from bot.runtime import event_loop

pytest.importorskip("uvloop", reason="uvloop is not installed on Windows")


async def _loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


def test_run_uses_uvloop_and_returns_the_result() -> None:
    assert event_loop.run(_loop_module()).startswith("uvloop")
    assert event_loop.loop_name() == "uvloop"
