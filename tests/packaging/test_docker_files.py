"""The Docker files, checked without Docker: what the Dockerfile copies exists and is in the
build context, the image's shape (non-root, volume, health check, entry command), the entry
script's mode switch, the health check in both modes, and compose.yaml's structure."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.docker_files import ROOT, dockerfile, ignore_patterns, ignored, yaml_subset

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
HEALTHCHECK = ROOT / "docker" / "healthcheck.py"


def _all(keyword: str) -> list:
    return [i for i in dockerfile() if i.keyword == keyword]


def _final_stage() -> list:
    instructions = dockerfile()
    last_from = max(n for n, i in enumerate(instructions) if i.keyword == "FROM")
    return instructions[last_from:]


def test_every_copied_source_exists_and_is_in_the_build_context() -> None:
    patterns = ignore_patterns()
    stages = {i.words[-1] for i in _all("FROM") if len(i.words) == 3 and i.words[1].upper() == "AS"}
    copies = _all("COPY") + _all("ADD")
    assert copies
    for instruction in copies:
        if "from" in instruction.flags:
            assert instruction.flags["from"] in stages, instruction.text
            continue
        *sources, _destination = instruction.arguments
        assert sources, instruction.text
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"COPY {source}: no such file in the repository"
            assert not ignored(source.rstrip("/"), patterns), f"{source} is in .dockerignore"
            if path.is_dir():
                kept = [
                    f
                    for f in path.rglob("*")
                    if f.is_file() and not ignored(str(f.relative_to(ROOT)), patterns)
                ]
                assert kept, f"COPY {source}: nothing left after .dockerignore"


def test_the_dockerignore_keeps_secrets_state_and_tests_out() -> None:
    patterns = ignore_patterns()
    for path in (".env", ".venv/bin/python", ".git/HEAD", "data/vetbot.sqlite3", "tests/x.py"):
        assert ignored(path, patterns), path
    for path in ("bot/i18n.py", "bot/__pycache__/i18n.cpython-311.pyc", "locales/en/x.mo"):
        assert ignored(path, patterns) == (path != "bot/i18n.py"), path
    for path in ("pyproject.toml", "README.md", "constraints.txt", "docker/entrypoint.sh"):
        assert not ignored(path, patterns), path


def test_both_stages_are_slim_python_3_11_and_the_build_makes_wheels_and_catalogs() -> None:
    args = {i.text.split("=", 1)[0]: i.text.split("=", 1)[1] for i in _all("ARG") if "=" in i.text}
    froms = [i.words[0] for i in _all("FROM")]
    assert len(froms) == 2
    images = [args.get(f[2:-1], f) if f.startswith("${") else f for f in froms]
    assert images == ["python:3.11-slim", "python:3.11-slim"]
    build = " ".join(i.text for i in _all("RUN"))
    assert "pip wheel --no-deps" in build and "pip wheel -c constraints.txt" in build
    assert "pybabel compile -d locales -D vetbot" in build


def test_the_final_image_runs_as_vetbot_with_data_volume_port_and_health_check() -> None:
    final = _final_stage()
    keywords = [i.keyword for i in final]
    assert "RUN" not in keywords[keywords.index("USER") :], "USER comes last among RUNs"
    assert [i.text for i in final if i.keyword == "USER"] == ["vetbot"]
    assert any("useradd" in i.text and "vetbot" in i.text for i in final if i.keyword == "RUN")
    env = {}
    for instruction in (i for i in final if i.keyword == "ENV"):
        env.update(word.split("=", 1) for word in instruction.words)
    assert env["VETBOT_DATA_DIR"] == "/data"
    assert env["VETBOT_MODE"] == "webhook" and env["WEBHOOK_PORT"] == "8080"
    assert env["VETBOT_LOCALES_DIR"] == "/opt/vetbot/locales"
    assert env["PATH"].startswith("/opt/venv/bin:")
    assert [i.words for i in final if i.keyword == "VOLUME"] == [["/data"]]
    assert [i.text for i in final if i.keyword == "EXPOSE"] == ["8080"]
    (health,) = [i for i in final if i.keyword == "HEALTHCHECK"]
    assert "CMD" in health.words and "/opt/vetbot/healthcheck.py" in health.text
    (entry,) = [i for i in final if i.keyword == "ENTRYPOINT"]
    assert entry.words == ["/opt/vetbot/entrypoint.sh"]
    copied = [i.arguments for i in final if i.keyword == "COPY" and "from" not in i.flags]
    assert ["docker/entrypoint.sh", "docker/healthcheck.py", "/opt/vetbot/"] in copied
    assert any(i.arguments[-1] == "/opt/vetbot/locales" for i in final if i.keyword == "COPY")


def test_the_entrypoint_is_an_executable_shell_script() -> None:
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    assert os.access(ENTRYPOINT, os.X_OK)
    staged = subprocess.run(
        ["git", "ls-files", "-s", "docker/entrypoint.sh"], cwd=ROOT, capture_output=True, text=True
    )
    if staged.returncode == 0 and staged.stdout:  # a checkout gets the mode git recorded
        assert staged.stdout.startswith("100755 "), "git add --chmod=+x docker/entrypoint.sh"
    for shell in ("sh", "bash"):
        if shutil.which(shell):
            subprocess.run([shell, "-n", str(ENTRYPOINT)], check=True)


@pytest.fixture
def fake_vetbot(tmp_path: Path) -> dict[str, str]:
    """A `vetbot` on PATH that prints its arguments: what the entry script would run."""
    fake = tmp_path / "vetbot"
    fake.write_text('#!/bin/sh\necho "vetbot $*"\n')
    fake.chmod(0o755)
    return {"PATH": f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin"}


@pytest.mark.parametrize(
    ("mode", "arguments", "runs"),
    [
        (None, [], "vetbot webhook"),
        ("", [], "vetbot webhook"),
        ("webhook", [], "vetbot webhook"),
        ("polling", [], "vetbot run"),
        ("polling", ["check"], "vetbot check"),
        ("webhook", ["invite", "some id"], "vetbot invite some id"),
    ],
)
def test_the_entrypoint_runs_the_mode_s_command_or_the_given_one(
    fake_vetbot: dict[str, str], mode: str | None, arguments: list[str], runs: str
) -> None:
    env = fake_vetbot if mode is None else {**fake_vetbot, "VETBOT_MODE": mode}
    done = subprocess.run(
        [str(ENTRYPOINT), *arguments], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout == runs + "\n"


def test_an_unknown_mode_is_a_one_line_configuration_error(fake_vetbot: dict[str, str]) -> None:
    env = {**fake_vetbot, "VETBOT_MODE": "push"}
    done = subprocess.run([str(ENTRYPOINT)], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "vetbot: configuration error: VETBOT_MODE must be webhook or polling, not 'push'\n"
    )


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Health.status = 200


def _health(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK)], env=env, capture_output=True, text=True, timeout=20
    )


def test_the_health_check_asks_healthz_on_the_webhook_port(
    health_server: http.server.HTTPServer,
) -> None:
    port = str(health_server.server_address[1])
    assert _health(WEBHOOK_PORT=port).returncode == 0
    assert _health(WEBHOOK_PORT=port, VETBOT_MODE="webhook").returncode == 0
    _Health.status = 503
    failed = _health(WEBHOOK_PORT=port)
    assert failed.returncode == 1 and "/healthz" in failed.stderr


def test_the_health_check_fails_when_nothing_listens() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    port = str(server.server_address[1])
    server.server_close()  # a port that was free a moment ago, now closed
    assert _health(WEBHOOK_PORT=port).returncode == 1


def test_the_health_check_passes_in_polling_mode_without_any_server() -> None:
    assert _health(VETBOT_MODE="polling", WEBHOOK_PORT="1").returncode == 0


def test_compose_builds_the_image_with_env_file_data_volume_and_port() -> None:
    compose = yaml_subset((ROOT / "compose.yaml").read_text())
    assert set(compose) == {"services", "volumes"}
    service = compose["services"]["vetbot"]
    assert service["build"] == "."
    assert service["env_file"] == ".env"
    assert service["restart"] == "unless-stopped"
    environment = service["environment"]
    assert environment["VETBOT_DATA_DIR"] == "/data" and environment["WEBHOOK_PORT"] == "8080"
    assert environment["WEBHOOK_LISTEN"] == "0.0.0.0"
    volume, *mounts = service["volumes"]
    name, target = volume.split(":")
    assert target == "/data" and name in compose["volumes"]
    clinic = environment["CLINIC_CONFIG"]
    assert f"./clinic.toml:{clinic}:ro" in mounts
    assert [port.rsplit(":", 1)[1] for port in service["ports"]] == ["8080"]
    text = (ROOT / "compose.yaml").read_text()
    for documented in ("VETBOT_MODE=polling", "VETBOT_MODE=webhook", "WEBHOOK_URL", ".env"):
        assert documented in text


def test_env_example_documents_the_image_s_own_variables() -> None:
    text = (ROOT / ".env.example").read_text()
    assert "# VETBOT_MODE=webhook" in text
    assert "# VETBOT_LOCALES_DIR=" in text
