"""Composition root: builds the Telegram Application around the services, and runs it.

This is the one place in `bot/` that knows Telegram: it wires handlers (from `conversations`),
persistence, the rate limiter and the update processor, and owns the lifecycle: SIGTERM or
SIGINT stop polling, let in-flight updates finish, flush persistence, close the clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final, Literal
from urllib.parse import urlsplit

import httpx
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    PersistenceInput,
    Updater,
)

from bot.clock import Clock, system_clock
from bot.config import ClinicConfig, ConfigError, Settings
from bot.followups import BookingFollowUps
from bot.launch.inbox_poller import InboxPoller
from bot.launch.inbox_pump import InboxPump
from bot.launch.shared import GroupShared
from bot.launch.web import (
    WEBHOOK_PATH,
    ReadinessCheck,
    WebhookEndpoint,
    create_mini_app_server,
    create_web_app,
    webhook_secret,
)
from bot.launch.week_view import week_view_routes
from bot.outbox import Outbox
from bot.reminders import Reminders
from bot.runtime import event_loop
from bot.runtime.asgi_server import serve_asgi
from bot.runtime.flood_limits import TELEGRAM_FLOOD_LIMITS, FloodLimits, GroupPacer
from bot.runtime.persistence import StorePersistence
from bot.runtime.polling_watch import UpdatesLost, serve_until
from bot.runtime.telegram_http import AiohttpRequest, SharedConnections
from bot.services import Services, open_services
from bot.staff_chat import StaffChat
from bot.staff_desk import NoStaffChat, StaffDesk
from bot.staff_requests import StaffRequests
from bot.status_watch import StatusWatcher
from bot.store.db import ClinicDb, Fence, SqliteDatabase, Synchronous
from bot.store.inbox import UpdateInbox
from bot.treats import RetryPolicy, TreatsError
from bot.when import warm_up
from conversations import blocked_owners, staff
from conversations.after_booking import tell_untold
from conversations.common import CONTEXT_TYPES, Context, PerChatUpdateProcessor
from conversations.reminder_messages import change_notifier, reminder_sender
from conversations.router import CONVERSATION_TIMEOUT, build_conversation
from conversations.runtime import BotData
from conversations.session import restore_session
from conversations.staff_transport import TelegramStaffTransport

logger = logging.getLogger("vetbot.app")

PERSISTENCE_FLUSH_SECONDS: Final = 1.0
FLOOD_RETRIES: Final = 3
SHUTDOWN_FLUSH_SECONDS: Final = 3.0
STORE_PROBE_UPDATE_ID: Final = -1
"""/readyz proves the store writable by recording this (impossible) update id."""
EXIT_UPDATES_LOST: Final = 1
"""`vetbot run` stopped because Telegram refused the token while running."""
POLL_TIMEOUT_SECONDS: Final = 30
STOP_POLLING_SECONDS: Final = 1.5
"""How long a stop waits for Telegram to confirm the last updates fetched (PTB would wait its
5 s read time-out); what is not confirmed comes again at the next start."""
_PTB_UPDATER_LOGGER: Final = "telegram.ext.Updater"
_PTB_ACKNOWLEDGEMENT_FAILED: Final = "Error while calling `get_updates` one more time"
"""The start of PTB's message when its last getUpdates at stop fails (telegram/ext/_updater.py)."""
COMMANDS: Final = {
    "fr": [
        ("start", "Commencer ou revenir au menu"),
        ("rdv", "Prendre rendez-vous"),
        ("annuler", "Annuler la réservation en cours"),
        ("langue", "Changer de langue"),
        ("oublier", "Effacer mes données"),
    ],
    "en": [
        ("start", "Start or back to the menu"),
        ("book", "Book an appointment"),
        ("cancel", "Cancel the booking in progress"),
        ("language", "Change language"),
        ("forget", "Erase my data"),
    ],
}


def build_application(
    settings: Settings,
    services: Services,
    *,
    conversation_timeout: timedelta = CONVERSATION_TIMEOUT,
    flood: FloodLimits = TELEGRAM_FLOOD_LIMITS,
    telegram: SharedConnections | None = None,
) -> Application:
    """The PTB Application for these settings and services (not started). ``telegram``: the
    connections a clinic group's bots share."""
    persistence_db, owns_database = _persistence_database(services)
    persistence = StorePersistence(
        persistence_db,
        owns_database=owns_database,
        update_interval=PERSISTENCE_FLUSH_SECONDS,
        # bot_data holds the live services: never persisted; chat_data is unused.
        store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
        context_types=CONTEXT_TYPES,
        restore_user_data=restore_session,
    )
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_url + "/bot")
        .base_file_url(settings.telegram_api_url + "/file/bot")
        .persistence(persistence)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(_rate_limiter(flood))
        .concurrent_updates(PerChatUpdateProcessor(metrics=services.metrics))
        .request(AiohttpRequest(shared=telegram))
        .get_updates_request(AiohttpRequest(1, shared=telegram))
        .build()
    )
    runtime = _runtime(application)
    runtime.services = services
    staff_chat = None
    if settings.staff_chat_id is not None:
        staff_chat = runtime.staff_chat = StaffChat(services.store, settings.staff_chat_id)
        services.metrics.watch_staff_chat(lambda: staff_chat.reachable)
    application.add_handlers(blocked_owners.handlers(), group=blocked_owners.REACH_GROUP)
    for group, staff_handlers in staff.handlers(staff_chat).items():
        application.add_handlers(staff_handlers, group=group)
    application.add_handler(build_conversation(conversation_timeout))
    application.add_error_handler(_on_error)
    return application


def updates_task(application: Application) -> asyncio.Task[None] | None:
    """The bot's own getUpdates loop, when it is not PTB's (see ``serve_until``)."""
    return _runtime(application).updates_task


def _runtime(application: Application) -> BotData:
    """The application's typed bot_data (`CONTEXT_TYPES` makes PTB build a `BotData`)."""
    runtime = application.bot_data
    assert isinstance(runtime, BotData), "built without CONTEXT_TYPES"
    return runtime


def _rate_limiter(flood: FloodLimits) -> AIORateLimiter:
    """Paces every outgoing call under Telegram's limits; a 429 that slips through is waited
    out and retried here, then reaches the caller (the outbox and reminders keep the message
    and try again later)."""
    return AIORateLimiter(
        overall_max_rate=flood.overall_rate,
        overall_time_period=flood.overall_period,
        group_max_rate=flood.group_rate,
        group_time_period=flood.group_period,
        max_retries=FLOOD_RETRIES,
    )


async def _after_start(application: Application) -> None:
    """Commands in both languages; settle bookings a previous run left in flight."""
    bot = application.bot
    for language, commands in COMMANDS.items():
        await bot.set_my_commands(
            [BotCommand(name, text) for name, text in commands],
            scope=BotCommandScopeAllPrivateChats(),
            language_code=None if language == "fr" else language,
        )
    warm_up()  # the first owner's time phrase is as fast as the rest
    runtime = _runtime(application)
    services = runtime.services
    purged = services.store.purge_old()
    if purged:
        logger.info("retention: %d old row(s) deleted", purged)
    for result in await services.booking.resume_interrupted():
        logger.warning(
            "booking %s interrupted by a restart settled as %s",
            result.record.booking_id,
            result.outcome,
        )
    if runtime.staff_chat is not None:
        await staff.check_staff_chat(bot, runtime.staff_chat)
    told = await tell_untold(application, services, runtime.followups)
    if told:
        logger.info("told owners and staff how %d booking(s) settled meanwhile", told)


def _staff_desk(
    application: Application, settings: Settings, services: Services, flood: FloodLimits
) -> Outbox:
    """The outbox delivering staff messages through this bot, and the staff desk."""
    runtime = _runtime(application)
    staff_chat = runtime.staff_chat
    outbox = Outbox(
        services.store,
        TelegramStaffTransport(application.bot),
        services.clock,
        realert_after=settings.staff_realert_after,
        staff_language=services.catalogs[services.clinic.locale],
        pacer=GroupPacer(flood),
        staff_chat=staff_chat,
    )
    if staff_chat is not None:
        runtime.staff_desk = StaffDesk(
            outbox=outbox,
            requests=StaffRequests(services.store, services.clock),
            chat=staff_chat,
            announce=settings.staff_announce,
        )
    return outbox


@contextlib.asynccontextmanager
async def _webhook(
    application: Application,
    settings: Settings,
    services: Services,
    shared: GroupShared | None = None,
) -> AsyncIterator[None]:
    """Register the webhook with Telegram and serve it (with /healthz, /readyz): on a server
    of its own, or on the clinic group's at ``{WEBHOOK_URL}/{clinic_id}``; with several
    instances, the updates any instance recorded for the clinic are fed to its bot."""
    if settings.webhook_url is None:
        raise ConfigError("WEBHOOK_URL is missing: webhook mode needs the public URL")
    secret = webhook_secret(settings)
    endpoint = WebhookEndpoint(application, services, secret, _readiness(application, services))
    group = shared.webhooks if shared is not None else None
    async with contextlib.AsyncExitStack() as serving:
        if group is None:
            url = settings.webhook_url
            path = urlsplit(url).path or WEBHOOK_PATH
            web = create_web_app(endpoint, path, week_view_routes(application, settings, services))
            await serving.enter_async_context(
                serve_asgi(web, host=settings.webhook_listen, port=settings.webhook_port)
            )
            logger.info("listening on port %d", settings.webhook_port)
        else:
            url = group.url_for(services.clinic.id)
            serving.enter_context(group.registered(services.clinic.id, endpoint))
            if shared is not None and shared.inbox is not None and shared.listener is not None:
                clinic_id = services.clinic.id
                _pump_inbox(
                    serving, application, services, shared.inbox, shared.listener.waker(clinic_id)
                )
                serving.callback(shared.listener.forget, clinic_id)
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        logger.info("webhook registered at %s", url)
        yield


def _pump_inbox(
    serving: contextlib.AsyncExitStack,
    application: Application,
    services: Services,
    inbox: UpdateInbox,
    wake: asyncio.Event,
) -> InboxPump:
    """The clinic's recorded updates fed to its bot until ``serving`` closes."""
    pump = InboxPump(inbox, services.store.clinic_db, application, wake)
    processor = application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        processor.on_done = pump.done
    task = asyncio.create_task(pump.run(), name="inbox-pump")
    serving.push_async_callback(_cancelled, task)
    return pump


def _poll_into_inbox(
    serving: contextlib.AsyncExitStack,
    application: Application,
    services: Services,
    inbox: UpdateInbox,
    poll_timeout: int,
) -> None:
    """Polling for a clinic of a group on several instances: each fetched batch recorded in
    the inbox before Telegram is told it was received (`bot.launch.inbox_poller`)."""
    pump = _pump_inbox(serving, application, services, inbox, asyncio.Event())
    poller = InboxPoller(
        application.bot,
        inbox,
        services.clinic.id,
        pump,
        timeout=poll_timeout,
        allowed_updates=Update.ALL_TYPES,
    )
    task = asyncio.create_task(poller.run(), name="inbox-poller")
    _runtime(application).updates_task = task
    serving.push_async_callback(_cancelled, task)


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def _readiness(application: Application, services: Services) -> dict[str, ReadinessCheck]:
    """What /readyz checks: Telegram and Treats reachable, the store writable, the bot in the
    staff chat."""

    async def telegram() -> tuple[bool, str]:
        try:
            me = await application.bot.get_me()
        except TelegramError as error:
            return False, error.message
        return True, f"@{me.username}"

    async def treats() -> tuple[bool, str]:
        try:
            types = await services.treats.appointment_types()
        except TreatsError as error:
            return False, error.message
        return True, f"{len(types)} appointment types"

    async def store() -> tuple[bool, str]:
        try:
            services.store.seen_update(STORE_PROBE_UPDATE_ID)
        except Exception as error:  # any failure to write means not ready
            return False, type(error).__name__
        return True, "writable"

    checks = {"telegram": telegram, "treats": treats, "store": store}
    staff_chat = _runtime(application).staff_chat
    if staff_chat is not None:

        async def staff_group() -> tuple[bool, str]:
            """The bot removed from the staff group: alerts would wait unseen."""
            return staff_chat.reachable, staff_chat.detail

        checks["staff_chat"] = staff_group
    return checks


def _owner_followers(
    application: Application, settings: Settings, services: Services
) -> tuple[Reminders, StatusWatcher]:
    """Reminders and the watcher of clinic-side changes (the reminders are rebuilt from the
    store once the bot gets updates: `_rebuild_reminders`)."""
    reminders = Reminders(
        services.store,
        services.clock,
        reminder_sender(application),
        tz=services.clinic.tz,
        first=settings.reminder_first,
        second=settings.reminder_second,
        quiet=settings.quiet_window,
    )
    runtime = _runtime(application)
    runtime.reminders = reminders
    watcher = StatusWatcher(
        services.treats, services.store, services.clock, share=settings.status_quota_share
    )
    runtime.watcher = watcher
    return reminders, watcher


def _rebuild_reminders(reminders: Reminders) -> None:
    """Plan what the store holds: after the start-up settled interrupted bookings."""
    planned = reminders.rebuild()
    if planned:
        logger.info("reminders rebuilt for %d booking(s)", planned)


def _followups(
    application: Application, services: Services, reminders: Reminders, watcher: StatusWatcher
) -> BookingFollowUps:
    """What follows every confirmation, once for the bot: the staff desk (or "no staff chat"),
    the reminders and the watcher; the owner's chat is given per confirmation."""
    runtime = _runtime(application)
    followups = BookingFollowUps(
        store=services.store,
        metrics=services.metrics,
        staff=runtime.staff_desk if runtime.staff_desk is not None else NoStaffChat(),
        staff_language=services.catalogs[services.clinic.locale],
        phone_display=services.clinic.phone_display,
        reminders=reminders,
        watcher=watcher,
    )
    runtime.followups = followups
    return followups


def _persistence_database(services: Services) -> tuple[ClinicDb, bool]:
    """Where PTB's state goes: the store's database, on a SQLite connection of its own
    (``synchronous=NORMAL``, see bot.runtime.persistence), or the store's connection when it is
    PostgreSQL or shared by a clinic group (one connection for every clinic, not two each).
    True when the persistence owns (and closes) it."""
    store = services.store
    database = store.database
    if isinstance(database, SqliteDatabase) and store.owns_database:
        own = SqliteDatabase.open(database.path, synchronous=Synchronous.NORMAL)
        return ClinicDb(own, store.clinic), True
    return store.clinic_db, False  # with the lease's fence, if any


def _close_persistence(application: Application) -> None:
    persistence = application.persistence
    if isinstance(persistence, StorePersistence):
        persistence.close()


async def _on_error(update: object, context: Context) -> None:
    """Log the failure; tell the owner kindly that something went wrong on our side.

    Telegram out of reach (a time-out, a 5xx) is a warning, not a traceback: nothing in our
    code is wrong, and the owner is told all the same."""
    if isinstance(context.error, NetworkError):
        logger.warning("update failed, Telegram unreachable: %r", context.error)
    else:
        logger.error("update failed: %r", context.error, exc_info=context.error)
    context.services.metrics.update_errors.inc()
    processor = context.application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        processor.mark_failed(update)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    with contextlib.suppress(Exception):
        _ = context.translator
        await update.effective_chat.send_message(
            _("Oups, un souci de mon côté. Réessayez dans un instant, ou tapez /start.")
        )


class _AcknowledgementErrorFilter(logging.Filter):
    """Holds back PTB's ERROR, with a traceback, for its last getUpdates at stop failing, and
    keeps the error for one warning line instead (see `_stop_polling`)."""

    def __init__(self) -> None:
        super().__init__()
        self.error: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(_PTB_ACKNOWLEDGEMENT_FAILED):
            return True
        self.error = record.exc_info[1] if record.exc_info else None
        return False


async def _stop_polling(updater: Updater) -> None:
    """Stop getting updates, at once and quietly.

    PTB's ``Updater.stop`` cancels the pending long poll rather than wait for its timeout
    (PTB cancels the request's task; `AiohttpRequest` lets the cancellation through and aiohttp
    closes the connection), then confirms what the bot fetched with one more ``getUpdates``
    (the next offset, timeout 0, so PTB's read time-out of 5 s). That last call failing
    (Telegram slow or out of reach at that moment) is logged by PTB as an ERROR with a
    traceback; PTB goes on stopping all the same, and nothing is lost: Telegram keeps what no
    later offset confirmed (usually the cancelled poll, sent with that offset, had already) and
    sends it again at the next start. Here it is one warning, as for Telegram out of reach
    during an update.
    """
    held = _AcknowledgementErrorFilter()
    ptb_logger = logging.getLogger(_PTB_UPDATER_LOGGER)
    ptb_logger.addFilter(held)
    try:
        await asyncio.wait_for(updater.stop(), STOP_POLLING_SECONDS)
    except TimeoutError as late:
        held.error = held.error or late  # a slow confirmation must not hold a clean stop
    except InvalidToken:
        return  # the polling had ended on a refused token (see runtime/polling_watch.py)
    finally:
        ptb_logger.removeFilter(held)
    if held.error is not None:
        logger.warning(
            "stopping: Telegram did not confirm the last updates (%r); "
            "it may send them again at the next start",
            held.error,
        )


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings,
    clinic: ClinicConfig,
    *,
    clock: Clock = system_clock,
    treats_transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    poll_timeout: int = POLL_TIMEOUT_SECONDS,
    conversation_timeout: timedelta = CONVERSATION_TIMEOUT,
    mode: Literal["polling", "webhook"] = "polling",
    flood: FloodLimits = TELEGRAM_FLOOD_LIMITS,
    shared: GroupShared | None = None,
    fence: Fence | None = None,
) -> AsyncIterator[Application]:
    """The bot getting updates (polling, or webhook with /healthz and /readyz) until the block
    exits; then a clean, flushed stop. ``shared``: what the clinics of a group share (the
    database, the connections to Telegram, the webhook server); ``fence``: the clinic's lease
    when the group runs on several instances."""
    async with open_services(
        settings,
        clinic,
        clock=clock,
        treats_transport=treats_transport,
        retry=retry,
        database=shared.database if shared is not None else None,
        fence=fence,
        webhook=mode == "webhook",
    ) as services:
        application = build_application(
            settings,
            services,
            conversation_timeout=conversation_timeout,
            flood=flood,
            telegram=shared.telegram if shared is not None else None,
        )
        try:
            async with application:  # initialize (persistence loaded) ... shutdown (flushed)
                outbox = _staff_desk(application, settings, services, flood)
                reminders, watcher = _owner_followers(application, settings, services)
                _followups(application, services, reminders, watcher)
                await _after_start(application)
                await application.start()
                updates = contextlib.AsyncExitStack()
                tasks: list[asyncio.Task[None]] = []
                try:
                    if mode == "webhook":
                        await updates.enter_async_context(
                            _webhook(application, settings, services, shared)
                        )
                    elif shared is not None and shared.inbox is not None:
                        _poll_into_inbox(updates, application, services, shared.inbox, poll_timeout)
                    else:
                        assert application.updater is not None
                        await application.updater.start_polling(
                            timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
                        )
                    # In webhook mode the page is on the webhook's server (_webhook).
                    week_view = (
                        week_view_routes(application, settings, services)
                        if mode == "polling" and shared is None
                        else []
                    )
                    if week_view:
                        await updates.enter_async_context(
                            serve_asgi(
                                create_mini_app_server(week_view),
                                host=settings.webhook_listen,
                                port=settings.webhook_port,
                            )
                        )
                        logger.info("week view served on port %d", settings.webhook_port)
                    _rebuild_reminders(reminders)
                    tasks = [
                        asyncio.create_task(outbox.run(), name="staff-outbox"),
                        asyncio.create_task(reminders.run(), name="reminders"),
                        asyncio.create_task(
                            watcher.run(change_notifier(application, reminders)),
                            name="status-watch",
                        ),
                    ]
                    yield application
                finally:
                    if application.updater is not None and application.updater.running:
                        await _stop_polling(application.updater)
                    await updates.aclose()
                    await application.stop()
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    # What the last updates queued, within bounds: what is left (a long burst
                    # paced by flood control) stays in the outbox for the next start.
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(outbox.deliver_due(), SHUTDOWN_FLUSH_SECONDS)
        finally:
            _close_persistence(application)


async def serve_until_signalled(
    settings: Settings, clinic: ClinicConfig, mode: Literal["polling", "webhook"] = "polling"
) -> int:
    """`vetbot run` / `vetbot webhook`: get updates until SIGTERM or SIGINT (exit status 0),
    or until Telegram refuses the token (1: a supervisor restarting the process would only
    be refused again; the operator must set the new token)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running_bot(settings, clinic, mode=mode) as application:
            logger.info(
                "vetbot running as @%s (%s, %s event loop)",
                application.bot.username,
                mode,
                event_loop.loop_name(),
            )
            await serve_until(application, stop, updates_task(application))
            logger.info("stopping: finishing updates in flight")
    except UpdatesLost as lost:
        logger.error("%s; stopped (exit status 1)", lost)
        return EXIT_UPDATES_LOST
    logger.info("stopped cleanly")
    return 0


def run_polling(settings: Settings, clinic: ClinicConfig) -> int:
    """`vetbot run` for one clinic; the process's exit status."""
    return event_loop.run(serve_until_signalled(settings, clinic))


def run_webhook(settings: Settings, clinic: ClinicConfig) -> int:
    """`vetbot webhook` for one clinic; the process's exit status."""
    if settings.webhook_url is None:
        raise ConfigError("WEBHOOK_URL is missing: webhook mode needs the public URL")
    return event_loop.run(serve_until_signalled(settings, clinic, mode="webhook"))
