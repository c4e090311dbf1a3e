"""Logging set-up: secrets and phone numbers never reach a log line.

httpx logs every request URL at INFO, and Telegram URLs contain the bot token, so its logger
(and httpcore's) stay at WARNING. On top of that a filter masks any configured secret and
anything shaped like a bot token or a phone number, whatever logger it comes from.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import warnings
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Final, Literal

LogFormat = Literal["text", "json"]

_TOKEN_SHAPE: Final = re.compile(r"(?<!\d)\d{5,20}:[A-Za-z0-9_-]{30,}")
_API_KEY_SHAPE: Final = re.compile(r"\bvk_[A-Za-z0-9_-]{8,}={0,2}")
_PHONE_SHAPE: Final = re.compile(r"(?<![\w:/.-])(?:\+|00)?\d(?:[ .-]?\d){8,14}(?![\w:])")
QUIET_LOGGERS: Final = (
    "httpx",
    "httpcore",
    "apscheduler",
    "uvicorn.access",
    "tornado.access",
    "alembic",
)
"""Raised to WARNING: httpx logs every URL, and Telegram URLs carry the bot token."""
MASK: Final = "***"


class SecretValues:
    """Values to mask, found in one pass of one compiled pattern: a clinic group's log filter
    holds two or more secrets per clinic, and replacing 600 strings one by one in every log
    line cost as much CPU as a tenth of an update (bench/clinics.py)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.values: tuple[str, ...] = tuple(dict.fromkeys(s for s in secrets if s))
        # Longest first: a secret containing another is masked whole.
        ordered = sorted(self.values, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __repr__(self) -> str:
        return f"SecretValues({len(self.values)} values)"

    def with_more(self, secrets: Iterable[str]) -> SecretValues:
        return SecretValues((*self.values, *secrets))

    def mask(self, text: str) -> str:
        return text if self._pattern is None else self._pattern.sub(MASK, text)


def one_line(error: BaseException) -> str:
    """An error for one log or error line: its type and the first line of its message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def redact(text: str, secrets: Iterable[str] | SecretValues = ()) -> str:
    """Mask secrets, token- and key-shaped strings, and phone numbers (last two digits kept)."""
    values = secrets if isinstance(secrets, SecretValues) else SecretValues(secrets)
    text = values.mask(text)
    text = _TOKEN_SHAPE.sub(MASK, text)
    text = _API_KEY_SHAPE.sub(MASK, text)
    return _PHONE_SHAPE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    dialled = text.startswith(("+", "0"))
    if len(digits) > 15 or (not dialled and len(digits) < 11):
        return text  # an id or a count, not a phone
    return "…" + digits[-2:]


CLINIC: Final[ContextVar[str | None]] = ContextVar("vetbot_clinic", default=None)
"""The clinic whose work is running, for the log lines of a group: set in each clinic's task,
inherited by every task it starts (PTB's update handling, the outbox, the reminders)."""


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with `redact` before any handler formats it, and names
    the clinic the line is about (``record.clinic``, "" outside any clinic)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = SecretValues(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """More values to mask (a clinic added by a reload brings its token and key)."""
        self._secrets = self._secrets.with_more(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        clinic = CLINIC.get()
        record.clinic = clinic or ""
        record.clinic_field = f" clinic={clinic}" if clinic else ""
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = redact(message, self._secrets)
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        clinic = getattr(record, "clinic", "")
        if clinic:
            entry["clinic"] = clinic
        return json.dumps(entry, ensure_ascii=False)


RETRY_AFTER_NOTICE: Final = r".*attribute `retry_after` will be of type `datetime.timedelta`"
PTB_INVALID_TOKEN: Final = "Invalid token. Aborting retry loop."
"""PTB's traceback when its polling ends on a refused token; bot/runtime/polling_watch.py
says it in one line naming what to do, so the traceback is dropped."""


class _WithoutPtbTokenTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("telegram.ext") and PTB_INVALID_TOKEN in str(record.msg))


def configure_logging(
    *, level: str = "INFO", fmt: LogFormat = "text", secrets: Iterable[str] = ()
) -> RedactingFilter:
    """Install one stderr handler with redaction; quiet the chatty HTTP loggers. Returns the
    redaction, to which a reload adds the secrets of the clinics it brings."""
    handler = logging.StreamHandler(sys.stderr)
    redaction = RedactingFilter(secrets)
    handler.addFilter(redaction)
    handler.addFilter(_WithoutPtbTokenTraceback())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s level=%(levelname)s logger=%(name)s%(clinic_field)s %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # PTB warns on every 429 that `retry_after` will become a timedelta; we read both types.
    warnings.filterwarnings("ignore", message=RETRY_AFTER_NOTICE)
    return redaction
