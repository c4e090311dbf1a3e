"""Which starts a vet offers on a day: the rules behind `GET /appointments/available-slots`.

Candidate starts lie on a grid of the type's duration counted from the start of each working
block (09:00, 09:30 … for 30 minutes; 09:00, 09:20 … for 20), and the whole slot must fit in the
block. Blocks are wall-clock times in the clinic's zone; the grid is stepped in absolute time,
so a block that spans a DST change yields one hour more or less of slots, never a wrong offset.
A slot is offered when it starts strictly after "now" and overlaps no appointment of that vet
that still holds time (anything but CANCELLED). `POST /appointments` accepts exactly the starts
this module would offer, ignoring "now" and overlaps, which it reports on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.standins.sandbox.records import Appointment, Vet

Slot = tuple[datetime, datetime]
"""(start, end), aware, in UTC."""


def grid_slots(vet: Vet, day: date, duration: timedelta, zone: ZoneInfo) -> list[Slot]:
    """Every start the vet's blocks allow on `day` (local), before "now" and bookings count."""
    slots: list[Slot] = []
    for block in vet.blocks_on(day):
        start = datetime.combine(day, block.start, tzinfo=zone).astimezone(UTC)
        block_end = datetime.combine(day, block.end, tzinfo=zone).astimezone(UTC)
        while start + duration <= block_end:
            slots.append((start, start + duration))
            start += duration
    return slots


def free_slots(
    vet: Vet,
    day: date,
    duration: timedelta,
    zone: ZoneInfo,
    now: datetime,
    appointments: Iterable[Appointment],
) -> list[Slot]:
    """The slots offered to a caller at `now`."""
    busy = [a for a in appointments if a.vet_id == vet.id and a.blocks_time]
    return [
        (start, end)
        for start, end in grid_slots(vet, day, duration, zone)
        if start > now and not any(a.overlaps(start, end) for a in busy)
    ]


def is_grid_start(vet: Vet, start: datetime, duration: timedelta, zone: ZoneInfo) -> bool:
    """Whether the vet would ever offer `start` for this duration (hours and grid only)."""
    day = start.astimezone(zone).date()
    return any(slot_start == start for slot_start, _ in grid_slots(vet, day, duration, zone))


def first_overlap(
    vet_id: str, start: datetime, end: datetime, appointments: Iterable[Appointment]
) -> Appointment | None:
    return next(
        (
            a
            for a in appointments
            if a.vet_id == vet_id and a.blocks_time and a.overlaps(start, end)
        ),
        None,
    )
