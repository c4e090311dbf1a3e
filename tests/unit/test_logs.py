"""Log lines never carry secrets, tokens or phone numbers; JSON lines are one object each."""

from __future__ import annotations

import json
import logging

import pytest

from bot.runtime.logs import RedactingFilter, configure_logging, redact


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
            "GET https://api.telegram.org/bot***/getMe",
        ),
        ("key vk_c2VjcmV0LWtleS1mb3ItdGVzdHM refused", "key *** refused"),
        ("phone +33 6 12 34 56 78 and 0612345678", "phone …78 and …78"),
        (
            "user 123456789 at 2026-11-24 10:00, chat -1001234567890",
            "user 123456789 at 2026-11-24 10:00, chat -1001234567890",
        ),
    ],
)
def test_redact(raw: str, shown: str) -> None:
    assert redact(raw) == shown


def test_configured_secrets_are_masked_in_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(level="INFO", fmt="json", secrets=["s3cr3t-link-value"])
        logging.getLogger("vetbot.test").info("link secret is %s", "s3cr3t-link-value")
        logging.getLogger("httpx").info("HTTP Request: POST .../bot123:abc/sendMessage")
    finally:
        root.handlers[:], root.level = saved_handlers, saved_level
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1  # httpx is kept at WARNING: its URLs carry the token
    entry = json.loads(lines[0])
    assert entry["msg"] == "link secret is ***" and entry["logger"] == "vetbot.test"


def test_every_secret_is_masked_whole_whatever_its_characters() -> None:
    """Secrets are matched as text, not as patterns, the longest first."""
    secrets = ("pa$$(word)+", "abc", "abcdef-longer", "")
    line = "a=pa$$(word)+ b=abcdef-longer c=abc d=ab"
    assert redact(line, secrets) == "a=*** b=*** c=*** d=ab"


def test_a_reload_adds_secrets_to_the_filter() -> None:
    redaction = RedactingFilter(["first-secret-value"])
    redaction.add_secrets(["second-secret-value"])
    record = logging.LogRecord(
        "vetbot",
        logging.INFO,
        __file__,
        1,
        "%s and %s",
        ("first-secret-value", "second-secret-value"),
        None,
    )
    redaction.filter(record)
    assert record.getMessage() == "*** and ***"
