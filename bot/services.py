"""The domain services of one running bot, built together and closed together.

Telegram handlers receive this object (as ``context.services``, from the application's typed
bot_data, which is not persisted) and call it; they never build clients or open files
themselves. The staff chat is not here: the composition root builds it (`bot.launch.application`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

from bot.booking import BookingService
from bot.clock import Clock, system_clock
from bot.config import ClinicConfig, ConfigError, Settings
from bot.i18n import Catalogs
from bot.runtime.metrics import Metrics
from bot.store import Store
from bot.store.db import ClinicDb, Database, Fence
from bot.treats import CallObserver, RetryPolicy, TreatsClient
from bot.triage import Lexicon, default_lexicon


@dataclass(frozen=True, slots=True)
class Services:
    clinic: ClinicConfig
    clock: Clock
    treats: TreatsClient
    store: Store
    booking: BookingService
    catalogs: Catalogs
    link_secret: SecretStr | None
    data_dir: Path
    lexicon: Lexicon
    late_cancellation: timedelta
    metrics: Metrics
    mini_app_url: str | None = None
    """The week view's public page (MINI_APP_URL); None: not offered."""

    def local_now(self) -> datetime:
        """Now on the clinic's wall clock. The injected clock, like the real one, is UTC: every
        reading of an owner's words ("demain", "à 10h") and every "today" starts here."""
        return self.clock().astimezone(self.clinic.tz)


def _week_view(
    settings: Settings, clinic: ClinicConfig, *, webhook: bool, group: bool
) -> str | None:
    """The clinic's week view page: the bot's own, or in a group (served by the group's web
    server, so in webhook mode only) the group's page followed by the clinic's id."""
    page = settings.week_view_url(webhook=webhook)
    if page is None or not group:
        return page
    return f"{page}/{clinic.id}" if webhook else None


def load_lexicon(extension: Path | None) -> Lexicon:
    """The built-in red-flag lexicon, with the clinic's own phrases when it has some."""
    if extension is None:
        return default_lexicon()
    try:
        return default_lexicon().merge(Lexicon.load(extension))
    except FileNotFoundError:
        raise ConfigError(f"TRIAGE_LEXICON ({extension}): file not found") from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"TRIAGE_LEXICON ({extension}): {error}") from None


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    clinic: ClinicConfig,
    *,
    clock: Clock = system_clock,
    treats_transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    observer: CallObserver | None = None,
    database: Database | None = None,
    fence: Fence | None = None,
    webhook: bool = False,
) -> AsyncIterator[Services]:
    """Open the store and the Treats client; close both on exit, whatever happens.

    ``database``: the connection every clinic of a group shares (left open here); by default
    this bot opens its own (``DATABASE_URL``, else the SQLite file in the data folder).
    ``fence``: the clinic's lease in a group on several instances (every write checks it).
    ``webhook``: the bot runs in webhook mode (its public address may serve the week view)."""
    lexicon = load_lexicon(settings.triage_lexicon)
    metrics = Metrics()
    data_dir = settings.vetbot_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    if database is None:
        store = Store.open(settings.database, clock, clinic=clinic.id)
    else:
        store = Store(ClinicDb(database, clinic.id, fence), clock)
    treats = TreatsClient(
        settings.treats_api_url,
        settings.treats_api_key,
        transport=treats_transport,
        clock=clock,
        retry=retry,
        phone_region=clinic.phone_region,
        observer=observer or metrics.observe_treats,
    )
    metrics.watch_quota(lambda: treats.quota.remaining)
    try:
        yield Services(
            clinic=clinic,
            clock=clock,
            treats=treats,
            store=store,
            booking=BookingService(treats, store, clinic, clock),
            catalogs=Catalogs(clinic.tz),
            link_secret=settings.vetbot_link_secret,
            data_dir=data_dir,
            lexicon=lexicon,
            late_cancellation=timedelta(hours=settings.late_cancellation_hours),
            metrics=metrics,
            mini_app_url=_week_view(settings, clinic, webhook=webhook, group=database is not None),
        )
    finally:
        await treats.aclose()
        store.close()
