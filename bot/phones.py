"""Phone numbers as owners and staff type them, compared in E.164; the clinic's as shown."""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from phonenumbers import shortnumberinfo

SHORT_NUMBER_DIGITS: Final = range(2, 7)
"""A short service number has 2 to 6 digits: 15, 112, 3115, 116 000, 118 218."""
_SHORT_SHAPE = re.compile(r"\d[\d .\-]*")


def to_e164(raw: str, region: str = "FR") -> str | None:
    """`06 12 34 56 78`, `+33 6 12 34 56 78`, `0033612345678` → `+33612345678`, else None."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def short_service_number(raw: str, region: str = "FR") -> str | None:
    """The digits of a short number valid in `region` (3115, 15, 112, "116 000"), else None.

    Which short numbers exist is the `phonenumbers` metadata's word: in France 15, 17, 18,
    112, 114, 115, 119, 196, every 30XX-39XX and 10XX number, 116XXX, 118XXX. Written with a
    country code ("+33 3115") it is not one: a short number is dialled as is.
    """
    text = raw.strip()
    if not _SHORT_SHAPE.fullmatch(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) not in SHORT_NUMBER_DIGITS or digits.startswith("0"):
        return None
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return digits if shortnumberinfo.is_valid_short_number_for_region(parsed, region) else None


def for_owners(raw: str, region: str = "FR") -> str | None:
    """A clinic's number as owners in `region` dial it, or None when it is not a number.

    A short service number as is ("3115", "116 000"); a number of `region`'s country in its
    national format ("04 72 00 00 00", whether written "+33 (0)4 72 00 00 00", "04.72.00.00.00"
    or "0472000000"); a number of another country in international format ("+32 2 555 12 12").
    Only numbers the metadata holds valid pass: a digit too few is refused, not shown wrong.

    The number stays plain text: Telegram's HTML parse mode has no tag for a phone number (its
    `<a href>` documents http(s) and tg:// links, not `tel:`). Whether a client makes it
    tappable is Telegram's own detection (the Bot API's `phone_number` entity, documented with
    an international example only, "+1-212-555-0123"); the national form is kept because it is
    what owners read and dial.
    """
    short = short_service_number(raw, region)
    if short is not None:
        parsed = phonenumbers.parse(short, region)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if parsed.country_code == phonenumbers.country_code_for_region(region):
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def region_of(raw: str, default: str = "FR") -> str:
    """The country (ISO 3166 code) a number written in `default`'s way belongs to."""
    try:
        parsed = phonenumbers.parse(raw, default)
    except phonenumbers.NumberParseException:
        return default
    return phonenumbers.region_code_for_number(parsed) or default


def mask(raw: str) -> str:
    """A phone number safe for logs: only the last two digits remain."""
    digits = [ch for ch in raw if ch.isdigit()]
    if len(digits) <= 2:
        return "**"
    return "*" * (len(digits) - 2) + "".join(digits[-2:])
