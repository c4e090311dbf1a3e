"""The image's entry command works from an installed wheel, as in the Docker image.

The build stage is replayed without Docker: the wheel is built from only what the Dockerfile
copies, installed with no dependencies into a fresh venv (the dependencies come from this venv
through PYTHONPATH: no network), catalogs are compiled and left without their .po files, and
every command runs from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.docker_files import ROOT, dockerfile

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
MESSAGE = "Ajoutez-le à votre agenda 📅"  # a French message id the English catalog translates


@dataclass(frozen=True)
class Installed:
    venv: Path
    locales: Path
    elsewhere: Path  # a working folder with no .env, no clinic.toml, no checkout

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": f"{self.venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "PYTHONPATH": sysconfig.get_paths()["purelib"],
            "LANG": "C.UTF-8",
            "VETBOT_LOCALES_DIR": str(self.locales),
            **extra,
        }

    def run(self, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            cwd=self.elsewhere,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=60,
        )


def _build_context(target: Path) -> None:
    """What the Dockerfile's build stage copies, and nothing else."""
    target.mkdir()
    instructions = dockerfile()
    starts = [n for n, instruction in enumerate(instructions) if instruction.keyword == "FROM"]
    build_stage = instructions[starts[0] : starts[1]]
    for instruction in build_stage:
        if instruction.keyword != "COPY":
            continue
        for source in instruction.arguments[:-1]:
            path = ROOT / source
            if path.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
                shutil.copytree(path, target / source, ignore=ignore)
            else:
                shutil.copy2(path, target / source)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source, wheels, venv = root / "src", root / "wheels", root / "venv"
    _build_context(source)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("vetbot-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The catalogs as the image ships them: compiled, without the .po they came from.
    locales = source / "locales"
    compiled = subprocess.run(
        [str(BIN / "pybabel"), "compile", "-d", str(locales), "-D", "vetbot"],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    for po in [*locales.rglob("*.po"), *locales.glob("*.pot")]:
        po.unlink()
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return Installed(venv, locales, elsewhere)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    done = installed.run("python", "-c", "import bot, conversations; print(bot.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed.venv)
    assert not (Path(done.stdout.strip()).parents[1] / "locales").exists()


def test_vetbot_help_and_when_work_from_the_wheel(installed: Installed) -> None:
    helped = installed.run("vetbot", "--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("run", "check", "invite", "when"):
        assert command in helped.stdout
    when = installed.run("vetbot", "when", "demain à 10h", "--now", "2026-11-23T08:30")
    assert (when.returncode, when.stdout, when.stderr) == (
        0,
        "mardi 24 novembre 2026 à 10:00\n",
        "",
    )


def test_the_compiled_catalogs_translate_through_vetbot_locales_dir(installed: Installed) -> None:
    from zoneinfo import ZoneInfo

    from bot.i18n import Catalogs

    expected = Catalogs(ZoneInfo("Europe/Paris"))["en"](MESSAGE)
    assert expected != MESSAGE  # the checkout's English catalog translates it
    script = (
        "from zoneinfo import ZoneInfo; from bot.i18n import Catalogs; "
        "print(Catalogs(ZoneInfo('Europe/Paris'))['en'](" + repr(MESSAGE) + "))"
    )
    done = installed.run("python", "-c", script)
    assert (done.returncode, done.stdout) == (0, expected + "\n"), done.stderr


def test_the_entrypoint_in_polling_mode_execs_vetbot_run(installed: Installed) -> None:
    entrypoint = str(ROOT / "docker" / "entrypoint.sh")
    done = installed.run(entrypoint, VETBOT_MODE="polling")
    assert done.returncode == 2
    assert_configuration_error(done.stderr)


def test_the_entrypoint_by_default_execs_vetbot_webhook(installed: Installed) -> None:
    if "webhook" not in installed.run("vetbot", "--help").stdout:
        pytest.skip("`vetbot webhook` does not exist yet")
    done = installed.run(str(ROOT / "docker" / "entrypoint.sh"))
    assert done.returncode == 2
    assert_configuration_error(done.stderr)


def assert_configuration_error(stderr: str) -> None:
    """Each problem on its own ``vetbot:`` line, then where the template is; no traceback."""
    lines = stderr.splitlines()
    assert lines and all(line.startswith("vetbot: ") for line in lines), stderr
    assert "TELEGRAM_BOT_TOKEN is missing" in stderr and ".env.example" in stderr, stderr
    assert "Traceback" not in stderr
