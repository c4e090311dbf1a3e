"""What every handler may reach at run time: PTB's ``bot_data``, typed.

The composition root (`bot.launch.application`) builds the services, the staff desk, the
owner's followers and the booking follow-ups and sets them here; handlers read them through
``context.services``, ``context.staff``, ``context.bot_data.followups`` and so on, never
through a string key. PTB builds ``bot_data`` itself, with no arguments
(``ContextTypes(bot_data=BotData)``), before the services exist: hence the fields start empty
and what every handler needs (`services`, `followups`) says so loudly if read before it is
set. It is never persisted (it holds live clients).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.followups import BookingFollowUps
    from bot.reminders import Reminders
    from bot.services import Services
    from bot.staff_chat import StaffChat
    from bot.staff_desk import StaffDesk
    from bot.status_watch import StatusWatcher


class BotData:
    """The live objects of one running bot, shared by every update."""

    __slots__ = (
        "_followups",
        "_services",
        "reminders",
        "staff_chat",
        "staff_desk",
        "updates_task",
        "watcher",
    )

    def __init__(self) -> None:
        self._services: Services | None = None
        self._followups: BookingFollowUps | None = None
        self.staff_chat: StaffChat | None = None
        """The staff group, when the clinic has one (STAFF_CHAT_ID)."""
        self.staff_desk: StaffDesk | None = None
        """The outbox, requests and announcement policy; set with `staff_chat`, at start."""
        self.reminders: Reminders | None = None
        """Set once the bot runs (not in a bare `build_application`)."""
        self.watcher: StatusWatcher | None = None
        """Set once the bot runs (not in a bare `build_application`)."""
        self.updates_task: asyncio.Task[None] | None = None
        """The composition root's own getUpdates loop when it replaces PTB's ``Updater`` (a
        group on several instances, `bot.launch.inbox_poller`): what ``serve_until`` watches
        for a refused token. Not for handlers."""

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("BotData.services read before the composition root set it")
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services

    @property
    def followups(self) -> BookingFollowUps:
        """What follows a confirmation (the staff told, reminders, the watcher...), built once
        by the composition root with the staff desk, or `bot.staff_desk.NoStaffChat`."""
        if self._followups is None:
            raise RuntimeError("BotData.followups read before the composition root set it")
        return self._followups

    @followups.setter
    def followups(self, followups: BookingFollowUps) -> None:
        self._followups = followups
