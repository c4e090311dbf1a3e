"""Figures for the staff's ``/stats`` and the list for ``/aujourdhui``, in the clinic's days.

Days are local days in the clinic's zone (a DST day has 23 or 25 hours), computed from ``now``
so tests and the sandbox can freeze time.

``/stats`` counts:
    * bookings per day: bookings owners confirmed through the bot that day (the confirm tap),
      still booked, uncertain or cancelled since; failed attempts are not bookings.
    * urgent cases: urgent alerts raised (re-alerts not counted) plus urgent bookings that have
      no alert of their own, so a case that raised an alert and then booked counts once.
    * median time to confirm: for each "booked" flow event, the time since the same owner's
      latest "start" event before it. A "start" counts for one booking only (a second booking
      in the same visit is not measured from the same /start), and one more than
      ``SESSION_LIMIT`` earlier does not count (a returning owner books with /rdv, no /start).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.store import BookingRecord, Store

STATS_DAYS: Final = 7
START_EVENT: Final = "start"
BOOKED_EVENT: Final = "booked"
"""Flow event kinds recorded by the conversations (``Store.record_event``)."""
SESSION_LIMIT: Final = timedelta(hours=24)
MINUTE: Final = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class StaffStats:
    bookings_per_day: list[tuple[date, int]]
    """The last ``STATS_DAYS`` local days, oldest first, today last, zeros included."""
    urgent_cases: int
    median_minutes_to_confirm: float | None
    """None when no booking in the period could be measured."""
    confirmations_measured: int
    """How many bookings the median is over (a median of 1 is worth knowing as such)."""


def staff_stats(store: Store, now: datetime, tz: ZoneInfo) -> StaffStats:
    """The last seven local days, today included (see the module docstring for the rules)."""
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=back) for back in range(STATS_DAYS - 1, -1, -1)]
    start, end = local_midnight(days[0], tz), local_midnight(today + timedelta(days=1), tz)

    made = store.bookings_made_between(start, end)
    per_day = Counter(booking.made_at.astimezone(tz).date() for booking in made)
    alerts = store.outbox.alerts_between(start, end)
    alerted = {alert.booking_id for alert in alerts if alert.booking_id is not None}
    unalerted_urgent = [b for b in made if b.is_urgent and b.booking_id not in alerted]
    durations = _minutes_to_confirm(store, start, end)
    return StaffStats(
        bookings_per_day=[(day, per_day[day]) for day in days],
        urgent_cases=len(alerts) + len(unalerted_urgent),
        median_minutes_to_confirm=statistics.median(durations) if durations else None,
        confirmations_measured=len(durations),
    )


def today_bookings(store: Store, now: datetime, tz: ZoneInfo) -> list[BookingRecord]:
    """``/aujourdhui``: today's (local) booked or uncertain bookings made through the bot, in
    time order."""
    today = now.astimezone(tz).date()
    return store.bookings_between(
        local_midnight(today, tz), local_midnight(today + timedelta(days=1), tz)
    )


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day starts (where DST skips midnight, the first instant after)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).astimezone(tz)


def _minutes_to_confirm(store: Store, start: datetime, end: datetime) -> list[float]:
    starts: defaultdict[int, list[datetime]] = defaultdict(list)
    for event in store.events_since(START_EVENT, start - SESSION_LIMIT):
        starts[event.user_id].append(event.at)
    used: set[tuple[int, datetime]] = set()
    durations: list[float] = []
    for booked in store.events_since(BOOKED_EVENT, start):
        if booked.at >= end:
            break
        before = [at for at in starts[booked.user_id] if at <= booked.at]
        if not before:
            continue
        latest = before[-1]
        if (booked.user_id, latest) in used or booked.at - latest > SESSION_LIMIT:
            continue
        used.add((booked.user_id, latest))
        durations.append((booked.at - latest) / MINUTE)
    return durations
