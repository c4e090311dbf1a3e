"""The clinic's own settings: its phones as a clinic writes them, and every bad setting at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_clinic, load_configuration, load_settings
from bot.phones import for_owners, short_service_number

VETS = '[[vets]]\nid = "d1a2e116-7ad7-5981-b920-818ef4a76a71"\nname = "Dr X"\n'
GOOD_ENV = {
    "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "TREATS_API_KEY": "vk_supersecretkeyvalue",
}


def clinic_file(tmp_path: Path, *, phone: str, emergency: str | None = None) -> Path:
    path = tmp_path / "clinic.toml"
    lines = ['name = "X"', f'phone = "{phone}"', 'opening_hours = "9-19"']
    if emergency is not None:
        lines.append(f'emergency_phone = "{emergency}"')
    path.write_text("\n".join(lines) + "\n" + VETS, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("3115", "3115"),
        ("15", "15"),
        ("17", "17"),
        ("18", "18"),
        ("112", "112"),
        ("114", "114"),
        ("115", "115"),
        ("119", "119"),
        ("196", "196"),
        ("3237", "3237"),
        ("31 15", "3115"),
        (" 3115 ", "3115"),
        ("116 000", "116 000"),
    ],
)
def test_short_service_numbers_are_emergency_numbers(
    tmp_path: Path, written: str, shown: str
) -> None:
    clinic = load_clinic(clinic_file(tmp_path, phone="04 72 00 00 00", emergency=written))
    assert clinic.emergency_phone == written  # kept as the clinic wrote it
    assert clinic.emergency_display == shown


@pytest.mark.parametrize(
    "written",
    [
        "04 72 00 00 00",
        "04.72.00.00.00",
        "04-72-00-00-00",
        "0472000000",
        "+33 4 72 00 00 00",
        "+33 (0)4 72 00 00 00",
        "+33 (0) 4 72 00 00 00",
        "+33472000000",
        "0033 4 72 00 00 00",
    ],
)
def test_long_numbers_in_every_french_way_show_in_the_national_format(
    tmp_path: Path, written: str
) -> None:
    clinic = load_clinic(clinic_file(tmp_path, phone=written, emergency=written))
    assert clinic.phone_display == clinic.emergency_display == "04 72 00 00 00"
    assert clinic.phone_region == "FR"


def test_other_numbers_show_as_dialled() -> None:
    assert for_owners("0 800 123 456") == "0 800 12 34 56"  # a numéro vert, as ARCEP writes it
    assert for_owners("+32 2 512 34 56") == "+32 2 512 34 56"  # abroad: international
    assert for_owners("02 512 34 56", "BE") == "02 512 34 56"  # a Belgian clinic's own


def test_short_numbers_are_those_of_the_clinics_country(tmp_path: Path) -> None:
    belgian = load_clinic(clinic_file(tmp_path, phone="+32 2 512 34 56", emergency="101"))
    assert belgian.phone_region == "BE"
    assert (belgian.phone_display, belgian.emergency_display) == ("02 512 34 56", "101")
    assert short_service_number("101", "FR") is None


@pytest.mark.parametrize(
    "written",
    [
        "12",  # no such short number
        "10",
        "1234",
        "1",
        "+33 3115",  # a short number has no country code
        "0033 3115",
        "04 72 00 00 0",  # a digit too few
        "04 72 00 00 00 0",  # a digit too many
        "04 72 00 00 00 / 06 12 34 56 78",
        "urgences",
        "3115 (vétérinaire de garde)",
    ],
)
def test_a_wrong_emergency_phone_is_refused_in_one_line(tmp_path: Path, written: str) -> None:
    path = clinic_file(tmp_path, phone="04 72 00 00 00", emergency=written)
    with pytest.raises(ConfigError) as caught:
        load_clinic(path)
    assert str(caught.value) == (
        f"CLINIC_CONFIG ({path}): emergency_phone {written!r} is not a phone number or a "
        "short service number (like 3115)"
    )
    assert caught.value.templates == ("clinic.example.toml",)


def test_a_wrong_clinic_phone_is_refused_too(tmp_path: Path) -> None:
    path = clinic_file(tmp_path, phone="04 72 00 00", emergency="3115")
    with pytest.raises(ConfigError, match=r"phone '04 72 00 00' is not a phone number"):
        load_clinic(path)


def test_every_bad_setting_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            _env_file=None,
            telegram_bot_token="nope",
            staff_chat_id="accueil",
            quiet_hours="la nuit",
        )
    problems = caught.value.problems
    assert problems[0] == (
        "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters, from @BotFather)"
    )
    assert "TREATS_API_KEY is missing" in problems
    assert "CLINIC_CONFIG is missing" in problems
    assert any(p.startswith("STAFF_CHAT_ID ") for p in problems)
    assert any(p.startswith("QUIET_HOURS 'la nuit' is not a range") for p in problems)
    assert len(problems) == 5
    assert str(caught.value) == "\n".join(problems)
    assert caught.value.templates == (".env.example",)


def test_every_bad_clinic_key_is_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(
        'name = ""\nphone = "04 72 00 00 00"\nemergency_phone = "12"\nopening_hours = "9-19"\n'
        '[schedule]\nmonday = ["9h-12h"]\n[[vets]]\nid = "pas-un-uuid"\nname = "Dr X"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_clinic(path)
    where = f"CLINIC_CONFIG ({path}): "
    assert caught.value.problems == (
        f"{where}name String should have at least 1 character",
        f"{where}emergency_phone '12' is not a phone number or a short service number (like 3115)",
        f"{where}schedule.monday.0 '9h-12h' is not a range like 09:00-12:30",
        f"{where}vets.0.id 'pas-un-uuid' is not a UUID",  # and not "vets: too short" besides
    )


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment and a working directory without .env."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_a_commands_configuration_names_settings_and_clinic_problems_together(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = clinic_file(tmp_path, phone="04 72 00 00 00", emergency="12")
    environment.setenv("CLINIC_CONFIG", str(path))
    with pytest.raises(ConfigError) as caught:
        load_configuration({"vetbot_link_secret": "it signs invite links"})
    assert caught.value.problems == (
        "TELEGRAM_BOT_TOKEN is missing",
        "TREATS_API_KEY is missing",
        f"CLINIC_CONFIG ({path}): emergency_phone '12' is not a phone number or a short "
        "service number (like 3115)",
    )
    assert caught.value.templates == (".env.example", "clinic.example.toml")


def test_a_setting_the_command_needs_is_named_with_the_reason(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in GOOD_ENV.items():
        environment.setenv(name, value)
    environment.setenv("CLINIC_CONFIG", str(clinic_file(tmp_path, phone="04 72 00 00 00")))
    settings, clinic = load_configuration()
    assert clinic.emergency_display is None and settings.vetbot_link_secret is None
    with pytest.raises(ConfigError) as caught:
        load_configuration({"vetbot_link_secret": "it signs invite links"})
    assert caught.value.problems == ("VETBOT_LINK_SECRET is missing: it signs invite links",)


def clinic_with_type_words(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "clinic.toml"
    path.write_text(
        'name = "X"\nphone = "04 72 00 00 00"\nopening_hours = "9-19"\n'
        f"{VETS}\n[type_words]\n{table}\n",
        encoding="utf-8",
    )
    return path


def test_the_clinic_gives_words_to_its_types(tmp_path: Path) -> None:
    clinic = load_clinic(
        clinic_with_type_words(
            tmp_path,
            '"Dentisterie" = ["détartrage", "mauvaise haleine"]\n'
            '"8a86849e-e058-57f6-81b5-9ec0e80fa284" = ["ostéo*"]',
        )
    )
    assert clinic.type_words == (
        ("Dentisterie", ("détartrage", "mauvaise haleine")),
        ("8a86849e-e058-57f6-81b5-9ec0e80fa284", ("ostéo*",)),
    )
    assert load_clinic(clinic_file(tmp_path, phone="04 72 00 00 00")).type_words == ()
    example = load_clinic(Path(__file__).resolve().parents[2] / "clinic.example.toml")
    assert dict(example.type_words)["Dentisterie"][0] == "détartrage"


NOT_A_LIST = '\'Dentisterie\' must be a list of words, e.g. ["détartrer", "tartre"]'


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('"Dentisterie" = "tartre"', NOT_A_LIST),
        ('"Dentisterie" = [1, 2]', NOT_A_LIST),
        ('"Dentisterie" = ["rx"]', "'Dentisterie': 'rx' is shorter than 3 letters"),
        ('"Dentisterie" = ["os*"]', "'Dentisterie': 'os*' needs at least 4 letters before its *"),
        (
            '"Vaccination" = ["rappel"]\n"Contrôle" = ["Rappel"]',
            "'Rappel' is given to both 'Vaccination' and 'Contrôle'",
        ),
        ('"" = ["tartre"]', "an entry has an empty appointment type"),
        (
            '"A" = ["??"]\n"B" = ["ab"]',
            "'A': '??' has no letter; 'B': 'ab' is shorter than 3 letters",
        ),
    ],
)
def test_bad_type_words_are_named_in_one_line(tmp_path: Path, table: str, problem: str) -> None:
    path = clinic_with_type_words(tmp_path, table)
    with pytest.raises(ConfigError) as caught:
        load_clinic(path)
    assert caught.value.problems == (f"CLINIC_CONFIG ({path}): type_words {problem}",)
    assert caught.value.templates == ("clinic.example.toml",)


def test_type_words_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(
        'name = "X"\nphone = "04 72 00 00 00"\nopening_hours = "9-19"\n'
        f'type_words = ["tartre"]\n{VETS}',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_clinic(path)
    assert caught.value.problems == (
        f"CLINIC_CONFIG ({path}): type_words must be a table: appointment type = "
        '["détartrer", "tartre"]',
    )


def test_bad_type_words_come_with_the_other_problems(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment.setenv("CLINIC_CONFIG", str(clinic_with_type_words(tmp_path, '"A" = "b"')))
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    expected = 'type_words \'A\' must be a list of words, e.g. ["détartrer", "tartre"]'
    assert caught.value.problems[-1].endswith(expected)
    assert len(caught.value.problems) == 3  # and the two missing secrets
