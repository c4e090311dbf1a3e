"""Start-up and shut-down bench: from `vetbot run` starting to the first owner's answer, and
from SIGTERM (in the middle of a conversation) to a clean exit. Median of 5 runs each.

Run from the repo root: ``python bench/startup.py`` (``--runs 9``, ``--json``).

Each run starts the real CLI (`python -m bot.cli run`, a fresh data directory) against the
sandbox and the emulated Telegram; an owner has written /start before the process starts, as
happens after a deploy. Once the answer is in, the owner shares their number and taps
"Prendre rendez-vous", and SIGTERM is sent while that tap is being handled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any, Final

from harness import Stack, describe_machine, median, running_stack  # type: ignore[import-not-found]

DEFAULT_RUNS: Final = 5
FIRST_REPLY_TARGET: Final = 2.0
EXIT_TARGET: Final = 10.0


async def one_run(stack: Stack, number: int) -> dict[str, Any]:
    record = stack.sandbox.seed.demo_owner_one_pet
    owner = stack.world.person(record.first_name, record.last_name, phone_number=record.phone)
    await owner.command("start")  # waiting in Telegram's queue before the bot starts
    started = time.perf_counter()
    process = await stack.spawn(
        [sys.executable, "-m", "bot.cli", "run"], stack.folder / f"data-{number}", wait_ready=False
    )
    await owner.next_reply(60)
    first_reply = time.perf_counter() - started

    await owner.share_contact()
    while "Que souhaitez-vous faire" not in (await owner.next_reply(30)).text:
        pass
    since = len(stack.world.bot.calls)
    await owner.tap("Prendre rendez-vous")
    await stack.world.bot.wait_for_call("answercallbackquery", since=since)
    signalled = time.perf_counter()
    process.terminate()
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    exited = time.perf_counter() - signalled
    return {
        "first_reply_s": first_reply,
        "exit_s": exited,
        "exit_code": process.returncode,
        "clean": b"stopped cleanly" in stderr and b"Traceback" not in stderr,
    }


async def main_async(runs: int, as_json: bool) -> int:
    results = []
    async with running_stack() as stack:
        for number in range(runs):
            results.append(await one_run(stack, number))
    first = [r["first_reply_s"] for r in results]
    exits = [r["exit_s"] for r in results]
    summary = {
        "machine": describe_machine(),
        "runs": results,
        "first_reply_median_s": median(first),
        "exit_median_s": median(exits),
        "exit_max_s": max(exits),
        "all_clean": all(r["clean"] and r["exit_code"] == 0 for r in results),
    }
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"machine: {summary['machine']}")
        print(
            f"start to first reply: median {summary['first_reply_median_s']:.2f} s of {runs} "
            f"({', '.join(f'{s:.2f}' for s in first)}); target <= {FIRST_REPLY_TARGET:.0f} s"
        )
        print(
            f"SIGTERM mid-conversation to exit: median {summary['exit_median_s']:.2f} s, "
            f"max {summary['exit_max_s']:.2f} s; target <= {EXIT_TARGET:.0f} s; "
            f"exit 0 and 'stopped cleanly' every time: {summary['all_clean']}"
        )
    ok = summary["all_clean"] and summary["exit_max_s"] <= EXIT_TARGET
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    return asyncio.run(main_async(args.runs, args.json))


if __name__ == "__main__":
    sys.exit(main())
