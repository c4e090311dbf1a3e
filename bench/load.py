"""Load bench: N owners book at once through the real flow; how fast, how frugal, how many API
calls. Then the same harness drives a minimal echo bot: the floor PTB and the transport impose.

Run from the repo root: ``python bench/load.py`` (``--owners 500``, ``--json``, ``--profile
FILE`` to sample the bot with py-spy: bench/sampling.py).

The sandbox and the Telegram emulator run in this process, the bot in another (polling, real
loopback HTTP; see bench/run_bot.py). Each owner goes /start, shares their number, taps
"Prendre rendez-vous", a pet, a reason, a vet, types a French time, taps a slot, waits at
the summary until every owner is there (to weigh the open conversations), and confirms.
Owners are given distinct free slots so that the figures describe the common path; the
reliability suite (tests/e2e/test_reliability.py) covers the races and the faults.

Latency is from the owner's action to the bot's first answer, as the owner sees it, so it
includes this process's own delays; the bot's log lines give its own time per update, and
which updates waited on the Treats API.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from harness import (  # type: ignore[import-not-found]
    RUN_BOT,
    Stack,
    Tracebacks,
    cpu_seconds,
    describe_machine,
    memory_kib,
    percentiles,
    running_stack,
    stop,
)
from sampling import py_spy, sampled, summarize  # type: ignore[import-not-found]

from tests.support.owners import (
    Outcome,
    Plan,
    SimulatedOwner,
    Step,
    distinct_slot_plans,
    enrol_owners,
)

DEFAULT_OWNERS: Final = 200
PROBE_OWNERS: Final = 20
"""Owners who book one after the other: the latency of a bot that is not queueing."""
ECHO_EXCHANGES: Final = 9
"""As many messages per echo owner as a booking takes actions."""
BUSY: Final = 0.9
"""A bot busy less than this share of the wall time was waiting for the owners, not them
for it: updates/s then measures the harness, and updates per CPU-second the bot."""
_UPDATE_LINE: Final = re.compile(
    r"update=(?P<id>-?\d+) kind=(?P<kind>\w+) outcome=(?P<outcome>\w+) "
    r"duration_ms=(?P<ms>[\d.]+) treats_calls=(?P<calls>\d+) treats_ms=(?P<treats_ms>[\d.]+)"
)


@dataclass
class BotLog:
    """Lines the bot process writes on stderr, read as they come (a full pipe would block it)."""

    updates: list[dict[str, float]] = field(default_factory=list)
    errors: Tracebacks = field(default_factory=Tracebacks)
    _grew: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def tracebacks(self) -> int:
        return self.errors.count

    @property
    def last_errors(self) -> list[str]:
        """The last lines of the first few tracebacks, to say what went wrong."""
        return self.errors.last_lines

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Until `count` update lines were read (they trail the replies by a moment)."""
        async with asyncio.timeout(timeout):
            while len(self.updates) < count:
                self._grew.clear()
                await self._grew.wait()

    async def follow(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode(errors="replace")
            self.errors.read(text)
            found = _UPDATE_LINE.search(text)
            if found:
                self.updates.append(
                    {
                        "ms": float(found["ms"]),
                        "calls": int(found["calls"]),
                        "treats_ms": float(found["treats_ms"]),
                    }
                )
                self._grew.set()


class Barrier:
    """Owners wait at the summary until all are there, or have given up on the way."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.all_there = asyncio.Event()
        self.go = asyncio.Event()

    async def book(self, owner: SimulatedOwner) -> Outcome:
        """The owner's booking, held at the summary."""
        reached = False

        async def before(action: str) -> None:
            nonlocal reached
            if action != "confirm" or reached:
                return
            reached = True
            self.arrived += 1
            self._check()
            await self.go.wait()

        owner.before = before
        try:
            return await owner.book()
        finally:
            if not reached:
                self.expected -= 1
                self._check()

    def _check(self) -> None:
        if self.arrived >= self.expected:
            self.all_there.set()


async def book_all(stack: Stack, owners: int, bot_pid: int, log: BotLog) -> dict[str, Any]:
    """Three rounds: a crowd to warm up (caches, connection pools, every code path), owners
    one at a time (the bot's latency when it is not queueing), then the measured crowd."""
    sandbox = stack.sandbox
    enrolled = enrol_owners(sandbox, stack.world, 2 * owners + PROBE_OWNERS)
    plans = distinct_slot_plans(sandbox, len(enrolled))
    people = [
        SimulatedOwner(e.person, Plan(e.plan.pet, vet, when, slot=slot), within=120.0)
        for e, (vet, when, slot) in zip(enrolled, plans, strict=True)
    ]
    warm, probe, crowd = people[:owners], people[owners:-owners], people[-owners:]

    await asyncio.gather(*(owner.book() for owner in warm))
    await log.wait_for(sum(len(owner.steps) for owner in warm))
    probe_from = len(log.updates)
    for owner in probe:
        await owner.book()
    probe_steps = [step for owner in probe for step in owner.steps]
    await log.wait_for(probe_from + len(probe_steps))
    probe_lines = log.updates[probe_from : probe_from + len(probe_steps)]

    barrier = Barrier(len(crowd))
    calls_before = len(sandbox.calls)
    bot_calls_before = len(stack.world.bot.calls)
    crowd_from = len(log.updates)
    memory_before = memory_kib(bot_pid)
    cpu_before = cpu_seconds(bot_pid)
    started = time.perf_counter()
    booking = asyncio.gather(*(barrier.book(owner) for owner in crowd))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(barrier.all_there.wait(), 600)
    memory_open = memory_kib(bot_pid)
    barrier.go.set()
    outcomes = await booking
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(bot_pid) - cpu_before
    memory_after = memory_kib(bot_pid)
    steps = [step for owner in crowd for step in owner.steps]
    await log.wait_for(crowd_from + len(steps))

    booked = outcomes.count(Outcome.CONFIRMED)
    for owner in crowd:
        if owner.outcome is not Outcome.CONFIRMED:  # say why, on stderr
            tail = "\n".join(str(owner.person.transcript).splitlines()[-12:])
            print(
                f"{owner.person.user.full_name}: {owner.outcome} ({owner.problem}) after "
                f"{[step.action for step in owner.steps]}\n{tail}",
                file=sys.stderr,
            )
    bot_api = Counter(call.method for call in stack.world.bot.calls[bot_calls_before:])
    del bot_api["getupdates"]
    calls = Counter(
        f"{call.method} {call.path.removeprefix('/api/v1')}"
        for call in sandbox.calls[calls_before:]
    )
    return {
        "owners": len(crowd),
        "bookings": booked,
        "outcomes": dict(Counter(str(o) for o in outcomes)),
        "seconds": elapsed,
        "actions": len(steps),
        "actions_per_second": len(steps) / elapsed,
        "latency_ms": percentiles([s.seconds for s in steps]),
        "latency_by_action_ms": by_action(steps),
        "one_at_a_time": {
            "owners": len(probe),
            "latency_ms": percentiles([s.seconds for s in probe_steps]),
            "latency_by_action_ms": by_action(probe_steps),
            "bot": bot_side(probe_lines),
        },
        "bot": bot_side(log.updates[crowd_from : crowd_from + len(steps)]),
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_update": cpu / max(len(steps), 1) * 1000,
        "bot_cpu_ms_per_booking": cpu / max(booked, 1) * 1000,
        "bot_cpu_updates_per_second": len(steps) / max(cpu, 1e-9),
        "bot_busy_share": cpu / elapsed,
        "rss_kib": {
            "before": memory_before["rss"],
            "all_open": memory_open["rss"],
            "peak": memory_after["peak"],
        },
        "rss_kib_per_open_conversation": (memory_open["rss"] - memory_before["rss"])
        / max(barrier.arrived, 1),
        "open_conversations": barrier.arrived,
        "treats_calls_per_booking": {
            endpoint: count / max(booked, 1) for endpoint, count in sorted(calls.items())
        },
        "treats_calls_per_booking_total": sum(calls.values()) / max(booked, 1),
        "bot_api_calls_per_action": {
            method: count / max(len(steps), 1) for method, count in bot_api.most_common()
        },
        "stored_state_bytes_per_owner": stored_state(stack.folder / "data"),
    }


def by_action(steps: list[Step]) -> dict[str, dict[str, float]]:
    return {
        action: percentiles([s.seconds for s in steps if s.action == action])
        for action in dict.fromkeys(s.action for s in steps)
    }


def stored_state(data_dir: Path) -> float:
    """Average bytes of PTB state (user data and conversation rows) per owner on disk."""
    with contextlib.closing(sqlite3.connect(data_dir / "vetbot.sqlite3")) as db:
        (users, user_bytes) = db.execute(
            "SELECT count(*), coalesce(sum(length(data)), 0) FROM ptb_user_data"
        ).fetchone()
        (conversation_bytes,) = db.execute(
            "SELECT coalesce(sum(length(state)) + sum(length(conv_key)), 0) FROM ptb_conversations"
        ).fetchone()
    return (user_bytes + conversation_bytes) / max(users, 1)


def bot_side(lines: list[dict[str, float]]) -> dict[str, Any]:
    """The bot's own account of some updates (its log lines)."""
    local = [line["ms"] / 1000 for line in lines if line["calls"] == 0]
    own = [(line["ms"] - line["treats_ms"]) / 1000 for line in lines]
    return {
        "updates": len(lines),
        "no_api_ms": percentiles(local),
        "no_api_updates": len(local),
        "own_time_ms": percentiles(own),
    }


async def vetbot_run(owners: int, profile: Path | None = None) -> dict[str, Any]:
    """``profile``: sample the bot with py-spy, collapsed stacks to this file."""
    async with running_stack(flood_limits=False) as stack:
        process = await stack.spawn([sys.executable, str(RUN_BOT)], stack.folder / "data")
        assert process.stderr is not None
        log = BotLog()
        reader = asyncio.create_task(log.follow(process.stderr))
        try:
            async with sampled(process.pid, profile) if profile else contextlib.nullcontext():
                result = await book_all(stack, owners, process.pid, log)
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
            await reader
        result["tracebacks"] = log.tracebacks
        result["errors"] = log.last_errors
        return result


async def echo_run(owners: int) -> dict[str, Any]:
    """The same harness and transport against a bot that only echoes."""
    async with running_stack(flood_limits=False) as stack:
        process = await stack.spawn([sys.executable, str(RUN_BOT), "--echo"], stack.folder / "data")
        people = [stack.world.person("Écho", f"N{n:05d}") for n in range(owners)]

        async def talk(person: Any) -> list[float]:
            took = []
            for number in range(ECHO_EXCHANGES):
                started = time.perf_counter()
                await person.send(f"message {number}")
                await person.next_reply(60)
                took.append(time.perf_counter() - started)
            return took

        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        samples = [s for took in await asyncio.gather(*(talk(p) for p in people)) for s in took]
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        await stop(process)
        return {
            "owners": owners,
            "actions": len(samples),
            "actions_per_second": len(samples) / elapsed,
            "latency_ms": percentiles(samples),
            "bot_cpu_seconds": cpu,
        }


def report(ours: dict[str, Any], floor: dict[str, Any]) -> str:
    def row(name: str, lat: dict[str, float]) -> str:
        return (
            f"  {name:<26} p50 {lat['p50']:7.1f}  p90 {lat['p90']:7.1f}  "
            f"p99 {lat['p99']:7.1f}  max {lat['max']:7.1f} ms"
        )

    calm, bot = ours["one_at_a_time"], ours["bot"]
    lines = [
        f"machine: {describe_machine()}",
        f"owners: {ours['owners']} at once, bookings completed: {ours['bookings']} "
        f"{ours['outcomes']}",
        f"wall time: {ours['seconds']:.1f} s, {ours['actions_per_second']:.0f} updates/s; "
        f"bot CPU {ours['bot_cpu_seconds']:.2f} s: {ours['bot_cpu_ms_per_update']:.2f} ms per "
        f"update = {ours['bot_cpu_updates_per_second']:.0f} updates per CPU-second",
        f"bot busy {ours['bot_busy_share']:.0%} of the wall time"
        + (" (the harness sets the pace)" if ours["bot_busy_share"] < BUSY else ""),
        f"bot CPU per booking: {ours['bot_cpu_ms_per_booking']:.1f} ms",
        f"latency, owner's action to the bot's first answer, {calm['owners']} owners one at "
        "a time:",
        row("all actions", calm["latency_ms"]),
        *(row(action, lat) for action, lat in calm["latency_by_action_ms"].items()),
        row(f"bot-side, no API ({calm['bot']['no_api_updates']})", calm["bot"]["no_api_ms"]),
        row("bot-side, own time", calm["bot"]["own_time_ms"]),
        f"latency with {ours['owners']} owners at once:",
        row("all actions", ours["latency_ms"]),
        *(row(action, lat) for action, lat in ours["latency_by_action_ms"].items()),
        row(f"bot-side, no API ({bot['no_api_updates']})", bot["no_api_ms"]),
        row("echo bot (floor)", floor["latency_ms"]),
        f"  ratio ours/floor: p50 {ours['latency_ms']['p50'] / floor['latency_ms']['p50']:.2f}, "
        f"p99 {ours['latency_ms']['p99'] / floor['latency_ms']['p99']:.2f}; echo bot CPU "
        f"{floor['bot_cpu_seconds'] / max(floor['actions'], 1) * 1000:.2f} ms per update",
        "Bot API calls per owner action: "
        + ", ".join(f"{m} {n:.2f}" for m, n in ours["bot_api_calls_per_action"].items()),
        f"memory: RSS {ours['rss_kib']['before'] / 1024:.1f} MiB before, "
        f"{ours['rss_kib']['all_open'] / 1024:.1f} MiB with {ours['open_conversations']} "
        f"conversations open, peak {ours['rss_kib']['peak'] / 1024:.1f} MiB; "
        f"{ours['rss_kib_per_open_conversation']:.1f} KiB per open conversation",
        f"state kept per owner (SQLite rows): {ours['stored_state_bytes_per_owner']:.0f} bytes",
        f"Treats API calls per booking: {ours['treats_calls_per_booking_total']:.2f}",
        *(
            f"  {endpoint:<40} {count:.2f}"
            for endpoint, count in ours["treats_calls_per_booking"].items()
        ),
        f"tracebacks in the bot's log: {ours['tracebacks']}",
        *(f"  {error}" for error in ours["errors"]),
    ]
    return "\n".join(lines)


async def main_async(owners: int, as_json: bool, profile: Path | None) -> int:
    ours = await vetbot_run(owners, profile)
    floor = await echo_run(owners)
    if as_json:
        print(json.dumps({"machine": describe_machine(), "vetbot": ours, "echo": floor}, indent=2))
    else:
        print(report(ours, floor))
    return 0 if ours["bookings"] == ours["owners"] and ours["tracebacks"] == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=DEFAULT_OWNERS)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="sample the bot with py-spy (collapsed stacks to FILE) and say where time goes",
    )
    args = parser.parse_args()
    if args.profile:
        py_spy()  # fail now, not after the run
    status = asyncio.run(main_async(args.owners, args.json, args.profile))
    if args.profile:
        print(summarize(args.profile))
    return status


if __name__ == "__main__":
    sys.exit(main())
