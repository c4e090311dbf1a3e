"""Telegram's refusals turned into the domain's delivery errors (`bot.delivery`), once.

The staff outbox's transport and the owners' reminders and notices send through
`mapped_errors`: what each error means for that sender is decided in `bot/`, not here.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from datetime import timedelta
from typing import Final

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery import (
    ChatMovedError,
    ChatUnreachableError,
    RefusedDeliveryError,
    TransientDeliveryError,
)

CHAT_GONE: Final = frozenset({"chat not found"})
"""400s that say the chat, not the message, is the problem (Telegram's words, lower-cased)."""


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Runs a Telegram call; its refusal comes out as one of `bot.delivery`'s errors."""
    try:
        yield
    except RetryAfter as error:
        with warnings.catch_warnings():  # PTB moves retry_after to timedelta: both handled
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            retry = error.retry_after
        seconds = retry.total_seconds() if isinstance(retry, timedelta) else float(retry)
        raise TransientDeliveryError(str(error), retry_after=seconds) from None
    except ChatMigrated as error:  # the group became a supergroup: its new id
        raise ChatMovedError(error.new_chat_id) from None
    except Forbidden as error:  # blocked by the owner, removed from the group
        raise ChatUnreachableError(error.message) from None
    except BadRequest as error:
        if error.message.lower() in CHAT_GONE:
            raise ChatUnreachableError(error.message) from None
        raise RefusedDeliveryError(error.message) from None
    except NetworkError as error:  # includes TimedOut and 5xx answers
        raise TransientDeliveryError(str(error)) from None
