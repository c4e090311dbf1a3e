"""The reminder and status-watch settings: defaults, off switches, one-line errors."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.config import ConfigError, QuietHours, Settings, load_settings

REQUIRED = {
    "telegram_bot_token": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "treats_api_key": "vk_supersecretkeyvalue",
    "clinic_config": "clinic.toml",
}


def settings(**overrides: object) -> Settings:
    return load_settings(_env_file=None, **REQUIRED, **overrides)


def test_defaults_remind_the_day_before_and_two_hours_before_but_not_at_night() -> None:
    loaded = settings()
    assert (loaded.reminder_first, loaded.reminder_second) == (
        timedelta(hours=24),
        timedelta(hours=2),
    )
    assert loaded.quiet_window == QuietHours(time(21), time(8))
    assert loaded.status_quota_share == 0.10


def test_zero_turns_a_reminder_off_and_empty_quiet_hours_mean_none() -> None:
    loaded = settings(reminder_first_hours="0", reminder_second_hours="1.5", quiet_hours="")
    assert loaded.reminder_first is None
    assert loaded.reminder_second == timedelta(minutes=90)
    assert loaded.quiet_window is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quiet_hours": "9pm-8am"}, "QUIET_HOURS '9pm-8am' is not a range like 21:00-08:00"),
        ({"quiet_hours": "21:00-24:00"}, "QUIET_HOURS '21:00-24:00' has an impossible time"),
        ({"quiet_hours": "08:00-08:00"}, "QUIET_HOURS '08:00-08:00' starts and ends at the same"),
        ({"reminder_first_hours": "-1"}, "REMINDER_FIRST_HOURS"),
        ({"reminder_second_hours": "24"}, "REMINDER_SECOND_HOURS must be less than"),
        ({"status_quota_share": "0"}, "STATUS_QUOTA_SHARE"),
        ({"status_quota_share": "0.8"}, "STATUS_QUOTA_SHARE"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(
    overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        settings(**overrides)
    assert "\n" not in str(caught.value)
