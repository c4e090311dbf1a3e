"""Sandbox-only control endpoints under `/_sandbox`, for out-of-process tests and benchmarks.

They are not part of the Treats API: no key, no quota, no faults, not logged in `state.calls`.

- `POST /_sandbox/faults` `{"kind": "500"|"timeout"|"429"|"conflict"|"lost_answer", "count": 1,
  "method": "GET", "path": "/appointments", "retryAfter": 1}` (only kind is required; method,
  path and retryAfter apply to the first three kinds) → `{"pending": n}`;
  `DELETE /_sandbox/faults` disarms all; `POST /_sandbox/faults/release` frees hung requests.
- `GET /_sandbox/appointments`: every appointment, any status, in time order.
- `PATCH /_sandbox/appointments/{id}` `{"status": "CANCELLED"}` and/or `{"scheduledAt": "..."}`:
  the clinic's side changing an appointment.
- `GET /_sandbox/clock`; `POST /_sandbox/clock` `{"now": "2026-11-23T07:30:00Z"}` when the
  sandbox runs on a `ManualClock` (400 otherwise).
- `GET /_sandbox/calls`: `[{"method", "path", "status", "fault"}]`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.clock import ManualClock
from bot.standins.sandbox.faults import DEFAULT_RETRY_AFTER, FaultKind
from bot.standins.sandbox.gateway import NOT_FOUND, error_response
from bot.standins.sandbox.records import AppointmentStatus, appointment_json, iso_utc
from bot.standins.sandbox.state import SandboxState

CONTROL_ROOT = "/_sandbox"
POST_FAULTS = {"conflict", "lost_answer"}


class _BadRequest(Exception):
    pass


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _BadRequest("body must be a JSON object")
    return body


def _timestamp(value: object, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _BadRequest(f"{name} must be an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        raise _BadRequest(f"{name} must include a time zone")
    return moment


def control_routes(state: SandboxState) -> list[Route]:
    """The `/_sandbox/...` routes bound to one state."""

    async def arm_fault(request: Request) -> Response:
        body = await _json_object(request)
        kind, count = str(body.get("kind")), body.get("count", 1)
        if not isinstance(count, int) or count < 1:
            raise _BadRequest("count must be a positive integer")
        if kind == "conflict":
            state.faults.conflict_next_post(count)
        elif kind == "lost_answer":
            state.faults.lose_next_post_answer(count)
        elif kind in {k.value for k in FaultKind}:
            method, path, retry_after = (body.get(n) for n in ("method", "path", "retryAfter"))
            if not all(isinstance(v, str | None) for v in (method, path)):
                raise _BadRequest("method and path must be strings")
            if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
                raise _BadRequest("retryAfter must be a non-negative integer")
            state.faults.fail_next(
                count,
                kind,
                method=method,
                path_prefix=path,
                retry_after=DEFAULT_RETRY_AFTER if retry_after is None else retry_after,
            )
        else:
            kinds = sorted({k.value for k in FaultKind} | POST_FAULTS)
            raise _BadRequest(f"kind must be one of {', '.join(kinds)}")
        return JSONResponse({"pending": state.faults.pending})

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        return JSONResponse({"pending": 0})

    async def release(request: Request) -> Response:
        hanging = state.faults.hanging
        state.faults.release()
        return JSONResponse({"released": hanging})

    async def appointments(request: Request) -> Response:
        ordered = sorted(state.appointments.values(), key=lambda a: a.scheduled_at)
        return JSONResponse([appointment_json(a) for a in ordered])

    async def change_appointment(request: Request) -> Response:
        appointment_id = str(request.path_params["id"])
        if appointment_id not in state.appointments:
            return error_response(404, NOT_FOUND)
        body = await _json_object(request)
        if "status" in body:
            try:
                status = AppointmentStatus(body["status"])
            except ValueError:
                raise _BadRequest("status is not a known status") from None
            state.set_status(appointment_id, status)
        if "scheduledAt" in body:
            state.move(appointment_id, _timestamp(body["scheduledAt"], "scheduledAt"))
        return JSONResponse(appointment_json(state.appointments[appointment_id]))

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            if not isinstance(state.clock, ManualClock):
                raise _BadRequest("the sandbox clock is not a ManualClock")
            body = await _json_object(request)
            state.clock.set(_timestamp(body.get("now"), "now"))
        return JSONResponse({"now": iso_utc(state.now())})

    async def calls(request: Request) -> Response:
        return JSONResponse([call._asdict() for call in state.calls])

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except _BadRequest as error:
                return error_response(400, str(error))

        return endpoint

    return [
        Route(f"{CONTROL_ROOT}/faults", guarded(arm_fault), methods=["POST"]),
        Route(f"{CONTROL_ROOT}/faults", guarded(clear_faults), methods=["DELETE"]),
        Route(f"{CONTROL_ROOT}/faults/release", guarded(release), methods=["POST"]),
        Route(f"{CONTROL_ROOT}/appointments", guarded(appointments), methods=["GET"]),
        Route(
            f"{CONTROL_ROOT}/appointments/{{id}}", guarded(change_appointment), methods=["PATCH"]
        ),
        Route(f"{CONTROL_ROOT}/clock", guarded(clock), methods=["GET", "POST"]),
        Route(f"{CONTROL_ROOT}/calls", guarded(calls), methods=["GET"]),
    ]
