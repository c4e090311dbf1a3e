"""Booking: find free slots that fit what the owner asked, and book exactly once.

Slots are shown one local day at a time (one available-slots call per vet and day shown, so a
booking stays within a handful of API calls). The first day shown is the first one that meets
the owner's window and has any free slot; on it, slots inside the window come first (the exact
time asked before all others); when none is inside, the nearest ones are offered and flagged.

Confirmation goes through the store's claim: one booking id, one POST at most, whatever the
taps, time-outs and restarts (see bot/store and docs/treats-api.md).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import ClinicConfig, VetConfig
from bot.pickled import restore_fields
from bot.schedule import DAYS_PER_WEEK, ClinicSchedule
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
from bot.when_questions import WhenQuestion

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


class PageFit(StrEnum):
    """How a page of slots relates to what the owner asked; the bot words its heading on it, so
    that it never says "nothing free when you asked" when the truth is something else."""

    ASKED = "asked"
    """Slots inside the asked window, or nothing in particular was asked."""
    NEAREST = "nearest"
    """The clinic is open when asked but nothing is free then: the nearest free slots."""
    CLOSED = "closed"
    """The clinic is closed throughout the asked window: the next open day, asked time first."""
    BROWSING = "browsing"
    """The owner paged to another day ("Plus tôt" / "Plus tard")."""


@dataclass(frozen=True, slots=True)
class SlotPage:
    """Up to MAX_SLOTS slots of one local day."""

    day: date
    slots: tuple[OfferedSlot, ...]
    fit: PageFit = PageFit.ASKED


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
    booking_slot: OfferedSlot | None = None
    """The slot ``booking_id`` was minted for (see `summary_booking_id`)."""
    is_urgent: bool = False
    owner_words: str | None = None
    """What the owner wrote when a red flag was found, for the staff alert."""
    triage_asked: bool = False
    urgent_alert_id: str | None = None
    replaces_booking_id: str | None = None
    """Set when moving an appointment: the old one is cancelled once the new one is booked."""
    triage_seen: frozenset[str] = frozenset()
    """The red flags the owner was already asked about: the same signs typed again at a later
    step do not ask again, new ones do."""
    when_question: WhenQuestion | None = None
    """A time the owner wrote that must be settled before slots ("jeudi 15" when the 15th is a
    Friday): asked at the time step, its choices offered as buttons."""
    pet_unsure: bool = False
    """The first message spoke of a pet the bot could not be sure of ("le chat" with two
    cats, "mon chien" from the owner of a cat): the pet is asked, even of a one-pet owner."""
    hinted: tuple[str, ...] = ()
    """Pet or type ids the first message may mean, offered first at their step."""
    step_note: str | None = None
    """What the bot could not be sure of, said once above the next question."""

    def __setstate__(self, state: object) -> None:
        """Unpickle a draft saved before a field was added (see `restore_fields`)."""
        restore_fields(self, state)

    def new_offer(self, page: SlotPage) -> int:
        """Remember the slots shown; old keyboards keep an old generation and are refused,
        since their buttons name slots by their place in the list. The very same list shown
        again (a refresh, an update handled twice after a crash) keeps its generation: both
        keyboards mean the same slots, and a tap on the older one is not sent round again."""
        if self.offer_generation and page.slots == self.offer and page.day == self.offer_day:
            return self.offer_generation
        self.offer = page.slots
        self.offer_day = page.day
        self.offer_generation += 1
        return self.offer_generation

    def summary_booking_id(self) -> str:
        """The id "Confirmer" claims on the summary of this draft's slot: one id, one
        appointment. Minted when a slot is first summed up and kept while the slot stays the
        same, so a summary shown again (an update handled twice after a crash, a step back and
        forth) keeps its button valid and still books once; a new slot gets a new id, so an old
        summary's button can never book a time other than the one it showed."""
        if self.booking_id is None or self.booking_slot != self.slot:
            self.booking_id = str(uuid.uuid4())
            self.booking_slot = self.slot
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

    def vet_ids_of(self, draft: Draft) -> list[str]:
        """The vets whose slots the draft may take: the one chosen, or (any vet) every vet
        doing the draft's type."""
        if draft.vet_id is not None:
            return [draft.vet_id]
        assert draft.appointment_type_id is not None
        return [vet.id for vet in self.vets_for(draft.appointment_type_id)]

    # -- slots ---------------------------------------------------------------------------

    async def first_page(
        self,
        type_id: str,
        vet_ids: Sequence[str],
        request: TimeRequest | None,
        *,
        urgent: bool = False,
    ) -> SlotPage | None:
        """The first day worth showing for this request, or None if nothing is free at all.

        ``urgent`` lifts the clinic's minimum notice: an urgent case takes today's earliest
        slot, and the staff are alerted at once anyway."""
        now = self._clock()
        tz = self._clinic.tz
        earliest = self._earliest(urgent)
        if request is not None and self._closed_throughout(request):
            return await self._after_closed(type_id, vet_ids, request, earliest)
        start = now if request is None else max(request.start, now)
        day = start.astimezone(tz).date()
        last = day + timedelta(days=SEARCH_DAYS)
        while day <= last:
            slots = await self._free_on(day, type_id, vet_ids, earliest)
            if slots:
                inside = any(inside_request(s, request) for s in slots)
                fit = PageFit.ASKED if inside else PageFit.NEAREST
                return SlotPage(day, _choose(slots, request, tz), fit)
            day += timedelta(days=1)
        return None

    async def page(
        self,
        type_id: str,
        vet_ids: Sequence[str],
        day: date,
        step: int,
        request: TimeRequest | None = None,
        *,
        urgent: bool = False,
    ) -> SlotPage | None:
        """The next (step=1) or previous (step=-1) day with free slots, from `day`."""
        today = self._clock().astimezone(self._clinic.tz).date()
        earliest = self._earliest(urgent)
        current = day + timedelta(days=step)
        for _ in range(SEARCH_DAYS):
            if current < today:
                return None
            slots = await self._free_on(current, type_id, vet_ids, earliest)
            if slots:
                chosen = _choose(slots, request, self._clinic.tz)
                return SlotPage(current, chosen, PageFit.BROWSING)
            current += timedelta(days=step)
        return None

    async def free_on(
        self,
        day: date,
        type_id: str,
        vet_ids: Sequence[str],
        *,
        urgent: bool = False,
        fresh: bool = False,
    ) -> list[OfferedSlot]:
        """Every free slot of a local day from the minimum notice on, in time order, vets free
        at the same time in the order given. Unlike a page, nothing is capped or spread: a week
        view shows each vet's slots and lets the owner pick the vet. ``fresh``: read past the
        client's short cache (a slot about to be chosen must still be free now)."""
        if fresh:
            for vet_id in vet_ids:
                self._treats.forget_slots(vet_id)
        earliest = self._earliest(urgent)
        per_vet = await asyncio.gather(
            *(self._free_on(day, type_id, [vet_id], earliest) for vet_id in vet_ids)
        )
        return sorted(
            (slot for slots in per_vet for slot in slots),
            key=lambda slot: (slot.start, vet_ids.index(slot.vet_id)),
        )

    def too_soon(self, slot: OfferedSlot, *, urgent: bool = False) -> bool:
        """Whether a slot offered earlier now starts inside the minimum notice."""
        return slot.start < self._earliest(urgent)

    def _earliest(self, urgent: bool) -> datetime:
        """The first start an owner may book now: the clinic's minimum notice from now."""
        return self._clock() + (timedelta(0) if urgent else self._clinic.min_notice)

    def _closed_throughout(self, request: TimeRequest) -> bool:
        """The clinic's schedule says it is closed for the whole asked window (never guessed:
        without a ``[schedule]`` the hours are unknown and this is False)."""
        if request.end is None:
            return False
        start = max(request.start, self._clock())
        if start >= request.end:
            return False
        return ClinicSchedule.from_clinic(self._clinic).open_during(start, request.end) is False

    async def _after_closed(
        self, type_id: str, vet_ids: Sequence[str], request: TimeRequest, earliest: datetime
    ) -> SlotPage | None:
        """The clinic is closed when asked: from the first later day it is open at the asked
        time of day (within a week), the first day with free slots, the asked time first."""
        tz = self._clinic.tz
        schedule = ClinicSchedule.from_clinic(self._clinic)
        asked_day = request.start.astimezone(tz).date()
        day = asked_day + timedelta(days=1)
        for offset in range(1, DAYS_PER_WEEK + 1):
            candidate = asked_day + timedelta(days=offset)
            window = _target(request, candidate, tz)
            if window is None:
                low, high = _midnight(candidate, tz), _midnight(candidate + timedelta(days=1), tz)
            else:
                low, high = window
            if schedule.open_during(low, max(high, low + timedelta(minutes=1))):
                day = candidate
                break
        last = day + timedelta(days=SEARCH_DAYS)
        while day <= last:
            slots = await self._free_on(day, type_id, vet_ids, earliest)
            if slots:
                return SlotPage(day, _choose(slots, request, tz), PageFit.CLOSED)
            day += timedelta(days=1)
        return None

    async def _free_on(
        self, day: date, type_id: str, vet_ids: Sequence[str], earliest: datetime
    ) -> list[OfferedSlot]:
        """Free slots of these vets on a local day from ``earliest``; one slot per start time,
        the vets taking turns (see `_spread`)."""
        answers = await asyncio.gather(
            *(self._treats.available_slots(vet_id, day, type_id) for vet_id in vet_ids)
        )
        free = {
            vet_id: [slot for slot in slots if slot.start_time >= earliest]
            for vet_id, slots in zip(vet_ids, answers, strict=True)
        }
        return _spread(free)

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


class BookingStep(StrEnum):
    """The booking's steps, named as the conversation names its states."""

    PET = "pet"
    REASON = "reason"
    VET = "vet"
    WHEN = "when"
    SLOT = "slot"
    SUMMARY = "summary"


def step_back(
    draft: Draft, at: str | None, *, several_vets: bool, several_pets: bool
) -> BookingStep | None:
    """ "Retour" at step ``at``: undo the choice that led there and name the step to show
    again; None when there is nothing to go back to (the booking ends, the menu shows).

    A step the owner never saw is skipped on the way back: the vet step when only one vet
    does that type (``several_vets``), the pet step for a one-pet owner (``several_pets``)."""
    if at == BookingStep.SUMMARY:
        draft.slot = None
        return BookingStep.SLOT
    if at == BookingStep.SLOT:
        draft.when = None
        return BookingStep.WHEN
    if at == BookingStep.WHEN:
        draft.vet_id, draft.any_vet = None, False
        if draft.appointment_type_id and several_vets:
            return BookingStep.VET
        draft.appointment_type_id = None
        return BookingStep.REASON
    if at == BookingStep.VET:
        draft.appointment_type_id = None
        return BookingStep.REASON
    if at == BookingStep.REASON and several_pets:
        draft.patient_id = None
        return BookingStep.PET
    return None


# -- stray taps ---------------------------------------------------------------------------
# A tap on a step's button that reaches the conversation in another state (an old keyboard,
# or the screen a step ahead of a state restored after a crash) is handed to that step only
# when the draft already holds what the step builds on; otherwise the current step shows
# again. Each function answers for one button, named by the step it belongs to.


def pet_tap_ready(draft: Draft) -> bool:
    """Always handed to the pet step: a pet is the first thing a booking asks, and the step
    checks the tapped pet against the pets this owner was offered."""
    return True


def type_tap_ready(draft: Draft) -> bool:
    """An appointment type is for a pet: one must be chosen."""
    return draft.patient_id is not None


def vet_tap_ready(draft: Draft) -> bool:
    """Which vets fit depends on the appointment type: it must be chosen."""
    return draft.appointment_type_id is not None


def when_tap_ready(draft: Draft) -> bool:
    """Slots are searched for a type and a vet (or any vet): both must be settled."""
    return draft.appointment_type_id is not None and (draft.vet_id is not None or draft.any_vet)


def slot_tap_ready(draft: Draft) -> bool:
    """A slot is taken from a page of slots already shown for a type."""
    return draft.appointment_type_id is not None and draft.offer_day is not None


def confirm_tap_ready(draft: Draft) -> bool:
    """Always handed to the confirmation: it checks the booking id against the draft itself
    and says what is true of an older one."""
    return True


def urgent_answer_ready(draft: Draft) -> bool:
    """ "Yes"/"no" to the emergency question counts only once the question was asked."""
    return draft.triage_asked


def already_coming(
    upcoming: Sequence[BookingRecord],
    patient_id: str | None,
    type_id: str | None,
    start: datetime,
    tz: ZoneInfo,
    *,
    replacing: str | None = None,
) -> BookingRecord | None:
    """An appointment this pet already has coming up of the same type, or on the same day:
    worth a word before a second one is confirmed (four vaccinations in one week went through
    without one). ``replacing``: the booking a move replaces, which does not count."""
    day = start.astimezone(tz).date()
    for record in upcoming:
        if record.booking_id == replacing or record.patient_id != patient_id:
            continue
        same_day = record.scheduled_at.astimezone(tz).date() == day
        if same_day or (type_id is not None and record.appointment_type_id == type_id):
            return record
    return None


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


def _spread(free: dict[str, list[Slot]]) -> list[OfferedSlot]:
    """One offered slot per start time, for owners to whom any vet will do.

    When several vets are free at the same time, the turn goes round them by the slot's rank
    in the day: 09:00 goes to one, 09:15 to the next. Once an owner takes 09:00, the other
    vet free at 09:00 is the one offered there, so bookings spread over the vets instead of
    all going to the first vet of the clinic file. (A count of free slots would not do: a vet
    who works only mornings would look busier than one who works all day.)"""
    order = list(free)
    candidates: dict[datetime, list[tuple[str, Slot]]] = {}
    for vet_id, slots in free.items():
        for slot in slots:
            candidates.setdefault(slot.start_time, []).append((vet_id, slot))
    offered = []
    for rank, start in enumerate(sorted(candidates)):
        pairs = sorted(candidates[start], key=lambda pair: order.index(pair[0]))
        vet_id, slot = pairs[rank % len(pairs)]
        offered.append(_offered(vet_id, slot))
    return offered


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def inside_request(slot: OfferedSlot, request: TimeRequest | None) -> bool:
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
        key=lambda s: (not inside_request(s, request), _distance(s.start, low, high), s.start),
    )
    chosen = sorted(ranked[:MAX_SLOTS], key=lambda s: s.start)
    if low == high:  # one time asked: it comes first, on whichever day is shown
        exact = [s for s in chosen if s.start == low]
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
