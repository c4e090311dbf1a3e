"""Navigation and the unexpected: "Retour", command words, stray taps and messages, time-out.

None of these is a step of its own: each says a word when needed and goes back to the current
step or the menu (`carry_on`), never a dead end. Which step a stray tap belongs to comes from
the router's own step table (`stray_tap_for`), not a second copy of the patterns.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    filters,
)

from bot.booking import BookingStep, Draft, step_back
from bot.i18n import N_
from bot.text import fold
from conversations import callbacks as cb
from conversations import keyboards as kb
from conversations import states as st
from conversations.common import (
    Context,
    answer_callback,
)
from conversations.flow import (
    abort,
    advance,
    ask_pet,
    ask_reason,
    ask_vet,
    ask_when,
    at,
    carry_on,
    show_menu,
    show_slots,
    typed_text,
)
from conversations.start import start
from conversations.steps.summary import confirmed_before

Handler = Callable[[Update, Context], Awaitable[Any]]
"""A conversation callback, as PTB calls it."""

ONLY_TEXT_AND_BUTTONS: Final = N_("Je ne sais lire que du texte et les boutons 🙂")


async def back(update: Update, context: Context) -> str:
    """ "Retour": undo the last choice and show that step again."""
    draft = context.session.draft
    if draft is None:
        return await show_menu(update, context)
    kind = draft.appointment_type_id
    several_vets = kind is not None and len(context.services.booking.vets_for(kind)) > 1
    match step_back(
        draft,
        context.session.step,
        several_vets=several_vets,
        several_pets=len(context.session.offered_pets) > 1,
    ):
        case BookingStep.SLOT:
            return await show_slots(update, context, draft)
        case BookingStep.WHEN:
            return await ask_when(update, context)
        case BookingStep.VET:
            return await ask_vet(update, context, draft)
        case BookingStep.REASON:
            return await ask_reason(update, context, draft)
        case BookingStep.PET:
            return await ask_pet(update, context, draft)
    context.session.end_booking()
    return await show_menu(update, context)


async def reshow(update: Update, context: Context) -> str | None:
    """A sticker, a photo, a voice note: say so kindly, show the step again."""
    _ = context.translator
    if update.effective_chat is not None:
        await update.effective_chat.send_message(_(ONLY_TEXT_AND_BUTTONS))
    return await carry_on(update, context)


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
    return await carry_on(update, context)


@dataclass(frozen=True)
class StepButton:
    """One booking step's button as the router registers it: the callback pattern, its handler,
    and what the draft must already hold for a tap that reaches `stray_tap_for` to be handed to
    that handler (None: such a stray tap is never handed on)."""

    pattern: str
    handler: Handler
    ready: Callable[[Draft], bool] | None = None


def stray_tap_for(buttons: Sequence[StepButton]) -> Handler:
    """The handler for a tap the current step does not expect, routed by ``buttons`` (the very
    table the router registers the steps from, so the two never disagree)."""

    async def stray_tap(update: Update, context: Context) -> str | None:
        """A tap on a button the current step does not expect: a second tap on "Confirmer", an
        old keyboard, or the screen a step ahead of the state restored after a crash.

        Never a dead end: a repeated confirmation says what is true of it now; a step's button
        is handled by its step (the draft decides whether it still fits, as for any tap);
        anything else shows the current step again, or the menu."""
        svc = context.services
        user, query = update.effective_user, update.callback_query
        assert user is not None and query is not None
        _ = context.translator
        data = query.data or ""
        booking_id = cb.value(data, cb.CONFIRM)
        record = svc.store.booking(booking_id) if booking_id else None
        if record is not None and record.user_id == user.id:
            return await confirmed_before(update, context, record)
        if svc.store.owner(user.id) is None:
            await answer_callback(update, context, _("Ce bouton n'est plus valable."))
            return await start(update, context)
        draft = context.session.draft
        if draft is not None:
            step = next(
                (
                    button.handler
                    for button in buttons
                    if button.ready is not None
                    and re.match(button.pattern, data)
                    and button.ready(draft)
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
        return at(context, st.MENU)

    return stray_tap


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


class CommandWord(filters.MessageFilter):
    """Text that is only one of `COMMAND_WORDS` ("Annuler", "retour !", "Menu")."""

    def filter(self, message) -> bool:  # type: ignore[no-untyped-def,override]
        return command_word(message.text or "") is not None


def command_word(text: str) -> str | None:
    """What a message of one command word asks for ("abort", "back", "menu"), else None."""
    match = _COMMAND_WORD.match(fold(text))
    return COMMAND_WORDS.get(match.group("word")) if match else None


async def command_typed(update: Update, context: Context) -> str | None:
    """ "annuler", "retour", "menu" typed: the same as the command or the button."""
    action = command_word(typed_text(update))
    user = update.effective_user
    if user is None or context.services.store.owner(user.id) is None:
        return await start(update, context)
    if action == "abort":
        return await abort(update, context)
    if action == "back":
        return await back(update, context)
    context.session.end_booking()
    return await show_menu(update, context)
