"""After booking: "Mes rendez-vous" with fresh statuses, the calendar file again, move, forget.

The Treats API cannot list appointments, so the list is the bot's own (the store), each one
re-read from the API for its current status. Cancelling and moving go through the staff
(conversations/owner_requests.py): the API cannot do either.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.booking import Draft
from bot.i18n import Translator
from bot.ics import CalendarEvent, build_ics, ics_filename
from bot.services import Services
from bot.staff_requests import RequestKind, RequestRecord
from bot.status_watch import refreshed_booking
from bot.store import BookingRecord, BookingState
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import Context, answer_callback, esc, show
from conversations.flow import ask_when
from conversations.owner_requests import changeable, own_booking

DEFAULT_MINUTES: Final = 30
"""The API's duration without an appointment type."""


async def my_appointments(update: Update, context: Context) -> str:
    """Upcoming appointments booked here, each with its current status at the clinic."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    _ = context.translator
    stored = svc.store.upcoming_bookings(user.id, svc.clock())
    upcoming = [await _refreshed(context, record) for record in stored]
    upcoming = [r for r in upcoming if r.state != BookingState.CANCELLED]
    pending = {r.booking_id: svc.store.pending_request(r.booking_id) for r in upcoming}
    if not upcoming:
        text = _("Aucun rendez-vous à venir pris ici.")
    else:
        lines = [_("<b>Vos prochains rendez-vous</b>")]
        lines += [_line(_, record, pending[record.booking_id]) for record in upcoming]
        text = "\n".join(lines)
    rows = [row for record in upcoming for row in _buttons(_, record, pending[record.booking_id])]
    keyboard = InlineKeyboardMarkup([*rows, *kb.back_to_menu(_).inline_keyboard])
    await show(update, context, text, keyboard)
    return st.MENU


async def _refreshed(context: Context, record: BookingRecord) -> BookingRecord:
    """The record with the clinic's current status (kept as is when the API cannot answer)."""
    svc = context.services
    return await refreshed_booking(svc.treats, svc.store, record)


def _line(_: Translator, record: BookingRecord, pending: RequestRecord | None) -> str:
    """One appointment; while the clinic has a request about it, that request is its status."""
    line = _(
        "• {when} : {pet}, {type}, {vet}",
        when=_.when(record.scheduled_at),
        pet=esc(record.pet_name),
        type=esc(record.type_name),
        vet=esc(record.vet_name),
    )
    if record.state == BookingState.UNCERTAIN:
        return line + _(" (la clinique doit le confirmer)")
    if pending is not None:
        asked = (
            _("annulation demandée")
            if RequestKind(pending.kind) is RequestKind.CANCEL
            else _("demande en cours")
        )
        return line + f" — {esc(asked)}"
    if record.display_status or record.api_status:
        return line + f" — {esc(_.status(record.api_status, record.display_status))}"
    return line


def _buttons(
    _: Translator, record: BookingRecord, pending: RequestRecord | None
) -> list[list[InlineKeyboardButton]]:
    """Agenda, Déplacer, Annuler; only Agenda while the clinic has a request about it."""
    if record.state != BookingState.BOOKED:
        return []
    when = _.short(record.scheduled_at)
    calendar = [
        InlineKeyboardButton(
            _("📅 Agenda · {when}", when=when),
            callback_data=cb.pack(cb.CALENDAR, record.booking_id),
        )
    ]
    if pending is not None:
        return [calendar]
    return [
        calendar,
        [
            InlineKeyboardButton(
                _("🔁 Déplacer · {when}", when=when),
                callback_data=cb.pack(cb.MOVE, record.booking_id),
            ),
            InlineKeyboardButton(
                _("❌ Annuler · {when}", when=when),
                callback_data=cb.pack(cb.CANCEL_ASK, record.booking_id),
            ),
        ],
    ]


async def calendar_again(update: Update, context: Context) -> str | None:
    """The .ics file of an appointment, sent again."""
    svc = context.services
    _ = context.translator
    record = own_booking(update, context, cb.CALENDAR)
    if record is None or update.effective_chat is None:
        await answer_callback(update, context, _("Ce rendez-vous n'est plus modifiable ici."))
        return None
    await answer_callback(update, context)
    name = ics_filename(record.scheduled_at, record.pet_name)
    await update.effective_chat.send_document(
        InputFile(calendar_file(svc, _, record), filename=name),
        caption=_("Ajoutez-le à votre agenda 📅"),
    )
    return None


def calendar_file(
    svc: Services, _: Translator, record: BookingRecord, *, sequence: int = 0
) -> bytes:
    """The appointment as an iCalendar file (RFC 5545)."""
    minutes = record.duration_minutes or DEFAULT_MINUTES
    event = CalendarEvent(
        appointment_id=record.appointment_id or record.booking_id,
        start=record.scheduled_at,
        end=record.scheduled_at + timedelta(minutes=minutes),
        summary=_("{type} pour {pet}", type=record.type_name, pet=record.pet_name),
        description=_(
            "Avec {vet}. Motif : {reason}",
            vet=record.vet_name,
            reason=record.reason or record.type_name,
        ),
        location=", ".join(filter(None, [svc.clinic.name, svc.clinic.address])),
        organizer_name=svc.clinic.name,
    )
    return build_ics(event, now=svc.clock(), sequence=sequence)


async def move(update: Update, context: Context) -> str | None:
    """ "Déplacer": book a new slot for the same pet and reason; the old one is cancelled by
    the clinic (a request), and the owner sees both steps."""
    svc = context.services
    _ = context.translator
    record = await changeable(update, context, cb.MOVE)
    if record is None:
        return None  # refused: the owner stays where they were
    context.session.draft = Draft(
        client_id=record.client_id,
        started_at=svc.clock(),
        patient_id=record.patient_id,
        pet_name=record.pet_name,
        appointment_type_id=record.appointment_type_id,
        type_name=record.type_name,
        reason=record.reason,
        vet_id=record.vet_id,
        replaces_booking_id=record.booking_id,
    )
    note = _("Déplacement du rendez-vous du {when}.", when=_.when(record.scheduled_at)) + "\n"
    return await ask_when(update, context, note)


async def forget_ask(update: Update, context: Context) -> str:
    """/oublier: say what will be erased, and ask."""
    _ = context.translator
    text = _(
        "Je peux oublier votre numéro, le lien avec votre dossier et les rendez-vous enregistrés "
        "ici. Votre dossier à la clinique et vos rendez-vous ne changent pas. On efface ?"
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑 Oui, tout effacer"), callback_data=cb.FORGET)],
            [InlineKeyboardButton(_("↩️ Non"), callback_data=cb.MENU)],
        ]
    )
    await show(update, context, text, keyboard)
    return st.MENU


async def forget_confirmed(update: Update, context: Context) -> str:
    """Erase what the bot stored about this person; the conversation ends."""
    svc = context.services
    user = update.effective_user
    assert user is not None
    _ = context.translator
    svc.store.forget_owner(user.id)
    with contextlib.suppress(KeyError):
        context.application.drop_user_data(user.id)
    await show(
        update,
        context,
        _("C'est fait : j'ai tout oublié. Tapez /start si vous voulez revenir un jour."),
    )
    return st.END
