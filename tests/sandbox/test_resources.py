"""Clients, patients and the smaller resources: bodies, 404s and the non-official filters."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.standins.sandbox import SandboxState, create_sandbox_app
from tests.support.treats_fixtures import API_ROOT, SANDBOX_ORIGIN

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
async def strict_http(sandbox: SandboxState) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_sandbox_app(sandbox, strict=True)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=SANDBOX_ORIGIN + API_ROOT,
        headers={"X-API-Key": sandbox.api_key},
    ) as client:
        yield client


async def test_client_body(sandbox: SandboxState, sandbox_http: httpx.AsyncClient) -> None:
    owner = sandbox.seed.demo_owner_one_pet
    response = await sandbox_http.get(f"/clients/{owner.id}")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": owner.id,
        "firstName": "Marie",
        "lastName": "Dubois",
        "email": "marie.dubois@example.com",
        "phone": "06 39 98 12 34",
        "createdAt": body["createdAt"],
    }
    assert TIMESTAMP.match(body["createdAt"])


async def test_patient_body(sandbox: SandboxState, sandbox_http: httpx.AsyncClient) -> None:
    mimi = sandbox.seed.demo_pet
    response = await sandbox_http.get(f"/patients/{mimi.id}")
    assert response.json() == {
        "id": mimi.id,
        "clientId": sandbox.seed.demo_owner_one_pet.id,
        "name": "Mimi",
        "species": "Chat",
        "breed": "Européen",
        "sex": "F",
        "birthDate": "2018-05-14",
    }


@pytest.mark.parametrize(
    "path",
    [
        f"/clients/{UNKNOWN_ID}",
        "/clients/not-a-uuid",
        f"/patients/{UNKNOWN_ID}",
        f"/appointments/{UNKNOWN_ID}",
        f"/consultations/{UNKNOWN_ID}",
        f"/invoices/{UNKNOWN_ID}",
        f"/invoices/client/{UNKNOWN_ID}",
        f"/stock/{UNKNOWN_ID}",
    ],
)
async def test_unknown_resource_is_404(sandbox_http: httpx.AsyncClient, path: str) -> None:
    response = await sandbox_http.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Resource not found"}


@pytest.mark.parametrize(
    "typed",
    ["06 39 98 23 45", "+33 6 39 98 23 45", "0639982345", "+33639982345", "06.39.98.23.45"],
)
async def test_phone_filter_matches_every_typing(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, typed: str
) -> None:
    response = await sandbox_http.get("/clients", params={"phone": typed})
    assert [c["id"] for c in response.json()] == [sandbox.seed.demo_owner_many_pets.id]


async def test_phone_filter_finds_numbers_stored_in_every_format(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    for client in sandbox.clients.values():
        assert client.phone is not None
        digits = "+33" + re.sub(r"\D", "", client.phone).removeprefix("33").removeprefix("0")
        response = await sandbox_http.get("/clients", params={"phone": digits})
        assert [c["id"] for c in response.json()] == [client.id], client.phone


async def test_phone_filter_without_match_or_unreadable_is_empty(
    sandbox_http: httpx.AsyncClient,
) -> None:
    for wanted in ("06 00 00 00 00", "pas un numéro"):
        response = await sandbox_http.get("/clients", params={"phone": wanted})
        assert response.status_code == 200
        assert response.json() == []


async def test_client_id_filter(sandbox: SandboxState, sandbox_http: httpx.AsyncClient) -> None:
    owner = sandbox.seed.demo_owner_many_pets
    response = await sandbox_http.get("/patients", params={"clientId": owner.id})
    assert sorted(p["name"] for p in response.json()) == ["Caramel", "Noisette", "Rex"]
    none = await sandbox_http.get(
        "/patients", params={"clientId": sandbox.seed.demo_owner_no_pet.id}
    )
    assert none.json() == []


async def test_lists_without_filters_return_everything(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    clients = (await sandbox_http.get("/clients")).json()
    patients = (await sandbox_http.get("/patients")).json()
    assert len(clients) == len(sandbox.clients) >= 20
    assert len(patients) == len(sandbox.patients) >= 30


async def test_strict_ignores_the_non_official_filters(
    sandbox: SandboxState, strict_http: httpx.AsyncClient
) -> None:
    clients = await strict_http.get("/clients", params={"phone": "06 39 98 12 34"})
    patients = await strict_http.get(
        "/patients", params={"clientId": sandbox.seed.demo_owner_one_pet.id}
    )
    vets = await strict_http.get("/vets")
    assert len(clients.json()) == len(sandbox.clients)
    assert len(patients.json()) == len(sandbox.patients)
    assert vets.status_code == 404


async def test_added_client_and_patient_are_served(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    client = sandbox.add_client("Zoé", "Marchand", phone="+33 6 39 98 99 01")
    pet = sandbox.add_patient(client.id, "Pixel", species="Chien")
    found = await sandbox_http.get("/clients", params={"phone": "0639989901"})
    assert [c["id"] for c in found.json()] == [client.id]
    pets = await sandbox_http.get("/patients", params={"clientId": client.id})
    assert [p["id"] for p in pets.json()] == [pet.id]


async def test_appointment_types(sandbox_http: httpx.AsyncClient) -> None:
    kinds = (await sandbox_http.get("/appointments/types")).json()
    assert len(kinds) >= 5
    by_name = {k["name"]: k for k in kinds}
    assert by_name["Consultation générale"]["durationMinutes"] == 30
    assert by_name["Consultation générale"]["color"] == "#4CAF50"
    assert by_name["Vaccination"]["durationMinutes"] == 15
    assert by_name["Vaccination"]["color"] == "#2196F3"
    assert all(set(k) == {"id", "name", "durationMinutes", "color"} for k in kinds)


async def test_vets_non_official(sandbox: SandboxState, sandbox_http: httpx.AsyncClient) -> None:
    vets = (await sandbox_http.get("/vets")).json()
    assert [v["name"] for v in vets] == [
        "Dr Claire Martin",
        "Dr Julien Durand",
        "Dr Sophie Lefèvre",
    ]
    lefevre = vets[2]
    surgery = sandbox.seed.type_named("Chirurgie").id
    assert surgery not in lefevre["appointmentTypeIds"]
    assert vets[0]["appointmentTypeIds"] is None


async def test_existing_appointment_body(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    rex = sandbox.appointments_for(sandbox.seed.demo_owner_many_pets.id)[0]
    body = (await sandbox_http.get(f"/appointments/{rex.id}")).json()
    assert body["status"] == "CONFIRMED"
    assert body["displayStatus"] == "Confirmé"
    assert body["scheduledAt"] == "2026-11-25T10:00:00Z"  # Wednesday 11:00 in Paris
    assert body["endTime"] == "2026-11-25T10:30:00Z"
    assert set(body) == {
        "id",
        "clientId",
        "patientId",
        "appointmentTypeId",
        "vetId",
        "scheduledAt",
        "endTime",
        "reason",
        "isUrgent",
        "status",
        "displayStatus",
        "createdAt",
    }


async def test_clinic_side_changes_show(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    rex = sandbox.appointments_for(sandbox.seed.demo_owner_many_pets.id)[0]
    sandbox.set_status(rex.id, "CANCELLED")
    body = (await sandbox_http.get(f"/appointments/{rex.id}")).json()
    assert (body["status"], body["displayStatus"]) == ("CANCELLED", "Annulé")
    moved = sandbox.move(rex.id, rex.scheduled_at.replace(hour=14))
    body = (await sandbox_http.get(f"/appointments/{rex.id}")).json()
    assert body["scheduledAt"] == "2026-11-25T14:00:00Z"
    assert body["endTime"] == "2026-11-25T14:30:00Z"
    assert moved.end_time - moved.scheduled_at == rex.end_time - rex.scheduled_at


async def test_consultations_invoices_stock(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    consultation = next(iter(sandbox.consultations.values()))
    body = (await sandbox_http.get(f"/consultations/{consultation.id}")).json()
    assert body["patientId"] == consultation.patient_id
    moreau = sandbox.seed.demo_owner_many_pets.id
    invoices = (await sandbox_http.get(f"/invoices/client/{moreau}")).json()
    assert len(invoices) == 2
    assert all(i["currency"] == "EUR" and i["totalAmount"] > 0 for i in invoices)
    one = (await sandbox_http.get(f"/invoices/{invoices[0]['id']}")).json()
    assert one == invoices[0]
    no_invoice = sandbox.seed.demo_owner_no_pet.id
    assert (await sandbox_http.get(f"/invoices/client/{no_invoice}")).json() == []
    stock = (await sandbox_http.get("/stock")).json()
    low = (await sandbox_http.get("/stock/low")).json()
    assert 0 < len(low) < len(stock)
    assert all(item["quantity"] <= item["reorderLevel"] for item in low)
    item = (await sandbox_http.get(f"/stock/{stock[0]['id']}")).json()
    assert item == stock[0]
