"""The week view (a Telegram Mini App, docs/mini-app.md) wired to one clinic's running bot: the
page's API reads the owner's conversation from PTB and hands the chosen slot back to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.routing import BaseRoute
from telegram.ext import Application

from bot.config import Settings
from bot.miniapp.routes import mini_app_routes
from bot.miniapp.week_api import WeekApi
from bot.services import Services
from conversations.week_view import ChatConversations


def week_view_routes(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    services: Services,
) -> list[BaseRoute]:
    """The week view's page and API when the clinic has one (MINI_APP_URL), else nothing."""
    if services.mini_app_url is None:
        return []
    api = WeekApi(
        bot_token=settings.telegram_bot_token.get_secret_value,
        clinic=services.clinic,
        booking=services.booking,
        store=services.store,
        catalogs=services.catalogs,
        clock=services.clock,
        conversations=ChatConversations(application, services.clock),
    )
    return mini_app_routes(api, urlsplit(services.mini_app_url).path)
