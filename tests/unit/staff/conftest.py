"""Fixtures for the staff-side tests: a frozen clock, a fresh store, a scripted staff chat, and
the staff's language in French and in English."""

from __future__ import annotations

import asyncio
import gettext
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.i18n import Catalogs, Translator
from bot.outbox import Outbox, StaffMessage
from bot.store import Store, db_path

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
"""Monday 23 November 2026, 09:00 in Paris."""
STAFF_CHAT = -100123
REALERT_AFTER = timedelta(minutes=5)
PARIS = ZoneInfo("Europe/Paris")
CATALOGS = Catalogs(PARIS)
FR = CATALOGS["fr"]
"""The staff's language in the tests: the clinic's locale."""
ENGLISH = {
    "❌ Demande d'annulation": "❌ Cancellation request",
    "🔁 Demande de déplacement": "🔁 Reschedule request",
    "🆕 Demande d'inscription": "🆕 Registration request",
    "🐾 Nouvel animal à ajouter": "🐾 New pet to add",
    "⚠️ RDV à vérifier (réponse du logiciel perdue)": (
        "⚠️ Appointment to check (the software's answer was lost)"
    ),
    "RDV": "Appt",
    "RDV Treats": "Treats appt",
    "Remplacé par": "Replaced by",
    "rdv": "appt",
    "Fait": "Done",
    "Refusé": "Refused",
    "Bien réservé": "Booked",
    "Pas réservé": "Not booked",
    "signalée par le client": "reported by the owner",
}
"""The English the catalog will give the new staff message ids (`make catalogs` not run)."""


PLURALS = {"{n} an": ("{n} year", "{n} years"), "{n} mois": ("{n} month", "{n} months")}
"""The English of the new plural message ids, by singular."""


class _Catalog(gettext.NullTranslations):
    """The new message ids in English, the rest from the English catalog."""

    def gettext(self, message: str) -> str:
        return ENGLISH.get(message) or super().gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if msgid1 in PLURALS:
            return PLURALS[msgid1][n != 1]
        return super().ngettext(msgid1, msgid2, n)


def english() -> Translator:
    """An English translator knowing the new staff texts (the catalog is not yet extracted)."""
    catalog = _Catalog()
    catalog.add_fallback(CATALOGS["en"]._translations)
    return Translator("en", PARIS, catalog)


@dataclass
class Posted:
    chat_id: int
    message_id: int
    message: StaffMessage


@dataclass
class FakeStaffChat:
    """A StaffTransport that records what the staff chat would show.

    ``errors`` are raised, in order, by the next calls (send or edit); ``gate`` (when set)
    holds every send until it is opened, to act while a send is in flight.
    """

    sent: list[Posted] = field(default_factory=list)
    edits: list[Posted] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    gate: asyncio.Event | None = None
    calls: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set by every successful send."""

    async def send(self, chat_id: int, message: StaffMessage) -> int:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.errors:
            raise self.errors.pop(0)
        message_id = 1000 + len(self.sent)
        self.sent.append(Posted(chat_id, message_id, message))
        self.arrived.set()
        return message_id

    async def edit(self, chat_id: int, message_id: int, message: StaffMessage) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        self.edits.append(Posted(chat_id, message_id, message))

    def texts(self) -> list[str]:
        return [posted.message.text for posted in self.sent]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return db_path(tmp_path / "data")


@pytest.fixture
def store(db_file: Path, clock: ManualClock) -> Iterator[Store]:
    with Store.open(db_file, clock) as opened:
        yield opened


@pytest.fixture
def chat() -> FakeStaffChat:
    return FakeStaffChat()


@pytest.fixture
def outbox(store: Store, chat: FakeStaffChat, clock: ManualClock) -> Outbox:
    return Outbox(store, chat, clock, realert_after=REALERT_AFTER, staff_language=FR)
