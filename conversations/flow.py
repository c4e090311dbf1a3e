"""The booking's spine: `advance`, each step's question, and the ways out (menu, abort).

Every feature that moves a booking on calls down into this module, never sideways into another
feature: the answers at each step (conversations/steps/), the first message
(conversations/entry.py), urgency, navigation, and "Déplacer" (conversations/appointments.py)
all end in `advance`, an `ask_*`/`show_*` question, `show_menu` or `abort`. It imports no
feature module, so the arrows run one way (see conversations/router.py).

`advance` asks for the first thing still missing, so a first message that already says
"Mimi, vaccin, mardi 10h" skips straight to the slots. The diagram is conversations/booking.mmd.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.booking import Draft, PageFit, SlotPage, already_coming
from bot.i18n import Translator
from bot.store import BookingRecord, BookingState
from bot.treats import TreatsError
from bot.when import (
    Assumption,
    TimeRequest,
    WhenProblem,
    WhenReading,
    format_request,
)
from bot.when_questions import WhenQuestion, question_for, understood
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import (
    Context,
    esc,
    show,
)
from conversations.staff_side import (
    paused_text,
)

MAX_TEXT: Final = 600
"""Longer messages are read up to here (Telegram allows 4096; a booking needs far less)."""


def typed_text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "")[:MAX_TEXT] if message is not None else ""


def at(context: Context, state: str, *, outage: bool = False) -> str:
    """Record the state we are entering, so a fallback can show this step again; a step shown
    without an outage ends the count of tries into one (see `unavailable`)."""
    context.session.step = state
    if not outage:
        context.session.outage_tries = 0
    return state


async def unavailable(
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
    return at(context, state, outage=True)


async def paused(update: Update, context: Context, *, below: bool = False) -> bool:
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


def summary_lines(_: Translator, draft: Draft, vet_name: str) -> list[str]:
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


def pending_note(draft: Draft) -> str:
    """The note for the next question, said once."""
    note, draft.step_note = draft.step_note, None
    return note + "\n" if note else ""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def hinted_first(draft: Draft, items: Sequence[_Item]) -> list[_Item]:
    """The items the first message may mean, first; the others after (never a dead end)."""
    return sorted(items, key=lambda item: item.id not in draft.hinted)


async def show_menu(
    update: Update, context: Context, *, fresh: bool = False, note: str = ""
) -> str:
    """The main menu; typing a request here books in one message. ``note``: a line above."""
    _ = context.translator
    text = _(
        "Que souhaitez-vous faire ?\n\nVous pouvez aussi m'écrire directement, par exemple : "
        "« un vaccin pour mon chat mardi prochain vers 10h »."
    )
    if note:
        text = f"{note}\n\n{text}"
    if fresh and update.callback_query is None and update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=kb.menu(_))
    else:
        await show(update, context, text, kb.menu(_))
    return st.MENU


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


async def carry_on(update: Update, context: Context) -> str:
    """After a word about the unexpected: the booking step again, or the menu."""
    state = context.session.step
    if state in st.BOOKING_STEPS and context.session.draft is not None:
        return await advance(update, context)
    return await show_menu(update, context)


async def ask_pet(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    try:
        pets = await svc.booking.pets(draft.client_id)
    except TreatsError:
        return await unavailable(update, context, st.PET)
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
        return at(context, st.MENU)
    context.session.offered_pets = {pet.id: (pet.name, pet.species) for pet in pets}
    if len(pets) == 1 and not draft.pet_unsure:
        pet = pets[0]
        draft.patient_id, draft.pet_name, draft.pet_species = pet.id, pet.name, pet.species
        return await advance(update, context)
    note = pending_note(draft)
    await show(
        update, context, note + _("Pour quel animal ?"), kb.pets(_, hinted_first(draft, pets))
    )
    return at(context, st.PET)


async def ask_reason(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    try:
        types = await svc.booking.appointment_types()
    except TreatsError:
        return await unavailable(update, context, st.REASON)
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
    shown = kb.types(_, hinted_first(draft, types), other_pet=only_pet)
    await show(update, context, pending_note(draft) + text, shown)
    return at(context, st.REASON)


async def ask_vet(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    assert draft.appointment_type_id is not None
    vets = svc.booking.vets_for(draft.appointment_type_id)
    if len(vets) == 1:
        draft.vet_id = vets[0].id
        return await advance(update, context)
    await show(
        update, context, pending_note(draft) + _("Avec quel vétérinaire ?"), kb.vets(_, vets)
    )
    return at(context, st.VET)


async def ask_when(update: Update, context: Context, note: str = "") -> str:
    _ = context.translator
    draft = context.session.draft
    if draft is not None and draft.when_question is not None:
        return await ask_which_when(update, context, draft.when_question, note)
    text = note + _(
        "Quand souhaitez-vous venir ? Écrivez par exemple « mardi à 10h », « demain matin » "
        "ou « jeudi après 17h », ou choisissez :"
    )
    await show(update, context, text, kb.when(_, context.services.mini_app_url))
    return at(context, st.WHEN)


async def ask_which_when(
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
    return at(context, st.WHEN)


async def take_reading(
    update: Update, context: Context, draft: Draft, reading: WhenReading
) -> str | None:
    """A time reading at the time or slot step: asked about when unsure (the state returned),
    else taken (None: the caller goes on)."""
    question = question_for(reading)
    if question is not None:
        draft.when, draft.slot, draft.when_question = None, None, question
        return await ask_which_when(update, context, question)
    draft.when, draft.slot, draft.when_question = reading.request, None, None
    return None


async def impossible_time(update: Update, context: Context, reading: WhenReading) -> str:
    """A date or an hour that does not exist ("31 février", "25h"): say which, ask again."""
    _ = context.translator
    words = esc(reading.problem_words)
    if reading.problem is WhenProblem.NO_SUCH_DATE:
        note = _("« {words} » : cette date n'existe pas.", words=words)
    else:
        note = _("« {words} » : cette heure n'existe pas (de 0h à 23h59).", words=words)
    return await ask_when(update, context, note + " ")


def vet_ids(context: Context, draft: Draft) -> list[str]:
    return context.services.booking.vet_ids_of(draft)


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
                vet_ids(context, draft),
                draft.when,
                urgent=draft.is_urgent,
            )
        except TreatsError:
            return await unavailable(update, context, st.SLOT)
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
        return at(context, st.MENU)
    generation = draft.new_offer(page)
    text = _slots_heading(_, page, draft.when)
    if understood(draft.when):  # a safe guess ("à 3h": 15:00) is shown, in words
        assert draft.when is not None
        seen = _("J'ai compris : {when}.", when=esc(format_request(draft.when, _.language)))
        text = seen + "\n" + text
    today = svc.local_now().date()
    vet_names = {vet.id: vet.name for vet in svc.clinic.vets} if draft.any_vet else None
    keyboard = kb.slots(
        _,
        page.slots,
        generation,
        vet_names,
        earlier=page.day > today,
        page_url=svc.mini_app_url,
    )
    await show(update, context, note + text, keyboard)
    return at(context, st.SLOT)


_SENT: Final = frozenset(
    {BookingState.SENDING, BookingState.BOOKED, BookingState.UNCERTAIN, BookingState.CANCELLED}
)
"""A booking in these states was sent to Treats: its draft is spent (only a failed one may be
claimed again, see `bot.store.bookings.claim_booking`)."""


def _sent_note(_: Translator, record: BookingRecord) -> str:
    when, pet = _.when(record.scheduled_at), esc(record.pet_name)
    if record.state is BookingState.BOOKED:
        return _("✅ Ce rendez-vous est déjà réservé : le {when} pour {pet}.", when=when, pet=pet)
    if record.state is BookingState.CANCELLED:
        return _("Le rendez-vous du {when} pour {pet} a été annulé.", when=when, pet=pet)
    return _(
        "⏳ Votre demande de rendez-vous du {when} pour {pet} est partie : la clinique vérifie "
        "et vous confirme ici très vite.",
        when=when,
        pet=pet,
    )


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


async def show_summary(update: Update, context: Context, draft: Draft) -> str:
    svc = context.services
    _ = context.translator
    assert draft.slot is not None
    sent = svc.store.booking(draft.booking_id) if draft.booking_id is not None else None
    if sent is not None and sent.state in _SENT:
        # This draft's confirmation was already sent: the process died during it, and the
        # restart settled it (the owner is told apart) while the conversation came back at
        # its summary. A new summary would mint a new booking id, and "Confirmer" a second
        # appointment: the booking ends here instead, saying what became of it.
        context.session.end_booking()
        return await show_menu(update, context, note=_sent_note(_, sent))
    vet = svc.clinic.vet(draft.slot.vet_id)
    booking_id = draft.summary_booking_id()
    lines = [_("<b>Récapitulatif</b>"), *summary_lines(_, draft, vet.name if vet else "")]
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
    return at(context, st.SUMMARY)
