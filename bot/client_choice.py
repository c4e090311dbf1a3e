"""Which clinic record an owner is linked to when several share their phone number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.treats import Client

__all__ = ["oldest_client"]


def oldest_client(clients: Sequence[Client]) -> Client:
    """The record to link when several clients share one phone number: the oldest one.

    Why the oldest: a second record on the same number is most often a duplicate made at the
    desk (a partner registered again, a typo fixed by a new record), while the first one is
    the record the clinic has kept using, with the pets and their history. The choice must
    also be stable: sharing the number again must link the same record, whatever order the
    API lists them in. So records are taken by ``created_at``, a record with no date last (it
    cannot be shown to be older), and the ``id`` settles a tie.

    Raises ValueError when ``clients`` is empty: "no record" is the caller's own answer.
    """
    if not clients:
        raise ValueError("no client to choose from")
    return min(clients, key=_age_key)


def _age_key(client: Client) -> tuple[bool, datetime | None, str]:
    # None sorts after every date through the leading flag, so two None never get compared.
    return (client.created_at is None, client.created_at, client.id)
