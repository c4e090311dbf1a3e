"""A clinic group in one process, end to end: two clinics, two bots, two Treats sandboxes and
two staff groups in one emulated Telegram, one database (SQLite, then PostgreSQL). Each clinic
is its own: the same person is two owners, a booking is announced in its own clinic's group
only, a forgetting forgets one clinic, a forged tap naming another clinic's alert finds nothing,
a clinic whose bot is refused leaves the other serving, and a reload adds and removes clinics
without touching the others."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.clinic_group import Deployment, load_deployment
from bot.clock import ManualClock
from bot.launch.application import running_bot
from bot.launch.group import ClinicGroup, running_group
from bot.launch.web import webhook_secret
from bot.runtime.asgi_server import bind_loopback, serve_asgi
from bot.standins.emulator import (
    SECRET_TOKEN_HEADER,
    BotAccount,
    Group,
    Person,
    TelegramWorld,
)
from bot.standins.sandbox import SandboxState, create_sandbox_app, render_clinic_toml
from bot.store import OutboxKind, StaffButton, StaffMessage, Store
from tests.e2e.flow import confirm, identify, next_step, to_summary, to_when
from tests.support.instances import inbox_handled
from tests.support.treats_fixtures import API_ROOT
from tests.support.vetbot_fixtures import BOT_POLL_TIMEOUT, FAST_RETRY, REPO_ROOT, SPAWN_SECONDS

pytestmark = pytest.mark.both_databases

NANTES_TOKEN = "777001:NANTES-bot-token-for-the-group-test"
LYON_TOKEN = "777002:LYON-bot-token-for-the-group-test"
REFUSED_TOKEN = "777003:REVOKED-bot-token-for-the-group-test"


@dataclass
class Clinic:
    id: str
    bot: BotAccount
    staff: Group
    member: Person
    sandbox: SandboxState
    url: str


@pytest.fixture
async def second_sandbox(sandbox_clock: ManualClock) -> AsyncIterator[tuple[SandboxState, str]]:
    state = SandboxState.seeded(sandbox_clock)
    async with serve_asgi(create_sandbox_app(state)) as origin:
        try:
            yield state, origin + API_ROOT
        finally:
            state.close()


@pytest.fixture
def group_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    telegram_url: str,
    database_backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[Path]:
    """CLINICS_DIR (empty yet) and the process's settings, as the operator's environment."""
    clinics = tmp_path / "clinics"
    clinics.mkdir()
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("TELEGRAM_BOT_TOKEN", "TREATS_API_KEY", "CLINIC_CONFIG", "STAFF_CHAT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLINICS_DIR", str(clinics))
    monkeypatch.setenv("TELEGRAM_API_URL", telegram_url)
    monkeypatch.setenv("VETBOT_DATA_DIR", str(tmp_path / "data"))
    if database_backend == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("migrated_postgres_url"))
    yield clinics


def _declare(
    clinics: Path,
    monkeypatch: pytest.MonkeyPatch,
    clinic_id: str,
    token: str,
    sandbox: SandboxState,
    url: str,
    staff_chat_id: int,
) -> None:
    """The clinic's file in CLINICS_DIR, its secrets in the environment."""
    prefix = clinic_id.upper()
    monkeypatch.setenv(f"{prefix}_TOKEN", token)
    monkeypatch.setenv(f"{prefix}_TREATS_KEY", sandbox.api_key)
    body = render_clinic_toml(sandbox, name=f"Clinique de {clinic_id.title()}")
    (clinics / f"{clinic_id}.toml").write_text(
        f'id = "{clinic_id}"\n{body}\n\n[bot]\n'
        f'telegram_token_env = "{prefix}_TOKEN"\n'
        f'treats_api_key_env = "{prefix}_TREATS_KEY"\n'
        f'treats_api_url = "{url}"\n'
        f"staff_chat_id = {staff_chat_id}\n",
        encoding="utf-8",
    )


@pytest.fixture
def clinics(
    group_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    telegram_world: TelegramWorld,
    sandbox: SandboxState,
    sandbox_url: str,
    second_sandbox: tuple[SandboxState, str],
) -> dict[str, Clinic]:
    """Nantes and Lyon, each with its bot, staff group and Treats, declared in CLINICS_DIR."""
    made: dict[str, Clinic] = {}
    for clinic_id, token, (state, url) in (
        ("nantes", NANTES_TOKEN, (sandbox, sandbox_url)),
        ("lyon", LYON_TOKEN, second_sandbox),
    ):
        bot = telegram_world.add_bot(token, username=f"vetbot_{clinic_id}_bot")
        member = telegram_world.person("Accueil", clinic_id.title(), bot=bot)
        staff = telegram_world.group(f"Accueil {clinic_id}", [member], admins=[member], bot=bot)
        _declare(group_env, monkeypatch, clinic_id, token, state, url, staff.id)
        made[clinic_id] = Clinic(clinic_id, bot, staff, member, state, url)
    return made


def _runner(clock: ManualClock):
    return functools.partial(
        running_bot, clock=clock, retry=FAST_RETRY, poll_timeout=BOT_POLL_TIMEOUT
    )


@pytest.fixture
async def group(
    clinics: dict[str, Clinic], sandbox_clock: ManualClock
) -> AsyncIterator[ClinicGroup]:
    async with running_group(load_deployment(), _runner(sandbox_clock)) as running:
        await _serving(running, *clinics)
        yield running


async def _serving(group: ClinicGroup, *clinic_ids: str) -> None:
    """Until each clinic's bot is polling (an event per clinic, not a sleep)."""
    for clinic_id in clinic_ids:
        run = group.runs[clinic_id]
        assert await run.until("serving", "failed") == "serving", run.detail


def _marie(world: TelegramWorld, clinic: Clinic) -> Person:
    """Marie, an owner the clinic's Treats knows, in her chat with the clinic's bot."""
    phone = clinic.sandbox.seed.demo_owner_one_pet.phone
    return world.person("Marie", "Durand", phone_number=phone, bot=clinic.bot)


def _store(group: ClinicGroup, clinic_id: str, clock: ManualClock) -> Store:
    run = group.runs[clinic_id]
    return Store.open(run.bot.settings.database, clock, clinic=clinic_id)


async def test_each_clinic_of_the_group_is_its_own(
    group: ClinicGroup,
    clinics: dict[str, Clinic],
    telegram_world: TelegramWorld,
    sandbox_clock: ManualClock,
) -> None:
    nantes, lyon = clinics["nantes"], clinics["lyon"]
    marie_nantes = _marie(telegram_world, nantes)
    marie_lyon = telegram_world.same_person_with(marie_nantes, lyon.bot)

    # The same person is an owner of each clinic, linked at each on her own.
    await identify(marie_nantes)
    await identify(marie_lyon)
    await to_summary(marie_nantes)
    await confirm(marie_nantes)
    announcement = await nantes.staff.next_message()
    assert "Nouveau RDV" in announcement.text
    assert len(nantes.sandbox.appointments_for(nantes.sandbox.seed.demo_owner_one_pet.id)) == 1
    assert lyon.sandbox.appointments_for(lyon.sandbox.seed.demo_owner_one_pet.id) == []

    with _store(group, "nantes", sandbox_clock) as store:
        assert store.owner(marie_nantes.user.id) is not None
        (booking,) = store.upcoming_bookings(marie_nantes.user.id, sandbox_clock())
    with _store(group, "lyon", sandbox_clock) as store:
        assert store.owner(marie_lyon.user.id) is not None
        assert store.upcoming_bookings(marie_lyon.user.id, sandbox_clock()) == []
        assert store.booking(booking.booking_id) is None

    # Lyon's staff heard nothing of Nantes' booking.
    assert lyon.staff.messages == []

    # Forgetting at Lyon forgets Lyon only.
    await marie_lyon.command("oublier")
    await next_step(marie_lyon)
    await marie_lyon.tap("Oui, tout effacer")
    assert "j'ai tout oublié" in (await next_step(marie_lyon)).text
    with _store(group, "lyon", sandbox_clock) as store:
        assert store.owner(marie_lyon.user.id) is None
    with _store(group, "nantes", sandbox_clock) as store:
        assert store.owner(marie_nantes.user.id) is not None
        assert store.booking(booking.booking_id) is not None


async def test_a_tap_naming_another_clinics_alert_finds_nothing(
    group: ClinicGroup, clinics: dict[str, Clinic], sandbox_clock: ManualClock
) -> None:
    """Alert numbers are per clinic: a tap in Lyon's group naming Nantes' alert 3 finds no
    alert 3 at Lyon, and Nantes' alert stays untaken."""
    nantes, lyon = clinics["nantes"], clinics["lyon"]

    def alert(text: str):
        return lambda oid: StaffMessage(text, ((StaffButton("Je prends", f"ack:{oid}"),),))

    nantes_outbox = _outbox(group, "nantes")
    for n in range(3):
        taken = nantes_outbox.enqueue(
            OutboxKind.URGENT, nantes.staff.id, alert(f"URGENT Caramel {n}"), needs_ack=True
        )
    lyon_alert = _outbox(group, "lyon").enqueue(
        OutboxKind.URGENT, lyon.staff.id, alert("URGENT Filou"), needs_ack=True
    )
    assert (taken.id, lyon_alert.id) == (3, 1)
    shown = await lyon.staff.next_message()
    assert "Filou" in shown.text

    lyon_member = lyon.member.in_group(lyon.staff)
    answer = await lyon_member.tap_data(f"ack:{taken.id}")
    assert "Caramel" not in (answer.text or "")
    with _store(group, "nantes", sandbox_clock) as store:
        untouched = store.outbox.get(taken.id)
        assert untouched is not None and untouched.acknowledged_by_id is None


def _outbox(group: ClinicGroup, clinic_id: str):
    application = group.runs[clinic_id].application
    assert application is not None
    return application.bot_data.staff_desk.outbox


async def test_a_refused_bot_leaves_the_others_serving_and_is_named(
    clinics: dict[str, Clinic],
    group_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox: SandboxState,
    sandbox_url: str,
    sandbox_clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A third clinic whose token Telegram does not know (revoked): 401 at start.
    _declare(group_env, monkeypatch, "brest", REFUSED_TOKEN, sandbox, sandbox_url, -100999)
    caplog.set_level(logging.ERROR, logger="vetbot.group")
    async with running_group(load_deployment(), _runner(sandbox_clock)) as running:
        await _serving(running, "nantes", "lyon")
        brest = running.runs["brest"]
        await brest.until("failed")
        assert "Unauthorized" in brest.detail or "token" in brest.detail.lower()
    refusals = [r.getMessage() for r in caplog.records if "brest" in r.getMessage()]
    assert refusals and REFUSED_TOKEN not in " ".join(refusals)


async def test_a_reload_adds_and_removes_clinics_and_leaves_the_others(
    clinics: dict[str, Clinic], group_env: Path, sandbox_clock: ManualClock
) -> None:
    lyon_file = group_env / "lyon.toml"
    kept = lyon_file.read_text(encoding="utf-8")
    lyon_file.unlink()
    first: Deployment = load_deployment()
    assert [bot.id for bot in first.clinics] == ["nantes"]
    async with running_group(first, _runner(sandbox_clock)) as running:
        await _serving(running, "nantes")
        nantes_task = running.runs["nantes"].task

        lyon_file.write_text(kept, encoding="utf-8")
        changes = await running.apply(load_deployment())
        assert changes.started == ("lyon",) and not changes.stopped and not changes.restarted
        await _serving(running, "lyon")
        assert running.runs["nantes"].task is nantes_task, "Nantes was not touched"

        # A typo in Lyon's file: Lyon keeps serving as it was, the refusal is reported.
        lyon_file.write_text(kept + "\nnot toml at all [", encoding="utf-8")
        changes = await running.apply(load_deployment())
        assert str(changes) == "nothing changed"
        assert running.runs["lyon"].state == "serving"

        (group_env / "nantes.toml").unlink()
        lyon_file.write_text(kept, encoding="utf-8")
        changes = await running.apply(load_deployment())
        assert changes.stopped == ("nantes",)
        assert set(running.runs) == {"lyon"}


@pytest.mark.slow
async def test_vetbot_run_serves_the_group_and_reloads_on_sighup(
    clinics: dict[str, Clinic], group_env: Path
) -> None:
    """The operator's way: `vetbot run` with CLINICS_DIR, a clinic file added, SIGHUP, SIGTERM."""
    nantes, lyon = clinics["nantes"], clinics["lyon"]
    lyon_file = group_env / "lyon.toml"
    kept = lyon_file.read_text(encoding="utf-8")
    lyon_file.unlink()
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await asyncio.wait_for(nantes.bot.wait_for_call("getupdates"), SPAWN_SECONDS)
        assert not lyon.bot.calls, "Lyon is not declared yet"
        lyon_file.write_text(kept, encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        await asyncio.wait_for(lyon.bot.wait_for_call("getupdates"), SPAWN_SECONDS)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), SPAWN_SECONDS) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert "reloaded: started lyon" in log
    assert "clinic=lyon" in log and "clinic=nantes" in log
    assert "stopped cleanly" in log
    assert NANTES_TOKEN not in log and LYON_TOKEN not in log


@pytest.mark.slow
async def test_vetbot_check_checks_every_clinic_of_the_group(
    clinics: dict[str, Clinic], group_env: Path
) -> None:
    (group_env / "brest.toml").write_text('id = "brest"\nname = "Brest"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "check", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), SPAWN_SECONDS)
    text = out.decode()
    assert process.returncode == 1, text  # the refused file fails the check
    assert "FAIL clinic file" in text and "brest.toml" in text
    assert "== lyon (Clinique de Lyon)" in text and "== nantes (Clinique de Nantes)" in text
    assert "OK   Telegram: @vetbot_lyon_bot" in text or "@vetbot_lyon_bot" in text
    assert NANTES_TOKEN not in text and LYON_TOKEN not in text


@pytest.fixture
def group_webhook(group_env: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`vetbot webhook`'s settings for the group: one loopback port; returns the base URL."""
    with bind_loopback() as probe:
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("WEBHOOK_URL", f"{base}/hooks")
    monkeypatch.setenv("WEBHOOK_PORT", str(port))
    monkeypatch.setenv("WEBHOOK_LISTEN", "127.0.0.1")
    return base


def _metric_values(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


async def test_one_webhook_server_for_the_group_with_a_path_and_secret_per_clinic(
    clinics: dict[str, Clinic],
    group_env: Path,
    group_webhook: str,
    monkeypatch: pytest.MonkeyPatch,
    telegram_world: TelegramWorld,
    sandbox: SandboxState,
    sandbox_url: str,
    sandbox_clock: ManualClock,
    database_backend: str,
) -> None:
    nantes, lyon = clinics["nantes"], clinics["lyon"]
    lyon_file = group_env / "lyon.toml"
    lyon_file.write_text(
        lyon_file.read_text(encoding="utf-8") + 'webhook_secret_env = "LYON_HOOK_SECRET"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LYON_HOOK_SECRET", "lyon-webhook-secret-token")
    _declare(group_env, monkeypatch, "brest", REFUSED_TOKEN, sandbox, sandbox_url, -100999)
    deployment = load_deployment()
    async with (
        running_group(deployment, _runner(sandbox_clock), mode="webhook") as running,
        httpx.AsyncClient(base_url=group_webhook) as http,
    ):
        await _serving(running, "nantes", "lyon")
        await running.runs["brest"].until("failed")
        assert nantes.bot.webhook.config.url == f"{group_webhook}/hooks/nantes"
        assert lyon.bot.webhook.config.url == f"{group_webhook}/hooks/lyon"
        assert lyon.bot.webhook.config.secret_token == "lyon-webhook-secret-token"
        assert nantes.bot.webhook.config.secret_token not in (None, "lyon-webhook-secret-token")

        # Each clinic's owners reach their own clinic's bot through the one server.
        marie = _marie(telegram_world, nantes)
        await identify(marie)
        await identify(telegram_world.same_person_with(marie, lyon.bot))

        # Lyon's path takes Lyon's secret only; an unknown clinic is not found; a clinic
        # that is not serving asks Telegram to deliver again later.
        update = {
            "update_id": 900001,
            "message": {
                "message_id": 1,
                "date": 1795000000,
                "chat": {"id": 1, "type": "private"},
                "text": "/start",
            },
        }
        nantes_secret = {SECRET_TOKEN_HEADER: nantes.bot.webhook.config.secret_token}
        assert (
            await http.post("/hooks/lyon", json=update, headers=nantes_secret)
        ).status_code == 403
        assert (await http.post("/hooks/paris", json=update)).status_code == 404
        brest_secret = {SECRET_TOKEN_HEADER: webhook_secret(running.runs["brest"].bot.settings)}
        brest = await http.post("/hooks/brest", json=update, headers=brest_secret)
        if database_backend == "sqlite":  # one instance: Telegram is asked to deliver later
            assert brest.status_code == 503
        else:  # any instance keeps it in the inbox until Brest's holder serves it
            assert brest.status_code == 200

        # Readiness: the process is ready while clinics serve, each clinic has its own.
        ready = await http.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["clinics"]["nantes"]["state"] == "serving"
        assert body["clinics"]["brest"]["state"] == "failed"
        assert body["serving"] == 2 and body["store"]["ok"]
        lyon_ready = await http.get("/readyz/lyon")
        assert lyon_ready.status_code == 200
        checks = lyon_ready.json()["checks"]
        assert checks["telegram"]["detail"] == "@vetbot_lyon_bot" and checks["treats"]["ok"]
        brest_ready = await http.get("/readyz/brest")
        assert brest_ready.status_code == 503 and "rejected" in brest_ready.json()["detail"]
        assert REFUSED_TOKEN not in brest_ready.text
        assert (await http.get("/readyz/paris")).status_code == 404

        # Metrics: every clinic's, labelled.
        metrics = _metric_values((await http.get("/metrics")).text)
        assert metrics['vetbot_updates_total{clinic="nantes"}'] >= 2
        assert metrics['vetbot_updates_total{clinic="lyon"}'] >= 2
        assert metrics['vetbot_clinics{state="serving"}'] == 2
        assert metrics['vetbot_clinics{state="failed"}'] == 1
        if database_backend == "postgresql":
            assert metrics['vetbot_inbox_pending{clinic="brest"}'] == 1
            assert metrics['vetbot_inbox_pending{clinic="nantes"}'] == 0
            assert metrics['vetbot_lease_changes_total{change="took"}'] == 3


@pytest.mark.slow
async def test_vetbot_webhook_serves_the_group_on_one_port(
    clinics: dict[str, Clinic], group_env: Path, group_webhook: str
) -> None:
    """The operator's way: `vetbot webhook` with CLINICS_DIR, then SIGTERM."""
    nantes, lyon = clinics["nantes"], clinics["lyon"]
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "webhook", env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    lines: list[str] = []

    async def read_until_serving() -> None:
        """The log, line by line, until both clinics say they serve."""
        assert process.stderr is not None
        while sum("serving as @" in line for line in lines) < 2:
            line = await process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line.decode())

    try:
        await asyncio.wait_for(read_until_serving(), SPAWN_SECONDS)
        assert nantes.bot.webhook.config.url == f"{group_webhook}/hooks/nantes"
        assert lyon.bot.webhook.config.url == f"{group_webhook}/hooks/lyon"
        async with httpx.AsyncClient(base_url=group_webhook) as http:
            ready = (await http.get("/readyz")).json()
        assert ready["serving"] == 2, ready
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), SPAWN_SECONDS) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(lines) + (await process.stderr.read()).decode()
    assert "webhook registered at" in log and "stopped cleanly" in log
    assert NANTES_TOKEN not in log and LYON_TOKEN not in log


@pytest.mark.slow
async def test_vetbot_invite_links_to_the_named_clinics_bot(
    clinics: dict[str, Clinic], group_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import SecretStr

    from bot.invites import read_invite

    lyon = clinics["lyon"]
    lyon_file = group_env / "lyon.toml"
    lyon_file.write_text(
        lyon_file.read_text(encoding="utf-8") + 'link_secret_env = "LYON_LINK_SECRET"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LYON_LINK_SECRET", "lyon-link-secret-of-32-characters!")
    owner = lyon.sandbox.seed.demo_owner_many_pets
    env = {**os.environ, "PYTHONPATH": REPO_ROOT}

    async def invite(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "invite",
            owner.id,
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), SPAWN_SECONDS)
        return process.returncode or 0, out.decode(), err.decode()

    code, _, err = await invite()
    assert code == 2 and "say which clinic with --clinic (one of: lyon)" in err, err
    code, _, err = await invite("--clinic", "nantes")
    assert code == 2 and "--clinic nantes: no such clinic (valid: lyon)" in err, err
    assert "nantes.toml: bot.link_secret_env" in err and "signs invite links" in err
    code, out, err = await invite("--clinic", "lyon")
    assert code == 0, err
    assert out.startswith("Thomas Moreau: https://t.me/vetbot_lyon_bot?start="), out
    token = out.split("start=")[1].split()[0]
    secret = SecretStr("lyon-link-secret-of-32-characters!")
    assert read_invite(token, secret, now=lyon.sandbox.now()) == owner.id


async def test_a_token_revoked_while_serving_fails_that_clinic_only(
    group: ClinicGroup,
    clinics: dict[str, Clinic],
    telegram_world: TelegramWorld,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PTB's polling gives up on a refused token without a word to anyone else: the group
    notices, names the clinic, and tries it again later; the other clinic serves on."""
    nantes, lyon = clinics["nantes"], clinics["lyon"]
    caplog.set_level(logging.ERROR, logger="vetbot.group")
    telegram_world.revoke_token(lyon.bot)
    lyon_run = group.runs["lyon"]
    assert await lyon_run.until("failed") == "failed"
    assert "refused the bot token while running" in lyon_run.detail
    assert any("lyon is not served" in r.getMessage() for r in caplog.records)
    assert LYON_TOKEN not in caplog.text

    marie = _marie(telegram_world, nantes)
    await identify(marie)
    assert group.runs["nantes"].state == "serving"


async def test_each_clinic_s_week_view_on_the_group_s_server(
    clinics: dict[str, Clinic],
    group_webhook: str,
    monkeypatch: pytest.MonkeyPatch,
    telegram_world: TelegramWorld,
    sandbox_clock: ManualClock,
    database_backend: str,
) -> None:
    """The week view of a clinic of the group, at {MINI_APP_URL}/{clinic}: its owner's week,
    and the slot chosen there shown as the summary in that clinic's chat (one process asks
    the clinic's bot; on PostgreSQL the choice goes through the inbox to its holder)."""
    nantes = clinics["nantes"]
    monkeypatch.setenv("MINI_APP_URL", "https://vetbot.example/semaine")
    nantes.bot.clock = sandbox_clock  # Telegram and the bots read the same time
    async with (
        running_group(load_deployment(), _runner(sandbox_clock), mode="webhook") as running,
        httpx.AsyncClient(base_url=group_webhook) as http,
    ):
        await _serving(running, "nantes", "lyon")
        marie = _marie(telegram_world, nantes)
        await identify(marie)
        step = await to_when(marie)
        button = next(b for b in step.inline_buttons if "Voir la semaine" in b.text)
        assert button.web_app_url == "https://vetbot.example/semaine/nantes"
        if database_backend == "postgresql":  # her state written before the page reads it
            await inbox_handled(os.environ["DATABASE_URL"], "nantes")
        tma = {"Authorization": f"tma {(await marie.open_mini_app('Voir la semaine')).init_data}"}
        week = await http.get("/semaine/nantes/api/week", headers=tma)
        assert week.status_code == 200, week.text
        assert week.json()["summary"]["pet"] == "Mimi"
        slot = next(s for day in week.json()["week"]["days"] for s in day["slots"])
        other = await http.get("/semaine/lyon/api/week", headers=tma)  # signed by Nantes' bot
        assert other.status_code == 401
        chosen = await http.post(
            "/semaine/nantes/api/choose", json={"slot": slot["id"]}, headers=tma
        )
        assert chosen.status_code == 200, chosen.text
        summary = await next_step(marie)
        assert "Récapitulatif" in summary.text and slot["time"] in summary.text
