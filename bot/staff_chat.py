"""The staff group as the bot can reach it now: which chat, and whether the bot may post there.

Two things happen to a clinic's staff group that the setting ``STAFF_CHAT_ID`` cannot foresee:

* **It becomes a supergroup.** Telegram upgrades a basic group (an admin turns on a feature, or
  the group grows) and gives it a new id; the old one is refused from then on with
  ``migrate_to_chat_id``. The bot follows: the move is stored, waiting messages are re-aimed,
  and later runs keep following even while the setting still names the old id.
* **The bot is removed from it.** Telegram refuses every message there (403). Staff messages,
  urgent alerts first, wait in the outbox and are retried until the bot is back; ``/readyz``
  and the ``vetbot_staff_chat_reachable`` gauge say so, and the log says so once per change,
  not once per retry.

Domain side, no Telegram: the outbox and the staff handlers report what Telegram said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.store import Store

logger = logging.getLogger("vetbot.staff_chat")


class StaffChat:
    """The staff chat's current id and reachability, shared by the outbox and the handlers."""

    def __init__(self, store: Store, configured_id: int) -> None:
        self._store = store
        self._configured_id = configured_id
        moved = store.staff_chat_moved_to(configured_id)
        self._chat_id = moved if moved is not None else configured_id
        if moved is not None:
            logger.warning(
                "staff group %s was upgraded to supergroup %s: following it "
                "(set STAFF_CHAT_ID=%s to silence this)",
                configured_id,
                moved,
                moved,
            )
        self._unreachable: str | None = None
        self._listeners: list[Callable[[], None]] = []

    @property
    def chat_id(self) -> int:
        """Where staff messages go now."""
        return self._chat_id

    @property
    def ids(self) -> frozenset[int]:
        """Every id the staff group has had: old messages still carry the configured one."""
        return frozenset({self._configured_id, self._chat_id})

    @property
    def reachable(self) -> bool:
        return self._unreachable is None

    @property
    def detail(self) -> str:
        """One line for /readyz."""
        if self._unreachable is not None:
            return f"chat {self._chat_id}: {self._unreachable}"
        return f"chat {self._chat_id}"

    def on_change(self, listener: Callable[[], None]) -> None:
        """``listener()`` runs after each change: a move (the handlers' chat filter follows),
        the bot shut out, the bot back."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def moved(self, old_id: int, new_id: int) -> bool:
        """Telegram says ``old_id`` is now ``new_id``; False if that is no news."""
        if old_id not in self.ids or new_id == self._chat_id:
            return False
        rows = self._store.move_staff_chat(old_id, new_id)
        self._chat_id = new_id
        logger.warning(
            "staff group %s was upgraded to supergroup %s: following it, %d message(s) "
            "re-aimed (set STAFF_CHAT_ID=%s)",
            old_id,
            new_id,
            rows,
            new_id,
        )
        self._changed()
        return True

    def lost(self, reason: str) -> None:
        """Telegram refused the bot in the staff chat (removed, or the chat is gone)."""
        if self._unreachable is None:
            logger.error(
                "staff group %s unreachable: %s; staff messages wait until the bot is added back",
                self._chat_id,
                reason,
            )
            self._unreachable = reason
            self._changed()

    def regained(self) -> None:
        """The bot posted there again, or was added back."""
        if self._unreachable is not None:
            logger.warning("staff group %s reachable again", self._chat_id)
            self._unreachable = None
            self._changed()
