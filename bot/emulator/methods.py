"""The Bot API methods the emulator serves, each checked the way Telegram checks it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.emulator import errors
from bot.emulator.bots import BotAccount
from bot.emulator.callbacks import CallbackAnswer
from bot.emulator.chats import ADMINISTRATOR, LEFT, MEMBER, PRIVATE, Conversation, StoredMessage
from bot.emulator.formatting import EntityParseError, FormattedText, parse_formatted_text
from bot.emulator.markup import parse_reply_markup
from bot.emulator.params import Params, UploadedFile
from bot.emulator.updates import MAX_UPDATES_PER_CALL
from bot.emulator.webhook import DEFAULT_MAX_CONNECTIONS, WebhookConfig

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_LONG_POLL_SECONDS = 50
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_WEBHOOK_SET = "Webhook was set"
_WEBHOOK_ALREADY_SET = "Webhook is already set"
_WEBHOOK_DELETED = "Webhook was deleted"
_WEBHOOK_ALREADY_DELETED = "Webhook is already deleted"
_DEFAULT_MAX_REACTIONS = 11


@dataclass(frozen=True)
class ApiResult:
    """A successful answer: ``result``, and the ``description`` some methods add."""

    result: Any
    description: str | None = None


Method = Callable[[BotAccount, Params], Awaitable[ApiResult]]


def _formatted(text: str | None, parse_mode: str | None, entities: object) -> FormattedText:
    try:
        parsed = parse_formatted_text(text or "", parse_mode)
    except EntityParseError as exc:
        raise errors.bad_request(errors.CANT_PARSE_ENTITIES.format(exc)) from None
    except ValueError:
        raise errors.bad_request(errors.UNSUPPORTED_PARSE_MODE) from None
    if not parse_mode and isinstance(entities, list):
        return FormattedText(parsed.text, tuple(e for e in entities if isinstance(e, dict)))
    return parsed


def _message_text(params: Params) -> FormattedText:
    parsed = _formatted(params.text("text"), params.text("parse_mode"), params.json("entities"))
    if not parsed.text.strip():
        raise errors.bad_request(errors.MESSAGE_TEXT_EMPTY)
    if len(parsed.text) > MAX_TEXT_LENGTH:
        raise errors.bad_request(errors.MESSAGE_TOO_LONG)
    return parsed


def _reply_target(conversation: Conversation, params: Params) -> StoredMessage | None:
    reply_id = params.integer("reply_to_message_id")
    reply_parameters = params.json("reply_parameters")
    if reply_id is None and isinstance(reply_parameters, dict):
        reply_id = reply_parameters.get("message_id")
    return conversation.messages.get(reply_id) if isinstance(reply_id, int) else None


def _bot_message(
    bot: BotAccount, params: Params, not_found: str
) -> tuple[Conversation, StoredMessage]:
    if "inline_message_id" not in params and "message_id" not in params:
        raise errors.bad_request(errors.MESSAGE_ID_MISSING)
    conversation = bot.known_conversation(params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND))
    message = conversation.messages.get(params.integer("message_id") or 0)
    if message is None or message.deleted:
        raise errors.bad_request(not_found)
    return conversation, message


async def get_me(bot: BotAccount, params: Params) -> ApiResult:
    return ApiResult(
        {
            **bot.user.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )


async def get_updates(bot: BotAccount, params: Params) -> ApiResult:
    if bot.webhook.active:
        raise errors.conflict(errors.WEBHOOK_ACTIVE)
    limit = params.integer("limit") or MAX_UPDATES_PER_CALL
    timeout = min(max(params.integer("timeout") or 0, 0), MAX_LONG_POLL_SECONDS)
    allowed = params.json("allowed_updates")
    bot.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    updates = await bot.updates.long_poll(
        params.integer("offset"), min(max(limit, 1), MAX_UPDATES_PER_CALL), timeout
    )
    return ApiResult([update.to_api() for update in updates])


async def set_webhook(bot: BotAccount, params: Params) -> ApiResult:
    url = params.text("url") or ""
    if not url:
        return await delete_webhook(bot, params)
    if params.flag("drop_pending_updates"):
        bot.updates.drop_pending()
    allowed = params.json("allowed_updates")
    bot.updates.set_allowed(allowed if isinstance(allowed, list) else None)
    config = WebhookConfig(
        url=url,
        secret_token=params.text("secret_token"),
        max_connections=params.integer("max_connections") or DEFAULT_MAX_CONNECTIONS,
        ip_address=params.text("ip_address"),
    )
    if bot.webhook.config == config:
        return ApiResult(True, _WEBHOOK_ALREADY_SET)
    await bot.updates.interrupt_polls(errors.TERMINATED_BY_SET_WEBHOOK)
    await bot.webhook.start(config)
    return ApiResult(True, _WEBHOOK_SET)


async def delete_webhook(bot: BotAccount, params: Params) -> ApiResult:
    if params.flag("drop_pending_updates"):
        bot.updates.drop_pending()
    was_active = bot.webhook.active
    await bot.webhook.stop()
    return ApiResult(True, _WEBHOOK_DELETED if was_active else _WEBHOOK_ALREADY_DELETED)


async def get_webhook_info(bot: BotAccount, params: Params) -> ApiResult:
    webhook = bot.webhook
    info: dict[str, Any] = {
        "url": webhook.config.url if webhook.config else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates.pending),
    }
    if webhook.config is not None:
        info["max_connections"] = webhook.config.max_connections
        if webhook.config.ip_address:
            info["ip_address"] = webhook.config.ip_address
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
    if bot.updates.allowed_updates is not None:
        info["allowed_updates"] = bot.updates.allowed_updates
    return ApiResult(info)


async def send_message(bot: BotAccount, params: Params) -> ApiResult:
    chat_id = params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND)
    if chat_id is None:
        raise errors.bad_request(errors.CHAT_ID_EMPTY)
    text = _message_text(params)
    markup = parse_reply_markup(params.raw("reply_markup"))
    conversation = bot.writable_conversation(chat_id)
    message = await bot.post(
        conversation,
        text=text.text,
        entities=text.entities,
        inline_markup=markup.inline,
        client_markup=markup.client,
        reply_to=_reply_target(conversation, params),
    )
    return ApiResult(message.to_api())


async def edit_message_text(bot: BotAccount, params: Params) -> ApiResult:
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if message.sender.id != bot.id:
        raise errors.bad_request(errors.MESSAGE_CANT_BE_EDITED)
    if message.text is None:
        raise errors.bad_request(errors.NO_TEXT_TO_EDIT)
    text = _message_text(params)
    markup = parse_reply_markup(params.raw("reply_markup"))
    unchanged = (text.text, text.entities, markup.inline) == (
        message.text,
        message.entities,
        message.inline_markup,
    )
    if unchanged:
        raise errors.bad_request(errors.MESSAGE_NOT_MODIFIED)
    message.text, message.entities, message.inline_markup = text.text, text.entities, markup.inline
    await bot.edited(conversation, message)
    return ApiResult(message.to_api())


async def edit_message_reply_markup(bot: BotAccount, params: Params) -> ApiResult:
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if message.sender.id != bot.id:
        raise errors.bad_request(errors.MESSAGE_CANT_BE_EDITED)
    markup = parse_reply_markup(params.raw("reply_markup"))
    if markup.inline == message.inline_markup:
        raise errors.bad_request(errors.MESSAGE_NOT_MODIFIED)
    message.inline_markup = markup.inline
    await bot.edited(conversation, message)
    return ApiResult(message.to_api())


async def delete_message(bot: BotAccount, params: Params) -> ApiResult:
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_DELETE_NOT_FOUND)
    await bot.deleted(conversation, message)
    return ApiResult(True)


async def answer_callback_query(bot: BotAccount, params: Params) -> ApiResult:
    """A tap is answered once, within `ANSWER_WINDOW`; any other answer is refused.

    The rule, from the Bot API reference (https://core.telegram.org/bots/api#callbackquery):
    "After the user presses a callback button, Telegram clients will display a progress bar
    until you call answerCallbackQuery. It is, therefore, necessary to react by calling
    answerCallbackQuery even if no notification to the user is needed (e.g., without
    specifying any of the optional parameters)." (and #answercallbackquery: "On success, True
    is returned"). The reference does not list the errors: Telegram refuses a second answer to
    the same query, a late one, and an unknown id alike, with 400 "Bad Request: query is too
    old and response timeout expired or query ID is invalid" (`errors.QUERY_ID_INVALID`, the
    server's own words). In production each refusal is an error the bot logs; here it is
    recorded in `BotAccount.refused` like every refusal.
    """
    query = bot.callback_queries.get(params.text("callback_query_id") or "")
    if query is None or query.answer is not None or query.expired(bot.clock()):
        raise errors.bad_request(errors.QUERY_ID_INVALID)
    answer = CallbackAnswer(params.text("text"), params.flag("show_alert"), params.text("url"))
    await bot.answer(query, answer)
    return ApiResult(True)


async def send_document(bot: BotAccount, params: Params) -> ApiResult:
    chat_id = params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND)
    if chat_id is None:
        raise errors.bad_request(errors.CHAT_ID_EMPTY)
    caption = _formatted(
        params.text("caption"), params.text("parse_mode"), params.json("caption_entities")
    )
    if len(caption.text) > MAX_CAPTION_LENGTH:
        raise errors.bad_request(errors.CAPTION_TOO_LONG)
    markup = parse_reply_markup(params.raw("reply_markup"))
    document = params.file("document")
    if isinstance(document, UploadedFile):
        if not document.data:
            raise errors.bad_request(errors.FILE_EMPTY)
        stored = bot.store_file(document)
    else:
        known = bot.files.get(document or "")
        if known is None:
            raise errors.bad_request(errors.WRONG_FILE_IDENTIFIER)
        stored = known
    conversation = bot.writable_conversation(chat_id)
    message = await bot.post(
        conversation,
        document=stored,
        caption=caption.text or None,
        caption_entities=caption.entities,
        inline_markup=markup.inline,
        client_markup=markup.client,
        reply_to=_reply_target(conversation, params),
    )
    return ApiResult(message.to_api())


async def send_chat_action(bot: BotAccount, params: Params) -> ApiResult:
    conversation = bot.writable_conversation(
        params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND)
    )
    action = params.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise errors.bad_request(errors.WRONG_CHAT_ACTION)
    conversation.chat_actions.append(action)
    return ApiResult(True)


async def set_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    commands = params.json("commands")
    if not isinstance(commands, list):
        raise errors.bad_request("can't parse commands JSON object")
    cleaned: list[dict[str, str]] = []
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        description = str(command.get("description", "")) if isinstance(command, dict) else ""
        if not _COMMAND_NAME.match(name.lower()) or not description:
            raise errors.bad_request(errors.BOT_COMMAND_INVALID)
        cleaned.append({"command": name.lower(), "description": description})
    key = bot.commands_key(params.json("scope"), params.text("language_code"))
    bot.commands[key] = cleaned
    return ApiResult(True)


async def get_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    key = bot.commands_key(params.json("scope"), params.text("language_code"))
    return ApiResult(list(bot.commands.get(key, [])))


async def delete_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    bot.commands.pop(bot.commands_key(params.json("scope"), params.text("language_code")), None)
    return ApiResult(True)


async def get_chat(bot: BotAccount, params: Params) -> ApiResult:
    conversation = bot.known_conversation(params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND))
    return ApiResult(
        {
            **conversation.chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": _DEFAULT_MAX_REACTIONS,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )


def _chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"user": user, "status": status}
    if status == ADMINISTRATOR:
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        )
    return member


async def get_chat_member(bot: BotAccount, params: Params) -> ApiResult:
    conversation = bot.known_conversation(params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND))
    user_id = params.integer("user_id", invalid=errors.INVALID_USER_ID)
    if user_id is None:
        raise errors.bad_request(errors.INVALID_USER_ID)
    if user_id == bot.id:
        return ApiResult(_chat_member(bot.user.to_api(), MEMBER))
    user = bot.known_users.get(user_id)
    if user is None:
        raise errors.bad_request(errors.USER_NOT_FOUND)
    if conversation.chat.type == PRIVATE:
        status = MEMBER if user_id == conversation.chat.id else LEFT
    else:
        status = conversation.members.get(user_id, LEFT)
    return ApiResult(_chat_member(user.to_api(), status))


METHODS: Mapping[str, Method] = MappingProxyType(
    {
        "getme": get_me,
        "getupdates": get_updates,
        "setwebhook": set_webhook,
        "deletewebhook": delete_webhook,
        "getwebhookinfo": get_webhook_info,
        "sendmessage": send_message,
        "editmessagetext": edit_message_text,
        "editmessagereplymarkup": edit_message_reply_markup,
        "deletemessage": delete_message,
        "answercallbackquery": answer_callback_query,
        "senddocument": send_document,
        "sendchataction": send_chat_action,
        "setmycommands": set_my_commands,
        "getmycommands": get_my_commands,
        "deletemycommands": delete_my_commands,
        "getchat": get_chat,
        "getchatmember": get_chat_member,
    }
)
"""Handlers by lower-case method name: Telegram's method names are case-insensitive."""
