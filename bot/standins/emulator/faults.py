"""Injected faults: make the next calls fail the way a busy or broken Telegram does."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from bot.standins.emulator import refusals as errors

DEFAULT_RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    method: str | None

    def applies_to(self, method: str) -> bool:
        return self.method is None or self.method == method

    def error(self) -> errors.BotApiError:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            return errors.too_many_requests(self.retry_after)
        return errors.server_error(self.status)


class FaultPlan:
    """Faults queued for the next Bot API calls, taken first come, first served."""

    def __init__(self) -> None:
        self._queued: list[_Fault] = []

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = HTTPStatus.TOO_MANY_REQUESTS,
        retry_after: int = DEFAULT_RETRY_AFTER_SECONDS,
        method: str | None = None,
    ) -> None:
        """The next `count` calls (of `method` only, if given) answer `status` (429 or 5xx).

        Name the method in end-to-end tests: a polling bot calls getUpdates all the time and
        would otherwise take the fault.
        """
        if status != HTTPStatus.TOO_MANY_REQUESTS and not 500 <= status <= 599:
            raise ValueError(f"a fault is a 429 or a 5xx, not {status}")
        fault = _Fault(int(status), retry_after, method.lower() if method else None)
        self._queued.extend([fault] * count)

    def take(self, method: str) -> errors.BotApiError | None:
        """The refusal for a call of `method` (lower case), if a fault is queued for it."""
        for index, fault in enumerate(self._queued):
            if fault.applies_to(method):
                del self._queued[index]
                return fault.error()
        return None

    def clear(self) -> None:
        self._queued.clear()

    @property
    def pending(self) -> int:
        return len(self._queued)
