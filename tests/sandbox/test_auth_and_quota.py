"""401, 403 and 429: messages, headers, the check order and the hourly window."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.standins.sandbox import AccessLevel, Permission, SandboxState

APPOINTMENT_TYPES = "/appointments/types"


async def test_no_key_is_401_authentication_required(sandbox_http: httpx.AsyncClient) -> None:
    response = await sandbox_http.get("/clients", headers={"X-API-Key": ""})
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication required"}
    assert response.headers["X-RateLimit-Limit"] == "0"
    assert response.headers["X-RateLimit-Remaining"] == "0"


async def test_unknown_key_is_401_invalid(sandbox_http: httpx.AsyncClient) -> None:
    response = await sandbox_http.get("/clients", headers={"X-API-Key": "vk_nope"})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid or expired API key"}


async def test_expired_and_revoked_keys_are_401_invalid(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, sandbox_clock: ManualClock
) -> None:
    expiring = sandbox.add_key(
        {Permission.CLIENT_READ}, expires_at=sandbox_clock() + timedelta(minutes=5)
    )
    revoked = sandbox.add_key({Permission.CLIENT_READ})
    sandbox.revoke_key(revoked)
    assert (await sandbox_http.get("/clients", headers={"X-API-Key": expiring})).status_code == 200
    sandbox_clock.advance(timedelta(minutes=5))
    for key in (expiring, revoked):
        response = await sandbox_http.get("/clients", headers={"X-API-Key": key})
        assert response.status_code == 401
        assert response.json() == {"message": "Invalid or expired API key"}


@pytest.mark.parametrize(
    ("permission", "method", "path"),
    [
        (Permission.PATIENT_READ, "GET", "/patients"),
        (Permission.CLIENT_READ, "GET", "/clients"),
        (Permission.APPOINTMENT_READ, "GET", "/appointments/types"),
        (Permission.APPOINTMENT_CREATE, "POST", "/appointments"),
        (
            Permission.CONSULTATION_READ,
            "GET",
            "/consultations/00000000-0000-0000-0000-000000000000",
        ),
        (Permission.INVOICE_READ, "GET", "/invoices/client/00000000-0000-0000-0000-000000000000"),
        (Permission.STOCK_READ, "GET", "/stock/low"),
    ],
)
async def test_each_permission_guards_its_endpoints(
    sandbox: SandboxState,
    sandbox_http: httpx.AsyncClient,
    permission: Permission,
    method: str,
    path: str,
) -> None:
    everything_else = sandbox.add_key(set(Permission) - {permission})
    response = await sandbox_http.request(method, path, headers={"X-API-Key": everything_else})
    assert response.status_code == 403
    assert response.json() == {"message": "Insufficient permissions"}
    assert response.headers["X-RateLimit-Limit"] == "1000"


async def test_rate_limit_headers_count_down(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    key = sandbox.add_key({Permission.APPOINTMENT_READ}, hourly_quota=3)
    remaining = []
    for _ in range(3):
        response = await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]


async def test_over_quota_is_429_until_the_hour_turns(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient, sandbox_clock: ManualClock
) -> None:
    key = sandbox.add_key({Permission.APPOINTMENT_READ}, hourly_quota=2)
    for _ in range(2):
        await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
    # 08:30 Paris is 07:30Z: the window resets at 08:00Z, 1800 s later.
    response = await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
    assert response.status_code == 429
    assert response.json() == {
        "message": "Rate limit exceeded. Please try again later.",
        "retryAfter": 1800,
    }
    assert response.headers["Retry-After"] == "1800"
    assert response.headers["X-RateLimit-Limit"] == "2"
    assert response.headers["X-RateLimit-Remaining"] == "0"

    sandbox_clock.advance(timedelta(minutes=29, seconds=59))
    response = await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"

    sandbox_clock.advance(timedelta(seconds=1))
    response = await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "1"


async def test_check_order_401_before_400(sandbox_http: httpx.AsyncClient) -> None:
    response = await sandbox_http.post(
        "/appointments", content=b"not json", headers={"X-API-Key": "vk_wrong"}
    )
    assert response.status_code == 401


async def test_check_order_403_before_429(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    key = sandbox.add_key({Permission.CLIENT_READ}, hourly_quota=1)
    await sandbox_http.get("/clients", headers={"X-API-Key": key})
    over_quota = await sandbox_http.get("/clients", headers={"X-API-Key": key})
    assert over_quota.status_code == 429
    forbidden = await sandbox_http.get("/patients", headers={"X-API-Key": key})
    assert forbidden.status_code == 403
    assert forbidden.headers["X-RateLimit-Remaining"] == "0"


async def test_check_order_429_before_404_and_400(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    key = sandbox.add_key(set(Permission), hourly_quota=1)
    await sandbox_http.get(APPOINTMENT_TYPES, headers={"X-API-Key": key})
    unknown = await sandbox_http.get("/clients/not-a-uuid", headers={"X-API-Key": key})
    malformed = await sandbox_http.post("/appointments", json={}, headers={"X-API-Key": key})
    assert (unknown.status_code, malformed.status_code) == (429, 429)


async def test_403_does_not_spend_quota(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    key = sandbox.add_key({Permission.CLIENT_READ}, hourly_quota=5)
    await sandbox_http.get("/patients", headers={"X-API-Key": key})
    response = await sandbox_http.get("/clients", headers={"X-API-Key": key})
    assert response.headers["X-RateLimit-Remaining"] == "4"


async def test_unknown_path_needs_a_key_then_is_404(sandbox_http: httpx.AsyncClient) -> None:
    anonymous = await sandbox_http.get("/appointments", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401
    for method, path in [("GET", "/appointments"), ("DELETE", "/appointments/x"), ("GET", "/x")]:
        response = await sandbox_http.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"message": "Resource not found"}
        assert "X-RateLimit-Remaining" in response.headers


async def test_basic_access_level_trims_contact_fields(
    sandbox: SandboxState, sandbox_http: httpx.AsyncClient
) -> None:
    owner = sandbox.seed.demo_owner_one_pet
    levels = {}
    for level in AccessLevel:
        key = sandbox.add_key(set(Permission), access_level=level)
        response = await sandbox_http.get(f"/clients/{owner.id}", headers={"X-API-Key": key})
        levels[level] = set(response.json())
    assert levels[AccessLevel.FULL] == {
        "id",
        "firstName",
        "lastName",
        "email",
        "phone",
        "createdAt",
    }
    assert levels[AccessLevel.STANDARD] == levels[AccessLevel.FULL] - {"email"}
    assert levels[AccessLevel.BASIC] == levels[AccessLevel.FULL] - {"email", "phone"}
    basic = sandbox.add_key(set(Permission), access_level="BASIC")
    pet = await sandbox_http.get(
        f"/patients/{sandbox.seed.demo_pet.id}", headers={"X-API-Key": basic}
    )
    assert "birthDate" not in pet.json()


async def test_seeded_key_has_everything(sandbox: SandboxState) -> None:
    key = sandbox.keys[sandbox.api_key]
    assert key.permissions == frozenset(Permission)
    assert key.access_level is AccessLevel.FULL
    assert key.hourly_quota == 1000
    assert sandbox.api_key.startswith("vk_")
    assert SandboxState.seeded(api_key="vk_fixed").api_key == "vk_fixed"
