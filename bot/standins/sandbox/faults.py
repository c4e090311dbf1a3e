"""Fault injection: make the next requests fail the ways a real API over a real network does.

`fail_next(n, kind)` arms the next `n` API requests (optionally only those of one method and/or
whose path, relative to `/api/v1`, starts with a prefix). They are answered before any other
check, do nothing and do not count against the quota:

- `"500"`: 500 `{"message": "Internal server error"}`;
- `"429"`: 429 with the documented body, `Retry-After` = the given seconds (default 1) and
  `X-RateLimit-Remaining: 0`;
- `"timeout"`: the request hangs until the client goes away, `release()` / `close()` is called,
  or `HANG_CAP` passes; it then answers 504 `{"message": "Gateway timeout"}` (nobody reads it).

`conflict_next_post()` makes the next POST /appointments that would have created an appointment
answer 409 without creating it (someone else took the slot between the slot list and the tap).
`lose_next_post_answer()` makes the next one create the appointment for real and then hang like
a timeout: the "lost answer" case. Both are consumed only by POSTs that pass validation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

HANG_CAP = 300.0
"""Seconds after which a hung request gives up on its own, so nothing hangs forever."""
DEFAULT_RETRY_AFTER = 1


class FaultKind(StrEnum):
    ERROR_500 = "500"
    TIMEOUT = "timeout"
    RATE_LIMIT = "429"


@dataclass
class ArmedFault:
    kind: FaultKind
    remaining: int
    method: str | None
    path_prefix: str | None
    retry_after: int

    def matches(self, method: str, api_path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_prefix is None or api_path.startswith(self.path_prefix)
        )


class Faults:
    """What the next requests will suffer, and the requests currently hanging."""

    def __init__(self) -> None:
        self._armed: list[ArmedFault] = []
        self._conflicts = 0
        self._lost_answers = 0
        self._release = asyncio.Event()
        self._changed = asyncio.Event()
        self._hanging = 0
        self._closed = False

    def fail_next(
        self,
        count: int,
        kind: FaultKind | str,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        retry_after: int = DEFAULT_RETRY_AFTER,
    ) -> None:
        """Arm the next `count` matching API requests with `kind` ("500", "timeout", "429")."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._armed.append(
            ArmedFault(
                FaultKind(kind),
                count,
                method.upper() if method else None,
                path_prefix,
                retry_after,
            )
        )

    def conflict_next_post(self, count: int = 1) -> None:
        self._conflicts += count

    def lose_next_post_answer(self, count: int = 1) -> None:
        self._lost_answers += count

    def clear(self) -> None:
        """Disarm everything (hung requests stay hung: see `release`)."""
        self._armed.clear()
        self._conflicts = 0
        self._lost_answers = 0

    @property
    def pending(self) -> int:
        """How many armed faults are still waiting for a request."""
        return sum(armed.remaining for armed in self._armed) + self._conflicts + self._lost_answers

    def take(self, method: str, api_path: str) -> ArmedFault | None:
        """The fault for this request, if one is armed for it (consumes one)."""
        for armed in self._armed:
            if armed.matches(method, api_path):
                armed.remaining -= 1
                if armed.remaining == 0:
                    self._armed.remove(armed)
                return armed
        return None

    def take_conflict(self) -> bool:
        if self._conflicts == 0:
            return False
        self._conflicts -= 1
        return True

    def take_lost_answer(self) -> bool:
        if self._lost_answers == 0:
            return False
        self._lost_answers -= 1
        return True

    @property
    def hanging(self) -> int:
        return self._hanging

    async def hang(self, disconnected: Callable[[], Awaitable[object]]) -> None:
        """Hold a request until released, its client disconnects, or HANG_CAP passes."""
        if self._closed:
            return
        release = self._release
        self._set_hanging(self._hanging + 1)
        waiters = {asyncio.ensure_future(release.wait()), asyncio.ensure_future(disconnected())}
        try:
            await asyncio.wait(waiters, timeout=HANG_CAP, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            for waiter in waiters:
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
            self._set_hanging(self._hanging - 1)

    def release(self) -> None:
        """Let every request hanging now answer (later timeouts hang again)."""
        released, self._release = self._release, asyncio.Event()
        released.set()

    async def wait_for_hang(self, count: int = 1) -> None:
        """Return once at least `count` requests are hanging: an event, not a sleep."""
        while self._hanging < count:
            await self._changed.wait()

    async def wait_until_idle(self) -> None:
        """Return once no request is hanging (released, or its client went away)."""
        while self._hanging > 0:
            await self._changed.wait()

    def close(self) -> None:
        """Release hung requests and never hang again (shutdown)."""
        self._closed = True
        self.release()

    def _set_hanging(self, value: int) -> None:
        self._hanging = value
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
