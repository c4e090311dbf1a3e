"""The Treats API's resources as immutable pydantic models (camelCase on the wire)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Resource(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore"
    )


class AppointmentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


class AppointmentType(_Resource):
    id: str
    name: str
    duration_minutes: int
    color: str | None = None

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class Slot(_Resource):
    start_time: AwareDatetime
    end_time: AwareDatetime


class Appointment(_Resource):
    id: str
    client_id: str
    patient_id: str
    appointment_type_id: str | None = None
    vet_id: str
    scheduled_at: AwareDatetime
    end_time: AwareDatetime | None = None
    reason: str | None = None
    is_urgent: bool = False
    status: str = AppointmentStatus.SCHEDULED
    display_status: str | None = None
    created_at: AwareDatetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED


class Client(_Resource):
    """An owner. Contact fields may be trimmed by the key's access level."""

    id: str
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    created_at: AwareDatetime | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Patient(_Resource):
    """A pet."""

    id: str
    client_id: str
    name: str
    species: str | None = None
    breed: str | None = None
    sex: str | None = None
    birth_date: date | None = None


class NewAppointment(_Resource):
    """The body of POST /appointments."""

    client_id: str
    patient_id: str
    vet_id: str
    scheduled_at: datetime
    appointment_type_id: str | None = None
    reason: str | None = None
    is_urgent: bool = False
