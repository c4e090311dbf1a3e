"""What a Bot API method answers when it succeeds (a refusal is a raised `BotApiError`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiResult:
    """A successful answer: ``result``, and the ``description`` some methods add."""

    result: Any
    description: str | None = None
