"""The sandbox's in-memory world: records, keys, faults and the log of calls.

One `SandboxState` per test or per `vetbot sandbox` process; nothing lives at module level. The
HTTP layer (`bot.standins.sandbox.server`) reads and writes it; tests reach into it directly to
arrange a world (add a client, revoke a key) and to play the clinic's side (cancel or move an
appointment, which the bot must notice later).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.clock import Clock, system_clock
from bot.standins.sandbox.faults import Faults
from bot.standins.sandbox.keys import (
    ALL_PERMISSIONS,
    DEFAULT_HOURLY_QUOTA,
    ApiKey,
    Permission,
    new_key_secret,
)
from bot.standins.sandbox.records import (
    DEFAULT_DURATION,
    AccessLevel,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Client,
    Consultation,
    Invoice,
    Patient,
    StockItem,
    Vet,
    WorkingBlock,
)
from bot.standins.sandbox.seed import SeedAppointment, SeedClinic, build_seed, seed_id

SEED_LOOKAHEAD_DAYS = 60
"""How far ahead a seed appointment template looks for a day its vet can hold it."""
SEED_BOOKED_DAYS_AGO = 3
"""Seed appointments say they were created this many days before the sandbox started."""


class Call(NamedTuple):
    """One API request as served: `("POST", "/api/v1/appointments", 201, None)`.

    `path` is the route template (`/api/v1/appointments/{id}`); `fault` names the injected fault
    that answered it ("500", "429", "timeout", "conflict", "lost_answer"), None otherwise. A hung
    request is logged with status 504 as soon as it starts hanging.
    """

    method: str
    path: str
    status: int
    fault: str | None = None


class SandboxState:
    """Everything the sandbox knows. Build it with `SandboxState.seeded(clock)`."""

    def __init__(self, clock: Clock, seed: SeedClinic, *, timezone: str = "Europe/Paris") -> None:
        self.clock = clock
        self.seed = seed
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.vets: dict[str, Vet] = {vet.id: vet for vet in seed.vets}
        self.appointment_types: dict[str, AppointmentType] = {
            kind.id: kind for kind in seed.appointment_types
        }
        self.clients: dict[str, Client] = {client.id: client for client in seed.clients}
        self.patients: dict[str, Patient] = {patient.id: patient for patient in seed.patients}
        self.appointments: dict[str, Appointment] = {}
        self.consultations: dict[str, Consultation] = {}
        self.invoices: dict[str, Invoice] = {}
        self.stock: dict[str, StockItem] = {item.id: item for item in seed.stock}
        self.keys: dict[str, ApiKey] = {}
        self.faults = Faults()
        self.calls: list[Call] = []
        self.api_key = ""
        self._created = 0

    @classmethod
    def seeded(
        cls,
        clock: Clock = system_clock,
        *,
        timezone: str = "Europe/Paris",
        api_key: str | None = None,
    ) -> SandboxState:
        """A fresh world from the seed, with a full-permission key in `state.api_key`."""
        state = cls(clock, build_seed(), timezone=timezone)
        state.api_key = state.add_key(set(ALL_PERMISSIONS), secret=api_key)
        state._place_seed_history()
        return state

    # -- time -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in the clinic's zone."""
        return self.now().astimezone(self.zone).date()

    # -- keys -----------------------------------------------------------------------------

    def add_key(
        self,
        permissions: set[Permission] | frozenset[Permission],
        *,
        hourly_quota: int = DEFAULT_HOURLY_QUOTA,
        expires_at: datetime | None = None,
        access_level: AccessLevel | str = AccessLevel.FULL,
        secret: str | None = None,
    ) -> str:
        """Create a key and return its secret (`vk_...`)."""
        secret = secret or new_key_secret()
        self.keys[secret] = ApiKey(
            secret,
            frozenset(Permission(p) for p in permissions),
            AccessLevel(access_level),
            hourly_quota,
            expires_at,
        )
        return secret

    def revoke_key(self, secret: str) -> None:
        self.keys[secret].revoked = True

    # -- the clinic's side ----------------------------------------------------------------

    def add_client(
        self,
        first_name: str,
        last_name: str,
        *,
        phone: str | None = None,
        email: str | None = None,
    ) -> Client:
        client_id = seed_id("client", f"{first_name} {last_name}")
        if client_id in self.clients:
            raise ValueError(f"client {first_name} {last_name} already exists")
        client = Client(client_id, first_name, last_name, email, phone, self.now())
        self.clients[client.id] = client
        return client

    def add_patient(
        self,
        client_id: str,
        name: str,
        *,
        species: str = "Chat",
        breed: str | None = None,
        sex: str | None = None,
        birth_date: date | None = None,
    ) -> Patient:
        client = self.clients[client_id]
        patient_id = seed_id("patient", f"{client.first_name} {client.last_name}/{name}")
        if patient_id in self.patients:
            raise ValueError(f"{client.first_name} {client.last_name} already has a pet {name}")
        patient = Patient(patient_id, client_id, name, species, breed, sex, birth_date)
        self.patients[patient.id] = patient
        return patient

    def add_vet(
        self,
        name: str,
        hours: tuple[WorkingBlock, ...],
        *,
        appointment_type_ids: frozenset[str] | None = None,
    ) -> Vet:
        vet = Vet(seed_id("vet", name), name, hours, appointment_type_ids)
        self.vets[vet.id] = vet
        return vet

    def appointments_for(self, owner_or_patient_id: str) -> list[Appointment]:
        """A client's or a patient's appointments, any status, in time order."""
        found = (
            a
            for a in self.appointments.values()
            if owner_or_patient_id in (a.client_id, a.patient_id)
        )
        return sorted(found, key=lambda a: a.scheduled_at)

    def set_status(self, appointment_id: str, status: AppointmentStatus | str) -> Appointment:
        """Change an appointment's status as the clinic's staff would (e.g. CANCELLED)."""
        updated = replace(self.appointments[appointment_id], status=AppointmentStatus(status))
        self.appointments[appointment_id] = updated
        return updated

    def move(self, appointment_id: str, new_start: datetime) -> Appointment:
        """Move an appointment, keeping its length; the clinic may put it anywhere."""
        if new_start.tzinfo is None:
            raise ValueError("new_start must be an aware datetime")
        current = self.appointments[appointment_id]
        length = current.end_time - current.scheduled_at
        start = new_start.astimezone(UTC)
        updated = replace(current, scheduled_at=start, end_time=start + length)
        self.appointments[appointment_id] = updated
        return updated

    # -- booking (used by POST /appointments once the request is valid) -------------------

    def duration_of(self, appointment_type_id: str | None) -> timedelta:
        if appointment_type_id is None:
            return DEFAULT_DURATION
        return self.appointment_types[appointment_type_id].duration

    def create_appointment(
        self,
        *,
        client_id: str,
        patient_id: str,
        vet_id: str,
        scheduled_at: datetime,
        appointment_type_id: str | None,
        reason: str | None,
        is_urgent: bool,
    ) -> Appointment:
        """Store a new SCHEDULED appointment; ids are deterministic per state."""
        self._created += 1
        start = scheduled_at.astimezone(UTC)
        appointment = Appointment(
            id=seed_id("appointment", f"created/{self._created}"),
            client_id=client_id,
            patient_id=patient_id,
            appointment_type_id=appointment_type_id,
            vet_id=vet_id,
            scheduled_at=start,
            end_time=start + self.duration_of(appointment_type_id),
            reason=reason,
            is_urgent=is_urgent,
            status=AppointmentStatus.SCHEDULED,
            created_at=self.now().astimezone(UTC).replace(microsecond=0),
        )
        self.appointments[appointment.id] = appointment
        return appointment

    # -- calls and lifecycle --------------------------------------------------------------

    def record(self, call: Call) -> None:
        self.calls.append(call)

    def statuses(self, method: str, path: str) -> list[int]:
        """Statuses answered on one route, in order: `statuses("POST", "/api/v1/appointments")`."""
        return [c.status for c in self.calls if (c.method, c.path) == (method, path)]

    def close(self) -> None:
        """Release hung requests and stop hanging new ones (call before stopping a server)."""
        self.faults.close()

    # -- seed placement -------------------------------------------------------------------

    def _place_seed_history(self) -> None:
        today = self.today()
        booked_at = self.now().astimezone(UTC).replace(microsecond=0) - timedelta(
            days=SEED_BOOKED_DAYS_AGO
        )
        for template in self.seed.appointments:
            start = self._seed_start(template, today)
            kind = self.appointment_types[template.appointment_type_id]
            self.appointments[seed_id("appointment", template.key)] = Appointment(
                id=seed_id("appointment", template.key),
                client_id=template.client_id,
                patient_id=template.patient_id,
                appointment_type_id=kind.id,
                vet_id=template.vet_id,
                scheduled_at=start,
                end_time=start + kind.duration,
                reason=template.reason,
                is_urgent=False,
                status=template.status,
                created_at=booked_at,
            )
        for past in self.seed.consultations:
            day = today - timedelta(days=past.days_ago)
            when = datetime.combine(day, past.local_start, tzinfo=self.zone).astimezone(UTC)
            consultation = Consultation(
                seed_id("consultation", past.key),
                past.patient_id,
                past.client_id,
                past.vet_id,
                when,
                past.reason,
                past.diagnosis,
                past.treatment,
                past.weight_kg,
            )
            self.consultations[consultation.id] = consultation
            invoice = Invoice(
                seed_id("invoice", past.key),
                past.client_id,
                consultation.id,
                when + timedelta(minutes=45),
                past.invoice_lines,
                "PAID" if past.paid else "PENDING",
            )
            self.invoices[invoice.id] = invoice

    def _seed_start(self, template: SeedAppointment, today: date) -> datetime:
        """The template's start on the nth later day whose hours hold it (never in the past)."""
        vet = self.vets[template.vet_id]
        duration = self.appointment_types[template.appointment_type_id].duration
        remaining = template.nth_day
        for offset in range(1, SEED_LOOKAHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            wanted = datetime.combine(day, template.local_start, tzinfo=self.zone)
            if _inside_hours(vet, wanted, duration, self.zone):
                remaining -= 1
                if remaining == 0:
                    return wanted.astimezone(UTC)
        raise ValueError(f"seed appointment {template.key} fits no day of its vet")


def _inside_hours(vet: Vet, start: datetime, duration: timedelta, zone: ZoneInfo) -> bool:
    """Whether [start, start + duration) lies inside one of the vet's blocks (grid or not)."""
    day = start.astimezone(zone).date()
    return any(
        datetime.combine(day, block.start, tzinfo=zone) <= start
        and start + duration <= datetime.combine(day, block.end, tzinfo=zone)
        for block in vet.blocks_on(day)
    )
