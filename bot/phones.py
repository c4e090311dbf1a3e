"""Phone numbers as owners and staff type them, compared in E.164."""

from __future__ import annotations

import phonenumbers


def to_e164(raw: str, region: str = "FR") -> str | None:
    """`06 12 34 56 78`, `+33 6 12 34 56 78`, `0033612345678` → `+33612345678`, else None."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(raw: str) -> str:
    """A phone number safe for logs: only the last two digits remain."""
    digits = [ch for ch in raw if ch.isdigit()]
    if len(digits) <= 2:
        return "**"
    return "*" * (len(digits) - 2) + "".join(digits[-2:])
