"""The bot's Prometheus metrics, served on /metrics in webhook mode.

Each bot owns its registry (no global state): tests and the demo run several bots in one
process. Label values stay few: endpoint templates, status codes, outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric

from bot.treats import CallRecord

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ACK_BUCKETS: Final = (30, 60, 120, 300, 600, 1200, 3600)


@dataclass(slots=True)
class UpdateTally:
    """The Treats calls one update waited on: its log line tells the bot's own time apart."""

    treats_calls: int = 0
    treats_seconds: float = 0.0


CURRENT_UPDATE: ContextVar[UpdateTally | None] = ContextVar("vetbot_current_update", default=None)
"""Set by the update processor for the task handling one update; read by `observe_treats`."""


class Metrics:
    """Counters, histograms and gauges of one running bot."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("vetbot_updates", "Telegram updates handled", registry=r)
        self.update_errors = Counter(
            "vetbot_update_errors", "Updates whose handler failed", registry=r
        )
        self.handler_seconds = Histogram(
            "vetbot_handler_seconds",
            "Time to handle one update",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.bookings = Counter(
            "vetbot_bookings", "Confirmations by outcome", ["outcome"], registry=r
        )
        self.urgent_alerts = Counter("vetbot_urgent_alerts", "Urgent alerts raised", registry=r)
        self.ack_seconds = Histogram(
            "vetbot_urgent_ack_seconds",
            "From an urgent alert to 'Je prends'",
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.treats_calls = Counter(
            "vetbot_treats_calls", "Treats API calls", ["endpoint", "status"], registry=r
        )
        self.quota_remaining = Gauge(
            "vetbot_treats_quota_remaining", "Requests left this hour (API headers)", registry=r
        )

    def observe_treats(self, call: CallRecord) -> None:
        """The Treats client's observer: one count per exchange (status 0: no answer)."""
        self.treats_calls.labels(call.endpoint, str(call.status)).inc()
        tally = CURRENT_UPDATE.get()
        if tally is not None:
            tally.treats_calls += 1
            tally.treats_seconds += call.seconds

    def watch_quota(self, remaining: Callable[[], int | None]) -> None:
        self.quota_remaining.set_function(lambda: float(remaining() or 0))

    def watch_staff_chat(self, reachable: Callable[[], bool]) -> None:
        """1 while the bot may post in the staff chat, 0 once Telegram shut it out."""
        gauge = Gauge(
            "vetbot_staff_chat_reachable",
            "1 while the bot can post in the staff chat",
            registry=self.registry,
        )
        gauge.set_function(lambda: 1.0 if reachable() else 0.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class ClinicLabelled:
    """A clinic group's metrics on one page: every clinic's registry, each sample labelled
    ``clinic``; a family appears once, with the samples of every clinic (the exposition
    format allows a family's ``# TYPE`` line only once)."""

    def __init__(self, registries: Mapping[str, CollectorRegistry]) -> None:
        self._registries = registries

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for clinic_id, registry in self._registries.items():
            for family in registry.collect():
                merged = families.get(family.name)
                if merged is None:
                    merged = Metric(family.name, family.documentation, family.type, family.unit)
                    families[family.name] = merged
                for sample in family.samples:
                    merged.add_sample(
                        sample.name,
                        {**sample.labels, "clinic": clinic_id},
                        sample.value,
                        sample.timestamp,
                        sample.exemplar,
                    )
        yield from families.values()
