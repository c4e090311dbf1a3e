"""Every clinic's week view (a Telegram Mini App, docs/mini-app.md) on a clinic group's web
server, in webhook mode: the page of clinic ``c`` at ``{week view base}/c``.

Behind a load balancer the page's calls reach any instance, holder of the clinic or not. So
on PostgreSQL (several instances possible) an instance answers for any clinic of the group
from the database alone: the owner's session as the clinic's holder last wrote it (before it
marked the update handled), and the chosen slot recorded in the group's inbox, which wakes the
holder, wherever it runs, to show the summary. The slots come through the clinic's own services
when it runs in this process, else through a Treats client built for it. On SQLite (one
process) the clinic's running bot is asked directly.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

from telegram.ext import Application

from bot.booking import BookingService
from bot.clinic_group import ClinicBot
from bot.clock import Clock, system_clock
from bot.i18n import Catalogs
from bot.miniapp.week_api import OwnerConversations, WeekApi
from bot.store import Store
from bot.store.db import ClinicDb, Database
from bot.store.inbox import UpdateInbox
from bot.treats import TreatsClient
from conversations.week_view import ChatConversations, StoredConversations


class GroupOfClinics(Protocol):
    """What the week views ask of the group (``ClinicGroup``)."""

    def clinic_bot(self, clinic_id: str) -> ClinicBot | None: ...

    def running_application(self, clinic_id: str) -> Application | None:  # type: ignore[type-arg]
        ...


@dataclass
class _Built:
    key: tuple[str, int]
    """The clinic's fingerprint, and which running bot answers (one process): a change of
    either builds the API anew."""
    api: WeekApi
    treats: TreatsClient | None
    """The client built for a clinic that runs elsewhere (closed with the views)."""


class GroupWeekViews:
    """The week view API of each clinic of the group, built when first asked for."""

    def __init__(
        self, database: Database, inbox: UpdateInbox | None, clock: Clock = system_clock
    ) -> None:
        self._database = database
        self._inbox = inbox
        self._clock = clock
        self._group: GroupOfClinics | None = None
        self._built: dict[str, _Built] = {}
        self._retired: list[TreatsClient] = []

    def __repr__(self) -> str:
        return f"GroupWeekViews({len(self._built)} built)"

    def attach(self, group: GroupOfClinics) -> None:
        self._group = group

    def api_for(self, clinic_id: str) -> WeekApi | None:
        """The clinic's API; None when the group has no such clinic, or (one process) when its
        bot does not run now."""
        bot = self._group.clinic_bot(clinic_id) if self._group is not None else None
        if bot is None:
            return None
        application = self._group.running_application(clinic_id) if self._group else None
        if application is None and self._inbox is None:
            return None  # one process: only the clinic's running bot can answer
        key = (bot.fingerprint, id(application))
        built = self._built.get(clinic_id)
        if built is None or built.key != key:
            built = self._build(bot, key, application)
        return built.api

    def _build(
        self,
        bot: ClinicBot,
        key: tuple[str, int],
        application: Application | None,  # type: ignore[type-arg]
    ) -> _Built:
        clinic = bot.clinic
        treats: TreatsClient | None = None
        if application is not None:
            # The clinic runs here: its own services answer (no second Treats client, whose
            # calls would count against the clinic's quota apart from the bot's).
            services = application.bot_data.services
            booking, store, catalogs = services.booking, services.store, services.catalogs
            clock = services.clock
        else:
            treats = TreatsClient(
                bot.settings.treats_api_url,
                bot.settings.treats_api_key,
                clock=self._clock,
                phone_region=clinic.phone_region,
            )
            store = Store(ClinicDb(self._database, clinic.id), self._clock)
            booking = BookingService(treats, store, clinic, self._clock)
            catalogs, clock = Catalogs(clinic.tz), self._clock
        conversations: OwnerConversations
        if self._inbox is not None:  # any instance: the session and the choice go by the database
            db = ClinicDb(self._database, clinic.id)
            conversations = StoredConversations(db, self._inbox, clock)
        else:
            assert application is not None
            conversations = ChatConversations(application, clock)
        api = WeekApi(
            bot_token=bot.settings.telegram_bot_token.get_secret_value,
            clinic=clinic,
            booking=booking,
            store=store,
            catalogs=catalogs,
            clock=clock,
            conversations=conversations,
        )
        old = self._built.pop(clinic.id, None)
        if old is not None and old.treats is not None:
            self._retired.append(old.treats)
        self._built[clinic.id] = built = _Built(key, api, treats)
        return built

    async def aclose(self) -> None:
        """Closes the Treats clients built (the stores share the group's connection)."""
        built = [b.treats for b in self._built.values() if b.treats is not None]
        for treats in [*self._retired, *built]:
            with contextlib.suppress(Exception):
                await treats.aclose()
        self._built.clear()
        self._retired.clear()
