"""Webhook delivery: POST each update, in order, until the bot's server answers 2xx.

Like Telegram, an update leaves the queue only once delivered, a failure is reported by
``getWebhookInfo`` (``last_error_date``/``last_error_message``), and the next update waits for
the current one. Unlike Telegram (which retries for hours), retries are few and quick, and
after the last one the update is dropped, so that a broken test bot fails fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.clock import Clock
from bot.standins.emulator.updates import Update, UpdateQueue

SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAYS_SECONDS = (0.05, 0.1, 0.2, 0.4)
DELIVERY_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 40


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    ip_address: str | None = None


class WebhookDelivery:
    """Delivers a bot's updates to its webhook while one is set."""

    def __init__(
        self, queue: UpdateQueue, clock: Clock, http: Callable[[], httpx.AsyncClient]
    ) -> None:
        self._queue = queue
        self._clock = clock
        self._http = http
        self._task: asyncio.Task[None] | None = None
        self._attempted = asyncio.Condition()
        self.config: WebhookConfig | None = None
        self.attempts = 0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    @property
    def active(self) -> bool:
        return self.config is not None

    async def start(self, config: WebhookConfig) -> None:
        await self.stop()
        self.config = config
        self._task = asyncio.create_task(self._deliver_forever(config))

    async def stop(self) -> None:
        self.config = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_attempts(self, count: int, within: float) -> None:
        """Wait until `count` delivery attempts were made (a test's hook; no sleeping)."""
        async with self._attempted:
            await asyncio.wait_for(self._attempted.wait_for(lambda: self.attempts >= count), within)

    async def _deliver_forever(self, config: WebhookConfig) -> None:
        while True:
            update = await self._queue.first()
            for delay in (*RETRY_DELAYS_SECONDS, None):
                if await self._post(config, update):
                    break
                if delay is not None:
                    await asyncio.sleep(delay)
            self._queue.confirm(update.update_id + 1)

    async def _post(self, config: WebhookConfig, update: Update) -> bool:
        headers = {"Content-Type": "application/json"}
        if config.secret_token:
            headers[SECRET_TOKEN_HEADER] = config.secret_token
        error: str | None = None
        try:
            response = await self._http().post(
                config.url,
                content=json.dumps(update.to_api(), ensure_ascii=False).encode(),
                headers=headers,
                timeout=DELIVERY_TIMEOUT_SECONDS,
            )
        except httpx.ConnectError:
            error = "Connection refused"
        except httpx.HTTPError as exc:
            error = f"Failed to deliver the update: {type(exc).__name__}"
        else:
            if not response.is_success:
                error = (
                    "Wrong response from the webhook: "
                    f"{response.status_code} {response.reason_phrase}"
                )
        async with self._attempted:
            self.attempts += 1
            if error is not None:
                self.last_error_date = int(self._clock().timestamp())
                self.last_error_message = error
            self._attempted.notify_all()
        return error is None
