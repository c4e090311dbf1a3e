"""The check of a Mini App's `initData`: who opened the page, vouched for by Telegram.

The page sends `Telegram.WebApp.initData` (a query string) with each request; the server
trusts the user in it only once the string is proved to come from Telegram for this bot and to
be recent. The rule is Telegram's, in "Validating data received via the Mini App":
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
(the fields: https://core.telegram.org/bots/webapps#webappinitdata).

- The data-check-string is every received field but `hash`, sorted by key, written
  `key=value` (values url-decoded) and joined by "\\n".
- The secret key is HMAC-SHA256 of the bot token with the constant "WebAppData" as the key;
  `hash` is the hex HMAC-SHA256 of the data-check-string with that secret key.
- `signature` (Bot API 8.0) is an Ed25519 signature "of all passed parameters (except
  hash)", meant for third parties who lack the token. Only the third-party check leaves it
  out of its data-check-string; the check here is the bot's own, over "all received
  fields", so `signature` stays in, like any other field. Its Ed25519 check is not done
  here: the bot holds the token, and `hash` covers `signature` as it covers the rest.
- `auth_date` (Unix time the page was opened) is checked too, as the docs advise, so that an
  old string, read off a device or a log, does not open a session.

`sign_init_data` does Telegram's part, for the emulator and tests. Neither function reads the
clock: "now" is passed in (`bot/clock.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, TypeAlias
from urllib.parse import parse_qsl, quote, urlencode

DEFAULT_MAX_AGE: Final = timedelta(hours=1)
"""How long a page's `initData` opens sessions. Telegram signs it once, when the page is
opened, so a page left open for a long while must be reopened; an hour covers choosing a time
at leisure and keeps a string that leaked (a log, a shared screen) from being of use for long."""

FUTURE_SKEW: Final = timedelta(seconds=60)
"""How far ahead of our clock `auth_date` may be: Telegram's clocks and ours differ a little,
and a page opened a second ago must not be refused for it. More than that is not a skew."""

MAX_INIT_DATA_CHARS: Final = 4096
"""Real `initData` is well under 1,000 characters (a user with a photo URL and a signature);
anything much longer is refused before it is parsed or hashed."""

_MAX_FIELDS: Final = 32
_SECRET_KEY_KEY: Final = b"WebAppData"

RefusalReason: TypeAlias = Literal[
    "malformed",
    "unsigned",
    "bad-signature",
    "missing",
    "stale",
    "from-the-future",
    "no-user",
]
"""Why a string was refused, for callers to branch on and logs to count:

- malformed: not a query string of unique, well-formed fields (empty, too long, duplicated
  keys, bad encoding), or a signed field that is not what Telegram sends (`auth_date` not an
  integer, `user` not a JSON object with an integer id);
- unsigned: no `hash`;  bad-signature: `hash` is not this bot's signature of the fields;
- missing: signed, but without `auth_date`;
- stale / from-the-future: `auth_date` older than the allowed age / ahead of our clock;
- no-user: signed and recent, but names no user (Telegram omits it in some launch modes).
"""


class InitDataRefused(Exception):
    """The `initData` does not open a session.

    The message is for people (logs, a 401's body); `reason` is for code. Neither holds the
    bot token, the secret key nor the hash received: a log line must not help forge the next.
    """

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason: RefusalReason = reason
        self.message = message

    def __repr__(self) -> str:
        return f"InitDataRefused({self.reason!r}, {self.message!r})"


@dataclass(frozen=True, slots=True)
class MiniAppUser:
    """The Telegram user who opened the page (WebAppUser, the fields we use)."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class MiniAppSession:
    """What a verified `initData` tells: who, when the page was opened (UTC), and how."""

    user: MiniAppUser
    auth_date: datetime
    query_id: str | None
    chat_type: str | None
    start_param: str | None


def verify_init_data(
    raw: str, bot_token: str, *, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> MiniAppSession:
    """The session `raw` opens, if Telegram signed it for this bot and it is recent.

    `now` must be aware. Raises `InitDataRefused`; the signature is checked before any field is
    read, so an unsigned string's contents never reach the caller, not even in an error.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    fields = _parse(raw)
    received = fields.pop("hash", "")
    if not received:
        raise InitDataRefused("unsigned", "the init data carries no hash")
    expected = _hash(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), received.encode()):
        raise InitDataRefused("bad-signature", "the hash is not this bot's signature")
    auth_date = _auth_date(fields)
    if auth_date > now + FUTURE_SKEW:
        raise InitDataRefused("from-the-future", "auth_date is ahead of the server's clock")
    if now - auth_date > max_age:
        raise InitDataRefused("stale", "the page was opened too long ago; it must be reopened")
    return MiniAppSession(
        user=_user(fields),
        auth_date=auth_date,
        query_id=fields.get("query_id"),
        chat_type=fields.get("chat_type"),
        start_param=fields.get("start_param"),
    )


def sign_init_data(fields: Mapping[str, str], bot_token: str) -> str:
    """`fields` as Telegram would hand them to the page: url-encoded, `hash` added last.

    For stand-ins (the Telegram emulator) and tests only: in production Telegram signs. Values
    are sent as they are (`user` already JSON); spaces become %20, as Telegram's clients write.
    """
    if "hash" in fields:
        raise ValueError("fields must not contain hash: it is computed here")
    if any(not key or _ambiguous(key) or _ambiguous(value) for key, value in fields.items()):
        raise ValueError("keys must be non-empty; keys and values must not contain a line feed")
    signed = [*fields.items(), ("hash", _hash(fields, bot_token))]
    return urlencode(signed, quote_via=quote)


def _secret_key(bot_token: str) -> bytes:
    """HMAC-SHA256 of the bot token keyed by "WebAppData" (the docs' `secret_key`)."""
    return hmac.new(_SECRET_KEY_KEY, bot_token.encode(), hashlib.sha256).digest()


def _hash(fields: Mapping[str, str], bot_token: str) -> str:
    """The hex `hash` Telegram puts beside `fields` (which must not include `hash` itself)."""
    data_check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(bot_token), data_check_string.encode(), hashlib.sha256).hexdigest()


def _ambiguous(text: str) -> bool:
    """A line feed would let two sets of fields share one data-check-string; Telegram never
    sends one (its JSON escapes them), so a field holding one is refused."""
    return "\n" in text


def _parse(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_INIT_DATA_CHARS:
        raise InitDataRefused("malformed", "the init data is empty or too long")
    try:
        raw.encode()  # a lone surrogate would only fail later, inside the hashing
        pairs = parse_qsl(
            raw,
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except ValueError:  # UnicodeDecodeError and UnicodeEncodeError included
        raise InitDataRefused("malformed", "the init data is not a query string") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise InitDataRefused("malformed", "a field of the init data appears twice")
        if not key or _ambiguous(key) or _ambiguous(value):
            raise InitDataRefused("malformed", "the init data has a field Telegram never sends")
        fields[key] = value
    return fields


def _auth_date(fields: Mapping[str, str]) -> datetime:
    text = fields.get("auth_date")
    if text is None:
        raise InitDataRefused("missing", "the init data has no auth_date")
    # ASCII digits only: int() would also take "+5", " 5", "5_0" and other scripts' digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 11):  # 11 digits: year 5138
        raise InitDataRefused("malformed", "auth_date is not a Unix time")
    return datetime.fromtimestamp(int(text), tz=UTC)


def _user(fields: Mapping[str, str]) -> MiniAppUser:
    text = fields.get("user")
    if text is None:
        raise InitDataRefused("no-user", "the init data names no user")
    try:
        data = json.loads(text)
    except ValueError:
        raise InitDataRefused("malformed", "user is not JSON") from None
    if not isinstance(data, dict):
        raise InitDataRefused("malformed", "user is not a JSON object")
    user_id, first_name = data.get("id"), data.get("first_name")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise InitDataRefused("malformed", "user has no integer id")
    if not isinstance(first_name, str):
        raise InitDataRefused("malformed", "user has no first name")
    return MiniAppUser(
        id=user_id,
        first_name=first_name,
        last_name=_optional_text(data, "last_name"),
        username=_optional_text(data, "username"),
        language_code=_optional_text(data, "language_code"),
    )


def _optional_text(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InitDataRefused("malformed", f"user's {key} is not text")
    return value
