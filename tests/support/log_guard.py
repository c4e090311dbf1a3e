"""No secret in any log line of any test: the bot token, Treats keys, the link secret, the
owners' phone numbers. Production's logger levels apply (bot.runtime.logs.QUIET_LOGGERS), but not
its redaction filter: the code must not log them in the first place; redaction is the safety net.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from bot.runtime.logs import QUIET_LOGGERS
from tests.support.telegram_fixtures import TEST_BOT_TOKEN
from tests.support.vetbot_fixtures import LINK_SECRET

_KEY = re.compile(r"vk_[A-Za-z0-9_-]{8,}")
_SEEDED_PHONE = re.compile(r"(?:\+33 ?6|06)[ .]?39[ .]?98[ .]?\d\d[ .]?\d\d")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if record.exc_info:
            line += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {line}")


def leaks(line: str) -> list[str]:
    found = [secret for secret in (TEST_BOT_TOKEN, LINK_SECRET) if secret in line]
    found += _KEY.findall(line) + _SEEDED_PHONE.findall(line)
    return found


@pytest.fixture(autouse=True)
def no_secret_in_logs() -> Iterator[None]:
    collector = _Collector()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in (*QUIET_LOGGERS, "vetbot")}
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("vetbot").setLevel(logging.INFO)
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    leaked = [(line[:200], found) for line in collector.lines if (found := leaks(line))]
    assert not leaked, f"secrets in log lines: {leaked[:3]}"
