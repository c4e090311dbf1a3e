"""Booking: find free slots that fit what the owner asked, and book exactly once.

Slots are shown one local day at a time (one available-slots call per vet and day shown, so a
booking stays within a handful of API calls). The first day shown is the first one that meets
the owner's window and has any free slot; on it, slots inside the window come first (the exact
time asked before all others); when none is inside, the nearest ones are offered and flagged.

Confirmation goes through the store's claim: one booking id, one POST at most, whatever the
taps, time-outs and restarts (see bot/store and ../shared/treats-api.md "Robustness").
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import ClinicConfig, VetConfig
from bot.store import BookingDraft, BookingRecord, BookingState, Store
from bot.treats import (
    AppointmentType,
    AuthError,
    Booked,
    NewAppointment,
    Patient,
    RateLimited,
    Slot,
    SlotTaken,
    TreatsClient,
    TreatsError,
    Unavailable,
    Uncertain,
)
from bot.when import TimeRequest

logger = logging.getLogger("vetbot.booking")

MAX_SLOTS: Final = 6
SEARCH_DAYS: Final = 31
"""How far ahead (in days) slots are looked for before saying there are none."""


@dataclass(frozen=True, slots=True)
class OfferedSlot:
    """A free slot as offered to an owner: which vet, when (UTC)."""

    vet_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class SlotPage:
    """Up to MAX_SLOTS slots of one local day."""

    day: date
    slots: tuple[OfferedSlot, ...]
    matches_request: bool
    """False when nothing was free in the asked window and these are the nearest ones."""


@dataclass(slots=True)
class Draft:
    """What an owner has chosen so far; lives in the (persisted) conversation state."""

    client_id: str
    started_at: datetime
    patient_id: str | None = None
    pet_name: str | None = None
    pet_species: str | None = None
    appointment_type_id: str | None = None
    type_name: str | None = None
    reason: str | None = None
    vet_id: str | None = None
    any_vet: bool = False
    when: TimeRequest | None = None
    offer: tuple[OfferedSlot, ...] = ()
    offer_day: date | None = None
    offer_generation: int = 0
    slot: OfferedSlot | None = None
    booking_id: str | None = None
    is_urgent: bool = False
    owner_words: str | None = None
    """What the owner wrote when a red flag was found, for the staff alert."""
    triage_asked: bool = False
    urgent_alert_id: str | None = None
    replaces_booking_id: str | None = None
    """Set when moving an appointment: the old one is cancelled once the new one is booked."""

    def new_offer(self, page: SlotPage) -> int:
        """Remember the slots shown; old keyboards keep an old generation and are refused."""
        self.offer = page.slots
        self.offer_day = page.day
        self.offer_generation += 1
        return self.offer_generation

    def new_booking_id(self) -> str:
        """A fresh id for a summary about to be confirmed: one id, one appointment."""
        self.booking_id = str(uuid.uuid4())
        return self.booking_id


class Outcome(StrEnum):
    BOOKED = "booked"
    UNCERTAIN = "uncertain"
    SLOT_TAKEN = "slot_taken"
    UNAVAILABLE = "unavailable"
    REFUSED = "refused"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, slots=True)
class ConfirmResult:
    outcome: Outcome
    record: BookingRecord
    repeated: bool = False
    """True when this confirmation had already been handled (a repeated tap)."""


class BookingService:
    """Slots and bookings for one clinic; the Telegram layer calls it, never the API."""

    def __init__(
        self, treats: TreatsClient, store: Store, clinic: ClinicConfig, clock: Clock
    ) -> None:
        self._treats = treats
        self._store = store
        self._clinic = clinic
        self._clock = clock

    # -- what an owner may choose from ---------------------------------------------------

    async def pets(self, client_id: str) -> list[Patient]:
        pets = await self._treats.pets_of(client_id)
        return sorted(pets, key=lambda pet: pet.name.casefold())

    async def appointment_types(self) -> list[AppointmentType]:
        """Types at least one configured vet does, in the API's order."""
        types = await self._treats.appointment_types()
        return [t for t in types if any(vet.does(t.id) for vet in self._clinic.vets)]

    def vets_for(self, type_id: str) -> list[VetConfig]:
        return [vet for vet in self._clinic.vets if vet.does(type_id)]

    # -- slots ---------------------------------------------------------------------------

    async def first_page(
        self, type_id: str, vet_ids: Sequence[str], request: TimeRequest | None
    ) -> SlotPage | None:
        """The first day worth showing for this request, or None if nothing is free at all."""
        now = self._clock()
        tz = self._clinic.tz
        start = now if request is None else max(request.start, now)
        day = start.astimezone(tz).date()
        last = day + timedelta(days=SEARCH_DAYS)
        while day <= last:
            slots = await self._free_on(day, type_id, vet_ids)
            if slots:
                inside = any(_inside(s, request) for s in slots)
                return SlotPage(day, _choose(slots, request, tz), matches_request=inside)
            day += timedelta(days=1)
        return None

    async def page(
        self,
        type_id: str,
        vet_ids: Sequence[str],
        day: date,
        step: int,
        request: TimeRequest | None = None,
    ) -> SlotPage | None:
        """The next (step=1) or previous (step=-1) day with free slots, from `day`."""
        today = self._clock().astimezone(self._clinic.tz).date()
        current = day + timedelta(days=step)
        for _ in range(SEARCH_DAYS):
            if current < today:
                return None
            slots = await self._free_on(current, type_id, vet_ids)
            if slots:
                inside = any(_inside(s, request) for s in slots)
                return SlotPage(current, _choose(slots, request, self._clinic.tz), inside)
            current += timedelta(days=step)
        return None

    async def still_free(self, slot: OfferedSlot, type_id: str) -> bool:
        """Whether an offered slot is still free (fresh read), before showing the summary."""
        day = slot.start.astimezone(self._clinic.tz).date()
        self._treats.forget_slots(slot.vet_id)
        free = await self._free_on(day, type_id, [slot.vet_id])
        return any(s.start == slot.start for s in free)

    async def _free_on(self, day: date, type_id: str, vet_ids: Sequence[str]) -> list[OfferedSlot]:
        """Free future slots of these vets on a local day; one slot per start time."""
        now = self._clock()
        answers = await asyncio.gather(
            *(self._treats.available_slots(vet_id, day, type_id) for vet_id in vet_ids)
        )
        by_start: dict[datetime, OfferedSlot] = {}
        for vet_id, slots in zip(vet_ids, answers, strict=True):
            for slot in _future(slots, now):
                by_start.setdefault(slot.start_time, _offered(vet_id, slot))
        return [by_start[start] for start in sorted(by_start)]

    # -- exactly once --------------------------------------------------------------------

    async def confirm(self, draft: BookingDraft) -> ConfirmResult:
        """Create the appointment of this draft at most once; see the module docstring."""
        claim = self._store.claim_booking(draft)
        if not claim.won:
            return ConfirmResult(_outcome_of(claim.record), claim.record, repeated=True)
        return await self._send(draft)

    async def resume_interrupted(self) -> list[ConfirmResult]:
        """After a restart: settle bookings whose POST may have been in flight.

        A single retry decides, as after a lost answer: 201 is ours, anything else is
        uncertain (the first POST may have created it).
        """
        results = []
        for record in self._store.bookings_in_state(BookingState.SENDING):
            results.append(await self._send(record.draft(), after_interruption=True))
        return results

    async def _send(
        self, draft: BookingDraft, *, after_interruption: bool = False
    ) -> ConfirmResult:
        new = NewAppointment(
            client_id=draft.client_id,
            patient_id=draft.patient_id,
            vet_id=draft.vet_id,
            scheduled_at=draft.scheduled_at,
            appointment_type_id=draft.appointment_type_id,
            reason=draft.reason,
            is_urgent=draft.is_urgent,
        )
        finish = self._store.finish_booking
        try:
            result = await self._treats.create_appointment(new, idempotency_key=draft.booking_id)
        except SlotTaken:
            state, outcome, detail = _after_failure(after_interruption, Outcome.SLOT_TAKEN)
            return ConfirmResult(outcome, finish(draft.booking_id, state, detail=detail))
        except (Unavailable, RateLimited, AuthError) as error:
            logger.warning("booking %s not sent: %s", draft.booking_id, error.message)
            state, outcome, detail = _after_failure(after_interruption, Outcome.UNAVAILABLE)
            return ConfirmResult(outcome, finish(draft.booking_id, state, detail=detail))
        except TreatsError as error:
            logger.warning("booking %s refused: %s", draft.booking_id, error.message)
            state, outcome, detail = _after_failure(after_interruption, Outcome.REFUSED)
            return ConfirmResult(outcome, finish(draft.booking_id, state, detail=detail))
        if isinstance(result, Booked):
            appointment = result.appointment
            record = finish(draft.booking_id, BookingState.BOOKED, appointment_id=appointment.id)
            self._store.set_booking_status(
                draft.booking_id,
                api_status=appointment.status,
                display_status=appointment.display_status,
            )
            return ConfirmResult(Outcome.BOOKED, self._store.booking(draft.booking_id) or record)
        assert isinstance(result, Uncertain)
        logger.warning("booking %s uncertain: %s", draft.booking_id, result.reason)
        record = finish(draft.booking_id, BookingState.UNCERTAIN, detail=result.reason)
        return ConfirmResult(Outcome.UNCERTAIN, record)


def _after_failure(after_interruption: bool, outcome: Outcome) -> tuple[BookingState, Outcome, str]:
    """A failure is definite, unless a POST may already have gone out before a restart."""
    if after_interruption:
        return BookingState.UNCERTAIN, Outcome.UNCERTAIN, f"after restart: {outcome}"
    return BookingState.FAILED, outcome, str(outcome)


def _outcome_of(record: BookingRecord) -> Outcome:
    match record.state:
        case BookingState.BOOKED:
            return Outcome.BOOKED
        case BookingState.UNCERTAIN:
            return Outcome.UNCERTAIN
        case BookingState.SENDING:
            return Outcome.IN_PROGRESS
    return Outcome.REFUSED


def _offered(vet_id: str, slot: Slot) -> OfferedSlot:
    return OfferedSlot(vet_id, slot.start_time, slot.end_time)


def _future(slots: Iterable[Slot], now: datetime) -> Iterable[Slot]:
    return (slot for slot in slots if slot.start_time > now)


def _inside(slot: OfferedSlot, request: TimeRequest | None) -> bool:
    if request is None:
        return True
    return slot.start >= request.start and (request.end is None or slot.start < request.end)


def _choose(
    slots: Sequence[OfferedSlot], request: TimeRequest | None, tz: ZoneInfo
) -> tuple[OfferedSlot, ...]:
    """Up to MAX_SLOTS of one day's slots, in time order, the asked time itself first.

    Slots inside the asked window come before the others; a narrow window ("à 15h") is
    filled up with that day's nearest slots, so the owner always has a choice.
    """
    if not slots:
        return ()
    target = _target(request, slots[0].start.astimezone(tz).date(), tz)
    if target is None:
        if len(slots) <= MAX_SLOTS:
            return tuple(slots)
        step = len(slots) / MAX_SLOTS
        return tuple(slots[int(i * step)] for i in range(MAX_SLOTS))
    low, high = target
    ranked = sorted(
        slots,
        key=lambda s: (not _inside(s, request), _distance(s.start, low, high), s.start),
    )
    chosen = sorted(ranked[:MAX_SLOTS], key=lambda s: s.start)
    if request is not None and request.preferred is not None:
        exact = [s for s in chosen if s.start == request.preferred]
        chosen = exact + [s for s in chosen if s not in exact]
    return tuple(chosen)


def _target(
    request: TimeRequest | None, day: date, tz: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """The part of `day` the owner aimed at, as an instant range; None for "any time"."""
    if request is None:
        return None
    if request.preferred is not None:
        wall = request.preferred.astimezone(tz).time()
        moment = datetime.combine(day, wall, tzinfo=tz)
        return moment, moment
    if request.end is None or request.end - request.start >= timedelta(days=1):
        return None
    start_time, end_time = request.start.astimezone(tz).time(), request.end.astimezone(tz).time()
    low = datetime.combine(day, start_time, tzinfo=tz)
    high = datetime.combine(day, end_time if end_time != time(0) else time.max, tzinfo=tz)
    return low, high


def _distance(moment: datetime, low: datetime, high: datetime) -> float:
    if low <= moment <= high:
        return 0.0
    return min(abs((moment - low).total_seconds()), abs((moment - high).total_seconds()))
