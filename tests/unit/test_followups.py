"""`bot.followups.BookingFollowUps`: what follows a confirmation, without Telegram or the
emulator (the owner's chat and the staff desk are fakes of its two Protocols)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.booking import ConfirmResult, Outcome
from bot.followups import BookingFollowUps
from bot.i18n import Catalogs, Translator
from bot.runtime.metrics import Metrics
from bot.staff_desk import Filing, NoStaffChat
from bot.store import BookingRecord, BookingState

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CATALOGS = Catalogs(ZoneInfo("Europe/Paris"))


def _record(booking_id: str = "b-new", at: datetime = NOW) -> BookingRecord:
    return BookingRecord(
        booking_id=booking_id,
        user_id=7,
        client_id="c1",
        patient_id="p1",
        vet_id="v1",
        appointment_type_id="t1",
        scheduled_at=at,
        duration_minutes=30,
        reason=None,
        is_urgent=False,
        pet_name="Mimi",
        vet_name="Dr Martin",
        type_name="Vaccin",
        state=BookingState.BOOKED,
        appointment_id="a1",
        detail=None,
        api_status="confirmed",
        display_status=None,
        created_at=NOW,
        updated_at=NOW,
        confirmed_at=NOW,
    )


@dataclass
class FakeStore:
    told: list[str] = field(default_factory=list)
    events: list[tuple[int, str]] = field(default_factory=list)

    def mark_told(self, booking_id: str) -> None:
        self.told.append(booking_id)

    def record_event(self, user_id: int, kind: str) -> None:
        self.events.append((user_id, kind))


@dataclass
class FakeStaff:
    can_file: bool = True
    announced: list[str] = field(default_factory=list)
    cancels: list[tuple[str, str]] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    def announce_settled(self, record: BookingRecord, _: Translator) -> None:
        self.announced.append(record.booking_id)
        self.languages.append(_.language)

    def ask_to_cancel(
        self, record: BookingRecord, _: Translator, *, replaced_by: BookingRecord | None = None
    ) -> Filing:
        assert replaced_by is not None
        self.cancels.append((record.booking_id, replaced_by.booking_id))
        self.languages.append(_.language)
        return Filing.FILED if self.can_file else Filing.UNAVAILABLE


@dataclass
class FakeOwner:
    translator: Translator
    said: list[str] = field(default_factory=list)

    async def send_calendar(self, record: BookingRecord) -> None:
        self.said.append(f"calendar {record.booking_id}")

    async def send_text(self, text: str) -> None:
        self.said.append(text)


@dataclass
class FakeReminders:
    planned: list[str] = field(default_factory=list)

    def schedule(self, record: BookingRecord) -> None:
        self.planned.append(record.booking_id)


@dataclass
class FakeWatcher:
    woken: int = 0

    def wake(self) -> None:
        self.woken += 1


@dataclass
class Desk:
    store: FakeStore = field(default_factory=FakeStore)
    staff: FakeStaff = field(default_factory=FakeStaff)
    reminders: FakeReminders = field(default_factory=FakeReminders)
    watcher: FakeWatcher = field(default_factory=FakeWatcher)
    metrics: Metrics = field(default_factory=Metrics)

    def followups(self, *, running: bool = True) -> BookingFollowUps:
        return BookingFollowUps(
            store=self.store,  # type: ignore[arg-type]
            metrics=self.metrics,
            staff=self.staff,
            staff_language=CATALOGS["fr"],
            phone_display="01 23 45 67 89 & co",
            reminders=self.reminders if running else None,  # type: ignore[arg-type]
            watcher=self.watcher if running else None,  # type: ignore[arg-type]
        )

    def counted(self, outcome: Outcome) -> float:
        value = self.metrics.registry.get_sample_value(
            "vetbot_bookings_total", {"outcome": str(outcome)}
        )
        return value or 0.0


async def test_a_booking_is_announced_planned_sent_and_recorded_once() -> None:
    desk = Desk()
    owner = FakeOwner(CATALOGS["fr"])
    result = ConfirmResult(Outcome.BOOKED, _record())
    after = desk.followups()
    after.count(result)
    await after.booked(result, owner)
    assert desk.counted(Outcome.BOOKED) == 1
    assert desk.staff.announced == ["b-new"]
    assert desk.store.told == ["b-new"]
    assert desk.reminders.planned == ["b-new"]
    assert desk.watcher.woken == 1
    assert owner.said == ["calendar b-new"]
    assert desk.store.events == [(7, "booked")]
    assert desk.staff.cancels == []


async def test_a_repeated_tap_does_nothing_again() -> None:
    desk = Desk()
    owner = FakeOwner(CATALOGS["fr"])
    result = ConfirmResult(Outcome.BOOKED, _record(), repeated=True)
    after = desk.followups()
    after.count(result)
    after.told(result)
    await after.booked(result, owner)
    assert desk.counted(Outcome.BOOKED) == 0
    assert desk.staff.announced == desk.store.told == []
    assert desk.store.events == owner.said == []
    assert desk.reminders.planned == []


async def test_a_move_asks_the_clinic_to_cancel_the_old_booking_and_says_so() -> None:
    desk = Desk()
    owner = FakeOwner(CATALOGS["fr"])
    old = _record("b-old", datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    await desk.followups().booked(ConfirmResult(Outcome.BOOKED, _record()), owner, replaces=old)
    assert desk.staff.cancels == [("b-old", "b-new")]
    assert owner.said[0] == "calendar b-new"
    assert "j'ai demandé à la clinique de l'annuler" in owner.said[1]
    assert "9 mars" in owner.said[1]


async def test_without_a_staff_chat_the_owner_is_asked_to_phone_in_their_language() -> None:
    desk = Desk(staff=FakeStaff(can_file=False))
    owner = FakeOwner(CATALOGS["en"])
    old = _record("b-old")
    await desk.followups().booked(ConfirmResult(Outcome.BOOKED, _record()), owner, replaces=old)
    assert "01 23 45 67 89 &amp; co" in owner.said[1]  # the phone, escaped for HTML
    assert "clinic" in owner.said[1]


async def test_no_chat_skips_what_the_owner_would_be_told_and_the_cancellation() -> None:
    desk = Desk()
    old = _record("b-old")
    await desk.followups().booked(ConfirmResult(Outcome.BOOKED, _record()), None, replaces=old)
    assert desk.staff.cancels == []
    assert desk.store.told == ["b-new"]
    assert desk.store.events == [(7, "booked")]


async def test_a_bare_application_plans_nothing() -> None:
    desk = Desk()
    result = ConfirmResult(Outcome.BOOKED, _record())
    await desk.followups(running=False).booked(result, FakeOwner(CATALOGS["fr"]))
    assert desk.reminders.planned == []
    assert desk.watcher.woken == 0
    assert desk.store.told == ["b-new"]


@pytest.mark.parametrize("outcome", [Outcome.UNCERTAIN, Outcome.SLOT_TAKEN, Outcome.UNAVAILABLE])
def test_other_outcomes_are_counted_and_told_to_the_staff(outcome: Outcome) -> None:
    desk = Desk()
    result = ConfirmResult(outcome, replace(_record(), state=BookingState.UNCERTAIN))
    after = desk.followups()
    after.count(result)
    after.told(result)
    assert desk.counted(outcome) == 1
    assert desk.staff.announced == ["b-new"]
    assert desk.store.told == ["b-new"]
    assert desk.reminders.planned == []


async def test_the_staff_hear_in_the_clinics_language_whatever_the_owners() -> None:
    desk = Desk()
    old = _record("b-old")
    owner = FakeOwner(CATALOGS["en"])
    await desk.followups().booked(ConfirmResult(Outcome.BOOKED, _record()), owner, replaces=old)
    assert desk.staff.languages == ["fr", "fr"]


async def test_without_a_staff_chat_nothing_is_filed_and_the_owner_must_phone() -> None:
    desk = Desk()
    after = BookingFollowUps(
        store=desk.store,  # type: ignore[arg-type]
        metrics=desk.metrics,
        staff=NoStaffChat(),
        staff_language=CATALOGS["fr"],
        phone_display="01 23 45 67 89",
    )
    owner = FakeOwner(CATALOGS["fr"])
    old = _record("b-old")
    await after.booked(ConfirmResult(Outcome.BOOKED, _record()), owner, replaces=old)
    assert "Pensez à appeler la clinique au 01 23 45 67 89" in owner.said[1]
    assert desk.store.told == ["b-new"]
