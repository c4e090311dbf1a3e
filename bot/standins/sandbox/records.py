"""The sandbox's world as immutable records, and how each one looks on the wire.

Records are frozen dataclasses in snake_case; `*_json` functions render the camelCase bodies of
the reference (timestamps `YYYY-MM-DDTHH:MM:SSZ`, dates `YYYY-MM-DD`). Access levels trim fields
here and nowhere else: BASIC drops a client's email and phone, a patient's birthDate and an
appointment's reason; STANDARD drops a client's email; FULL shows everything. Trimmed fields are
left out of the body, not set to null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

JsonObject = dict[str, Any]


class AccessLevel(StrEnum):
    BASIC = "BASIC"
    STANDARD = "STANDARD"
    FULL = "FULL"


class AppointmentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


DISPLAY_STATUS: dict[AppointmentStatus, str] = {
    AppointmentStatus.SCHEDULED: "Planifié",
    AppointmentStatus.CONFIRMED: "Confirmé",
    AppointmentStatus.CANCELLED: "Annulé",
    AppointmentStatus.COMPLETED: "Terminé",
    AppointmentStatus.NO_SHOW: "Absent",
}

DEFAULT_DURATION = timedelta(minutes=30)
"""Length of an appointment booked without an appointmentTypeId [ours]."""


def iso_utc(moment: datetime) -> str:
    """`2026-02-15T10:00:00Z`: UTC, no fractional seconds, as the reference writes them."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Client:
    id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    """As clinic staff typed it; the `?phone=` filter compares it in E.164."""
    created_at: datetime


@dataclass(frozen=True)
class Patient:
    id: str
    client_id: str
    name: str
    species: str
    """A French label as staff pick it in the practice software: "Chat", "Chien", "Furet"…"""
    breed: str | None
    sex: str | None
    """"M" or "F"."""
    birth_date: date | None


@dataclass(frozen=True)
class AppointmentType:
    id: str
    name: str
    duration_minutes: int
    color: str

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class WorkingBlock:
    """One stretch of a vet's week, in the clinic's wall-clock time (e.g. Monday 09:00–12:30)."""

    weekday: int
    """0 = Monday … 6 = Sunday, as `date.weekday()`."""
    start: time
    end: time


@dataclass(frozen=True)
class Vet:
    id: str
    name: str
    hours: tuple[WorkingBlock, ...]
    appointment_type_ids: frozenset[str] | None = None
    """The types this vet does; None when all of them."""

    def does(self, appointment_type_id: str) -> bool:
        return self.appointment_type_ids is None or appointment_type_id in self.appointment_type_ids

    def blocks_on(self, day: date) -> list[WorkingBlock]:
        return sorted(
            (block for block in self.hours if block.weekday == day.weekday()),
            key=lambda block: block.start,
        )


@dataclass(frozen=True)
class Appointment:
    id: str
    client_id: str
    patient_id: str
    appointment_type_id: str | None
    vet_id: str
    scheduled_at: datetime
    end_time: datetime
    reason: str | None
    is_urgent: bool
    status: AppointmentStatus
    created_at: datetime

    @property
    def blocks_time(self) -> bool:
        """A cancelled appointment frees its slot; every other status keeps it."""
        return self.status is not AppointmentStatus.CANCELLED

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.scheduled_at < end and start < self.end_time


@dataclass(frozen=True)
class Consultation:
    id: str
    patient_id: str
    client_id: str
    vet_id: str
    date: datetime
    reason: str
    diagnosis: str
    treatment: str
    weight_kg: float | None


@dataclass(frozen=True)
class InvoiceLine:
    label: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class Invoice:
    id: str
    client_id: str
    consultation_id: str | None
    issued_at: datetime
    lines: tuple[InvoiceLine, ...]
    status: str
    """"PAID" or "PENDING"."""

    @property
    def total(self) -> float:
        return round(sum(line.quantity * line.unit_price for line in self.lines), 2)


@dataclass(frozen=True)
class StockItem:
    id: str
    name: str
    category: str
    quantity: int
    unit: str
    reorder_level: int
    """At or below this quantity the item is listed by `GET /stock/low`."""

    @property
    def low(self) -> bool:
        return self.quantity <= self.reorder_level


def client_json(client: Client, level: AccessLevel) -> JsonObject:
    body: JsonObject = {
        "id": client.id,
        "firstName": client.first_name,
        "lastName": client.last_name,
        "email": client.email,
        "phone": client.phone,
        "createdAt": iso_utc(client.created_at),
    }
    if level is not AccessLevel.FULL:
        del body["email"]
    if level is AccessLevel.BASIC:
        del body["phone"]
    return body


def patient_json(patient: Patient, level: AccessLevel) -> JsonObject:
    body: JsonObject = {
        "id": patient.id,
        "clientId": patient.client_id,
        "name": patient.name,
        "species": patient.species,
        "breed": patient.breed,
        "sex": patient.sex,
        "birthDate": patient.birth_date.isoformat() if patient.birth_date else None,
    }
    if level is AccessLevel.BASIC:
        del body["birthDate"]
    return body


def appointment_type_json(kind: AppointmentType) -> JsonObject:
    return {
        "id": kind.id,
        "name": kind.name,
        "durationMinutes": kind.duration_minutes,
        "color": kind.color,
    }


def appointment_json(appointment: Appointment, level: AccessLevel = AccessLevel.FULL) -> JsonObject:
    body: JsonObject = {
        "id": appointment.id,
        "clientId": appointment.client_id,
        "patientId": appointment.patient_id,
        "appointmentTypeId": appointment.appointment_type_id,
        "vetId": appointment.vet_id,
        "scheduledAt": iso_utc(appointment.scheduled_at),
        "endTime": iso_utc(appointment.end_time),
        "reason": appointment.reason,
        "isUrgent": appointment.is_urgent,
        "status": appointment.status.value,
        "displayStatus": DISPLAY_STATUS[appointment.status],
        "createdAt": iso_utc(appointment.created_at),
    }
    if level is AccessLevel.BASIC:
        del body["reason"]
    return body


def vet_json(vet: Vet) -> JsonObject:
    """The non-official `GET /vets` item; `appointmentTypeIds` is null when the vet does all."""
    types = sorted(vet.appointment_type_ids) if vet.appointment_type_ids is not None else None
    return {"id": vet.id, "name": vet.name, "appointmentTypeIds": types}


def consultation_json(consultation: Consultation) -> JsonObject:
    return {
        "id": consultation.id,
        "patientId": consultation.patient_id,
        "clientId": consultation.client_id,
        "vetId": consultation.vet_id,
        "date": iso_utc(consultation.date),
        "reason": consultation.reason,
        "diagnosis": consultation.diagnosis,
        "treatment": consultation.treatment,
        "weightKg": consultation.weight_kg,
    }


def invoice_json(invoice: Invoice) -> JsonObject:
    return {
        "id": invoice.id,
        "clientId": invoice.client_id,
        "consultationId": invoice.consultation_id,
        "issuedAt": iso_utc(invoice.issued_at),
        "lines": [
            {"label": line.label, "quantity": line.quantity, "unitPrice": line.unit_price}
            for line in invoice.lines
        ],
        "totalAmount": invoice.total,
        "currency": "EUR",
        "status": invoice.status,
    }


def stock_json(item: StockItem) -> JsonObject:
    return {
        "id": item.id,
        "name": item.name,
        "category": item.category,
        "quantity": item.quantity,
        "unit": item.unit,
        "reorderLevel": item.reorder_level,
    }
