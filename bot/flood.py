"""Telegram's flood limits, as one value the bot's rate limiter and the emulator both take.

Telegram answers 429 to a bot that sends more than about 30 messages a second overall, or
more than 20 a minute into one group. The bot paces itself under these (PTB's
``AIORateLimiter``); tests pass shorter periods so that a burst of 200 takes a second or two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class FloodLimits:
    """At most ``overall_rate`` calls per ``overall_period`` seconds to any chat, and
    ``group_rate`` per ``group_period`` into one group (bursts of that size allowed)."""

    overall_rate: float = 30
    overall_period: float = 1.0
    group_rate: float = 20
    group_period: float = 60.0

    def scaled(self, factor: float) -> FloodLimits:
        """The same rates over periods ``factor`` times as long (``0.01``: a hundred times
        faster), for tests and benches that cannot wait a minute per 20 group messages."""
        return FloodLimits(
            self.overall_rate,
            self.overall_period * factor,
            self.group_rate,
            self.group_period * factor,
        )


TELEGRAM_FLOOD_LIMITS: Final = FloodLimits()
