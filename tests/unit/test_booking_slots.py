"""Which slots the booking service offers, against the real sandbox (in-process).

The clock is UTC, as on a server; the asked times are read on the clinic's wall clock. What is
asserted is what an owner would see: the first slot offered, the day, and how the page relates
to what they asked (inside it, the nearest, the clinic closed then, or paging).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.booking import BookingService, PageFit, SlotPage
from bot.clock import ManualClock
from bot.config import ClinicConfig, load_clinic
from bot.standins.sandbox import SandboxState, render_clinic_toml
from bot.when import parse_when
from tests.support.booking_services import BookingServiceFor

PARIS = ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 wall-clock time in Paris, as the UTC instant a server clock shows."""
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def clinic_file(sandbox: SandboxState, tmp_path: Path, extra: str = "") -> ClinicConfig:
    path = tmp_path / "clinic.toml"
    toml = render_clinic_toml(sandbox)
    head, sep, rest = toml.partition("\n[schedule]")
    path.write_text(head + "\n" + extra + "\n" + sep + rest, encoding="utf-8")
    return load_clinic(path)


@pytest.fixture
def make_service(
    booking_service_for: BookingServiceFor, sandbox: SandboxState, tmp_path: Path
) -> Callable[..., BookingService]:
    def build(extra: str = "") -> BookingService:
        return booking_service_for(clinic_file(sandbox, tmp_path, extra))

    return build


def ids(sandbox: SandboxState, kind: str, *vets: str) -> tuple[str, list[str]]:
    return sandbox.seed.type_named(kind).id, [sandbox.seed.vet_named(v).id for v in vets]


def take(sandbox: SandboxState, vet_id: str, start: datetime, kind: str) -> None:
    """Somebody else books this slot (by phone, at the desk)."""
    other = sandbox.seed.client_named("Hugo", "Bonnet")
    sandbox.create_appointment(
        client_id=other.id,
        patient_id=sandbox.seed.pets_of(other)[0].id,
        vet_id=vet_id,
        scheduled_at=start,
        appointment_type_id=kind,
        reason=None,
        is_urgent=False,
    )


def local(page: SlotPage) -> list[str]:
    return [f"{slot.start.astimezone(PARIS):%H:%M}" for slot in page.slots]


def asked(text: str, clock: ManualClock):
    request = parse_when(text, clock().astimezone(PARIS))
    assert request is not None, text
    return request


async def test_no_slot_inside_the_minimum_notice(make_service, sandbox, sandbox_clock) -> None:
    sandbox_clock.set(paris(23, 16, 56))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    page = await make_service().first_page(kind, vets, asked("aujourd'hui", sandbox_clock))
    assert page is not None and page.day.isoformat() == "2026-11-23"
    assert local(page)[0] >= "17:56", local(page)
    assert "17:00" not in local(page)


async def test_the_minimum_notice_is_the_clinics_setting(
    make_service, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(23, 16, 56))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    service = make_service("min_notice_minutes = 0")
    page = await service.first_page(kind, vets, None)
    assert page is not None and local(page)[0] == "17:00"


async def test_an_urgent_case_takes_the_earliest_slot_today(
    make_service, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(23, 16, 56))
    kind, vets = ids(sandbox, "Urgence", "Dr Claire Martin")
    page = await make_service().first_page(kind, vets, None, urgent=True)
    assert page is not None and local(page)[0] == "17:00"


async def test_a_slot_that_came_inside_the_notice_is_too_soon(
    make_service, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(23, 15, 0))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    service = make_service()
    page = await service.first_page(kind, vets, None)
    assert page is not None
    first = page.slots[0]
    assert not service.too_soon(first)
    sandbox_clock.set(first.start - timedelta(minutes=30))  # the owner lingered on the summary
    assert service.too_soon(first)
    assert not service.too_soon(first, urgent=True)


async def test_closed_at_the_asked_hour_offers_it_on_the_next_open_day(
    make_service, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(27, 10))  # a Friday; Saturday closes at 12:00
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    page = await make_service().first_page(kind, vets, asked("demain 18h", sandbox_clock))
    assert page is not None
    assert page.fit is PageFit.CLOSED
    assert page.day.isoformat() == "2026-11-30"  # Monday, open until 19:00
    assert local(page)[0] == "18:00"


async def test_a_closed_day_is_closed_not_taken(make_service, sandbox, sandbox_clock) -> None:
    sandbox_clock.set(paris(27, 10))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    page = await make_service().first_page(kind, vets, asked("dimanche", sandbox_clock))
    assert page is not None and page.fit is PageFit.CLOSED
    assert page.day.isoformat() == "2026-11-30"


async def test_open_but_nothing_free_offers_the_nearest(
    make_service, sandbox, sandbox_clock
) -> None:
    sandbox_clock.set(paris(23, 8, 30))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    service = make_service()
    request = asked("demain à 11h", sandbox_clock)
    free = await service.first_page(kind, vets, request)
    assert free is not None and free.fit is PageFit.ASKED and local(free)[0] == "11:00"
    take(sandbox, free.slots[0].vet_id, free.slots[0].start, kind)
    page = await make_service().first_page(kind, vets, request)
    assert page is not None and page.fit is PageFit.NEAREST
    assert "11:00" not in local(page)


async def test_paging_is_browsing_not_a_miss(make_service, sandbox, sandbox_clock) -> None:
    sandbox_clock.set(paris(23, 8, 30))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin")
    service = make_service()
    request = asked("demain", sandbox_clock)
    first = await service.first_page(kind, vets, request)
    assert first is not None and first.fit is PageFit.ASKED
    later = await service.page(kind, vets, first.day, 1, request)
    assert later is not None and later.fit is PageFit.BROWSING
    assert later.day > first.day


async def test_any_vet_bookings_take_turns(make_service, sandbox, sandbox_clock) -> None:
    sandbox_clock.set(paris(23, 8, 30))
    kind, vets = ids(sandbox, "Vaccination", "Dr Claire Martin", "Dr Sophie Lefèvre")
    service = make_service()
    request = asked("mercredi matin", sandbox_clock)
    page = await service.first_page(kind, vets, request)
    assert page is not None
    assert len({slot.vet_id for slot in page.slots}) == 2, "both vets are offered"
    first = page.slots[0]
    take(sandbox, first.vet_id, first.start, kind)
    again = await make_service().first_page(kind, vets, request)
    assert again is not None
    same_time = [slot for slot in again.slots if slot.start == first.start]
    assert same_time and same_time[0].vet_id != first.vet_id
