"""Helpers for the emulator's own tests: call the Bot API in-process and read its answer."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

import httpx
import pytest

from tests.support.telegram_fixtures import TEST_BOT_TOKEN


class BotApi(Protocol):
    def __call__(
        self, method: str, *, expect: int = 200, **params: Any
    ) -> Awaitable[dict[str, Any]]: ...


@pytest.fixture
def bot_api(telegram_client: httpx.AsyncClient) -> BotApi:
    """``await bot_api("sendMessage", chat_id=..., text=...)``: JSON body, checked status."""

    async def call(method: str, *, expect: int = 200, **params: Any) -> dict[str, Any]:
        response = await telegram_client.post(f"/bot{TEST_BOT_TOKEN}/{method}", json=params)
        body = response.json()
        assert response.status_code == expect, body
        assert body["ok"] is (expect == 200)
        if expect != 200:
            assert body["error_code"] == expect
        return body

    return call
