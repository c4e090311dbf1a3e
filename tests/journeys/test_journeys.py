"""Every journey of every tests/journeys/*.md file, each one test, against the real bot.

The bot runs as in the e2e tests: unmodified, over real HTTP to the Telegram emulator and the
Treats sandbox (the `vetbot_setup` fixture). The grammar of the scripts is in README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.journeys.runner import run_journey
from tests.journeys.script import journey_files, parse_file
from tests.journeys.steps import Journey
from tests.support.vetbot_fixtures import VetbotRun

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
JOURNEYS: list[Journey] = [
    journey
    for path in journey_files(HERE)
    for journey in parse_file(path, shown_as=path.relative_to(ROOT))
]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[journey.id for journey in JOURNEYS])
async def test_journey(journey: Journey, vetbot_setup: VetbotRun) -> None:
    await run_journey(journey, vetbot_setup)
