"""API keys: permissions, access level, expiry and the hourly quota.

The quota is a fixed window per key aligned on the UTC hour of the injected clock (10:00:00 to
10:59:59 …): requests that pass the 401 and 403 checks count, 429 answers do not. `retryAfter`
is the number of seconds until the window resets, at least 1.
"""

from __future__ import annotations

import base64
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.standins.sandbox.records import AccessLevel

DEFAULT_HOURLY_QUOTA = 1000
QUOTA_WINDOW = timedelta(hours=1)
KEY_PREFIX = "vk_"
_KEY_BYTES = 24


class Permission(StrEnum):
    PATIENT_READ = "PATIENT_READ"
    CLIENT_READ = "CLIENT_READ"
    APPOINTMENT_READ = "APPOINTMENT_READ"
    APPOINTMENT_CREATE = "APPOINTMENT_CREATE"
    CONSULTATION_READ = "CONSULTATION_READ"
    INVOICE_READ = "INVOICE_READ"
    STOCK_READ = "STOCK_READ"


ALL_PERMISSIONS = frozenset(Permission)


def new_key_secret() -> str:
    """`vk_<base64url>`, random, the shape the clinic's administration page hands out."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(_KEY_BYTES)).decode("ascii")
    return KEY_PREFIX + raw.rstrip("=")


def _window_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class ApiKey:
    """One key and its quota counter for the current window (mutable: the counter moves)."""

    secret: str
    permissions: frozenset[Permission]
    access_level: AccessLevel = AccessLevel.FULL
    hourly_quota: int = DEFAULT_HOURLY_QUOTA
    expires_at: datetime | None = None
    revoked: bool = False
    _window: datetime | None = None
    _used: int = 0

    def valid_at(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)

    def _roll(self, now: datetime) -> None:
        start = _window_start(now)
        if self._window != start:
            self._window = start
            self._used = 0

    def remaining(self, now: datetime) -> int:
        self._roll(now)
        return max(self.hourly_quota - self._used, 0)

    def try_consume(self, now: datetime) -> bool:
        """Count one request in the current window; False when the quota is spent."""
        if self.remaining(now) == 0:
            return False
        self._used += 1
        return True

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the current window resets."""
        reset = _window_start(now) + QUOTA_WINDOW
        return max(math.ceil((reset - now).total_seconds()), 1)
