"""`POST /appointments` and `GET /appointments/{id}`: the 201 body and every refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from bot.clock import ManualClock
from bot.standins.sandbox import SandboxState
from tests.support.treats_fixtures import PARIS

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
MONDAY_9H = "2026-11-23T08:00:00Z"  # 09:00 in Paris


def _body(sandbox: SandboxState, **changes: Any) -> dict[str, Any]:
    seed = sandbox.seed
    body: dict[str, Any] = {
        "clientId": seed.demo_owner_one_pet.id,
        "patientId": seed.demo_pet.id,
        "vetId": seed.vet_named("Dr Claire Martin").id,
        "scheduledAt": MONDAY_9H,
        "appointmentTypeId": seed.type_named("Consultation générale").id,
        "reason": "Tousse depuis hier",
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


async def test_created_appointment_body(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    response = await sandbox_http.post("/appointments", json=_body(sandbox))
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "clientId": sandbox.seed.demo_owner_one_pet.id,
        "patientId": sandbox.seed.demo_pet.id,
        "appointmentTypeId": sandbox.seed.type_named("Consultation générale").id,
        "vetId": sandbox.seed.vet_named("Dr Claire Martin").id,
        "scheduledAt": MONDAY_9H,
        "endTime": "2026-11-23T08:30:00Z",
        "reason": "Tousse depuis hier",
        "isUrgent": False,
        "status": "SCHEDULED",
        "displayStatus": "Planifié",
        "createdAt": "2026-11-23T07:30:00Z",
    }
    assert (await sandbox_http.get(f"/appointments/{body['id']}")).json() == body
    assert [a.id for a in sandbox.appointments_for(sandbox.seed.demo_pet.id)] == [body["id"]]


async def test_the_booked_slot_disappears_and_a_second_post_is_409(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    assert (await sandbox_http.post("/appointments", json=_body(sandbox))).status_code == 201
    again = await sandbox_http.post("/appointments", json=_body(sandbox))
    assert again.status_code == 409
    assert again.json() == {"message": "Time slot is no longer available"}
    slots = await sandbox_http.get(
        "/appointments/available-slots",
        params={
            "vetId": sandbox.seed.vet_named("Dr Claire Martin").id,
            "date": "2026-11-23",
            "appointmentTypeId": sandbox.seed.type_named("Consultation générale").id,
        },
    )
    assert MONDAY_9H not in [s["startTime"] for s in slots.json()]
    assert len(sandbox.appointments_for(sandbox.seed.demo_pet.id)) == 1


async def test_overlapping_a_seeded_appointment_is_409(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    # Dr Martin operates on Tuesday 14:00–15:00; a 15-minute vaccination at 14:45 overlaps.
    response = await sandbox_http.post(
        "/appointments",
        json=_body(
            sandbox,
            scheduledAt="2026-11-24T13:45:00Z",
            appointmentTypeId=sandbox.seed.type_named("Vaccination").id,
        ),
    )
    assert response.status_code == 409


async def test_two_owners_may_book_two_different_slots(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    first = await sandbox_http.post("/appointments", json=_body(sandbox))
    second = await sandbox_http.post(
        "/appointments", json=_body(sandbox, scheduledAt="2026-11-23T08:30:00Z")
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize(
    ("when", "why"),
    [
        ("2026-11-23T11:30:00Z", "12:30 local: lunch break"),
        ("2026-11-24T07:30:00Z", "08:30 local: before opening"),
        ("2026-11-23T08:10:00Z", "09:10 local: off the 30-minute grid"),
        ("2026-11-23T11:15:00Z", "12:15 local: would end after 12:30"),
        ("2026-11-29T09:00:00Z", "a Sunday"),
    ],
)
async def test_a_start_the_vet_would_not_offer_is_409(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, when: str, why: str
) -> None:
    response = await sandbox_http.post("/appointments", json=_body(sandbox, scheduledAt=when))
    assert response.status_code == 409, why
    assert response.json() == {"message": "Time slot is no longer available"}
    assert sandbox.appointments_for(sandbox.seed.demo_pet.id) == []


async def test_a_type_the_vet_does_not_do_is_409(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    body = _body(
        sandbox,
        vetId=sandbox.seed.vet_named("Dr Sophie Lefèvre").id,
        appointmentTypeId=sandbox.seed.type_named("Chirurgie").id,
    )
    assert (await sandbox_http.post("/appointments", json=body)).status_code == 409


async def test_without_a_type_it_lasts_30_minutes(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    body = _body(sandbox, appointmentTypeId=..., reason=...)
    response = await sandbox_http.post("/appointments", json=body)
    assert response.status_code == 201
    created = response.json()
    assert created["appointmentTypeId"] is None
    assert created["reason"] is None
    assert created["endTime"] == "2026-11-23T08:30:00Z"


async def test_optional_fields_and_other_offsets_are_accepted(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    body = _body(sandbox, scheduledAt="2026-11-23T09:00:00+01:00", isUrgent=True, reason=None)
    response = await sandbox_http.post("/appointments", json=body)
    assert response.status_code == 201
    assert response.json()["scheduledAt"] == MONDAY_9H
    assert response.json()["isUrgent"] is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"clientId": ...}, "clientId is required"),
        ({"patientId": None}, "patientId is required"),
        ({"vetId": ""}, "vetId is required"),
        ({"scheduledAt": ...}, "scheduledAt is required"),
        ({"clientId": "abc"}, "clientId must be a UUID"),
        ({"patientId": 12}, "patientId must be a UUID"),
        ({"vetId": "not-a-uuid"}, "vetId must be a UUID"),
        ({"appointmentTypeId": "x"}, "appointmentTypeId must be a UUID"),
        ({"scheduledAt": "lundi 9h"}, "scheduledAt must be an ISO-8601 timestamp"),
        ({"scheduledAt": 1700000000}, "scheduledAt must be an ISO-8601 timestamp"),
        ({"scheduledAt": "2026-11-23T09:00:00"}, "scheduledAt must include a time zone"),
        ({"scheduledAt": "2026-11-20T08:00:00Z"}, "scheduledAt must be in the future"),
        ({"reason": 3}, "reason must be a string"),
        ({"isUrgent": "oui"}, "isUrgent must be a boolean"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(
    sandbox: SandboxState,
    sandbox_http: httpx.AsyncClient,
    changes: dict[str, Any],
    message: str,
) -> None:
    response = await sandbox_http.post("/appointments", json=_body(sandbox, **changes))
    assert response.status_code == 400
    assert response.json() == {"message": message}


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1, 2]", b'"text"'])
async def test_a_body_that_is_not_a_json_object_is_400(
    sandbox_http: httpx.AsyncClient, raw: bytes
) -> None:
    response = await sandbox_http.post(
        "/appointments", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "body must be a JSON object"}


async def test_now_itself_is_not_the_future(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, sandbox_clock: ManualClock
) -> None:
    sandbox_clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=PARIS))
    response = await sandbox_http.post("/appointments", json=_body(sandbox))
    assert response.json() == {"message": "scheduledAt must be in the future"}


@pytest.mark.parametrize("field", ["clientId", "patientId", "vetId", "appointmentTypeId"])
async def test_unknown_references_are_404(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, field: str
) -> None:
    response = await sandbox_http.post("/appointments", json=_body(sandbox, **{field: UNKNOWN_ID}))
    assert response.status_code == 404
    assert response.json() == {"message": "Resource not found"}


async def test_someone_elses_pet_is_400(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    rex = sandbox.seed.pets_of(sandbox.seed.demo_owner_many_pets)[0]
    response = await sandbox_http.post("/appointments", json=_body(sandbox, patientId=rex.id))
    assert response.status_code == 400
    assert response.json() == {"message": "patient does not belong to client"}


async def test_400_comes_before_404_and_404_before_409(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    bad_and_unknown = _body(sandbox, clientId=UNKNOWN_ID, scheduledAt="2020-01-01T00:00:00Z")
    assert (await sandbox_http.post("/appointments", json=bad_and_unknown)).status_code == 400
    unknown_and_taken = _body(sandbox, vetId=UNKNOWN_ID, scheduledAt="2026-11-24T08:30:00Z")
    assert (await sandbox_http.post("/appointments", json=unknown_and_taken)).status_code == 404


async def test_created_ids_are_deterministic(sandbox_clock: ManualClock) -> None:
    ids = []
    for _ in range(2):
        state = SandboxState.seeded(sandbox_clock)
        start = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
        ids.append(
            state.create_appointment(
                client_id=state.seed.demo_owner_one_pet.id,
                patient_id=state.seed.demo_pet.id,
                vet_id=state.seed.vet_named("Dr Claire Martin").id,
                scheduled_at=start,
                appointment_type_id=None,
                reason=None,
                is_urgent=False,
            ).id
        )
    assert ids[0] == ids[1]
