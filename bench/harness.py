"""What the benches share: a sandbox clinic and an emulated Telegram served on loopback, a bot
started as a separate process against them, and readings of that process (CPU, memory).

The bot process is the real application: `vetbot run`, or `bench/run_bot.py`, which runs the
same application with Telegram's flood limits lifted (see there) or a minimal echo bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.runtime.asgi_server import serve_asgi  # noqa: E402
from bot.standins.emulator import TelegramWorld, create_emulator_app  # noqa: E402
from bot.standins.sandbox import SandboxState, create_sandbox_app, render_clinic_toml  # noqa: E402

BENCH_TOKEN: Final = "7000000001:bench-token-not-a-secret"
BENCH_LINK_SECRET: Final = "bench-link-secret-0123456789abcdef"
RUN_BOT: Final = REPO_ROOT / "bench" / "run_bot.py"
READY_SECONDS: Final = 60.0
BENCH_HOURLY_QUOTA: Final = 1_000_000
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Stack:
    """The stand-ins the bot talks to, and everything needed to start a bot against them."""

    sandbox: SandboxState
    world: TelegramWorld
    telegram_url: str
    treats_url: str
    folder: Path
    staff_chat_id: int
    bot_core: int | None = None

    def environment(self, data_dir: Path, *, log_format: str = "text") -> dict[str, str]:
        """The settings of `vetbot run`, as its environment."""
        clinic_file = self.folder / "clinic.toml"
        clinic_file.write_text(render_clinic_toml(self.sandbox), encoding="utf-8")
        return {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO_ROOT),
            "TELEGRAM_BOT_TOKEN": BENCH_TOKEN,
            "TELEGRAM_API_URL": self.telegram_url,
            "TREATS_API_URL": self.treats_url,
            "TREATS_API_KEY": self.sandbox.api_key,
            "CLINIC_CONFIG": str(clinic_file),
            "VETBOT_DATA_DIR": str(data_dir),
            "VETBOT_LINK_SECRET": BENCH_LINK_SECRET,
            "STAFF_CHAT_ID": str(self.staff_chat_id),
            "LOG_FORMAT": log_format,
        }

    async def spawn(
        self, argv: Sequence[str], data_dir: Path, *, wait_ready: bool = True
    ) -> asyncio.subprocess.Process:
        """Start a bot process; by default return once it polls the emulator.

        With two cores or more the bot gets one to itself (see `pin_cores`)."""
        account = self.world.bot
        since = len(account.calls)
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=self.environment(data_dir),
            cwd=self.folder,
            stderr=asyncio.subprocess.PIPE,
        )
        if self.bot_core is not None:
            # Right after the fork, before the interpreter starts any thread: all inherit it.
            os.sched_setaffinity(process.pid, {self.bot_core})
        if wait_ready:
            await asyncio.wait_for(account.wait_for_call("getupdates", since=since), READY_SECONDS)
        return process


@contextlib.asynccontextmanager
async def running_stack(*, flood_limits: bool = True) -> AsyncIterator[Stack]:
    """A seeded sandbox on the real clock and an emulated Telegram with one bot account.

    ``flood_limits=False`` lifts Telegram's rate limits in the emulator (the load bench
    measures what the bot can do, not what Telegram lets through).
    """
    sandbox = SandboxState.seeded()
    # A clinic's key allows 1000 requests an hour; a bench of hundreds of owners needs more.
    sandbox.keys[sandbox.api_key].hourly_quota = BENCH_HOURLY_QUOTA
    world = TelegramWorld()
    world.add_bot(BENCH_TOKEN, username="bench_vetbot")
    if not flood_limits:
        world.bot.flood.configure(None)
    receptionist = world.person("Léa", "Accueil")
    staff = world.group("Accueil clinique", [receptionist], admins=[receptionist])
    cores = os.sched_getaffinity(0)
    with tempfile.TemporaryDirectory(prefix="vetbot-bench-") as folder:
        try:
            async with (
                serve_asgi(create_sandbox_app(sandbox)) as sandbox_origin,
                serve_asgi(create_emulator_app(world)) as telegram_url,
            ):
                yield Stack(
                    sandbox,
                    world,
                    telegram_url,
                    sandbox_origin + "/api/v1",
                    Path(folder),
                    staff.id,
                    pin_cores(),
                )
        finally:
            os.sched_setaffinity(0, cores)  # the next stack pins from every core again
            sandbox.close()
            await world.aclose()


def pin_cores() -> int | None:
    """Keep one core for the bot and the others for this harness (the emulator, the sandbox
    and the simulated owners), so that "updates per second on one core" is measured on one
    core that nothing else competes for. None on a single core."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    os.sched_setaffinity(0, cores[:-1])
    return cores[-1]


async def stop(process: asyncio.subprocess.Process, timeout: float = 15.0) -> bytes:  # noqa: ASYNC109
    """SIGTERM the process, wait for it; returns what it wrote on stderr."""
    if process.returncode is None:
        process.terminate()
    _, stderr = await asyncio.wait_for(process.communicate(), timeout)
    return stderr or b""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def memory_kib(pid: int) -> dict[str, int]:
    """Resident set size now (``rss``) and at its peak (``peak``), in KiB (Linux /proc)."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found["rss" if name == "VmRSS" else "peak"] = int(value.split()[0])
    return found


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50, p90, p99 and max of `samples` (seconds in, milliseconds out)."""
    if not samples:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": ordered[-1] * 1000}


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def describe_machine() -> str:
    """One line: CPU model and count, Python version."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = ".".join(map(str, sys.version_info[:3]))
    return f"{os.cpu_count()} × {model}, Python {version}, {sys.platform}"


MAX_ERRORS_SHOWN: Final = 5


@dataclass
class Tracebacks:
    """The tracebacks in a bot process's log, read line by line: how many, and the last line
    of the first few (with the line before it), to say what went wrong."""

    count: int = 0
    last_lines: list[str] = field(default_factory=list)
    _inside: bool = False
    _previous: str = ""

    def read(self, text: str) -> None:
        if text.startswith("Traceback"):
            self.count += 1
            self._inside = True
        elif self._inside and not text.startswith((" ", "\t", "During", "The above")):
            self._inside = False
            if len(self.last_lines) < MAX_ERRORS_SHOWN:
                self.last_lines.append(f"{self._previous.strip()} | {text.strip()}")
        self._previous = text
