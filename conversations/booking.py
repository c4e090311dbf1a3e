"""The booking conversation: pet → reason → vet → when → slot → summary → confirmed.

Each step is one `ask_*` function that shows the step and returns its state, and one handler
per way of answering (a tap, typed text). `advance` asks for the first thing still missing,
so a first message that already says "Mimi, vaccin, mardi 10h" skips straight to the slots.
The diagram is conversations/booking.mmd.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import warnings
from collections.abc import Sequence
from datetime import timedelta
from typing import Final, Protocol, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.booking import ConfirmResult, Draft, Outcome, PageFit, SlotPage, already_coming
from bot.config import ClinicConfig
from bot.i18n import N_, Translator, pick_language
from bot.ics import ics_filename
from bot.matching import match_pet, match_type, match_vet, means_any, means_no, means_yes
from bot.request_reading import RequestReading, mentions_urgency, read_request, reason_from
from bot.services import Services
from bot.staff_requests import RequestKind
from bot.store import BookingDraft, BookingRecord, BookingState
from bot.text import fold
from bot.treats import AppointmentType, Patient, TreatsError
from bot.triage import assess
from bot.when import (
    Assumption,
    TimeRequest,
    WhenProblem,
    WhenReading,
    format_request,
    parse_when,
    read_when,
)
from bot.when_questions import WhenQuestion, question_for, understood
from conversations import appointments, requests, urgent
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import (
    Context,
    answer_callback,
    esc,
    show,
)
from conversations.owner_reach import tell_owner
from conversations.reminders import present
from conversations.staff import (
    announce_settled,
    open_request,
    paused_text,
    raise_urgent_alert,
    staff_can_hear,
)
from conversations.start import (
    choose_language,
    clinic_info,
    contact_expected,
    contact_shared,
    language_chosen,
    show_menu,
    start,
)

logger = logging.getLogger("vetbot.booking")

CONVERSATION_TIMEOUT: Final = timedelta(minutes=30)
ONLY_TEXT_AND_BUTTONS: Final = N_("Je ne sais lire que du texte et les boutons 🙂")
MAX_TEXT: Final = 600
"""Longer messages are read up to here (Telegram allows 4096; a booking needs far less)."""


# -- helpers ---------------------------------------------------------------------------


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "")[:MAX_TEXT] if message is not None else ""


def _at(context: Context, state: str, *, outage: bool = False) -> str:
    """Record the state we are entering, so a fallback can show this step again; a step shown
    without an outage ends the count of tries into one (see `_unavailable`)."""
    context.session.step = state
    if not outage:
        context.session.outage_tries = 0
    return state


async def _unavailable(
    update: Update, context: Context, state: str, *, booking: bool = False
) -> str:
    """The Treats API failed: keep the draft, offer to try again.

    Each try into the same outage says so, with its number and the clinic's phone from the
    second on: the same text again would edit nothing, and "Réessayer" would seem dead.
    ``booking``: it was the confirmation, so say the appointment is not taken yet."""
    svc = context.services
    _ = context.translator
    context.session.outage_tries += 1
    tries = context.session.outage_tries
    phone = esc(svc.clinic.phone_display)
    if tries == 1 and booking:
        text = _(
            "Le logiciel de la clinique ne répond pas : le rendez-vous n'est pas encore "
            "pris, mais votre demande est gardée. Réessayez dans un instant."
        )
    elif tries == 1:
        text = _(
            "Le logiciel de la clinique ne répond pas pour le moment. Rien n'est perdu : "
            "votre demande est gardée. Réessayez dans un instant."
        )
    elif booking:
        text = _(
            "Le logiciel de la clinique ne répond toujours pas (essai n° {tries}) : le "
            "rendez-vous n'est pas encore pris, votre demande est gardée. Réessayez dans "
            "quelques minutes, ou appelez la clinique au {phone}.",
            tries=tries,
            phone=phone,
        )
    else:
        text = _(
            "Le logiciel de la clinique ne répond toujours pas (essai n° {tries}). Votre "
            "demande est gardée : réessayez dans quelques minutes, ou appelez la clinique "
            "au {phone}.",
            tries=tries,
            phone=phone,
        )
    await show(update, context, text, kb.retry(_))
    return _at(context, state, outage=True)


def _summary_lines(_: Translator, draft: Draft, vet_name: str) -> list[str]:
    assert draft.slot is not None
    pet = esc(draft.pet_name or "")
    if draft.pet_species:
        pet += f" ({esc(_.species(draft.pet_species))})"
    lines = [
        _("🐾 {pet}", pet=pet),
        _("📋 {type}", type=esc(draft.type_name or "")),
        _("👩‍⚕️ {vet}", vet=esc(vet_name)),
        _("🕙 {when}", when=_.when(draft.slot.start)),
    ]
    if draft.reason:
        lines.append(_("✏️ Motif : {reason}", reason=esc(draft.reason)))
    return lines


# -- entry -----------------------------------------------------------------------------


async def book(update: Update, context: Context) -> str:
    """ "Prendre rendez-vous": a new draft for the linked owner."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    owner = svc.store.owner(user.id)
    if owner is None:
        return await start(update, context)
    if await _paused(update, context):
        return _at(context, st.MENU)
    context.session.draft = Draft(client_id=owner.client_id, started_at=svc.clock())
    return await advance(update, context)


async def _paused(update: Update, context: Context, *, below: bool = False) -> bool:
    """Online booking paused by the staff: say so, with the phone (``below``: on a new
    message, under what was just said)."""
    _ = context.translator
    notice = paused_text(context, _)
    if notice is None:
        return False
    if below:
        context.session.new_panel = True
    await show(update, context, notice, kb.back_to_menu(_))
    return True


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
    text = _text(update)
    triage = assess(text, svc.lexicon)
    urgent_words = triage.urgent_suspected or mentions_urgency(text)
    if not urgent_words and await _paused(update, context):
        return _at(context, st.MENU)
    draft = Draft(client_id=owner.client_id, started_at=svc.clock())
    context.session.draft = draft
    try:
        pets = await svc.booking.pets(owner.client_id)
        types = await svc.booking.appointment_types()
    except TreatsError:
        if not urgent_words:
            return await _unavailable(update, context, st.PET)
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
        return await _impossible_time(update, context, reading.time_problem)
    nothing_read = (
        reading.patient_id is None
        and reading.appointment_type_id is None
        and reading.vet_id is None
        and reading.when is None
    )
    if nothing_read:
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
        return _at(context, st.MENU)
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


def _note(draft: Draft) -> str:
    """The note for the next question, said once."""
    note, draft.step_note = draft.step_note, None
    return note + "\n" if note else ""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def _hinted_first(draft: Draft, items: Sequence[_Item]) -> list[_Item]:
    """The items the first message may mean, first; the others after (never a dead end)."""
    return sorted(items, key=lambda item: item.id not in draft.hinted)


async def advance(update: Update, context: Context) -> str:
    """Ask for the first thing the draft still lacks."""
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    if draft.patient_id is None:
        return await ask_pet(update, context, draft)
    if draft.appointment_type_id is None:
        return await ask_reason(update, context, draft)
    if draft.vet_id is None and not draft.any_vet:
        return await ask_vet(update, context, draft)
    if draft.when is None:
        return await ask_when(update, context)
    if draft.slot is None:
        return await show_slots(update, context, draft)
    return await show_summary(update, context, draft)


# -- pet -------------------------------------------------------------------------------


async def ask_pet(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    try:
        pets = await svc.booking.pets(draft.client_id)
    except TreatsError:
        return await _unavailable(update, context, st.PET)
    if not pets:
        await show(
            update,
            context,
            _(
                "Je ne trouve aucun animal dans votre dossier. Dites-moi lequel ajouter, ou "
                "appelez la clinique au {phone}.",
                phone=esc(svc.clinic.phone_display),
            ),
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(_("🐾 Ajouter mon animal"), callback_data=cb.ADD_PET)],
                    *kb.back_to_menu(_).inline_keyboard,
                ]
            ),
        )
        return _at(context, st.MENU)
    context.session.offered_pets = {pet.id: (pet.name, pet.species) for pet in pets}
    if len(pets) == 1 and not draft.pet_unsure:
        pet = pets[0]
        draft.patient_id, draft.pet_name, draft.pet_species = pet.id, pet.name, pet.species
        return await advance(update, context)
    note = _note(draft)
    await show(
        update, context, note + _("Pour quel animal ?"), kb.pets(_, _hinted_first(draft, pets))
    )
    return _at(context, st.PET)


async def pet_tapped(update: Update, context: Context) -> str:
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    pet_id = cb.value(query.data or "", cb.PET)
    return await _take_pet(update, context, draft, pet_id)


async def pet_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    offered = context.session.offered_pets
    pet_id = match_pet(_text(update), [(pid, name) for pid, (name, _s) in offered.items()])
    return await _take_pet(update, context, draft, pet_id)


async def _take_pet(
    update: Update, context: Context, draft: Draft | None, pet_id: str | None
) -> str:
    if draft is None:
        return await show_menu(update, context)
    offered = context.session.offered_pets
    if pet_id is None or pet_id not in offered:
        _ = context.translator
        await answer_callback(update, context, _("Choisissez un de vos animaux dans la liste."))
        return await ask_pet(update, context, draft)
    draft.patient_id = pet_id
    draft.pet_name, draft.pet_species = offered[pet_id]
    return await advance(update, context)


# -- reason ----------------------------------------------------------------------------


async def ask_reason(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    try:
        types = await svc.booking.appointment_types()
    except TreatsError:
        return await _unavailable(update, context, st.REASON)
    pet = esc(draft.pet_name or "")
    if draft.reason:
        text = _(
            "C'est noté : « {reason} ». Quel type de rendez-vous pour {pet} ?",
            reason=esc(draft.reason),
            pet=pet,
        )
    else:
        text = _(
            "Quel est le motif du rendez-vous pour {pet} ? Choisissez ci-dessous, ou "
            "décrivez-le en quelques mots.",
            pet=pet,
        )
    only_pet = len(context.session.offered_pets) == 1
    shown = kb.types(_, _hinted_first(draft, types), other_pet=only_pet)
    await show(update, context, _note(draft) + text, shown)
    return _at(context, st.REASON)


async def type_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    return await _take_type(update, context, cb.value(query.data or "", cb.TYPE))


async def reason_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    svc = context.services
    text = _text(update).strip()
    try:
        types = await svc.booking.appointment_types()
    except TreatsError:
        return await _unavailable(update, context, st.REASON)
    _ = context.translator
    when = read_when(text, context.services.local_now(), language=_.language)
    if when.request is not None and draft.when is None:
        draft.when = when.request  # "un vaccin demain à 10h": the time is kept for later
    draft.reason = reason_from(text, when.spans, [draft.pet_name or ""]) or draft.reason
    type_id = match_type(text, types, clinic_words=svc.clinic.type_words)
    if type_id is None:
        return await ask_reason(update, context, draft)
    return await _take_type(update, context, type_id)


async def _take_type(update: Update, context: Context, type_id: str | None) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    try:
        types = {t.id: t for t in await svc.booking.appointment_types()}
    except TreatsError:
        return await _unavailable(update, context, st.REASON)
    if type_id is None or type_id not in types:
        _ = context.translator
        await answer_callback(update, context, _("Choisissez un motif dans la liste."))
        return await ask_reason(update, context, draft)
    draft.appointment_type_id, draft.type_name = type_id, types[type_id].name
    if draft.vet_id is not None and not svc.clinic.vet(draft.vet_id).does(type_id):  # type: ignore[union-attr]
        draft.vet_id = None
    if svc.clinic.is_urgent_type(type_id, types[type_id].name) and not draft.is_urgent:
        return await urgent.ask(update, context, draft, None, draft.reason or "")
    return await advance(update, context)


# -- vet -------------------------------------------------------------------------------


async def ask_vet(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    assert draft.appointment_type_id is not None
    vets = svc.booking.vets_for(draft.appointment_type_id)
    if len(vets) == 1:
        draft.vet_id = vets[0].id
        return await advance(update, context)
    await show(update, context, _note(draft) + _("Avec quel vétérinaire ?"), kb.vets(_, vets))
    return _at(context, st.VET)


async def vet_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    if data == cb.VET_ANY:
        return await _take_vet(update, context, None, any_vet=True)
    return await _take_vet(update, context, cb.value(data, cb.VET), any_vet=False)


async def vet_typed(update: Update, context: Context) -> str:
    svc = context.services
    text = _text(update)
    if means_any(text):
        return await _take_vet(update, context, None, any_vet=True)
    return await _take_vet(update, context, match_vet(text, svc.clinic.vets), any_vet=False)


async def _take_vet(update: Update, context: Context, vet_id: str | None, *, any_vet: bool) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None or draft.appointment_type_id is None:
        return await show_menu(update, context)
    allowed = {vet.id for vet in svc.booking.vets_for(draft.appointment_type_id)}
    if not any_vet and (vet_id is None or vet_id not in allowed):
        _ = context.translator
        await answer_callback(update, context, _("Choisissez un vétérinaire dans la liste."))
        return await ask_vet(update, context, draft)
    draft.vet_id, draft.any_vet = vet_id, any_vet
    return await advance(update, context)


# -- when ------------------------------------------------------------------------------


async def ask_when(update: Update, context: Context, note: str = "") -> str:
    _ = context.translator
    draft = context.session.draft
    if draft is not None and draft.when_question is not None:
        return await _ask_which_when(update, context, draft.when_question, note)
    text = note + _(
        "Quand souhaitez-vous venir ? Écrivez par exemple « mardi à 10h », « demain matin » "
        "ou « jeudi après 17h », ou choisissez :"
    )
    await show(update, context, text, kb.when(_))
    return _at(context, st.WHEN)


async def _ask_which_when(
    update: Update, context: Context, question: WhenQuestion, note: str = ""
) -> str:
    """A time that must be settled before slots: what is unsure, and the readings as buttons
    (never a guess booked silently). Nothing readable: say which words, ask again."""
    _ = context.translator
    draft = context.session.draft
    words = esc(" ".join(question.words))
    if not question.choices:
        if draft is not None:
            draft.when_question = None
        return await ask_when(
            update, context, note + _("Je n'ai pas compris « {words} ».", words=words) + " "
        )
    if question.kind is Assumption.WEEKDAY_MISMATCH:
        text = _("Le jour et la date ne vont pas ensemble. Lequel voulez-vous dire ?")
    elif question.kind is Assumption.NEXT_WEEKDAY_AMBIGUOUS:
        text = _("Cette semaine ou la suivante ? Choisissez :")
    elif question.kind is Assumption.UNREAD_WORDS and words:
        text = _(
            "Je n'ai pas compris « {words} ». Voici ce que j'ai lu : est-ce bien cela ?",
            words=words,
        )
    else:
        text = _("Je ne suis pas sûr d'avoir bien compris. Vous voulez dire :")
    labels = [format_request(choice, _.language) for choice in question.choices]
    await show(update, context, note + text, kb.when_choices(_, labels))
    return _at(context, st.WHEN)


async def _take_reading(
    update: Update, context: Context, draft: Draft, reading: WhenReading
) -> str | None:
    """A time reading at the time or slot step: asked about when unsure (the state returned),
    else taken (None: the caller goes on)."""
    question = question_for(reading)
    if question is not None:
        draft.when, draft.slot, draft.when_question = None, None, question
        return await _ask_which_when(update, context, question)
    draft.when, draft.slot, draft.when_question = reading.request, None, None
    return None


async def when_tapped(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    if draft is None:
        return await show_menu(update, context)
    data = query.data or ""
    if data == cb.WHEN_OTHER:
        draft.when_question = None
        return await ask_when(update, context)
    pick = cb.when_pick(data)
    if pick is not None:
        question = draft.when_question
        if question is None or pick >= len(question.choices):
            _ = context.translator
            await answer_callback(update, context, _("Ce bouton n'est plus valable."))
            return await advance(update, context)
        draft.when, draft.slot, draft.when_question = question.choices[pick], None, None
        return await advance(update, context)
    now = svc.local_now()
    phrase = {
        cb.WHEN_ASAP: "dès que possible",
        cb.WHEN_TOMORROW: "demain",
        cb.WHEN_THIS_WEEK: "cette semaine",
    }.get(query.data or "")
    request = parse_when(phrase, now) if phrase else None
    if request is None:
        return await ask_when(update, context)
    draft.when = request
    return await advance(update, context)


async def when_typed(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    _ = context.translator
    reading = read_when(_text(update), svc.local_now(), language=_.language)
    if reading.problem is not None:
        return await _impossible_time(update, context, reading)
    if reading.request is None:
        draft.when_question = None
        return await ask_when(
            update, context, _("Je n'ai pas trouvé de date ni d'heure dans votre message.") + " "
        )
    asked = await _take_reading(update, context, draft, reading)
    return asked if asked is not None else await advance(update, context)


async def _impossible_time(update: Update, context: Context, reading: WhenReading) -> str:
    """A date or an hour that does not exist ("31 février", "25h"): say which, ask again."""
    _ = context.translator
    words = esc(reading.problem_words)
    if reading.problem is WhenProblem.NO_SUCH_DATE:
        note = _("« {words} » : cette date n'existe pas.", words=words)
    else:
        note = _("« {words} » : cette heure n'existe pas (de 0h à 23h59).", words=words)
    return await ask_when(update, context, note + " ")


# -- slot ------------------------------------------------------------------------------


def _vet_ids(context: Context, draft: Draft) -> list[str]:
    svc = context.services
    if draft.vet_id is not None:
        return [draft.vet_id]
    assert draft.appointment_type_id is not None
    return [vet.id for vet in svc.booking.vets_for(draft.appointment_type_id)]


async def show_slots(
    update: Update, context: Context, draft: Draft, page: SlotPage | None = None, note: str = ""
) -> str:
    svc = context.services
    _ = context.translator
    assert draft.appointment_type_id is not None
    if page is None:
        try:
            page = await svc.booking.first_page(
                draft.appointment_type_id,
                _vet_ids(context, draft),
                draft.when,
                urgent=draft.is_urgent,
            )
        except TreatsError:
            return await _unavailable(update, context, st.SLOT)
    if page is None:
        await show(
            update,
            context,
            _(
                "Je ne trouve aucun créneau libre dans le mois qui vient. Appelez la clinique "
                "au {phone}, elle trouvera une solution.",
                phone=esc(svc.clinic.phone_display),
            ),
            kb.back_to_menu(_),
        )
        return _at(context, st.MENU)
    generation = draft.new_offer(page)
    text = _slots_heading(_, page, draft.when)
    if understood(draft.when):  # a safe guess ("à 3h": 15:00) is shown, in words
        assert draft.when is not None
        seen = _("J'ai compris : {when}.", when=esc(format_request(draft.when, _.language)))
        text = seen + "\n" + text
    today = svc.local_now().date()
    vet_names = {vet.id: vet.name for vet in svc.clinic.vets} if draft.any_vet else None
    keyboard = kb.slots(_, page.slots, generation, vet_names, earlier=page.day > today)
    await show(update, context, note + text, keyboard)
    return _at(context, st.SLOT)


def _slots_heading(_: Translator, page: SlotPage, asked: TimeRequest | None) -> str:
    """Says truly how the day shown relates to what was asked (see `PageFit`)."""
    day = esc(_.day(page.day))
    if page.fit is PageFit.NEAREST:
        return _(
            "Rien de libre au moment demandé. Voici les créneaux les plus proches, le {day} :",
            day=day,
        )
    if page.fit is PageFit.CLOSED and asked is not None:
        if asked.preferred is not None:
            closed = _("La clinique est fermée le {when}.", when=esc(_.when(asked.preferred)))
        else:
            closed = _("La clinique est fermée à ce moment-là.")
        return closed + " " + _("Voici les créneaux du {day} :", day=day)
    return _("Créneaux libres le {day} :", day=day)


async def slot_tapped(update: Update, context: Context) -> str:
    svc = context.services
    draft = context.session.draft
    query = update.callback_query
    assert query is not None
    pick = cb.slot_pick(query.data or "")
    _ = context.translator
    if draft is None:
        return await show_menu(update, context)
    if pick is None or pick.generation != draft.offer_generation:
        await answer_callback(
            update, context, _("Cette liste n'est plus à jour : voici la nouvelle.")
        )
        return await show_slots(update, context, draft)
    if pick.choice in (cb.EARLIER, cb.LATER):
        assert draft.offer_day is not None and draft.appointment_type_id is not None
        step = -1 if pick.choice == cb.EARLIER else 1
        try:
            page = await svc.booking.page(
                draft.appointment_type_id,
                _vet_ids(context, draft),
                draft.offer_day,
                step,
                draft.when,
                urgent=draft.is_urgent,
            )
        except TreatsError:
            return await _unavailable(update, context, st.SLOT)
        if page is None:
            await answer_callback(update, context, _("Pas d'autre créneau de ce côté-là."))
            return st.SLOT
        return await show_slots(update, context, draft, page)
    if not pick.choice.isdigit() or int(pick.choice) >= len(draft.offer):
        await answer_callback(update, context, _("Choisissez un créneau dans la liste."))
        return await show_slots(update, context, draft)
    draft.slot = draft.offer[int(pick.choice)]
    return await advance(update, context)


async def slot_typed(update: Update, context: Context) -> str:
    """Typed text at the slot step: another time to look for, else the same slots again."""
    svc = context.services
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    _ = context.translator
    reading = read_when(_text(update), svc.local_now(), language=_.language, on_day=draft.offer_day)
    if reading.problem is not None:
        return await _impossible_time(update, context, reading)
    if reading.request is not None:  # a bare "à 11h" is read on the day on screen
        asked = await _take_reading(update, context, draft, reading)
        return asked if asked is not None else await show_slots(update, context, draft)
    note = _("Je n'ai pas trouvé de date ni d'heure dans votre message.") + "\n"
    if draft.offer_day is None or not draft.offer:
        return await show_slots(update, context, draft, note=note)
    page = SlotPage(draft.offer_day, draft.offer)
    return await show_slots(update, context, draft, page, note=note)


# -- summary and confirmation ------------------------------------------------------------


async def show_summary(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    assert draft.slot is not None
    vet = svc.clinic.vet(draft.slot.vet_id)
    booking_id = draft.new_booking_id()
    lines = [_("<b>Récapitulatif</b>"), *_summary_lines(_, draft, vet.name if vet else "")]
    user = update.effective_user
    twin = already_coming(
        svc.store.upcoming_bookings(user.id, svc.clock()) if user is not None else [],
        draft.patient_id,
        draft.appointment_type_id,
        draft.slot.start,
        svc.clinic.tz,
        replacing=draft.replaces_booking_id,
    )
    if twin is not None:
        lines.append("")
        lines.append(
            _(
                "⚠️ {pet} a déjà un rendez-vous « {type} » le {when}. Celui-ci s'ajoute à "
                "l'autre : pour le remplacer, touchez Annuler et utilisez « Déplacer » dans "
                "Mes rendez-vous.",
                pet=esc(twin.pet_name),
                type=esc(twin.type_name),
                when=_.when(twin.scheduled_at),
            )
        )
    lines.append("")
    lines.append(_("Je confirme ce rendez-vous ?"))
    await show(update, context, "\n".join(lines), kb.summary(_, booking_id))
    return _at(context, st.SUMMARY)


async def confirm_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    return await _confirm(update, context, cb.value(query.data or "", cb.CONFIRM))


async def summary_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    text = _text(update)
    if draft is not None and means_yes(text):
        return await _confirm(update, context, draft.booking_id)
    if means_no(text):
        return await abort(update, context)
    if draft is None:
        return await show_menu(update, context)
    return await show_summary(update, context, draft)


async def retry_tapped(update: Update, context: Context) -> str:
    """Réessayer after an outage: redo the confirmation, or show the current step again."""
    state = context.session.step
    draft = context.session.draft
    if state == st.SUMMARY and draft is not None and draft.booking_id is not None:
        return await _confirm(update, context, draft.booking_id)
    return await advance(update, context)


async def _confirm(update: Update, context: Context, booking_id: str | None) -> str:
    svc = context.services
    draft = context.session.draft
    user = update.effective_user
    _ = context.translator
    assert user is not None
    if draft is None or draft.slot is None or booking_id != draft.booking_id:
        record = svc.store.booking(booking_id) if booking_id else None
        if record is not None and record.user_id == user.id:
            return await _confirmed_before(update, context, record)  # type: ignore[return-value]
        await answer_callback(update, context, _("Ce récapitulatif n'est plus valable."))
        return await advance(update, context)
    claimed = svc.store.booking(booking_id) is not None  # a repeated tap: its answer stands
    if not claimed and svc.booking.too_soon(draft.slot, urgent=draft.is_urgent):
        draft.slot = None
        note = _("Ce créneau est maintenant trop proche pour être réservé ici, désolé.")
        return await show_slots(update, context, draft, note=note + "\n")
    await answer_callback(update, context, _("Réservation en cours…"))
    vet = svc.clinic.vet(draft.slot.vet_id)
    result = await svc.booking.confirm(
        BookingDraft(
            booking_id=booking_id,
            user_id=user.id,
            client_id=draft.client_id,
            patient_id=draft.patient_id or "",
            vet_id=draft.slot.vet_id,
            appointment_type_id=draft.appointment_type_id,
            scheduled_at=draft.slot.start,
            duration_minutes=int((draft.slot.end - draft.slot.start).total_seconds() // 60),
            reason=draft.reason,
            is_urgent=draft.is_urgent,
            pet_name=draft.pet_name or "",
            vet_name=vet.name if vet else "",
            type_name=draft.type_name or "",
            urgent_alert_id=draft.urgent_alert_id,
        )
    )
    return await _tell_outcome(update, context, draft, result)


async def _tell_outcome(
    update: Update, context: Context, draft: Draft, result: ConfirmResult
) -> str:
    svc = context.services
    _ = context.translator
    vet = svc.clinic.vet(draft.slot.vet_id) if draft.slot else None
    lines = _summary_lines(_, draft, vet.name if vet else "")
    if not result.repeated:
        svc.metrics.bookings.labels(str(result.outcome)).inc()
    match result.outcome:
        case Outcome.BOOKED:
            status = _.status(result.record.api_status, result.record.display_status)
            head = _("✅ <b>C'est confirmé !</b> Statut : {status}", status=esc(status))
            await show(update, context, "\n".join([head, *lines]))
            if not result.repeated:
                _told(context, result)
                _remind(context, result)
                await _send_calendar(update, context, result)
                await _cancel_replaced(update, context, draft, result)
                svc.store.record_event(result.record.user_id, "booked")
            context.session.end_booking()
            return await _menu_below(update, context)
        case Outcome.UNCERTAIN:
            head = _(
                "⏳ <b>Votre demande est bien partie</b>, mais le logiciel de la clinique n'a "
                "pas répondu à temps. La clinique vérifie et vous confirme très vite ici. "
                "Inutile de réserver une seconde fois."
            )
            await show(update, context, "\n".join([head, *lines]))
            if not result.repeated:
                _told(context, result)
            context.session.end_booking()
            return await _menu_below(update, context)
        case Outcome.IN_PROGRESS:
            return st.SUMMARY
        case Outcome.SLOT_TAKEN:
            _told(context, result)
            draft.slot = None
            return await show_slots(
                update, context, draft, note=_("Ce créneau vient d'être pris, désolé.") + "\n"
            )
        case Outcome.UNAVAILABLE:
            _told(context, result)
            return await _unavailable(update, context, st.SUMMARY, booking=True)
    _told(context, result)
    await show(
        update,
        context,
        _(
            "La clinique n'a pas pu enregistrer ce rendez-vous. Appelez-la au {phone}, "
            "elle s'en occupera.",
            phone=esc(svc.clinic.phone_display),
        ),
        kb.back_to_menu(_),
    )
    context.session.end_booking()
    return st.END


def _told(context: Context, result: ConfirmResult) -> None:
    """The staff side of the outcome (see `announce_settled`), then the mark that both sides
    know, so that a restart does not tell them again (`tell_untold`)."""
    if result.repeated:
        return
    announce_settled(context.application, result.record)
    context.services.store.mark_told(result.record.booking_id)


async def _send_calendar(update: Update, context: Context, result: ConfirmResult) -> None:
    svc = context.services
    _ = context.translator
    record = result.record
    if update.effective_chat is None:
        return
    await update.effective_chat.send_document(
        InputFile(
            appointments.calendar_file(svc, _, record),
            filename=ics_filename(record.scheduled_at, record.pet_name or "rdv"),
        ),
        caption=_("Ajoutez-le à votre agenda 📅"),
    )


def _remind(context: Context, result: ConfirmResult) -> None:
    """Plan the reminders of a booking just confirmed."""
    reminders = context.reminders
    if reminders is not None:
        reminders.schedule(result.record)
    watcher = context.watcher
    if watcher is not None:
        watcher.wake()  # start watching it for clinic-side changes


async def _cancel_replaced(
    update: Update, context: Context, draft: Draft, result: ConfirmResult
) -> None:
    """A move booked its new slot: ask the clinic to cancel the old one, and say so."""
    svc = context.services
    old = svc.store.booking(draft.replaces_booking_id) if draft.replaces_booking_id else None
    if old is None or update.effective_chat is None:
        return
    _ = context.translator
    staff_language = svc.catalogs[svc.clinic.locale]
    filed = open_request(
        context,
        RequestKind.CANCEL,
        old.user_id,
        client_id=old.client_id,
        booking_id=old.booking_id,
        details={
            "RDV": f"{staff_language.short(old.scheduled_at)} · {old.pet_name} · "
            f"{old.type_name} · {old.vet_name}",
            "RDV Treats": old.appointment_id or "?",
            "Remplacé par": staff_language.short(result.record.scheduled_at),
        },
    )
    text = (
        _(
            "Et l'ancien rendez-vous du {when} : j'ai demandé à la clinique de l'annuler, elle "
            "vous le confirmera ici.",
            when=_.when(old.scheduled_at),
        )
        if filed
        else _(
            "Pensez à appeler la clinique au {phone} pour annuler l'ancien rendez-vous du {when}.",
            phone=esc(svc.clinic.phone_display),
            when=_.when(old.scheduled_at),
        )
    )
    await update.effective_chat.send_message(text)


async def _menu_below(update: Update, context: Context) -> str:
    """A fresh menu under an outcome that must stay readable in the chat."""
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            _("Que souhaitez-vous faire ?"), reply_markup=kb.menu(_)
        )
    return _at(context, st.MENU)


async def tell_untold(application: Application, svc: Services) -> int:  # type: ignore[type-arg]
    """At start-up: tell the owner and the staff how each booking settled while nobody was told
    (the process died between the API's answer and the telling, or during the POST and the
    restart settled it). The same staff messages as after a tap; returns how many."""
    untold = svc.store.untold_bookings()
    for record in untold:
        announce_settled(application, record)
        await _tell_owner(application, svc, record)
        svc.store.mark_told(record.booking_id)
    return len(untold)


async def _tell_owner(application: Application, svc: Services, record: BookingRecord) -> None:  # type: ignore[type-arg]
    """The owner's message for a booking settled after a restart (none to an owner who blocked
    the bot; a refusal marks them, see `tell_owner`)."""
    _ = svc.catalogs[pick_language(svc.store.language(record.user_id), svc.clinic.locale)]
    when, pet = _.when(record.scheduled_at), esc(record.pet_name)
    if record.state is BookingState.BOOKED:
        text = _("✅ Votre rendez-vous du {when} pour {pet} est confirmé.", when=when, pet=pet)
    elif record.state is BookingState.UNCERTAIN:
        text = _(
            "⏳ Votre demande de rendez-vous du {when} pour {pet} est bien partie, mais le "
            "logiciel de la clinique n'a pas répondu. La clinique vérifie et vous confirme "
            "très vite ici.",
            when=when,
            pet=pet,
        )
    else:
        text = _(
            "Votre demande de rendez-vous du {when} pour {pet} n'a pas pu aboutir : rien "
            "n'est réservé. Reprenez la réservation quand vous voulez, ou appelez la clinique "
            "au {phone}.",
            when=when,
            pet=pet,
            phone=esc(svc.clinic.phone_display),
        )
    try:
        await tell_owner(
            application, record.user_id, text, parse_mode=ParseMode.HTML, reply_markup=kb.menu(_)
        )
    except TelegramError as error:  # told or not, it is settled: never told again
        logger.warning(
            "telling user %s how %s settled failed: %s", record.user_id, record.booking_id, error
        )


# -- urgency -----------------------------------------------------------------------------


async def urgent_yes(update: Update, context: Context) -> str:
    """It is an emergency: staff alerted now, the phone to call, today's earliest slots."""
    svc = context.services
    draft = context.session.draft
    user = update.effective_user
    if draft is None or user is None:
        return await show_menu(update, context)
    _ = context.translator
    # Told "prévenue" only when the staff chat takes messages now; the alert waits otherwise.
    alerted = staff_can_hear(context)
    await answer_callback(
        update, context, _("L'équipe de la clinique est prévenue.") if alerted else None
    )
    await raise_urgent_alert(context, user.id, draft)
    await urgent.phone_now(update, context, alerted=alerted)
    if await _paused(update, context, below=True):
        context.session.end_booking()
        return _at(context, st.MENU)
    try:
        type_id = await urgent.urgent_type_id(context, draft)
    except TreatsError:
        return await _unavailable(update, context, st.PET)
    urgent.prepare_urgent_booking(draft, svc.local_now(), type_id)
    query = update.callback_query
    session = context.session
    if query is not None and query.message is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
        if session.panel_message_id == query.message.message_id:
            session.panel_message_id = None  # stripped: never stripped twice (Telegram refuses)
    session.new_panel = True  # the slots go below the phone number
    return await advance(update, context)


async def urgent_no(update: Update, context: Context) -> str:
    """Not an emergency: the booking goes on as usual."""
    return await advance(update, context)


async def urgent_typed(update: Update, context: Context) -> str:
    """ "oui" or "non" typed at the emergency question count as the buttons; anything else
    asks again, with the buttons."""
    text = _text(update)
    if means_yes(text):
        return await urgent_yes(update, context)
    if means_no(text):
        return await urgent_no(update, context)
    _ = context.translator
    await show(
        update,
        context,
        _("Est-ce une urgence ? Répondez oui ou non, ou touchez un bouton."),
        urgent.keyboard(_),
    )
    return st.URGENT


# -- navigation and the unexpected -------------------------------------------------------


async def back(update: Update, context: Context) -> str:
    """ "Retour": undo the last choice and show that step again."""
    draft = context.session.draft
    state = context.session.step
    if draft is None:
        return await show_menu(update, context)
    if state == st.SUMMARY:
        draft.slot = None
        return await show_slots(update, context, draft)
    if state == st.SLOT:
        draft.when = None
        return await ask_when(update, context)
    if state == st.WHEN:
        draft.vet_id, draft.any_vet = None, False
        svc = context.services
        if draft.appointment_type_id and len(svc.booking.vets_for(draft.appointment_type_id)) > 1:
            return await ask_vet(update, context, draft)
        draft.appointment_type_id = None
        return await ask_reason(update, context, draft)
    if state == st.VET:
        draft.appointment_type_id = None
        return await ask_reason(update, context, draft)
    if state == st.REASON and len(context.session.offered_pets) > 1:
        draft.patient_id = None
        return await ask_pet(update, context, draft)
    context.session.end_booking()
    return await show_menu(update, context)


async def abort(update: Update, context: Context) -> str:
    """/annuler, /cancel or ✖️: drop the draft, nothing was booked."""
    _ = context.translator
    had_draft = context.session.draft is not None
    context.session.end_booking()
    text = (
        _("C'est annulé : aucun rendez-vous n'a été pris.")
        if had_draft
        else _(
            "Rien en cours. Pour annuler un rendez-vous déjà pris, ouvrez « Mes rendez-vous ». "
            "Que souhaitez-vous faire ?"
        )
    )
    await show(update, context, text, kb.menu(_))
    return st.MENU


async def reshow(update: Update, context: Context) -> str | None:
    """A sticker, a photo, a voice note: say so kindly, show the step again."""
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(_(ONLY_TEXT_AND_BUTTONS))
    return await _carry_on(update, context)


async def unknown_command(update: Update, context: Context) -> str | None:
    """/aide, /help or any command we do not have: name the ones we do, then go on."""
    svc = context.services
    user = update.effective_user
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            _(
                "Je ne connais pas cette commande. Essayez /start (le menu), /rdv (prendre "
                "rendez-vous), /annuler, /langue ou /oublier."
            )
        )
    if user is not None and svc.store.owner(user.id) is None:
        return await start(update, context)
    return await _carry_on(update, context)


async def _carry_on(update: Update, context: Context) -> str:
    """After a word about the unexpected: the booking step again, or the menu."""
    state = context.session.step
    if state in st.BOOKING_STEPS and context.session.draft is not None:
        return await advance(update, context)
    return await show_menu(update, context)


async def stray_tap(update: Update, context: Context) -> str | None:
    """A tap on a button the current step does not expect: a second tap on "Confirmer", an old
    keyboard, or the screen a step ahead of the state restored after a crash.

    Never a dead end: a repeated confirmation says what is true of it now; a step's button is
    handled by its step (the draft decides whether it still fits, as for any tap); anything
    else shows the current step again, or the menu."""
    svc = context.services
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    _ = context.translator
    data = query.data or ""
    booking_id = cb.value(data, cb.CONFIRM)
    record = svc.store.booking(booking_id) if booking_id else None
    if record is not None and record.user_id == user.id:
        return await _confirmed_before(update, context, record)
    if svc.store.owner(user.id) is None:
        await answer_callback(update, context, _("Ce bouton n'est plus valable."))
        return await start(update, context)
    draft = context.session.draft
    if draft is not None:
        step = next(
            (
                handler
                for kind, handler, ready in _STEP_TAPS
                if re.match(kind, data) and ready(draft)
            ),
            None,
        )
        if step is not None:
            return await step(update, context)  # type: ignore[no-any-return]
        await answer_callback(update, context, _("Ce bouton n'est plus valable."))
        return await advance(update, context)
    await answer_callback(update, context, _("Ce bouton n'est plus valable."))
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            _("Que souhaitez-vous faire ?"), reply_markup=kb.menu(_)
        )
    return _at(context, st.MENU)


async def _confirmed_before(update: Update, context: Context, record: BookingRecord) -> str | None:
    """ "Confirmer" tapped again: what is true of that booking now, never "déjà fait" for a
    booking that failed or is still being checked; a failed one shows the way forward."""
    _ = context.translator
    match record.state:
        case BookingState.BOOKED:
            await answer_callback(
                update, context, _("C'est déjà fait : ce rendez-vous est enregistré.")
            )
            return None
        case BookingState.SENDING:
            await answer_callback(
                update, context, _("Réservation en cours… je vous réponds ici dans un instant.")
            )
            return None
        case BookingState.UNCERTAIN:
            await answer_callback(
                update,
                context,
                _("La clinique vérifie ce rendez-vous et vous confirme ici très vite."),
            )
            return None
        case BookingState.CANCELLED:
            await answer_callback(update, context, _("Ce rendez-vous a été annulé."))
            return None
    await answer_callback(
        update, context, _("Ce rendez-vous n'a pas pu être pris : choisissez un autre créneau.")
    )
    return await _carry_on(update, context)


async def stray_message(update: Update, context: Context) -> str:
    """A sticker, photo or voice note outside a conversation: point to what works."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(_(ONLY_TEXT_AND_BUTTONS))
    if svc.store.owner(user.id) is None:
        return await start(update, context)
    return await show_menu(update, context, fresh=True)


async def timed_out(update: Update, context: Context) -> None:
    """30 minutes without an answer: say goodbye kindly (the draft is dropped)."""
    _ = context.translator
    had_draft = context.session.draft is not None
    context.session.end_booking()
    if had_draft and update.effective_chat is not None:
        await update.effective_chat.send_message(
            _(
                "Je n'ai pas eu de réponse, alors j'ai mis cette réservation de côté. "
                "Écrivez-moi quand vous voulez, ou tapez /start. À bientôt !"
            )
        )


# -- every typed text: triage first, then the words that act as commands --------------------


async def _urgent_words_first(update: Update, context: Context) -> str | None:
    """Red flags in any typed text, at any step, ask the emergency question before the step
    reads the text (None: nothing urgent, or already asked about these very signs).

    Outside a booking (the menu, Mes rendez-vous, after a booking, describing a new pet) the
    text is read as a first message, so that after "non" the booking goes on from its words.
    Someone not identified yet gets the clinic's number at once."""
    svc = context.services
    text = _text(update)
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


def _triaged(step):  # type: ignore[no-untyped-def]
    """A step's text handler, behind the red-flag check."""

    @functools.wraps(step)
    async def triaged(update: Update, context: Context) -> str | None:
        asked = await _urgent_words_first(update, context)
        return asked if asked is not None else await step(update, context)

    return triaged


def _text_in(state_handler) -> MessageHandler:  # type: ignore[no-untyped-def]
    """Typed text at a step (not a command), triaged first."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND, _triaged(state_handler))


COMMAND_WORDS: Final = {
    "annuler": "abort",
    "annule": "abort",
    "annulez": "abort",
    "stop": "abort",
    "arreter": "abort",
    "arrete": "abort",
    "abandonner": "abort",
    "cancel": "abort",
    "quit": "abort",
    "retour": "back",
    "revenir": "back",
    "precedent": "back",
    "back": "back",
    "menu": "menu",
    "accueil": "menu",
    "start": "menu",
    "main menu": "menu",
    "home": "menu",
}
"""A message of just one of these words does what /annuler, ↩️ Retour or the menu do: most
owners never learn the slash commands (folded: no accents, lower case)."""
_COMMAND_WORD: Final = re.compile(r"^\s*(?P<word>[^\W\d_]+(?: [^\W\d_]+)?)\s*[.!]*\s*$")


class _CommandWord(filters.MessageFilter):
    """Text that is only one of `COMMAND_WORDS` ("Annuler", "retour !", "Menu")."""

    def filter(self, message) -> bool:  # type: ignore[no-untyped-def,override]
        return command_word(message.text or "") is not None


def command_word(text: str) -> str | None:
    """What a message of one command word asks for ("abort", "back", "menu"), else None."""
    match = _COMMAND_WORD.match(fold(text))
    return COMMAND_WORDS.get(match.group("word")) if match else None


async def command_typed(update: Update, context: Context) -> str | None:
    """ "annuler", "retour", "menu" typed: the same as the command or the button."""
    action = command_word(_text(update))
    user = update.effective_user
    if user is None or context.services.store.owner(user.id) is None:
        return await start(update, context)
    if action == "abort":
        return await abort(update, context)
    if action == "back":
        return await back(update, context)
    context.session.end_booking()
    return await show_menu(update, context)


def _linked_or(handler):  # type: ignore[no-untyped-def]
    """While the phone number is awaited: an owner already linked (a state restored a step
    behind after a crash, a link made meanwhile) goes on with ``handler``, never asked for the
    number again; anyone else is shown the share button."""

    @functools.wraps(handler)
    async def linked_or(update: Update, context: Context) -> str | None:
        user = update.effective_user
        if user is not None and context.services.store.owner(user.id) is not None:
            return await handler(update, context)  # type: ignore[no-any-return]
        return await contact_expected(update, context)

    return linked_or


_STEP_TAPS: Final = (
    (cb.pattern(cb.PET), pet_tapped, lambda draft: True),
    (cb.pattern(cb.TYPE), type_tapped, lambda draft: draft.patient_id is not None),
    (cb.pattern(cb.VET), vet_tapped, lambda draft: draft.appointment_type_id is not None),
    (
        r"^w:",
        when_tapped,
        lambda draft: (
            draft.appointment_type_id is not None and (draft.vet_id is not None or draft.any_vet)
        ),
    ),
    (
        cb.pattern(cb.SLOT),
        slot_tapped,
        lambda draft: draft.appointment_type_id is not None and draft.offer_day is not None,
    ),
    (cb.pattern(cb.CONFIRM), confirm_tapped, lambda draft: True),
    (rf"^{cb.URGENT_YES}$", urgent_yes, lambda draft: draft.triage_asked),
    (rf"^{cb.URGENT_NO}$", urgent_no, lambda draft: draft.triage_asked),
)
"""A booking step's buttons, by callback data, for taps that reach `stray_tap`, with what the
draft must already hold for that step's button to make sense."""


def build_conversation(timeout: timedelta = CONVERSATION_TIMEOUT) -> ConversationHandler:
    """The owner conversation, persistent across restarts."""
    tap = CallbackQueryHandler
    anywhere: list[BaseHandler] = [
        MessageHandler(filters.TEXT & ~filters.COMMAND & _CommandWord(), command_typed),
        CommandHandler(["annuler", "cancel"], abort),
        CommandHandler("start", start),
        CommandHandler(["rdv", "book"], book),
        CommandHandler(["langue", "language"], choose_language),
        tap(language_chosen, pattern=cb.pattern(cb.LANGUAGE)),
        tap(abort, pattern=cb.pattern(cb.ABORT)),
        tap(retry_tapped, pattern=cb.pattern(cb.RETRY)),
        tap(back, pattern=cb.pattern(cb.BACK)),
        tap(show_menu, pattern=rf"^{cb.MENU}$"),
        tap(book, pattern=rf"^{cb.MENU_BOOK}$"),
        tap(clinic_info, pattern=rf"^{cb.MENU_INFO}$"),
        tap(appointments.my_appointments, pattern=rf"^{cb.MENU_APPOINTMENTS}$"),
        tap(appointments.calendar_again, pattern=cb.pattern(cb.CALENDAR)),
        tap(appointments.move, pattern=cb.pattern(cb.MOVE)),
        tap(present, pattern=cb.pattern(cb.PRESENT)),
        CommandHandler(["oublier", "forget"], appointments.forget_ask),
        tap(appointments.forget_confirmed, pattern=cb.pattern(cb.FORGET)),
        tap(requests.cancel_ask, pattern=cb.pattern(cb.CANCEL_ASK)),
        tap(requests.cancel_confirmed, pattern=cb.pattern(cb.CANCEL_CONFIRM)),
        tap(requests.add_pet_ask, pattern=cb.pattern(cb.ADD_PET)),
    ]
    # Taps are tracked per user, not per message, on purpose: one panel per owner.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        name="owner",
        persistent=True,
        allow_reentry=False,
        conversation_timeout=timeout.total_seconds(),
        entry_points=[
            *anywhere,
            tap(requests.ask_registration, pattern=cb.pattern(cb.REGISTER)),
            MessageHandler(filters.CONTACT, contact_shared),
            _text_in(one_message),
            tap(stray_tap),
            MessageHandler(filters.COMMAND, unknown_command),
            MessageHandler(~filters.COMMAND, stray_message),
        ],
        states={
            st.SHARE_CONTACT: [
                MessageHandler(filters.CONTACT, contact_shared),
                CommandHandler("start", start),
                _text_in(_linked_or(one_message)),
                MessageHandler(filters.ALL, contact_expected),
                tap(_linked_or(stray_tap)),
            ],
            st.MENU: [*anywhere, _text_in(one_message)],
            st.PET: [
                *anywhere,
                tap(pet_tapped, pattern=cb.pattern(cb.PET)),
                _text_in(pet_typed),
            ],
            st.ADD_PET: [*anywhere, _text_in(requests.add_pet_described)],
            st.REASON: [
                *anywhere,
                tap(type_tapped, pattern=cb.pattern(cb.TYPE)),
                _text_in(reason_typed),
            ],
            st.VET: [*anywhere, tap(vet_tapped, pattern=cb.pattern(cb.VET)), _text_in(vet_typed)],
            st.WHEN: [*anywhere, tap(when_tapped, pattern=r"^w:"), _text_in(when_typed)],
            st.SLOT: [
                *anywhere,
                tap(slot_tapped, pattern=cb.pattern(cb.SLOT)),
                _text_in(slot_typed),
            ],
            st.SUMMARY: [
                *anywhere,
                tap(confirm_tapped, pattern=cb.pattern(cb.CONFIRM)),
                tap(back, pattern=cb.pattern(cb.CHANGE_SLOT)),
                _text_in(summary_typed),
            ],
            st.URGENT: [
                *anywhere,
                tap(urgent_yes, pattern=rf"^{cb.URGENT_YES}$"),
                tap(urgent_no, pattern=rf"^{cb.URGENT_NO}$"),
                MessageHandler(filters.TEXT & ~filters.COMMAND, urgent_typed),
            ],
            st.TIMEOUT: [MessageHandler(filters.ALL, timed_out), tap(timed_out)],
        },
        fallbacks=[
            *anywhere,
            MessageHandler(filters.COMMAND, unknown_command),
            MessageHandler(filters.ALL, reshow),
            tap(stray_tap),
        ],
    )
