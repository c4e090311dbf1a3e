"""The Mini App's week view, against the real sandbox (in-process).

The clock is UTC, as on a server; days are the clinic's (Paris). The sandbox clinic opens
Monday to Friday 09:00-12:30 and 14:00-19:00 and Saturday morning, and its schedule leaves
Sunday out: closed. The sandbox clock starts on Monday 2026-11-23 at 08:30 in Paris.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.booking import BookingService
from bot.clock import ManualClock
from bot.config import ClinicConfig, OpeningRange, load_clinic
from bot.standins.sandbox import SandboxState, render_clinic_toml
from bot.week_view import DAYS_SHOWN, WEEKS_AHEAD, Week, WeekDay, week_of, week_start_for
from bot.when import Grain, TimeRequest, parse_when
from tests.support.booking_services import BookingServiceFor

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 23)

Clinic = tuple[BookingService, ClinicConfig]


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 wall-clock time in Paris, as the UTC instant a server clock shows."""
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def without_schedule(toml: str) -> str:
    """The clinic file with its ``[schedule]`` table left out: hours unknown."""
    head, _, rest = toml.partition("[schedule]")
    return head + rest[rest.index("[[vets]]") :]


@pytest.fixture
def make_clinic(
    booking_service_for: BookingServiceFor, sandbox: SandboxState, tmp_path: Path
) -> Callable[..., Clinic]:
    def build(*, schedule: bool = True) -> Clinic:
        toml = render_clinic_toml(sandbox)
        path = tmp_path / f"clinic-{schedule}.toml"
        path.write_text(toml if schedule else without_schedule(toml), encoding="utf-8")
        clinic = load_clinic(path)
        return booking_service_for(clinic), clinic

    return build


def ids(sandbox: SandboxState, kind: str, *vets: str) -> tuple[str, list[str]]:
    return sandbox.seed.type_named(kind).id, [sandbox.seed.vet_named(v).id for v in vets]


async def vaccinations(
    make_clinic: Callable[..., Clinic],
    sandbox: SandboxState,
    clock: ManualClock,
    first_day: date,
    *vets: str,
    **options: object,
) -> Week:
    service, clinic = make_clinic()
    kind, vet_ids = ids(sandbox, "Vaccination", *(vets or ("Dr Claire Martin",)))
    return await week_of(service, clinic, kind, vet_ids, first_day, now=clock(), **options)


def hhmm(start: datetime) -> str:
    return f"{start.astimezone(PARIS):%H:%M}"


def times(day: WeekDay) -> list[str]:
    return [hhmm(week_slot.slot.start) for week_slot in day.slots]


async def test_a_week_of_open_days_and_a_closed_sunday(make_clinic, sandbox, sandbox_clock) -> None:
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY)
    assert week.first_day == MONDAY
    assert [day.day for day in week.days] == [MONDAY + timedelta(days=n) for n in range(7)]
    *open_days, sunday = week.days
    assert all(day.slots and not day.closed for day in open_days)
    assert sunday.day.isoformat() == "2026-11-29" and sunday.closed
    assert sunday.slots == () and sunday.opening == ()
    assert week.days[0].opening == (
        OpeningRange(9 * 60, 12 * 60 + 30),
        OpeningRange(14 * 60, 19 * 60),
    )
    assert times(week.days[5])[0] == "09:00" and times(week.days[5])[-1] == "11:45"  # Saturday
    assert not any(week_slot.asked for day in week.days for week_slot in day.slots)


async def test_unknown_hours_close_no_day(make_clinic, sandbox, sandbox_clock) -> None:
    service, clinic = make_clinic(schedule=False)
    assert clinic.schedule is None
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    week = await week_of(service, clinic, kind, vets, MONDAY, now=sandbox_clock())
    sunday = week.days[-1]
    assert not sunday.closed and sunday.opening == () and sunday.slots == ()


async def test_only_the_asked_slot_is_flagged(make_clinic, sandbox, sandbox_clock) -> None:
    asked = parse_when("mercredi à 10h", sandbox_clock().astimezone(PARIS))
    assert asked is not None
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY, asked=asked)
    flagged = [
        (day.day.isoformat(), hhmm(week_slot.slot.start))
        for day in week.days
        for week_slot in day.slots
        if week_slot.asked
    ]
    assert flagged == [("2026-11-25", "10:00")]


async def test_as_soon_as_possible_highlights_nothing(make_clinic, sandbox, sandbox_clock) -> None:
    asked = parse_when("dès que possible", sandbox_clock().astimezone(PARIS))
    assert asked is not None and asked.end is None
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY, asked=asked)
    assert not any(week_slot.asked for day in week.days for week_slot in day.slots)


async def test_the_minimum_notice_hides_todays_too_soon_slots(
    make_clinic, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(23, 16, 56))  # the clinic's notice is an hour
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY)
    assert times(week.days[0])[0] == "18:00"
    assert times(week.days[1])[0] == "09:00"  # tomorrow is whole
    urgent = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY, urgent=True)
    assert times(urgent.days[0])[0] == "17:00"


async def test_no_week_before_today(make_clinic, sandbox, sandbox_clock) -> None:
    this_week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY)
    assert this_week.previous is None
    assert this_week.next == MONDAY + timedelta(days=7)
    yesterday = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY - timedelta(days=1))
    assert yesterday.first_day == MONDAY and yesterday.previous is None
    later = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY + timedelta(days=10))
    assert later.previous == MONDAY + timedelta(days=3)
    soon = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY + timedelta(days=3))
    assert soon.previous == MONDAY, "the week before starts today, not before"


async def test_no_week_past_the_horizon(make_clinic, sandbox, sandbox_clock) -> None:
    last_first = MONDAY + timedelta(days=WEEKS_AHEAD * DAYS_SHOWN)
    last = await vaccinations(make_clinic, sandbox, sandbox_clock, last_first)
    assert last.next is None and last.previous == last_first - timedelta(days=7)
    before = await vaccinations(make_clinic, sandbox, sandbox_clock, last_first - timedelta(days=7))
    assert before.next == last_first
    beyond = await vaccinations(
        make_clinic, sandbox, sandbox_clock, last_first + timedelta(days=30)
    )
    assert beyond.first_day == last_first and beyond.next is None


async def test_vets_free_at_the_same_time_are_all_kept(make_clinic, sandbox, sandbox_clock) -> None:
    vets = ("Dr Sophie Lefèvre", "Dr Claire Martin")
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY, *vets)
    _, (sophie, claire) = ids(sandbox, "Vaccination", *vets)
    wednesday = week.days[2]
    at_nine = [ws.slot.vet_id for ws in wednesday.slots if hhmm(ws.slot.start) == "09:00"]
    assert at_nine == [sophie, claire], "both vets, in the order given"
    starts = [ws.slot.start for ws in wednesday.slots]
    assert starts == sorted(starts)
    afternoon = [ws.slot.vet_id for ws in wednesday.slots if hhmm(ws.slot.start) >= "14:00"]
    assert afternoon and set(afternoon) == {claire}, "Sophie works Wednesday mornings only"


async def test_days_are_the_clinics_while_the_clock_is_utc(
    make_clinic, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))  # Tuesday 00:30 in Paris
    tuesday = MONDAY + timedelta(days=1)
    week = await vaccinations(make_clinic, sandbox, sandbox_clock, MONDAY)
    assert week.first_day == tuesday and week.previous is None
    assert week.days[0].day == tuesday and times(week.days[0])[0] == "09:00"
    for day in week.days:
        assert all(ws.slot.start.astimezone(PARIS).date() == day.day for ws in day.slots)
    assert week.days[-1].day.isoformat() == "2026-11-30" and not week.days[-1].closed
    assert week.days[-2].closed  # Sunday 29th


def test_the_week_opens_on_the_asked_day() -> None:
    now = datetime(2026, 11, 23, 8, 30, tzinfo=PARIS)
    thursday = parse_when("jeudi après-midi", now)
    assert week_start_for(thursday, MONDAY, PARIS) == date(2026, 11, 26)
    assert week_start_for(None, MONDAY, PARIS) == MONDAY
    past = TimeRequest(now - timedelta(days=3), now - timedelta(days=2), Grain.DAY)
    assert week_start_for(past, MONDAY, PARIS) == MONDAY


def test_the_asked_day_is_the_clinics() -> None:
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # Wednesday 00:30 in Paris
    asked = TimeRequest(late, late + timedelta(hours=1), Grain.HOUR)
    assert week_start_for(asked, MONDAY, PARIS) == date(2026, 11, 25)
