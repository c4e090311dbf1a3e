"""Refusals in the Bot API's own shape, with Telegram's own words.

A bot notices Telegram through the HTTP status, ``error_code`` and ``description`` (PTB maps
them to ``BadRequest``, ``Forbidden``, ``RetryAfter``...), so the texts below are copied from
the real server, not paraphrased. Where the Bot API server builds a text from a TDLib error,
it prefixes the status phrase ("Bad Request: ") exactly as done here.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "Not Found"

CHAT_ID_EMPTY = "chat_id is empty"
CHAT_NOT_FOUND = "chat not found"
USER_NOT_FOUND = "user not found"
INVALID_USER_ID = "invalid user_id specified"
MESSAGE_TEXT_EMPTY = "message text is empty"
MESSAGE_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
MESSAGE_ID_MISSING = "message identifier is not specified"
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
MESSAGE_CANT_BE_EDITED = "message can't be edited"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
QUERY_ID_INVALID = "query is too old and response timeout expired or query ID is invalid"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
TEXT_BUTTONS_UNALLOWED = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
BUTTON_NOT_AN_OBJECT = (
    "can't parse inline keyboard button: InlineKeyboardButton should be an Object"
)
INLINE_KEYBOARD_NOT_ARRAYS = (
    'Field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
)
REPLY_KEYBOARD_NOT_ARRAYS = (
    'Field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
)
REPLY_MARKUP_NOT_JSON = "can't parse reply keyboard markup JSON object"
REPLY_MARKUP_NOT_OBJECT = "object expected as reply markup"
CANT_PARSE_ENTITIES = "can't parse entities: {}"
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
WRONG_FILE_IDENTIFIER = "wrong file identifier/HTTP URL specified"
FILE_EMPTY = "file must be non-empty"
WRONG_CHAT_ACTION = "wrong parameter action in request"
BOT_COMMAND_INVALID = "BOT_COMMAND_INVALID"

CANT_INITIATE_CONVERSATION = "bot can't initiate conversation with a user"

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
TERMINATED_BY_SET_WEBHOOK = "terminated by setWebhook request"


class BotApiError(Exception):
    """A call the Bot API refuses; the HTTP status is the ``error_code``."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.FORBIDDEN, f"Forbidden: {detail}")


def conflict(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.CONFLICT, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(
        HTTPStatus.TOO_MANY_REQUESTS,
        f"Too Many Requests: retry after {retry_after}",
        retry_after=retry_after,
    )


def server_error(status: int) -> BotApiError:
    """A 5xx as the Bot API words it: the bare status phrase."""
    return BotApiError(status, HTTPStatus(status).phrase)
