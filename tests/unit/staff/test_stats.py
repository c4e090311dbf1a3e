"""/stats and /aujourdhui: counted in the clinic's days, zeros shown, each urgent case once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.outbox import Outbox, OutboxKind, StaffMessage
from bot.staff_stats import staff_stats, today_bookings
from bot.store import BookingState, Store
from tests.unit.staff.conftest import NOW, STAFF_CHAT
from tests.unit.store.drafts import draft

PARIS = ZoneInfo("Europe/Paris")
ALERT = StaffMessage("🚨 Urgence")


def _book(
    store: Store,
    clock: ManualClock,
    booking_id: str,
    *,
    at: datetime,
    state: BookingState = BookingState.BOOKED,
    urgent: bool = False,
    slot: datetime | None = None,
) -> None:
    """A booking the owner confirmed at ``at``."""
    clock.set(at)
    store.claim_booking(
        draft(booking_id=booking_id, is_urgent=urgent, scheduled_at=slot or at + timedelta(days=1))
    )
    store.finish_booking(
        booking_id, state, appointment_id="appt" if state is BookingState.BOOKED else None
    )
    clock.set(NOW)


def test_a_quiet_week_shows_seven_zero_days_ending_today(store: Store) -> None:
    stats = staff_stats(store, NOW, PARIS)

    assert stats.bookings_per_day == [(date(2026, 11, day), 0) for day in range(17, 24)]
    assert stats.urgent_cases == 0
    assert stats.median_minutes_to_confirm is None and stats.confirmations_measured == 0


def test_bookings_are_counted_on_the_local_day_they_were_made(
    store: Store, clock: ManualClock
) -> None:
    _book(store, clock, "a", at=datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 00:30 on the 23rd
    _book(store, clock, "b", at=datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    _book(store, clock, "c", at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), state="uncertain")
    _book(store, clock, "d", at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
    store.mark_cancelled("d")  # made through the bot all the same
    _book(store, clock, "e", at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC), state="failed")
    _book(store, clock, "f", at=datetime(2026, 11, 16, 22, 59, tzinfo=UTC))  # 16th in Paris

    per_day = dict(staff_stats(store, NOW, PARIS).bookings_per_day)

    assert per_day == {
        date(2026, 11, 17): 0,
        date(2026, 11, 18): 0,
        date(2026, 11, 19): 1,
        date(2026, 11, 20): 1,
        date(2026, 11, 21): 0,
        date(2026, 11, 22): 0,
        date(2026, 11, 23): 2,
    }


def test_an_urgent_case_is_counted_once_whether_it_alerted_booked_or_both(
    store: Store, clock: ManualClock, outbox: Outbox
) -> None:
    clock.set(NOW - timedelta(days=1))
    both = outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)  # alert, no booking
    clock.set(NOW - timedelta(days=9))
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT)  # too old
    clock.set(NOW)
    _book(store, clock, "u1", at=NOW - timedelta(hours=20), urgent=True)
    outbox.update(both.id, ALERT, booking_id="u1")
    _book(store, clock, "u2", at=NOW - timedelta(hours=2), urgent=True)  # booked, no alert
    _book(store, clock, "n", at=NOW - timedelta(hours=2))

    assert staff_stats(store, NOW, PARIS).urgent_cases == 3


async def test_re_alerts_are_not_new_urgent_cases(
    store: Store, clock: ManualClock, outbox: Outbox
) -> None:
    outbox.enqueue(OutboxKind.URGENT, STAFF_CHAT, ALERT, needs_ack=True)
    await outbox.deliver_due()
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        await outbox.deliver_due()

    assert staff_stats(store, clock(), PARIS).urgent_cases == 1


def test_median_time_from_start_to_confirmation(store: Store) -> None:
    t = NOW - timedelta(days=1)
    store.record_event(1, "start", t)
    store.record_event(1, "booked", t + timedelta(minutes=4))
    store.record_event(1, "booked", t + timedelta(minutes=6))  # same visit: not measured again
    store.record_event(2, "start", t - timedelta(hours=1))  # an older visit: the latest counts
    store.record_event(2, "start", t)
    store.record_event(2, "booked", t + timedelta(minutes=10))
    store.record_event(3, "start", t)
    store.record_event(3, "booked", t + timedelta(minutes=1, seconds=30))
    store.record_event(4, "booked", t)  # a returning owner who never typed /start
    store.record_event(5, "start", t - timedelta(days=3))
    store.record_event(5, "booked", t)  # days later: not one visit

    stats = staff_stats(store, NOW, PARIS)

    assert stats.confirmations_measured == 3
    assert stats.median_minutes_to_confirm == 4.0


def test_today_lists_todays_appointments_in_time_order(store: Store, clock: ManualClock) -> None:
    made = NOW - timedelta(days=2)
    _book(store, clock, "late", at=made, slot=datetime(2026, 11, 23, 16, 0, tzinfo=UTC))
    _book(store, clock, "early", at=made, slot=datetime(2026, 11, 23, 8, 30, tzinfo=UTC))
    _book(
        store,
        clock,
        "unsure",
        at=made,
        slot=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        state=BookingState.UNCERTAIN,
    )
    _book(
        store,
        clock,
        "lost",
        at=made,
        slot=datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
        state=BookingState.FAILED,
    )
    _book(store, clock, "tomorrow", at=made, slot=datetime(2026, 11, 23, 23, 0, tzinfo=UTC))
    _book(store, clock, "gone", at=made, slot=datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    store.mark_cancelled("gone")

    listed = today_bookings(store, NOW, PARIS)

    assert [b.booking_id for b in listed] == ["early", "unsure", "late"]
