"""What the bots of a clinic group share in one process (a single clinic shares nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.launch.web import GroupWebhooks
from bot.runtime.telegram_http import SharedConnections
from bot.store.db import Database
from bot.store.inbox import InboxListener, UpdateInbox


@dataclass(frozen=True)
class GroupShared:
    """Given to every clinic's ``running_bot`` by the group, which opens and closes them.

    - ``database``: one connection (SQLite file or PostgreSQL) for every clinic, each clinic's
      rows keyed by its id; 300 clinics do not open 600 connections.
    - ``telegram``: one pool of kept-alive connections to the Bot API.
    - ``webhooks``: in webhook mode, the one HTTP server where each clinic's bot registers its
      path and secret; None when polling.
    - ``inbox``: a group on PostgreSQL (several instances may serve it): where each clinic's
      updates are recorded before Telegram lets go of them (webhook or polling).
    - ``listener``: webhook mode on PostgreSQL: what wakes a clinic's holder when any instance
      recorded one of its updates.
    """

    database: Database
    telegram: SharedConnections
    webhooks: GroupWebhooks | None = None
    inbox: UpdateInbox | None = None
    listener: InboxListener | None = None
