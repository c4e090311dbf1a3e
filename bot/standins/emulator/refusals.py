"""Refusals in the Bot API's own shape, with Telegram's own words.

A bot notices Telegram through the HTTP status, ``error_code`` and ``description`` (PTB maps
them to ``BadRequest``, ``Forbidden``, ``RetryAfter``, ``ChatMigrated``...), so the texts below
are copied from the real server, not paraphrased. Where the Bot API server builds a text from a
TDLib error, it prefixes the status phrase ("Bad Request: ") and lower-cases the first letter
unless the text is an upper-case code (``Client::fail_query_with_error`` in tdlib/telegram-bot-api),
exactly as done here. docs/telegram-rules.md gives the source of each text.

Some refusals carry ``parameters`` (https://core.telegram.org/bots/api#responseparameters: "Some
errors may also have an optional field 'parameters' of the type ResponseParameters, which can
help to automatically handle the error"): ``retry_after`` with a 429, ``migrate_to_chat_id``
when a group became a supergroup. PTB raises ``RetryAfter`` and ``ChatMigrated`` from them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
BUTTON_TEXT_INVALID = "BUTTON_TEXT_INVALID"
TEXT_BUTTONS_UNALLOWED = (
    "can't parse InlineKeyboardButton: Text buttons are not allowed in the inline keyboard"
)
BUTTON_NOT_AN_OBJECT = "can't parse InlineKeyboardButton: InlineKeyboardButton must be an Object"
INLINE_KEYBOARD_NOT_ARRAYS = (
    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
)
REPLY_KEYBOARD_NOT_ARRAYS = 'field "keyboard" must be an Array of Arrays'
REPLY_MARKUP_NOT_JSON = "can't parse reply keyboard markup JSON object"
REPLY_MARKUP_NOT_OBJECT = "object expected as reply markup"
CANT_PARSE_ENTITIES = "can't parse entities: {}"
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
WRONG_FILE_IDENTIFIER = "wrong file identifier/HTTP URL specified"
FILE_EMPTY = "file must be non-empty"
WRONG_CHAT_ACTION = "wrong parameter action in request"
BOT_COMMAND_INVALID = "BOT_COMMAND_INVALID"
COMMAND_EMPTY = "command must be non-empty"
COMMAND_TOO_LONG = "command length must not exceed {}"
COMMAND_DESCRIPTION_EMPTY = "command description must be non-empty"
COMMAND_DESCRIPTION_TOO_LONG = "command description length must not exceed {}"
TOO_MANY_COMMANDS = "BOT_COMMANDS_TOO_MUCH"
CALLBACK_ANSWER_TOO_LONG = "MESSAGE_TOO_LONG"
MESSAGE_CANT_BE_DELETED = "message can't be deleted"
MESSAGE_CANT_BE_DELETED_FOR_EVERYONE = "message can't be deleted for everyone"
# Mini App (web_app) buttons. The URL check is TDLib's: InlineKeyboardButton.cpp and
# KeyboardButton.cpp prefix "Inline keyboard button Web App " / "Keyboard button Web App " to
# LinkManager::check_link's "URL '<url>' is invalid: <reason>" (tdlib/td), the Bot API server
# lower-cases the first letter; reports of the real answer to an http:// URL read "Bad Request:
# inline keyboard button Web App URL 'http://localhost:3002' is invalid: Only HTTPS links are
# allowed". The reasons are check_link_impl's own words (`WEB_APP_URL_*` below).
INLINE_WEB_APP_URL_INVALID = "inline keyboard button Web App URL '{}' is invalid: {}"
KEYBOARD_WEB_APP_URL_INVALID = "keyboard button Web App URL '{}' is invalid: {}"
WEB_APP_URL_NOT_HTTPS = "Only HTTPS links are allowed"
WEB_APP_URL_UNSUPPORTED_PROTOCOL = "Unsupported URL protocol"
WEB_APP_URL_WRONG = "Wrong HTTP URL"
# A ``web_app`` that is not {"url": "..."}: the Bot API server's JSON readers' words ("Field ...
# must be of type ...", "Can't find field ..."), behind the prefix of `BUTTON_NOT_AN_OBJECT`;
# not seen in a real answer, so a plausible strict text.
WEB_APP_NOT_AN_OBJECT = 'can\'t parse InlineKeyboardButton: Field "web_app" must be of type Object'
WEB_APP_URL_MISSING = "can't parse InlineKeyboardButton: Can't find field \"url\""
WEB_APP_URL_NOT_A_STRING = 'can\'t parse InlineKeyboardButton: Field "url" must be of type String'
# Outside a private chat. Inline: the server's own code (TDLib does not check the chat), as bots
# sending a web_app button to a group or channel report ("Bad Request: BUTTON_TYPE_INVALID",
# grammyjs/grammY#490, TelegramBot/Api#384). Reply keyboard: TDLib's KeyboardButton.cpp, "Web
# App buttons can be used in private chats only", first letter lower-cased by the server.
BUTTON_TYPE_INVALID = "BUTTON_TYPE_INVALID"
KEYBOARD_WEB_APP_PRIVATE_ONLY = "web App buttons can be used in private chats only"
# answerWebAppQuery's result: the server prefixes what it cannot read in an InlineQueryResult
# with "can't parse InlineQueryResult: "; the details are its JSON readers' words. Only
# "article" is emulated: another type is refused here, where Telegram would send it.
INLINE_RESULT_INVALID = "can't parse InlineQueryResult: {}"

CANT_INITIATE_CONVERSATION = "bot can't initiate conversation with a user"
BOT_BLOCKED = "bot was blocked by the user"
BOT_KICKED = "bot was kicked from the {} chat"
BOT_NOT_A_MEMBER = "bot is not a member of the {} chat"
GROUP_UPGRADED = "group chat was upgraded to a supergroup chat"

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
TERMINATED_BY_OTHER_POLL = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
TERMINATED_BY_SET_WEBHOOK = "terminated by setWebhook request"


@dataclass(frozen=True)
class ResponseParameters:
    """Why a call failed, for a bot to act on (https://core.telegram.org/bots/api#responseparameters).

    ``migrate_to_chat_id``: "The group has been migrated to a supergroup with the specified
    identifier"; ``retry_after``: "In case of exceeding flood control, the number of seconds left
    to wait before the request can be repeated".
    """

    migrate_to_chat_id: int | None = None
    retry_after: int | None = None

    def to_api(self) -> dict[str, int]:
        fields = {"migrate_to_chat_id": self.migrate_to_chat_id, "retry_after": self.retry_after}
        return {name: value for name, value in fields.items() if value is not None}


class BotApiError(Exception):
    """A call the Bot API refuses; the HTTP status is the ``error_code``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        parameters: ResponseParameters | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        if retry_after is not None:
            parameters = replace(parameters or ResponseParameters(), retry_after=retry_after)
        self.parameters = parameters

    @property
    def retry_after(self) -> int | None:
        return self.parameters.retry_after if self.parameters else None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters is not None and self.parameters.to_api():
            body["parameters"] = self.parameters.to_api()
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.FORBIDDEN, f"Forbidden: {detail}")


def conflict(detail: str) -> BotApiError:
    return BotApiError(HTTPStatus.CONFLICT, f"Conflict: {detail}")


def group_upgraded(new_chat_id: int) -> BotApiError:
    """A call naming a basic group that became a supergroup: 400 with ``migrate_to_chat_id``."""
    return BotApiError(
        HTTPStatus.BAD_REQUEST,
        f"Bad Request: {GROUP_UPGRADED}",
        parameters=ResponseParameters(migrate_to_chat_id=new_chat_id),
    )


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(
        HTTPStatus.TOO_MANY_REQUESTS,
        f"Too Many Requests: retry after {retry_after}",
        retry_after=retry_after,
    )


def server_error(status: int) -> BotApiError:
    """A 5xx as the Bot API words it: the bare status phrase."""
    return BotApiError(status, HTTPStatus(status).phrase)
