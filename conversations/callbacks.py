"""Compact callback payloads (Telegram allows 64 bytes) and their parsing.

A payload is `<kind>:<value>`. Values coming back are never trusted: ids are checked against
what this owner was offered, and slot picks carry the generation of the offer they belong to,
so a tap on an old keyboard cannot pick a slot from a newer list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

MAX_BYTES: Final = 64

# Main menu
MENU_BOOK: Final = "m:book"
MENU_APPOINTMENTS: Final = "m:appts"
MENU_INFO: Final = "m:info"
MENU: Final = "m:menu"

# Booking steps
PET: Final = "p"
TYPE: Final = "t"
VET: Final = "v"
VET_ANY: Final = "v:*"
WHEN_ASAP: Final = "w:asap"
WHEN_TOMORROW: Final = "w:tomorrow"
WHEN_THIS_WEEK: Final = "w:week"
WHEN_PICK: Final = "w:pick"
"""One of the readings offered for an unsure time: ``w:pick:<index>``."""
WHEN_OTHER: Final = "w:other"
SLOT: Final = "s"
EARLIER: Final = "prev"
LATER: Final = "next"
CONFIRM: Final = "ok"
CHANGE_SLOT: Final = "chg:"
ABORT: Final = "x:"
BACK: Final = "back:"
RETRY: Final = "retry:"

# Triage
URGENT_YES: Final = "u:yes"
URGENT_NO: Final = "u:no"

# Requests to the clinic
REGISTER: Final = "reg:"
CANCEL_ASK: Final = "cx"
CANCEL_CONFIRM: Final = "cxy"
ADD_PET: Final = "pet+:"
CALENDAR: Final = "ics"
MOVE: Final = "mv"
FORGET: Final = "forget:"
PRESENT: Final = "here"

# Language
LANGUAGE: Final = "lang"


def pack(kind: str, *values: str | int) -> str:
    data = ":".join([kind, *(str(v) for v in values)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def pattern(kind: str) -> str:
    """Regex for a CallbackQueryHandler: one kind with any value, or one exact payload."""
    return rf"^{re.escape(kind)}$" if kind.endswith(":") else rf"^{re.escape(kind)}:"


@dataclass(frozen=True, slots=True)
class SlotPick:
    generation: int
    choice: str
    """A slot index as text, or EARLIER / LATER."""


def when_pick(data: str) -> int | None:
    """The index of the reading tapped, or None for another payload."""
    raw = value(data, WHEN_PICK)
    return int(raw) if raw is not None and raw.isdigit() else None


def value(data: str, kind: str) -> str | None:
    """The value of `kind:value`, or None when the payload is of another kind."""
    prefix = kind + ":"
    return data[len(prefix) :] if data.startswith(prefix) else None


def slot_pick(data: str) -> SlotPick | None:
    raw = value(data, SLOT)
    if raw is None:
        return None
    generation, _, choice = raw.partition(":")
    if not generation.isdigit() or not choice:
        return None
    return SlotPick(int(generation), choice)
