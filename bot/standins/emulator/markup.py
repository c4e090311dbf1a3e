"""Reply markup as Telegram validates and stores it.

Only an inline keyboard belongs to the message (the API echoes it back as ``reply_markup``); a
reply keyboard, its removal and force_reply change what the person's client shows and are never
echoed. Both are kept, normalised to the fields Telegram keeps, so that "not modified" compares
like Telegram and the people API can tap what the person sees.

Mini App buttons (``web_app``, a WebAppInfo) are checked as Telegram checks them: the URL must be
HTTPS (https://core.telegram.org/bots/api#webappinfo: url, "An HTTPS URL of a Web App to be
opened with additional data as specified in Initializing Web Apps"), and the button is refused
outside a private chat (#inlinekeyboardbutton and #keyboardbutton: web_app, "Available only in
private chats between a user and the bot"), see `ensure_fits_chat`. The button is kept as
Telegram echoes it: ``{"text": ..., "web_app": {"url": ...}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.standins.emulator import refusals as errors

MAX_CALLBACK_DATA_BYTES = 64
INLINE_KEYBOARD = "inline_keyboard"
REPLY_KEYBOARD = "keyboard"
REMOVE_KEYBOARD = "remove_keyboard"
FORCE_REPLY = "force_reply"

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_EMPTY_MEANS_ABSENT = frozenset({"url", "callback_data"})
_REPLY_BUTTON_FIELDS = (
    "request_contact",
    "request_location",
    "request_poll",
    "request_users",
    "request_chat",
    "web_app",
)
_REPLY_KEYBOARD_OPTIONS = (
    "is_persistent",
    "resize_keyboard",
    "one_time_keyboard",
    "input_field_placeholder",
    "selective",
)


@dataclass(frozen=True)
class ReplyMarkup:
    """A validated ``reply_markup``: the inline part (echoed) and the client-side part."""

    inline: dict[str, Any] | None = None
    client: dict[str, Any] | None = None


def parse_reply_markup(raw: object) -> ReplyMarkup:
    """Validate a ``reply_markup`` parameter (a JSON string in form bodies, an object in JSON)."""
    if raw is None or raw == "":
        return ReplyMarkup()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise errors.bad_request(errors.REPLY_MARKUP_NOT_JSON) from None
    if not isinstance(raw, dict):
        raise errors.bad_request(errors.REPLY_MARKUP_NOT_OBJECT)
    if INLINE_KEYBOARD in raw:
        rows = _rows(raw[INLINE_KEYBOARD], errors.INLINE_KEYBOARD_NOT_ARRAYS)
        return ReplyMarkup(inline={INLINE_KEYBOARD: [[_inline_button(b) for b in r] for r in rows]})
    if REPLY_KEYBOARD in raw:
        rows = _rows(raw[REPLY_KEYBOARD], errors.REPLY_KEYBOARD_NOT_ARRAYS)
        keyboard: dict[str, Any] = {REPLY_KEYBOARD: [[_reply_button(b) for b in r] for r in rows]}
        keyboard.update({key: raw[key] for key in _REPLY_KEYBOARD_OPTIONS if key in raw})
        return ReplyMarkup(client=keyboard)
    if raw.get(REMOVE_KEYBOARD):
        return ReplyMarkup(client={REMOVE_KEYBOARD: True})
    if raw.get(FORCE_REPLY):
        return ReplyMarkup(client={FORCE_REPLY: True})
    raise errors.bad_request(errors.REPLY_MARKUP_NOT_JSON)


def _rows(value: object, error: str) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise errors.bad_request(error)
    return value


def _inline_button(button: object) -> dict[str, Any]:
    """One button of an inline keyboard (https://core.telegram.org/bots/api#inlinekeyboardbutton).

    "Exactly one of the optional fields must be used to specify type of the button": none is
    "Text buttons are not allowed" (an empty ``url`` or ``callback_data`` counts as none, as
    the Bot API server reads them); ``callback_data`` is "1-64 bytes" (BUTTON_DATA_INVALID);
    the label ("Label text on the button") must have something visible (BUTTON_TEXT_INVALID).
    """
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise errors.bad_request(errors.BUTTON_NOT_AN_OBJECT)
    actions = {key: button[key] for key in _INLINE_ACTIONS if _is_set(key, button.get(key))}
    if not actions:
        raise errors.bad_request(errors.TEXT_BUTTONS_UNALLOWED)
    data = actions.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise errors.bad_request(errors.BUTTON_DATA_INVALID)
        actions["callback_data"] = str(data)
    if not button["text"].strip():
        raise errors.bad_request(errors.BUTTON_TEXT_INVALID)
    if "web_app" in actions:
        actions["web_app"] = _web_app(actions["web_app"], inline=True)
    return {"text": button["text"], **actions}


def _web_app(value: object, *, inline: bool) -> dict[str, str]:
    """A button's WebAppInfo (https://core.telegram.org/bots/api#webappinfo), reduced to the
    ``url`` Telegram keeps: an object whose ``url`` is an HTTPS URL ("An HTTPS URL of a Web App
    to be opened"). A malformed one in a reply keyboard gets that keyboard's catch-all refusal
    (`errors.REPLY_MARKUP_NOT_JSON`, as any malformed reply button here)."""
    url = value.get("url") if isinstance(value, dict) else None
    if not isinstance(url, str):
        if not inline:
            raise errors.bad_request(errors.REPLY_MARKUP_NOT_JSON)
        if not isinstance(value, dict):
            raise errors.bad_request(errors.WEB_APP_NOT_AN_OBJECT)
        missing = url is None
        raise errors.bad_request(
            errors.WEB_APP_URL_MISSING if missing else errors.WEB_APP_URL_NOT_A_STRING
        )
    reason = _https_refusal(url)
    if reason is not None:
        wording = (
            errors.INLINE_WEB_APP_URL_INVALID if inline else errors.KEYBOARD_WEB_APP_URL_INVALID
        )
        raise errors.bad_request(wording.format(url, reason))
    return {"url": url}


def _https_refusal(url: str) -> str | None:
    """Why `url` is not a Web App URL, in the words of TDLib's ``LinkManager::check_link_impl``
    (called with https_only), or None.

    A URL without a scheme reads as http, as TDLib's parser reads it; http, tg: and ton: links
    are "Only HTTPS links are allowed"; another scheme is "Unsupported URL protocol"; a host
    without a dot is "Wrong HTTP URL". Stricter where unsure: a URL Python cannot split, or with
    no host, is refused as a wrong URL.
    """
    scheme, separator, _ = url.partition("://")
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:", "tonsite:")) or not separator:
        return errors.WEB_APP_URL_NOT_HTTPS
    scheme = scheme.lower()
    if scheme == "http":
        return errors.WEB_APP_URL_NOT_HTTPS
    if scheme != "https":
        return errors.WEB_APP_URL_UNSUPPORTED_PROTOCOL
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return errors.WEB_APP_URL_WRONG
    if "." not in host and ":" not in host:  # an IPv6 literal has no dot but is allowed
        return errors.WEB_APP_URL_WRONG
    return None


def _is_set(action: str, value: object) -> bool:
    """Whether a button field chooses the button's type: present, and for the two string
    fields the server tests for emptiness (``url``, ``callback_data``), not empty."""
    if action in _EMPTY_MEANS_ABSENT:
        return value not in (None, "")
    return value is not None


def _reply_button(button: object) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise errors.bad_request(errors.REPLY_MARKUP_NOT_JSON)
    extras = {key: button[key] for key in _REPLY_BUTTON_FIELDS if button.get(key)}
    if button.get("web_app") is not None:
        extras["web_app"] = _web_app(button["web_app"], inline=False)
    return {"text": button["text"], **extras}


def ensure_fits_chat(markup: ReplyMarkup, *, private: bool) -> None:
    """Refuse Mini App buttons outside a private chat, once the chat is known.

    https://core.telegram.org/bots/api#inlinekeyboardbutton and #keyboardbutton: web_app,
    "Available only in private chats between a user and the bot". An inline one is refused by
    Telegram's servers ("Bad Request: BUTTON_TYPE_INVALID"); a reply keyboard's by TDLib ("web
    App buttons can be used in private chats only"). See refusals.py for the sources.
    """
    if private:
        return
    if any("web_app" in button for button in inline_buttons(markup.inline)):
        raise errors.bad_request(errors.BUTTON_TYPE_INVALID)
    if any("web_app" in button for button in _reply_buttons(markup.client)):
        raise errors.bad_request(errors.KEYBOARD_WEB_APP_PRIVATE_ONLY)


def inline_buttons(inline: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The buttons of an inline keyboard, row by row."""
    if not inline:
        return []
    return [button for row in inline[INLINE_KEYBOARD] for button in row]


def _reply_buttons(client: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not client or REPLY_KEYBOARD not in client:
        return []
    return [button for row in client[REPLY_KEYBOARD] for button in row]


def client_labels(client: dict[str, Any] | None) -> list[str]:
    """The labels of a reply keyboard; none for a removal or force_reply."""
    return [button["text"] for button in _reply_buttons(client)]
