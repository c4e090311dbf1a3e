"""Whether an owner may still cancel or move an appointment in the bot, and if not, why.

The Treats API can neither cancel nor move an appointment: both become a staff request
(``bot.staff_requests``). The bot takes such a request only while it is still useful to the
clinic: the appointment is the owner's, booked and to come; nothing is already asked about it;
and it is not so close that the clinic must hear it on the phone (``late_cancellation``), unless
it was booked moments ago (``grace``: a slip noticed at once is not a late cancellation).

All instants are compared as real time (UTC), whatever zone they carry: a 24-hour window that
spans a daylight-saving change is 24 hours, not 23 or 25 on the clinic's wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.store import BookingRecord, BookingState, RequestRecord

__all__ = [
    "Allowed",
    "AlreadyAsked",
    "ChangeVerdict",
    "NotYoursOrGone",
    "TooClose",
    "change_verdict",
    "is_own_upcoming",
    "within_grace",
]


@dataclass(frozen=True, slots=True)
class Allowed:
    """The owner may ask the clinic to cancel or move ``record``."""

    record: BookingRecord


@dataclass(frozen=True, slots=True)
class NotYoursOrGone:
    """No such booking, another owner's, no longer booked, or already begun: never told
    apart, so that a forged button learns nothing about other owners' appointments."""


@dataclass(frozen=True, slots=True)
class AlreadyAsked:
    """The clinic already has a request about this appointment (one open request at most)."""

    pending: RequestRecord


@dataclass(frozen=True, slots=True)
class TooClose:
    """Closer than the late-cancellation window and past the grace: the owner must phone."""

    window: timedelta

    @property
    def hours(self) -> float:
        """The window in hours, as the owner is told it ("moins de 24 heures")."""
        return self.window.total_seconds() / 3600


ChangeVerdict = Allowed | NotYoursOrGone | AlreadyAsked | TooClose


def is_own_upcoming(record: BookingRecord | None, user_id: int, now: datetime) -> bool:
    """Whether ``record`` is this owner's, booked, and still to come (strictly after ``now``):
    the only appointments an owner may act on from a button."""
    return (
        record is not None
        and record.user_id == user_id
        and record.state == BookingState.BOOKED
        and _utc(record.scheduled_at) > _utc(now)
    )


def within_grace(record: BookingRecord, now: datetime, grace: timedelta) -> bool:
    """Booked less than ``grace`` ago (strictly): a slip noticed at once may be undone in the
    bot even close to the appointment. Booked means confirmed, or created for a record that
    never got a confirmation time."""
    booked_at = record.confirmed_at or record.created_at
    return _utc(now) - _utc(booked_at) < grace


def change_verdict(
    record: BookingRecord | None,
    user_id: int,
    now: datetime,
    pending: RequestRecord | None,
    *,
    late_cancellation: timedelta,
    grace: timedelta,
) -> ChangeVerdict:
    """Whether the owner ``user_id`` may ask to cancel or move ``record`` at ``now``.

    ``pending`` is the open request about this booking, if any. Checked in this order, the
    first that applies decides: not theirs or gone; already asked; too close (less than
    ``late_cancellation`` ahead, exactly that much is still allowed) and out of ``grace``.
    """
    if record is None or not is_own_upcoming(record, user_id, now):
        return NotYoursOrGone()
    if pending is not None:
        return AlreadyAsked(pending)
    too_close = _utc(record.scheduled_at) - _utc(now) < late_cancellation
    if too_close and not within_grace(record, now, grace):
        return TooClose(late_cancellation)
    return Allowed(record)


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC: subtracting two datetimes of one zone would count wall-clock
    time, wrong across a daylight-saving change."""
    return moment.astimezone(UTC)
