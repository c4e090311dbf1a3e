"""The bot's HTTP side in webhook mode: Telegram's webhook, `/healthz`, `/readyz`, `/metrics`.

Telegram POSTs each update with the `X-Telegram-Bot-Api-Secret-Token` header registered by
setWebhook; anything else gets 403 and is not processed. Telegram redelivers an update whose
answer it did not get: an update id already seen is acknowledged and dropped (the store
remembers ids for a day). Part of the composition root: it knows Telegram.

A single clinic is served by `create_web_app`; a clinic group by one `GroupWebhooks` server
where each clinic's bot registers its endpoint (`{WEBHOOK_URL}/{clinic_id}`, its own secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.miniapp.routes import group_mini_app_routes
from bot.miniapp.week_api import WeekApi
from bot.runtime.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.runtime.metrics import ClinicLabelled
from bot.services import Services
from bot.store.inbox import UpdateInbox

logger = logging.getLogger("vetbot.web")

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH: Final = "/telegram"
MAX_UPDATE_BYTES: Final = 1_000_000

ReadinessCheck = Callable[[], Awaitable[tuple[bool, str]]]


class _Fixed:
    """A collector of metric families already computed (for one scrape)."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        yield from self._families


async def _delivered_body(request: Request, secret: str) -> bytes | Response:
    """The body of a POST from Telegram, or the refusal: a wrong or missing secret token (403),
    too large (413)."""
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        logger.warning("webhook call refused: wrong or missing secret token")
        return PlainTextResponse("forbidden", status_code=403)
    body = await request.body()
    if len(body) > MAX_UPDATE_BYTES:
        return PlainTextResponse("too large", status_code=413)
    return body


@dataclass(frozen=True)
class WebhookEndpoint:
    """One bot's side of the webhook: where its updates go and what proves it ready."""

    application: Application
    services: Services
    secret: str
    readiness: Mapping[str, ReadinessCheck]

    async def receive(self, request: Request) -> Response:
        """One POST from Telegram: the secret checked, the update queued once."""
        body = await _delivered_body(request, self.secret)
        if isinstance(body, Response):
            return body
        try:
            payload: dict[str, Any] = json.loads(body)
            update = Update.de_json(payload, self.application.bot)
        except ValueError:
            return PlainTextResponse("bad update", status_code=400)
        if update is None:
            return PlainTextResponse("bad update", status_code=400)
        if self.services.store.seen_update(update.update_id):
            logger.info("update %s redelivered: already handled", update.update_id)
            return PlainTextResponse("ok")
        await self.application.update_queue.put(update)
        return PlainTextResponse("ok")

    async def check(self) -> tuple[bool, dict[str, dict[str, Any]]]:
        """Every readiness check: whether all pass, and each one's result."""
        results = {name: await check() for name, check in self.readiness.items()}
        ready = all(ok for ok, _ in results.values())
        return ready, {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()}


async def _healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_web_app(
    endpoint: WebhookEndpoint, path: str = WEBHOOK_PATH, extra: Sequence[BaseRoute] = ()
) -> Starlette:
    """The ASGI app served in webhook mode for one clinic; ``extra``: the week view's routes."""

    async def metrics(request: Request) -> Response:
        return Response(endpoint.services.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def readyz(request: Request) -> Response:
        ready, checks = await endpoint.check()
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    return Starlette(
        routes=[
            Route(path, endpoint.receive, methods=["POST"]),
            Route("/healthz", _healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *extra,
        ]
    )


def create_mini_app_server(routes: Sequence[BaseRoute]) -> Starlette:
    """The ASGI app served in polling mode when the clinic has a week view: its routes and
    /healthz (Telegram's updates still come by polling)."""
    return Starlette(routes=[Route("/healthz", _healthz, methods=["GET"]), *routes])


class WeekViews(Protocol):
    """Every clinic's week view API (``bot.launch.group_week_view.GroupWeekViews``)."""

    def api_for(self, clinic_id: str) -> WeekApi | None: ...


class GroupView(Protocol):
    """What the group's web server asks of the group (``ClinicGroup``)."""

    def states(self) -> Mapping[str, tuple[str, str]]:
        """Each clinic run here: its state ("serving", "starting", "failed") and detail."""
        ...

    def webhook_secrets(self) -> Mapping[str, str]:
        """Each clinic of the group (run here or not): its webhook secret token."""
        ...

    def lease_changes(self) -> Mapping[str, int]:
        """How many leases this instance took, gave back and lost since it started."""
        ...


class _NoGroupYet:
    """Before ``attach``: no clinic known, nothing to report."""

    def states(self) -> Mapping[str, tuple[str, str]]:
        return {}

    def webhook_secrets(self) -> Mapping[str, str]:
        return {}

    def lease_changes(self) -> Mapping[str, int]:
        return {}


def webhook_secret(settings: Settings) -> str:
    """The secret token Telegram sends with each update: ``WEBHOOK_SECRET`` (a clinic's
    ``webhook_secret_env``), else one derived from the bot token, the same on every instance
    of a group and at every restart without being stored anywhere (whoever has the token can
    already do anything with the bot). Telegram accepts 1-256 of ``A-Z a-z 0-9 _ -``."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    key = settings.telegram_bot_token.get_secret_value().encode()
    digest = hmac.new(key, b"vetbot webhook secret token", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class GroupWebhooks:
    """One HTTP server for a clinic group: each serving clinic's bot registers its endpoint.

    - ``POST {path}/{clinic}``: the clinic's updates, checked against its own secret. A clinic
      declared but not serving yet (starting, restarting after a reload, failed) answers 503
      and Telegram delivers again later; an unknown one 404.
    - ``GET /readyz``: the process: 200 while the database is writable and a clinic serves;
      the body lists every clinic's state. One clinic's trouble does not take the server out
      of a load balancer: that would stop every other clinic's updates too.
    - ``GET /readyz/{clinic}``: that clinic's checks (Telegram, Treats, the store, the staff
      chat), 200 or 503, as ``/readyz`` for a single clinic.
    - ``GET /metrics``: every clinic's metrics with a ``clinic`` label, and how many clinics
      are in each state.
    """

    def __init__(
        self,
        webhook_url: str,
        inbox: UpdateInbox | None = None,
        week_views: WeekViews | None = None,
        week_view_url: str | None = None,
    ) -> None:
        self._base_url = webhook_url.rstrip("/")
        self._path = urlsplit(self._base_url).path.rstrip("/")
        self._group: GroupView = _NoGroupYet()
        self._inbox = inbox
        self._endpoints: dict[str, WebhookEndpoint] = {}
        self._week_views = week_views
        self._week_view_path = urlsplit(week_view_url).path if week_view_url else None

    def attach(self, group: GroupView) -> None:
        """The group this server answers for (it is built with the server in hand)."""
        self._group = group

    def url_for(self, clinic_id: str) -> str:
        """What the clinic's bot registers with setWebhook."""
        return f"{self._base_url}/{clinic_id}"

    @contextmanager
    def registered(self, clinic_id: str, endpoint: WebhookEndpoint) -> Iterator[None]:
        """The clinic's updates go to ``endpoint`` within the block."""
        self._endpoints[clinic_id] = endpoint
        try:
            yield
        finally:
            if self._endpoints.get(clinic_id) is endpoint:
                del self._endpoints[clinic_id]

    def app(self) -> Starlette:
        week_view: list[BaseRoute] = []
        if self._week_views is not None and self._week_view_path is not None:
            # Each clinic's page at {week view path}/{clinic} (docs/mini-app.md).
            week_view = group_mini_app_routes(self._week_views.api_for, self._week_view_path)
        return Starlette(
            routes=[
                Route(self._path + "/{clinic}", self._receive, methods=["POST"]),
                Route("/healthz", _healthz, methods=["GET"]),
                Route("/readyz", self._readyz, methods=["GET"]),
                Route("/readyz/{clinic}", self._clinic_readyz, methods=["GET"]),
                Route("/metrics", self._metrics, methods=["GET"]),
                *week_view,
            ]
        )

    def _not_serving(self, clinic_id: str) -> Response:
        state = self._group.states().get(clinic_id)
        if state is None:
            return PlainTextResponse("no such clinic", status_code=404)
        return PlainTextResponse(f"clinic {state[0]}", status_code=503)

    async def _receive(self, request: Request) -> Response:
        clinic_id = request.path_params["clinic"]
        if self._inbox is not None:
            return await self._record(clinic_id, request)
        endpoint = self._endpoints.get(clinic_id)
        if endpoint is None:
            return self._not_serving(clinic_id)
        return await endpoint.receive(request)

    async def _record(self, clinic_id: str, request: Request) -> Response:
        """Several instances: any of them takes any clinic's update into the inbox, and
        Telegram is answered once it is there (the clinic's holder handles it)."""
        secret = self._group.webhook_secrets().get(clinic_id)
        if secret is None:
            return PlainTextResponse("no such clinic", status_code=404)
        body = await _delivered_body(request, secret)
        if isinstance(body, Response):
            return body
        try:
            payload = json.loads(body)
            update_id = int(payload["update_id"])
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("bad update", status_code=400)
        if not self._inbox.record(clinic_id, update_id, payload):
            logger.info("update %s of %s redelivered: already recorded", update_id, clinic_id)
        return PlainTextResponse("ok")

    async def _readyz(self, request: Request) -> Response:
        states = self._group.states()
        clinics = {
            cid: {"state": state, "detail": detail} for cid, (state, detail) in states.items()
        }
        store_ok, store_detail = await self._store_writable()
        serves = any(state == "serving" for state, _ in states.values())
        # Several instances: this one takes every clinic's updates into the inbox even while
        # it runs none of them (another instance holds them all), so it is ready on its own.
        ready = store_ok and (serves or self._inbox is not None)
        body = {
            "ready": ready,
            "store": {"ok": store_ok, "detail": store_detail},
            "serving": sum(1 for state, _ in states.values() if state == "serving"),
            "clinics": clinics,
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    async def _store_writable(self) -> tuple[bool, str]:
        """The shared database, written through any serving clinic's store probe."""
        if self._inbox is not None:
            return self._inbox.reachable()
        for endpoint in list(self._endpoints.values()):
            check = endpoint.readiness.get("store")
            if check is not None:
                return await check()
        return False, "no clinic serving"

    async def _clinic_readyz(self, request: Request) -> Response:
        clinic_id = request.path_params["clinic"]
        endpoint = self._endpoints.get(clinic_id)
        if endpoint is None:
            state = self._group.states().get(clinic_id)
            if state is None:
                return JSONResponse({"ready": False, "detail": "no such clinic"}, status_code=404)
            body = {"ready": False, "state": state[0], "detail": state[1]}
            return JSONResponse(body, status_code=503)
        ready, checks = await endpoint.check()
        body = {"ready": ready, "state": "serving", "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    async def _metrics(self, request: Request) -> Response:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self._labelled())
        counts = Gauge("vetbot_clinics", "Declared clinics by state", ["state"], registry=registry)
        for state, _ in self._group.states().values():
            counts.labels(state).inc()
        changes = CounterMetricFamily(
            "vetbot_lease_changes",
            "Clinic leases this instance took, gave back and lost since it started",
            labels=["change"],
        )
        for change, count in self._group.lease_changes().items():
            changes.add_metric([change], count)
        registry.register(_Fixed([changes]))
        if self._inbox is not None:
            self._inbox_metrics(registry)
        return Response(generate_latest(registry), media_type=METRICS_CONTENT_TYPE)

    def _inbox_metrics(self, registry: CollectorRegistry) -> None:
        """Per clinic run here: updates recorded and not handled, and the oldest one's age."""
        pending = Gauge(
            "vetbot_inbox_pending",
            "Updates recorded, not yet handled",
            ["clinic"],
            registry=registry,
        )
        lag = Gauge(
            "vetbot_inbox_lag_seconds",
            "Age of the oldest update not yet handled",
            ["clinic"],
            registry=registry,
        )
        depths = self._inbox.depths() if self._inbox is not None else {}
        for clinic_id in self._group.states():
            depth = depths.get(clinic_id)
            pending.labels(clinic_id).set(depth.pending if depth else 0)
            lag.labels(clinic_id).set(depth.oldest_seconds if depth else 0.0)

    def _labelled(self) -> Collector:
        registries = {cid: e.services.metrics.registry for cid, e in self._endpoints.items()}
        return ClinicLabelled(registries)
