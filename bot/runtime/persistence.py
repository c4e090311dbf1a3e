"""PTB persistence in the store's database, so a conversation survives a restart or a kill -9.

PTB keeps user_data, chat_data, bot_data and conversation states in memory and hands the
changed ones to ``update_*`` every ``update_interval`` seconds (and once more at shutdown).
Each ``update_*``/``drop_*`` call is committed before it returns, so after a kill -9 the bot
restarts with the states of the last interval at most ``update_interval`` old. On SQLite the
connection uses ``synchronous=NORMAL``: that survives a process crash; an OS crash may lose the
last interval, which only costs an owner a repeated step (bookings themselves are in ``Store``).
Every row names its clinic: one database holds the conversations of every clinic's bot.

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
from typing import Any, Final, TypeVar

from telegram.ext import BasePersistence, ContextTypes, PersistenceInput

from bot.store.db import ClinicDb

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
"""The key the in-memory digest of bot_data is kept under (one row per clinic)."""


class StorePersistence(BasePersistence[UD, CD, BD]):
    """PTB's user, chat and bot data and conversation states of one clinic's bot, one pickled
    row per key."""

    def __init__(
        self,
        db: ClinicDb,
        *,
        update_interval: float = DEFAULT_UPDATE_INTERVAL_SECONDS,
        store_data: PersistenceInput | None = None,
        context_types: ContextTypes[Any, UD, CD, BD] | None = None,
        restore_user_data: Callable[[object], UD] | None = None,
        owns_database: bool = False,
    ) -> None:
        store = store_data or PersistenceInput(callback_data=False)
        if store.callback_data:
            raise ValueError("StorePersistence does not store arbitrary callback data")
        super().__init__(store_data=store, update_interval=update_interval)
        self._context_types = context_types or ContextTypes()
        self._restore_user_data = restore_user_data
        self._db = db
        self._owns_database = owns_database
        self._written: dict[tuple[str, Hashable], bytes] = {}
        """A digest of the last blob read or written per row, so unchanged data is not
        rewritten (a digest, not the blob: this lives as long as the process)."""

    def close(self) -> None:
        """Closes the database if this persistence owns it (a SQLite connection of its own);
        call after ``Application.shutdown()`` (which flushes)."""
        if self._owns_database:
            self._db.database.close()

    # Loading (once, at Application.initialize) ---------------------------------------------

    async def get_user_data(self) -> dict[int, UD]:
        loaded = self._load_rows(
            "SELECT user_id, data FROM ptb_user_data WHERE clinic_id = ?", "user"
        )
        restore = self._restore_user_data
        if restore is None:
            return loaded
        return {user_id: restore(data) for user_id, data in loaded.items()}

    async def get_chat_data(self) -> dict[int, CD]:
        return self._load_rows(
            "SELECT chat_id, data FROM ptb_chat_data WHERE clinic_id = ?", "chat"
        )

    async def get_bot_data(self) -> BD:
        row = self._db.execute(
            "SELECT data FROM ptb_bot_data WHERE clinic_id = ?", (self._db.clinic,)
        ).fetchone()
        if row is None:
            return self._context_types.bot_data()
        self._written[("bot", _BOT_DATA_ROW)] = _digest(bytes(row["data"]))
        data: BD = pickle.loads(row["data"])
        return data

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = self._db.execute(
            "SELECT conv_key, state FROM ptb_conversations WHERE clinic_id = ? AND name = ?",
            (self._db.clinic, name),
        )
        states: dict[ConversationKey, object] = {}
        for row in rows:
            key = _decode_key(row["conv_key"])
            self._written[(f"conv:{name}", key)] = _digest(bytes(row["state"]))
            states[key] = pickle.loads(row["state"])
        return states

    # Writing (every update_interval, and at shutdown) -------------------------------------

    async def update_user_data(self, user_id: int, data: UD) -> None:
        self._write(
            ("user", user_id),
            data,
            "INSERT INTO ptb_user_data (clinic_id, user_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (clinic_id, user_id) DO UPDATE SET data = excluded.data",
            user_id,
        )

    async def update_chat_data(self, chat_id: int, data: CD) -> None:
        self._write(
            ("chat", chat_id),
            data,
            "INSERT INTO ptb_chat_data (clinic_id, chat_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (clinic_id, chat_id) DO UPDATE SET data = excluded.data",
            chat_id,
        )

    async def update_bot_data(self, data: BD) -> None:
        self._write(
            ("bot", _BOT_DATA_ROW),
            data,
            "INSERT INTO ptb_bot_data (clinic_id, data) VALUES (?, ?) "
            "ON CONFLICT (clinic_id) DO UPDATE SET data = excluded.data",
        )

    async def update_callback_data(self, data: CDCData) -> None:
        """Not stored (see the module docstring)."""

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Stores the state for ``key``; ``None`` (the conversation ended) deletes it."""
        if new_state is None:
            self._written.pop((f"conv:{name}", key), None)
            self._change(
                "DELETE FROM ptb_conversations WHERE clinic_id = ? AND name = ? AND conv_key = ?",
                (self._db.clinic, name, _encode_key(key)),
            )
            return
        self._write(
            (f"conv:{name}", key),
            new_state,
            "INSERT INTO ptb_conversations (clinic_id, name, conv_key, state) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (clinic_id, name, conv_key) DO UPDATE SET state = excluded.state",
            name,
            _encode_key(key),
        )

    async def drop_user_data(self, user_id: int) -> None:
        self._written.pop(("user", user_id), None)
        self._change(
            "DELETE FROM ptb_user_data WHERE clinic_id = ? AND user_id = ?",
            (self._db.clinic, user_id),
        )

    async def drop_chat_data(self, chat_id: int) -> None:
        self._written.pop(("chat", chat_id), None)
        self._change(
            "DELETE FROM ptb_chat_data WHERE clinic_id = ? AND chat_id = ?",
            (self._db.clinic, chat_id),
        )

    async def refresh_user_data(self, user_id: int, user_data: UD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def refresh_chat_data(self, chat_id: int, chat_data: CD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def refresh_bot_data(self, bot_data: BD) -> None:
        """Nothing else writes these rows: PTB's in-memory copy is the truth."""

    async def flush(self) -> None:
        """Every write is already committed; on SQLite, fold the WAL into the main file."""
        checkpoint = getattr(self._db.database, "checkpoint", None)
        if checkpoint is not None:
            checkpoint()

    # Helpers ---------------------------------------------------------------------------------

    def _load_rows(self, query: str, kind: str) -> dict[int, Any]:
        loaded: dict[int, Any] = {}
        for row_id, blob in self._db.execute(query, (self._db.clinic,)):
            self._written[(kind, row_id)] = _digest(bytes(blob))
            loaded[row_id] = pickle.loads(blob)
        return loaded

    def _write(self, row: tuple[str, Hashable], value: object, upsert: str, *ids: object) -> None:
        """Upserts the pickled value (``ids`` then the blob are the statement's parameters),
        unless the row already holds exactly that pickle."""
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        digest = _digest(blob)
        if self._written.get(row) == digest:
            return
        self._change(upsert, (self._db.clinic, *ids, blob))
        self._written[row] = digest

    def _change(self, sql: str, params: tuple[object, ...]) -> None:
        """One write; fenced when the clinic is leased, so that an instance that lost the
        clinic cannot overwrite or delete the state the new holder writes."""
        if self._db.fence is None:
            self._db.execute(sql, params)
            return
        with self._db.transaction():
            self._db.execute(sql, params)


def stored_user_data(db: ClinicDb, user_id: int) -> object | None:
    """One user's data as the clinic's bot last wrote it (None: never written), read by
    another process than the bot's: the instance of a group that answers the week view of a
    clinic another instance holds. In a group the holder writes it before it marks an update
    handled (``bot.launch.inbox_pump``), so this is the state after the last handled update."""
    row = db.execute(
        "SELECT data FROM ptb_user_data WHERE clinic_id = ? AND user_id = ?", (db.clinic, user_id)
    ).fetchone()
    return None if row is None else pickle.loads(row["data"])


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def _decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))
