"""What every handler needs: a typed context (the services, the owner's session and language),
and showing a step.

A step is shown on one message, the panel: after a tap it is edited in place; after typed text
a new panel is sent and the old one loses its buttons, so an old keyboard cannot be tapped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from telegram import InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext, ContextTypes, ExtBot

from bot.i18n import Translator, pick_language
from bot.runtime.metrics import CURRENT_UPDATE, Metrics, UpdateTally
from bot.services import Services
from conversations.runtime import BotData
from conversations.session import Session

if TYPE_CHECKING:
    from bot.reminders import Reminders
    from bot.staff_desk import StaffDesk
    from bot.status_watch import StatusWatcher

logger = logging.getLogger("vetbot.updates")


class VetbotContext(CallbackContext[ExtBot[None], Session, dict[Any, Any], BotData]):
    """PTB's context for one update, typed: the services, the owner's session and language,
    and what a handler must know about the update so far.

    Telegram takes one answer per tap (answerCallbackQuery; a second one is refused with
    "query is too old ... or query ID is invalid"): the first answer given wins, and `show`
    does not answer again after a toast.

    PTB builds one context per update and hands it to every handler group, so what is
    computed here (the translator) is computed once per update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.tap_answered = False
        self._user: User | None = None
        self._translator: Translator | None = None
        self._no_user_session: Session | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> VetbotContext:
        """PTB's context, remembering the update's user (their Telegram language)."""
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context._user = update.effective_user
        return context

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def staff(self) -> StaffDesk | None:
        """The staff desk; None when the clinic has no staff chat."""
        return self.bot_data.staff_desk

    @property
    def reminders(self) -> Reminders | None:
        """None until the bot runs (see `BotData`)."""
        return self.bot_data.reminders

    @property
    def watcher(self) -> StatusWatcher | None:
        """None until the bot runs (see `BotData`)."""
        return self.bot_data.watcher

    @property
    def session(self) -> Session:
        """The owner's session. An update without a user (a channel post) gets one that lasts
        for this update only, as PTB gives it no ``user_data``."""
        session = self.user_data
        if session is not None:
            return session
        if self._no_user_session is None:
            self._no_user_session = Session()
        return self._no_user_session

    @property
    def translator(self) -> Translator:
        """The owner's language: their /langue choice, else Telegram's, else the clinic's."""
        if self._translator is None:
            svc = self.services
            user = self._user
            chosen = self.session.language
            if chosen is None and user is not None:
                chosen = svc.store.language(user.id)
            telegram_language = user.language_code if user is not None else None
            self._translator = svc.catalogs[
                pick_language(chosen, telegram_language, svc.clinic.locale)
            ]
        return self._translator

    def choose_language(self, language: str) -> Translator:
        """/langue: the owner's choice, kept in the session; the rest of the update speaks it."""
        self.session.language = language
        self._translator = None
        return self.translator


Context = VetbotContext
CONTEXT_TYPES: Final = ContextTypes(context=VetbotContext, bot_data=BotData, user_data=Session)


def esc(text: object) -> str:
    """Owner- or API-provided text inside our HTML messages."""
    return html.escape(str(text), quote=False)


async def show(
    update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Show a step on the panel (see the module docstring), once the draft behind it is
    stored (see `commit_before_reply`)."""
    await commit_before_reply(update, context)
    query = update.callback_query
    session = context.session
    if query is not None:
        await answer_callback(update, context)
    if query is not None and query.message is not None and not _take_new_panel(session):
        shown = _content_digest(text, keyboard)
        same = session.panel_message_id == query.message.message_id
        if not (same and session.panel_content == shown):  # Telegram refuses a no-op
            try:
                await query.edit_message_text(
                    text, parse_mode=ParseMode.HTML, reply_markup=keyboard
                )
            except BadRequest as error:
                if "not modified" not in error.message:
                    raise
        _remember_panel(session, query.message.message_id, keyboard)
        session.panel_content = shown
        return
    chat = update.effective_chat
    if chat is None:
        return
    old_panel = session.panel_message_id
    message = await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    _remember_panel(session, message.message_id, keyboard)
    session.panel_content = _content_digest(text, keyboard)
    if old_panel is not None and old_panel != message.message_id:
        await _quietly(context.bot.edit_message_reply_markup(chat.id, old_panel, reply_markup=None))


def _take_new_panel(session: Session) -> bool:
    """Whether a step asked for the next one on a new message; asked once, so cleared."""
    new_panel, session.new_panel = session.new_panel, False
    return new_panel


def _content_digest(text: str, keyboard: InlineKeyboardMarkup | None) -> str:
    """What the panel shows, in 16 bytes: an edit to the very same content is a call Telegram
    refuses ("message is not modified"), so it is not made."""
    markup = json.dumps(keyboard.to_dict() if keyboard else None, sort_keys=True)
    return hashlib.blake2b(f"{text}\x00{markup}".encode(), digest_size=16).hexdigest()


def _remember_panel(
    session: Session, message_id: int, keyboard: InlineKeyboardMarkup | None
) -> None:
    """The panel whose buttons a later step strips: only a message that has some (stripping a
    message without buttons is refused by Telegram: "message is not modified")."""
    if keyboard is not None and keyboard.inline_keyboard:
        session.panel_message_id = message_id
    else:
        session.panel_message_id = None


async def commit_before_reply(update: Update, context: Context) -> None:
    """Store the owner's draft before they see the step it leads to.

    PTB writes conversation data every second; a kill in between used to restore a draft a
    step behind the screen. With the draft stored first, a tap on what the owner sees always
    finds the choices it builds on (`stray_tap` routes it to its step if the restored state is
    the previous one)."""
    persistence = context.application.persistence
    user = update.effective_user
    if persistence is not None and user is not None and context.user_data is not None:
        await persistence.update_user_data(user.id, context.user_data)


async def answer_callback(
    update: Update, context: Context, text: str | None = None, alert: bool = False
) -> None:
    """Answer a tap (Telegram shows a spinner until then), once: a later call for the same
    tap does nothing (see `VetbotContext`); never fails the handler."""
    if update.callback_query is None or context.tap_answered:
        return
    context.tap_answered = True
    await _quietly(update.callback_query.answer(text, show_alert=alert))


async def _quietly(call: Awaitable[Any]) -> None:
    """A cosmetic call (strip old buttons, answer a tap) must not break the step."""
    with contextlib.suppress(TelegramError):
        await call


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats are handled concurrently; one chat's updates strictly in order.

    A conversation's state must see its updates one at a time (a double tap is two updates),
    while one owner waiting on the Treats API must not hold up everyone else.
    """

    def __init__(
        self, max_concurrent_updates: int = 256, *, metrics: Metrics | None = None
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, _ChatLock] = {}
        self._metrics = metrics
        self._failed: set[int] = set()
        self.on_done: Callable[[int], Awaitable[None]] | None = None
        """Told each update's id once its handling finished (a group's webhook inbox)."""

    def mark_failed(self, update: object) -> None:
        """Called by the error handler: this update's outcome is "error"."""
        if isinstance(update, Update):
            self._failed.add(update.update_id)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        entry = self._locks.setdefault(key, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock:
                tally = UpdateTally()
                CURRENT_UPDATE.set(tally)  # this update's own task: its context only
                started = time.perf_counter()
                await coroutine
                elapsed = time.perf_counter() - started
                self._account(update, elapsed, tally)
                if self.on_done is not None and isinstance(update, Update):
                    await self.on_done(update.update_id)
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    def _account(self, update: object, elapsed: float, tally: UpdateTally) -> None:
        """One log line per update (kind, outcome, duration, the Treats calls waited on) and
        the metrics."""
        update_id = update.update_id if isinstance(update, Update) else -1
        failed = update_id in self._failed
        self._failed.discard(update_id)
        if self._metrics is not None:
            self._metrics.updates.inc()
            self._metrics.handler_seconds.observe(elapsed)
        kind = _kind(update)
        logger.info(
            "update=%d kind=%s outcome=%s duration_ms=%.1f treats_calls=%d treats_ms=%.1f",
            update_id,
            kind,
            "error" if failed else "ok",
            elapsed * 1000,
            tally.treats_calls,
            tally.treats_seconds * 1000,
        )

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class _ChatLock:
    """A chat's lock and how many updates hold or await it (dropped at zero)."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


def _kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        return "tap"
    message = update.effective_message
    if message is None:
        return "other"
    if message.contact is not None:
        return "contact"
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    return "media"


def _chat_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0
