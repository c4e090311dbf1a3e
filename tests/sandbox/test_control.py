"""The `/_sandbox` control endpoints, used over loopback by out-of-process tests and benches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.standins.sandbox import SandboxState, create_sandbox_app

MONDAY_9H = "2026-11-23T08:00:00Z"


@pytest.fixture
async def origin_http(sandbox: SandboxState, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the server's origin: API under /api/v1, controls under /_sandbox."""
    async with httpx.AsyncClient(
        base_url=sandbox_url.removesuffix("/api/v1"), headers={"X-API-Key": sandbox.api_key}
    ) as client:
        yield client


async def test_arm_faults_and_read_the_call_log(origin_http: httpx.AsyncClient) -> None:
    armed = await origin_http.post("/_sandbox/faults", json={"kind": "500", "count": 2})
    assert armed.json() == {"pending": 2}
    await origin_http.post("/_sandbox/faults", json={"kind": "429", "retryAfter": 3})
    statuses = [(await origin_http.get("/api/v1/clients")).status_code for _ in range(4)]
    assert statuses == [500, 500, 429, 200]
    calls = (await origin_http.get("/_sandbox/calls")).json()
    assert [(c["path"], c["status"], c["fault"]) for c in calls] == [
        ("/api/v1/clients", 500, "500"),
        ("/api/v1/clients", 500, "500"),
        ("/api/v1/clients", 429, "429"),
        ("/api/v1/clients", 200, None),
    ]


async def test_post_faults_and_clearing(origin_http: httpx.AsyncClient) -> None:
    for kind in ("conflict", "lost_answer", "timeout"):
        await origin_http.post("/_sandbox/faults", json={"kind": kind})
    assert (await origin_http.delete("/_sandbox/faults")).json() == {"pending": 0}
    assert (await origin_http.get("/api/v1/clients")).status_code == 200
    bad = await origin_http.post("/_sandbox/faults", json={"kind": "teapot"})
    assert bad.status_code == 400
    assert "kind must be one of" in bad.json()["message"]


async def test_release_frees_a_hung_request(
    sandbox: SandboxState, origin_http: httpx.AsyncClient
) -> None:
    await origin_http.post("/_sandbox/faults", json={"kind": "timeout", "path": "/clients"})
    async with httpx.AsyncClient(
        base_url=str(origin_http.base_url), headers={"X-API-Key": sandbox.api_key}
    ) as other:
        hung = asyncio.create_task(other.get("/api/v1/clients"))
        await sandbox.faults.wait_for_hang()
        released = await origin_http.post("/_sandbox/faults/release")
        assert released.json() == {"released": 1}
        assert (await hung).status_code == 504


async def test_clock_and_appointments(
    sandbox: SandboxState, origin_http: httpx.AsyncClient
) -> None:
    assert (await origin_http.get("/_sandbox/clock")).json() == {"now": "2026-11-23T07:30:00Z"}
    moved = await origin_http.post("/_sandbox/clock", json={"now": "2026-11-23T10:05:00+01:00"})
    assert moved.json() == {"now": "2026-11-23T09:05:00Z"}
    everything = (await origin_http.get("/_sandbox/appointments")).json()
    assert len(everything) == len(sandbox.appointments)
    assert everything == sorted(everything, key=lambda a: a["scheduledAt"])
    first = everything[0]
    cancelled = await origin_http.patch(
        f"/_sandbox/appointments/{first['id']}", json={"status": "CANCELLED"}
    )
    assert cancelled.json()["displayStatus"] == "Annulé"
    rescheduled = await origin_http.patch(
        f"/_sandbox/appointments/{first['id']}", json={"scheduledAt": "2026-11-27T15:00:00Z"}
    )
    assert rescheduled.json()["scheduledAt"] == "2026-11-27T15:00:00Z"
    assert (await origin_http.patch("/_sandbox/appointments/nope", json={})).status_code == 404
    bad = await origin_http.patch(f"/_sandbox/appointments/{first['id']}", json={"status": "PERDU"})
    assert bad.status_code == 400


async def test_controls_are_not_logged_and_other_paths_are_json_404(
    sandbox: SandboxState, origin_http: httpx.AsyncClient
) -> None:
    await origin_http.get("/_sandbox/appointments")
    missing = await origin_http.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Resource not found"}
    assert sandbox.calls == []


async def test_clock_cannot_move_a_system_clock() -> None:
    state = SandboxState.seeded()
    transport = httpx.ASGITransport(app=create_sandbox_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        response = await client.post("/_sandbox/clock", json={"now": MONDAY_9H})
    assert response.status_code == 400
    assert response.json() == {"message": "the sandbox clock is not a ManualClock"}
