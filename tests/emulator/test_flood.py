"""The emulator's flood control: bursts up to the limits pass, the next call gets 429."""

from __future__ import annotations

from bot.runtime.flood_limits import FloodLimits
from bot.standins.emulator import FloodControl

LIMITS = FloodLimits(overall_rate=30, overall_period=1.0, group_rate=20, group_period=60.0)
GROUP = -1001000000001


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def control(jitter: float = 0.0) -> tuple[FloodControl, Ticks]:
    ticks = Ticks()
    return FloodControl(LIMITS, jitter=jitter, monotonic=ticks), ticks


def test_a_burst_up_to_the_overall_limit_passes_then_429() -> None:
    flood, ticks = control()
    assert all(flood.admit(100 + n) is None for n in range(31))  # 30, plus one forgiven
    refused = flood.admit(200)
    assert refused is not None and refused.error_code == 429
    assert refused.description == "Too Many Requests: retry after 1"
    ticks.now = 0.1  # three calls' worth drained
    assert flood.admit(200) is None
    assert len(flood.refusals) == 1 and flood.admitted == 32


def test_a_group_gets_twenty_a_minute_and_is_told_how_long_to_wait() -> None:
    flood, ticks = control()
    assert all(flood.admit(GROUP) is None for _ in range(21))
    refused = flood.admit(GROUP)
    assert refused is not None and refused.retry_after == 3
    assert flood.admit(GROUP - 1) is None  # another group has its own bucket
    ticks.now = 3.0
    assert flood.admit(GROUP) is None


def test_jitter_is_forgiven_in_proportion_to_the_rate() -> None:
    flood, _ = control(jitter=0.1)
    assert sum(flood.admit(100 + n) is None for n in range(40)) == 33  # 30 + 3 (0.1 s of 30/s)


def test_calls_without_a_chat_and_unlimited_bots_pass() -> None:
    flood, _ = control()
    assert all(flood.admit(None) is None for _ in range(100))
    flood.configure(None)
    assert all(flood.admit(GROUP) is None for _ in range(100))
    assert flood.refusals == []
