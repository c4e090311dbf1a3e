"""Typed errors of the Treats API, so callers catch at the level they care about.

TreatsError
├── AuthError            401: no key, or the key is invalid or expired (staff must act)
├── PermissionDenied     403: the key lacks a permission
├── NotFound             404
├── BadRequest           400: the message names the field
├── SlotTaken            409: somebody else has the slot (definite: nothing was created)
├── RateLimited          429: carries retry_after (seconds)
└── Unavailable          5xx, time-outs, connection failures, after the retries
"""

from __future__ import annotations


class TreatsError(Exception):
    """Any failure talking to the Treats API. `message` is the API's own text, never a secret."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AuthError(TreatsError):
    """The API key is missing, invalid or expired."""


class PermissionDenied(TreatsError):
    """The API key lacks the permission this call needs."""


class NotFound(TreatsError):
    """The resource does not exist."""


class BadRequest(TreatsError):
    """The API refused the request's content."""


class SlotTaken(TreatsError):
    """The slot is no longer available; nothing was created by our request."""


class RateLimited(TreatsError):
    """The key's hourly quota is spent; try again after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class Unavailable(TreatsError):
    """The API could not be reached or failed on its side."""
