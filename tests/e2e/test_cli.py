"""The operator's commands, run as real processes against a served sandbox and emulator."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.standins.emulator import TelegramWorld
from bot.standins.sandbox import SandboxState, render_clinic_toml
from tests.support.telegram_fixtures import TEST_BOT_TOKEN, TEST_BOT_USERNAME
from tests.support.vetbot_fixtures import LINK_SECRET

pytestmark = pytest.mark.slow
REPO_ROOT = str(Path(__file__).resolve().parents[2])


async def vetbot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run `vetbot ARGS` in a clean environment (no .env is read from cwd)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def operator_env(
    tmp_path: Path,
    telegram_world: TelegramWorld,
    telegram_url: str,
    sandbox: SandboxState,
    sandbox_url: str,
) -> dict[str, str]:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(render_clinic_toml(sandbox), encoding="utf-8")
    staff = telegram_world.person("Léa", "Accueil")
    group = telegram_world.group("Accueil clinique", [staff], admins=[staff])
    return {
        "PYTHONPATH": REPO_ROOT,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "TREATS_API_URL": sandbox_url,
        "TREATS_API_KEY": sandbox.api_key,
        "CLINIC_CONFIG": str(clinic),
        "STAFF_CHAT_ID": str(group.id),
        "VETBOT_DATA_DIR": str(tmp_path / "data"),
        "VETBOT_LINK_SECRET": LINK_SECRET,
    }


async def test_check_prints_all_ok(operator_env, tmp_path) -> None:
    code, out, err = await vetbot("check", env=operator_env, cwd=tmp_path)
    lines = out.strip().splitlines()
    assert code == 0, out + err
    assert all(line.startswith("OK") for line in lines), out
    assert any("permission APPOINTMENT_CREATE: granted" in line for line in lines)
    assert sum(line.startswith("OK   vet ") for line in lines) == 3
    assert any("staff chat: 'Accueil clinique'" in line for line in lines)


async def test_check_names_a_wrong_key(operator_env, tmp_path) -> None:
    env = {**operator_env, "TREATS_API_KEY": "vk_wrongwrongwrongwrong"}
    code, out, err = await vetbot("check", env=env, cwd=tmp_path)
    assert code == 1
    assert "FAIL Treats API key: TREATS_API_KEY refused: Invalid or expired API key" in out
    assert "vk_wrongwrongwrongwrong" not in out + err


async def test_check_names_a_missing_permission(operator_env, sandbox, tmp_path) -> None:
    from bot.standins.sandbox import Permission

    key = sandbox.add_key({Permission.APPOINTMENT_READ, Permission.CLIENT_READ})
    code, out, _ = await vetbot("check", env={**operator_env, "TREATS_API_KEY": key}, cwd=tmp_path)
    assert code == 1
    assert "FAIL permission PATIENT_READ: MISSING" in out
    assert "FAIL permission APPOINTMENT_CREATE: MISSING" in out


async def test_bad_setting_is_one_line(operator_env, tmp_path) -> None:
    env = {k: v for k, v in operator_env.items() if k != "TREATS_API_KEY"}
    code, _, err = await vetbot("check", env=env, cwd=tmp_path)
    assert code == 2
    problem, template = err.strip().splitlines()
    assert problem == "vetbot: configuration error: TREATS_API_KEY is missing"
    assert ".env.example" in template
    bad_clinic = tmp_path / "bad.toml"
    bad_clinic.write_text(
        'name = "X"\nphone = "01 23 45 67 89"\nopening_hours = "9-19"\n'
        '[[vets]]\nid = "not-a-uuid"\nname = "Dr X"\n',
        encoding="utf-8",
    )
    code, _, err = await vetbot(
        "run", env={**operator_env, "CLINIC_CONFIG": str(bad_clinic)}, cwd=tmp_path
    )
    assert code == 2
    problem, template = err.strip().splitlines()
    assert problem.endswith("vets.0.id 'not-a-uuid' is not a UUID"), err
    assert "clinic.example.toml" in template


async def test_invite_prints_a_link_that_the_bot_accepts(operator_env, sandbox, tmp_path) -> None:
    owner = sandbox.seed.demo_owner_many_pets
    code, out, err = await vetbot("invite", owner.id, env=operator_env, cwd=tmp_path)
    assert code == 0, err
    assert out.startswith(f"Thomas Moreau: https://t.me/{TEST_BOT_USERNAME}?start=")
    token = out.split("start=")[1].split()[0]
    from pydantic import SecretStr

    from bot.invites import read_invite

    assert read_invite(token, SecretStr(LINK_SECRET), now=sandbox.now()) == owner.id
    code, _, err = await vetbot(
        "invite", "3f1c1a52-0000-4000-8000-000000000000", env=operator_env, cwd=tmp_path
    )
    assert code == 1 and "no Treats client" in err


async def test_when_prints_the_window(tmp_path) -> None:
    env = {"PYTHONPATH": REPO_ROOT}
    code, out, _ = await vetbot(
        "when", "mardi prochain à 10h", "--now", "2026-11-25T09:00", env=env, cwd=tmp_path
    )
    assert code == 0
    assert "mardi 1 décembre 2026" in out and "10:00" in out
    code, out, _ = await vetbot("when", "mon chat tousse", env=env, cwd=tmp_path)
    assert code == 1 and "Aucune date" in out


async def test_check_against_a_running_vetbot_sandbox(
    telegram_world: TelegramWorld, telegram_url: str, tmp_path: Path
) -> None:
    """The operator's path: `vetbot sandbox` in one terminal, `vetbot check` in another."""
    from bot.runtime.asgi_server import bind_loopback

    with bind_loopback() as probe:
        port = probe.getsockname()[1]
    clinic = tmp_path / "clinic.toml"
    sandbox = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "sandbox",
        "--port",
        str(port),
        "--write-clinic",
        str(clinic),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": REPO_ROOT},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert sandbox.stdout is not None
        printed: dict[str, str] = {}
        while "TREATS_API_KEY" not in printed:
            line = (await asyncio.wait_for(sandbox.stdout.readline(), 30)).decode()
            assert line, "vetbot sandbox stopped before printing its key"
            name, _, value = line.strip().partition("=")
            printed[name] = value
        staff = telegram_world.person("Léa", "Accueil")
        group = telegram_world.group("Accueil clinique", [staff], admins=[staff])
        env = {
            "PYTHONPATH": REPO_ROOT,
            "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
            "TELEGRAM_API_URL": telegram_url,
            "TREATS_API_URL": printed["TREATS_API_URL"],
            "TREATS_API_KEY": printed["TREATS_API_KEY"],
            "CLINIC_CONFIG": str(clinic),
            "STAFF_CHAT_ID": str(group.id),
        }
        code, out, err = await vetbot("check", env=env, cwd=tmp_path)
        assert code == 0, out + err
        assert all(line.startswith("OK") for line in out.strip().splitlines()), out
    finally:
        sandbox.terminate()
        await asyncio.wait_for(sandbox.wait(), 15)
