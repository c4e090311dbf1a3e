"""The adapter's wire behaviour where exact failures matter: retries, lost answers, caches.

These use httpx.MockTransport to produce failures a server cannot be asked for (a read error
after the request was sent, a proxy's HTML 502). The same paths against the real sandbox are in
tests/unit/treats/test_client_sandbox.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from bot.clock import ManualClock
from bot.treats import (
    AuthError,
    Booked,
    NewAppointment,
    RateLimited,
    RetryPolicy,
    SlotTaken,
    TreatsClient,
    Unavailable,
    Uncertain,
)

KEY = "vk_c2VjcmV0LWtleS1mb3ItdGVzdHM"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
VET = "7b0d3c2e-1111-4b7a-9a55-0f0c2d1e0001"
TYPE = {
    "id": "7b0d3c2e-2222-4b7a-9a55-0f0c2d1e0001",
    "name": "Vaccination",
    "durationMinutes": 15,
    "color": "#2196F3",
}
APPOINTMENT = {
    "id": "7b0d3c2e-3333-4b7a-9a55-0f0c2d1e0001",
    "clientId": "7b0d3c2e-4444-4b7a-9a55-0f0c2d1e0001",
    "patientId": "7b0d3c2e-5555-4b7a-9a55-0f0c2d1e0001",
    "appointmentTypeId": TYPE["id"],
    "vetId": VET,
    "scheduledAt": "2026-11-24T09:00:00Z",
    "endTime": "2026-11-24T09:15:00Z",
    "reason": "Rappel vaccin",
    "isUrgent": False,
    "status": "SCHEDULED",
    "displayStatus": "Planifié",
    "createdAt": "2026-11-23T08:00:00Z",
}
NEW = NewAppointment(
    client_id=APPOINTMENT["clientId"],
    patient_id=APPOINTMENT["patientId"],
    vet_id=VET,
    scheduled_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    appointment_type_id=TYPE["id"],
    reason="Rappel vaccin",
)

Step = Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests from a list of steps, and remembers what was asked."""

    def __init__(self, *steps: Step | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step(request)


def answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> Step:
    return lambda request: httpx.Response(status, json=body, headers=headers)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(script: Script, sleeps: Sleeps | None = None, clock=None) -> TreatsClient:
    return TreatsClient(
        "http://treats.test/api/v1",
        KEY,
        transport=httpx.MockTransport(script),
        retry=RetryPolicy(attempts=3, base_delay=0.1, max_delay=1.0, attempt_timeout=5),
        sleep=sleeps if sleeps is not None else Sleeps(),
        clock=clock or ManualClock(NOW),
    )


async def test_every_request_carries_the_key_and_camel_case() -> None:
    script = Script(answer(200, [TYPE]))
    async with make_client(script) as treats:
        types = await treats.appointment_types()
    assert types[0].duration_minutes == 15
    assert script.requests[0].headers["X-API-Key"] == KEY
    assert script.requests[0].url.path == "/api/v1/appointments/types"


async def test_read_retried_on_500_with_growing_backoff() -> None:
    sleeps = Sleeps()
    script = Script(answer(500, {"message": "boom"}), answer(503), answer(200, [TYPE]))
    async with make_client(script, sleeps) as treats:
        types = await treats.appointment_types()
    assert [t.name for t in types] == ["Vaccination"]
    assert len(script.requests) == 3
    assert sleeps == [0.1, 0.2]


async def test_read_gives_up_as_unavailable_after_the_attempts() -> None:
    script = Script(httpx.ConnectError("refused"))
    async with make_client(script) as treats:
        with pytest.raises(Unavailable):
            await treats.appointment_types()
    assert len(script.requests) == 3


async def test_read_waits_what_retry_after_says() -> None:
    sleeps = Sleeps()
    limited = answer(
        429,
        {"message": "Rate limit exceeded. Please try again later.", "retryAfter": 2},
        {"Retry-After": "2"},
    )
    script = Script(limited, answer(200, [TYPE]))
    async with make_client(script, sleeps) as treats:
        await treats.appointment_types()
    assert sleeps == [2.0]


async def test_long_retry_after_reaches_the_caller_at_once() -> None:
    sleeps = Sleeps()
    script = Script(
        answer(
            429,
            {"message": "Rate limit exceeded. Please try again later.", "retryAfter": 1800},
            {"Retry-After": "1800"},
        )
    )
    async with make_client(script, sleeps) as treats:
        with pytest.raises(RateLimited) as caught:
            await treats.appointment_types()
    assert caught.value.retry_after == 1800
    assert sleeps == []
    assert len(script.requests) == 1


async def test_401_is_not_retried_and_keeps_the_api_message() -> None:
    script = Script(answer(401, {"message": "Invalid or expired API key"}))
    async with make_client(script) as treats:
        with pytest.raises(AuthError, match="Invalid or expired API key"):
            await treats.appointment_types()
    assert len(script.requests) == 1


async def test_proxy_html_502_becomes_unavailable() -> None:
    script = Script(lambda r: httpx.Response(502, text="<html>Bad gateway</html>"))
    async with make_client(script) as treats:
        with pytest.raises(Unavailable):
            await treats.appointment_types()


async def test_post_booked_on_201() -> None:
    script = Script(answer(201, APPOINTMENT))
    async with make_client(script) as treats:
        result = await treats.create_appointment(NEW, idempotency_key="k1")
    assert isinstance(result, Booked)
    assert result.appointment.display_status == "Planifié"
    sent = json.loads(script.requests[0].content)
    assert sent["scheduledAt"] == "2026-11-24T09:00:00Z"
    assert sent["clientId"] == APPOINTMENT["clientId"]
    assert script.requests[0].headers["Idempotency-Key"] == "k1"


async def test_post_409_first_time_is_slot_taken() -> None:
    script = Script(answer(409, {"message": "Time slot is no longer available"}))
    async with make_client(script) as treats:
        with pytest.raises(SlotTaken):
            await treats.create_appointment(NEW)
    assert len(script.requests) == 1


async def test_post_500_is_not_retried() -> None:
    script = Script(answer(500, {"message": "Internal server error"}), answer(201, APPOINTMENT))
    async with make_client(script) as treats:
        with pytest.raises(Unavailable):
            await treats.create_appointment(NEW)
    assert len(script.requests) == 1


async def test_post_retried_when_the_connection_failed_before_sending() -> None:
    script = Script(httpx.ConnectError("refused"), answer(201, APPOINTMENT))
    async with make_client(script) as treats:
        result = await treats.create_appointment(NEW)
    assert isinstance(result, Booked)
    assert len(script.requests) == 2


async def test_lost_answer_then_201_is_booked() -> None:
    script = Script(httpx.ReadTimeout("lost"), answer(201, APPOINTMENT))
    async with make_client(script) as treats:
        result = await treats.create_appointment(NEW)
    assert isinstance(result, Booked)


@pytest.mark.parametrize(
    "second",
    [
        answer(409, {"message": "Time slot is no longer available"}),
        answer(500, {"message": "Internal server error"}),
        httpx.ReadError("lost again"),
    ],
    ids=["409", "500", "lost-again"],
)
async def test_lost_answer_then_anything_but_201_is_uncertain(second) -> None:
    script = Script(httpx.ReadTimeout("lost"), second)
    async with make_client(script) as treats:
        result = await treats.create_appointment(NEW)
    assert isinstance(result, Uncertain)
    assert len(script.requests) == 2, "a lost answer is retried exactly once"


async def test_a_hanging_server_is_cut_by_the_attempt_deadline() -> None:
    """In-process transports ignore httpx timeouts; the adapter's own deadline still applies."""
    release = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(201, json=APPOINTMENT)

    treats = TreatsClient(
        "http://treats.test/api/v1",
        KEY,
        transport=httpx.MockTransport(hang),
        retry=RetryPolicy(attempts=2, base_delay=0, attempt_timeout=0.05),
        sleep=Sleeps(),
    )
    async with treats:
        result = await treats.create_appointment(NEW)
    assert isinstance(result, Uncertain)


async def test_types_are_cached_until_the_ttl() -> None:
    clock = ManualClock(NOW)
    script = Script(answer(200, [TYPE]))
    async with make_client(script, clock=clock) as treats:
        await treats.appointment_types()
        await treats.appointment_types()
        assert len(script.requests) == 1
        clock.advance(timedelta(hours=2))
        await treats.appointment_types()
    assert len(script.requests) == 2


async def test_concurrent_slot_reads_of_one_day_make_one_request() -> None:
    slot = {"startTime": "2026-11-24T09:00:00Z", "endTime": "2026-11-24T09:15:00Z"}
    script = Script(answer(200, [slot]))
    async with make_client(script) as treats:
        results = await asyncio.gather(
            *(treats.available_slots(VET, date(2026, 11, 24), TYPE["id"]) for _ in range(10))
        )
    assert all(len(r) == 1 for r in results)
    assert len(script.requests) == 1
    assert script.requests[0].url.params["date"] == "2026-11-24"


async def test_a_booking_refreshes_that_vets_slots() -> None:
    slot = {"startTime": "2026-11-24T09:00:00Z", "endTime": "2026-11-24T09:15:00Z"}
    script = Script(answer(200, [slot]), answer(201, APPOINTMENT), answer(200, []))
    async with make_client(script) as treats:
        await treats.available_slots(VET, date(2026, 11, 24), TYPE["id"])
        await treats.create_appointment(NEW)
        assert await treats.available_slots(VET, date(2026, 11, 24), TYPE["id"]) == []


async def test_a_slot_read_in_flight_during_a_booking_is_not_reused() -> None:
    """Fifty owners on one vet: a read answered before someone's booking must not be served
    (nor cached) to those who ask after it, or they are offered the taken slot again."""
    slot = {"startTime": "2026-11-24T09:00:00Z", "endTime": "2026-11-24T09:15:00Z"}
    gate, asked = asyncio.Event(), asyncio.Event()
    served: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json=APPOINTMENT)
        served.append(request.url.path)
        asked.set()
        if len(served) == 1:
            await gate.wait()  # answered with the slot, but only after the booking
            return httpx.Response(200, json=[slot])
        return httpx.Response(200, json=[])

    day = date(2026, 11, 24)
    async with TreatsClient(
        "http://treats.test/api/v1", KEY, transport=httpx.MockTransport(handler)
    ) as treats:
        early = asyncio.create_task(treats.available_slots(VET, day, TYPE["id"]))
        await asked.wait()
        await treats.create_appointment(NEW)
        late = asyncio.create_task(treats.available_slots(VET, day, TYPE["id"]))
        gate.set()
        assert len(await early) == 1  # asked before the booking: fair
        assert await late == []
        assert await treats.available_slots(VET, day, TYPE["id"]) == []
    assert len(served) == 2


async def test_phone_lookup_matches_on_our_side_when_the_filter_is_ignored() -> None:
    everyone = [
        {"id": "c1", "firstName": "Anne", "lastName": "Roux", "phone": "06 11 22 33 44"},
        {"id": "c2", "firstName": "Marc", "lastName": "Petit", "phone": "+33 6 12 34 56 78"},
        {"id": "c3", "firstName": "Lea", "lastName": "Blanc", "phone": None},
    ]
    script = Script(answer(200, everyone))
    async with make_client(script) as treats:
        found = await treats.find_clients_by_phone("0612345678")
    assert [c.id for c in found] == ["c2"]
    assert script.requests[0].url.params["phone"] == "+33612345678"


async def test_pets_are_filtered_by_owner_on_our_side() -> None:
    pets = [
        {"id": "p1", "clientId": "c1", "name": "Mimi", "species": "Chat"},
        {"id": "p2", "clientId": "c2", "name": "Rex", "species": "Chien"},
    ]
    script = Script(answer(200, pets))
    async with make_client(script) as treats:
        mine = await treats.pets_of("c1")
    assert [p.name for p in mine] == ["Mimi"]


async def test_forged_ids_never_reach_the_url() -> None:
    script = Script(answer(200, APPOINTMENT))
    async with make_client(script) as treats:
        with pytest.raises(Exception, match="Resource not found"):
            await treats.get_appointment("../clients?phone=1")
    assert script.requests == []


async def test_low_quota_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    headers = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "42"}
    script = Script(answer(200, [TYPE], headers))
    caplog.set_level(logging.WARNING, logger="vetbot.treats")
    clock = ManualClock(NOW)
    async with make_client(script, clock=clock) as treats:
        await treats.appointment_types()
        clock.advance(timedelta(hours=2))
        await treats.appointment_types()
        assert (treats.quota.limit, treats.quota.remaining) == (1000, 42)
    warnings = [r for r in caplog.records if "quota low" in r.getMessage()]
    assert len(warnings) == 1


def test_repr_never_shows_the_key() -> None:
    treats = TreatsClient("http://treats.test/api/v1", KEY)
    assert KEY not in repr(treats)
