"""An appointment as an iCalendar file (RFC 5545), so owners can add it to their own calendar.

Written by hand rather than with a library: one VEVENT with an alarm is a few lines, and the
rules that matter (CRLF, folding at 75 octets, TEXT escaping, UTC times) are tested directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

UID_DOMAIN = "vetbot"
DEFAULT_PRODUCT_ID = "-//vetbot//FR"
DEFAULT_ALARM = timedelta(hours=2)
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
MAX_LINE_OCTETS = 75
"""RFC 5545 §3.1: content lines SHOULD NOT be longer than 75 octets, excluding the CRLF."""
CRLF = "\r\n"
UTC_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SLUG_LENGTH = 40
FALLBACK_SLUG = "animal"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """What the owner's calendar shows; times must be aware, any time zone."""

    appointment_id: str
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    organizer_name: str
    alarm_before: timedelta | None = DEFAULT_ALARM
    status: str = "CONFIRMED"


def build_ics(
    event: CalendarEvent,
    *,
    now: datetime,
    product_id: str = DEFAULT_PRODUCT_ID,
    sequence: int = 0,
) -> bytes:
    """The event as a UTF-8 `.ics` file.

    The UID derives from the appointment id only, so a re-sent file updates the event already in
    the owner's calendar instead of duplicating it. When the clinic moves or cancels the
    appointment, re-send with a higher `sequence` (and the new times or `CANCELLED`): calendars
    ignore an update whose SEQUENCE is not greater than the one they hold.
    """
    _require_aware(event.start, "start")
    _require_aware(event.end, "end")
    _require_aware(now, "now")
    if event.end <= event.start:
        raise ValueError("an event must end after it starts")
    if event.status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, not {event.status!r}")
    if not event.appointment_id.strip():
        raise ValueError("an appointment id is needed for a stable UID")
    if sequence < 0:
        raise ValueError("sequence cannot be negative")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(product_id)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(f'{event.appointment_id}@{UID_DOMAIN}')}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(event.start)}",
        f"DTEND:{_utc(event.end)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{event.status}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        f"LOCATION:{escape_text(_location(event))}",
    ]
    if event.organizer_name.strip():
        # ORGANIZER needs an address (mailto:); the clinic's name alone fits CONTACT.
        lines.append(f"CONTACT:{escape_text(event.organizer_name.strip())}")
    if event.alarm_before is not None:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(event.summary)}",
            f"TRIGGER:-{format_duration(event.alarm_before)}",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold_line(line) + CRLF for line in lines).encode("utf-8")


def ics_filename(start: datetime, pet_name: str) -> str:
    """`rdv-2026-12-01-medor-cie.ics`: ASCII only, so every phone and mail client keeps it.

    The date is the one on `start`'s own clock, i.e. the day the owner expects.
    """
    slug = _slug(pet_name) or FALLBACK_SLUG
    return f"rdv-{start:%Y-%m-%d}-{slug}.ics"


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped; controls dropped."""
    value = _CONTROL.sub("", _NEWLINE.sub("\n", value))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """RFC 5545 §3.1 folding: at most 75 octets a line, never inside a UTF-8 character."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # the leading space of a continuation line counts
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def format_duration(delta: timedelta) -> str:
    """RFC 5545 §3.3.6 dur-value, e.g. `PT2H`, `P1DT30M`, `PT1H0M30S` (whole seconds)."""
    if delta < timedelta(0):
        raise ValueError("a duration here cannot be negative")
    days, seconds = delta.days, delta.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = ""
    if hours:
        time = f"{hours}H"
        if minutes or seconds:
            time += f"{minutes}M"
    elif minutes:
        time = f"{minutes}M"
    if seconds:
        time += f"{seconds}S"
    if not days and not time:
        return "PT0S"
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _location(event: CalendarEvent) -> str:
    """The clinic's name and address together: what a map app needs to find it."""
    name, address = event.organizer_name.strip(), event.location.strip()
    if not name or address.casefold().startswith(name.casefold()):
        return address
    return f"{name}, {address}" if address else name


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive {moment.isoformat()}")


def _slug(text: str) -> str:
    folded = text.casefold().replace("œ", "oe").replace("æ", "ae")
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text).strip("-")[:MAX_SLUG_LENGTH].rstrip("-")
