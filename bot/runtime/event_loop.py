"""The event loop the bot runs on: uvloop where it is installed (Linux, macOS), else asyncio's.

uvloop runs the same asyncio code with about a fifth less CPU per update in the load bench
(``bench/load.py``; docs/reliability.md has the figures). The tests
run on asyncio's own loop; the end-to-end CLI tests run ``vetbot run`` on this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's ``new_event_loop`` if it can be imported; None means asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def loop_name() -> str:
    """ "uvloop" or "asyncio", for the start-up log line."""
    return "asyncio" if loop_factory() is None else "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the loop above."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
