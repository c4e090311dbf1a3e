"""The documented Treats endpoints (and the non-official `GET /vets`), one handler each.

Decisions where the reference is silent:
- An id in the path that is not a UUID, or unknown, is 404 "Resource not found"; a malformed id
  in a body or query is 400 "<field> must be a UUID". UUIDs are compared lower-case.
- List endpoints return records in seed (insertion) order. `?phone=` keeps clients whose phone,
  read as a French number, has the same E.164 form as the filter; a filter that is not a phone
  number matches nobody. `?clientId=` keeps that owner's pets. With `strict=True` both filters
  are ignored and everything is returned, as the real API may do.
- available-slots: the three parameters are checked in order vetId, date, appointmentTypeId,
  each "is required" then its format; then unknown vet or type is 404. A vet who does not do
  the type answers `[]`.
- POST /appointments, in order: body not a JSON object → 400 "body must be a JSON object";
  clientId, patientId, vetId, scheduledAt "is required" (missing, null or ""); ids "must be a
  UUID"; scheduledAt "must be an ISO-8601 timestamp" / "must include a time zone"; optional
  appointmentTypeId "must be a UUID", reason "must be a string", isUrgent "must be a boolean";
  scheduledAt not strictly after now → "scheduledAt must be in the future"; unknown client,
  patient, vet or type → 404; "patient does not belong to client" → 400; then 409 "Time slot is
  no longer available" when the start is not one the vet offers for that duration (outside
  hours, off the grid, or a type the vet does not do: from the caller's side it is a slot that
  is not available) or when it overlaps a non-cancelled appointment of the vet.
  Without appointmentTypeId the grid and the length are 30 minutes.
- Consultations, invoices and stock are read-only and small: enough for 200 / 404 / 403.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TypeVar

import phonenumbers
from starlette.responses import Response

from bot.standins.sandbox.availability import first_overlap, free_slots, is_grid_start
from bot.standins.sandbox.gateway import NOT_FOUND, SLOT_TAKEN, ApiError, Endpoint, Exchange
from bot.standins.sandbox.keys import Permission
from bot.standins.sandbox.records import (
    DEFAULT_DURATION,
    appointment_json,
    appointment_type_json,
    client_json,
    consultation_json,
    invoice_json,
    iso_utc,
    patient_json,
    stock_json,
    vet_json,
)

PHONE_REGION = "FR"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REQUIRED_ON_POST = ("clientId", "patientId", "vetId", "scheduledAt")

T = TypeVar("T")


def _is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _path_id(exchange: Exchange, name: str = "id") -> str:
    value = exchange.param(name)
    if not _is_uuid(value):
        raise ApiError(404, NOT_FOUND)
    return value.lower()


def _found(table: dict[str, T], record_id: str) -> T:
    try:
        return table[record_id.lower()]
    except KeyError:
        raise ApiError(404, NOT_FOUND) from None


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _e164(raw: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# -- clients and patients ---------------------------------------------------------------------


async def list_clients(exchange: Exchange) -> Response:
    clients = list(exchange.state.clients.values())
    wanted = exchange.query("phone")
    if wanted is not None and not exchange.strict:
        target = _e164(wanted)
        clients = [c for c in clients if target and c.phone and _e164(c.phone) == target]
    return exchange.json([client_json(c, exchange.level) for c in clients])


async def get_client(exchange: Exchange) -> Response:
    client = _found(exchange.state.clients, _path_id(exchange))
    return exchange.json(client_json(client, exchange.level))


async def list_patients(exchange: Exchange) -> Response:
    patients = list(exchange.state.patients.values())
    owner = exchange.query("clientId")
    if owner is not None and not exchange.strict:
        patients = [p for p in patients if p.client_id == owner.lower()]
    return exchange.json([patient_json(p, exchange.level) for p in patients])


async def get_patient(exchange: Exchange) -> Response:
    patient = _found(exchange.state.patients, _path_id(exchange))
    return exchange.json(patient_json(patient, exchange.level))


# -- appointments -----------------------------------------------------------------------------


async def list_types(exchange: Exchange) -> Response:
    return exchange.json(
        [appointment_type_json(t) for t in exchange.state.appointment_types.values()]
    )


async def available_slots(exchange: Exchange) -> Response:
    for name in ("vetId", "date", "appointmentTypeId"):
        value = exchange.query(name)
        if value is None:
            raise _bad(f"{name} is required")
        if name == "date":
            if not _DATE.match(value):
                raise _bad("date must be YYYY-MM-DD")
        elif not _is_uuid(value):
            raise _bad(f"{name} must be a UUID")
    try:
        day = date.fromisoformat(exchange.request.query_params["date"])
    except ValueError:
        raise _bad("date must be YYYY-MM-DD") from None
    state = exchange.state
    vet = _found(state.vets, exchange.request.query_params["vetId"])
    kind = _found(state.appointment_types, exchange.request.query_params["appointmentTypeId"])
    if not vet.does(kind.id):
        return exchange.json([])
    slots = free_slots(
        vet, day, kind.duration, state.zone, state.now(), state.appointments.values()
    )
    return exchange.json(
        [{"startTime": iso_utc(start), "endTime": iso_utc(end)} for start, end in slots]
    )


async def get_appointment(exchange: Exchange) -> Response:
    appointment = _found(exchange.state.appointments, _path_id(exchange))
    return exchange.json(appointment_json(appointment, exchange.level))


def _parse_timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise _bad("scheduledAt must be an ISO-8601 timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _bad("scheduledAt must be an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        raise _bad("scheduledAt must include a time zone")
    return moment


def _post_body(raw: bytes) -> dict[str, object]:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object")
    for name in _REQUIRED_ON_POST:
        if body.get(name) in (None, ""):
            raise _bad(f"{name} is required")
    for name in ("clientId", "patientId", "vetId"):
        if not _is_uuid(body[name]):
            raise _bad(f"{name} must be a UUID")
    type_id = body.get("appointmentTypeId")
    if type_id is not None and not _is_uuid(type_id):
        raise _bad("appointmentTypeId must be a UUID")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise _bad("reason must be a string")
    if body.get("isUrgent") is not None and not isinstance(body["isUrgent"], bool):
        raise _bad("isUrgent must be a boolean")
    return body


async def create_appointment(exchange: Exchange) -> Response:
    state = exchange.state
    body = _post_body(await exchange.request.body())
    scheduled_at = _parse_timestamp(body["scheduledAt"])
    if scheduled_at <= state.now():
        raise _bad("scheduledAt must be in the future")
    client = _found(state.clients, str(body["clientId"]))
    patient = _found(state.patients, str(body["patientId"]))
    vet = _found(state.vets, str(body["vetId"]))
    raw_type = body.get("appointmentTypeId")
    kind = _found(state.appointment_types, str(raw_type)) if raw_type is not None else None
    if patient.client_id != client.id:
        raise _bad("patient does not belong to client")
    duration = kind.duration if kind else DEFAULT_DURATION
    offered = (kind is None or vet.does(kind.id)) and is_grid_start(
        vet, scheduled_at, duration, state.zone
    )
    if not offered or first_overlap(
        vet.id, scheduled_at, scheduled_at + duration, state.appointments.values()
    ):
        raise ApiError(409, SLOT_TAKEN)
    if state.faults.take_conflict():
        exchange.fault = "conflict"
        raise ApiError(409, SLOT_TAKEN)
    appointment = state.create_appointment(
        client_id=client.id,
        patient_id=patient.id,
        vet_id=vet.id,
        scheduled_at=scheduled_at,
        appointment_type_id=kind.id if kind else None,
        reason=reason if isinstance(reason := body.get("reason"), str) else None,
        is_urgent=bool(body.get("isUrgent") or False),
    )
    if state.faults.take_lost_answer():
        return await exchange.hang("lost_answer")
    return exchange.json(appointment_json(appointment, exchange.level), status=201)


# -- the rest of the documented API, kept small -----------------------------------------------


async def get_consultation(exchange: Exchange) -> Response:
    consultation = _found(exchange.state.consultations, _path_id(exchange))
    return exchange.json(consultation_json(consultation))


async def get_invoice(exchange: Exchange) -> Response:
    return exchange.json(invoice_json(_found(exchange.state.invoices, _path_id(exchange))))


async def invoices_of_client(exchange: Exchange) -> Response:
    client = _found(exchange.state.clients, _path_id(exchange, "clientId"))
    invoices = [i for i in exchange.state.invoices.values() if i.client_id == client.id]
    return exchange.json([invoice_json(i) for i in invoices])


async def list_stock(exchange: Exchange) -> Response:
    return exchange.json([stock_json(item) for item in exchange.state.stock.values()])


async def low_stock(exchange: Exchange) -> Response:
    return exchange.json([stock_json(item) for item in exchange.state.stock.values() if item.low])


async def get_stock(exchange: Exchange) -> Response:
    return exchange.json(stock_json(_found(exchange.state.stock, _path_id(exchange, "stockId"))))


async def list_vets(exchange: Exchange) -> Response:
    """Non-official: the sandbox's vets, for its own demo data (absent when strict)."""
    return exchange.json([vet_json(vet) for vet in exchange.state.vets.values()])


async def not_found(exchange: Exchange) -> Response:
    raise ApiError(404, NOT_FOUND)


READ, CREATE = Permission.APPOINTMENT_READ, Permission.APPOINTMENT_CREATE

DOCUMENTED_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/patients", Permission.PATIENT_READ, list_patients),
    Endpoint("GET", "/patients/{id}", Permission.PATIENT_READ, get_patient),
    Endpoint("GET", "/clients", Permission.CLIENT_READ, list_clients),
    Endpoint("GET", "/clients/{id}", Permission.CLIENT_READ, get_client),
    Endpoint("GET", "/appointments/types", READ, list_types),
    Endpoint("GET", "/appointments/available-slots", READ, available_slots),
    Endpoint("GET", "/appointments/{id}", READ, get_appointment),
    Endpoint("POST", "/appointments", CREATE, create_appointment),
    Endpoint("GET", "/consultations/{id}", Permission.CONSULTATION_READ, get_consultation),
    Endpoint("GET", "/invoices/client/{clientId}", Permission.INVOICE_READ, invoices_of_client),
    Endpoint("GET", "/invoices/{id}", Permission.INVOICE_READ, get_invoice),
    Endpoint("GET", "/stock", Permission.STOCK_READ, list_stock),
    Endpoint("GET", "/stock/low", Permission.STOCK_READ, low_stock),
    Endpoint("GET", "/stock/{stockId}", Permission.STOCK_READ, get_stock),
)
VETS_ENDPOINT = Endpoint("GET", "/vets", READ, list_vets)
"""Non-official; served only when not strict."""
UNKNOWN_ENDPOINT = Endpoint("*", "/{rest:path}", None, not_found)
"""Any other path or method under the API root: 401 without a valid key, else 404."""
