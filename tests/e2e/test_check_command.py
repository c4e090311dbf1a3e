"""The clinic's own settings at start-up: every bad setting named at once by `vetbot check`, and
a clinic file written the way a French clinic writes it starts the bot and reads right."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.config import load_clinic
from bot.standins.emulator import Person, TelegramWorld
from bot.standins.sandbox import SandboxState
from tests.e2e.flow import next_step, to_when
from tests.support.telegram_fixtures import TEST_BOT_TOKEN
from tests.support.vetbot_fixtures import VetbotRun

REPO_ROOT = str(Path(__file__).resolve().parents[2])
CLINIC_NAME = "Clinique vétérinaire de l'Étang"
VET_NAMES = ("Dr Anne-Sophie L'Hôte", "Dr Jean-Édouard Dupré", "Dr Zoé N'Diaye")


def french_clinic_toml(sandbox: SandboxState, *, phone: str, emergency: str) -> str:
    """A clinic file as a French clinic writes it: its words, its punctuation, its phones."""
    vets = "".join(
        f'\n[[vets]]\nid = "{vet.id}"\nname = "{name}"\n'
        for vet, name in zip(sandbox.vets.values(), VET_NAMES, strict=True)
    )
    return f"""# Clinique vétérinaire de l'Étang — fichier rempli par l'accueil
name = "{CLINIC_NAME}"
timezone = "{sandbox.timezone}"
phone = "{phone}"          # standard
emergency_phone = "{emergency}"  # vétérinaire de garde
opening_hours = "Lun.–ven. : 9 h–12 h 30 et 14 h–19 h ; sam. : 9 h–12 h"
address = "3, chemin de l'Étang — 69130 Écully"

[schedule]
monday = ["09:00-12:30", "14:00-19:00"]
tuesday = ["09:00-12:30", "14:00-19:00"]
wednesday = ["09:00-12:30", "14:00-19:00"]
thursday = ["09:00-12:30", "14:00-19:00"]
friday = ["09:00-12:30", "14:00-19:00"]
saturday = ["09:00-12:00"]
{vets}"""


def operator_env(
    telegram_url: str, sandbox: SandboxState, sandbox_url: str, clinic: Path, staff_chat_id: int
) -> dict[str, str]:
    """The settings an operator puts in the environment, pointed at the emulator and sandbox."""
    return {
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "TREATS_API_URL": sandbox_url,
        "TREATS_API_KEY": sandbox.api_key,
        "CLINIC_CONFIG": str(clinic),
        "STAFF_CHAT_ID": str(staff_chat_id),
    }


async def run_vetbot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`vetbot ARGS` as its own process, in a clean environment (no .env in `cwd`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": REPO_ROOT, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.mark.slow
async def test_check_names_every_missing_setting_at_once(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        'name = "X"\nphone = "01 23 45 67 89"\nemergency_phone = "12"\nopening_hours = "9-19"\n'
        '[[vets]]\nid = "d1a2e116-7ad7-5981-b920-818ef4a76a71"\nname = "Dr X"\n',
        encoding="utf-8",
    )
    env = {"CLINIC_CONFIG": str(clinic), "STAFF_CHAT_ID": "accueil"}

    code, out, err = await run_vetbot("check", env=env, cwd=tmp_path)

    assert code == 2, out + err
    assert out == ""  # nothing was checked against Telegram or Treats
    lines = err.strip().splitlines()
    problems = [line for line in lines if line.startswith("vetbot: configuration error: ")]
    assert [line.removeprefix("vetbot: configuration error: ") for line in problems] == [
        "TELEGRAM_BOT_TOKEN is missing",
        "TREATS_API_KEY is missing",
        "STAFF_CHAT_ID Input should be a valid integer, unable to parse string as an integer",
        f"CLINIC_CONFIG ({clinic}): emergency_phone '12' is not a phone number or a short "
        "service number (like 3115)",
    ]
    hints = lines[len(problems) :]
    assert any(".env.example" in hint for hint in hints), err
    assert any("clinic.example.toml" in hint for hint in hints), err
    assert "Traceback" not in err

    code, out, _ = await run_vetbot("check", "--help", env={}, cwd=tmp_path)
    assert code == 0
    assert "1 a check against Telegram or the Treats API failed" in " ".join(out.split())
    assert "2 configuration error" in " ".join(out.split())


@pytest.mark.slow
async def test_check_accepts_a_french_clinic_file_and_shows_its_phones(
    tmp_path: Path,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        french_clinic_toml(sandbox, phone="+33 (0)1 23 45 67 89", emergency="3115"),
        encoding="utf-8",
    )
    staff = telegram_world.person("Léa", "Accueil")
    group = telegram_world.group("Accueil de l'Étang", [staff], admins=[staff])
    env = operator_env(telegram_url, sandbox, sandbox_url, clinic, group.id)

    code, out, err = await run_vetbot("check", env=env, cwd=tmp_path)

    assert code == 0, out + err
    assert f"OK   configuration: clinic {CLINIC_NAME!r}, 3 vet(s)" in out
    assert "OK   clinic phones: phone 01 23 45 67 89, emergencies 3115" in out
    assert f"OK   vet {VET_NAMES[0]}: " in out


@pytest.mark.parametrize(
    ("phone", "emergency", "shown"),
    [
        ("+33 (0)1 23 45 67 89", "3115", ("01 23 45 67 89", "3115")),
        ("04.72.00.00.00", "04 72 18 18 18", ("04 72 00 00 00", "04 72 18 18 18")),
    ],
)
async def test_a_french_clinic_file_starts_the_bot_and_its_greeting_reads_right(
    vetbot_setup: VetbotRun,
    marie: Person,
    phone: str,
    emergency: str,
    shown: tuple[str, str],
) -> None:
    path = vetbot_setup.settings.clinic_config
    path.write_text(
        french_clinic_toml(vetbot_setup.sandbox, phone=phone, emergency=emergency),
        encoding="utf-8",
    )
    vetbot_setup.clinic = load_clinic(path)

    async with vetbot_setup.running():
        await marie.command("start")
        greeting = await next_step(marie)
        assert greeting.text.startswith(
            f"Bonjour ! Je suis l'assistant de rendez-vous de la clinique : {CLINIC_NAME}."
        ), greeting.text
        assert any(entity["type"] == "bold" for entity in greeting.entities)
        await marie.share_contact()
        assert "Votre dossier est retrouvé" in (await next_step(marie)).text
        await next_step(marie)  # the menu

        await marie.tap("La clinique")
        card = await next_step(marie)
        assert card.text.splitlines()[0] == CLINIC_NAME
        assert f"📞 {shown[0]}" in card.text
        assert f"🚨 Urgences : {shown[1]}" in card.text
        assert "3, chemin de l'Étang — 69130 Écully" in card.text

        await marie.tap("Menu")
        await next_step(marie)
        step = await to_when(marie, vet=VET_NAMES[0])
        assert "Quand souhaitez-vous venir" in step.text


async def test_an_unknown_owner_is_given_the_number_as_dialled(vetbot_setup: VetbotRun) -> None:
    path = vetbot_setup.settings.clinic_config
    path.write_text(
        french_clinic_toml(vetbot_setup.sandbox, phone="+33 (0)4 72 00 00 00", emergency="3115"),
        encoding="utf-8",
    )
    vetbot_setup.clinic = load_clinic(path)
    stranger = vetbot_setup.world.person("Paul", "Inconnu", phone_number="+33 6 00 00 00 01")

    async with vetbot_setup.running():
        await stranger.command("start")
        await next_step(stranger)
        await stranger.share_contact()
        answer = await next_step(stranger)

    assert "Appelez-nous au 04 72 00 00 00 (" in answer.text, answer.text


async def test_check_tells_the_new_id_of_a_staff_group_upgraded_to_a_supergroup(
    tmp_path: Path,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        french_clinic_toml(sandbox, phone="01 23 45 67 89", emergency="3115"), encoding="utf-8"
    )
    staff = telegram_world.person("Léa", "Accueil")
    group = telegram_world.group("Accueil", [staff], admins=[staff], kind="group")
    old_id = group.id
    new_id = await group.upgrade_to_supergroup()
    env = operator_env(telegram_url, sandbox, sandbox_url, clinic, old_id)

    code, out, err = await run_vetbot("check", env=env, cwd=tmp_path)

    assert code == 1, out + err
    assert f"set STAFF_CHAT_ID={new_id}" in out


async def test_check_names_type_words_for_a_type_the_clinic_does_not_have(
    tmp_path: Path,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        french_clinic_toml(sandbox, phone="01 23 45 67 89", emergency="3115")
        + '\n[type_words]\n"Dentisterie" = ["tartre"]\n"Ostéopathie" = ["ostéo*"]\n',
        encoding="utf-8",
    )
    staff = telegram_world.person("Léa", "Accueil")
    group = telegram_world.group("Accueil", [staff], admins=[staff])
    env = operator_env(telegram_url, sandbox, sandbox_url, clinic, group.id)

    code, out, err = await run_vetbot("check", env=env, cwd=tmp_path)

    assert code == 1, out + err
    assert "FAIL type_words: 'Ostéopathie' names no appointment type of the clinic" in out
    assert "'Dentisterie'" not in out
