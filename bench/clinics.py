"""Clinic-group bench: 1, 10, 100 and 300 clinics served from ONE bot process, on SQLite and
on PostgreSQL: idle memory per added clinic, start-up time, bot CPU per update and latency.

Run from the repo root: ``python bench/clinics.py`` (``--clinics 1,10``, ``--db sqlite``,
``--owners 200``, ``--mode webhook``, ``--json``).

For each database and each size, a fresh Treats sandbox and a fresh emulated Telegram run in
this process (as in bench/load.py): one bot account and one staff group per clinic, all in one
emulator world; one sandbox serves every clinic, each clinic with its own API key. The clinics
are declared as a ``CLINICS_DIR`` of clinic files and served by bench/run_group.py, the
unmodified group runtime (``running_group`` over ``running_bot``, flood limits lifted as in
bench/run_bot.py), a separate process polling over real loopback HTTP (``--mode webhook``: one
webhook server for every clinic, the emulator posting each update to it, as ``vetbot
webhook`` runs).

- **Start-up**: from the process's start (its exec) to each clinic's first getUpdates (its
  setWebhook in webhook mode), as the emulator sees it: when the first clinic polls, and
  when every clinic does.
- **Idle memory**: the bot's RSS a few seconds after every clinic polls, once idle; per added
  clinic, (RSS at N clinics - RSS at 1 clinic) / (N - 1). Idle CPU is the bot's CPU share over
  two idle seconds (the clinics' background loops: outbox, reminders, status watcher).
- **Booking**: simulated owners (tests/support/owners.py) book through the real flow, spread
  round-robin over the clinics, or over an evenly spaced sample of at most 100 clinics when
  there are more: a warm-up crowd, then the measured crowd of as many owners at once. CPU per
  update is the bot process's CPU time (/proc) over the measured crowd divided by the owners'
  actions; latency is from an owner's action to the bot's first answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from harness import (  # type: ignore[import-not-found]
    BENCH_HOURLY_QUOTA,
    BENCH_TOKEN,
    REPO_ROOT,
    Stack,
    cpu_seconds,
    describe_machine,
    memory_kib,
    percentiles,
    running_stack,
)
from load import BotLog  # type: ignore[import-not-found]
from sampling import py_spy, sampled, summarize  # type: ignore[import-not-found]

from bot.runtime.asgi_server import bind_loopback
from bot.standins.emulator import BotAccount
from bot.standins.sandbox import render_clinic_toml
from bot.standins.sandbox.keys import ALL_PERMISSIONS
from tests.support.owners import Outcome, Plan, SimulatedOwner, distinct_slot_plans, enrol_owners

RUN_GROUP: Final = REPO_ROOT / "bench" / "run_group.py"
SIZES: Final = (1, 10, 100, 300)
DATABASES: Final = ("sqlite", "postgresql")
DEFAULT_OWNERS: Final = 200
SAMPLED_CLINICS: Final = 100
"""Owners book at no more than this many clinics (evenly spaced among them)."""
READY_SECONDS: Final = 180.0
SETTLE_SECONDS: Final = 3.0
"""After the last clinic polls, before the idle readings (start-up work winds down)."""
IDLE_WINDOW_SECONDS: Final = 2.0
OWNER_PATIENCE_SECONDS: Final = 120.0

AIM_MIB_PER_CLINIC: Final = 1.0
AIM_READY_SECONDS: Final = 10.0
AIM_READY_CLINICS: Final = 300
AIM_CPU_DRIFT: Final = 0.15
AIM_POSTGRES_RATIO: Final = 1.3


@dataclass(frozen=True)
class Clinic:
    id: str
    bot: BotAccount


def _token(number: int) -> str:
    return BENCH_TOKEN if number == 0 else f"{7100000000 + number}:bench-clinic-{number}-token"


def declare_clinics(stack: Stack, count: int) -> tuple[list[Clinic], dict[str, str]]:
    """``count`` clinics in one emulator world and one sandbox: a bot, a staff group and a
    Treats key each, declared in ``CLINICS_DIR``; returns them and their secrets' variables."""
    folder = stack.folder / "clinics"
    folder.mkdir()
    body = render_clinic_toml(stack.sandbox)
    clinics, secrets = [], {}
    for number in range(count):
        clinic_id, prefix = f"c{number:04d}", f"C{number:04d}"
        if number == 0:  # the stack's own bot and staff group
            bot, staff_chat_id = stack.world.bot, stack.staff_chat_id
        else:
            bot = stack.world.add_bot(_token(number), username=f"bench_{clinic_id}_bot")
            bot.flood.configure(None)
            member = stack.world.person("Accueil", prefix, bot=bot)
            staff_chat_id = stack.world.group(
                f"Accueil {clinic_id}", [member], admins=[member], bot=bot
            ).id
        secrets[f"{prefix}_TOKEN"] = _token(number)
        secrets[f"{prefix}_TREATS_KEY"] = stack.sandbox.add_key(
            set(ALL_PERMISSIONS), hourly_quota=BENCH_HOURLY_QUOTA
        )
        (folder / f"{clinic_id}.toml").write_text(
            f'id = "{clinic_id}"\n{body}\n\n[bot]\n'
            f'telegram_token_env = "{prefix}_TOKEN"\n'
            f'treats_api_key_env = "{prefix}_TREATS_KEY"\n'
            f"staff_chat_id = {staff_chat_id}\n",
            encoding="utf-8",
        )
        clinics.append(Clinic(clinic_id, bot))
    return clinics, secrets


def group_environment(
    stack: Stack, secrets: dict[str, str], database_url: str | None, mode: str
) -> dict[str, str]:
    """`vetbot run`'s environment for the group: process-wide settings plus each clinic's
    secrets (no single-clinic TELEGRAM_BOT_TOKEN & co)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO_ROOT),
        "CLINICS_DIR": str(stack.folder / "clinics"),
        "TELEGRAM_API_URL": stack.telegram_url,
        "TREATS_API_URL": stack.treats_url,
        "VETBOT_DATA_DIR": str(stack.folder / "data"),
        "LOG_FORMAT": "text",
        **secrets,
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if mode == "webhook":
        with bind_loopback() as probe:
            port = probe.getsockname()[1]
        env["WEBHOOK_URL"] = f"http://127.0.0.1:{port}/hooks"
        env["WEBHOOK_PORT"] = str(port)
        env["WEBHOOK_LISTEN"] = "127.0.0.1"
    return env


def owners_for(
    stack: Stack, clinics: Sequence[Clinic], count: int
) -> tuple[list[SimulatedOwner], int]:
    """``count`` owners known to the sandbox, each with a distinct free slot, spread
    round-robin over at most ``SAMPLED_CLINICS`` evenly spaced clinics (returns how many)."""
    step = max(1, len(clinics) // SAMPLED_CLINICS)
    sample = list(clinics[::step])[:SAMPLED_CLINICS]
    enrolled = enrol_owners(stack.sandbox, stack.world, count)
    plans = distinct_slot_plans(stack.sandbox, count)
    owners = []
    for number, (e, (vet, when, slot)) in enumerate(zip(enrolled, plans, strict=True)):
        bot = sample[number % len(sample)].bot
        person = e.person if bot is stack.world.bot else stack.world.same_person_with(e.person, bot)
        plan = Plan(e.plan.pet, vet, when, slot=slot)
        owners.append(SimulatedOwner(person, plan, within=OWNER_PATIENCE_SECONDS))
    return owners, len(sample)


async def one_size(
    count: int,
    owners: int,
    database_url: str | None,
    mode: str,
    profile: Path | None = None,
) -> dict[str, Any]:
    """One group of ``count`` clinics: start-up, idle, booking, stop."""
    async with running_stack(flood_limits=False) as stack:
        clinics, secrets = declare_clinics(stack, count)
        env = group_environment(stack, secrets, database_url, mode)
        log = BotLog()
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(RUN_GROUP),
            mode,
            env=env,
            cwd=stack.folder,
            stderr=asyncio.subprocess.PIPE,
        )
        if stack.bot_core is not None:
            os.sched_setaffinity(process.pid, {stack.bot_core})
        assert process.stderr is not None
        reader = asyncio.create_task(log.follow(process.stderr))
        try:
            return await _measure(stack, clinics, owners, process, log, started, mode, profile)
        finally:
            if process.returncode is None:
                process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 60)
            if process.returncode is None:
                process.kill()
                await process.wait()
            await reader


async def _measure(
    stack: Stack,
    clinics: list[Clinic],
    owners: int,
    process: asyncio.subprocess.Process,
    log: BotLog,
    started: float,
    mode: str,
    profile: Path | None,
) -> dict[str, Any]:
    pid = process.pid

    def sampling(phase: str) -> contextlib.AbstractAsyncContextManager[None]:
        """py-spy on the bot for one phase, to ``{profile}-{clinics}-{phase}``."""
        if profile is None:
            return contextlib.nullcontext()
        return sampled(pid, profile.with_name(f"{profile.name}-{len(clinics)}-{phase}"))

    async def polled(bot: BotAccount) -> float:
        await bot.wait_for_call("setwebhook" if mode == "webhook" else "getupdates")
        return time.perf_counter() - started

    waiting = asyncio.gather(*(polled(clinic.bot) for clinic in clinics))
    exited = asyncio.ensure_future(process.wait())
    async with sampling("startup"):
        done, _ = await asyncio.wait(
            {waiting, exited}, timeout=READY_SECONDS, return_when="FIRST_COMPLETED"
        )
    if waiting not in done:
        waiting.cancel()
        exited.cancel()
        raise RuntimeError(
            f"{len(clinics)} clinics: not all polling after {READY_SECONDS:.0f} s "
            f"(exit {process.returncode}); bot errors: {log.last_errors}"
        )
    exited.cancel()
    ready = waiting.result()

    await asyncio.sleep(SETTLE_SECONDS)
    cpu_before = cpu_seconds(pid)
    await asyncio.sleep(IDLE_WINDOW_SECONDS)
    idle_cpu = (cpu_seconds(pid) - cpu_before) / IDLE_WINDOW_SECONDS
    idle = memory_kib(pid)

    people, booking_clinics = owners_for(stack, clinics, 2 * owners)
    warm, crowd = people[:owners], people[owners:]
    await asyncio.gather(*(owner.book() for owner in warm))
    await log.wait_for(sum(len(owner.steps) for owner in warm), timeout=60)
    crowd_from = len(log.updates)
    calls_before = [len(clinic.bot.calls) for clinic in clinics]
    cpu_before = cpu_seconds(pid)
    booking_started = time.perf_counter()
    async with sampling("booking"):
        outcomes = await asyncio.gather(*(owner.book() for owner in crowd))
    elapsed = time.perf_counter() - booking_started
    cpu = cpu_seconds(pid) - cpu_before
    steps = [step for owner in crowd for step in owner.steps]
    with contextlib.suppress(TimeoutError):
        await log.wait_for(crowd_from + len(steps), timeout=30)
    after = memory_kib(pid)
    calls = Counter(
        call.method
        for clinic, since in zip(clinics, calls_before, strict=True)
        for call in clinic.bot.calls[since:]
    )
    for owner in crowd:
        if owner.outcome is not Outcome.CONFIRMED:
            print(
                f"{owner.person.user.full_name}: {owner.outcome} ({owner.problem})",
                file=sys.stderr,
            )

    signalled = time.perf_counter()
    process.terminate()
    await asyncio.wait_for(process.wait(), 120)
    stopped = time.perf_counter() - signalled
    return {
        "clinics": len(clinics),
        "first_polling_s": min(ready),
        "all_polling_s": max(ready),
        "idle_rss_kib": idle["rss"],
        "idle_cpu_share": idle_cpu,
        "owners": len(crowd),
        "booking_clinics": booking_clinics,
        "bookings": outcomes.count(Outcome.CONFIRMED),
        "outcomes": dict(Counter(str(o) for o in outcomes)),
        "actions": len(steps),
        "seconds": elapsed,
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_update": cpu / max(len(steps), 1) * 1000,
        "bot_busy_share": cpu / elapsed,
        "latency_ms": percentiles([step.seconds for step in steps]),
        "bot_api_calls_per_update": sum(calls.values()) / max(len(steps), 1),
        "get_updates_per_update": calls["getupdates"] / max(len(steps), 1),
        "peak_rss_kib": after["peak"],
        "stop_s": stopped,
        "exit_code": process.returncode,
        "tracebacks": log.tracebacks,
        "errors": log.last_errors,
    }


@contextlib.asynccontextmanager
async def postgres_databases(wanted: bool, harness_cores: set[int]) -> AsyncIterator[Any]:
    """A throwaway PostgreSQL server (on the harness's cores, not the bot's) handing out a
    freshly migrated database per run; None when PostgreSQL is not measured."""
    if not wanted:
        yield None
        return
    from bot.store.db import DatabaseUrl
    from bot.store.schema import migrate
    from tests.support.postgres import PostgresServer

    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, harness_cores)  # its processes inherit this
    try:
        server = PostgresServer().start()
    finally:
        os.sched_setaffinity(0, everything)
    try:
        template = server.new_database()
        await asyncio.to_thread(migrate, DatabaseUrl.parse(template))
        name = template.rsplit("/", 1)[-1]
        yield lambda: server.new_database(template=name)
    finally:
        server.stop()


async def main_async(
    sizes: Sequence[int],
    databases: Sequence[str],
    owners: int,
    mode: str = "polling",
    profile: Path | None = None,
) -> list[dict]:
    cores = os.sched_getaffinity(0)
    ordered = sorted(cores)
    harness_cores = set(ordered[:-1]) if len(ordered) > 1 else cores
    results = []
    async with postgres_databases("postgresql" in databases, harness_cores) as new_pg:
        for database in databases:
            for count in sizes:
                url = new_pg() if database == "postgresql" else None
                where = profile.with_name(f"{profile.name}-{database}") if profile else None
                result = await one_size(count, owners, url, mode, where)
                result["database"] = database
                result["mode"] = mode
                results.append(result)
                print(
                    f"  {database} {count} clinics: all polling {result['all_polling_s']:.2f} s, "
                    f"RSS {result['idle_rss_kib'] / 1024:.1f} MiB, "
                    f"{result['bot_cpu_ms_per_update']:.2f} ms CPU/update, "
                    f"{result['bookings']}/{result['owners']} booked",
                    file=sys.stderr,
                    flush=True,
                )
    return results


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def report(results: list[dict], owners: int) -> str:
    lines = [
        f"machine: {describe_machine()}",
        f"mode: {results[0]['mode'] if results else '-'} (first poll / all poll: first "
        "getUpdates, or setWebhook in webhook mode)",
        f"one bot process per row; {owners} owners book at once (after a warm-up crowd of "
        f"{owners}), spread round-robin over the clinics, at most {SAMPLED_CLINICS} evenly "
        "spaced ones (column 'at'); latency is owner's action to the bot's first answer; "
        "polls/upd: getUpdates calls per update delivered during the measured crowd",
        "",
        f"{'db':<10} {'clinics':>7} {'first poll':>10} {'all poll':>9} {'idle RSS':>10} "
        f"{'MiB/+clinic':>11} {'idle CPU':>8} {'CPU/update':>10} {'vs 1':>7} "
        f"{'p50':>8} {'p99':>8} {'polls/upd':>9} {'booked':>9} {'at':>4} {'stop':>6} {'tb':>3}",
    ]
    by_db: dict[str, dict[int, dict]] = {}
    for r in results:
        by_db.setdefault(r["database"], {})[r["clinics"]] = r
    for database, rows in by_db.items():
        base = rows.get(1)
        for count, r in sorted(rows.items()):
            per_clinic = "-"
            drift = "-"
            if base is not None and count > 1:
                added = (r["idle_rss_kib"] - base["idle_rss_kib"]) / 1024 / (count - 1)
                per_clinic = f"{added:.2f}"
                change = r["bot_cpu_ms_per_update"] / base["bot_cpu_ms_per_update"] - 1
                drift = f"{change:+.0%}"
            lines.append(
                f"{database:<10} {count:>7} {r['first_polling_s']:>9.2f}s "
                f"{r['all_polling_s']:>8.2f}s {r['idle_rss_kib'] / 1024:>6.1f} MiB "
                f"{per_clinic:>11} {r['idle_cpu_share']:>8.1%} "
                f"{r['bot_cpu_ms_per_update']:>7.2f} ms {drift:>7} "
                f"{r['latency_ms']['p50']:>5.0f} ms {r['latency_ms']['p99']:>5.0f} ms "
                f"{r['get_updates_per_update']:>9.2f} "
                f"{r['bookings']:>4}/{r['owners']:<4} {r['booking_clinics']:>4} "
                f"{r['stop_s']:>5.1f}s {r['tracebacks']:>3}"
            )
    lines += ["", "aims (not asserted):"]
    for database, rows in by_db.items():
        base = rows.get(1)
        for count, r in sorted(rows.items()):
            if base is None or count == 1:
                continue
            added = (r["idle_rss_kib"] - base["idle_rss_kib"]) / 1024 / (count - 1)
            change = r["bot_cpu_ms_per_update"] / base["bot_cpu_ms_per_update"] - 1
            lines.append(
                f"  {database} {count:>3} clinics: {added:.2f} MiB idle per added clinic "
                f"(aim <= {AIM_MIB_PER_CLINIC:g}) {_mark(added <= AIM_MIB_PER_CLINIC)}; "
                f"CPU per update {change:+.0%} vs 1 clinic (aim within "
                f"{AIM_CPU_DRIFT:.0%}) {_mark(abs(change) <= AIM_CPU_DRIFT)}"
            )
        ready = rows.get(AIM_READY_CLINICS)
        if ready is not None:
            ok = ready["all_polling_s"] < AIM_READY_SECONDS
            lines.append(
                f"  {database} {AIM_READY_CLINICS} clinics all polling in "
                f"{ready['all_polling_s']:.2f} s (aim < {AIM_READY_SECONDS:g} s) {_mark(ok)}"
            )
    if "sqlite" in by_db and "postgresql" in by_db:
        for count, pg in sorted(by_db["postgresql"].items()):
            lite = by_db["sqlite"].get(count)
            if lite is None:
                continue
            ratio = pg["bot_cpu_ms_per_update"] / lite["bot_cpu_ms_per_update"]
            lines.append(
                f"  {count:>3} clinics: PostgreSQL/SQLite CPU per update {ratio:.2f}x "
                f"(aim <= {AIM_POSTGRES_RATIO:g}x) {_mark(ratio <= AIM_POSTGRES_RATIO)}"
            )
    errors = [(r["database"], r["clinics"], e) for r in results for e in r["errors"]]
    lines += [f"  bot error ({db}, {n} clinics): {e}" for db, n, e in errors]
    return "\n".join(lines)


def _sizes(text: str) -> tuple[int, ...]:
    sizes = tuple(int(part) for part in text.split(",") if part.strip())
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("clinic counts: positive whole numbers, e.g. 1,10")
    return sizes


def _databases(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names or any(name not in DATABASES for name in names):
        raise argparse.ArgumentTypeError(f"databases among {', '.join(DATABASES)}")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinics", type=_sizes, default=SIZES, help="e.g. 1,10,100,300")
    parser.add_argument("--db", type=_databases, default=DATABASES, help="sqlite,postgresql")
    parser.add_argument("--owners", type=int, default=DEFAULT_OWNERS)
    parser.add_argument(
        "--mode",
        choices=("polling", "webhook"),
        default="polling",
        help="how the clinics get their updates (vetbot run, or vetbot webhook)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="PREFIX",
        help="sample the bot with py-spy: collapsed stacks of start-up and booking to "
        "PREFIX-{db}-{clinics}-{startup,booking}, summarized at the end",
    )
    args = parser.parse_args()
    if args.profile:
        py_spy()  # fail now, not after the run
    sizes = args.clinics if 1 in args.clinics else (1, *args.clinics)  # the per-clinic base
    results = asyncio.run(
        main_async(sorted(set(sizes)), args.db, args.owners, args.mode, args.profile)
    )
    if args.json:
        print(json.dumps({"machine": describe_machine(), "runs": results}, indent=2))
    else:
        print(report(results, args.owners))
    if args.profile:
        for out in sorted(args.profile.parent.glob(f"{args.profile.name}-*")):
            print(f"\n== {out.name}\n{summarize(out)}")
    ok = all(r["bookings"] == r["owners"] and r["tracebacks"] == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
