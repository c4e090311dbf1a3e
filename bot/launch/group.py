"""A clinic group served from one process: every clinic's bot on one event loop and one database
connection, each isolated from the others.

- **One clinic's failure stays its own.** A clinic whose bot cannot start (a revoked token, an
  unreachable Telegram, a store refusal) is reported in one log line naming it and tried again
  later, doubling the pause up to ten minutes, while the others serve.
- **Reload, not restart.** SIGHUP reads ``CLINICS_DIR`` again: added clinics start, removed ones
  stop cleanly (updates in flight finish, the outbox gets its last pass), changed ones (their
  file or their secrets) restart; the others are not touched. A folder that no longer loads at
  all is reported and the running clinics go on as they were.
- **Log lines name their clinic** (``clinic=lyon-3``): each clinic's task sets
  ``bot.runtime.logs.CLINIC``, which every task it starts inherits.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final, Literal, Protocol

from telegram.ext import Application

from bot.clinic_group import ClinicBot, Deployment
from bot.config import ClinicConfig, ConfigError, Settings
from bot.launch.application import running_bot, updates_task
from bot.launch.group_week_view import GroupWeekViews
from bot.launch.leasing import LEASE_ROUND, LEASE_TTL, LeaseKeeper, instance_id
from bot.launch.shared import GroupShared
from bot.launch.web import GroupWebhooks, webhook_secret
from bot.runtime import event_loop
from bot.runtime.asgi_server import serve_asgi
from bot.runtime.logs import CLINIC, RedactingFilter, one_line, redact
from bot.runtime.polling_watch import serve_until
from bot.runtime.telegram_http import SharedConnections
from bot.store.db import Database, Fence, PostgresDatabase
from bot.store.inbox import InboxListener, UpdateInbox
from bot.store.leases import LeaseTable
from bot.store.schema import open_database

logger = logging.getLogger("vetbot.group")

RETRY_FIRST: Final = timedelta(seconds=30)
RETRY_MAX: Final = timedelta(minutes=10)
"""A clinic that cannot start is tried again after 30 s, then 1, 2, 4, 8 and 10 minutes."""
STARTING_AT_ONCE: Final = 16
"""Clinics starting at the same time (getMe, commands, settling the last run's bookings): the
first ones serve within a second instead of all waiting for the slowest of hundreds, and a
group's start is not a burst of hundreds of requests to Telegram and the database."""

PURGE_INBOX_EVERY: Final = timedelta(hours=1)
"""How often an instance forgets handled updates of over a day (any instance may: the deletes
of two at once do not conflict)."""

ClinicState = Literal["starting", "serving", "failed", "stopped"]


Mode = Literal["polling", "webhook"]


class ClinicRunner(Protocol):
    """Runs one clinic's bot until the block exits (``running_bot``)."""

    def __call__(
        self,
        settings: Settings,
        clinic: ClinicConfig,
        *,
        shared: GroupShared,
        mode: Mode,
        fence: Fence | None,
    ) -> contextlib.AbstractAsyncContextManager[Application]: ...


@dataclass
class ClinicRun:
    """One clinic's bot in the group: its task, how it is doing, and how to stop it."""

    bot: ClinicBot
    fence: Fence | None = None
    """The clinic's lease here (a group on several instances): its writes are checked."""
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    state: ClinicState = "starting"
    detail: str = ""
    task: asyncio.Task[None] | None = None
    application: Application | None = None
    """The clinic's PTB application while it serves."""
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def clinic_id(self) -> str:
        return self.bot.clinic.id

    def set_state(self, state: ClinicState, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, *states: ClinicState) -> ClinicState:
        """Waits for the clinic to reach one of ``states`` (an event, not a poll)."""
        while self.state not in states:
            await self._changed.wait()
        return self.state


@dataclass(frozen=True, slots=True)
class Changes:
    """What a reload did."""

    started: tuple[str, ...] = ()
    stopped: tuple[str, ...] = ()
    restarted: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [
            f"{label} {', '.join(ids)}"
            for label, ids in (
                ("started", self.started),
                ("stopped", self.stopped),
                ("restarted", self.restarted),
            )
            if ids
        ]
        return "; ".join(parts) or "nothing changed"


class ClinicGroup:
    """The clinics running in this process, by id."""

    def __init__(
        self,
        shared: GroupShared,
        runner: ClinicRunner,
        *,
        retry_first: timedelta = RETRY_FIRST,
        retry_max: timedelta = RETRY_MAX,
        starting_at_once: int = STARTING_AT_ONCE,
        leases: LeaseTable | None = None,
    ) -> None:
        self._shared = shared
        self._keeper = None if leases is None else LeaseKeeper(leases, self._apply)
        self._deployment: Deployment | None = None
        self._changes: list[Changes] = []
        self._secrets: tuple[Deployment | None, dict[str, str]] = (None, {})
        self._mode: Mode = "polling" if shared.webhooks is None else "webhook"
        self._starting = asyncio.Semaphore(starting_at_once)
        self._runner = runner
        self._retry_first = retry_first
        self._retry_max = retry_max
        self._runs: dict[str, ClinicRun] = {}

    @property
    def runs(self) -> Mapping[str, ClinicRun]:
        return self._runs

    def states(self) -> dict[str, tuple[str, str]]:
        """Each clinic's state and its detail (the bot's name, or why it is not served)."""
        return {cid: (run.state, run.detail) for cid, run in self._runs.items()}

    def webhook_secrets(self) -> Mapping[str, str]:
        """Every clinic of the group, run here or not: its webhook secret token."""
        deployment = self._deployment
        if deployment is None:
            return {}
        if self._secrets[0] is not deployment:
            self._secrets = (
                deployment,
                {b.id: webhook_secret(b.settings) for b in deployment.clinics},
            )
        return self._secrets[1]

    def lease_changes(self) -> Mapping[str, int]:
        return {} if self._keeper is None else dict(self._keeper.changes)

    def clinic_bot(self, clinic_id: str) -> ClinicBot | None:
        """A clinic of the group, run here or not."""
        return None if self._deployment is None else self._deployment.clinic(clinic_id)

    def running_application(self, clinic_id: str) -> Application | None:
        """The clinic's PTB application while it serves in this process."""
        run = self._runs.get(clinic_id)
        return None if run is None else run.application

    @property
    def leases(self) -> LeaseKeeper | None:
        """The keeper of this instance's share, when the clinics are leased."""
        return self._keeper

    async def apply(self, deployment: Deployment) -> Changes:
        """Brings the running clinics in line with ``deployment`` (with leases: the clinics
        of it this instance holds, after a lease round)."""
        self._deployment = deployment
        if self._keeper is None:
            return await self._apply(deployment, None)
        self._changes = []
        running = {cid: run.bot.source for cid, run in self._runs.items()}
        await self._keeper.step(deployment, running)
        return Changes(
            tuple(cid for c in self._changes for cid in c.started),
            tuple(cid for c in self._changes for cid in c.stopped),
            tuple(cid for c in self._changes for cid in c.restarted),
        )

    async def keep_leases(self, every: timedelta = LEASE_ROUND) -> None:
        """Forever, with leases: a lease round every ``every`` (cancel the task to stop). A
        round that fails (the database unreachable) is logged and tried again: the leases
        lapse meanwhile and the fences refuse this instance's writes, as they should. Every
        ``PURGE_INBOX_EVERY``, handled updates older than a day leave the inbox."""
        purge_at = 0.0
        while True:
            await asyncio.sleep(every.total_seconds())
            if self._deployment is None:
                continue
            try:
                await self.apply(self._deployment)
                inbox = self._shared.inbox
                if inbox is not None and time.monotonic() >= purge_at:
                    purge_at = time.monotonic() + PURGE_INBOX_EVERY.total_seconds()
                    if purged := inbox.purge_done():
                        logger.info("inbox: %d handled update(s) of over a day forgotten", purged)
            except Exception as error:
                logger.error("lease round failed: %s", one_line(error))

    async def _apply(self, deployment: Deployment, fences: Mapping[str, Fence] | None) -> Changes:
        """Runs the clinics of ``deployment`` (those with a fence, when ``fences`` is given)."""
        wanted = {bot.clinic.id: bot for bot in deployment.clinics}
        refused = {refusal.source for refusal in deployment.refused}
        if fences is not None:
            wanted = {cid: bot for cid, bot in wanted.items() if cid in fences}
        # A clinic whose file no longer loads keeps serving as it was: a typo in one file
        # must not take that clinic's bot down (the refusal is reported); with leases, while
        # its lease is held here.
        removed = [
            cid
            for cid, run in self._runs.items()
            if cid not in wanted
            and (run.bot.source not in refused or (fences is not None and cid not in fences))
        ]
        changed = [
            cid
            for cid, bot in wanted.items()
            if cid in self._runs
            and (
                self._runs[cid].bot.fingerprint != bot.fingerprint
                or (fences is not None and self._runs[cid].fence != fences[cid])
            )
        ]
        added = [cid for cid in wanted if cid not in self._runs]
        await self._stop([*removed, *changed])
        for cid in [*changed, *added]:
            self._start(wanted[cid], None if fences is None else fences[cid])
        changes = Changes(tuple(added), tuple(removed), tuple(changed))
        self._changes.append(changes)
        return changes

    async def stop_all(self) -> None:
        """Every clinic stopped; with leases, then given back at once."""
        if self._keeper is None:
            await self._stop(list(self._runs))
        else:
            await self._keeper.leave(lambda: self._stop(list(self._runs)))

    def _start(self, bot: ClinicBot, fence: Fence | None) -> None:
        run = ClinicRun(bot, fence)
        self._runs[run.clinic_id] = run
        run.task = asyncio.create_task(self._serve(run), name=f"clinic-{run.clinic_id}")

    async def _stop(self, clinic_ids: list[str]) -> None:
        runs = [self._runs.pop(cid) for cid in clinic_ids if cid in self._runs]
        for run in runs:
            run.stop.set()
        await asyncio.gather(*(run.task for run in runs if run.task is not None))

    async def _serve(self, run: ClinicRun) -> None:
        """The clinic's bot until asked to stop; started again after a failure."""
        CLINIC.set(run.clinic_id)  # this task's context: every line it logs names the clinic
        pause = self._retry_first
        while not run.stop.is_set():
            try:
                async with contextlib.AsyncExitStack() as serving:
                    async with self._starting:
                        application = await serving.enter_async_context(
                            self._runner(
                                run.bot.settings,
                                run.bot.clinic,
                                shared=self._shared,
                                mode=self._mode,
                                fence=run.fence,
                            )
                        )
                    run.set_state("serving", f"@{application.bot.username}")
                    run.application = application
                    pause = self._retry_first
                    logger.info("serving as @%s", application.bot.username)
                    try:
                        await serve_until(application, run.stop, updates_task(application))
                    finally:
                        run.application = None
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # PTB's InvalidToken quotes the token: masked here, not only in the log handler.
                run.set_state("failed", redact(one_line(error), run.bot.settings.secrets))
                logger.error(
                    "clinic %s is not served: %s; trying again in %d s",
                    run.clinic_id,
                    run.detail,
                    pause.total_seconds(),
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(run.stop.wait(), pause.total_seconds())
                pause = min(pause * 2, self._retry_max)
        run.set_state("stopped")
        logger.info("stopped")


def report_refused(deployment: Deployment) -> None:
    """One error line per problem of each clinic file that was refused."""
    for source, problems in deployment.refused:
        for problem in problems:
            logger.error("clinic file %s refused: %s", source, problem)


@contextlib.asynccontextmanager
async def running_group(
    deployment: Deployment,
    runner: ClinicRunner,
    *,
    database: Database | None = None,
    mode: Mode = "polling",
) -> AsyncIterator[ClinicGroup]:
    """The group's clinics running until the block exits, then each stopped cleanly.
    ``database``: the connection they share (by default opened from DATABASE_URL). In webhook
    mode, one HTTP server (``WEBHOOK_PORT``) takes every clinic's updates."""
    settings = deployment.settings
    if mode == "webhook" and settings.webhook_url is None:
        raise ConfigError("WEBHOOK_URL is missing: webhook mode needs the public URL")
    connection = database or open_database(settings.database)
    telegram = SharedConnections()
    async with contextlib.AsyncExitStack() as serving:
        serving.push_async_callback(telegram.close)
        if database is None:
            serving.callback(connection.close)
        leases = inbox = listener = None
        if isinstance(connection, PostgresDatabase):  # several instances may share the group
            leases = LeaseTable(connection, instance_id(), LEASE_TTL)
            inbox = UpdateInbox(connection)  # polling too: see bot.launch.inbox_poller
            if mode == "webhook":
                listener = InboxListener(connection.url.value)
                listening = asyncio.create_task(listener.run(), name="inbox-listener")
                serving.push_async_callback(_cancelled, listening)
        webhooks = week_views = None
        if mode == "webhook":
            page = settings.week_view_url(webhook=True)
            if page is not None:
                week_views = GroupWeekViews(connection, inbox)
                serving.push_async_callback(week_views.aclose)
            webhooks = GroupWebhooks(str(settings.webhook_url), inbox, week_views, page)
        shared = GroupShared(connection, telegram, webhooks, inbox, listener)
        group = ClinicGroup(shared, runner, leases=leases)
        if week_views is not None:
            week_views.attach(group)
        if webhooks is not None:
            webhooks.attach(group)
            await serving.enter_async_context(
                serve_asgi(webhooks.app(), host=settings.webhook_listen, port=settings.webhook_port)
            )
            logger.info("listening on port %d", settings.webhook_port)
        keeping = None
        try:
            await group.apply(deployment)
            if leases is not None:
                logger.info("instance %s: clinics leased through the database", leases.instance)
                keeping = asyncio.create_task(group.keep_leases(), name="lease-rounds")
            yield group
        finally:
            if keeping is not None:
                keeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeping
            await group.stop_all()


async def serve_group_until_signalled(
    load: Callable[[], Deployment],
    redaction: RedactingFilter,
    runner: ClinicRunner,
    mode: Mode = "polling",
) -> None:
    """`vetbot run` / `vetbot webhook` for a clinic group: serve until SIGTERM or SIGINT;
    SIGHUP reloads."""
    deployment = load()
    report_refused(deployment)
    stop = asyncio.Event()
    reload = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.add_signal_handler(signal.SIGHUP, reload.set)
    async with running_group(deployment, runner, mode=mode) as group:
        logger.info(
            "vetbot serving %d clinic(s) (%s event loop); SIGHUP reloads %s",
            len(group.runs),
            event_loop.loop_name(),
            deployment.settings.clinics_dir,
        )
        settling = asyncio.create_task(_freeze_when_started(group), name="freeze-heap")
        while not stop.is_set():
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(reload.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if reload.is_set() and not stop.is_set():
                reload.clear()
                await _reload(group, load, redaction)
                settling.cancel()
                settling = asyncio.create_task(_freeze_when_started(group), name="freeze-heap")
        settling.cancel()
        logger.info("stopping: finishing updates in flight")
    logger.info("stopped cleanly")


async def _freeze_when_started(group: ClinicGroup) -> None:
    """Once every clinic has started (or failed to): one full collection, then what is left
    moved out of the collector's sight (``gc.freeze``).

    Hundreds of clinics leave a large heap of long-lived objects (PTB applications, handlers,
    catalogs, connections); without this the collector keeps walking it, and the group's CPU
    per update grew with its number of clinics (bench/clinics.py). Objects made later are
    collected as usual; a clinic stopped by a reload leaves its frozen objects behind until
    the process restarts (a few hundred KiB per clinic removed).
    """
    await asyncio.gather(*(run.until("serving", "failed") for run in list(group.runs.values())))
    gc.collect()
    gc.freeze()


async def _reload(
    group: ClinicGroup, load: Callable[[], Deployment], redaction: RedactingFilter
) -> None:
    try:
        deployment = load()
    except ConfigError as error:
        for problem in error.problems:
            logger.error("reload refused, clinics unchanged: %s", problem)
        return
    redaction.add_secrets(deployment.secrets)
    report_refused(deployment)
    changes = await group.apply(deployment)
    logger.info("reloaded: %s", changes)


def run_group(
    load: Callable[[], Deployment], redaction: RedactingFilter, mode: Mode = "polling"
) -> None:
    """`vetbot run` / `vetbot webhook` with ``CLINICS_DIR``: the group in one process until
    SIGTERM or SIGINT."""
    event_loop.run(serve_group_until_signalled(load, redaction, running_bot, mode))


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
