"""A booking the owner was told about survives a kill -9 of the bot right after the telling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.store import BookingState, Store

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.clock import system_clock
    from bot.store import Store
    from tests.unit.store.drafts import draft

    store = Store.open(Path(sys.argv[1]), system_clock)
    store.claim_booking(draft())
    store.claim_booking(draft(booking_id="in-flight"))
    store.finish_booking("b-0001", "booked", appointment_id="appt-9")
    print("told", flush=True)  # the moment the owner would read "C'est réservé"
    time.sleep(60)
    """
)


@pytest.mark.slow
def test_kill_minus_nine_after_telling_the_owner_loses_nothing(
    db_file: Path, clock: ManualClock
) -> None:
    repo = Path(__file__).resolve().parents[3]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_file)],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "told"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=10)
        if writer.stdout is not None:
            writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL

    with Store.open(db_file, clock) as store:
        told = store.booking("b-0001")
        assert told is not None
        assert (told.state, told.appointment_id) == (BookingState.BOOKED, "appt-9")
        assert [b.booking_id for b in store.bookings_in_state(BookingState.SENDING)] == [
            "in-flight"
        ]
