"""The Bot API methods the emulator serves, each checked the way Telegram checks it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any

from bot.standins.emulator import refusals as errors
from bot.standins.emulator.bots import BotAccount
from bot.standins.emulator.callback_queries import CallbackAnswer
from bot.standins.emulator.chats import (
    ADMINISTRATOR,
    LEFT,
    MEMBER,
    SUPERGROUP,
    Conversation,
    StoredMessage,
    chat_member_api,
)
from bot.standins.emulator.commands import delete_my_commands, get_my_commands, set_my_commands
from bot.standins.emulator.formatting import (
    EntityParseError,
    FormattedText,
    parse_formatted_text,
    utf16_length,
)
from bot.standins.emulator.markup import ensure_fits_chat, inline_buttons, parse_reply_markup
from bot.standins.emulator.params import Params, UploadedFile
from bot.standins.emulator.results import ApiResult
from bot.standins.emulator.updates import MAX_UPDATES_PER_CALL
from bot.standins.emulator.webhook import DEFAULT_MAX_CONNECTIONS, WebhookConfig

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_RESULT_ID_BYTES = 64
DELETE_WINDOW_SECONDS = 48 * 60 * 60
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
_WEBHOOK_SET = "Webhook was set"
_WEBHOOK_ALREADY_SET = "Webhook is already set"
_WEBHOOK_DELETED = "Webhook was deleted"
_WEBHOOK_ALREADY_DELETED = "Webhook is already deleted"
_DEFAULT_MAX_REACTIONS = 11


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
    """The text of a message: "1-4096 characters after entities parsing"
    (https://core.telegram.org/bots/api#sendmessage), so "<b></b>" is empty too."""
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
    """https://core.telegram.org/bots/api#getupdates: "This method will not work if an outgoing
    webhook is set up" (409); ``limit`` "Values between 1-100 are accepted"; ``timeout`` is the
    long poll (capped at 50 s here). Offsets and allowed_updates: see `UpdateQueue`."""
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
    """https://core.telegram.org/bots/api#sendmessage, checked as the Bot API server does: the
    text and markup first (``_message_text``, `parse_reply_markup`), then the chat
    (`BotAccount.writable_conversation`: unknown, upgraded, bot removed or blocked, or a private
    chat the person never opened)."""
    chat_id = params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND)
    if chat_id is None:
        raise errors.bad_request(errors.CHAT_ID_EMPTY)
    text = _message_text(params)
    markup = parse_reply_markup(params.raw("reply_markup"))
    conversation = bot.writable_conversation(chat_id)
    ensure_fits_chat(markup, private=conversation.is_private)
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
    """Only the bot's own messages, only with text, only if something changes.

    https://core.telegram.org/bots/api#editmessagetext ("Use this method to edit text and game
    messages"; text "1-4096 characters after entities parsing"). The reference sets no age limit
    for a bot's own messages (its 48 hours concern business messages not sent by the bot), so
    none is enforced. Another's message is "message can't be edited"; the same content again
    is "message is not modified"; a chat the person blocked the bot in is 403.
    """
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if message.sender.id != bot.id:
        raise errors.bad_request(errors.MESSAGE_CANT_BE_EDITED)
    if message.text is None:
        raise errors.bad_request(errors.NO_TEXT_TO_EDIT)
    text = _message_text(params)
    markup = parse_reply_markup(params.raw("reply_markup"))
    ensure_fits_chat(markup, private=conversation.is_private)
    unchanged = (text.text, text.entities, markup.inline) == (
        message.text,
        message.entities,
        message.inline_markup,
    )
    if unchanged:
        raise errors.bad_request(errors.MESSAGE_NOT_MODIFIED)
    bot.ensure_not_blocked(conversation)
    message.text, message.entities, message.inline_markup = text.text, text.entities, markup.inline
    await bot.edited(conversation, message)
    return ApiResult(message.to_api())


async def edit_message_reply_markup(bot: BotAccount, params: Params) -> ApiResult:
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if message.sender.id != bot.id:
        raise errors.bad_request(errors.MESSAGE_CANT_BE_EDITED)
    markup = parse_reply_markup(params.raw("reply_markup"))
    ensure_fits_chat(markup, private=conversation.is_private)
    if markup.inline == message.inline_markup:
        raise errors.bad_request(errors.MESSAGE_NOT_MODIFIED)
    bot.ensure_not_blocked(conversation)
    message.inline_markup = markup.inline
    await bot.edited(conversation, message)
    return ApiResult(message.to_api())


async def delete_message(bot: BotAccount, params: Params) -> ApiResult:
    """Delete within the reference's limits (https://core.telegram.org/bots/api#deletemessage).

    "A message can only be deleted if it was sent less than 48 hours ago" (by the bot's clock);
    "Service messages about a supergroup, channel, or forum topic creation can't be deleted";
    "Bots can delete outgoing messages in private chats, groups, and supergroups"; "Bots can
    delete incoming messages in private chats"; "If the bot is an administrator of a group, it
    can delete any message there"; "If the bot has can_delete_messages administrator right in a
    supergroup or a channel, it can delete any message there" (an emulated administrator has
    that right). Telegram's words: "message can't be deleted" where the bot lacks the right,
    "message can't be deleted for everyone" for a message too old in a private chat or a basic
    group (in a supergroup the server answers "message can't be deleted").
    """
    conversation, message = _bot_message(bot, params, errors.MESSAGE_TO_DELETE_NOT_FOUND)
    _check_deletable(bot, conversation, message)
    bot.ensure_not_blocked(conversation)
    await bot.deleted(conversation, message)
    return ApiResult(True)


def _check_deletable(bot: BotAccount, conversation: Conversation, message: StoredMessage) -> None:
    if "migrate_from_chat_id" in message.media:  # the supergroup's creation
        raise errors.bad_request(errors.MESSAGE_CANT_BE_DELETED)
    someone_elses = message.sender.id != bot.id
    if someone_elses and not conversation.is_private and conversation.bot_status != ADMINISTRATOR:
        raise errors.bad_request(errors.MESSAGE_CANT_BE_DELETED)
    if bot.now() - message.date >= DELETE_WINDOW_SECONDS:
        supergroup = conversation.chat.type == SUPERGROUP
        raise errors.bad_request(
            errors.MESSAGE_CANT_BE_DELETED
            if supergroup
            else errors.MESSAGE_CANT_BE_DELETED_FOR_EVERYONE
        )


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

    The answer's ``text`` is "0-200 characters" (#answercallbackquery); a longer one is refused
    with "Bad Request: MESSAGE_TOO_LONG", counted here in UTF-16 units (the stricter count: the
    reference does not say which characters it means).
    """
    text = params.text("text")
    if text and utf16_length(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise errors.bad_request(errors.CALLBACK_ANSWER_TOO_LONG)
    query = bot.callback_queries.get(params.text("callback_query_id") or "")
    if query is None or query.answer is not None or query.expired(bot.clock()):
        raise errors.bad_request(errors.QUERY_ID_INVALID)
    answer = CallbackAnswer(text, params.flag("show_alert"), params.text("url"))
    await bot.answer(query, answer)
    return ApiResult(True)


async def answer_web_app_query(bot: BotAccount, params: Params) -> ApiResult:
    """Post a Mini App's result in the person's chat, on their behalf, once per launch.

    https://core.telegram.org/bots/api#answerwebappquery: "Use this method to set the result of
    an interaction with a Web App and send a corresponding message on behalf of the user to the
    chat from which the query originated. On success, a SentWebAppMessage object is returned."
    ``web_app_query_id`` is "Unique identifier for the query to be answered": here one issued by
    ``person.open_mini_app`` for this bot, not answered yet; any other is refused like a stale
    callback query, 400 "query is too old and response timeout expired or query ID is invalid"
    (the Bot API server rewrites TDLib's QUERY_ID_INVALID to these words for every method,
    ``Client::fail_query_with_error`` in tdlib/telegram-bot-api). The result is checked first,
    as the server parses it before asking Telegram (`_web_app_result`).

    The message reaches the bot as any message from the person, with ``via_bot`` (#message:
    "Bot through which the message was sent"). SentWebAppMessage's ``inline_message_id`` is
    "Available only if there is an inline keyboard attached to the message" (#sentwebappmessage),
    so it is returned only then (editing inline messages is not emulated).
    """
    text, inline_markup = _web_app_result(params.json("result"))
    query = bot.web_app_queries.get(params.text("web_app_query_id") or "")
    if query is None or query.answered:
        raise errors.bad_request(errors.QUERY_ID_INVALID)
    conversation = bot.successor(bot.conversations[query.chat_id])
    bot.ensure_not_blocked(conversation)
    query.answered = True
    keys = "".join(f" [{button['text']}]" for button in inline_buttons(inline_markup))
    await bot.receive(
        conversation,
        query.user,
        f"> {query.user.first_name} (via @{bot.user.username}): {text.text}{keys}",
        text=text.text,
        entities=text.entities,
        inline_markup=inline_markup,
        media={"via_bot": bot.user.to_api()},
    )
    sent = {"inline_message_id": bot.new_inline_message_id()} if inline_markup else {}
    return ApiResult(sent)


def _web_app_result(result: object) -> tuple[FormattedText, dict[str, Any] | None]:
    """The message an answerWebAppQuery ``result`` describes, checked as the reference says.

    Only InlineQueryResultArticle is emulated (https://core.telegram.org/bots/api#inlinequeryresultarticle:
    type "Type of the result, must be article"; id "Unique identifier for this result, 1-64
    Bytes"; title; input_message_content "Content of the message to be sent"; reply_markup
    "Inline keyboard attached to the message"), with InputTextMessageContent
    (#inputtextmessagecontent: message_text "Text of the message to be sent, 1-4096
    characters", parse_mode, entities). Another type is refused (stricter: Telegram would send
    it). Wording: `errors.INLINE_RESULT_INVALID`; an id of more than 64 bytes is
    "RESULT_ID_INVALID" (TDLib's error for a bad result id; plausible, not seen in an answer).
    """
    if not isinstance(result, dict):
        raise errors.bad_request(errors.INLINE_RESULT_INVALID.format("expected an Object"))
    result_type = _result_field(result, "type", str)
    if result_type != "article":
        raise errors.bad_request(
            errors.INLINE_RESULT_INVALID.format(
                f'type "{result_type}" is unsupported for the inline query result'
            )
        )
    result_id = _result_field(result, "id", str)
    if not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES:
        raise errors.bad_request("RESULT_ID_INVALID")
    _result_field(result, "title", str)
    content = _result_field(result, "input_message_content", dict)
    message_text = _result_field(content, "message_text", str)
    parsed = _formatted(message_text, content.get("parse_mode"), content.get("entities"))
    if not parsed.text.strip():
        raise errors.bad_request(errors.MESSAGE_TEXT_EMPTY)
    if len(parsed.text) > MAX_TEXT_LENGTH:
        raise errors.bad_request(errors.MESSAGE_TOO_LONG)
    markup = parse_reply_markup(result.get("reply_markup"))
    if markup.client is not None:  # an inline message carries an inline keyboard only
        raise errors.bad_request(errors.REPLY_MARKUP_NOT_JSON)
    return parsed, markup.inline


def _result_field(data: dict[str, Any], key: str, kind: type) -> Any:
    """A required field of a result, refused in the server's JSON readers' words."""
    if key not in data:
        raise errors.bad_request(errors.INLINE_RESULT_INVALID.format(f'Can\'t find field "{key}"'))
    value = data[key]
    if not isinstance(value, kind):
        type_name = "Object" if kind is dict else "String"
        raise errors.bad_request(
            errors.INLINE_RESULT_INVALID.format(f'Field "{key}" must be of type {type_name}')
        )
    return value


async def send_document(bot: BotAccount, params: Params) -> ApiResult:
    """https://core.telegram.org/bots/api#senddocument: caption "0-1024 characters after
    entities parsing"; a ``file_id`` must name a file Telegram has ("Pass a file_id as String to
    send a file that exists on the Telegram servers", #sending-files); an upload must not be
    empty. The chat is checked like `send_message`'s."""
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
    ensure_fits_chat(markup, private=conversation.is_private)
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
    """https://core.telegram.org/bots/api#sendchataction: only the listed actions
    (`CHAT_ACTIONS`); the chat is checked like `send_message`'s (403 when blocked or removed)."""
    conversation = bot.writable_conversation(
        params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND)
    )
    action = params.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise errors.bad_request(errors.WRONG_CHAT_ACTION)
    conversation.chat_actions.append(action)
    return ApiResult(True)


async def get_chat(bot: BotAccount, params: Params) -> ApiResult:
    """https://core.telegram.org/bots/api#getchat: a chat the bot can see; a group it was
    removed from is 403 and an upgraded one 400 with ``migrate_to_chat_id``, as any call."""
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


async def get_chat_member(bot: BotAccount, params: Params) -> ApiResult:
    """A member's status (https://core.telegram.org/bots/api#getchatmember); the bot's own is
    "member", "administrator" where it is one, "kicked" in a private chat it is blocked in.
    A group the bot was removed from, or that was upgraded, is refused like any call about it.
    """
    conversation = bot.known_conversation(params.integer("chat_id", invalid=errors.CHAT_NOT_FOUND))
    user_id = params.integer("user_id", invalid=errors.INVALID_USER_ID)
    if user_id is None:
        raise errors.bad_request(errors.INVALID_USER_ID)
    if user_id == bot.id:
        return ApiResult(chat_member_api(bot.user, conversation.bot_status))
    user = bot.known_users.get(user_id)
    if user is None:
        raise errors.bad_request(errors.USER_NOT_FOUND)
    if conversation.is_private:
        status = MEMBER if user_id == conversation.chat.id else LEFT
    else:
        status = conversation.members.get(user_id, LEFT)
    return ApiResult(chat_member_api(user, status))


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
        "answerwebappquery": answer_web_app_query,
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
