"""Wall-clock arithmetic that stays right across daylight-saving changes.

Days and hours are computed on naive local dates and times, then attached to the zone, so
"demain à 10h" is 10:00 local even when tonight the clocks move. Attaching is where DST bites:
a local time skipped by spring-forward is moved forward by the gap (02:30 -> 03:30), and one
repeated by fall-back takes its first occurrence; both are reported so the bot can confirm.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.when.model import Assumption


def attach(local: datetime, zone: tzinfo) -> tuple[datetime, Assumption | None]:
    """Attach ``zone`` to a naive local datetime, resolving DST gaps and folds."""
    first = local.replace(tzinfo=zone, fold=0)
    canonical = first.astimezone(UTC).astimezone(zone)
    if canonical.replace(tzinfo=None) != local:
        return canonical, Assumption.NONEXISTENT_TIME
    second = local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return canonical, Assumption.AMBIGUOUS_TIME
    return canonical, None


def at_minutes(day: date, minutes: int, zone: tzinfo) -> tuple[datetime, Assumption | None]:
    """Local instant ``minutes`` after midnight of ``day`` (may pass into the next day)."""
    return attach(datetime.combine(day, time()) + timedelta(minutes=minutes), zone)


def midnight(day: date, zone: tzinfo) -> datetime:
    """Start of ``day`` in ``zone``."""
    return attach(datetime.combine(day, time()), zone)[0]


def is_before(a: datetime, b: datetime) -> bool:
    """Instant comparison; same-zone aware datetimes compare by wall clock, wrong in a fold."""
    return a.astimezone(UTC) < b.astimezone(UTC)


def plus_real(moment: datetime, delta: timedelta) -> datetime:
    """Elapsed-time arithmetic ("dans 2 heures"): add in UTC, show in the original zone."""
    zone = moment.tzinfo
    assert zone is not None
    return (moment.astimezone(UTC) + delta).astimezone(zone)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
