"""The suite's refusal guard (``refusals_expected``), and refusals serialised as Telegram does,
``parameters`` included."""

from __future__ import annotations

import pytest

from bot.standins.emulator import BotApiError, RefusedCall, ResponseParameters, TelegramWorld
from bot.standins.emulator.refusals import group_upgraded, too_many_requests
from tests.emulator.conftest import BotApi
from tests.support.vetbot_fixtures import unexpected_refusals

BLOCKED = RefusedCall("sendmessage", {}, 403, "Forbidden: bot was blocked by the user")
KICKED = RefusedCall("sendmessage", {}, 403, "Forbidden: bot was kicked from the group chat")
TOO_LONG = RefusedCall("sendmessage", {}, 400, "Bad Request: message is too long")


def test_unmarked_expects_no_refusal() -> None:
    assert unexpected_refusals(None, [BLOCKED]) == [BLOCKED]
    assert unexpected_refusals(None, []) == []


def test_a_bare_marker_expects_any_refusal() -> None:
    marker = pytest.mark.refusals_expected.mark
    assert unexpected_refusals(marker, [BLOCKED, KICKED, TOO_LONG]) == []


def test_a_marker_with_texts_expects_only_those() -> None:
    marker = pytest.mark.refusals_expected("blocked by the user", "bot was kicked").mark
    assert unexpected_refusals(marker, [BLOCKED, KICKED, TOO_LONG]) == [TOO_LONG]


def test_a_marker_takes_only_texts() -> None:
    with pytest.raises(TypeError, match="non-empty str"):
        unexpected_refusals(pytest.mark.refusals_expected(403).mark, [BLOCKED])
    with pytest.raises(TypeError, match="non-empty str"):
        unexpected_refusals(pytest.mark.refusals_expected("").mark, [BLOCKED])


def test_errors_carry_parameters_as_telegram_serialises_them() -> None:
    assert group_upgraded(-1001000000042).to_json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1001000000042},
    }
    flooded = too_many_requests(3)
    assert flooded.retry_after == 3
    assert flooded.to_json()["parameters"] == {"retry_after": 3}
    plain = BotApiError(400, "Bad Request: chat not found")
    assert (plain.parameters, plain.retry_after) == (None, None)
    assert "parameters" not in plain.to_json()
    both = BotApiError(
        429, "x", retry_after=2, parameters=ResponseParameters(migrate_to_chat_id=-1)
    )
    assert both.to_json()["parameters"] == {"migrate_to_chat_id": -1, "retry_after": 2}


async def test_a_refusal_records_its_parameters(
    bot_api: BotApi, telegram_world: TelegramWorld
) -> None:
    telegram_world.faults.fail_next(1, retry_after=5, method="getMe")
    await bot_api("getMe", expect=429)
    (refused,) = telegram_world.bot.refused
    assert refused.parameters == {"retry_after": 5}
