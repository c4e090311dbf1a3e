"""What can go wrong when a message is delivered through Telegram, in the domain's words.

The staff outbox (`bot.outbox`), the reminders (`bot.reminders`) and the status watcher send
through the Telegram layer, which turns Telegram's answers into these four errors (one
mapping, `conversations.telegram_errors.mapped_errors`). Each sender decides what they mean for it:

* `TransientDeliveryError`: not now (429 flood control with its ``retry_after``, a 5xx, the
  network): try again later, nothing lost.
* `RefusedDeliveryError`: Telegram will never take this message (a bad request): stop, log.
* `ChatUnreachableError`: the chat shuts the bot out (an owner who blocked it, the bot removed
  from the staff group, a chat gone). Not the message's fault: the outbox holds staff messages
  until the bot is back; an owner is marked unreachable and not written to.
* `ChatMovedError`: the group became a supergroup; Telegram names its new id.
"""

from __future__ import annotations

__all__ = [
    "ChatMovedError",
    "ChatUnreachableError",
    "DeliveryError",
    "RefusedDeliveryError",
    "TransientDeliveryError",
]


class DeliveryError(Exception):
    """A message Telegram did not take."""


class TransientDeliveryError(DeliveryError):
    """Telegram could not take the message now (429, 5xx, network): try again later.

    ``retry_after`` (seconds, Telegram's flood control) holds every message until then."""

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(message or "not delivered, try later")
        self.retry_after = retry_after


class RefusedDeliveryError(DeliveryError):
    """Telegram will never take this message (a bad request): stop and log."""


class ChatUnreachableError(DeliveryError):
    """The chat shuts the bot out (blocked by the owner, removed from the group, chat gone)."""


class ChatMovedError(DeliveryError):
    """The group became a supergroup: Telegram names its new id (``migrate_to_chat_id``)."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"the chat is now {new_chat_id}")
        self.new_chat_id = new_chat_id
