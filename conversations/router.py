"""The owner router: the one place that assembles the owner conversation from its features.

Every feature module (the booking steps, urgency, navigation, start, appointments, requests,
reminders) only defines handlers; this module says which handler answers what, in which state,
as PTB's nested conversations and aiogram's routers do. So no handler module imports another to
register it, and the arrows run one way: router → features → `conversations.flow` → common.

The booking steps are one table (`booking_steps`): each state's buttons and typed-text handler.
The state table is built from it, and so is the routing of stray taps (`stray_tap_for`): the
patterns are written once. The diagram is conversations/booking.mmd.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.booking import (
    confirm_tap_ready,
    pet_tap_ready,
    slot_tap_ready,
    type_tap_ready,
    urgent_answer_ready,
    vet_tap_ready,
    when_tap_ready,
)
from conversations import appointments, owner_requests
from conversations import callbacks as cb
from conversations import states as st
from conversations.entry import book, one_message, triaged
from conversations.flow import abort, show_menu
from conversations.navigation import (
    CommandWord,
    Handler,
    StepButton,
    back,
    command_typed,
    reshow,
    stray_message,
    stray_tap_for,
    timed_out,
    unknown_command,
)
from conversations.reminder_messages import present
from conversations.start import (
    choose_language,
    clinic_info,
    contact_expected,
    contact_shared,
    language_chosen,
    linked_or,
    start,
)
from conversations.steps import pet, reason, slots, summary, timing, vet
from conversations.urgent import urgent_no, urgent_typed, urgent_yes
from conversations.week_view import week_slot_chosen

CONVERSATION_TIMEOUT: Final = timedelta(minutes=30)


@dataclass(frozen=True)
class BookingStep:
    """One state of the booking: its buttons (in the order PTB tries them) and what reads the
    text typed there."""

    state: str
    buttons: tuple[StepButton, ...]
    typed: BaseHandler


def _text_in(state_handler: Handler) -> MessageHandler:
    """Typed text at a step (not a command), triaged first."""
    return MessageHandler(filters.TEXT & ~filters.COMMAND, triaged(state_handler))


def booking_steps() -> tuple[BookingStep, ...]:
    """The booking's states, each with its buttons and typed text (see `BookingStep`).

    A button's ``ready`` says what the draft must already hold for a stray tap on it (an old
    keyboard, a screen a step ahead of a state restored after a crash) to be handled by its
    step (the rules are in ``bot.booking``, next to ``step_back``); without one, a stray tap on
    it shows the current step again."""
    return (
        BookingStep(
            st.PET,
            (StepButton(cb.pattern(cb.PET), pet.pet_tapped, pet_tap_ready),),
            _text_in(pet.pet_typed),
        ),
        BookingStep(
            st.REASON,
            (
                StepButton(
                    cb.pattern(cb.TYPE),
                    reason.type_tapped,
                    type_tap_ready,
                ),
            ),
            _text_in(reason.reason_typed),
        ),
        BookingStep(
            st.VET,
            (
                StepButton(
                    cb.pattern(cb.VET),
                    vet.vet_tapped,
                    vet_tap_ready,
                ),
            ),
            _text_in(vet.vet_typed),
        ),
        BookingStep(
            st.WHEN,
            (
                StepButton(
                    r"^w:",
                    timing.when_tapped,
                    when_tap_ready,
                ),
            ),
            _text_in(timing.when_typed),
        ),
        BookingStep(
            st.SLOT,
            (
                StepButton(
                    cb.pattern(cb.SLOT),
                    slots.slot_tapped,
                    slot_tap_ready,
                ),
            ),
            _text_in(slots.slot_typed),
        ),
        BookingStep(
            st.SUMMARY,
            (
                StepButton(cb.pattern(cb.CONFIRM), summary.confirm_tapped, confirm_tap_ready),
                StepButton(cb.pattern(cb.CHANGE_SLOT), back),
            ),
            _text_in(summary.summary_typed),
        ),
        BookingStep(
            st.URGENT,
            (
                StepButton(rf"^{cb.URGENT_YES}$", urgent_yes, urgent_answer_ready),
                StepButton(rf"^{cb.URGENT_NO}$", urgent_no, urgent_answer_ready),
            ),
            MessageHandler(filters.TEXT & ~filters.COMMAND, urgent_typed),  # "oui"/"non", as is
        ),
    )


def _anywhere() -> list[BaseHandler]:
    """What works at every step: the commands, the menu's buttons, the features after booking."""
    tap = CallbackQueryHandler
    return [
        MessageHandler(filters.StatusUpdate.WEB_APP_DATA, week_slot_chosen),
        MessageHandler(filters.TEXT & ~filters.COMMAND & CommandWord(), command_typed),
        CommandHandler(["annuler", "cancel"], abort),
        CommandHandler("start", start),
        CommandHandler(["rdv", "book"], book),
        CommandHandler(["langue", "language"], choose_language),
        tap(language_chosen, pattern=cb.pattern(cb.LANGUAGE)),
        tap(abort, pattern=cb.pattern(cb.ABORT)),
        tap(summary.retry_tapped, pattern=cb.pattern(cb.RETRY)),
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
        tap(owner_requests.cancel_ask, pattern=cb.pattern(cb.CANCEL_ASK)),
        tap(owner_requests.cancel_confirmed, pattern=cb.pattern(cb.CANCEL_CONFIRM)),
        tap(owner_requests.add_pet_ask, pattern=cb.pattern(cb.ADD_PET)),
    ]


def _step_states(
    steps: Sequence[BookingStep],
    anywhere: list[BaseHandler],
) -> dict[object, list[BaseHandler]]:
    """Each booking state's handlers: what works anywhere, its buttons, then its typed text."""
    return {
        step.state: [
            *anywhere,
            *(
                CallbackQueryHandler(button.handler, pattern=button.pattern)
                for button in step.buttons
            ),
            step.typed,
        ]
        for step in steps
    }


def build_conversation(timeout: timedelta = CONVERSATION_TIMEOUT) -> ConversationHandler:
    """The owner conversation, persistent across restarts."""
    tap = CallbackQueryHandler
    anywhere = _anywhere()
    steps = booking_steps()
    stray_tap = stray_tap_for([button for step in steps for button in step.buttons])
    # Taps are tracked per user, not per message, on purpose: one panel per owner.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    return ConversationHandler(
        name="owner",
        persistent=True,
        allow_reentry=False,
        conversation_timeout=timeout.total_seconds(),
        entry_points=[
            *anywhere,
            tap(owner_requests.ask_registration, pattern=cb.pattern(cb.REGISTER)),
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
                _text_in(linked_or(one_message)),
                MessageHandler(filters.ALL, contact_expected),
                tap(linked_or(stray_tap)),
            ],
            st.MENU: [*anywhere, _text_in(one_message)],
            st.ADD_PET: [*anywhere, _text_in(owner_requests.add_pet_described)],
            **_step_states(steps, anywhere),
            st.TIMEOUT: [MessageHandler(filters.ALL, timed_out), tap(timed_out)],
        },
        fallbacks=[
            *anywhere,
            MessageHandler(filters.COMMAND, unknown_command),
            MessageHandler(filters.ALL, reshow),
            tap(stray_tap),
        ],
    )
