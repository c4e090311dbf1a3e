"""Mini Apps: what a Telegram client hands the page when a person opens one from a button.

A person taps an inline keyboard's ``web_app`` button (https://core.telegram.org/bots/api#webappinfo);
the client opens the button's URL and appends, after ``#``, the launch parameters: the signed
``initData`` (``tgWebAppData``), the client's Bot API version, platform and theme
(https://core.telegram.org/bots/webapps#initializing-mini-apps: "Telegram.WebApp.initData: A
string with raw data transferred to the Mini App"; the theme: #themeparams). Opening sends the bot
no update: the bot hears of the page only through the page's own requests, and through
answerWebAppQuery when the page asks it to post on the person's behalf.

The ``initData`` fields are those an inline-keyboard launch carries
(https://core.telegram.org/bots/webapps#webappinitdata): ``query_id`` ("A unique identifier for
the Mini App session, required for sending messages via the answerWebAppQuery method"),
``user`` (a WebAppUser as JSON, #webappuser, with ``allows_write_to_pm``: "True, if this user
allowed the bot to message them"), ``auth_date`` ("Unix time when the form was opened", by the
emulator's clock), ``chat_instance`` and ``chat_type``, signed with the bot's token by
`bot.miniapp.init_data.sign_init_data`, Telegram's own scheme.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias
from urllib.parse import quote

from bot.miniapp.init_data import sign_init_data
from bot.standins.emulator.chats import PRIVATE, TelegramUser

Theme: TypeAlias = Literal["light", "dark"]

WEB_APP_VERSION: Final = "8.0"
"""The Bot API version the emulated client supports (``tgWebAppVersion``)."""
PLATFORM: Final = "tdesktop"
"""The emulated client (``tgWebAppPlatform``): Telegram Desktop."""

THEMES: Final[dict[Theme, dict[str, str]]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#999999",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#efeff3",
    },
    "dark": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
    },
}
"""Two fixed palettes of the ThemeParams fields (https://core.telegram.org/bots/webapps#themeparams),
a light and a dark one chosen here (not copied from a client), so a page can be tested in both."""


@dataclass(frozen=True)
class MiniAppLaunch:
    """A Mini App as the client opens it: the button's `url`, the signed `init_data` the page
    reads as ``Telegram.WebApp.initData``, and the `fragment` the client appends to the URL."""

    url: str
    init_data: str
    fragment: str

    @property
    def location(self) -> str:
        """The address the client's web view loads: `url`, then ``#`` and the `fragment`
        (after ``&`` if the URL already has a fragment)."""
        return f"{self.url}{'&' if '#' in self.url else '#'}{self.fragment}"


@dataclass
class WebAppQuery:
    """A Mini App session's ``query_id``, issued when the person opened the page: the bot may
    answer it once with answerWebAppQuery, which posts in `chat_id` as `user`."""

    id: str
    chat_id: int
    user: TelegramUser
    answered: bool = False


def new_query_id(bot_id: int, number: int) -> str:
    """An opaque ``query_id``, unique per bot and launch (Telegram's look like base64 too)."""
    raw = bot_id.to_bytes(8, "big", signed=True) + number.to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def web_app_user(user: TelegramUser) -> str:
    """The WebAppUser (https://core.telegram.org/bots/webapps#webappuser) as the JSON ``user``
    field: what the person's account shows, and ``allows_write_to_pm`` (they opened the app
    from the bot's own chat, so the bot may write to them)."""
    data: dict[str, object] = {"id": user.id, "first_name": user.first_name}
    optional = {
        "last_name": user.last_name,
        "username": user.username,
        "language_code": user.language_code,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    data["allows_write_to_pm"] = True
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def launch(
    *,
    token: str,
    url: str,
    user: TelegramUser,
    query_id: str,
    auth_date: int,
    chat_instance: str,
    theme: Theme = "light",
) -> MiniAppLaunch:
    """The signed launch of `url` by `user` from a private chat's inline keyboard."""
    if theme not in THEMES:
        raise ValueError(f'theme is "light" or "dark", not {theme!r}')
    fields = {
        "query_id": query_id,
        "user": web_app_user(user),
        "auth_date": str(auth_date),
        "chat_instance": chat_instance,
        "chat_type": PRIVATE,
    }
    init_data = sign_init_data(fields, token)
    palette = json.dumps(THEMES[theme], separators=(",", ":"))
    fragment = "&".join(
        (
            f"tgWebAppData={quote(init_data, safe='')}",
            f"tgWebAppVersion={WEB_APP_VERSION}",
            f"tgWebAppPlatform={PLATFORM}",
            f"tgWebAppThemeParams={quote(palette, safe='')}",
        )
    )
    return MiniAppLaunch(url=url, init_data=init_data, fragment=fragment)
