"""A clinic group as configuration: CLINICS_DIR's clinic files, each with its own bot."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.clinic_group import (
    BOT_KEYS,
    OVERRIDES,
    PER_CLINIC_ONLY,
    ClinicBot,
    Deployment,
    ProcessSettings,
    load_deployment,
)
from bot.config import ConfigError, Settings, load_configuration

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_ENV = [name.upper() for name in Settings.model_fields]
LYON_TOKEN = "111111:LyonTokenSecretValue"
LYON_KEY = "vk_lyon-key-secret-value"
NICE_TOKEN = "222222:NiceTokenSecretValue"
NICE_KEY = "vk_nice-key-secret-value"
CLINIC = """\
id = "{id}"
name = "Clinique {id}"
phone = "04 65 71 20 30"
opening_hours = "9h-19h"

[[vets]]
id = "d1a2e116-7ad7-5981-b920-818ef4a76a71"
name = "Dr Claire Martin"
"""


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting from the test runner's environment, and no .env: the cwd is empty."""
    for name in [*SETTINGS_ENV, "CLINICS_DIR"]:
        monkeypatch.delenv(name, raising=False)
    for name in [name for name in os.environ if name.startswith(("LYON_", "NICE_", "PARIS_"))]:
        monkeypatch.delenv(name)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


@pytest.fixture
def clinics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A group of two clinics, lyon (secrets in the environment) and nice (one in a file)."""
    folder = tmp_path / "clinics"
    folder.mkdir()
    write(
        folder / "lyon.toml",
        "lyon",
        'telegram_token_env = "LYON_TOKEN"\n'
        'treats_api_key_env = "LYON_KEY"\n'
        "staff_chat_id = -1001\n"
        'link_secret_env = "LYON_LINK"\n'
        'quiet_hours = "22:00-07:00"\n'
        "staff_realert_minutes = 3\n",
    )
    (folder / "secrets").mkdir()
    (folder / "secrets" / "nice-key").write_text(NICE_KEY + "\n  \n", encoding="utf-8")
    write(
        folder / "nice.toml",
        "nice",
        'telegram_token_env = "NICE_TOKEN"\n'
        'treats_api_key_file = "secrets/nice-key"\n'
        'treats_api_url = "https://treats.nice.example/api/v1"\n'
        "staff_chat_id = -1002\n"
        'staff_announce = "urgent"\n',
    )
    monkeypatch.setenv("CLINICS_DIR", str(folder))
    monkeypatch.setenv("LYON_TOKEN", LYON_TOKEN)
    monkeypatch.setenv("LYON_KEY", LYON_KEY)
    monkeypatch.setenv("LYON_LINK", "lyon-link-secret-value")
    monkeypatch.setenv("NICE_TOKEN", NICE_TOKEN)
    return folder


def write(path: Path, clinic_id: str, bot: str | None, extra: str = "") -> None:
    text = extra + CLINIC.format(id=clinic_id)  # top-level keys, before the tables
    if bot is not None:
        text += "\n[bot]\n" + bot
    path.write_text(text, encoding="utf-8")


def where(folder: Path, name: str) -> str:
    return f"CLINICS_DIR ({folder})/{name}: "


def by_id(deployment: Deployment) -> dict[str, ClinicBot]:
    return {bot.clinic.id: bot for bot in deployment.clinics}


def only_problems(deployment: Deployment, name: str) -> list[str]:
    [refused] = [refused for refused in deployment.refused if refused.source.name == name]
    return list(refused.problems)


def shown(deployment: Deployment) -> str:
    lines = [line for refused in deployment.refused for line in refused.problems]
    return "\n".join([repr(deployment), str(deployment), *map(repr, deployment.clinics), *lines])


ALL_SECRETS = (LYON_TOKEN, LYON_KEY, NICE_TOKEN, NICE_KEY, "lyon-link-secret-value")


def test_two_clinics_each_with_its_own_bot_and_the_shared_values(
    clinics: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VETBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("WEBHOOK_PORT", "9000")
    monkeypatch.setenv("TREATS_API_URL", "https://treats.group.example/api/v1")
    monkeypatch.setenv("QUIET_HOURS", "20:00-09:00")
    monkeypatch.setenv("REMINDER_FIRST_HOURS", "18")
    deployment = load_deployment()
    assert deployment.is_group and deployment.refused == ()
    assert [bot.clinic.id for bot in deployment.clinics] == ["lyon", "nice"]  # by file name
    lyon, nice = by_id(deployment)["lyon"], by_id(deployment)["nice"]
    assert lyon.source == clinics / "lyon.toml" and nice.source == clinics / "nice.toml"
    assert type(lyon.settings) is Settings and lyon.settings.clinic_config == lyon.source
    assert lyon.settings.telegram_bot_token.get_secret_value() == LYON_TOKEN
    assert lyon.settings.treats_api_key.get_secret_value() == LYON_KEY
    assert nice.settings.telegram_bot_token.get_secret_value() == NICE_TOKEN
    assert nice.settings.treats_api_key.get_secret_value() == NICE_KEY  # file, stripped
    assert (lyon.settings.staff_chat_id, nice.settings.staff_chat_id) == (-1001, -1002)
    assert lyon.settings.vetbot_link_secret is not None and nice.settings.vetbot_link_secret is None
    assert lyon.settings.webhook_secret is None
    # Each clinic's own values, else the process's, else the built-in default.
    assert lyon.settings.treats_api_url == "https://treats.group.example/api/v1"
    assert nice.settings.treats_api_url == "https://treats.nice.example/api/v1"
    assert (lyon.settings.quiet_hours, nice.settings.quiet_hours) == ("22:00-07:00", "20:00-09:00")
    assert (lyon.settings.staff_realert_minutes, nice.settings.staff_realert_minutes) == (3, 5)
    assert (lyon.settings.staff_announce, nice.settings.staff_announce) == ("all", "urgent")
    assert lyon.settings.reminder_first_hours == nice.settings.reminder_first_hours == 18
    # The process-wide values, in every clinic and in the deployment.
    for settings in (lyon.settings, nice.settings, deployment.settings):
        assert settings.vetbot_data_dir == tmp_path / "data"
        assert (settings.log_format, settings.webhook_port) == ("json", 9000)
    assert isinstance(deployment.settings, ProcessSettings)
    assert deployment.settings.clinics_dir == clinics
    assert set(ALL_SECRETS) <= set(deployment.secrets)


def test_single_clinic_settings_are_not_read_in_a_group(
    clinics: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999999:SingleClinicToken")
    monkeypatch.setenv("TREATS_API_KEY", "not even a key")
    monkeypatch.setenv("CLINIC_CONFIG", "/nowhere/clinic.toml")
    monkeypatch.setenv("STAFF_CHAT_ID", "not a number")
    monkeypatch.setenv("WEBHOOK_SECRET", "single-webhook-secret")
    write(clinics / "nice.toml", "nice", 'telegram_token_env = "NICE_TOKEN"\n'
          'treats_api_key_file = "secrets/nice-key"\n')  # fmt: skip
    deployment = load_deployment()
    nice = by_id(deployment)["nice"].settings
    assert nice.telegram_bot_token.get_secret_value() == NICE_TOKEN
    assert nice.staff_chat_id is None and nice.webhook_secret is None
    assert "single-webhook-secret" not in deployment.secrets
    assert deployment.ignored == (
        "TELEGRAM_BOT_TOKEN",
        "TREATS_API_KEY",
        "CLINIC_CONFIG",
        "STAFF_CHAT_ID",
        "WEBHOOK_SECRET",
    )
    assert set(deployment.ignored) <= set(PER_CLINIC_ONLY)
    # A variable a clinic file names is read, not ignored; "" is no lexicon, whatever the env.
    monkeypatch.setenv("TRIAGE_LEXICON", str(ROOT / "bot" / "triage_lexicon.toml"))
    write(clinics / "nice.toml", "nice", 'telegram_token_env = "TELEGRAM_BOT_TOKEN"\n'
          'treats_api_key_file = "secrets/nice-key"\ntriage_lexicon = ""\n')  # fmt: skip
    deployment = load_deployment()
    assert "TELEGRAM_BOT_TOKEN" not in deployment.ignored
    nice, lyon = by_id(deployment)["nice"].settings, by_id(deployment)["lyon"].settings
    assert nice.telegram_bot_token.get_secret_value() == "999999:SingleClinicToken"
    assert (
        nice.triage_lexicon is None and lyon.triage_lexicon == ROOT / "bot" / "triage_lexicon.toml"
    )


def test_file_secrets_relative_to_the_clinic_file_and_absolute(
    clinics: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "run" / "secrets"
    elsewhere.mkdir(parents=True)
    (elsewhere / "lyon_token").write_text(LYON_TOKEN + "\r\n", encoding="utf-8")
    (clinics / "secrets" / "lyon-webhook").write_text("lyon-webhook-secret\n", encoding="utf-8")
    write(
        clinics / "lyon.toml",
        "lyon",
        f'telegram_token_file = "{elsewhere / "lyon_token"}"\n'
        'treats_api_key_env = "LYON_KEY"\n'
        'webhook_secret_file = "secrets/lyon-webhook"\n',
    )
    lyon = by_id(load_deployment())["lyon"].settings
    assert lyon.telegram_bot_token.get_secret_value() == LYON_TOKEN
    assert lyon.webhook_secret is not None
    assert lyon.webhook_secret.get_secret_value() == "lyon-webhook-secret"


def test_named_variables_may_sit_in_dotenv(clinics: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LYON_TOKEN")
    dotenv = f"LYON_TOKEN={LYON_TOKEN}\nQUIET_HOURS=\nTRIAGE_LEXICON=\n"  # as in .env.example
    Path(".env").write_text(dotenv, encoding="utf-8")
    deployment = load_deployment()
    assert by_id(deployment)["lyon"].settings.triage_lexicon is None
    assert by_id(deployment)["lyon"].settings.telegram_bot_token.get_secret_value() == LYON_TOKEN
    assert by_id(deployment)["nice"].settings.quiet_hours == ""  # .env's value: none


def test_triage_lexicon_relative_to_the_clinic_file(clinics: Path) -> None:
    lexicon = '[[flag]]\nid = "poisoning"\nfr = ["a mangé du muguet"]\nen = ["ate lily"]\n'
    (clinics / "lexicons").mkdir()  # a subfolder: its *.toml files are not clinics
    (clinics / "lexicons" / "lyon.toml").write_text(lexicon, encoding="utf-8")
    write(
        clinics / "lyon.toml",
        "lyon",
        'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_env = "LYON_KEY"\n'
        'triage_lexicon = "lexicons/lyon.toml"\n',
    )
    deployment = load_deployment()
    assert by_id(deployment)["lyon"].settings.triage_lexicon == clinics / "lexicons" / "lyon.toml"
    assert by_id(deployment)["nice"].settings.triage_lexicon is None


def test_single_clinic_mode_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", LYON_TOKEN)
    monkeypatch.setenv("TREATS_API_KEY", LYON_KEY)
    monkeypatch.setenv("CLINIC_CONFIG", str(ROOT / "clinic.example.toml"))
    monkeypatch.setenv("STAFF_CHAT_ID", "-1005")
    monkeypatch.setenv("CLINICS_DIR", "")  # empty: unset, as in a .env template
    deployment = load_deployment()
    settings, clinic = load_configuration()
    [bot] = deployment.clinics
    assert (bot.settings, bot.clinic) == (settings, clinic)
    assert bot.source == ROOT / "clinic.example.toml" and bot.clinic.id == "default"
    assert not deployment.is_group and deployment.settings.clinics_dir is None
    assert deployment.refused == () and deployment.ignored == ()
    assert deployment.settings.database == settings.database
    assert LYON_TOKEN in deployment.secrets and LYON_KEY in deployment.secrets


@pytest.mark.parametrize(
    "needed", [None, {"vetbot_link_secret": "it signs invite links"}], ids=["run", "invite"]
)
def test_single_clinic_mode_errors_are_unchanged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, needed: dict[str, str] | None
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "nope")
    monkeypatch.setenv("CLINIC_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError) as expected:
        load_configuration(needed)
    with pytest.raises(ConfigError) as caught:
        load_deployment(needed)
    assert caught.value.problems == expected.value.problems
    assert caught.value.templates == expected.value.templates


LYON_BOT = 'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_env = "LYON_KEY"\n'


@pytest.mark.parametrize(
    ("bot", "extra", "problem"),
    [
        ('treats_api_key_env = "LYON_KEY"\n', "", "bot.telegram_token_env: missing: the name"),
        ('telegram_token_env = "LYON_TOKEN"\n', "", "bot.treats_api_key_env: missing"),
        (
            LYON_BOT + 'treats_api_key_file = "key"\n',
            "",
            "bot.treats_api_key_env: and bot.treats_api_key_file are both given: keep one",
        ),
        (LYON_BOT + 'colour = "blue"\n', "", "bot.colour: unknown key (known: telegram_token_env"),
        (
            LYON_BOT + f'telegram_token = "{LYON_TOKEN}"\n',
            "",
            "bot.telegram_token: a secret never sits in a clinic file: "
            "use telegram_token_env or telegram_token_file",
        ),
        (
            LYON_BOT + 'webhook_secret = "a-webhook-secret-value"\n',
            "",
            "bot.webhook_secret: a secret never sits in a clinic file: "
            "use webhook_secret_env or webhook_secret_file",
        ),
        (
            LYON_BOT,
            f'treats_api_key = "{LYON_KEY}"\n',
            "treats_api_key: a secret never sits in a clinic file: in [bot], use "
            "treats_api_key_env or treats_api_key_file",
        ),
        (
            'telegram_token_env = "LYON_TOKN"\ntreats_api_key_env = "LYON_KEY"\n',
            "",
            "bot.telegram_token_env: LYON_TOKN is not set (in the environment or .env)",
        ),
        (
            'telegram_token_env = "LYON_EMPTY"\ntreats_api_key_env = "LYON_KEY"\n',
            "",
            "bot.telegram_token_env: LYON_EMPTY is empty",
        ),
        (
            'telegram_token_env = "LYON TOKEN"\ntreats_api_key_env = "LYON_KEY"\n',
            "",
            "bot.telegram_token_env: 'LYON TOKEN' is not an environment variable's name",
        ),
        (
            'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_file = "nowhere/key"\n',
            "",
            "bot.treats_api_key_file: {folder}/nowhere/key: file not found",
        ),
        (
            'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_file = "secrets"\n',
            "",
            "bot.treats_api_key_file: {folder}/secrets: is a folder, not a file",
        ),
        (
            'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_file = "secrets/empty"\n',
            "",
            "bot.treats_api_key_file: {folder}/secrets/empty is empty",
        ),
        (
            'telegram_token_env = "LYON_BAD"\ntreats_api_key_env = "LYON_KEY"\n',
            "",
            "bot.telegram_token_env: LYON_BAD does not look like a bot token",
        ),
        (
            'telegram_token_env = "LYON_TOKEN"\ntreats_api_key_file = "secrets/bad-key"\n',
            "",
            "bot.treats_api_key_file: the file {folder}/secrets/bad-key does not look like a "
            "Treats API key",
        ),
        (LYON_BOT + "staff_chat_id = true\n", "", "bot.staff_chat_id: must be a whole number"),
        (
            LYON_BOT + 'treats_api_url = "ftp://x"\n',
            "",
            "bot.treats_api_url: must be an http:// or https:// URL",
        ),
        (LYON_BOT + 'quiet_hours = "late"\n', "", "bot.quiet_hours: 'late' is not a range"),
        (LYON_BOT + "staff_realert_minutes = 0\n", "", "bot.staff_realert_minutes: "),
        (LYON_BOT + 'staff_announce = "some"\n', "", "bot.staff_announce: "),
        (LYON_BOT + "status_quota_share = 0.9\n", "", "bot.status_quota_share: "),
        (
            LYON_BOT + "reminder_second_hours = 30\n",
            "",
            "bot.reminder_second_hours: must be less than reminder_first_hours (24)",
        ),
        (
            LYON_BOT + "reminder_first_hours = 1\n",
            "",
            "bot.reminder_second_hours: not set here, so REMINDER_SECOND_HOURS applies: "
            "must be less than reminder_first_hours (1)",
        ),
        (
            LYON_BOT + 'triage_lexicon = "lexique.toml"\n',
            "",
            "bot.triage_lexicon: {folder}/lexique.toml: file not found",
        ),
        (None, "", "bot: missing: the [bot] table"),
        (LYON_BOT, 'emergency_phone = "hello"\n', "emergency_phone: 'hello' is not a phone"),
        (LYON_BOT, "colour = 1\n", "colour: Extra inputs are not permitted"),
    ],
)
def test_a_bad_clinic_file_is_refused_alone_in_one_line(
    clinics: Path,
    monkeypatch: pytest.MonkeyPatch,
    bot: str | None,
    extra: str,
    problem: str,
) -> None:
    monkeypatch.setenv("LYON_EMPTY", "")
    monkeypatch.setenv("LYON_BAD", "no-token-secret-value")
    (clinics / "secrets" / "empty").write_text("\n", encoding="utf-8")
    (clinics / "secrets" / "bad-key").write_text("bad-key-secret-value", encoding="utf-8")
    write(clinics / "lyon.toml", "lyon", bot, extra)
    deployment = load_deployment()
    assert [bot.clinic.id for bot in deployment.clinics] == ["nice"]  # the other one serves
    [line] = only_problems(deployment, "lyon.toml")
    assert line.startswith(where(clinics, "lyon.toml"))
    assert problem.format(folder=clinics) in line
    for secret in (*ALL_SECRETS, "no-token-secret-value", "bad-key-secret-value"):
        assert secret not in shown(deployment)


def test_bad_toml_and_a_missing_id(clinics: Path) -> None:
    (clinics / "lyon.toml").write_text('name = "Lyon\n', encoding="utf-8")
    (clinics / "paris.toml").write_text(
        CLINIC.replace('id = "{id}"\n', "").format(id="paris") + "\n[bot]\n" + LYON_BOT,
        encoding="utf-8",
    )
    deployment = load_deployment()
    [toml] = only_problems(deployment, "lyon.toml")
    assert toml.startswith(where(clinics, "lyon.toml") + "not valid TOML (")
    [missing] = only_problems(deployment, "paris.toml")
    assert missing.startswith(where(clinics, "paris.toml") + "id: missing")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_secret_file(clinics: Path) -> None:
    (clinics / "secrets" / "nice-key").chmod(0)
    [line] = only_problems(load_deployment(), "nice.toml")
    assert "bot.treats_api_key_file: " in line and "cannot read it (Permission denied)" in line


def test_every_problem_of_a_file_is_named(clinics: Path) -> None:
    write(
        clinics / "lyon.toml",
        "lyon",
        'telegram_token_env = "LYON_NOPE"\ntreats_api_key = "vk_in-the-file"\nfoo = 1\n',
        'emergency_phone = "hello"\n',
    )
    problems = only_problems(load_deployment(), "lyon.toml")
    assert len(problems) == 5, problems
    assert all(line.startswith(where(clinics, "lyon.toml")) for line in problems)
    assert all("\n" not in line and "vk_in-the-file" not in line for line in problems)


@pytest.mark.parametrize(
    ("nice_bot", "key", "why"),
    [
        (
            'telegram_token_env = "PARIS_TOKEN"\ntreats_api_key_env = "LYON_KEY"\n',
            "id: 'lyon' is also the id of {other}",
            "",
        ),
        (
            'telegram_token_env = "NICE_SAME"\ntreats_api_key_env = "LYON_KEY"\n',
            "bot.telegram_token_env: the same bot token as {other}: each clinic needs its own bot",
            "token",
        ),
        (
            'telegram_token_env = "PARIS_TOKEN"\ntreats_api_key_env = "LYON_KEY"\n'
            "staff_chat_id = -1001\n",
            "bot.staff_chat_id: -1001 is also the staff chat of {other}",
            "staff",
        ),
    ],
    ids=["id", "token", "staff chat"],
)
def test_two_clinics_sharing_an_id_a_token_or_a_staff_chat_are_both_refused(
    clinics: Path, monkeypatch: pytest.MonkeyPatch, nice_bot: str, key: str, why: str
) -> None:
    monkeypatch.setenv("PARIS_TOKEN", "333333:ParisTokenSecretValue")
    monkeypatch.setenv("NICE_SAME", LYON_TOKEN)
    clinic_id = "lyon" if not why else "paris"
    write(clinics / "paris.toml", clinic_id, nice_bot)
    deployment = load_deployment()
    assert [bot.clinic.id for bot in deployment.clinics] == ["nice"]
    [lyon] = only_problems(deployment, "lyon.toml")
    [paris] = only_problems(deployment, "paris.toml")
    assert lyon.startswith(where(clinics, "lyon.toml") + key.format(other="paris.toml"))
    assert paris.startswith(where(clinics, "paris.toml") + key.format(other="lyon.toml"))
    assert LYON_TOKEN not in shown(deployment)


def test_a_clash_with_a_broken_file_does_not_stop_the_valid_clinic(clinics: Path) -> None:
    write(clinics / "paris.toml", "lyon", 'telegram_token_env = "PARIS_NOPE"\n', "")
    deployment = load_deployment()
    assert [bot.clinic.id for bot in deployment.clinics] == ["lyon", "nice"]
    problems = only_problems(deployment, "paris.toml")
    assert any("id: 'lyon' is also the id of lyon.toml" in line for line in problems)


def test_no_valid_clinic_is_a_config_error_naming_every_problem(
    clinics: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LYON_TOKEN")
    monkeypatch.delenv("NICE_TOKEN")
    with pytest.raises(ConfigError) as caught:
        load_deployment()
    assert caught.value.problems == (
        where(clinics, "lyon.toml")
        + "bot.telegram_token_env: LYON_TOKEN is not set (in the environment or .env)",
        where(clinics, "nice.toml")
        + "bot.telegram_token_env: NICE_TOKEN is not set (in the environment or .env)",
    )
    assert "clinics.example/" in caught.value.templates


def test_process_wide_problems_are_a_config_error(
    clinics: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    monkeypatch.setenv("QUIET_HOURS", "late")
    monkeypatch.delenv("NICE_TOKEN")
    with pytest.raises(ConfigError) as caught:
        load_deployment()
    problems = caught.value.problems
    assert problems[0].startswith("DATABASE_URL ") and problems[1].startswith("QUIET_HOURS ")
    # The clinic files' own problems are named at the same time.
    assert problems[2:] == (
        where(clinics, "nice.toml")
        + "bot.telegram_token_env: NICE_TOKEN is not set (in the environment or .env)",
    )


@pytest.mark.parametrize("case", ["missing", "a file", "empty"])
def test_clinics_dir_must_be_a_folder_with_clinic_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    folder = tmp_path / "clinics"
    if case == "a file":
        folder.write_text("", encoding="utf-8")
    elif case == "empty":
        folder.mkdir()
        (folder / "README.md").write_text("not a clinic", encoding="utf-8")
        (folder / ".hidden.toml").write_text("not = 'a clinic'", encoding="utf-8")
        (folder / "old").mkdir()
        write(folder / "old" / "lyon.toml", "lyon", LYON_BOT)
    monkeypatch.setenv("CLINICS_DIR", str(folder))
    expected = {"missing": "folder not found", "a file": "not a folder", "empty": "no clinic file"}
    with pytest.raises(ConfigError) as caught:
        load_deployment()
    [line] = caught.value.problems
    assert line.startswith(f"CLINICS_DIR ({folder}): {expected[case]}")


def test_needed_settings_refuse_the_clinics_without_them(
    clinics: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = load_deployment({"vetbot_link_secret": "it signs invite links"})
    assert [bot.clinic.id for bot in deployment.clinics] == ["lyon"]
    assert only_problems(deployment, "nice.toml") == [
        where(clinics, "nice.toml")
        + "bot.link_secret_env (or bot.link_secret_file): missing: it signs invite links"
    ]
    with pytest.raises(ConfigError, match=r"^WEBHOOK_URL is missing: webhook mode needs"):
        load_deployment({"webhook_url": "webhook mode needs the public URL"})
    monkeypatch.setenv("WEBHOOK_URL", "https://bots.example/telegram")
    assert len(load_deployment({"webhook_url": "needed"}).clinics) == 2


def test_fingerprints_change_with_what_the_clinic_was_built_from(
    clinics: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_deployment()
    again = load_deployment()
    assert [bot.fingerprint for bot in first.clinics] == [bot.fingerprint for bot in again.clinics]
    assert not first.changes(again) and first.changes(again).unchanged == ("lyon", "nice")

    monkeypatch.setenv("LYON_TOKEN", "111111:LyonTokenRotatedValue")  # a secret's new value
    rotated = load_deployment()
    changes = again.changes(rotated)
    assert [bot.id for bot in changes.changed] == ["lyon"] and changes.unchanged == ("nice",)
    assert changes.changed[0] is by_id(rotated)["lyon"]  # the newer one, to start

    text = (clinics / "nice.toml").read_text(encoding="utf-8")
    (clinics / "nice.toml").write_text(text.replace('"urgent"', '"all"'), encoding="utf-8")
    edited = load_deployment()  # a key changed
    changes = rotated.changes(edited)
    assert [bot.id for bot in changes.changed] == ["nice"] and changes.unchanged == ("lyon",)

    (clinics / "secrets" / "nice-key").write_text("vk_another-key\n", encoding="utf-8")
    changes = edited.changes(load_deployment())  # a secret file's content changed
    assert [bot.id for bot in changes.changed] == ["nice"] and changes.unchanged == ("lyon",)

    before = load_deployment()
    (clinics / "lyon.toml").write_text(
        "# a comment only\n" + (clinics / "lyon.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert before.changes(load_deployment()).changed == ()  # what it reads, not its bytes


def test_changes_clinic_by_clinic(clinics: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_deployment()
    monkeypatch.setenv("PARIS_TOKEN", "333333:ParisTokenSecretValue")
    write(clinics / "paris.toml", "paris", 'telegram_token_env = "PARIS_TOKEN"\n'
          'treats_api_key_env = "LYON_KEY"\n')  # fmt: skip
    (clinics / "lyon.toml").unlink()
    write(clinics / "nice.toml", "nice", 'telegram_token_env = "NICE_NOPE"\n')  # now refused
    changes = first.changes(load_deployment())
    assert [bot.id for bot in changes.added] == ["paris"]
    assert [bot.id for bot in changes.removed] == ["lyon"]
    assert [bot.id for bot in changes.broken] == ["nice"]  # still there, but refused now
    assert changes.changed == () and not changes.process_changed
    assert str(changes) == "added paris; removed lyon; refused now nice"
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert first.changes(load_deployment()).process_changed


def test_a_lexicon_edit_changes_its_clinic(clinics: Path) -> None:
    lexicon = clinics / "lexicons" / "lyon.txt"
    lexicon.parent.mkdir()
    lexicon.write_text('[[flag]]\nid = "poisoning"\nfr = ["muguet"]\n', encoding="utf-8")
    (clinics / "lyon.toml").write_text(
        (clinics / "lyon.toml").read_text(encoding="utf-8")
        + 'triage_lexicon = "lexicons/lyon.txt"\n',
        encoding="utf-8",
    )
    first = load_deployment()
    lexicon.write_text('[[flag]]\nid = "poisoning"\nfr = ["if"]\n', encoding="utf-8")
    assert [bot.id for bot in first.changes(load_deployment()).changed] == ["lyon"]


def test_secrets_stay_out_of_reprs_and_fingerprints(clinics: Path) -> None:
    deployment = load_deployment()
    text = shown(deployment) + "".join(bot.fingerprint for bot in deployment.clinics)
    text += "".join(repr(bot.settings) + str(bot.settings) for bot in deployment.clinics)
    for secret in ALL_SECRETS:
        assert secret not in text
    assert repr(by_id(deployment)["lyon"]).startswith("ClinicBot(id='lyon', name='Clinique lyon'")


def test_the_bot_keys_are_documented_in_the_examples_and_the_guide() -> None:
    documented = (ROOT / "clinics.example" / "tilleuls.toml").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "clinic-group.md").read_text(encoding="utf-8")
    for key in BOT_KEYS:
        assert key in documented and f"`{key}`" in guide, key
    for name in OVERRIDES:
        assert name.upper() in guide


def test_the_example_clinic_files_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinics"
    shutil.copytree(ROOT / "clinics.example", folder)
    (folder / "secrets").mkdir()
    (folder / "secrets" / "etang-treats-key").write_text("vk_etang-key\n", encoding="utf-8")
    monkeypatch.setenv("CLINICS_DIR", str(folder))
    monkeypatch.setenv("TILLEULS_TELEGRAM_TOKEN", "111111:TilleulsBotToken")
    monkeypatch.setenv("TILLEULS_TREATS_KEY", "vk_tilleuls-key")
    monkeypatch.setenv("TILLEULS_LINK_SECRET", "a-long-random-string")
    monkeypatch.setenv("ETANG_TELEGRAM_TOKEN", "222222:EtangBotToken")
    deployment = load_deployment()
    assert deployment.refused == ()
    etang, tilleuls = deployment.clinics
    assert (etang.clinic.id, tilleuls.clinic.id) == ("etang", "tilleuls")
    assert etang.settings.staff_announce == "urgent" and etang.settings.reminder_second is None
    assert etang.settings.treats_api_key.get_secret_value() == "vk_etang-key"
    assert tilleuls.settings.vetbot_link_secret is not None
    assert etang.settings.staff_chat_id != tilleuls.settings.staff_chat_id
