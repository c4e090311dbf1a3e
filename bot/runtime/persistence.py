"""PTB persistence in the bot's SQLite file, so a conversation survives a restart or a kill -9.

PTB keeps user_data, chat_data, bot_data and conversation states in memory and hands the
changed ones to ``update_*`` every ``update_interval`` seconds (and once more at shutdown).
Each ``update_*``/``drop_*`` call is committed before it returns, so after a kill -9 the bot
restarts with the states of the last interval at most ``update_interval`` old. The connection
uses ``synchronous=NORMAL``: that survives a process crash; an OS crash may lose the last
interval, which only costs an owner a repeated step (bookings themselves are in ``Store``).

Values are pickled one row per user, chat or conversation key (plain pickle: Telegram objects
come back without a bot; call ``set_bot`` before using their shortcuts). Arbitrary callback data
is not stored: the bot does not use it.

A row written by an earlier version may hold user data of another shape than today's (the bot
once kept a dict with string keys): ``restore_user_data`` turns each loaded row into today's
type, so a conversation under way at an upgrade goes on. The row itself is rewritten in the new
shape the next time PTB flushes that user.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Hashable, MutableMapping
from pathlib import Path
from typing import Any, Final, TypeVar

from telegram.ext import BasePersistence, ContextTypes, PersistenceInput

from bot.store.db import Synchronous, connect

UD = TypeVar("UD")
CD = TypeVar("CD")
BD = TypeVar("BD")

# PTB's own aliases live in a private module (telegram.ext._utils.types); same shapes here.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

DEFAULT_UPDATE_INTERVAL_SECONDS: Final = 1.0
"""How stale a conversation can be after a kill -9; the writes are tiny and skip unchanged data."""

_BOT_DATA_ROW: Final = 1


class SqlitePersistence(BasePersistence[UD, CD, BD]):
    """PTB's user, chat and bot data and conversation states, one pickled row per key."""

    def __init__(
        self,
        path: Path,
        *,
        update_interval: float = DEFAULT_UPDATE_INTERVAL_SECONDS,
        store_data: PersistenceInput | None = None,
        context_types: ContextTypes[Any, UD, CD, BD] | None = None,
        restore_user_data: Callable[[object], UD] | None = None,
    ) -> None:
        store = store_data or PersistenceInput(callback_data=False)
        if store.callback_data:
            raise ValueError("SqlitePersistence does not store arbitrary callback data")
        super().__init__(store_data=store, update_interval=update_interval)
        self._context_types = context_types or ContextTypes()
        self._restore_user_data = restore_user_data
        self._conn = connect(path, synchronous=Synchronous.NORMAL)
        self._written: dict[tuple[str, Hashable], bytes] = {}
        """A digest of the last blob read or written per row, so unchanged data is not
        rewritten (a digest, not the blob: this lives as long as the process)."""

    def close(self) -> None:
        """Closes the connection; call after ``Application.shutdown()`` (which flushes)."""
        self._conn.close()

    # Loading (once, at Application.initialize) ---------------------------------------------

    async def get_user_data(self) -> dict[int, UD]:
        loaded = self._load_rows("SELECT user_id, data FROM ptb_user_data", "user")
        restore = self._restore_user_data
        if restore is None:
            return loaded
        return {user_id: restore(data) for user_id, data in loaded.items()}

    async def get_chat_data(self) -> dict[int, CD]:
        return self._load_rows("SELECT chat_id, data FROM ptb_chat_data", "chat")

    async def get_bot_data(self) -> BD:
        row = self._conn.execute(
            "SELECT data FROM ptb_bot_data WHERE id = ?", (_BOT_DATA_ROW,)
        ).fetchone()
        if row is None:
            return self._context_types.bot_data()
        self._written[("bot", _BOT_DATA_ROW)] = _digest(row["data"])
        data: BD = pickle.loads(row["data"])
        return data

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = self._conn.execute(
            "SELECT conv_key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        states: dict[ConversationKey, object] = {}
        for row in rows:
            key = _decode_key(row["conv_key"])
            self._written[(f"conv:{name}", key)] = _digest(row["state"])
            states[key] = pickle.loads(row["state"])
        return states

    # Writing (every update_interval, and at shutdown) -------------------------------------

    async def update_user_data(self, user_id: int, data: UD) -> None:
        self._write(
            ("user", user_id),
            data,
            "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
            user_id,
        )

    async def update_chat_data(self, chat_id: int, data: CD) -> None:
        self._write(
            ("chat", chat_id),
            data,
            "INSERT INTO ptb_chat_data (chat_id, data) VALUES (?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data",
            chat_id,
        )

    async def update_bot_data(self, data: BD) -> None:
        self._write(
            ("bot", _BOT_DATA_ROW),
            data,
            "INSERT INTO ptb_bot_data (id, data) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            _BOT_DATA_ROW,
        )

    async def update_callback_data(self, data: CDCData) -> None:
        """Not stored (see the module docstring)."""

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Stores the state for ``key``; ``None`` (the conversation ended) deletes it."""
        if new_state is None:
            self._written.pop((f"conv:{name}", key), None)
            self._conn.execute(
                "DELETE FROM ptb_conversations WHERE name = ? AND conv_key = ?",
                (name, _encode_key(key)),
            )
            return
        self._write(
            (f"conv:{name}", key),
            new_state,
            "INSERT INTO ptb_conversations (name, conv_key, state) VALUES (?, ?, ?) "
            "ON CONFLICT (name, conv_key) DO UPDATE SET state = excluded.state",
            name,
            _encode_key(key),
        )

    async def drop_user_data(self, user_id: int) -> None:
        self._written.pop(("user", user_id), None)
        self._conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def drop_chat_data(self, chat_id: int) -> None:
        self._written.pop(("chat", chat_id), None)
        self._conn.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))

    async def refresh_user_data(self, user_id: int, user_data: UD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def refresh_chat_data(self, chat_id: int, chat_data: CD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def refresh_bot_data(self, bot_data: BD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def flush(self) -> None:
        """Every write is already committed; fold the WAL into the main file at shutdown."""
        if self._conn.in_transaction:
            self._conn.commit()
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # Helpers ---------------------------------------------------------------------------------

    def _load_rows(self, query: str, kind: str) -> dict[int, Any]:
        loaded: dict[int, Any] = {}
        for row_id, blob in self._conn.execute(query):
            self._written[(kind, row_id)] = _digest(blob)
            loaded[row_id] = pickle.loads(blob)
        return loaded

    def _write(self, row: tuple[str, Hashable], value: object, upsert: str, *ids: object) -> None:
        """Upserts the pickled value (``ids`` then the blob are the statement's parameters),
        unless the row already holds exactly that pickle."""
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        digest = _digest(blob)
        if self._written.get(row) == digest:
            return
        self._conn.execute(upsert, (*ids, blob))
        self._written[row] = digest


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def _decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))
