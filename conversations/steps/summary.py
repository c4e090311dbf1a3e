"""The summary step: confirm (tap, "oui", or Réessayer after an outage) and say the outcome.

The confirmation is exactly-once (`BookingService.confirm`, keyed by the summary's booking id);
a repeated tap says what is true of that booking now (`confirmed_before`). What follows a
booking beyond the owner's message is `bot.followups.BookingFollowUps`, built once by the
composition root (its owner side: conversations/after_booking.py)."""

from __future__ import annotations

from telegram import Update

from bot.booking import ConfirmResult, Draft, Outcome
from bot.matching import means_no, means_yes
from bot.store import BookingDraft, BookingRecord, BookingState
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.after_booking import owner_chat
from conversations.common import (
    Context,
    answer_callback,
    esc,
    show,
)
from conversations.flow import (
    abort,
    advance,
    at,
    carry_on,
    show_menu,
    show_slots,
    show_summary,
    summary_lines,
    typed_text,
    unavailable,
)


async def confirm_tapped(update: Update, context: Context) -> str:
    query = update.callback_query
    assert query is not None
    return await _confirm(update, context, cb.value(query.data or "", cb.CONFIRM))


async def summary_typed(update: Update, context: Context) -> str:
    draft = context.session.draft
    text = typed_text(update)
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
            return await confirmed_before(update, context, record)  # type: ignore[return-value]
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
    lines = summary_lines(_, draft, vet.name if vet else "")
    after = context.bot_data.followups
    after.count(result)
    match result.outcome:
        case Outcome.BOOKED:
            status = _.status(result.record.api_status, result.record.display_status)
            head = _("✅ <b>C'est confirmé !</b> Statut : {status}", status=esc(status))
            await show(update, context, "\n".join([head, *lines]))
            replaced = draft.replaces_booking_id
            await after.booked(
                result,
                owner_chat(context, update.effective_chat),
                replaces=svc.store.booking(replaced) if replaced else None,
            )
            context.session.end_booking()
            return await menu_below(update, context)
        case Outcome.UNCERTAIN:
            head = _(
                "⏳ <b>Votre demande est bien partie</b>, mais le logiciel de la clinique n'a "
                "pas répondu à temps. La clinique vérifie et vous confirme très vite ici. "
                "Inutile de réserver une seconde fois."
            )
            await show(update, context, "\n".join([head, *lines]))
            after.told(result)
            context.session.end_booking()
            return await menu_below(update, context)
        case Outcome.IN_PROGRESS:
            return st.SUMMARY
        case Outcome.SLOT_TAKEN:
            after.told(result)
            draft.slot = None
            return await show_slots(
                update, context, draft, note=_("Ce créneau vient d'être pris, désolé.") + "\n"
            )
        case Outcome.UNAVAILABLE:
            after.told(result)
            return await unavailable(update, context, st.SUMMARY, booking=True)
    after.told(result)
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


async def menu_below(update: Update, context: Context) -> str:
    """A fresh menu under an outcome that must stay readable in the chat."""
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            _("Que souhaitez-vous faire ?"), reply_markup=kb.menu(_)
        )
    return at(context, st.MENU)


async def confirmed_before(update: Update, context: Context, record: BookingRecord) -> str | None:
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
    return await carry_on(update, context)
