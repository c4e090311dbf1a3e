"""A real PTB Application on StorePersistence: a conversation resumes after a restart.

No network: the Application is built with ``OfflineRequest`` as its transport (the public
``ApplicationBuilder.request``/``get_updates_request`` hooks) and without an Updater.
``Application.initialize()`` then runs unchanged, persistence loading included; its one Bot API
call, getMe, is answered locally, and any other call fails the test. Updates are fed through
``Application.process_update`` and the handlers never call the Bot API.
"""

from __future__ import annotations

import datetime as dtm
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bot.runtime.persistence import StorePersistence
from tests.support.stores import persistence_on

STEP1, STEP2 = "STEP1", "STEP2"
OWNER = User(id=42, first_name="Camille", is_bot=False)
CHAT = Chat(id=42, type=Chat.PRIVATE)
BOT_USER = {"id": 999, "is_bot": True, "first_name": "vetbot", "username": "vetbot_test_bot"}
Handled = list[tuple[str, str]]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class OfflineRequest(BaseRequest):
    """A Bot API transport that answers getMe itself and refuses everything else."""

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        if url.endswith("/getMe"):
            return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()
        raise AssertionError(f"the test made a Bot API call: {url}")


def _booking_conversation(handled: Handled) -> ConversationHandler[Any]:
    """rdv -> asks the pet (STEP1) -> asks the reason (STEP2) -> done; records what it handled."""

    def step(
        name: str, next_state: object
    ) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]:
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
            assert update.message is not None and update.message.text is not None
            assert context.user_data is not None
            if name == "pet":
                context.user_data["pet"] = update.message.text
            handled.append((name, context.user_data.get("pet", "")))
            return next_state

        return callback

    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[MessageHandler(filters.Regex("^rdv$"), step("start", STEP1))],
        states={
            STEP1: [MessageHandler(text, step("pet", STEP2))],
            STEP2: [MessageHandler(text, step("reason", ConversationHandler.END))],
        },
        fallbacks=[],
        name="booking",
        persistent=True,
    )


def _build_app(persistence: StorePersistence, handled: Handled) -> AnyApplication:
    app = (
        ApplicationBuilder()
        .token("123:abc")
        .request(OfflineRequest())
        .get_updates_request(OfflineRequest())
        .updater(None)
        .persistence(persistence)
        .build()
    )
    app.add_handler(_booking_conversation(handled))
    return app


@asynccontextmanager
async def running_bot(db_file: Path, handled: Handled) -> AsyncIterator[AnyApplication]:
    """One bot process: its own persistence on the file, initialised, shut down on exit."""
    persistence: StorePersistence = persistence_on(db_file, update_interval=1.0)
    app = _build_app(persistence, handled)
    await app.initialize()  # loads user_data and conversation states from the file
    try:
        yield app
    finally:
        await app.shutdown()  # update_persistence() + flush()
        persistence.close()


def _message(update_id: int, text: str) -> Update:
    sent = dtm.datetime(2026, 11, 23, 8, 0, update_id, tzinfo=dtm.UTC)
    return Update(
        update_id,
        message=Message(update_id, sent, CHAT, from_user=OWNER, text=text),
    )


async def test_a_conversation_resumes_at_its_step_after_a_restart(db_file: Path) -> None:
    handled: Handled = []
    async with running_bot(db_file, handled) as app:
        await app.process_update(_message(1, "rdv"))
        await app.process_update(_message(2, "Moka"))
    assert handled == [("start", ""), ("pet", "Moka")]

    async with running_bot(db_file, handled) as app:
        await app.process_update(_message(3, "vaccin"))

    assert handled[-1] == ("reason", "Moka")  # STEP2's handler, with the pet remembered


async def test_a_conversation_resumes_after_a_kill_without_shutdown(db_file: Path) -> None:
    """The first process never shuts down (as under kill -9): only the periodic
    ``update_persistence`` run, which PTB does every ``update_interval``, reached the file."""
    handled: Handled = []
    crashed: StorePersistence = persistence_on(db_file, update_interval=1.0)
    first = _build_app(crashed, handled)
    await first.initialize()
    await first.process_update(_message(1, "rdv"))
    await first.process_update(_message(2, "Moka"))
    await first.update_persistence()

    try:
        async with running_bot(db_file, handled) as app:
            await app.process_update(_message(3, "vaccin"))
    finally:
        crashed.close()  # no shutdown, no flush: just drop the dead process's connection

    assert handled == [("start", ""), ("pet", "Moka"), ("reason", "Moka")]


async def test_a_finished_conversation_starts_over_after_a_restart(db_file: Path) -> None:
    handled: Handled = []
    async with running_bot(db_file, handled) as app:
        for update_id, text in enumerate(("rdv", "Moka", "vaccin"), start=1):
            await app.process_update(_message(update_id, text))

    async with running_bot(db_file, handled) as app:
        await app.process_update(_message(4, "encore"))  # not an entry point: ignored
        await app.process_update(_message(5, "rdv"))

    assert [name for name, _ in handled] == ["start", "pet", "reason", "start"]
