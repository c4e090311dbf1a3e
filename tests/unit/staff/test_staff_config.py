"""The staff settings and the clinic's [schedule]: defaults, and bad values named in one line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, OpeningRange, load_clinic, load_settings

ROOT = Path(__file__).resolve().parents[3]
REQUIRED = {
    "telegram_bot_token": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "treats_api_key": "vk_supersecretkeyvalue",
    "clinic_config": "clinic.toml",
}
CLINIC = 'name = "X"\nphone = "01 23 45 67 89"\nopening_hours = "9-19"\n'
VETS = '[[vets]]\nid = "d1a2e116-7ad7-5981-b920-818ef4a76a71"\nname = "Dr X"\n'


def test_staff_settings_default_to_every_booking_and_five_minutes() -> None:
    settings = load_settings(_env_file=None, **REQUIRED)

    assert settings.staff_announce == "all"
    assert settings.staff_realert_after == timedelta(minutes=5)


def test_staff_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_ANNOUNCE", "urgent")
    monkeypatch.setenv("STAFF_REALERT_MINUTES", "2")

    settings = load_settings(_env_file=None, **REQUIRED)

    assert (settings.staff_announce, settings.staff_realert_minutes) == ("urgent", 2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"staff_announce": "some"}, "STAFF_ANNOUNCE Input should be 'all' or 'urgent'"),
        ({"staff_realert_minutes": "0"}, "STAFF_REALERT_MINUTES .*greater than or equal to 1"),
        ({"staff_realert_minutes": "cinq"}, "STAFF_REALERT_MINUTES"),
    ],
)
def test_bad_staff_setting_named(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(_env_file=None, **{**REQUIRED, **overrides})
    assert "\n" not in str(caught.value)


def test_the_example_clinic_has_the_sandbox_clinics_hours() -> None:
    schedule = load_clinic(ROOT / "clinic.example.toml").schedule

    assert schedule is not None
    weekday = (OpeningRange(9 * 60, 12 * 60 + 30), OpeningRange(14 * 60, 19 * 60))
    assert [schedule.day(n) for n in range(5)] == [weekday] * 5
    assert schedule.day(5) == (OpeningRange(9 * 60, 12 * 60),)
    assert schedule.day(6) == ()
    assert str(schedule.day(0)[0]) == "09:00-12:30"


def test_a_clinic_file_without_schedule_has_unknown_hours(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(CLINIC + VETS, encoding="utf-8")
    assert load_clinic(path).schedule is None


def test_ranges_may_be_given_in_any_order_and_end_at_midnight(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(
        CLINIC + '[schedule]\nfriday = ["20:00-24:00", "08:00-12:00"]\n' + VETS, encoding="utf-8"
    )
    schedule = load_clinic(path).schedule
    assert schedule is not None
    assert schedule.friday == (OpeningRange(480, 720), OpeningRange(1200, 1440))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('monday = ["9h-12h"]', "schedule.monday.0 '9h-12h' is not a range like 09:00-12:30"),
        ('monday = ["25:00-26:00"]', "schedule.monday.0 '25:00-26:00' has an impossible time"),
        ('monday = ["09:60-12:00"]', "schedule.monday.0 '09:60-12:00' has an impossible time"),
        ('sunday = ["19:00-09:00"]', "schedule.sunday.0 '19:00-09:00' does not end after it"),
        (
            'monday = ["09:00-12:30", "12:00-14:00"]',
            "schedule.monday ranges '09:00-12:30' and '12:00-14:00' overlap",
        ),
        ('lundi = ["09:00-12:00"]', "schedule unknown day 'lundi'"),
        ('monday = "09:00-12:00"', "schedule.monday must be a list of ranges"),
        ("monday = [9]", "schedule.monday.0 9 is not a range like 09:00-12:30"),
    ],
)
def test_bad_schedule_named_in_one_line(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(CLINIC + f"[schedule]\n{table}\n" + VETS, encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_clinic(path)

    assert str(caught.value).startswith(f"CLINIC_CONFIG ({path}): {message}")
    assert "\n" not in str(caught.value)
