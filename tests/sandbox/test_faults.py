"""Fault injection: 500, 429, timeouts, the lost answer and the stolen slot; the call log."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from bot.standins.sandbox import Call, FaultKind, SandboxState

APPOINTMENTS = "/api/v1/appointments"
MONDAY_9H = "2026-11-23T08:00:00Z"
CLIENT_TIMEOUT = httpx.Timeout(5.0, read=0.3)
"""Only the loopback tests use it: a real client gives up on a request that hangs."""


def _booking(sandbox: SandboxState, when: str = MONDAY_9H) -> dict[str, Any]:
    seed = sandbox.seed
    return {
        "clientId": seed.demo_owner_one_pet.id,
        "patientId": seed.demo_pet.id,
        "vetId": seed.vet_named("Dr Claire Martin").id,
        "scheduledAt": when,
        "appointmentTypeId": seed.type_named("Consultation générale").id,
    }


def _booked(sandbox: SandboxState) -> int:
    return len(sandbox.appointments_for(sandbox.seed.demo_pet.id))


async def test_500_does_nothing_and_costs_no_quota(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(2, "500")
    for _ in range(2):
        response = await sandbox_http.post("/appointments", json=_booking(sandbox))
        assert response.status_code == 500
        assert response.json() == {"message": "Internal server error"}
        assert response.headers["X-RateLimit-Remaining"] == "1000"
    assert _booked(sandbox) == 0
    assert (await sandbox_http.post("/appointments", json=_booking(sandbox))).status_code == 201
    assert sandbox.calls == [
        Call("POST", APPOINTMENTS, 500, "500"),
        Call("POST", APPOINTMENTS, 500, "500"),
        Call("POST", APPOINTMENTS, 201, None),
    ]
    assert sandbox.statuses("POST", APPOINTMENTS) == [500, 500, 201]


async def test_injected_429_has_the_documented_body_and_headers(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(1, FaultKind.RATE_LIMIT, retry_after=7)
    response = await sandbox_http.get("/appointments/types")
    assert response.status_code == 429
    assert response.json() == {
        "message": "Rate limit exceeded. Please try again later.",
        "retryAfter": 7,
    }
    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-RateLimit-Limit"] == "1000"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert (await sandbox_http.get("/appointments/types")).status_code == 200


async def test_faults_can_target_a_method_and_path(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(1, "500", method="post", path_prefix="/appointments")
    assert (await sandbox_http.get("/appointments/types")).status_code == 200
    assert (await sandbox_http.get("/clients")).status_code == 200
    assert (await sandbox_http.post("/appointments", json=_booking(sandbox))).status_code == 500
    assert sandbox.faults.pending == 0


async def test_faults_answer_before_authentication(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(1, "500")
    response = await sandbox_http.get("/clients", headers={"X-API-Key": "vk_wrong"})
    assert response.status_code == 500
    assert response.headers["X-RateLimit-Limit"] == "0"


async def test_a_timeout_hangs_until_released(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(1, "timeout")
    request = asyncio.create_task(sandbox_http.post("/appointments", json=_booking(sandbox)))
    await sandbox.faults.wait_for_hang()
    assert not request.done()
    assert sandbox.calls == [Call("POST", APPOINTMENTS, 504, "timeout")]
    sandbox.faults.release()
    response = await request
    assert response.status_code == 504
    assert response.json() == {"message": "Gateway timeout"}
    assert _booked(sandbox) == 0
    assert sandbox.faults.hanging == 0


async def test_close_releases_and_stops_hanging(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.fail_next(3, "timeout")
    hung = asyncio.create_task(sandbox_http.get("/clients"))
    await sandbox.faults.wait_for_hang()
    sandbox.close()
    assert (await hung).status_code == 504
    assert (await sandbox_http.get("/clients")).status_code == 504  # answered at once


async def test_conflict_next_post(sandbox: SandboxState, sandbox_http: httpx.AsyncClient) -> None:
    sandbox.faults.conflict_next_post()
    invalid = await sandbox_http.post("/appointments", json={})
    assert invalid.status_code == 400  # does not consume the armed conflict
    stolen = await sandbox_http.post("/appointments", json=_booking(sandbox))
    assert stolen.status_code == 409
    assert stolen.json() == {"message": "Time slot is no longer available"}
    assert _booked(sandbox) == 0
    assert (await sandbox_http.post("/appointments", json=_booking(sandbox))).status_code == 201
    assert [c.fault for c in sandbox.calls] == [None, "conflict", None]


async def test_lost_answer_creates_then_hangs(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    sandbox.faults.lose_next_post_answer()
    request = asyncio.create_task(sandbox_http.post("/appointments", json=_booking(sandbox)))
    await sandbox.faults.wait_for_hang()
    assert _booked(sandbox) == 1  # created for real while the caller waits
    sandbox.faults.release()
    assert (await request).status_code == 504
    retry = await sandbox_http.post("/appointments", json=_booking(sandbox))
    assert retry.status_code == 409  # our own appointment holds the slot
    assert _booked(sandbox) == 1
    assert sandbox.calls == [
        Call("POST", APPOINTMENTS, 504, "lost_answer"),
        Call("POST", APPOINTMENTS, 409, None),
    ]


async def test_over_loopback_a_client_timeout_ends_the_hang(
    sandbox: SandboxState, sandbox_url: str
) -> None:
    sandbox.faults.fail_next(1, "timeout", path_prefix="/clients")
    async with httpx.AsyncClient(
        base_url=sandbox_url, headers={"X-API-Key": sandbox.api_key}, timeout=CLIENT_TIMEOUT
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/clients")
        await sandbox.faults.wait_until_idle()  # the server noticed the client left
        assert (await client.get("/clients")).status_code == 200


async def test_over_loopback_the_lost_answer_still_books(
    sandbox: SandboxState, sandbox_url: str
) -> None:
    sandbox.faults.lose_next_post_answer()
    async with httpx.AsyncClient(
        base_url=sandbox_url, headers={"X-API-Key": sandbox.api_key}, timeout=CLIENT_TIMEOUT
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/appointments", json=_booking(sandbox))
        assert _booked(sandbox) == 1
        retry = await client.post("/appointments", json=_booking(sandbox))
        assert retry.status_code == 409


def test_fail_next_rejects_nonsense(sandbox: SandboxState) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.fail_next(0, "500")
    with pytest.raises(ValueError):
        sandbox.faults.fail_next(1, "418")
