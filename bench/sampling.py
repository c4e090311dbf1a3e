"""Where the bot's time goes: py-spy samples the running bot process, unmodified.

``python bench/load.py --profile FILE`` attaches ``py-spy record`` to the bot for the whole
run (``pip install py-spy``; it needs permission to trace the process). FILE holds collapsed
stacks (flamegraph.pl and speedscope read them); the bench prints the functions holding the
largest share of samples and the libraries whose own code the samples landed in.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

SAMPLES_PER_SECOND: Final = 250
_FRAME: Final = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*):\d+\)$")


def py_spy() -> str:
    """The py-spy executable beside this Python, or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    return found


@contextlib.asynccontextmanager
async def sampled(
    pid: int, out: Path, *, rate: int = SAMPLES_PER_SECOND, alongside: bool = False
) -> AsyncIterator[None]:
    """Sample process ``pid`` until the block exits; collapsed stacks go to ``out``.
    ``alongside``: never pause the process (``--nonblocking``: several processes sampled at
    once keep their timing) and keep full file names (to tell modules apart)."""
    options = ["--nonblocking", "--full-filenames"] if alongside else []
    recorder = await asyncio.create_subprocess_exec(
        py_spy(),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(rate),
        *options,
        "--format",
        "raw",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield
    finally:
        if recorder.returncode is None:
            recorder.send_signal(signal.SIGINT)
        _, stderr = await recorder.communicate()
        if recorder.returncode not in (0, -signal.SIGINT):
            print(f"py-spy failed: {stderr.decode(errors='replace')}", file=sys.stderr)


def _where(path: str) -> str:
    """A frame's file, shortened to what says whose code it is."""
    for marker in ("site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return path


def summarize(out: Path, top: int = 25) -> str:
    """Functions by share of samples they were on the stack for, then libraries by share of
    samples spent in their own code."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        names = []
        for frame in stack.split(";"):
            match = _FRAME.match(frame)
            names.append(f"{_where(match['path'])}:{match['function']}" if match else frame.strip())
        for name in set(names):
            inclusive[name] += samples
        leaf = names[-1].split(":", 1)[0]
        own[leaf.split("/", 1)[0] if "/" in leaf else leaf] += samples
    lines = [f"py-spy: {total} samples of the bot; on the stack for:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines.append("own code of (the sample's innermost frame):")
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(12)]
    return "\n".join(lines)
