"""`GET /appointments/available-slots`: hours, lunch break, grid, past, bookings, DST, errors."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.standins.sandbox import SandboxState, WorkingBlock
from tests.support.treats_fixtures import PARIS

MONDAY, TUESDAY, WEDNESDAY, SATURDAY, SUNDAY = (
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-11-28",
    "2026-11-29",
)
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


async def _slots(
    http: httpx.AsyncClient, sandbox: SandboxState, vet: str, day: str, kind: str
) -> list[dict[str, str]]:
    response = await http.get(
        "/appointments/available-slots",
        params={
            "vetId": sandbox.seed.vet_named(vet).id,
            "date": day,
            "appointmentTypeId": sandbox.seed.type_named(kind).id,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def _local_starts(slots: list[dict[str, str]]) -> list[str]:
    return [
        datetime.fromisoformat(s["startTime"]).astimezone(PARIS).strftime("%H:%M") for s in slots
    ]


async def test_a_free_day_has_morning_and_afternoon_around_lunch(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    slots = await _slots(sandbox_http, sandbox, "Dr Claire Martin", MONDAY, "Consultation générale")
    assert _local_starts(slots) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00",
        "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30", "18:00", "18:30",
    ]  # fmt: skip
    assert slots[0] == {"startTime": "2026-11-23T08:00:00Z", "endTime": "2026-11-23T08:30:00Z"}


@pytest.mark.parametrize(
    ("kind", "morning", "last_morning"),
    [("Vaccination", 14, "12:15"), ("Contrôle / suivi", 10, "12:00"), ("Chirurgie", 3, "11:00"),
     ("Dentisterie", 4, "11:15")],
)  # fmt: skip
async def test_grid_is_the_type_duration_from_each_block_start(
    sandbox: SandboxState,
    sandbox_http: httpx.AsyncClient,
    kind: str,
    morning: int,
    last_morning: str,
) -> None:
    slots = await _slots(sandbox_http, sandbox, "Dr Claire Martin", MONDAY, kind)
    starts = _local_starts(slots)
    morning_starts = [s for s in starts if s < "13:00"]
    assert len(morning_starts) == morning
    assert morning_starts[-1] == last_morning
    assert next(s for s in starts if s > "13:00") == "14:00"
    minutes = sandbox.seed.type_named(kind).duration_minutes
    for slot in slots:
        start = datetime.fromisoformat(slot["startTime"])
        assert datetime.fromisoformat(slot["endTime"]) - start == timedelta(minutes=minutes)


async def test_booked_times_leave_gaps(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    slots = await _slots(
        sandbox_http, sandbox, "Dr Claire Martin", TUESDAY, "Consultation générale"
    )
    # Seeded: 09:30 consultation, 10:00–10:15 vaccination, 14:00–15:00 surgery, 16:40–17:00.
    assert _local_starts(slots) == [
        "09:00", "10:30", "11:00", "11:30", "12:00",
        "15:00", "15:30", "16:00", "17:00", "17:30", "18:00", "18:30",
    ]  # fmt: skip


async def test_cancelled_appointment_frees_its_slot(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    before = _local_starts(
        await _slots(sandbox_http, sandbox, "Dr Claire Martin", TUESDAY, "Chirurgie")
    )
    assert "14:00" not in before
    surgery = next(a for a in sandbox.appointments.values() if a.reason == "Stérilisation")
    sandbox.set_status(surgery.id, "CANCELLED")
    after = _local_starts(
        await _slots(sandbox_http, sandbox, "Dr Claire Martin", TUESDAY, "Chirurgie")
    )
    assert "14:00" in after


async def test_past_slots_are_not_offered(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, sandbox_clock: ManualClock
) -> None:
    sandbox_clock.set(datetime(2026, 11, 23, 10, 30, tzinfo=PARIS))
    slots = await _slots(sandbox_http, sandbox, "Dr Claire Martin", MONDAY, "Consultation générale")
    assert _local_starts(slots)[:2] == ["11:00", "11:30"]
    sandbox_clock.set(datetime(2026, 11, 23, 19, 0, tzinfo=PARIS))
    assert await _slots(sandbox_http, sandbox, "Dr Claire Martin", MONDAY, "Vaccination") == []
    assert (
        await _slots(sandbox_http, sandbox, "Dr Claire Martin", "2026-11-20", "Vaccination") == []
    )


@pytest.mark.parametrize(
    ("vet", "day", "kind"),
    [
        ("Dr Julien Durand", WEDNESDAY, "Consultation générale"),  # his day off
        ("Dr Julien Durand", SATURDAY, "Consultation générale"),
        ("Dr Claire Martin", SUNDAY, "Consultation générale"),
        ("Dr Sophie Lefèvre", MONDAY, "Chirurgie"),  # a type she does not do
    ],
)
async def test_empty_days_are_an_empty_array(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, vet: str, day: str, kind: str
) -> None:
    assert await _slots(sandbox_http, sandbox, vet, day, kind) == []


async def test_saturday_morning_only(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    slots = await _slots(
        sandbox_http, sandbox, "Dr Claire Martin", SATURDAY, "Consultation générale"
    )
    assert _local_starts(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


async def test_utc_offsets_follow_dst(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, sandbox_clock: ManualClock
) -> None:
    sandbox_clock.set(datetime(2026, 3, 1, 8, 0, tzinfo=PARIS))
    winter = await _slots(sandbox_http, sandbox, "Dr Claire Martin", "2026-03-27", "Vaccination")
    summer = await _slots(sandbox_http, sandbox, "Dr Claire Martin", "2026-03-30", "Vaccination")
    assert winter[0]["startTime"] == "2026-03-27T08:00:00Z"
    assert summer[0]["startTime"] == "2026-03-30T07:00:00Z"
    autumn = await _slots(sandbox_http, sandbox, "Dr Claire Martin", "2026-10-26", "Vaccination")
    assert autumn[0]["startTime"] == "2026-10-26T08:00:00Z"


@pytest.mark.parametrize(
    ("day", "count", "first", "end"),
    [
        # Spring forward at 02:00: 00:00–06:00 local is five real hours.
        ("2026-03-29", 10, "2026-03-28T23:00:00Z", "2026-03-29T04:00:00Z"),
        # Fall back at 03:00: the same wall-clock block is seven real hours.
        ("2026-10-25", 14, "2026-10-24T22:00:00Z", "2026-10-25T05:00:00Z"),
    ],
)
async def test_a_block_across_a_dst_change_is_stepped_in_real_time(
    sandbox: SandboxState,
    sandbox_http: httpx.AsyncClient,
    sandbox_clock: ManualClock,
    day: str,
    count: int,
    first: str,
    end: str,
) -> None:
    sandbox_clock.set(datetime(2026, 3, 1, 8, 0, tzinfo=PARIS))
    night = sandbox.add_vet("Dr Garde", (WorkingBlock(6, time(0, 0), time(6, 0)),))
    response = await sandbox_http.get(
        "/appointments/available-slots",
        params={
            "vetId": night.id,
            "date": day,
            "appointmentTypeId": sandbox.seed.type_named("Urgence").id,
        },
    )
    slots = response.json()
    assert len(slots) == count
    assert (slots[0]["startTime"], slots[-1]["endTime"]) == (first, end)
    starts = [datetime.fromisoformat(s["startTime"]) for s in slots]
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(starts))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date": MONDAY, "appointmentTypeId": UNKNOWN_ID}, "vetId is required"),
        ({"vetId": UNKNOWN_ID, "appointmentTypeId": UNKNOWN_ID}, "date is required"),
        ({"vetId": UNKNOWN_ID, "date": MONDAY}, "appointmentTypeId is required"),
        ({"vetId": "", "date": MONDAY, "appointmentTypeId": UNKNOWN_ID}, "vetId is required"),
        ({"vetId": "42", "date": MONDAY, "appointmentTypeId": UNKNOWN_ID}, "vetId must be a UUID"),
        (
            {"vetId": UNKNOWN_ID, "date": MONDAY, "appointmentTypeId": "x"},
            "appointmentTypeId must be a UUID",
        ),
        (
            {"vetId": UNKNOWN_ID, "date": "23/11/2026", "appointmentTypeId": UNKNOWN_ID},
            "date must be YYYY-MM-DD",
        ),
        (
            {"vetId": UNKNOWN_ID, "date": "2026-02-30", "appointmentTypeId": UNKNOWN_ID},
            "date must be YYYY-MM-DD",
        ),
    ],
)
async def test_bad_parameters_are_400_naming_the_field(
    sandbox_http: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await sandbox_http.get("/appointments/available-slots", params=params)
    assert response.status_code == 400
    assert response.json() == {"message": message}


async def test_unknown_vet_or_type_is_404(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    vet = sandbox.seed.vet_named("Dr Claire Martin").id
    kind = sandbox.seed.type_named("Vaccination").id
    for params in (
        {"vetId": UNKNOWN_ID, "date": MONDAY, "appointmentTypeId": kind},
        {"vetId": vet, "date": MONDAY, "appointmentTypeId": UNKNOWN_ID},
    ):
        response = await sandbox_http.get("/appointments/available-slots", params=params)
        assert response.status_code == 404
        assert response.json() == {"message": "Resource not found"}
