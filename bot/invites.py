"""Signed invite links: `https://t.me/<bot>?start=<token>` links a Telegram user to a client.

The token is base64url(client uuid (16 bytes) | expiry, unix minutes (4 bytes) | HMAC-SHA256
truncated to 12 bytes), 43 characters: within Telegram's 64-character start payload, and only
of the characters it allows. The secret is VETBOT_LINK_SECRET.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

from pydantic import SecretStr

DEFAULT_VALIDITY: Final = timedelta(days=14)
_MAC_BYTES: Final = 12
_PAYLOAD: Final = struct.Struct(">16sI")


class InviteError(Exception, Enum):
    """Why a token was refused (shown to the owner in kinder words)."""

    INVALID = "invalid"
    EXPIRED = "expired"


def _mac(payload: bytes, secret: SecretStr) -> bytes:
    key = secret.get_secret_value().encode()
    return hmac.new(key, b"vetbot-invite:" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def make_invite(
    client_id: str, secret: SecretStr, *, now: datetime, valid_for: timedelta = DEFAULT_VALIDITY
) -> str:
    """A start payload for this client, valid until now + valid_for."""
    expires = int((now + valid_for).timestamp() // 60)
    payload = _PAYLOAD.pack(uuid.UUID(client_id).bytes, expires)
    return base64.urlsafe_b64encode(payload + _mac(payload, secret)).decode().rstrip("=")


def read_invite(token: str, secret: SecretStr, *, now: datetime) -> str:
    """The client id in a genuine, unexpired token; raises InviteError otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InviteError.INVALID from None
    if len(raw) != _PAYLOAD.size + _MAC_BYTES:
        raise InviteError.INVALID
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if not hmac.compare_digest(mac, _mac(payload, secret)):
        raise InviteError.INVALID
    client_bytes, expires = _PAYLOAD.unpack(payload)
    if now.timestamp() // 60 > expires:
        raise InviteError.EXPIRED
    return str(uuid.UUID(bytes=client_bytes))


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
