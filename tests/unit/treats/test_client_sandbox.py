"""The adapter against the real sandbox (in-process): every error path the API documents.

What an owner would notice is what is asserted: an appointment exists once or not at all,
and an outcome nobody can know is reported as uncertain, never as success or failure.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bot.standins.sandbox import Permission, SandboxState
from bot.treats import (
    AuthError,
    Booked,
    NewAppointment,
    NotFound,
    PermissionDenied,
    RateLimited,
    RetryPolicy,
    SlotTaken,
    TreatsClient,
    Unavailable,
    Uncertain,
)
from tests.support.treats_fixtures import SANDBOX_ORIGIN

FAST = RetryPolicy(attempts=3, base_delay=0, max_delay=0, attempt_timeout=0.5)


def client_for(app: Starlette, key: str, retry: RetryPolicy = FAST) -> TreatsClient:
    return TreatsClient(
        SANDBOX_ORIGIN + "/api/v1", key, transport=httpx.ASGITransport(app=app), retry=retry
    )


@pytest.fixture
async def treats(sandbox: SandboxState, sandbox_app: Starlette):
    async with client_for(sandbox_app, sandbox.api_key) as client:
        yield client


async def first_free(treats: TreatsClient, sandbox: SandboxState) -> NewAppointment:
    owner = sandbox.seed.demo_owner_one_pet
    vet = sandbox.seed.vet_named("Dr Claire Martin")
    kind = sandbox.seed.type_named("Vaccination")
    day = sandbox.today() + timedelta(days=1)
    slots = await treats.available_slots(vet.id, day, kind.id)
    return NewAppointment(
        client_id=owner.id,
        patient_id=sandbox.seed.demo_pet.id,
        vet_id=vet.id,
        scheduled_at=slots[0].start_time,
        appointment_type_id=kind.id,
        reason="Rappel annuel",
    )


def owners_appointments(sandbox: SandboxState) -> list:
    return sandbox.appointments_for(sandbox.seed.demo_owner_one_pet.id)


async def test_booking_creates_one_scheduled_appointment(treats, sandbox) -> None:
    new = await first_free(treats, sandbox)
    result = await treats.create_appointment(new)
    assert isinstance(result, Booked)
    assert result.appointment.display_status == "Planifié"
    assert result.appointment.end_time - result.appointment.scheduled_at == timedelta(minutes=15)
    assert len(owners_appointments(sandbox)) == 1


async def test_the_booked_slot_disappears_from_the_offer(treats, sandbox) -> None:
    new = await first_free(treats, sandbox)
    await treats.create_appointment(new)
    day = new.scheduled_at.astimezone(sandbox.zone).date()
    slots = await treats.available_slots(new.vet_id, day, new.appointment_type_id)
    assert new.scheduled_at not in [s.start_time for s in slots]


async def test_lost_answer_retried_once_is_booked_once(treats, sandbox) -> None:
    """The POST is created but its answer lost: the retry sees 409, so: uncertain, one row."""
    new = await first_free(treats, sandbox)
    sandbox.faults.lose_next_post_answer()
    result = await treats.create_appointment(new)
    sandbox.faults.release()
    assert isinstance(result, Uncertain)
    assert len(owners_appointments(sandbox)) == 1, "never two appointments"


async def test_slot_taken_by_someone_else(treats, sandbox) -> None:
    new = await first_free(treats, sandbox)
    sandbox.faults.conflict_next_post()
    with pytest.raises(SlotTaken, match="Time slot is no longer available"):
        await treats.create_appointment(new)
    assert owners_appointments(sandbox) == []


async def test_post_answered_500_creates_nothing_and_is_not_retried(treats, sandbox) -> None:
    new = await first_free(treats, sandbox)
    sandbox.faults.fail_next(1, "500")
    with pytest.raises(Unavailable):
        await treats.create_appointment(new)
    assert owners_appointments(sandbox) == []
    assert sandbox.statuses("POST", "/api/v1/appointments") == [500]


async def test_reads_ride_out_500s_and_a_short_429(treats, sandbox) -> None:
    sandbox.faults.fail_next(2, "500")
    types = await treats.appointment_types()
    assert "Vaccination" in [t.name for t in types]
    sandbox.faults.fail_next(1, "429", retry_after=0)
    assert await treats.pets_of(sandbox.seed.demo_owner_one_pet.id)


async def test_read_that_hangs_every_time_is_unavailable(treats, sandbox) -> None:
    sandbox.faults.fail_next(3, "timeout")
    with pytest.raises(Unavailable):
        await treats.appointment_types()
    sandbox.faults.release()


async def test_wrong_key_is_an_auth_error(sandbox_app) -> None:
    async with client_for(sandbox_app, "vk_not-a-real-key") as treats:
        with pytest.raises(AuthError, match="Invalid or expired API key"):
            await treats.appointment_types()


async def test_missing_permission(sandbox, sandbox_app) -> None:
    key = sandbox.add_key({Permission.APPOINTMENT_READ})
    async with client_for(sandbox_app, key) as treats:
        with pytest.raises(PermissionDenied, match="Insufficient permissions"):
            await treats.pets_of(sandbox.seed.demo_owner_one_pet.id)
        granted = await treats.probe_permissions()
    assert granted == {
        "APPOINTMENT_READ": True,
        "CLIENT_READ": False,
        "PATIENT_READ": False,
        "APPOINTMENT_CREATE": False,
    }


async def test_quota_spent_reaches_the_caller_with_its_wait(sandbox, sandbox_app) -> None:
    key = sandbox.add_key(set(Permission), hourly_quota=2)
    async with client_for(sandbox_app, key) as treats:
        await treats.appointment_types()
        await treats.pets_of(sandbox.seed.demo_owner_one_pet.id)
        with pytest.raises(RateLimited) as caught:
            await treats.get_client(sandbox.seed.demo_owner_one_pet.id)
    assert 0 < caught.value.retry_after <= 3600
    assert treats.quota.limit == 2


async def test_unknown_appointment_is_not_found(treats) -> None:
    with pytest.raises(NotFound):
        await treats.get_appointment("3f1c1a52-0000-4000-8000-000000000000")


@pytest.mark.parametrize("strict", [False, True], ids=["filters", "strict"])
async def test_owner_found_by_phone_in_any_format(sandbox, strict) -> None:
    from bot.standins.sandbox import create_sandbox_app

    app = create_sandbox_app(sandbox, strict=strict)
    owner = sandbox.seed.demo_owner_one_pet
    async with client_for(app, sandbox.api_key) as treats:
        for typed in (owner.phone, "+33639981234", "0639981234", "33639981234"):
            found = await treats.find_clients_by_phone(typed)
            assert [c.id for c in found] == [owner.id], typed
        pets = await treats.pets_of(owner.id)
    assert [p.name for p in pets] == ["Mimi"]


async def test_slots_of_an_empty_day_are_empty(treats, sandbox) -> None:
    vet = sandbox.seed.vet_named("Dr Claire Martin")
    kind = sandbox.seed.type_named("Vaccination")
    sunday = sandbox.today() + timedelta(days=(6 - sandbox.today().weekday()) % 7 or 7)
    assert sunday.weekday() == 6
    assert await treats.available_slots(vet.id, sunday, kind.id) == []


def test_fixture_day_is_a_monday(sandbox) -> None:
    assert sandbox.today() == date(2026, 11, 23)
