"""Settings and the clinic file: documented examples load, bad values are named in one line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import ConfigError, load_clinic, load_settings
from bot.standins.sandbox import SandboxState, render_clinic_toml

ROOT = Path(__file__).resolve().parents[2]


def test_clinic_example_loads_and_matches_the_sandbox() -> None:
    clinic = load_clinic(ROOT / "clinic.example.toml")
    sandbox = tomllib.loads(render_clinic_toml(SandboxState.seeded()))
    assert [vet.id for vet in clinic.vets] == [vet["id"] for vet in sandbox["vets"]]
    assert clinic.phone_region == "FR"


def test_env_example_documents_every_setting() -> None:
    from bot.config import Settings

    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert documented == {name.upper() for name in Settings.model_fields}


def test_secrets_stay_out_of_reprs() -> None:
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=SecretStr("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        treats_api_key=SecretStr("vk_supersecretkeyvalue"),
        clinic_config=ROOT / "clinic.example.toml",
    )
    shown = repr(settings) + str(settings)
    assert "ABCDEFGHIJ" not in shown and "supersecret" not in shown


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"telegram_bot_token": "nope"}, "TELEGRAM_BOT_TOKEN does not look like a bot token"),
        ({"treats_api_key": "abc"}, "TREATS_API_KEY does not look like a Treats API key"),
        ({"treats_api_url": "ftp://x"}, "TREATS_API_URL must be an http:// or https:// URL"),
        ({"staff_chat_id": "accueil"}, "STAFF_CHAT_ID"),
        ({"mini_app_url": "http://vetbot.example/app"}, "MINI_APP_URL must be an https URL"),
    ],
)
def test_bad_setting_named(overrides: dict[str, str], message: str) -> None:
    values = {
        "telegram_bot_token": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "treats_api_key": "vk_supersecretkeyvalue",
        "clinic_config": "clinic.toml",
        **overrides,
    }
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(_env_file=None, **values)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("name = ", "not valid TOML"),
        ('name = "X"\nphone = "01 23 45 67 89"\nopening_hours = "9-19"\n', "vets"),
        (
            'name = "X"\nphone = "01 23 45 67 89"\nopening_hours = "9-19"\n'
            'timezone = "Mars/Olympus"\n'
            '[[vets]]\nid = "d1a2e116-7ad7-5981-b920-818ef4a76a71"\nname = "Dr X"\n',
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            'name = "X"\nphone = "hello"\nopening_hours = "9-19"\n'
            '[[vets]]\nid = "d1a2e116-7ad7-5981-b920-818ef4a76a71"\nname = "Dr X"\n',
            "'hello' is not a phone number",
        ),
    ],
)
def test_bad_clinic_file_named(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_clinic(path)
    assert str(caught.value).startswith(f"CLINIC_CONFIG ({path})")


def test_a_clinics_lexicon_extension_adds_red_flags(tmp_path: Path) -> None:
    from bot.services import load_lexicon
    from bot.triage import assess

    extension = tmp_path / "lexique.toml"
    extension.write_text(
        '[[flag]]\nid = "poisoning"\nfr = ["a mangé du muguet"]\nen = ["ate lily of the valley"]\n',
        encoding="utf-8",
    )
    text = "mon chien a mangé du muguet"
    assert not assess(text, load_lexicon(None)).urgent_suspected
    assert assess(text, load_lexicon(extension)).urgent_suspected


def test_a_broken_lexicon_extension_is_one_line(tmp_path: Path) -> None:
    from bot.services import load_lexicon

    extension = tmp_path / "lexique.toml"
    extension.write_text('[[flag]]\nid = "new"\nfr = ["x y"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^TRIAGE_LEXICON \(") as caught:
        load_lexicon(extension)
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="file not found"):
        load_lexicon(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("overrides", "webhook", "page"),
    [
        ({}, True, None),
        ({"mini_app_url": ""}, False, None),
        ({"mini_app_url": "https://vet.example/semaine"}, False, "https://vet.example/semaine"),
        ({"webhook_url": "https://vet.example/telegram"}, True, "https://vet.example/telegram/app"),
        ({"webhook_url": "https://vet.example/telegram"}, False, None),
        ({"webhook_url": "http://127.0.0.1:8080/telegram"}, True, None),
        (
            {"webhook_url": "https://vet.example/t", "mini_app_url": "https://vet.example/w"},
            True,
            "https://vet.example/w",
        ),
    ],
)
def test_where_the_week_view_opens(
    overrides: dict[str, str], webhook: bool, page: str | None
) -> None:
    """Only at a public https address: MINI_APP_URL, or the webhook's when it serves one."""
    settings = load_settings(
        _env_file=None,
        telegram_bot_token=SecretStr("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        treats_api_key=SecretStr("vk_supersecretkeyvalue"),
        clinic_config=ROOT / "clinic.example.toml",
        **overrides,
    )
    assert settings.week_view_url(webhook=webhook) == page
