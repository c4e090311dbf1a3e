"""The ways into a booking: "Prendre rendez-vous" (or /rdv), and a free-text first message.

A first message is read for all it surely says (`read_request`); what it leaves unsure is asked
at its step, with a note. Every typed text, at any step, passes the red-flag check first
(`triaged`, applied by the router), which may ask the emergency question before the step reads
the text.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence

from telegram import Update

from bot.booking import Draft
from bot.config import ClinicConfig
from bot.i18n import Translator
from bot.matching import match_type
from bot.request_reading import (
    RequestReading,
    asks_to_book,
    mentions_urgency,
    read_request,
    reason_from,
)
from bot.treats import AppointmentType, Patient, TreatsError
from bot.triage import assess
from bot.when import (
    read_when,
)
from bot.when_questions import question_for
from conversations import keyboards as kb
from conversations import states as st
from conversations import urgent
from conversations.common import (
    Context,
    esc,
    show,
)
from conversations.flow import advance, at, impossible_time, paused, typed_text, unavailable
from conversations.start import start


async def book(update: Update, context: Context) -> str:
    """ "Prendre rendez-vous": a new draft for the linked owner."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    owner = svc.store.owner(user.id)
    if owner is None:
        return await start(update, context)
    if await paused(update, context):
        return at(context, st.MENU)
    context.session.draft = Draft(client_id=owner.client_id, started_at=svc.clock())
    return await advance(update, context)


async def one_message(update: Update, context: Context) -> str:
    """Free text from the menu (or as a first message): read all we can from it.

    Red flags are looked at first: an urgent first message asks the emergency question even
    when it names no pet, type or time (it used to get "je n'ai pas compris")."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    owner = svc.store.owner(user.id)
    if owner is None:
        return await start(update, context)
    _ = context.translator
    text = typed_text(update)
    triage = assess(text, svc.lexicon)
    urgent_words = triage.urgent_suspected or mentions_urgency(text)
    if not urgent_words and await paused(update, context):
        return at(context, st.MENU)
    draft = Draft(client_id=owner.client_id, started_at=svc.clock())
    context.session.draft = draft
    try:
        pets = await svc.booking.pets(owner.client_id)
        types = await svc.booking.appointment_types()
    except TreatsError:
        if not urgent_words:
            return await unavailable(update, context, st.PET)
        pets, types = [], []  # the staff are alerted all the same
    reading = read_request(
        text,
        svc.local_now(),
        pets,
        types,
        svc.clinic.vets,
        lexicon=svc.lexicon,
        language=_.language,
        type_words=svc.clinic.type_words,
    )
    context.session.offered_pets = {pet.id: (pet.name, pet.species) for pet in pets}
    _take_what_is_sure(_, draft, reading, pets, types, svc.clinic)
    if reading.urgent_hint:
        return await urgent.ask(update, context, draft, triage, text)
    if draft.appointment_type_id is not None and svc.clinic.is_urgent_type(
        draft.appointment_type_id, draft.type_name or ""
    ):
        return await urgent.ask(update, context, draft, None, text)
    if reading.time_problem is not None:
        return await impossible_time(update, context, reading.time_problem)
    nothing_read = (
        reading.patient_id is None
        and reading.appointment_type_id is None
        and reading.vet_id is None
        and reading.when is None
    )
    if nothing_read and not asks_to_book(text):
        context.session.end_booking()
        await show(
            update,
            context,
            _(
                "Je n'ai pas bien compris. Voulez-vous prendre rendez-vous ? Choisissez "
                "ci-dessous, ou écrivez par exemple « un vaccin pour mon chien demain matin »."
            ),
            kb.menu(_),
        )
        return at(context, st.MENU)
    return await advance(update, context)


def _take_what_is_sure(
    _: Translator,
    draft: Draft,
    reading: RequestReading,
    pets: Sequence[Patient],
    types: Sequence[AppointmentType],
    clinic: ClinicConfig,
) -> None:
    """Fill the draft with what the first message surely says; what it leaves unsure is
    asked at its step, with a note saying why (never a pet, type, vet or time guessed)."""
    notes: list[str] = []
    words = esc(reading.pet_words or "")
    pet = next((p for p in pets if p.id == reading.patient_id), None)
    if reading.pet_mismatch:
        draft.pet_unsure = True
        notes.append(_("Je ne trouve pas « {words} » dans votre dossier.", words=words))
    elif reading.pet_candidates:
        draft.pet_unsure, draft.hinted = True, reading.pet_candidates
        notes.append(_("« {words} » : de quel animal parlez-vous ?", words=words))
    elif pet is None and len(pets) == 1:
        pet = pets[0]  # a one-pet owner's words are about that pet (the staff alert names it)
    if pet is not None:
        draft.patient_id, draft.pet_name, draft.pet_species = pet.id, pet.name, pet.species
    kind = next((t for t in types if t.id == reading.appointment_type_id), None)
    if kind is not None:
        draft.appointment_type_id, draft.type_name = kind.id, kind.name
    elif reading.type_candidates:
        draft.hinted = (*draft.hinted, *reading.type_candidates)
        notes.append(_("Plusieurs motifs sont possibles : lequel choisissez-vous ?"))
    draft.reason = reading.reason
    if reading.vet_id is not None and (kind is None or clinic.vet(reading.vet_id)):
        draft.vet_id = reading.vet_id
    elif reading.unknown_vet is not None:
        notes.append(
            _(
                "Je ne trouve pas « {name} » parmi les vétérinaires de la clinique.",
                name=esc(reading.unknown_vet),
            )
        )
    elif not reading.vet_candidates:
        draft.any_vet = True  # a whole request that names no vet has no preference
    draft.when = reading.when
    question = question_for(reading.when_reading) if reading.when_reading else None
    if question is not None:  # asked at the time step, once pet, type and vet are known
        draft.when, draft.when_question = None, question
    draft.step_note = " ".join(notes) or None


async def urgent_words_first(update: Update, context: Context) -> str | None:
    """Red flags in any typed text, at any step, ask the emergency question before the step
    reads the text (None: nothing urgent, or already asked about these very signs).

    Outside a booking (the menu, Mes rendez-vous, after a booking, describing a new pet) the
    text is read as a first message, so that after "non" the booking goes on from its words.
    Someone not identified yet gets the clinic's number at once."""
    svc = context.services
    text = typed_text(update)
    triage = assess(text, svc.lexicon)
    said_urgent = mentions_urgency(text)
    if not triage.urgent_suspected and not said_urgent:
        return None
    user = update.effective_user
    if user is None or svc.store.owner(user.id) is None:
        await urgent.phone_now(update, context, alerted=False)
        return None  # identification goes on: the staff are alerted once we know who it is
    draft = context.session.draft
    state = context.session.step
    if draft is None or state not in st.BOOKING_STEPS:
        return await one_message(update, context)
    new_signs = {flag.id for flag in triage.flags} - draft.triage_seen
    if draft.is_urgent or (draft.triage_asked and not new_signs and not said_urgent):
        return None
    if draft.reason is None:
        _ = context.translator
        spans = read_when(text, svc.local_now(), language=_.language).spans
        draft.reason = reason_from(text, spans, [draft.pet_name or ""])
    if draft.appointment_type_id is None:
        with contextlib.suppress(TreatsError):
            draft.appointment_type_id = match_type(
                text, await svc.booking.appointment_types(), clinic_words=svc.clinic.type_words
            )
    return await urgent.ask(update, context, draft, triage, text)


def triaged(step):  # type: ignore[no-untyped-def]
    """A step's text handler, behind the red-flag check."""

    @functools.wraps(step)
    async def triaged(update: Update, context: Context) -> str | None:
        asked = await urgent_words_first(update, context)
        return asked if asked is not None else await step(update, context)

    return triaged
