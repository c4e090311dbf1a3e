"""An owner mid-booking when the bot is upgraded goes on after the restart.

Versions before the typed `Session` stored PTB's user_data as a dict with string keys; the
conversation state (PTB's ``conversations`` table) kept its shape. Here that old row is written
into the store while the bot is stopped, then the owner types and taps on."""

from __future__ import annotations

import pickle
import sqlite3
from datetime import timedelta

from bot.booking import Draft
from bot.store import db_path
from conversations.session import Session
from tests.e2e.flow import identify, next_step
from tests.support.vetbot_fixtures import VetbotRun


def _old_user_data(session: Session) -> dict[str, object]:
    """The row as the previous version wrote it, with its own string keys (spelled out here,
    not imported: they are the old format, whatever the code calls them now)."""
    assert session.draft is not None
    return {
        "draft": session.draft,
        "state": session.step,
        "pets_offered": dict(session.offered_pets),
        "panel_message_id": session.panel_message_id,
        "panel_content": session.panel_content,
        "language": "en",
        "confirm_unanswered": 2,
    }


def _conversation_states(conn: sqlite3.Connection) -> set[object]:
    """The states in PTB's conversations table (one owner here), as PTB pickled them."""
    return {
        pickle.loads(row["state"]) for row in conn.execute("SELECT state FROM ptb_conversations")
    }


async def test_a_conversation_stored_by_the_previous_version_goes_on(
    vetbot_setup: VetbotRun, thomas
) -> None:
    async with vetbot_setup.running() as application:
        await identify(thomas)
        await thomas.tap("Prendre rendez-vous")
        assert (await next_step(thomas)).text == "Pour quel animal ?"
        session = application.user_data[thomas.user.id]
        assert session.draft is not None and session.offered_pets
        # A draft started a minute earlier: only the restored one carries this time.
        started_at = session.draft.started_at - timedelta(minutes=1)
        session.draft.started_at = started_at
        old_row = pickle.dumps(_old_user_data(session), protocol=pickle.HIGHEST_PROTOCOL)

    conn = sqlite3.connect(db_path(vetbot_setup.data_dir), isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        assert _conversation_states(conn) == {"pet"}, "PTB's state, untouched by the upgrade"
        conn.execute(
            "UPDATE ptb_user_data SET data = ? WHERE user_id = ?", (old_row, thomas.user.id)
        )
        stored = pickle.loads(
            conn.execute(
                "SELECT data FROM ptb_user_data WHERE user_id = ?", (thomas.user.id,)
            ).fetchone()["data"]
        )
        assert isinstance(stored, dict) and isinstance(stored["draft"], Draft)
    finally:
        conn.close()

    async with vetbot_setup.running() as application:
        restored = application.user_data[thomas.user.id]
        assert isinstance(restored, Session)
        assert restored.language == "en" and restored.outage_tries == 2
        await thomas.send("Caramel")  # read against the pets offered before the upgrade
        step = await next_step(thomas)
        # Caramel read against the old offer; in English, the owner's old /language choice.
        assert step.text.startswith("What's the reason for Caramel's visit?"), step.text
        session = application.user_data[thomas.user.id]
        assert session.draft is not None and session.draft.started_at == started_at
        assert session.draft.pet_name == "Caramel"
        await thomas.tap("Consultation générale (30 min)")
        assert (await next_step(thomas)).text == "Which vet would you like to see?"

    conn = sqlite3.connect(db_path(vetbot_setup.data_dir), isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            "SELECT data FROM ptb_user_data WHERE user_id = ?", (thomas.user.id,)
        ).fetchone()
        final = pickle.loads(row["data"])
        assert isinstance(final, Session), "rewritten in the new shape"
        assert final.outage_tries == 0, "a step shown ends the count of tries, as before"
        assert final.step == "vet"
        assert _conversation_states(conn) == {"vet"}, "PTB's state went on from the old one"
    finally:
        conn.close()
