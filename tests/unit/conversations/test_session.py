"""`restore_session`: what the store held for one owner becomes a `Session`, whatever version
wrote it; and `StorePersistence` applies it to every user row it loads."""

from __future__ import annotations

import logging
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import PersistenceInput

from bot.booking import Draft
from conversations.session import Session, SharedContact, restore_session
from tests.support.stores import persistence_on

DRAFT = Draft(client_id="c-1", started_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), pet_name="Mimi")
OLD_ROW = {
    "draft": DRAFT,
    "state": "pet",
    "pets_offered": {"p-1": ("Mimi", "Chat"), "p-2": ("Rex", None)},
    "confirm_unanswered": 2,
    "panel_message_id": 41,
    "panel_content": "0f" * 16,
    "new_panel": True,
    "language": "en",
    "shared_contact": {"name": "Marie", "phone": "+33612345678"},
}


def test_every_old_key_is_folded() -> None:
    session = restore_session(pickle.loads(pickle.dumps(OLD_ROW)))
    assert session == Session(
        draft=DRAFT,
        step="pet",
        offered_pets={"p-1": ("Mimi", "Chat"), "p-2": ("Rex", None)},
        outage_tries=2,
        panel_message_id=41,
        panel_content="0f" * 16,
        new_panel=True,
        language="en",
        shared_contact=SharedContact("Marie", "+33612345678"),
    )


def test_an_old_row_between_bookings_starts_with_defaults() -> None:
    assert restore_session({"language": "fr"}) == Session(language="fr")
    assert restore_session({}) == Session()


def test_a_session_is_kept_as_is() -> None:
    session = Session(step="when", language="en")
    assert restore_session(session) is session


def test_what_cannot_be_read_starts_afresh_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="vetbot.session"):
        assert restore_session(["not", "a", "session"]) == Session()
        assert restore_session({"draft": DRAFT, "mystery": 1}).draft == DRAFT
    assert "unreadable stored session (list)" in caplog.text
    assert "stored session keys ignored: mystery" in caplog.text


async def test_persistence_restores_each_loaded_user_row(tmp_path: Path) -> None:
    path = tmp_path / "vetbot.sqlite3"
    store = PersistenceInput(bot_data=False, chat_data=False, callback_data=False)
    old = persistence_on(path, store_data=store)
    await old.update_user_data(42, OLD_ROW)  # as the previous version wrote it
    await old.update_user_data(7, Session(language="fr"))
    old.close()

    new = persistence_on(path, store_data=store, restore_user_data=restore_session)
    try:
        loaded = await new.get_user_data()
    finally:
        new.close()
    assert loaded[42].draft == DRAFT and loaded[42].step == "pet"
    assert loaded[7] == Session(language="fr")


def test_a_session_saved_before_a_field_was_added_loads_with_its_default() -> None:
    saved = Session(step="pet", language="en")
    state = saved.__getstate__()
    older = (state[0], {k: v for k, v in state[1].items() if k not in {"new_panel", "draft"}})

    loaded = Session.__new__(Session)
    loaded.__setstate__(older)

    assert (loaded.step, loaded.language) == ("pet", "en")
    assert loaded.new_panel is False and loaded.draft is None


def test_a_pickled_session_round_trips() -> None:
    saved = Session(step="when", offered_pets={"p1": ("Mimi", "Chat")}, outage_tries=1)

    assert pickle.loads(pickle.dumps(saved)) == saved
