"""Clinic group on several instances: 1, 2 and 3 bot processes sharing one PostgreSQL and the
clinics of one group through leases; throughput, CPU, the database round trips and the CPU the
coordination costs, and the takeover after a ``kill -9``.

Run from the repo root: ``python bench/cluster.py`` (``--instances 1,2,3``, ``--clinics 30``,
``--owners 150``, ``--no-profile``, ``--json``).

For each number of instances, a fresh Treats sandbox and a fresh emulated Telegram run in this
process (bench/harness.py ``running_stack``), ``--clinics`` clinics are declared in a
``CLINICS_DIR`` (bench/clinics.py ``declare_clinics``), and the instances are started at once as
separate processes of bench/run_group.py (the group runtime of ``vetbot run``, polling, flood
limits lifted) on one freshly migrated database of a throwaway PostgreSQL server. With two
cores, every instance shares the bot core and PostgreSQL shares the harness's.

- **Ready**: from the start until every clinic is served and the shares are balanced, by the
  instances' logs (``took [...]``, ``gave back [...]``, ``lease of clinic X lost`` and each
  clinic's ``serving as @...`` on its holder).
- **Lease traffic when idle**: the statements the lease rounds send over a few idle seconds
  (``pg_stat_statements``, per instance and per 2 s round).
- **Booking**: simulated owners (tests/support/owners.py) book through the real flow, spread
  round-robin over every clinic: a warm-up crowd, then the measured crowd of as many owners at
  once. CPU per update is the CPU time (/proc) of all the instance processes over the measured
  crowd divided by the owners' actions; latency is from an owner's action to the bot's first
  answer.
- **Round trips**: ``pg_stat_statements`` (preloaded into the throwaway server, ``track =
  all``) reset before the measured crowd and read after it; each execution is one round trip
  (the bot's connection is in autocommit, psycopg sends each statement, BEGIN and COMMIT on
  their own). Statements naming ``instances``, ``clinic_leases`` or ``update_inbox`` are
  coordination: the fence's ``SELECT ... FOR SHARE`` in each write transaction, and the lease
  rounds.
- **Coordination CPU**: py-spy samples every instance (``--nonblocking``: the processes are
  never paused) over the measured crowd; a sample is coordination when its stack is in
  bot/store/leases.py, in the fence block of ``PostgresDatabase.transaction``, or in the
  lease keeper (bot/launch/leasing.py) but not in the bots it starts or stops. Its share of
  the samples, times the instances' CPU, over the actions. A second estimate ("probe"): the
  fence's SELECT timed 1,000 times here (``time.thread_time``, the wait for the answer
  excluded) times the coordination round trips per update.
- **Takeover** (2 instances or more): a third crowd books, and when about a third of its
  actions are answered the last instance is killed (``kill -9``). Takeover is the time from
  the kill until every clinic it held has called getUpdates on another instance (the
  emulator's record of each bot's calls); the lag is the longest an owner of one of those
  clinics waited for an answer in that crowd.
- **No booking lost or doubled**: every owner of every crowd has at most one appointment in
  the sandbox, each owner told "confirmé" has one, and the sandbox's new appointments equal
  the owners who have one. The exit status is non-zero otherwise, or when an owner of the
  warm-up or measured crowd was not confirmed, or an owner of the takeover crowd ended with
  neither a confirmation, nor "la clinique vérifie", nor an appointment.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import inspect
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from clinics import (  # type: ignore[import-not-found]
    RUN_GROUP,
    Clinic,
    declare_clinics,
    group_environment,
)
from harness import (  # type: ignore[import-not-found]
    Stack,
    Tracebacks,
    cpu_seconds,
    describe_machine,
    memory_kib,
    percentiles,
    running_stack,
)
from load import _UPDATE_LINE  # type: ignore[import-not-found]
from sampling import py_spy, sampled  # type: ignore[import-not-found]

from bot.launch.leasing import LEASE_ROUND, LEASE_TTL
from bot.store.db import PostgresDatabase
from bot.store.leases import fair_share
from tests.support.owners import Outcome, Plan, SimulatedOwner, distinct_slot_plans, enrol_owners
from tests.support.postgres import PostgresServer

DEFAULT_INSTANCES: Final = (1, 2, 3)
DEFAULT_CLINICS: Final = 30
DEFAULT_OWNERS: Final = 150
READY_SECONDS: Final = 120.0
SETTLE_SECONDS: Final = 2.0
IDLE_WINDOW_SECONDS: Final = 6.0
"""Three lease rounds: the idle lease traffic is read over this."""
OWNER_PATIENCE_SECONDS: Final = 60.0
TAKEOVER_PATIENCE_SECONDS: Final = 30.0
"""An owner of the takeover crowd whose action gets no answer in this time (an update lost
with the killed instance) starts again with /start, as a person would."""
KILL_AFTER_SHARE: Final = 1 / 3
"""The instance is killed once this share of the takeover crowd's actions are answered."""
SETTLE_APPOINTMENTS_SECONDS: Final = 20.0
"""After the takeover crowd: how long a booking left in flight may take to be settled."""
SAMPLE_RATE: Final = 200
STEPS_PER_BOOKING: Final = 9

AIM_ROUND_TRIPS: Final = 2.0
AIM_COORDINATION_MS: Final = 1.0

_TOOK: Final = re.compile(r"took (\[[^\]]*\])")
_GAVE_BACK: Final = re.compile(r"gave back (\[[^\]]*\])")
_LOST: Final = re.compile(r"lease of clinic (\S+) lost")
_SERVING: Final = re.compile(r"clinic=(\S+) .*serving as @")
_COORDINATION_TABLES: Final = re.compile(r"\b(instances|clinic_leases|update_inbox)\b")


# -- PostgreSQL with pg_stat_statements --------------------------------------------------------


class StatementCountingServer(PostgresServer):
    """The tests' throwaway server, with ``pg_stat_statements`` preloaded (written into the
    data directory's postgresql.conf between initdb and the start)."""

    def _initdb(self) -> None:
        super()._initdb()
        with (self._data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\nshared_preload_libraries = 'pg_stat_statements'\n"
                "pg_stat_statements.track = 'all'\n"
                "pg_stat_statements.track_utility = on\n"
                "pg_stat_statements.max = 5000\n"
            )


@dataclass
class Postgres:
    server: PostgresServer
    template: str
    counting: bool
    """Whether pg_stat_statements is there (else round trips are not measured)."""

    def new_database(self) -> str:
        return self.server.new_database(template=self.template)

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.server.admin_url, autocommit=True)

    def reset(self) -> None:
        if self.counting:
            with self._admin() as conn:
                conn.execute("SELECT pg_stat_statements_reset()")

    def statements(self, url: str) -> list[tuple[str, int, float]]:
        """(query, calls, total execution ms) of every statement run in ``url``'s database
        since the last reset."""
        if not self.counting:
            return []
        name = url.rsplit("/", 1)[-1]
        with self._admin() as conn:
            rows = conn.execute(
                """SELECT s.query, s.calls, s.total_exec_time FROM pg_stat_statements s
                JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s""",
                (name,),
            ).fetchall()
        return [(str(q), int(c), float(t)) for q, c, t in rows]


@contextlib.asynccontextmanager
async def postgres(harness_cores: set[int]) -> AsyncIterator[Postgres]:
    """A throwaway server on the harness's cores, and a migrated template database."""
    from bot.store.db import DatabaseUrl
    from bot.store.schema import migrate

    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, harness_cores)  # its processes inherit this
    counting = True
    try:
        try:
            server: PostgresServer = StatementCountingServer().start()
        except Exception as error:  # no pg_stat_statements here: go without
            print(f"pg_stat_statements unavailable ({error}); no round trips", file=sys.stderr)
            server, counting = PostgresServer().start(), False
    finally:
        os.sched_setaffinity(0, everything)
    try:
        if counting:
            import psycopg

            with psycopg.connect(server.admin_url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        template = server.new_database()
        await asyncio.to_thread(migrate, DatabaseUrl.parse(template))
        yield Postgres(server, template.rsplit("/", 1)[-1], counting)
    finally:
        server.stop()


def classify(query: str) -> str:
    """What a statement is for: fence, lease round, inbox, clinic lock, transaction, data.

    The fence rides on the clinic's lock (``bot.store.db``: one statement takes the lock and
    checks the lease), which every write transaction sends anyway: counted as the clinic lock,
    as it costs no round trip of its own; "fence" is a fence sent on its own (older vetbots)."""
    text = " ".join(query.split()).lower()
    if "pg_advisory_xact_lock" in text:
        return "clinic lock"
    if "clinic_leases" in text and "for share" in text:
        return "fence"
    if "update_inbox" in text:
        return "inbox"
    if _COORDINATION_TABLES.search(text):
        return "lease round"
    if text in ("begin", "commit", "rollback") or text.startswith(("begin ", "savepoint")):
        return "transaction"
    return "data"


COORDINATION: Final = ("fence", "lease round", "inbox")


def tally(rows: list[tuple[str, int, float]]) -> dict[str, dict[str, float]]:
    """Calls and execution ms by kind of statement."""
    kinds: dict[str, dict[str, float]] = {}
    for query, calls, ms in rows:
        kind = kinds.setdefault(classify(query), {"calls": 0, "ms": 0.0})
        kind["calls"] += calls
        kind["ms"] += ms
    return kinds


# -- instances -----------------------------------------------------------------------------------


@dataclass
class Instance:
    """One bot process of the group, its log read as it comes."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    updates: int = 0
    errors: Tracebacks = field(default_factory=Tracebacks)
    _grew: asyncio.Condition = field(default_factory=asyncio.Condition)
    _reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    async def follow(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            text = line.decode(errors="replace")
            self.errors.read(text)
            async with self._grew:
                self.lines.append(text)
                if _UPDATE_LINE.search(text):
                    self.updates += 1
                self._grew.notify_all()

    def held(self) -> set[str]:
        """The clinics this instance holds, by its log."""
        held: set[str] = set()
        for line in self.lines:
            if found := _TOOK.search(line):
                held |= set(ast.literal_eval(found[1]))
            elif found := _GAVE_BACK.search(line):
                held -= set(ast.literal_eval(found[1]))
            elif found := _LOST.search(line):
                held.discard(found[1])
        return held

    def serving(self, clinic_id: str) -> bool:
        """Whether the clinic's bot started here after this instance last took it."""
        took = served = 0
        for line in self.lines:
            if (found := _TOOK.search(line)) and clinic_id in ast.literal_eval(found[1]):
                took += 1
            elif (found := _SERVING.search(line)) and found[1] == clinic_id:
                served += 1
        return took > 0 and served >= took


async def until(
    instances: Sequence[Instance],
    check: Callable[[], bool],
    what: str,
    timeout: float = READY_SECONDS,  # noqa: ASYNC109
) -> None:
    """Until ``check()`` holds; checked again at each new log line of any instance."""

    async def watch(instance: Instance, done: asyncio.Event) -> None:
        async with instance._grew:
            await instance._grew.wait_for(lambda: done.is_set() or check())
        done.set()

    done = asyncio.Event()
    watchers = [asyncio.create_task(watch(i, done)) for i in instances]
    try:
        async with asyncio.timeout(timeout):
            await done.wait()
    except TimeoutError:
        tails = "\n".join(line.rstrip() for i in instances for line in i.lines[-5:])
        raise RuntimeError(f"{what}: not after {timeout:.0f} s; logs end:\n{tails}") from None
    finally:
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)


def balanced(instances: Sequence[Instance], clinic_ids: set[str]) -> bool:
    """Every clinic held by one instance and served there, no instance over its share."""
    share = fair_share(len(clinic_ids), len(instances))
    held = [i.held() for i in instances]
    if sum(len(h) for h in held) != len(clinic_ids) or set().union(*held) != clinic_ids:
        return False
    if any(len(h) > share for h in held):
        return False
    return all(i.serving(cid) for i, h in zip(instances, held, strict=True) for cid in h)


async def start_instance(env: dict[str, str], stack: Stack) -> Instance:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(RUN_GROUP),
        "polling",
        env=env,
        cwd=stack.folder,
        stderr=asyncio.subprocess.PIPE,
    )
    if stack.bot_core is not None:
        os.sched_setaffinity(process.pid, {stack.bot_core})
    instance = Instance(process)
    instance._reader = asyncio.create_task(instance.follow())
    return instance


async def close(instance: Instance) -> None:
    if instance.process.returncode is None:
        instance.process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(instance.process.wait(), 60)
    if instance.process.returncode is None:
        instance.process.kill()
        await instance.process.wait()
    if instance._reader is not None:
        await instance._reader


# -- owners ---------------------------------------------------------------------------------------


@dataclass
class Booker:
    owner: SimulatedOwner
    client_id: str
    clinic: str
    started_again: bool = False
    """Got no answer across the kill, had no booking, and started again with /start."""


def bookers(stack: Stack, clinics: Sequence[Clinic], count: int) -> list[Booker]:
    """``count`` owners known to the sandbox, each with a distinct free slot, spread
    round-robin over every clinic."""
    enrolled = enrol_owners(stack.sandbox, stack.world, count)
    plans = distinct_slot_plans(stack.sandbox, count)
    made = []
    for number, (e, (vet, when, slot)) in enumerate(zip(enrolled, plans, strict=True)):
        clinic = clinics[number % len(clinics)]
        bot = clinic.bot
        person = e.person if bot is stack.world.bot else stack.world.same_person_with(e.person, bot)
        owner = SimulatedOwner(
            person, Plan(e.plan.pet, vet, when, slot=slot), within=OWNER_PATIENCE_SECONDS
        )
        made.append(Booker(owner, e.client_id, clinic.id))
    return made


def outcomes(crowd: Sequence[Booker]) -> dict[str, int]:
    return dict(Counter(str(b.owner.outcome) for b in crowd))


# -- coordination CPU by py-spy ----------------------------------------------------------------


def _fence_lines() -> tuple[int, int]:
    """The lines of ``PostgresDatabase.transaction`` that check the fence (with the clinic's
    lock taken in the same statement: its CPU is counted in, an upper bound)."""
    source, first = inspect.getsourcelines(inspect.unwrap(PostgresDatabase.transaction))
    fenced = next(n for n, line in enumerate(source) if "if fence is None" in line)
    start = next(n for n, line in enumerate(source) if n > fenced and line.strip() == "else:")
    end = next(n for n, line in enumerate(source) if n > start and line.strip() == "yield")
    return first + start, first + end - 1


_FRAME: Final = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*):(?P<line>\d+)\)$")


def coordination_share(outs: Sequence[Path]) -> tuple[int, int]:
    """(coordination samples, all samples) over py-spy's raw outputs."""
    low, high = _fence_lines()
    total = coordination = 0
    for out in outs:
        if not out.exists():
            continue
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            samples = int(count)
            total += samples
            in_keeper = in_apply = False
            hit = False
            for frame in stack.split(";"):
                found = _FRAME.match(frame.strip())
                if found is None:
                    continue
                path, number = found["path"], int(found["line"])
                function = found["function"].rsplit(".", 1)[-1]  # py-spy: Class.method
                if path.endswith("bot/store/leases.py"):
                    hit = True
                elif path.endswith("bot/store/db.py") and function == "transaction":
                    hit = hit or low <= number <= high
                elif path.endswith("bot/launch/leasing.py"):
                    in_keeper = True
                elif in_keeper and path.endswith("bot/launch/group.py") and function == "_apply":
                    in_apply = True
            if hit or (in_keeper and not in_apply):
                coordination += samples
    return coordination, total


FENCE_PROBES: Final = 1000


def fence_cpu_us(url: str) -> float:
    """This thread's CPU per fence check (the fence's SELECT, executed and fetched as
    ``PostgresDatabase.transaction`` does, on the same kind of connection), in µs: what one
    fenced transaction costs its instance beyond an unfenced one, the wait for the answer
    excluded."""
    from bot.store.db import DatabaseUrl

    database = PostgresDatabase.open(DatabaseUrl.parse(url))
    try:
        conn = database._live()
        row = conn.execute(
            "SELECT clinic_id, holder, epoch FROM clinic_leases ORDER BY holder NULLS LAST LIMIT 1"
        ).fetchone()
        params = (row[0], row[1] or "", row[2])
        query = """SELECT 1 FROM clinic_leases WHERE clinic_id = %s AND holder = %s
                    AND epoch = %s AND expires_at > now() FOR SHARE"""
        for _ in range(50):  # prepared by psycopg after a few, as in a long-running instance
            conn.execute(query, params).fetchone()
        started = time.thread_time()
        for _ in range(FENCE_PROBES):
            conn.execute(query, params).fetchone()
        return (time.thread_time() - started) / FENCE_PROBES * 1e6
    finally:
        database.close()


@contextlib.asynccontextmanager
async def sampling(pids: Sequence[int], folder: Path | None) -> AsyncIterator[list[Path]]:
    """py-spy on each process until the block exits, raw stacks to ``folder`` (None: no
    sampling)."""
    outs: list[Path] = []
    if folder is None:
        yield outs
        return
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    async with contextlib.AsyncExitStack() as recording:
        for pid in pids:
            out = folder / f"py-spy-{pid}.txt"
            outs.append(out)
            await recording.enter_async_context(sampled(pid, out, rate=SAMPLE_RATE, alongside=True))
        yield outs


# -- one run ---------------------------------------------------------------------------------------


async def one_run(
    count: int, clinic_count: int, owners: int, pg: Postgres, profile: Path | None
) -> dict[str, Any]:
    async with running_stack(flood_limits=False) as stack:
        clinics, secrets = declare_clinics(stack, clinic_count)
        url = pg.new_database()
        env = group_environment(stack, secrets, url, "polling")
        started = time.perf_counter()
        instances = [await start_instance(env, stack) for _ in range(count)]
        try:
            return await _measure(stack, clinics, owners, instances, started, pg, url, profile)
        finally:
            for instance in instances:
                await close(instance)


async def _measure(
    stack: Stack,
    clinics: list[Clinic],
    owners: int,
    instances: list[Instance],
    started: float,
    pg: Postgres,
    url: str,
    profile: Path | None,
) -> dict[str, Any]:
    ids = {clinic.id for clinic in clinics}
    by_id = {clinic.id: clinic for clinic in clinics}
    await until(instances, lambda: balanced(instances, ids), "every clinic served, balanced")
    ready = time.perf_counter() - started
    shares = [len(i.held()) for i in instances]

    # Idle: the lease rounds' own traffic.
    await asyncio.sleep(SETTLE_SECONDS)
    pg.reset()
    idle_started = time.perf_counter()
    await asyncio.sleep(IDLE_WINDOW_SECONDS)
    idle_seconds = time.perf_counter() - idle_started
    idle = tally(pg.statements(url))
    rounds = len(instances) * idle_seconds / LEASE_ROUND.total_seconds()
    idle_rss = [memory_kib(i.pid)["rss"] for i in instances]

    crowds = 3 if len(instances) > 1 else 2
    everyone = bookers(stack, clinics, crowds * owners)
    warm, crowd, takeover_crowd = (
        everyone[:owners],
        everyone[owners : 2 * owners],
        everyone[2 * owners :],
    )
    appointments_before = len(stack.sandbox.appointments)

    await asyncio.gather(*(b.owner.book() for b in warm))
    warm_steps = sum(len(b.owner.steps) for b in warm)
    with contextlib.suppress(RuntimeError):  # the update lines trail the answers
        await until(instances, lambda: sum(i.updates for i in instances) >= warm_steps, "", 30)

    # The measured crowd.
    pids = [i.pid for i in instances]
    calls_before = {c.id: len(c.bot.calls) for c in clinics}
    pg.reset()
    where = None if profile is None else profile / f"{len(instances)}-instances"
    async with sampling(pids, where) as outs:
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        booking_started = time.perf_counter()
        await asyncio.gather(*(b.owner.book() for b in crowd))
        elapsed = time.perf_counter() - booking_started
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    statements = tally(pg.statements(url))
    steps = [step for b in crowd for step in b.owner.steps]
    actions = max(len(steps), 1)
    polls = sum(
        1
        for c in clinics
        for call in c.bot.calls[calls_before[c.id] :]
        if call.method == "getupdates"
    )
    coordination_samples, samples = coordination_share(outs)
    coordination_ms = coordination_samples / samples * cpu / actions * 1000 if samples else None
    peak_rss = [memory_kib(i.pid)["peak"] for i in instances]
    probe_us = await asyncio.to_thread(fence_cpu_us, url)
    coordination_calls = sum(statements.get(k, {}).get("calls", 0) for k in COORDINATION)

    takeover = None
    if len(instances) > 1:
        takeover = await _takeover(stack, instances, by_id, takeover_crowd)

    # Every booking made once: appointments per owner, in the sandbox.
    everyone_done = warm + crowd + (takeover_crowd if takeover is not None else [])
    deadline = time.perf_counter() + SETTLE_APPOINTMENTS_SECONDS
    while True:
        check = _appointments(stack, everyone_done, appointments_before)
        if check["lost"] == 0 and check["doubled"] == 0 and check["unsettled"] == 0:
            break
        if time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.5)  # a booking left in flight is settled by the new holder
    for b in everyone_done:
        if b.owner.outcome is not Outcome.CONFIRMED:
            print(
                f"  {b.clinic} {b.owner.person.user.full_name}: {b.owner.outcome} "
                f"({b.owner.problem})",
                file=sys.stderr,
            )

    all_calls = sum(kind["calls"] for kind in statements.values())
    return {
        "instances": len(instances),
        "clinics": len(clinics),
        "ready_s": ready,
        "shares": shares,
        "idle_rss_kib": idle_rss,
        "idle_lease_statements_per_round": (
            sum(idle.get(k, {}).get("calls", 0) for k in COORDINATION) / rounds
            if pg.counting
            else None
        ),
        "idle_statements": idle,
        "owners": len(crowd),
        "actions": len(steps),
        "seconds": elapsed,
        "bookings_per_s": sum(b.owner.outcome is Outcome.CONFIRMED for b in crowd) / elapsed,
        "updates_per_s": len(steps) / elapsed,
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_update": cpu / actions * 1000,
        "latency_ms": percentiles([step.seconds for step in steps]),
        "warm_outcomes": outcomes(warm),
        "outcomes": outcomes(crowd),
        "confirmed": sum(b.owner.outcome is Outcome.CONFIRMED for b in crowd),
        "polls_per_update": polls / actions,
        "round_trips_per_update": all_calls / actions if pg.counting else None,
        "transactions_per_update": (
            statements.get("transaction", {}).get("calls", 0) / 2 / actions if pg.counting else None
        ),
        "coordination_round_trips_per_update": (
            coordination_calls / actions if pg.counting else None
        ),
        "fence_per_update": statements.get("fence", {}).get("calls", 0) / actions,
        "lease_round_per_update": statements.get("lease round", {}).get("calls", 0) / actions,
        "coordination_db_ms_per_update": sum(
            statements.get(k, {}).get("ms", 0.0) for k in COORDINATION
        )
        / actions,
        "statements": statements,
        "coordination_samples": coordination_samples,
        "samples": samples,
        "coordination_cpu_ms_per_update": coordination_ms,
        "fence_cpu_us": probe_us,
        "coordination_cpu_ms_per_update_probe": (
            probe_us * coordination_calls / actions / 1000 if pg.counting else None
        ),
        "idle_seconds": idle_seconds,
        "peak_rss_kib": peak_rss,
        "takeover": takeover,
        "appointments": check,
        "tracebacks": sum(i.errors.count for i in instances),
        "errors": [e for i in instances for e in i.errors.last_lines],
    }


async def _takeover(
    stack: Stack,
    instances: list[Instance],
    by_id: dict[str, Clinic],
    crowd: list[Booker],
) -> dict[str, Any]:
    """The takeover crowd: the last instance killed while they book."""
    victim = instances[-1]

    async def book(b: Booker) -> None:
        b.owner.within = TAKEOVER_PATIENCE_SECONDS
        if await b.owner.book() is Outcome.SILENT and not stack.sandbox.appointments_for(
            b.client_id
        ):
            b.started_again = True
            await b.owner.book()

    handled = sum(i.updates for i in instances)
    booking = asyncio.gather(*(book(b) for b in crowd))
    wanted = handled + KILL_AFTER_SHARE * len(crowd) * STEPS_PER_BOOKING
    await until(instances, lambda: sum(i.updates for i in instances) >= wanted, "a third booked")
    moved = sorted(victim.held())
    in_flight = sum(1 for b in crowd if b.clinic in moved and b.owner.outcome is None)
    victim.process.send_signal(signal.SIGKILL)
    killed_at = time.perf_counter()
    await victim.process.wait()
    since = {cid: len(by_id[cid].bot.calls) for cid in moved}

    async def polled_again(cid: str) -> float:
        await by_id[cid].bot.wait_for_call("getupdates", since=since[cid])
        return time.perf_counter() - killed_at

    survivors = instances[:-1]
    try:
        async with asyncio.timeout(READY_SECONDS):
            polled = await asyncio.gather(*(polled_again(cid) for cid in moved))
    except TimeoutError:
        polled = []
    try:
        await until(
            survivors,
            lambda: set(moved) <= set().union(*(i.held() for i in survivors)),
            "the killed instance's clinics taken",
            30,
        )
        taken = time.perf_counter() - killed_at
    except RuntimeError:
        taken = None
    await booking
    lag = [s.seconds for b in crowd if b.clinic in moved for s in b.owner.steps]
    return {
        "killed_pid": victim.pid,
        "moved_clinics": len(moved),
        "owners_of_moved_clinics_in_flight": in_flight,
        "all_polling_again_s": max(polled) if len(polled) == len(moved) and polled else None,
        "first_polling_again_s": min(polled) if polled else None,
        "taken_by_log_s": taken,
        "max_wait_moved_owner_ms": max(lag) * 1000 if lag else None,
        "latency_moved_ms": percentiles(lag),
        "owners": len(crowd),
        "outcomes": outcomes(crowd),
        "confirmed": sum(b.owner.outcome is Outcome.CONFIRMED for b in crowd),
        "started_again": sum(b.started_again for b in crowd),
        "refused_409": sum(1 for c in by_id.values() for r in c.bot.refused if r.error_code == 409),
    }


def _appointments(stack: Stack, owners: Sequence[Booker], before: int) -> dict[str, int]:
    per_owner = [len(stack.sandbox.appointments_for(b.client_id)) for b in owners]
    confirmed = [b.owner.outcome is Outcome.CONFIRMED for b in owners]
    return {
        "owners": len(owners),
        "confirmed": sum(confirmed),
        "with_appointment": sum(1 for n in per_owner if n > 0),
        "new_appointments": len(stack.sandbox.appointments) - before,
        "of_owners": sum(per_owner),
        "doubled": sum(1 for n in per_owner if n > 1),
        "lost": sum(1 for n, ok in zip(per_owner, confirmed, strict=True) if ok and n == 0),
        "unsettled": sum(
            1
            for n, b in zip(per_owner, owners, strict=True)
            if n == 0 and b.owner.outcome not in (Outcome.CONFIRMED, Outcome.UNCERTAIN)
        ),
    }


# -- report --------------------------------------------------------------------------------------


def failures(r: dict[str, Any]) -> list[str]:
    found = []
    a = r["appointments"]
    if a["doubled"]:
        found.append(f"{a['doubled']} owner(s) booked twice")
    if a["lost"]:
        found.append(f"{a['lost']} confirmed booking(s) missing from Treats")
    if a["new_appointments"] != a["of_owners"]:
        found.append(
            f"{a['new_appointments']} new appointments in Treats, {a['of_owners']} of the owners"
        )
    if a["unsettled"]:
        found.append(f"{a['unsettled']} owner(s) with no answer and no booking")
    if r["confirmed"] != r["owners"] or r["warm_outcomes"] != {"confirmed": r["owners"]}:
        found.append("not every owner of the warm-up and measured crowds was confirmed")
    return found


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def report(results: list[dict[str, Any]], owners: int, profile: bool, cores: int) -> str:
    pinned = (
        "every instance pinned to the one bot core (they share it); PostgreSQL, the emulator, "
        "the sandbox and the owners on the other core(s)"
        if cores > 1
        else "one core: instances, PostgreSQL and the harness share it"
    )
    lines = [
        f"machine: {describe_machine()}",
        f"polling, PostgreSQL; {pinned}; lease round {LEASE_ROUND.total_seconds():g} s, "
        f"lease time {LEASE_TTL.total_seconds():g} s",
        f"{owners} owners book at once (after a warm-up crowd of {owners}), round-robin over "
        "every clinic; CPU is the sum of all instances' CPU over the measured crowd; "
        "RT: database round trips (pg_stat_statements executions) per update, 'coord' those "
        "on instances / clinic_leases / update_inbox; tx: write transactions per update",
        "",
        f"{'inst':>4} {'clinics':>7} {'ready':>6} {'shares':>10} {'book/s':>6} {'upd/s':>6} "
        f"{'CPU/upd':>8} {'p50':>7} {'p99':>7} {'booked':>8} {'RT':>5} {'tx':>5} "
        f"{'coordRT':>7} {'fence':>5} {'lease':>5} {'coordCPU spy/probe':>18} "
        f"{'idle lease stmts/round':>22}",
    ]
    for r in results:
        lines.append(
            f"{r['instances']:>4} {r['clinics']:>7} {r['ready_s']:>5.1f}s "
            f"{'/'.join(map(str, r['shares'])):>10} {r['bookings_per_s']:>6.1f} "
            f"{r['updates_per_s']:>6.0f} {r['bot_cpu_ms_per_update']:>5.2f} ms "
            f"{r['latency_ms']['p50']:>4.0f} ms {r['latency_ms']['p99']:>4.0f} ms "
            f"{r['confirmed']:>3}/{r['owners']:<4} "
            f"{_ms(r['round_trips_per_update'], 1):>5} {_ms(r['transactions_per_update']):>5} "
            f"{_ms(r['coordination_round_trips_per_update']):>7} "
            f"{r['fence_per_update']:>5.2f} {r['lease_round_per_update']:>5.2f} "
            f"{_ms(r['coordination_cpu_ms_per_update'], 3):>5} / "
            f"{_ms(r['coordination_cpu_ms_per_update_probe'], 3):>5} ms "
            f"{_ms(r['idle_lease_statements_per_round'], 1):>22}"
        )
    lines += [
        "",
        "takeover (kill -9 of the last instance when a third of a fresh crowd's actions are "
        "answered; 'polling again': until every clinic it held called getUpdates on another "
        "instance; 'max wait': the longest an owner of those clinics waited for an answer; "
        f"'again': owners whose action got no answer in {TAKEOVER_PATIENCE_SECONDS:g} s and "
        "who started again with /start (0 expected: what the killed instance had fetched is "
        "in the inbox for the next holder); 409s: getUpdates refused as polled from two "
        "places):",
        f"{'inst':>4} {'moved':>5} {'in flight':>9} {'first poll':>10} {'all poll':>9} "
        f"{'taken (log)':>11} {'max wait':>9} {'p50 moved':>9} {'booked':>8} {'again':>5} "
        f"{'409s':>5}",
    ]
    for r in results:
        t = r["takeover"]
        if t is None:
            continue
        wait = t["max_wait_moved_owner_ms"]
        lines.append(
            f"{r['instances']:>4} {t['moved_clinics']:>5} "
            f"{t['owners_of_moved_clinics_in_flight']:>9} "
            f"{_s(t['first_polling_again_s']):>10} {_s(t['all_polling_again_s']):>9} "
            f"{_s(t['taken_by_log_s']):>11} "
            f"{_s(None if wait is None else wait / 1000):>9} "
            f"{t['latency_moved_ms']['p50']:>6.0f} ms "
            f"{t['confirmed']:>3}/{t['owners']:<4} {t['started_again']:>5} {t['refused_409']:>5}"
        )
    lines += ["", "bookings in Treats (every crowd of the run):"]
    for r in results:
        a = r["appointments"]
        lines.append(
            f"  {r['instances']} instance(s): {a['owners']} owners, {a['confirmed']} told "
            f"confirmed, {a['with_appointment']} with an appointment, {a['new_appointments']} "
            f"new appointments; doubled {a['doubled']}, lost {a['lost']}, "
            f"unanswered without booking {a['unsettled']} "
            f"{_mark(not failures(r))}"
        )
        if r["takeover"] is not None and r["takeover"]["outcomes"] != {
            "confirmed": r["takeover"]["owners"]
        }:
            lines.append(f"    takeover crowd outcomes: {r['takeover']['outcomes']}")
    lines += ["", "round trips per update by kind (measured crowd):"]
    for r in results:
        parts = ", ".join(
            f"{kind} {value['calls'] / max(r['actions'], 1):.2f}"
            for kind, value in sorted(r["statements"].items())
        )
        lines.append(f"  {r['instances']} instance(s): {parts or '(not measured)'}")
    lines += [
        "",
        "coordination CPU: 'spy' = py-spy's share of samples in the fenced clinic lock, the lease "
        "table and the lease keeper, times the instances' CPU; 'probe' = the fence SELECT's "
        "client CPU measured in this process (µs below) times coordination round trips",
        "idle (no owner; every instance's background loops and lease rounds), statements per "
        "second:",
    ]
    for r in results:
        seconds = r["idle_seconds"]
        parts = ", ".join(
            f"{kind} {value['calls'] / seconds:.1f}"
            for kind, value in sorted(r["idle_statements"].items())
        )
        lines.append(
            f"  {r['instances']} instance(s), {r['clinics']} clinics: {parts or '(not measured)'}"
            f"; fence probe {r['fence_cpu_us']:.0f} µs CPU"
        )
    lines += ["", "aims (not asserted):"]
    for r in results:
        rt = r["coordination_round_trips_per_update"]
        cpu = r["coordination_cpu_ms_per_update"]
        probe = r["coordination_cpu_ms_per_update_probe"]
        rt_ok = rt is not None and rt <= AIM_ROUND_TRIPS
        cpu_ok = cpu is not None and cpu <= AIM_COORDINATION_MS
        lines.append(
            f"  {r['instances']} instance(s): coordination {_ms(rt)} round trips per update "
            f"(aim <= {AIM_ROUND_TRIPS:g}) {_mark(rt_ok)}; {_ms(cpu, 3)} ms CPU per update "
            f"(py-spy {r['coordination_samples']} of {r['samples']} samples; probe "
            f"{_ms(probe, 3)} ms; aim <= {AIM_COORDINATION_MS:g}) "
            f"{_mark(cpu_ok) if profile else '(not sampled)'}"
        )
    for r in results:
        lines += [f"  bot error ({r['instances']} instances): {e}" for e in r["errors"]]
    return "\n".join(lines)


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _counts(text: str) -> tuple[int, ...]:
    counts = tuple(int(part) for part in text.split(",") if part.strip())
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("instance counts: positive whole numbers, e.g. 1,2,3")
    return counts


async def main_async(
    counts: Sequence[int], clinics: int, owners: int, profile: Path | None
) -> list[dict[str, Any]]:
    ordered = sorted(os.sched_getaffinity(0))
    harness_cores = set(ordered[:-1]) if len(ordered) > 1 else set(ordered)
    results = []
    async with postgres(harness_cores) as pg:
        for count in counts:
            result = await one_run(count, clinics, owners, pg, profile)
            results.append(result)
            print(
                f"  {count} instance(s): ready {result['ready_s']:.1f} s, "
                f"{result['bot_cpu_ms_per_update']:.2f} ms CPU/update, "
                f"{result['confirmed']}/{result['owners']} booked",
                file=sys.stderr,
                flush=True,
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=_counts, default=DEFAULT_INSTANCES, help="e.g. 1,2,3")
    parser.add_argument("--clinics", type=int, default=DEFAULT_CLINICS)
    parser.add_argument("--owners", type=int, default=DEFAULT_OWNERS)
    parser.add_argument(
        "--no-profile", action="store_true", help="no py-spy: coordination CPU not estimated"
    )
    parser.add_argument(
        "--samples",
        type=Path,
        metavar="DIR",
        help="keep py-spy's raw stacks there (default: a temporary folder)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    profile = not args.no_profile
    if profile:
        py_spy()  # fail now, not after the run
    with tempfile.TemporaryDirectory(prefix="vetbot-cluster-") as scratch:
        samples = None if not profile else (args.samples or Path(scratch))
        results = asyncio.run(main_async(args.instances, args.clinics, args.owners, samples))
    if args.json:
        print(json.dumps({"machine": describe_machine(), "runs": results}, indent=2))
    else:
        print(report(results, args.owners, profile, len(os.sched_getaffinity(0))))
    bad = [(r["instances"], f) for r in results for f in failures(r)]
    for count, failure in bad:
        print(f"FAILED ({count} instance(s)): {failure}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
